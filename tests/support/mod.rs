//! Helpers shared by the integration tests that run a real `serve` (`mod support;` in each).
#![allow(dead_code)] // each test binary uses its own subset

use tianshu::api::{Action, ActionState, Decision, DecisionRequest, Policy, Snapshot};

/// A TCP port free on 127.0.0.1 right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The tests' async runtime: two worker threads, IO and timers on.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A rejection of `action` at its current version, with `reason`.
pub fn reject(action: &Action, key: &str, reason: &str) -> DecisionRequest {
    DecisionRequest {
        decision: Decision::Reject,
        params: None,
        reason: reason.into(),
        expected_version: action.version,
        idempotency_key: key.into(),
    }
}

/// Open network actions an operator may reject, with time to spare, in the snapshot's order.
pub fn rejectable(snapshot: &Snapshot) -> Vec<Action> {
    snapshot
        .actions
        .iter()
        .filter(|a| {
            a.state == ActionState::Pending
                && !a.industrial
                && a.policy != Policy::AutoWithVeto
                && a.expires_at > snapshot.server_time + 120_000
        })
        .cloned()
        .collect()
}

/// A real `tianshu serve` child process, killed with SIGKILL when dropped (a failing test never
/// leaves it running).
pub struct ServeProcess {
    pub child: std::process::Child,
    /// `http://127.0.0.1:PORT`, as `serve` printed it.
    pub base_url: String,
}

impl ServeProcess {
    /// Starts the binary as `tianshu serve ARGS…` (give `--listen 127.0.0.1:0` for a port of its
    /// choosing) and waits for the address it prints.
    pub fn start<S: AsRef<std::ffi::OsStr>>(args: impl IntoIterator<Item = S>) -> Self {
        use std::io::BufRead as _;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tianshu"))
            .arg("serve")
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("tianshu serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if let Some(rest) = line.strip_prefix("tianshu backend on ") {
                    let url = rest.split_whitespace().next().unwrap_or_default();
                    let _ = tx.send(url.to_owned());
                }
            }
        });
        let base_url = rx
            .recv_timeout(std::time::Duration::from_secs(120))
            .expect("serve prints where it listens");
        Self { child, base_url }
    }

    /// SIGKILL: no shutdown code runs, exactly like `kill -9`.
    pub fn kill9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
