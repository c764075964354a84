//! The handful of figures each wall page shows, as data: from the state to labelled figures with
//! a status word (never colour alone). Pure: no egui; unit-tested without a window.

use crate::api::{ActionState, Risk, Target};
use crate::i18n::I18n;
use crate::state::attention::HOT_LINK_UTILIZATION;
use crate::state::{AgentHealth, State, agent_activity};
use crate::ui::format;

use super::WallPage;

/// Most figures a page shows: readable across a room.
pub const MAX_FIGURES: usize = 4;

/// How a figure stands, said in a word on the wall as well as in colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Within bounds.
    Good,
    /// A target reached, or its trend reaches it in time.
    OnTrack,
    /// Worth watching: behind plan, or close to a bound.
    Watch,
    /// Out of bounds: someone should act.
    Alert,
    /// Just a figure.
    Neutral,
}

impl Status {
    pub fn word_id(self) -> Option<&'static str> {
        match self {
            Status::Good => Some("wall-status-good"),
            Status::OnTrack => Some("wall-status-on-track"),
            Status::Watch => Some("wall-status-watch"),
            Status::Alert => Some("wall-status-alert"),
            Status::Neutral => None,
        }
    }
}

/// One figure: what it is, its value, what it is measured against, how it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub label: String,
    pub value: String,
    pub note: String,
    pub status: Status,
    /// How far along to its target (1.0: reached), drawn as a bar; `None`: no target.
    pub progress: Option<f64>,
}

