//! What needs attention right now, ranked — the wall's "now" page reads it: actions awaiting a
//! decision (critical ones first, then oldest first), backbone links above their utilisation
//! threshold, metros that fell below 1 ms coverage, silent agents, stale sources.
//!
//! Pure data and rules: nothing here knows egui. Names come in both languages; the page formats.

use crate::api::{ActionState, Risk, SourceHealth, UnixMs};
use crate::{AgentHealth, State, agent_activity};

/// A backbone link at or above this share of its capacity (either direction) needs attention.
pub const HOT_LINK_UTILIZATION: f64 = 0.9;

/// One thing that needs attention.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub kind: Kind,
    /// Interrupts the wall's playlist until it is decided or clears.
    pub critical: bool,
    /// What it is about, in English and Chinese.
    pub name_en: String,
    pub name_zh: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// An action waits for a decision; `expires_at` is its deadline (server ms).
    Decision {
        action_id: u64,
        risk: Risk,
        waiting_since: UnixMs,
        expires_at: UnixMs,
    },
    /// A link runs at `utilization` (the busier direction, 0..1).
    HotLink { utilization: f64 },
    /// A metro's 1 ms coverage fell below the threshold within the trend's window.
    MetroBelow {
        coverage: f64,
        threshold: f64,
        change: f64,
    },
    /// An agent proposed nothing while its peers kept proposing.
    SilentAgent { last_proposal: Option<UnixMs> },
    /// A source stopped answering.
    StaleSource { since: Option<UnixMs> },
}

/// Everything that needs attention at `now` (server ms), most pressing first: critical
/// decisions, other decisions oldest first, hot links busiest first, metros that fell below
/// (lowest first), silent agents, stale sources.
pub fn attention(state: &State, now: UnixMs) -> Vec<Item> {
    let mut items = decisions(state);
    let Some(world) = &state.world else {
        return items;
    };
    let mut links: Vec<Item> = world
        .links
        .iter()
        .filter_map(|l| {
            let utilization = l.utilization_forward.max(l.utilization_reverse);
            (utilization >= HOT_LINK_UTILIZATION).then(|| {
                let name = |pick: fn(&crate::api::Cluster) -> &str| {
                    let end = |id: &str| {
                        world
                            .clusters
                            .iter()
                            .find(|c| c.id == id)
                            .map_or(id.to_owned(), |c| pick(c).to_owned())
                    };
                    format!("{} – {}", end(&l.from_cluster), end(&l.to_cluster))
                };
                Item {
                    kind: Kind::HotLink { utilization },
                    critical: false,
                    name_en: name(|c| &c.name_en),
                    name_zh: name(|c| &c.name_zh),
                }
            })
        })
        .collect();
    links.sort_by(|a, b| figure(b).total_cmp(&figure(a)));
    items.extend(links);

    if let Some(summary) = &state.latency.summary {
        let threshold = summary.coverage_threshold;
        let mut metros: Vec<Item> = summary
            .metros
            .iter()
            .filter(|t| {
                t.coverage_1ms < threshold && t.coverage_1ms - t.coverage_change >= threshold
            })
            .filter_map(|t| {
                let m = world.metros.iter().find(|m| m.id == t.id)?;
                Some(Item {
                    kind: Kind::MetroBelow {
                        coverage: t.coverage_1ms,
                        threshold,
                        change: t.coverage_change,
                    },
                    critical: false,
                    name_en: m.name_en.clone(),
                    name_zh: m.name_zh.clone(),
                })
            })
            .collect();
        metros.sort_by(|a, b| figure(a).total_cmp(&figure(b)));
        items.extend(metros);
    }

    let activity = agent_activity(&state.activity, &world.agents, now, world.sim_speed);
    items.extend(world.agents.iter().filter_map(|a| {
        let seen = activity.get(&a.id)?;
        (seen.health == AgentHealth::Silent).then(|| Item {
            kind: Kind::SilentAgent {
                last_proposal: seen.last_proposal,
            },
            critical: false,
            name_en: a.name_en.clone(),
            name_zh: a.name_zh.clone(),
        })
    }));

    items.extend(
        world
            .sources
            .iter()
            .filter(|s| s.health == SourceHealth::Stale)
            .map(|s| Item {
                kind: Kind::StaleSource {
                    since: s.stale_since,
                },
                critical: false,
                name_en: s.id.clone(),
                name_zh: s.id.clone(),
            }),
    );
    items
}

/// Whether anything critical is open: the wall stays on the "now" page until it is not.
pub fn any_critical(items: &[Item]) -> bool {
    items.iter().any(|i| i.critical)
}

/// Pending actions: critical first, then the longest waiting first.
fn decisions(state: &State) -> Vec<Item> {
    let mut pending: Vec<&crate::api::Action> = state
        .actions
        .values()
        .filter(|a| a.state == ActionState::Pending)
        .collect();
    pending.sort_by_key(|a| (a.risk != Risk::Critical, a.created_at, a.id));
    pending
        .into_iter()
        .map(|a| Item {
            kind: Kind::Decision {
                action_id: a.id,
                risk: a.risk,
                waiting_since: a.created_at,
                expires_at: a.expires_at,
            },
            critical: a.risk == Risk::Critical,
            name_en: a.summary_en.clone(),
            name_zh: a.summary_zh.clone(),
        })
        .collect()
}

/// The figure an item is ranked by within its kind.
fn figure(item: &Item) -> f64 {
    match item.kind {
        Kind::HotLink { utilization } => utilization,
        Kind::MetroBelow { coverage, .. } => coverage,
        _ => 0.0,
    }
}
