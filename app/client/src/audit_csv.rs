//! Writing audit entries as CSV, off the UI thread: into the user's downloads folder, or the
//! application's data folder when there is none.

use std::path::PathBuf;

use crate::api::AuditEntry;

/// Columns of the export, in order.
pub const COLUMNS: [&str; 11] = [
    "id",
    "time_utc",
    "actor",
    "role",
    "action_id",
    "event",
    "reason",
    "from_state",
    "to_state",
    "before",
    "after",
];

/// The CSV text of `entries` (header first).
pub fn to_csv(entries: &[AuditEntry]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    for e in entries {
        let time = chrono::DateTime::from_timestamp_millis(e.at)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
            .unwrap_or_default();
        w.write_record([
            e.id.to_string(),
            time,
            e.actor.clone(),
            e.role.clone(),
            e.action_id.to_string(),
            e.event.clone(),
            e.reason.clone(),
            wire(&e.from_state),
            wire(&e.to_state),
            compact(&e.before),
            compact(&e.after),
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

fn compact(v: &serde_json::Value) -> String {
    if v.is_null() {
        String::new()
    } else {
        v.to_string()
    }
}

/// The serde name of a value (`pending`, `rolled_back`).
fn wire<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// The user's downloads folder, else the application's data folder.
pub(crate) fn export_dir() -> Option<PathBuf> {
    if let Some(dirs) = directories::UserDirs::new()
        && let Some(d) = dirs.download_dir()
    {
        return Some(d.to_path_buf());
    }
    directories::ProjectDirs::from("cn", "tianshu", "tianshu").map(|d| d.data_dir().to_path_buf())
}

/// Writes `entries` to a new timestamped file; returns it and the rows written, or why not.
pub async fn export(entries: Vec<AuditEntry>) -> (PathBuf, Result<u64, String>) {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let name = format!("tianshu-audit-{stamp}.csv");
    let job = tokio::task::spawn_blocking(move || {
        let Some(dir) = export_dir() else {
            return (
                PathBuf::from(&name),
                Err("no downloads or data folder to write into".to_owned()),
            );
        };
        let path = dir.join(&name);
        let result = std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))
            .and_then(|()| to_csv(&entries).map_err(|e| e.to_string()))
            .and_then(|bytes| {
                std::fs::write(&path, bytes)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))
            })
            .map(|()| entries.len() as u64);
        (path, result)
    });
    match job.await {
        Ok(done) => done,
        Err(e) => (PathBuf::new(), Err(format!("the export stopped: {e}"))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::api::ActionState;

    #[test]
    fn csv_has_a_header_and_quotes_what_needs_it() {
        let entry = AuditEntry {
            id: 3,
            at: 1_793_491_200_000,
            actor: "li.wei".into(),
            role: "operator".into(),
            action_id: 9,
            event: "reject".into(),
            reason: "forecast, \"again\" wrong".into(),
            from_state: ActionState::Pending,
            to_state: ActionState::RolledBack,
            before: serde_json::json!({"version": 1}),
            after: serde_json::Value::Null,
        };
        let text = String::from_utf8(to_csv(&[entry]).unwrap()).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), COLUMNS.join(","));
        let row = lines.next().unwrap();
        assert!(
            row.starts_with("3,2026-11-01T00:00:00.000Z,li.wei,operator,9,reject,"),
            "{row}"
        );
        assert!(row.contains("\"forecast, \"\"again\"\" wrong\""), "{row}");
        assert!(row.contains(",pending,rolled_back,"), "{row}");
    }
}