/// The figures of `page` (none for the "now" page, which lists items instead; none before the
/// first snapshot).
pub fn figures(page: WallPage, state: &State, i18n: &I18n) -> Vec<Figure> {
    let Some(world) = &state.world else {
        return Vec::new();
    };
    let zh = i18n.lang() == crate::i18n::Lang::ZhCn;
    let mut out = match page {
        WallPage::Now => Vec::new(),
        WallPage::Backbone => {
            let busier: Vec<f64> = world
                .links
                .iter()
                .map(|l| l.utilization_forward.max(l.utilization_reverse))
                .collect();
            let mean = busier.iter().sum::<f64>() / busier.len().max(1) as f64;
            let hot = busier
                .iter()
                .filter(|u| **u >= HOT_LINK_UTILIZATION)
                .count();
            let compute: f64 = world.clusters.iter().map(|c| c.compute_eflops).sum();
            let busy: f64 = world
                .clusters
                .iter()
                .map(|c| c.compute_eflops * c.utilization)
                .sum();
            let green = world
                .clusters
                .iter()
                .map(|c| c.green_power_share)
                .sum::<f64>()
                / world.clusters.len().max(1) as f64;
            vec![
                Figure {
                    label: i18n.tr("wall-backbone-load"),
                    value: format!("{} %", format::percent(mean)),
                    note: i18n.tr_args("wall-backbone-links", &[("n", busier.len().into())]),
                    progress: None,
                    status: if mean >= 0.8 {
                        Status::Watch
                    } else {
                        Status::Good
                    },
                },
                Figure {
                    label: i18n.tr("wall-hot-links"),
                    value: hot.to_string(),
                    note: i18n.tr_args(
                        "wall-hot-links-note",
                        &[("pct", format!("{:.0}", HOT_LINK_UTILIZATION * 100.0).into())],
                    ),
                    status: if hot > 0 { Status::Alert } else { Status::Good },
                    progress: None,
                },
                Figure {
                    label: i18n.tr("wall-compute-busy"),
                    value: format!("{} %", format::percent(busy / compute.max(f64::EPSILON))),
                    note: i18n.tr_args(
                        "wall-compute-installed",
                        &[("eflops", format!("{compute:.0}").into())],
                    ),
                    status: Status::Neutral,
                    progress: None,
                },
                Figure {
                    label: i18n.tr("wall-green-power"),
                    value: format!("{} %", format::percent(green)),
                    note: i18n.tr_args("wall-clusters", &[("n", world.clusters.len().into())]),
                    status: Status::Neutral,
                    progress: None,
                },
            ]
        }
        WallPage::Access => match &state.latency.summary {
            None => Vec::new(),
            Some(s) => {
                let fell = s
                    .metros
                    .iter()
                    .filter(|t| {
                        !t.meets_threshold
                            && t.coverage_1ms - t.coverage_change >= s.coverage_threshold
                    })
                    .count();
                vec![
                    Figure {
                        label: i18n.tr("wall-metros-1ms"),
                        value: format!("{} %", format::percent(s.metro_share)),
                        note: i18n.tr_args(
                            "wall-target-by",
                            &[
                                (
                                    "target",
                                    format!("{} %", format::percent(s.target_share)).into(),
                                ),
                                ("year", s.target_year.into()),
                            ],
                        ),
                        // The plan's rule where its progress is known (the targets page says
                        // the same), else the summary's own projection.
                        status: plan_target(state, "metro_1ms_coverage").map_or_else(
                            || on_track(s.metro_share, s.target_share, s.projected_metro_share),
                            target_status,
                        ),
                        progress: Some(s.metro_share / s.target_share.max(f64::EPSILON)),
                    },
                    Figure {
                        label: i18n.tr("wall-metros-meeting"),
                        value: format!("{} / {}", s.metros_meeting, s.metros_total),
                        note: i18n.tr("wall-metros-meeting-note"),
                        status: Status::Neutral,
                        progress: None,
                    },
                    Figure {
                        label: i18n.tr("wall-residents-covered"),
                        value: format!("{} %", format::percent(s.population_share)),
                        note: i18n.tr("wall-residents-note"),
                        status: Status::Neutral,
                        progress: None,
                    },
                    Figure {
                        label: i18n.tr("wall-metros-fell"),
                        value: fell.to_string(),
                        note: i18n.tr_args(
                            "wall-days",
                            &[("days", format!("{:.0}", s.change_window_days).into())],
                        ),
                        status: if fell > 0 {
                            Status::Alert
                        } else {
                            Status::Good
                        },
                        progress: None,
                    },
                ]
            }
        },
        WallPage::Industry => {
            let f = &world.factories;
            let plan = plan_target(state, "enterprises_upgraded");
            let target = plan.map_or(50_000.0, |t| t.target);
            let top = f
                .by_technology
                .iter()
                .max_by_key(|k| k.count)
                .map(|k| (i18n.tr(&format!("tech-{}", k.key)), k.count));
            let mut v = vec![
                Figure {
                    label: i18n.tr("wall-enterprises-upgraded"),
                    value: format::thousands(f.upgraded),
                    note: i18n.tr_args(
                        "wall-of-target",
                        &[("target", format::thousands(target as u64).into())],
                    ),
                    status: plan.map_or(Status::Neutral, target_status),
                    progress: Some(f.upgraded as f64 / target.max(1.0)),
                },
                Figure {
                    label: i18n.tr("wall-registry-upgraded"),
                    value: format!(
                        "{} %",
                        format::percent(f.upgraded as f64 / (f.total.max(1)) as f64)
                    ),
                    note: i18n
                        .tr_args("wall-registry", &[("n", format::thousands(f.total).into())]),
                    status: Status::Neutral,
                    progress: None,
                },
            ];
            if let Some((tech, count)) = top {
                v.push(Figure {
                    label: i18n.tr("wall-top-technology"),
                    value: tech,
                    note: i18n.tr_args("wall-plants", &[("n", format::thousands(count).into())]),
                    status: Status::Neutral,
                    progress: None,
                });
            }
            v
        }
        WallPage::Agents => {
            let pending: Vec<_> = state
                .actions
                .values()
                .filter(|a| a.state == ActionState::Pending)
                .collect();
            let critical = pending.iter().filter(|a| a.risk == Risk::Critical).count();
            let now = state.server_now(state.now()).unwrap_or(world.sim_time);
            let silent = agent_activity(&state.activity, &world.agents, now, world.sim_speed)
                .values()
                .filter(|a| a.health == AgentHealth::Silent)
                .count();
            let executed: u64 = world.agents.iter().map(|a| a.executed).sum();
            vec![
                Figure {
                    label: i18n.tr("wall-awaiting-decision"),
                    value: pending.len().to_string(),
                    note: i18n.tr_args("wall-critical-count", &[("n", critical.into())]),
                    status: if critical > 0 {
                        Status::Alert
                    } else if pending.is_empty() {
                        Status::Good
                    } else {
                        Status::Watch
                    },
                    progress: None,
                },
                Figure {
                    label: i18n.tr("wall-agents"),
                    value: format::thousands(world.agents.len() as u64),
                    note: i18n.tr("wall-agents-note"),
                    status: Status::Neutral,
                    progress: None,
                },
                Figure {
                    label: i18n.tr("wall-actions-executed"),
                    value: format::thousands(executed),
                    note: i18n.tr("wall-actions-executed-note"),
                    status: Status::Neutral,
                    progress: None,
                },
                Figure {
                    label: i18n.tr("wall-silent-agents"),
                    value: silent.to_string(),
                    note: i18n.tr("wall-silent-note"),
                    status: if silent > 0 {
                        Status::Watch
                    } else {
                        Status::Good
                    },
                    progress: None,
                },
            ]
        }
        WallPage::Targets => state
            .progress
            .iter()
            .flat_map(|p| &p.targets)
            .map(|t| {
                // The wall's short name where it has one; the plan's full name otherwise.
                let label = i18n
                    .try_tr(&format!("wall-target-{}", t.id))
                    .unwrap_or_else(|| {
                        if zh {
                            t.name_zh.clone()
                        } else {
                            t.name_en.clone()
                        }
                    });
                Figure {
                    label,
                    value: target_figure(&t.unit, t.current),
                    note: i18n.tr_args(
                        "wall-target-deadline",
                        &[
                            ("target", target_figure(&t.unit, t.target).into()),
                            ("deadline", t.deadline.clone().into()),
                        ],
                    ),
                    status: target_status(t),
                    progress: Some(reached(t, t.current)),
                }
            })
            .collect(),
    };
    out.truncate(MAX_FIGURES);
    out
}

