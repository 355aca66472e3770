//! The `leakscope` binary: parses arguments, runs, maps the outcome to the
//! exit code (0 written, 1 `--fail-on` gate met, 2 usage error or no usable
//! dump).

use clap::Parser;
use std::process::ExitCode;

/// mimalloc instead of the system allocator: the parsers allocate and free
/// buffers of a megabyte or so per file, which glibc returns to the kernel
/// and faults in again for every file.
///
/// Built without transparent huge pages (Cargo feature `no_thp`: its arena
/// is not `madvise`d `MADV_HUGEPAGE`). Where the kernel compacts memory
/// for such regions on a fault (`defrag` = `madvise`, the usual default),
/// a fault of a fresh huge page could wait for compaction while the page
/// cache holds the archive: single runs of the day-long benchmark corpus
/// spent 1.4–4 s in the kernel. Without: 0.5–0.8 s, peak RSS 403 → 334 MB,
/// wall time 3.5–4.6 → 2.9–3.6 s; the 1 GB corpus on one core loses its
/// slow outliers (median 1.26 → 1.29 s, worst of ten 2.05 → 1.43 s).
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
