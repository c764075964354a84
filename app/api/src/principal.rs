//! Who is calling, as the rules see it: a user, a role and (for factory managers) a scope.
//! The backend builds it from a bearer token; the console builds its own from `GET /me` to
//! explain disabled buttons with the same rules.

use std::collections::BTreeSet;

use crate::Role;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user: String,
    pub role: Role,
    /// Factories a factory manager looks after.
    pub factory_ids: Vec<u32>,
    /// Their groups (`<province>/<industry>`), filled in by the backend from the simulator.
    pub factory_groups: BTreeSet<String>,
    /// For role `agent`: the agent it speaks for and what it may propose.
    pub agent: Option<AgentGrant>,
}

/// What an agent's token lets it do: speak for one agent id, at one autonomy level, for the
/// action kinds and targets its globs match (`backbone.*`, `link:*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentGrant {
    pub agent_id: String,
    pub autonomy: crate::AutonomyLevel,
    pub kinds: Vec<String>,
    pub targets: Vec<String>,
}

impl AgentGrant {
    /// Whether `kind` and `target` are inside this agent's scope.
    pub fn allows(&self, kind: &str, target: &str) -> bool {
        self.kinds.iter().any(|g| glob_match(g, kind))
            && self.targets.iter().any(|g| glob_match(g, target))
    }
}

/// `*` matches any run of characters (also none); everything else matches itself.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

impl Principal {
    pub fn new(user: impl Into<String>, role: Role) -> Self {
        Self {
            user: user.into(),
            role,
            factory_ids: Vec::new(),
            factory_groups: BTreeSet::new(),
            agent: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs_match_prefixes_suffixes_and_middles() {
        assert!(glob_match("backbone.*", "backbone.reroute"));
        assert!(!glob_match("backbone.*", "compute.scale"));
        assert!(glob_match("link:*", "link:a-b"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "a-x-b-y-c"));
        assert!(!glob_match("a*b*c", "a-x-c-b"));
        assert!(!glob_match("ab*ba", "aba"));
        assert!(glob_match("exact", "exact"));
        assert!(!glob_match("exact", "exactly"));
    }
}