/// Good when the target is met or the projection reaches it, watch otherwise.
fn on_track(now: f64, target: f64, projected: Option<f64>) -> Status {
    if now >= target || projected.is_some_and(|p| p >= target) {
        Status::OnTrack
    } else {
        Status::Watch
    }
}

/// A progress target's figure by its unit.
fn target_figure(unit: &str, value: f64) -> String {
    match unit {
        "percent" => format!("{value:.1} %"),
        "count" => format::thousands(value.max(0.0) as u64),
        _ => format!("{value:.2}"),
    }
}

/// A target of the plan, once progress was fetched.
fn plan_target<'a>(state: &'a State, id: &str) -> Option<&'a Target> {
    state.progress.as_ref()?.targets.iter().find(|t| t.id == id)
}

/// How far `value` is along to the target (1.0: reached; for lower-is-better, target / value).
fn reached(t: &Target, value: f64) -> f64 {
    if t.lower_is_better {
        t.target / value.max(f64::EPSILON)
    } else {
        value / t.target.max(f64::EPSILON)
    }
}

/// Days of history the projection follows.
const TREND_DAYS: i64 = 30;

/// Good when the target is reached, or when the trend of its last [`TREND_DAYS`] days reaches it
/// by the end of its deadline year (Beijing); watch otherwise — the same rule as the national
/// 1 ms projection.
pub fn target_status(t: &Target) -> Status {
    if reached(t, t.current) >= 1.0 {
        return Status::OnTrack;
    }
    let projected = projection(t);
    if projected.is_some_and(|p| reached(t, p) >= 1.0) {
        Status::OnTrack
    } else {
        Status::Watch
    }
}

/// The target's value at the end of its deadline year if its recent trend continues.
fn projection(t: &Target) -> Option<f64> {
    let last = t.series.last()?;
    let from = last.t - TREND_DAYS * 86_400_000;
    let first = t.series.iter().find(|s| s.t >= from)?;
    if last.t <= first.t {
        return None;
    }
    let year: i32 = t.deadline.trim().parse().ok()?;
    let end = chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1)?
        .and_hms_opt(0, 0, 0)?
        .and_utc()
        .timestamp_millis()
        - 8 * 3_600_000;
    let slope = (last.value - first.value) / (last.t - first.t) as f64;
    Some(last.value + slope * (end - last.t) as f64)
}
