//! The live activity timeline: one lane per agent group (hubs, backbone, metros, then industrial
//! agents by industry), the console's activity log as glyphs — proposed, executed, rejected,
//! vetoed or rolled back, expired — each with its own shape and theme colour, a legend, zoom and
//! pan in time. Hover names the action; a click selects it.

use std::collections::BTreeMap;

use egui::RichText;
use tianshu_widgets::{Glyph, LaneTimeline, TimeWindow, TimelineMarker, glyph_swatch};

use crate::api::Agent;
use crate::i18n::I18n;
use crate::state::{ActivityKind, AgentGroup, State};
use crate::ui::format;
use crate::ui::theme::Theme;

/// Default span shown, seconds (wall clock).
const DEFAULT_SPAN_S: f64 = 15.0 * 60.0;
const MIN_SPAN_S: f64 = 10.0;
const MAX_SPAN_S: f64 = 3.0 * 86_400.0;

pub fn kind_id(kind: ActivityKind) -> &'static str {
    match kind {
        ActivityKind::Proposed => "agents-activity-proposed",
        ActivityKind::Executed => "agents-activity-executed",
        ActivityKind::Rejected => "agents-activity-rejected",
        ActivityKind::Vetoed => "agents-activity-vetoed",
        ActivityKind::Expired => "agents-activity-expired",
    }
}

pub fn glyph(kind: ActivityKind) -> Glyph {
    match kind {
        ActivityKind::Proposed => Glyph::Circle,
        ActivityKind::Executed => Glyph::TriangleUp,
        ActivityKind::Rejected => Glyph::Square,
        ActivityKind::Vetoed => Glyph::Cross,
        ActivityKind::Expired => Glyph::Diamond,
    }
}

pub fn colour(kind: ActivityKind, theme: &Theme) -> egui::Color32 {
    match kind {
        ActivityKind::Proposed => theme.accent,
        ActivityKind::Executed => theme.ok,
        ActivityKind::Rejected => theme.warn,
        ActivityKind::Vetoed => theme.danger,
        ActivityKind::Expired => theme.text_dim,
    }
}

pub fn group_name(group: AgentGroup, i18n: &I18n) -> String {
    match group {
        AgentGroup::Hubs => i18n.tr("agents-lane-hubs"),
        AgentGroup::Backbone => i18n.tr("agents-lane-backbone"),
        AgentGroup::Metros => i18n.tr("agents-lane-metros"),
        AgentGroup::Industry(industry) => {
            let key = serde_json::to_value(industry)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            i18n.tr_args(
                "agents-lane-industry",
                &[("industry", i18n.tr(&format!("industry-{key}")).into())],
            )
        }
        AgentGroup::OtherIndustrial => i18n.tr("agents-lane-other"),
    }
}

pub struct ActivityTimeline {
    window: TimeWindow,
    /// Lanes and markers, rebuilt when the log, the agents or the language change.
    cache: Option<(CacheKey, Vec<String>, Vec<TimelineMarker>)>,
}

/// Log version, agents, language, theme, newest action.
type CacheKey = (u64, usize, crate::i18n::Lang, String, u64);

impl Default for ActivityTimeline {
    fn default() -> Self {
        Self {
            window: TimeWindow::new(DEFAULT_SPAN_S),
            cache: None,
        }
    }
}

