//! A modelled past of the agents' activity, so the agents' timeline does not start empty: a
//! second simulator with the same configuration runs over the span before the live one starts,
//! and every proposal its agents make is given an outcome by the kind of policy it needs —
//! auto-with-veto actions run (a few are vetoed), approvals mostly go through, some are
//! rejected, some lapse. The numbers are a model, labelled simulated wherever they are shown.

use rand::Rng as _;

use crate::api::{PastActivityKind, Policy, UnixMs};
use crate::draw::SimRng;
use crate::{SimConfig, SimError, Simulator};

/// Open actions the model keeps at most, as the backend does (`MAX_OPEN_ACTIONS`).
const MAX_OPEN: usize = 60;

/// One modelled point at simulated time `sim_t`.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelledPoint {
    pub sim_t: UnixMs,
    pub agent_id: String,
    pub kind: PastActivityKind,
}

/// The agents' activity over the `span_s` simulated seconds before `config.start`, stepping by
/// `dt_s` like the backend's clock running at `speed` simulated seconds per real second (actions
/// wait for people in real time: their time to a decision is scaled by it); oldest first.
pub fn modelled_activity(
    config: SimConfig,
    span_s: f64,
    dt_s: f64,
    speed: f64,
) -> Result<Vec<ModelledPoint>, SimError> {
    let speed = if speed.is_finite() && speed > 0.0 {
        speed
    } else {
        1.0
    };
    let span_ms = (span_s.max(0.0) * 1000.0) as i64;
    let mut sim = Simulator::new(SimConfig {
        start: config.start - span_ms,
        ..config
    })?;
    let mut rng = <SimRng as rand::SeedableRng>::seed_from_u64(config.seed ^ 0xAC71_0000);
    let dt = dt_s.max(1.0);
    let steps = (span_s / dt).ceil() as usize;
    let mut points = Vec::new();
    // When each open action closes (simulated ms).
    let mut open: Vec<UnixMs> = Vec::new();
    for _ in 0..steps {
        let out = sim.step(dt);
        let now = sim.sim_time();
        open.retain(|closes| *closes > now);
        for p in out.proposals {
            if open.len() >= MAX_OPEN {
                break;
            }
            points.push(ModelledPoint {
                sim_t: now,
                agent_id: p.agent_id.clone(),
                kind: PastActivityKind::Proposed,
            });
            // Real seconds to a decision, in simulated ms at this clock's pace.
            let ttl_ms = (f64::from(p.ttl_s) * 1000.0 * speed) as i64;
            let (kind, after_ms) = match p.policy {
                Policy::AutoWithVeto if rng.random_bool(0.06) => {
                    (PastActivityKind::Vetoed, (dt * 1000.0) as i64 * 2)
                }
                Policy::AutoWithVeto => (PastActivityKind::Executed, (dt * 1000.0) as i64),
                _ => {
                    let roll: f64 = rng.random();
                    let decided = (ttl_ms as f64 * rng.random_range(0.1..0.8)) as i64;
                    if roll < 0.72 {
                        (PastActivityKind::Executed, decided)
                    } else if roll < 0.88 {
                        (PastActivityKind::Rejected, decided)
                    } else {
                        (PastActivityKind::Expired, ttl_ms)
                    }
                }
            };
            let closes = now + after_ms.max(1);
            open.push(closes);
            if closes < config.start {
                points.push(ModelledPoint {
                    sim_t: closes,
                    agent_id: p.agent_id,
                    kind,
                });
            }
        }
    }
    points.sort_by_key(|p| p.sim_t);
    points.retain(|p| p.sim_t < config.start);
    Ok(points)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn the_past_is_before_the_start_ordered_varied_and_the_same_every_time() {
        let config = SimConfig {
            seed: 7,
            factory_count: 2_000,
            ..SimConfig::default()
        };
        let points = modelled_activity(config, 15.0 * 3600.0, 60.0, 60.0).unwrap();
        assert!(points.len() >= 20, "{}", points.len());
        assert!(points.iter().all(|p| p.sim_t < config.start));
        assert!(points.windows(2).all(|w| w[0].sim_t <= w[1].sim_t));
        let kinds: std::collections::BTreeSet<String> =
            points.iter().map(|p| format!("{:?}", p.kind)).collect();
        assert!(
            kinds.contains("Proposed") && kinds.contains("Executed"),
            "{kinds:?}"
        );
        let proposed = points
            .iter()
            .filter(|p| p.kind == PastActivityKind::Proposed)
            .count();
        assert!(
            proposed * 2 >= points.len(),
            "every outcome follows a proposal"
        );
        assert_eq!(
            points,
            modelled_activity(config, 15.0 * 3600.0, 60.0, 60.0).unwrap()
        );
    }
}
