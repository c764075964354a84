//! Connections to PostgreSQL: the URL made safe to show, the session settings every connection
//! gets (timeouts, keepalives), and a small pool of connections with a bounded wait.

use std::str::FromStr as _;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio_postgres::{Client, Config, NoTls};

use super::{CONNECT_TIMEOUT, OP_TIMEOUT, POOL_SIZE};
use crate::store::StoreError;

pub(super) fn pg(e: tokio_postgres::Error) -> StoreError {
    use std::error::Error as _;
    if let Some(db) = e.as_db_error() {
        return StoreError::Postgres(format!("{} ({})", db.message(), db.code().code()));
    }
    match e.source() {
        Some(source) => StoreError::Postgres(format!("{e}: {source}")),
        None => StoreError::Postgres(e.to_string()),
    }
}

pub(super) fn late(what: &str) -> StoreError {
    StoreError::Postgres(format!(
        "{what} did not finish within {} s",
        OP_TIMEOUT.as_secs()
    ))
}

/// `user@host:port/db` of a config, without the password (for logs and errors).
pub(super) fn describe(config: &Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map_or_else(String::new, |h| match h {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        });
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{}@{host}:{port}/{}",
        config.get_user().unwrap_or("?"),
        config.get_dbname().unwrap_or("")
    )
}

/// Server settings every session gets, before the URL's own `options` (later `-c` wins, so an
/// operator can still change any of them): a replica waits at most 5 s for another's lock, a
/// stuck statement ends, and the server drops a session whose peer went silent within about
/// 25 s (keepalives) — which frees a dead leader's advisory lock, so a follower takes over in
/// seconds rather than after the kernel's default of hours.
pub(super) const SERVER_OPTIONS: &str = "-c lock_timeout=5000 -c statement_timeout=10000 \
     -c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3 \
     -c tcp_user_timeout=15000";

/// Connection settings of every session: timeouts, client keepalives (a replica notices a dead
/// server the same way) and `SERVER_OPTIONS` merged with the URL's `options`.
pub(super) fn harden(config: &mut Config) {
    config.connect_timeout(CONNECT_TIMEOUT);
    config.application_name("tianshu serve");
    config.keepalives(true);
    config.keepalives_idle(Duration::from_secs(10));
    config.keepalives_interval(Duration::from_secs(5));
    config.keepalives_retries(3);
    config.tcp_user_timeout(Duration::from_secs(15));
    let options = match config.get_options() {
        Some(own) if !own.trim().is_empty() => format!("{SERVER_OPTIONS} {own}"),
        _ => SERVER_OPTIONS.to_owned(),
    };
    config.options(options);
}

/// `user@host:port/db` of a `--db` URL, without the password (the console's store label);
/// `PostgreSQL` alone when the URL does not parse (the connection then says why).
pub fn describe_url(url: &str) -> String {
    Config::from_str(url).map_or_else(
        |_| "PostgreSQL".into(),
        |c| format!("PostgreSQL {}", describe(&c)),
    )
}

/// A few connections, made on demand and dropped when broken.
pub(super) struct Pool {
    pub(super) config: Config,
    pub(super) idle: Mutex<Vec<Client>>,
    pub(super) permits: Semaphore,
}

/// A pooled connection. It goes back to the pool only when its operation said it completed
/// (`finish`); one dropped mid-operation (a timeout, an error) is closed instead, since requests
/// it sent may still be queued on it.
pub(super) struct Conn<'a> {
    client: Option<Client>,
    pool: &'a Pool,
    completed: bool,
    _permit: SemaphorePermit<'a>,
}

impl Conn<'_> {
    /// The operation completed: the connection is idle and may serve another.
    pub(super) fn finish(mut self) {
        self.completed = true;
    }
}

impl std::ops::Deref for Conn<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        // Present from `get` until `drop`.
        self.client.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if !self.completed {
            return;
        }
        if let Some(client) = self.client.take().filter(|c| !c.is_closed()) {
            let mut idle = self.pool.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < POOL_SIZE {
                idle.push(client);
            }
        }
    }
}

/// Opens one connection; its I/O runs on a task of its own until it closes.
pub(super) async fn connect(config: &Config) -> Result<Client, StoreError> {
    let (client, connection) = tokio::time::timeout(CONNECT_TIMEOUT, config.connect(NoTls))
        .await
        .map_err(|_| {
            StoreError::Postgres(format!(
                "no answer from {} within {} s",
                describe(config),
                CONNECT_TIMEOUT.as_secs()
            ))
        })?
        .map_err(pg)?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!("PostgreSQL connection ended: {e}");
        }
    });
    Ok(client)
}

impl Pool {
    pub(super) async fn get(&self) -> Result<Conn<'_>, StoreError> {
        let permit = tokio::time::timeout(OP_TIMEOUT, self.permits.acquire())
            .await
            .map_err(|_| late("waiting for a PostgreSQL connection"))?
            .map_err(|_| StoreError::Postgres("the connection pool is closed".into()))?;
        let reused = {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            idle.retain(|c| !c.is_closed());
            idle.pop()
        };
        let client = match reused {
            Some(client) => client,
            None => connect(&self.config).await?,
        };
        Ok(Conn {
            client: Some(client),
            pool: self,
            completed: false,
            _permit: permit,
        })
    }
}
