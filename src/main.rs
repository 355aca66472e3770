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

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_e` of
/// mimalloc 3, the version `libmimalloc-sys` builds by default; the crate
/// names no constant for it). The test below checks that the option at
/// this place has the purge delay's default.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps the memory the run frees for the rest of the run instead of
/// handing it back to the kernel a second after it was freed (mimalloc's
/// default purge delay). A report frees a file's buffers and tables and
/// allocates the next file's, so a run longer than a second kept giving
/// memory back and faulting it in again, zeroed, page by page: the 1 GB
/// benchmark corpus on one core purged 130 MB and spent 0.2–0.4 s of
/// system time on it, the day-long corpus up to 5 s. Never purging
/// costs nothing the peak does not already hold: peak RSS 116 → 117 MB
/// on the benchmark corpus, 404 → 414 MB on the day-long one.
fn keep_freed_memory() {
    // SAFETY: `mi_option_set` writes one entry of mimalloc's option table;
    // any value is valid for the purge delay (-1: never purge).
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

fn main() -> ExitCode {
    keep_freed_memory();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_is_the_option_set() {
        // SAFETY: `mi_option_get` reads one entry of mimalloc's option table.
        let get = || unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        // mimalloc 3's default purge delay, unless the environment sets one:
        // a renumbered option table fails here (the neighbours default to
        // 1 and 0).
        if ["MIMALLOC_PURGE_DELAY", "MIMALLOC_RESET_DELAY"]
            .iter()
            .all(|v| std::env::var_os(v).is_none())
        {
            assert_eq!(get(), 1000);
        }
        keep_freed_memory();
        assert_eq!(get(), -1);
    }
}
