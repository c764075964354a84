use super::*;
use std::process::Command;

const CHILD: &str = "token_store::keyring_tests::child_process_entry";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "tianshu-keyring-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn child(mut cmd: Command, mode: &str, dir: &Path) {
    let out = cmd
        .env("TIANSHU_TOKEN_STORE_CHILD", mode)
        .env("TIANSHU_TOKEN_STORE_DIR", dir)
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_RUNTIME_DIR", dir)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "child ({mode}) failed:\n{text}");
    assert!(
        text.contains("1 passed"),
        "the child test did not run ({mode}):\n{text}"
    );
    assert!(text.contains(&format!("checked {mode}")), "{text}");
}

/// The work itself, done in the child process (does nothing when run directly).
#[test]
fn child_process_entry() {
    let Ok(mode) = std::env::var("TIANSHU_TOKEN_STORE_CHILD") else {
        return;
    };
    let dir = PathBuf::from(std::env::var("TIANSHU_TOKEN_STORE_DIR").unwrap());
    let file = dir.join("cfg").join("token");
    let service = format!("cn.tianshu.test-{}", std::process::id());
    let store = Store::new(Some((service, KEYRING_USER.into())), file.clone());
    let started = std::time::Instant::now();
    match mode.as_str() {
        "fallback" => {
            let kept = store.remember("tok-fallback-123").unwrap();
            assert_eq!(kept.place, Place::File(file.clone()));
            let why = kept.keyring_error.unwrap();
            println!("keyring error, as logged: {why}");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600);
            }
            let found = store.recall().unwrap();
            assert_eq!(found.token.as_deref(), Some("tok-fallback-123"));
            assert_eq!(found.place, Some(Place::File(file.clone())));
            assert!(found.keyring_error.is_some());
            let gone = store.forget().unwrap();
            assert!(gone.file && !gone.keyring);
            assert!(!file.exists());
            assert_eq!(store.recall().unwrap().token, None);
            // Failing over must be quick, not a 10 s wait per call.
            assert!(started.elapsed() < std::time::Duration::from_secs(5));
        }
        "keyring" => {
            // An older file copy is removed once the keyring holds the token.
            save(&file, "old-file-token").unwrap();
            let kept = store.remember("tok-keyring-456").unwrap();
            assert_eq!(kept.place, Place::Keyring, "{:?}", kept.keyring_error);
            assert!(!file.exists(), "no second copy on disk");
            // A fresh store finds it in the keyring alone.
            let again = Store::new(store.keyring.clone(), file.clone());
            let found = again.recall().unwrap();
            assert_eq!(found.token.as_deref(), Some("tok-keyring-456"));
            assert_eq!(found.place, Some(Place::Keyring));
            // Replacing it keeps one entry.
            again.remember("tok-keyring-789").unwrap();
            assert_eq!(
                again.recall().unwrap().token.as_deref(),
                Some("tok-keyring-789")
            );
            let gone = again.forget().unwrap();
            assert!(gone.keyring && !gone.file, "{gone:?}");
            let none = again.recall().unwrap();
            assert_eq!(none.token, None);
            assert!(none.keyring_error.is_none(), "{:?}", none.keyring_error);
            // Off: the file alone, and says why.
            let off = Store::new(None, file.clone());
            let kept = off.remember("tok-off").unwrap();
            assert_eq!(kept.place, Place::File(file.clone()));
            assert!(kept.keyring_error.unwrap().contains("TIANSHU_KEYRING=off"));
            off.forget().unwrap();
        }
        "hung" => {
            // A session bus that accepts and never answers: the first call is given up
            // after the wait, every later one skips the keyring at once.
            let store = Store {
                wait: std::time::Duration::from_secs(1),
                ..store
            };
            let kept = store.remember("tok-hung-1").unwrap();
            assert_eq!(kept.place, Place::File(file.clone()));
            assert!(kept.keyring_may_hold, "a late write may still land");
            let why = kept.keyring_error.unwrap();
            assert!(why.contains("did not answer"), "{why}");
            assert!(started.elapsed() >= std::time::Duration::from_secs(1));
            let after_first = std::time::Instant::now();
            let found = store.recall().unwrap();
            assert_eq!(found.token.as_deref(), Some("tok-hung-1"));
            let why = found.keyring_error.unwrap();
            assert!(why.contains("not asked again"), "{why}");
            let again = store.remember("tok-hung-2").unwrap();
            assert!(!again.keyring_may_hold, "not asked, so nothing pending");
            let gone = store.forget().unwrap();
            assert!(gone.file && !gone.keyring && gone.keyring_error.is_some());
            assert!(
                after_first.elapsed() < std::time::Duration::from_millis(500),
                "later calls must not wait: {:?}",
                after_first.elapsed()
            );
        }
        other => panic!("unknown child mode {other}"),
    }
    println!("checked {mode}");
}

#[test]
fn without_a_keyring_the_token_goes_to_the_private_file() {
    let dir = scratch("fallback");
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", CHILD, "--nocapture", "--test-threads", "1"])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", dir.join("no-such-bus").display()),
        );
    child(cmd, "fallback", &dir);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_hung_keyring_is_waited_for_once_per_process() {
    let dir = scratch("hung");
    let bus = dir.join("hung-bus");
    let listener = std::os::unix::net::UnixListener::bind(&bus).unwrap();
    // Accepts connections and holds them open without a word.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(16) {
            held.push(stream);
        }
        std::thread::sleep(std::time::Duration::from_secs(60));
    });
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", CHILD, "--nocapture", "--test-threads", "1"])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", bus.display()),
        );
    child(cmd, "hung", &dir);
    let _ = std::fs::remove_dir_all(dir);
}

/// Needs `dbus-run-session` and `gnome-keyring-daemon` (apt: dbus gnome-keyring); skipped
/// with a notice without them unless `TIANSHU_REQUIRE_KEYRING_TEST=1`.
#[test]
fn with_a_secret_service_the_token_goes_to_the_keyring() {
    let have = |tool: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    if !(have("dbus-run-session") && have("gnome-keyring-daemon")) {
        assert!(
            std::env::var("TIANSHU_REQUIRE_KEYRING_TEST").as_deref() != Ok("1"),
            "TIANSHU_REQUIRE_KEYRING_TEST=1 but dbus-run-session or gnome-keyring-daemon is \
             missing (apt install dbus gnome-keyring)"
        );
        eprintln!(
            "SKIPPED keyring test: dbus-run-session or gnome-keyring-daemon not installed \
             (apt install dbus gnome-keyring; scripts/keyring-test-packages.sh)"
        );
        return;
    }
    let dir = scratch("secret-service");
    let mut cmd = Command::new("dbus-run-session");
    // A login keyring unlocked with a throwaway password in the scratch HOME, then the
    // child; the daemon goes when the session bus does.
    cmd.args([
        "--",
        "sh",
        "-c",
        "printf 'test-password' | gnome-keyring-daemon --unlock --components=secrets \
         >/dev/null && exec \"$0\" --exact \"$1\" --nocapture --test-threads 1",
    ])
    .arg(std::env::current_exe().unwrap())
    .arg(CHILD);
    child(cmd, "keyring", &dir);
    let _ = std::fs::remove_dir_all(dir);
}