impl ActivityTimeline {
    /// Draws the timeline and its legend; returns the action clicked.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &State,
        selected: Option<u64>,
        i18n: &I18n,
        theme: &Theme,
    ) -> Option<u64> {
        let Some(world) = &state.world else {
            return None;
        };
        let key: CacheKey = (
            state.activity.version(),
            world.agents.len(),
            i18n.lang(),
            theme.name.clone(),
            state.actions.keys().next_back().copied().unwrap_or(0),
        );
        if self.cache.as_ref().is_none_or(|(k, _, _)| *k != key) {
            let (lanes, markers) = build(&world.agents, state, i18n, theme);
            self.cache = Some((key, lanes, markers));
        }
        let (_, lanes, markers) = self.cache.as_ref()?;
        let now_s = state.server_now(state.now()).unwrap_or(world.sim_time) as f64 / 1000.0;

        let mut clicked = None;
        ui.horizontal_wrapped(|ui| {
            for kind in ActivityKind::ALL {
                glyph_swatch(ui, glyph(kind), colour(kind, theme), 14.0);
                ui.label(RichText::new(i18n.tr(kind_id(kind))).small());
                ui.add_space(6.0);
            }
            if crate::ui::wall::is_wall(ui) {
                // No zoom buttons or hint on the wall (no pointer).
                return;
            }
            ui.separator();
            if ui
                .small_button(i18n.tr("agents-timeline-zoom-in"))
                .clicked()
            {
                let (s, e) = self.window.range(now_s);
                self.window
                    .zoom(0.5, (s + e) / 2.0, now_s, MIN_SPAN_S, MAX_SPAN_S);
            }
            if ui
                .small_button(i18n.tr("agents-timeline-zoom-out"))
                .clicked()
            {
                let (s, e) = self.window.range(now_s);
                self.window
                    .zoom(2.0, (s + e) / 2.0, now_s, MIN_SPAN_S, MAX_SPAN_S);
            }
            let live = ui.add_enabled(
                !self.window.follows_now(),
                egui::Button::new(i18n.tr("agents-timeline-now")).small(),
            );
            if live.clicked() {
                self.window.follow();
            }
            ui.label(
                RichText::new(i18n.tr_args(
                    "agents-timeline-hint",
                    &[("n", state.activity.len().into())],
                ))
                .color(theme.text_dim)
                .small(),
            );
            // Where the backend's record begins, and whether the model fills the time before.
            match state.activity.past() {
                Some((t, true)) => {
                    ui.label(
                        RichText::new(i18n.tr_args(
                            "agents-past-modelled",
                            &[("time", format::time_of_day(t).into())],
                        ))
                        .color(theme.simulated_text)
                        .background_color(theme.simulated_fill)
                        .small(),
                    );
                }
                Some((t, false)) if t > 0 => {
                    ui.label(
                        RichText::new(i18n.tr_args(
                            "agents-past-starts",
                            &[("time", format::time_of_day(t).into())],
                        ))
                        .color(theme.text_dim)
                        .small(),
                    );
                }
                _ => {}
            }
        });
        if lanes.is_empty() {
            return None;
        }
        let colors = tianshu_widgets::TimelineColors {
            text: theme.text_dim,
            grid: theme.panel_alt,
            now: theme.accent,
        };
        let out = LaneTimeline::new(lanes, markers, &mut self.window, now_s, colors)
            .with_selected(selected, egui::Stroke::new(2.0, theme.text))
            .with_lane_height(16.0)
            .with_label_width(170.0)
            .with_marker_radius(4.5)
            .with_span_limits(MIN_SPAN_S, MAX_SPAN_S)
            .with_tick_label(|t| format::time_of_day((t * 1000.0) as i64))
            .with_name(i18n.tr("agents-timeline"))
            .show(ui);
        // A modelled point has no action to open.
        if let Some(id) = out.clicked.filter(|id| state.actions.contains_key(id)) {
            clicked = Some(id);
        }
        clicked
    }
}

/// Lanes (the groups that have agents, in a fixed order) and one marker per activity point.
fn build(
    agents: &[Agent],
    state: &State,
    i18n: &I18n,
    theme: &Theme,
) -> (Vec<String>, Vec<TimelineMarker>) {
    let mut groups: Vec<AgentGroup> = agents.iter().map(AgentGroup::of).collect();
    groups.sort();
    groups.dedup();
    let lane_of_group: BTreeMap<AgentGroup, usize> =
        groups.iter().enumerate().map(|(i, g)| (*g, i)).collect();
    let lane_of_agent: BTreeMap<&str, usize> = agents
        .iter()
        .filter_map(|a| Some((a.id.as_str(), *lane_of_group.get(&AgentGroup::of(a))?)))
        .collect();
    let mut lanes: Vec<String> = groups.iter().map(|g| group_name(*g, i18n)).collect();
    // Agents of the gateway (not the simulator's) share one lane after the groups.
    let gateway_lane = lanes.len();
    let mut markers = Vec::new();
    for p in state.activity.points() {
        let lane = lane_of_agent
            .get(p.agent_id.as_str())
            .copied()
            .unwrap_or(gateway_lane);
        let summary = state
            .actions
            .get(&p.action_id)
            .map(|a| i18n.pick(&a.summary_en, &a.summary_zh).to_owned())
            .unwrap_or_default();
        // The model's past: fainter, and named as modelled (it has no action to open).
        let (color, label) = if p.modelled {
            (
                colour(p.kind, theme).gamma_multiply(0.45),
                format!(
                    "{} · {} · {}",
                    i18n.tr(kind_id(p.kind)),
                    format::time_of_day(p.at),
                    i18n.tr("agents-modelled")
                ),
            )
        } else {
            (
                colour(p.kind, theme),
                format!(
                    "{} #{} · {} · {}",
                    i18n.tr(kind_id(p.kind)),
                    p.action_id,
                    format::time_of_day(p.at),
                    summary
                ),
            )
        };
        markers.push(TimelineMarker {
            lane,
            t: p.at as f64 / 1000.0,
            glyph: glyph(p.kind),
            color,
            id: p.action_id,
            label,
        });
    }
    if markers.iter().any(|m| m.lane == gateway_lane) {
        lanes.push(i18n.tr("agents-lane-gateway"));
    }
    (lanes, markers)
}
