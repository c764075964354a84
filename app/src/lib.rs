//! Tianshu 天枢 — operations console for AI × industrial networks.
//!
//! One crate, three roles of the one binary: the console (`ui`, `state`, `client`), the
//! reference backend (`backend`) and the wire contract between them (`api`).

pub use tianshu_api as api;
pub use tianshu_api::review;
pub use tianshu_backend as backend;
pub use tianshu_client as client;
pub use tianshu_state as state;
pub mod bench;
pub mod cli;
pub mod console;
pub mod i18n;
pub mod plant_doc;
pub mod report;
pub mod scorecard_doc;
pub mod scorecard_export;
pub mod serve_config;
pub mod settings;
pub mod software_window;
pub mod ui;
pub mod window;
