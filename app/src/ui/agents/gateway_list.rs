//! The agents that reach the console through the gateway (REST or MCP): who they are, their
//! autonomy level and scope from the users file, and when each was last heard from — an agent
//! not heard from for [`SILENT_AFTER_MS`] is marked silent.

use std::time::{Duration, Instant};

use egui::RichText;
use tianshu_widgets::StatusPill;

use crate::api::{ConnectedAgent, Protocol};
use crate::client::Command;
use crate::i18n::I18n;
use crate::state::State;
use crate::ui::theme::Theme;

/// An agent with no call for this long (wall clock) is silent.
pub const SILENT_AFTER_MS: i64 = 10 * 60 * 1000;
/// How often the list is asked for again while it is on screen.
const REFRESH: Duration = Duration::from_secs(30);

/// Remembers when the list was last asked for.
#[derive(Debug, Default)]
pub struct GatewayAgents {
    asked_at: Option<Instant>,
}

/// Whether an agent last heard from at `last_seen` is silent at `now_ms`.
pub fn is_silent(agent: &ConnectedAgent, now_ms: i64) -> bool {
    agent
        .last_seen
        .is_none_or(|seen| now_ms - seen > SILENT_AFTER_MS)
}

impl GatewayAgents {
    /// Asks for the list again when it is older than [`REFRESH`] (or was never asked for).
    pub fn refresh(&mut self, state: &State) -> Option<Command> {
        let now = state.now();
        let due = self
            .asked_at
            .is_none_or(|at| now.duration_since(at) >= REFRESH);
        due.then(|| {
            self.asked_at = Some(now);
            Command::FetchGatewayAgents
        })
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &State,
        i18n: &I18n,
        theme: &Theme,
    ) -> Option<Command> {
        let command = self.refresh(state);
        ui.ctx().request_repaint_after(REFRESH);
        let now = state.now();
        ui.label(RichText::new(i18n.tr("agents-gateway-title")).strong());
        let Some(agents) = &state.gateway_agents else {
            ui.label(RichText::new(i18n.tr("agents-gateway-loading")).color(theme.text_dim));
            return command;
        };
        if agents.is_empty() {
            ui.label(RichText::new(i18n.tr("agents-gateway-none")).color(theme.text_dim));
            return command;
        }
        let now_ms = state.server_now(now).unwrap_or_default();
        egui::Grid::new("gateway_agents")
            .num_columns(6)
            .striped(true)
            .show(ui, |ui| {
                for id in [
                    "agents-col-name",
                    "agents-col-autonomy",
                    "agents-gateway-kinds",
                    "agents-gateway-targets",
                    "agents-gateway-last-seen",
                    "agents-col-health",
                ] {
                    ui.label(RichText::new(i18n.tr(id)).color(theme.text_dim));
                }
                ui.end_row();
                for agent in agents {
                    ui.label(format!("{} ({})", agent.agent_id, agent.user));
                    ui.label(format!("{:?}", agent.autonomy));
                    ui.label(agent.kinds.join(", "));
                    ui.label(agent.targets.join(", "));
                    ui.label(last_seen_text(agent, now_ms, i18n));
                    let (id, colour) = if is_silent(agent, now_ms) {
                        ("agents-health-silent", theme.warn)
                    } else {
                        ("agents-health-healthy", theme.ok)
                    };
                    ui.add(StatusPill::new(i18n.tr(id), colour, theme.background));
                    ui.end_row();
                }
            });
        command
    }
}

pub fn last_seen_text(agent: &ConnectedAgent, now_ms: i64, i18n: &I18n) -> String {
    let Some(seen) = agent.last_seen else {
        return i18n.tr("agents-gateway-never");
    };
    let protocol = match agent.last_protocol {
        Some(Protocol::Mcp) => "MCP",
        Some(Protocol::Rest) => "REST",
        _ => "",
    };
    let minutes = ((now_ms - seen).max(0) / 60_000).to_string();
    i18n.tr_args(
        "agents-gateway-seen-ago",
        &[("minutes", minutes.into()), ("protocol", protocol.into())],
    )
}
