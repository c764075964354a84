//! The one clock of a backend, whichever its store: every tick steps the simulation, and the
//! backend that leads (a single backend always; among replicas the holder of the leader lock)
//! sends the simulator agents' proposals through the gateway, lets them report what they did,
//! and closes the actions whose time is up — each a change the store commits first and the
//! world applies after (`action_store`).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::FutureExt as _;
use tokio::sync::watch;

use crate::action_store::{ActionStore, AgentWrite, AgentWritten};
use crate::api::{Protocol, UnixMs};
use crate::lock;
use crate::sim::{Proposal, Simulator};
use crate::store::{Store, StoreError};
use crate::world::World;

/// Ticks until `stop`. `paused`: the world stays as it started; only sources age (a silent
/// push source still goes stale).
pub async fn run(
    store: ActionStore,
    world: Arc<Mutex<World>>,
    tick: Duration,
    dt_sim_s: f64,
    paused: bool,
    mut stop: watch::Receiver<bool>,
) {
    let period = if paused { Duration::from_secs(1) } else { tick };
    let mut interval = tokio::time::interval(period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    interval.tick().await;
    loop {
        tokio::select! {
            _ = stopped(&mut stop) => return,
            _ = interval.tick() => {}
        }
        let now = crate::http::now_ms();
        if paused {
            lock(&world).age_sources(now);
        } else {
            tick_once(&store, &world, dt_sim_s, now).await;
        }
    }
}

/// Resolves once `stop` is set (its guard is not held across an await, unlike `wait_for`'s).
pub async fn stopped(stop: &mut watch::Receiver<bool>) {
    while !*stop.borrow_and_update() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

/// One tick at `now`: the simulation steps by `dt_sim_s`; while this backend leads, its
/// agents' proposals are recorded, their reports made and due actions closed. When the store
/// fails, the rest of this tick's store work is left (logged) so a store that is away costs one
/// timeout per tick, not one per change: reports and closings are found again on a later tick;
/// a proposal not stored is dropped like any the simulator makes beyond the open budget.
pub async fn tick_once(store: &ActionStore, world: &Mutex<World>, dt_sim_s: f64, now: UnixMs) {
    let leading = store.leads();
    let (proposals, room) = {
        let mut w = lock(world);
        let proposals = w.step(dt_sim_s, now);
        // Followers' simulators propose too (same seed); the leader's proposals count.
        (proposals, if leading { w.room_for_proposals() } else { 0 })
    };
    if !leading {
        return;
    }
    for proposal in proposals.into_iter().take(room) {
        if let Err(e) = propose(store, world, proposal, now).await {
            tracing::warn!("simulator proposal not stored, store work left for this tick: {e}");
            return;
        }
    }
    if run_sim_agents(store, world, now).await.is_err() {
        return;
    }
    let due = lock(world).due(now);
    for id in due {
        if let Err(e) = store.close_due(world, id, now).await {
            tracing::warn!("action {id} not closed, store work left for this tick: {e}");
            return;
        }
    }
    // A veto window that closed on an approval leaves the agent's report to make.
    let _ = run_sim_agents(store, world, now).await;
}

/// Sends a proposal of the simulator's agents through the agent gateway, as any agent's: the
/// same rules (scope, policy, expiry), the same idempotency record and audit. Returns its id;
/// `None` when the gateway refused it (logged: the simulator proposed something its own agent
/// may not). An action that may run at once does (its agent acts on its own approval).
pub async fn propose(
    store: &ActionStore,
    world: &Mutex<World>,
    proposal: Proposal,
    now: UnixMs,
) -> Result<Option<u64>, StoreError> {
    let drafted = {
        let w = lock(world);
        w.sim_proposal(proposal).and_then(|(who, request)| {
            let draft = w
                .draft_proposal(&request, &who, Protocol::Simulator, now)
                .map_err(|e| tracing::warn!("simulator proposal refused by the gateway: {e}"))
                .ok()?;
            Some((who, request, draft))
        })
    };
    let Some((who, request, draft)) = drafted else {
        return Ok(None);
    };
    let body = serde_json::to_value(&request)?;
    let written = store
        .agent_write(
            world,
            &who.user,
            &request.idempotency_key,
            &body,
            AgentWrite::Propose(Box::new(draft)),
            now,
        )
        .await?;
    let id = match written {
        AgentWritten::Applied(action, _) | AgentWritten::Replayed(action) => Some(action.id),
        _ => None,
    };
    // A failing store was logged there; the proposal itself is recorded.
    let _ = run_sim_agents(store, world, now).await;
    Ok(id)
}

/// What the simulator's agents owe: an approved action carried out and reported `executed`,
/// a vetoed one undone and reported `rolled_back` — through the store, exactly once (the same
/// reports as any agent's). Stops at the first failure of the store (logged): the reports are
/// found again later.
pub async fn run_sim_agents(
    store: &ActionStore,
    world: &Mutex<World>,
    now: UnixMs,
) -> Result<(), StoreError> {
    let work = lock(world).sim_agent_work();
    for (id, report, who) in work {
        let Ok(body) = serde_json::to_value(&report) else {
            continue;
        };
        let write = AgentWrite::Report {
            action_id: id,
            request: &report,
            who: &who,
        };
        match store
            .agent_write(world, &who.user, &report.idempotency_key, &body, write, now)
            .await
        {
            Ok(AgentWritten::Applied(..) | AgentWritten::Replayed(_)) => {}
            Ok(AgentWritten::Refused(e)) => {
                tracing::warn!("simulator agent's report on action {id} refused: {e}");
            }
            Ok(_) => tracing::warn!("simulator agent's report on action {id} not taken"),
            Err(e) => {
                tracing::warn!("simulator agent's report on action {id} not stored: {e}");
                return Err(e);
            }
        }
    }
    Ok(())
}

/// A world with its SQLite store, driven without a server or a runtime: tests, benches and
/// tools tick it like the backend's clock does (the SQLite store never waits, so its futures
/// complete at once).
pub struct LocalWorld {
    pub store: ActionStore,
    pub world: Arc<Mutex<World>>,
}

impl LocalWorld {
    /// A world over an in-memory store.
    pub fn new(sim: Simulator, sim_speed: f64, replay_capacity: usize) -> Result<Self, StoreError> {
        Self::with_store(sim, Store::open(None)?, sim_speed, replay_capacity)
    }

    pub fn with_store(
        sim: Simulator,
        store: Store,
        sim_speed: f64,
        replay_capacity: usize,
    ) -> Result<Self, StoreError> {
        let loaded = store.load()?;
        let world = World::new(sim, loaded.actions, sim_speed, replay_capacity, 0);
        Ok(Self {
            store: ActionStore::local(store),
            world: Arc::new(Mutex::new(world)),
        })
    }

    /// One tick of the backend's clock at `now`.
    pub fn tick(&self, dt_sim_s: f64, now: UnixMs) {
        at_once(tick_once(&self.store, &self.world, dt_sim_s, now));
    }

    /// A proposal of the simulator's agents, recorded and applied (see `propose`).
    pub fn propose(&self, proposal: Proposal, now: UnixMs) -> Result<Option<u64>, StoreError> {
        at_once(propose(&self.store, &self.world, proposal, now)).unwrap_or(Ok(None))
    }

    pub fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.world)
    }
}

/// Runs a future of the SQLite store, which completes without waiting. `None` (logged) if it
/// ever would wait: a bug, never input.
fn at_once<T>(work: impl Future<Output = T>) -> Option<T> {
    let out = work.now_or_never();
    if out.is_none() {
        tracing::error!("a local store operation waited; it was abandoned");
    }
    out
}
