//! Any bytes as an event from the stream, folded after a small snapshot: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tianshu::api::{Event, Snapshot};
use tianshu::client::ClientEvent;
use tianshu::state::State;

fuzz_target!(|data: &[u8]| {
    let Ok(event) = serde_json::from_slice::<Event>(data) else {
        return;
    };
    let mut state = State::new("http://fuzz");
    let snapshot = Snapshot {
        seq: 0,
        server_time: 0,
        sim_time: 0,
        sim_speed: 60.0,
        simulated: true,
        hubs: vec![],
        clusters: vec![],
        links: vec![],
        metros: vec![],
        factories: Default::default(),
        agents: vec![],
        actions: vec![],
    };
    let now = std::time::Instant::now();
    state.apply(ClientEvent::Snapshot(Box::new(snapshot)), now);
    state.apply(ClientEvent::Stream(Box::new(event)), now);
});
