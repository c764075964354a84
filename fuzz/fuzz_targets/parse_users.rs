//! Any text as a users file: a clear error or a token table, never a panic; a parsed table
//! answers any Authorization header without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(table) = tianshu::backend::auth::TokenTable::parse(text, "fuzz.toml") {
        let _ = table.authenticate(Some(text));
        let _ = table.authenticate(Some("Bearer x"));
    }
});
