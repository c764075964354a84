//! Where the console keeps its bearer token between runs: the OS keyring where one answers
//! (Secret Service on Linux — GNOME Keyring, KWallet —, the macOS Keychain, the Windows Credential
//! Manager), else one file in the user's config folder readable and writable by the user alone
//! (0600 on Unix). Never the token in a log line.
//!
//! The console reads `--token-file`, then `TIANSHU_TOKEN`, then the remembered token (keyring
//! first, then the file); `--remember-token` writes it, `--forget-token` removes it from both.
//! Headless machines (CI, wall PCs, servers) usually have no Secret Service: the keyring call
//! fails fast (or is given up after [`KEYRING_WAIT`]) and the file is used, and the log says
//! which. `TIANSHU_KEYRING=off` skips the keyring. The file's permissions are checked on every
//! read.

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

/// How long a keyring call may take before the file is used instead: a Secret Service that is
/// activated on demand answers in well under a second; one that hangs (a broken session bus, an
/// unlock prompt nobody answers on a wall PC) must not hold the console's start.
pub const KEYRING_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The keyring's service name for the console's token (the "user" is [`KEYRING_USER`]).
pub const KEYRING_SERVICE: &str = "cn.tianshu.console";
/// The keyring entry's user name.
pub const KEYRING_USER: &str = "bearer-token";

/// Where a token was kept or found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The OS keyring (service [`KEYRING_SERVICE`]).
    Keyring,
    /// The 0600 file at this path.
    File(PathBuf),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Keyring => write!(f, "the OS keyring (service {KEYRING_SERVICE})"),
            Place::File(path) => write!(f, "{} (mode 0600)", path.display()),
        }
    }
}

/// What [`Store::remember`] did: where the token went, and why not the keyring if it did not.
#[derive(Debug)]
pub struct Remembered {
    pub place: Place,
    pub keyring_error: Option<String>,
    /// The keyring was given up while storing: the write may still land, so the keyring may
    /// hold the token too (`--forget-token` removes both).
    pub keyring_may_hold: bool,
}

/// What [`Store::recall`] found.
#[derive(Debug)]
pub struct Recalled {
    pub token: Option<String>,
    /// Where the token came from (`None` when there is none).
    pub place: Option<Place>,
    /// Why the keyring could not be asked, when it could not.
    pub keyring_error: Option<String>,
}

/// What [`Store::forget`] removed.
#[derive(Debug)]
pub struct Forgotten {
    /// A keyring entry was deleted.
    pub keyring: bool,
    /// The file was there and is deleted.
    pub file: bool,
    /// Why the keyring could not be asked, when it could not.
    pub keyring_error: Option<String>,
}

/// The keyring entry (if the keyring is to be used) and the fallback file.
#[derive(Debug, Clone)]
pub struct Store {
    keyring: Option<(String, String)>,
    file: PathBuf,
    wait: std::time::Duration,
}

enum KeyringAnswer<T> {
    Done(T),
    NoEntry,
    Unavailable(String),
    /// Given up after the wait: the call may still complete on its thread.
    TimedOut(String),
}

/// Why the keyring failed earlier in this process, if it did: a keyring that timed out or
/// could not be reached is not asked again (each try would wait and leave a blocked thread).
static KEYRING_DOWN: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

fn keyring_down() -> Option<String> {
    KEYRING_DOWN
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
}

fn mark_keyring_down(why: &str) {
    let mut down = KEYRING_DOWN.lock().unwrap_or_else(|p| p.into_inner());
    if down.is_none() {
        *down = Some(why.to_owned());
    }
}

impl Store {
    /// The console's store: the OS keyring (unless `TIANSHU_KEYRING=off`) and the default file.
    pub fn standard() -> Result<Self, TokenStoreError> {
        let off = std::env::var("TIANSHU_KEYRING")
            .map(|v| {
                matches!(
                    v.trim().to_ascii_lowercase().as_str(),
                    "off" | "0" | "no" | "false"
                )
            })
            .unwrap_or(false);
        let store = Self::new(
            (!off).then(|| (KEYRING_SERVICE.to_owned(), KEYRING_USER.to_owned())),
            default_path()?,
        );
        Ok(store)
    }

    /// A store with the given keyring entry (service, user) — `None` for the file alone.
    pub fn new(keyring: Option<(String, String)>, file: PathBuf) -> Self {
        Self {
            keyring,
            file,
            wait: KEYRING_WAIT,
        }
    }

