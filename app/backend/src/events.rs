//! The event log behind `GET /api/v1/events`: numbered events, a bounded replay buffer and a
//! broadcast to live subscribers.
//!
//! Owns event ids and the resume rule: a client that names the last id it applied gets exactly
//! the events after it, or a `Resync` when they have already left the buffer. Knows nothing of HTTP.

use std::collections::VecDeque;

use tokio::sync::broadcast;

use crate::api::{Event, EventKind, UnixMs};

/// How many past events the log keeps for resuming clients.
pub const DEFAULT_REPLAY_CAPACITY: usize = 20_000;

/// Events kept for resume by the backend embedded in a console: its one client reconnects over
/// loopback within moments, so ≈3 minutes of the simulator's events are plenty, and a wall display
/// running for months doesn't carry a 20,000-event buffer (≈25 MB) it never replays.
pub const EMBEDDED_REPLAY_CAPACITY: usize = 2_000;

/// What a resuming subscriber gets: the backlog to send first, then the live receiver.
pub struct Subscription {
    pub backlog: Vec<Event>,
    pub live: broadcast::Receiver<Event>,
}

pub struct EventLog {
    buffer: VecDeque<Event>,
    capacity: usize,
    last_id: u64,
    sender: broadcast::Sender<Event>,
}

impl EventLog {
    pub fn new(capacity: usize) -> Self {
        Self::starting_after(capacity, 0)
    }

    /// A log whose first event gets `base + 1`. A backend seeds `base` from its start time, so ids
    /// keep growing across restarts and a client's id from an earlier run is never mistaken for
    /// one of this run (it gets a `Resync`).
    pub fn starting_after(capacity: usize, base: u64) -> Self {
        let (sender, _) = broadcast::channel(4096);
        Self {
            buffer: VecDeque::with_capacity(capacity.min(4096)),
            capacity: capacity.max(1),
            last_id: base,
            sender,
        }
    }

    /// Id of the newest event, 0 before the first.
    pub fn last_id(&self) -> u64 {
        self.last_id
    }

    /// Numbers, keeps and broadcasts one event; returns its id.
    pub fn publish(&mut self, kind: EventKind, server_time: UnixMs) -> u64 {
        self.last_id += 1;
        let event = Event {
            id: self.last_id,
            server_time,
            kind,
        };
        if self.buffer.len() == self.capacity {
            self.buffer.pop_front();
        }
        self.buffer.push_back(event.clone());
        // No receiver is fine: nobody is listening yet.
        let _ = self.sender.send(event);
        self.last_id
    }

    /// Subscribes for everything after `after_id`.
    ///
    /// Must be called under the same lock as `publish`, so no event falls between backlog and live.
    pub fn subscribe(&self, after_id: Option<u64>, server_time: UnixMs) -> Subscription {
        let live = self.sender.subscribe();
        let resync = || {
            vec![Event {
                id: self.last_id,
                server_time,
                kind: EventKind::Resync,
            }]
        };
        let backlog = match after_id {
            None => Vec::new(),
            Some(after) if after == self.last_id => Vec::new(),
            // An id this log never gave out: the client knew another run of the backend.
            Some(after) if after > self.last_id => resync(),
            Some(after) => {
                let oldest = self.buffer.front().map_or(self.last_id + 1, |e| e.id);
                if after + 1 < oldest {
                    // The events it missed are gone: tell it to start over from a snapshot.
                    resync()
                } else {
                    self.buffer
                        .iter()
                        .filter(|e| e.id > after)
                        .cloned()
                        .collect()
                }
            }
        };
        Subscription { backlog, live }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resync() -> EventKind {
        EventKind::Resync
    }

    #[test]
    fn resume_returns_exactly_the_missed_events() {
        let mut log = EventLog::new(100);
        for _ in 0..10 {
            log.publish(resync(), 0);
        }
        let sub = log.subscribe(Some(6), 0);
        let ids: Vec<u64> = sub.backlog.iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![7, 8, 9, 10]);
    }

    #[test]
    fn up_to_date_client_gets_no_backlog_and_then_live_events() {
        let mut log = EventLog::new(100);
        log.publish(resync(), 0);
        let mut sub = log.subscribe(Some(1), 0);
        assert!(sub.backlog.is_empty());
        log.publish(resync(), 0);
        assert_eq!(sub.live.try_recv().map(|e| e.id).ok(), Some(2));
    }

    #[test]
    fn too_far_behind_gets_resync() {
        let mut log = EventLog::new(5);
        for _ in 0..20 {
            log.publish(resync(), 0);
        }
        let sub = log.subscribe(Some(3), 0);
        assert_eq!(sub.backlog.len(), 1);
        assert_eq!(sub.backlog[0].kind, EventKind::Resync);
        // Exactly at the edge of the buffer still resumes.
        let sub = log.subscribe(Some(15), 0);
        assert_eq!(sub.backlog.first().map(|e| e.id), Some(16));
    }

    #[test]
    fn ids_from_another_run_get_resync() {
        let mut earlier = EventLog::starting_after(100, 1_000);
        for _ in 0..50 {
            earlier.publish(resync(), 0);
        }
        let mut later = EventLog::starting_after(100, 2_000);
        later.publish(resync(), 0);
        // A client of the earlier run, ahead of or behind the new run's ids, starts over.
        assert_eq!(
            later.subscribe(Some(1_050), 0).backlog[0].kind,
            EventKind::Resync
        );
        assert_eq!(
            later.subscribe(Some(5_000), 0).backlog[0].kind,
            EventKind::Resync
        );
        assert!(later.subscribe(Some(2_001), 0).backlog.is_empty());
    }

    #[test]
    fn buffer_is_bounded() {
        let mut log = EventLog::new(50);
        for _ in 0..1000 {
            log.publish(resync(), 0);
        }
        assert_eq!(log.buffer.len(), 50);
        assert_eq!(log.last_id(), 1000);
    }
}
