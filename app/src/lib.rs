//! Tianshu 天枢 — operations console for AI × industrial networks.
//!
//! One crate, three roles of the one binary: the console (`ui`, `state`, `client`), the
//! reference backend (`backend`) and the wire contract between them (`api`).

pub mod api;
pub mod backend;
pub mod bench;
pub mod cli;
pub mod client;
pub mod console;
pub mod i18n;
pub mod report;
pub mod review;
pub mod scorecard_doc;
pub mod serve_config;
pub mod settings;
pub mod state;
pub mod ui;