    /// The fallback file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Runs one keyring call on its own thread and waits at most [`KEYRING_WAIT`]: some Secret
    /// Service backends block on D-Bus, and one that hangs must not hang the caller. A call that
    /// is given up is left to finish (or not) on its thread. Once the keyring has timed out or
    /// been unreachable, it is not asked again in this process.
    fn keyring<T: Send + 'static>(
        &self,
        call: impl FnOnce(&keyring::Entry) -> keyring::Result<T> + Send + 'static,
    ) -> KeyringAnswer<T> {
        let Some((service, user)) = self.keyring.clone() else {
            return KeyringAnswer::Unavailable(
                "the keyring is turned off (TIANSHU_KEYRING=off)".into(),
            );
        };
        if let Some(why) = keyring_down() {
            return KeyringAnswer::Unavailable(format!("not asked again: earlier, {why}"));
        }
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let spawned = std::thread::Builder::new()
            .name("keyring".into())
            .spawn(move || {
                let result = keyring::Entry::new(&service, &user).and_then(|entry| call(&entry));
                let _ = tx.send(result);
            });
        if let Err(e) = spawned {
            let why = format!("cannot start the keyring thread: {e}");
            mark_keyring_down(&why);
            return KeyringAnswer::Unavailable(why);
        }
        match rx.recv_timeout(self.wait) {
            Ok(Ok(value)) => KeyringAnswer::Done(value),
            Ok(Err(keyring::Error::NoEntry)) => KeyringAnswer::NoEntry,
            Ok(Err(
                e @ (keyring::Error::PlatformFailure(_) | keyring::Error::NoStorageAccess(_)),
            )) => {
                // No keyring service (or none that lets us in): the same for every entry.
                let why = e.to_string();
                mark_keyring_down(&why);
                KeyringAnswer::Unavailable(why)
            }
            Ok(Err(e)) => KeyringAnswer::Unavailable(e.to_string()),
            Err(_) => {
                let why = format!(
                    "the keyring did not answer within {} s",
                    self.wait.as_secs_f64()
                );
                mark_keyring_down(&why);
                KeyringAnswer::TimedOut(why)
            }
        }
    }

    /// Keeps `token`: in the keyring if it answers (and then deletes an older file copy, so no
    /// second copy lies on disk), else in the 0600 file.
    pub fn remember(&self, token: &str) -> Result<Remembered, TokenStoreError> {
        let token = token.trim();
        if token.is_empty() || !token.chars().all(|c| c.is_ascii_graphic()) {
            return Err(TokenStoreError::BadToken);
        }
        let owned = token.to_owned();
        match self.keyring(move |entry| entry.set_password(&owned)) {
            KeyringAnswer::Done(()) => {
                forget(&self.file)?;
                Ok(Remembered {
                    place: Place::Keyring,
                    keyring_error: None,
                    keyring_may_hold: false,
                })
            }
            KeyringAnswer::NoEntry => {
                save(&self.file, token)?;
                Ok(Remembered {
                    place: Place::File(self.file.clone()),
                    keyring_error: Some("the keyring refused the entry".into()),
                    keyring_may_hold: false,
                })
            }
            KeyringAnswer::Unavailable(why) => {
                save(&self.file, token)?;
                Ok(Remembered {
                    place: Place::File(self.file.clone()),
                    keyring_error: Some(why),
                    keyring_may_hold: false,
                })
            }
            KeyringAnswer::TimedOut(why) => {
                save(&self.file, token)?;
                Ok(Remembered {
                    place: Place::File(self.file.clone()),
                    keyring_error: Some(why),
                    keyring_may_hold: true,
                })
            }
        }
    }

    /// The remembered token: the keyring's, else the file's.
    pub fn recall(&self) -> Result<Recalled, TokenStoreError> {
        let keyring_error = match self.keyring(|entry| entry.get_password()) {
            KeyringAnswer::Done(token) => {
                let token = token.trim().to_owned();
                if !token.is_empty() {
                    return Ok(Recalled {
                        token: Some(token),
                        place: Some(Place::Keyring),
                        keyring_error: None,
                    });
                }
                None
            }
            KeyringAnswer::NoEntry => None,
            KeyringAnswer::Unavailable(why) | KeyringAnswer::TimedOut(why) => Some(why),
        };
        let token = load(&self.file)?;
        let place = token.as_ref().map(|_| Place::File(self.file.clone()));
        Ok(Recalled {
            token,
            place,
            keyring_error,
        })
    }

    /// Removes the token from the keyring and the file.
    pub fn forget(&self) -> Result<Forgotten, TokenStoreError> {
        let (keyring, keyring_error) = match self.keyring(|entry| entry.delete_credential()) {
            KeyringAnswer::Done(()) => (true, None),
            KeyringAnswer::NoEntry => (false, None),
            KeyringAnswer::Unavailable(why) | KeyringAnswer::TimedOut(why) => (false, Some(why)),
        };
        let file = self.file.exists();
        forget(&self.file)?;
        Ok(Forgotten {
            keyring,
            file,
            keyring_error,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;

/// The keyring and its fallback for real, each in a child process (the test binary run again) so
/// its D-Bus environment is its own: with an unreachable session bus the token must go to the
/// 0600 file; with a Secret Service (gnome-keyring-daemon under dbus-run-session) it must go to
/// the keyring and leave no file behind.
#[cfg(all(test, target_os = "linux"))]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod keyring_tests;
