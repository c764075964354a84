//! Who is calling: bearer tokens mapped to a user, a role and (for factory managers) a scope.
//!
//! Owns the users table and reading it; handlers ask it for a `Principal` and never look at
//! headers themselves. Tokens are kept only as SHA-256 digests: a users file never holds one.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use sha2::{Digest as _, Sha256};

pub use crate::api::Role;

/// Name of the user every caller is when the backend runs without a users file.
pub const LOCAL_USER: &str = "local-operator";

pub use tianshu_api::{AgentGrant, Principal};

#[derive(Debug, thiserror::Error)]
pub enum TokenFileError {
    #[error("cannot read users file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("users file {path} is not valid: {source}")]
    Parse {
        path: String,
        source: toml::de::Error,
    },
    #[error("users file {path} lists the same token twice")]
    Duplicate { path: String },
    #[error(
        "users file {path}: user {user:?} has token_sha256 {digest:?}, which is not 64 hex digits \
         (make one with: printf %s \"$TOKEN\" | sha256sum)"
    )]
    BadDigest {
        path: String,
        user: String,
        digest: String,
    },
    #[error(
        "users file {path}: user {user:?} lists factory {factory:?}; write an id such as \"F00042\" or 42"
    )]
    BadFactory {
        path: String,
        user: String,
        factory: String,
    },
    #[error("users file {path}: factory manager {user:?} lists no factories")]
    NoFactories { path: String, user: String },
    #[error(
        "users file {path}: agent {user:?} needs agent_id, autonomy (L0..L5), kinds and targets \
         (glob patterns such as \"backbone.*\" and \"link:*\"): {problem}"
    )]
    BadAgent {
        path: String,
        user: String,
        problem: String,
    },
    #[error("users file {path}: {user:?} is not an agent but sets {field}")]
    NotAnAgent {
        path: String,
        user: String,
        field: &'static str,
    },
    #[error("users file {path} defines no [[user]] (or legacy [[token]]) entries")]
    Empty { path: String },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UsersFile {
    #[serde(default)]
    user: Vec<UserEntry>,
    /// The earlier format, plain tokens: still read so old deployments keep working.
    #[serde(default)]
    token: Vec<TokenEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserEntry {
    name: String,
    role: Role,
    token_sha256: String,
    #[serde(default)]
    factories: Vec<FactoryRef>,
    /// Role `agent`: the agent this token speaks for, its autonomy and scope.
    agent_id: Option<String>,
    autonomy: Option<crate::api::AutonomyLevel>,
    kinds: Option<Vec<String>>,
    targets: Option<Vec<String>>,
}

/// The agent grant of a users-file entry, or why it is not a valid one.
fn agent_grant(entry: &UserEntry, shown: &str) -> Result<Option<AgentGrant>, TokenFileError> {
    if entry.role != Role::Agent {
        let stray = [
            ("agent_id", entry.agent_id.is_some()),
            ("autonomy", entry.autonomy.is_some()),
            ("kinds", entry.kinds.is_some()),
            ("targets", entry.targets.is_some()),
        ]
        .into_iter()
        .find(|(_, set)| *set);
        return match stray {
            Some((field, _)) => Err(TokenFileError::NotAnAgent {
                path: shown.to_owned(),
                user: entry.name.clone(),
                field,
            }),
            None => Ok(None),
        };
    }
    let bad = |problem: &str| TokenFileError::BadAgent {
        path: shown.to_owned(),
        user: entry.name.clone(),
        problem: problem.to_owned(),
    };
    let agent_id = entry
        .agent_id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty() && id.len() <= 100)
        .ok_or_else(|| bad("agent_id is missing or blank"))?;
    let autonomy = entry
        .autonomy
        .filter(|a| *a != crate::api::AutonomyLevel::Unknown)
        .ok_or_else(|| bad("autonomy is missing or not L0..L5"))?;
    let globs = |list: &Option<Vec<String>>, what: &str| {
        list.as_ref()
            .filter(|l| !l.is_empty() && l.iter().all(|g| !g.trim().is_empty()))
            .map(|l| l.iter().map(|g| g.trim().to_owned()).collect::<Vec<_>>())
            .ok_or_else(|| {
                bad(&format!(
                    "{what} is missing, empty or holds a blank pattern"
                ))
            })
    };
    Ok(Some(AgentGrant {
        agent_id: agent_id.to_owned(),
        autonomy,
        kinds: globs(&entry.kinds, "kinds")?,
        targets: globs(&entry.targets, "targets")?,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum FactoryRef {
    Number(u32),
    Text(String),
}

#[derive(Debug, Deserialize)]
struct TokenEntry {
    token: String,
    user: String,
    role: Role,
}

/// Hex SHA-256 of a token, as a users file stores it.
pub fn token_digest(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// `F00042`, `f42` or `42` → 42.
pub fn parse_factory_id(text: &str) -> Option<u32> {
    let t = text.trim();
    let digits = t.strip_prefix(['F', 'f']).unwrap_or(t);
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// The users the backend accepts, by token digest. Empty means open mode: every caller is
/// `open_as` (a local operator unless the embedding program says otherwise).
#[derive(Debug, Clone)]
pub struct TokenTable {
    by_digest: HashMap<String, Principal>,
    open_as: Principal,
}

impl Default for TokenTable {
    fn default() -> Self {
        Self {
            by_digest: HashMap::new(),
            open_as: Principal::new(LOCAL_USER, Role::Operator),
        }
    }
}

impl TokenTable {
    /// Reads a TOML users file: `[[user]] name, role, token_sha256, factories` (and the legacy
    /// `[[token]] token, user, role`).
    pub fn load(path: &Path) -> Result<Self, TokenFileError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| TokenFileError::Read {
            path: shown.clone(),
            source,
        })?;
        Self::parse(&text, &shown)
    }

    /// Parses the text of a users file; `shown` names it in errors.
    pub fn parse(text: &str, shown: &str) -> Result<Self, TokenFileError> {
        let file: UsersFile = toml::from_str(text).map_err(|source| TokenFileError::Parse {
            path: shown.to_owned(),
            source,
        })?;
        if file.user.is_empty() && file.token.is_empty() {
            return Err(TokenFileError::Empty {
                path: shown.to_owned(),
            });
        }
        let mut table = TokenTable::default();
        for entry in file.user {
            let digest = entry.token_sha256.trim().to_ascii_lowercase();
            if digest.len() != 64 || !digest.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(TokenFileError::BadDigest {
                    path: shown.to_owned(),
                    user: entry.name,
                    digest: entry.token_sha256,
                });
            }
            let grant = agent_grant(&entry, shown)?;
            let mut principal = Principal::new(entry.name, entry.role);
            principal.agent = grant;
            for f in entry.factories {
                let id = match &f {
                    FactoryRef::Number(n) => Some(*n),
                    FactoryRef::Text(t) => parse_factory_id(t),
                };
                let Some(id) = id else {
                    return Err(TokenFileError::BadFactory {
                        path: shown.to_owned(),
                        user: principal.user,
                        factory: match f {
                            FactoryRef::Number(n) => n.to_string(),
                            FactoryRef::Text(t) => t,
                        },
                    });
                };
                principal.factory_ids.push(id);
            }
            if principal.role == Role::FactoryManager && principal.factory_ids.is_empty() {
                return Err(TokenFileError::NoFactories {
                    path: shown.to_owned(),
                    user: principal.user,
                });
            }
            if table.by_digest.insert(digest, principal).is_some() {
                return Err(TokenFileError::Duplicate {
                    path: shown.to_owned(),
                });
            }
        }
        for entry in file.token {
            let principal = Principal::new(entry.user, entry.role);
            if table
                .by_digest
                .insert(token_digest(entry.token.trim()), principal)
                .is_some()
            {
                return Err(TokenFileError::Duplicate {
                    path: shown.to_owned(),
                });
            }
        }
        Ok(table)
    }

    /// The agents this table lets in: user name and grant, sorted by agent id.
    pub fn agents(&self) -> Vec<(String, AgentGrant)> {
        let mut out: Vec<(String, AgentGrant)> = self
            .by_digest
            .values()
            .filter_map(|p| p.agent.clone().map(|g| (p.user.clone(), g)))
            .collect();
        out.sort_by(|a, b| a.1.agent_id.cmp(&b.1.agent_id));
        out
    }

    /// Adds a user by token (tests and embedding programs).
    pub fn insert(&mut self, token: &str, principal: Principal) {
        self.by_digest.insert(token_digest(token), principal);
    }

    /// Who everyone is in open mode.
    pub fn with_open_user(mut self, principal: Principal) -> Self {
        self.open_as = principal;
        self
    }

    pub fn is_open(&self) -> bool {
        self.by_digest.is_empty()
    }

    /// The caller behind an `Authorization` header value, if any.
    ///
    /// The presented token's digest is compared with every known digest in constant time (no
    /// early exit, no hash-table probe keyed by attacker input), so timing tells nothing about
    /// how close a guess came. The token itself is never stored or logged.
    pub fn authenticate(&self, header: Option<&str>) -> Option<Principal> {
        use subtle::ConstantTimeEq as _;
        if self.is_open() {
            return Some(self.open_as.clone());
        }
        let token = header?.strip_prefix("Bearer ")?.trim();
        let presented = token_digest(token);
        let mut found = None;
        for (digest, principal) in &self.by_digest {
            if bool::from(digest.as_bytes().ct_eq(presented.as_bytes())) {
                found = Some(principal);
            }
        }
        found.cloned()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn users_file_maps_digests_roles_and_factories() {
        let text = format!(
            r#"
[[user]]
name = "li.wei"
role = "operator"
token_sha256 = "{}"

[[user]]
name = "zhang.min"
role = "factory_manager"
token_sha256 = "{}"
factories = ["F00042", 7]
"#,
            token_digest("op-token"),
            token_digest("fm-token").to_uppercase()
        );
        let table = TokenTable::parse(&text, "users.toml").unwrap();
        let li = table.authenticate(Some("Bearer op-token")).unwrap();
        assert_eq!((li.user.as_str(), li.role), ("li.wei", Role::Operator));
        let zhang = table.authenticate(Some("Bearer fm-token")).unwrap();
        assert_eq!(zhang.role, Role::FactoryManager);
        assert_eq!(zhang.factory_ids, vec![42, 7]);
        assert!(table.authenticate(Some("Bearer nope")).is_none());
        assert!(table.authenticate(None).is_none());
        assert!(
            !text.contains("op-token"),
            "the token itself is never stored"
        );
    }

    #[test]
    fn bad_users_files_say_what_is_wrong() {
        let short = "[[user]]\nname = \"a\"\nrole = \"admin\"\ntoken_sha256 = \"abc\"\n";
        assert!(matches!(
            TokenTable::parse(short, "u"),
            Err(TokenFileError::BadDigest { .. })
        ));
        let fm = format!(
            "[[user]]\nname = \"a\"\nrole = \"factory_manager\"\ntoken_sha256 = \"{}\"\n",
            token_digest("t")
        );
        assert!(matches!(
            TokenTable::parse(&fm, "u"),
            Err(TokenFileError::NoFactories { .. })
        ));
        let bad_factory = format!("{fm}factories = [\"plant nine\"]\n");
        assert!(matches!(
            TokenTable::parse(&bad_factory, "u"),
            Err(TokenFileError::BadFactory { .. })
        ));
        assert!(matches!(
            TokenTable::parse("", "u"),
            Err(TokenFileError::Empty { .. })
        ));
        let legacy = "[[token]]\ntoken = \"t\"\nuser = \"boss\"\nrole = \"supervisor\"\n";
        let table = TokenTable::parse(legacy, "u").unwrap();
        assert_eq!(
            table.authenticate(Some("Bearer t")).unwrap().role,
            Role::Admin
        );
    }

    #[test]
    fn open_mode_is_a_local_operator() {
        let p = TokenTable::default().authenticate(None).unwrap();
        assert_eq!((p.user.as_str(), p.role), (LOCAL_USER, Role::Operator));
        assert_eq!(parse_factory_id("F00042"), Some(42));
        assert_eq!(parse_factory_id("F"), None);
    }
}
