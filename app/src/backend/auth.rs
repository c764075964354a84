//! Who is calling: bearer tokens mapped to a user and a role.
//!
//! Owns the token table and the role rules; handlers ask it for a `Principal` and never look at
//! headers themselves.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

/// What a caller may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads everything, decides nothing (wall displays, regulators).
    Viewer,
    /// Approves, rejects and vetoes.
    Operator,
    /// Operator rights plus overrides.
    Supervisor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Supervisor => "supervisor",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user: String,
    pub role: Role,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenFileError {
    #[error("cannot read token file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("token file {path} is not valid: {source}")]
    Parse {
        path: String,
        source: toml::de::Error,
    },
    #[error("token file {path} lists the same token twice")]
    Duplicate { path: String },
}

#[derive(Debug, Deserialize)]
struct TokenFile {
    #[serde(default)]
    token: Vec<TokenEntry>,
}

#[derive(Debug, Deserialize)]
struct TokenEntry {
    token: String,
    user: String,
    role: Role,
}

/// The bearer tokens the backend accepts. Empty means open mode: every caller is a local operator.
#[derive(Debug, Default, Clone)]
pub struct TokenTable {
    tokens: HashMap<String, Principal>,
}

impl TokenTable {
    /// Reads a TOML file of `[[token]] token = "…" user = "…" role = "viewer|operator|supervisor"`.
    pub fn load(path: &Path) -> Result<Self, TokenFileError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| TokenFileError::Read {
            path: shown.clone(),
            source,
        })?;
        let file: TokenFile = toml::from_str(&text).map_err(|source| TokenFileError::Parse {
            path: shown.clone(),
            source,
        })?;
        let mut table = TokenTable::default();
        for entry in file.token {
            let principal = Principal {
                user: entry.user,
                role: entry.role,
            };
            if table.tokens.insert(entry.token, principal).is_some() {
                return Err(TokenFileError::Duplicate { path: shown });
            }
        }
        Ok(table)
    }

    pub fn insert(&mut self, token: String, principal: Principal) {
        self.tokens.insert(token, principal);
    }

    pub fn is_open(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The caller behind an `Authorization` header value, if any.
    pub fn authenticate(&self, header: Option<&str>) -> Option<Principal> {
        if self.is_open() {
            return Some(Principal {
                user: "local-operator".into(),
                role: Role::Supervisor,
            });
        }
        let token = header?.strip_prefix("Bearer ")?.trim();
        self.tokens.get(token).cloned()
    }
}
