//! Any text as a theme file: a clear error or a theme, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = tianshu::ui::theme::Theme::parse(text);
    }
});
