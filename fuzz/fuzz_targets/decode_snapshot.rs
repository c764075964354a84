//! Any bytes as a backend's snapshot: decoding may refuse, never panic; what decodes folds into
//! the console's state without panicking either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tianshu::api::Snapshot;
use tianshu::client::ClientEvent;
use tianshu::state::State;

fuzz_target!(|data: &[u8]| {
    if let Ok(snapshot) = serde_json::from_slice::<Snapshot>(data) {
        let mut state = State::new("http://fuzz");
        state.apply(ClientEvent::Snapshot(Box::new(snapshot)), std::time::Instant::now());
    }
});
