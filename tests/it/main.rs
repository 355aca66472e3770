//! The integration tests, one binary (`cargo test --test it`); each module
//! is one area. Run one module with `cargo test --test it MODULE::`, e.g.
//! `cargo test --test it golden::`.

mod util;

mod adversarial;
mod analysis_samples;
mod browser;
mod capture;
mod docs;
mod fix_cycle;
mod golden;
mod hostile_text;
mod html_report;
mod inspect_cli;
mod json_contract;
mod outputs;
mod page;
mod pprof_export;
mod pprof_oracle;
mod processes;
mod properties;
mod public_dumps;
mod report_cli;
mod secrets;
mod single_dumps;
mod text_heap_oracle;
