//! The `leakscope` binary: parses arguments, runs, maps the outcome to the
//! exit code (0 written, 1 `--fail-on` gate met, 2 usage error or no usable
//! dump).

use clap::Parser;
use std::process::ExitCode;

/// mimalloc instead of the system allocator: the parsers allocate and free
/// buffers of a megabyte or so per file, which glibc returns to the kernel
/// and faults in again for every file.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = leakscope::cli::Cli::parse();
    match leakscope::run(cli) {
        Ok(leakscope::Outcome::Ok) => ExitCode::SUCCESS,
        Ok(leakscope::Outcome::GateMet) => ExitCode::from(1),
        Ok(leakscope::Outcome::NoInput) => ExitCode::from(2),
        Err(err) => {
            if let Some(usage) = err.downcast_ref::<clap::Error>() {
                usage.exit();
            }
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("leakscope: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
