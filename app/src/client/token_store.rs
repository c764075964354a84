//! Where the console keeps its bearer token between runs: one file in the user's config folder,
//! readable and writable by the user alone (0600 on Unix), never the token in a log line.
//!
//! The console reads `--token-file`, then `TIANSHU_TOKEN`, then this file; `--remember-token`
//! writes it, `--forget-token` removes it. No OS keyring is used (none is reliably present on the
//! wall and server machines this runs on); the file's permissions are checked on every read.

use std::io::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum TokenStoreError {
    #[error("no home directory to keep the token in; use --token-file or TIANSHU_TOKEN")]
    NoConfigDir,
    #[error("cannot write the token file {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot read the token file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "the token file {path} can be read by other users (mode {mode:o}); run `chmod 600 {path}` \
         or remember the token again"
    )]
    TooOpen { path: String, mode: u32 },
    #[error("the token contains characters a header cannot carry (or is empty)")]
    BadToken,
}

/// The token file in the user's config folder (`~/.config/tianshu/token` on Linux).
pub fn default_path() -> Result<PathBuf, TokenStoreError> {
    let dirs = directories::ProjectDirs::from("cn", "tianshu", "tianshu")
        .ok_or(TokenStoreError::NoConfigDir)?;
    Ok(dirs.config_dir().join("token"))
}

/// Writes `token` to `path` with mode 0600, creating the folder (0700) if needed.
pub fn save(path: &Path, token: &str) -> Result<(), TokenStoreError> {
    let token = token.trim();
    if token.is_empty() || !token.chars().all(|c| c.is_ascii_graphic()) {
        return Err(TokenStoreError::BadToken);
    }
    let err = |source| TokenStoreError::Write {
        path: path.display().to_string(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(err)?;
        restrict(dir, 0o700).map_err(err)?;
    }
    // Written beside and renamed over: a crash never leaves half a token, and the file is
    // private before the token is in it.
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(err)?;
    restrict(&tmp, 0o600).map_err(err)?;
    file.write_all(token.as_bytes()).map_err(err)?;
    file.sync_all().map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
}

/// The remembered token, if there is one; refuses a file others can read.
pub fn load(path: &Path) -> Result<Option<String>, TokenStoreError> {
    let shown = || path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(TokenStoreError::Read {
                path: shown(),
                source,
            });
        }
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(TokenStoreError::TooOpen {
                path: shown(),
                mode,
            });
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    let text = std::fs::read_to_string(path).map_err(|source| TokenStoreError::Read {
        path: shown(),
        source,
    })?;
    let token = text.trim();
    Ok((!token.is_empty()).then(|| token.to_owned()))
}

/// Removes the remembered token (nothing to do when there is none).
pub fn forget(path: &Path) -> Result<(), TokenStoreError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(TokenStoreError::Write {
            path: path.display().to_string(),
            source: e,
        }),
        _ => Ok(()),
    }
}

fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_token_file_is_private_and_round_trips() {
        let dir = std::env::temp_dir().join(format!("tianshu-token-{}", std::process::id()));
        let path = dir.join("cfg").join("token");
        assert_eq!(load(&path).unwrap(), None);
        save(&path, "  s3cret-token\n").unwrap();
        assert_eq!(load(&path).unwrap().as_deref(), Some("s3cret-token"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "readable by the user alone");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(matches!(load(&path), Err(TokenStoreError::TooOpen { .. })));
            // Remembering again makes it private again.
            save(&path, "s3cret-token").unwrap();
            assert!(load(&path).is_ok());
        }
        assert!(matches!(save(&path, "a b"), Err(TokenStoreError::BadToken)));
        forget(&path).unwrap();
        assert_eq!(load(&path).unwrap(), None);
        forget(&path).unwrap();
        let _ = std::fs::remove_dir_all(dir);
    }
}
