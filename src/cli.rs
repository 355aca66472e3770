//! Command-line interface (clap derive). What the user typed; `lib.rs`
//! turns it into stage options.

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// leakscope: turns an archive of Go heap profiles and goroutine dumps into a
/// forensic leak report.
#[derive(Debug, Parser)]
#[command(name = "leakscope", version, about, long_about = None, after_help = EXIT_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every file of an archive: format, time and its source, counts.
    Inspect(InspectArgs),
    /// Analyse an archive and write the HTML report (plus JSON/Markdown).
    Report(Box<ReportArgs>),
    /// Fetch heap profiles and goroutine dumps from running Go processes
    /// (net/http/pprof) on a fixed schedule, into a folder `report` reads.
    Capture(CaptureArgs),
    /// Build a fleet overview from per-archive JSON summaries
    /// (`leakscope report --json`), ranking every process by severity.
    Merge(MergeArgs),
}

/// How snapshots are grouped into processes (`--group-by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupByArg {
    /// Folders, then names in the file names, then build ids.
    Auto,
    /// Only a folder per host/pod/instance.
    Dir,
    /// Only a host or pod name in the file names.
    Name,
    /// One process (restarts are still found).
    None,
}

impl GroupByArg {
    /// The ingest setting.
    pub fn group_by(self) -> crate::ingest::GroupBy {
        match self {
            GroupByArg::Auto => crate::ingest::GroupBy::Auto,
            GroupByArg::Dir => crate::ingest::GroupBy::Dir,
            GroupByArg::Name => crate::ingest::GroupBy::Name,
            GroupByArg::None => crate::ingest::GroupBy::None,
        }
    }
}

/// `leakscope merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON summaries written by `leakscope report --json`, one per archive.
    #[arg(value_name = "JSON", required = true, num_args = 1..)]
    pub inputs: Vec<PathBuf>,
    /// Where to write the fleet HTML page.
    #[arg(
        short = 'o',
        long,
        value_name = "FILE",
        default_value = "leakscope-fleet.html"
    )]
    pub output: PathBuf,
    /// Also write the fleet JSON to PATH (`-` for stdout).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Also write the fleet Markdown to PATH (`-` for stdout).
    #[arg(long, value_name = "PATH")]
    pub markdown: Option<PathBuf>,
    /// Exit with status 1 when the fleet verdict reaches this level.
    #[arg(long, value_enum, default_value_t = FailOn::Never)]
    pub fail_on: FailOn,
    /// No summary on stdout.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Bounds on what is read (see README "Limits").
#[derive(Debug, Args, Clone)]
pub struct LimitArgs {
    /// Largest input file read (bytes, or with a unit: `512KiB`, `1GiB`).
    #[arg(long, value_name = "SIZE", default_value_t = crate::ingest::Limits::default().max_file_bytes, value_parser = parse_size)]
    pub max_file_size: u64,
    /// Largest decompressed size of one file (gzip bombs stop here).
    #[arg(long, value_name = "SIZE", default_value_t = crate::ingest::Limits::default().max_decompressed_bytes, value_parser = parse_size)]
    pub max_decompressed_size: u64,
    /// Longest text line.
    #[arg(long, value_name = "SIZE", default_value_t = crate::ingest::Limits::default().max_line_bytes, value_parser = parse_size_usize)]
    pub max_line_length: usize,
    /// Deepest stack kept, in frames (deeper stacks are cut with a warning).
    #[arg(long, value_name = "FRAMES", default_value_t = crate::ingest::Limits::default().max_stack_depth)]
    pub max_stack_depth: usize,
}

impl LimitArgs {
    /// The ingest limits.
    pub fn limits(&self) -> crate::ingest::Limits {
        crate::ingest::Limits {
            max_file_bytes: self.max_file_size,
            max_decompressed_bytes: self.max_decompressed_size,
            max_line_bytes: self.max_line_length,
            max_stack_depth: self.max_stack_depth,
        }
    }

    /// The options of an ingest run with these limits (system clock).
    pub fn ingest_options(&self) -> crate::ingest::Options {
        crate::ingest::Options {
            limits: self.limits(),
            now: None,
        }
    }
}

/// Parses a size: plain bytes (`1048576`), or a number (decimals allowed)
/// with a unit: `B`, binary `KiB` `MiB` `GiB` `TiB` (also `K` `M` `G` `T`),
/// or decimal `kB` `MB` `GB` `TB`; case and a space before the unit do not
/// matter (`1MiB`, `1.5 GiB`, `512kib`).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let num = num.replace('_', "");
    let unit = unit.trim().to_ascii_lowercase();
    let mult: u64 = match unit.as_str() {
        "" | "b" => 1,
        "k" | "ki" | "kib" => 1 << 10,
        "m" | "mi" | "mib" => 1 << 20,
        "g" | "gi" | "gib" => 1 << 30,
        "t" | "ti" | "tib" => 1 << 40,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        _ => {
            return Err(format!(
                "unknown unit `{unit}` (use bytes, or KiB, MiB, GiB, TiB; kB, MB, GB, TB)"
            ));
        }
    };
    if num.is_empty() {
        return Err("expected a number, e.g. 1048576, 512KiB or 1GiB".into());
    }
    if let Ok(n) = num.parse::<u64>() {
        return n
            .checked_mul(mult)
            .ok_or_else(|| format!("{s} is too large"));
    }
    let x: f64 = num
        .parse()
        .map_err(|_| format!("`{num}` is not a number"))?;
    let bytes = (x * mult as f64).round();
    if !bytes.is_finite() || bytes < 0.0 || bytes >= u64::MAX as f64 {
        return Err(format!("{s} is too large"));
    }
    Ok(bytes as u64)
}

/// [`parse_size`] for a `usize` flag.
fn parse_size_usize(s: &str) -> Result<usize, String> {
    usize::try_from(parse_size(s)?).map_err(|_| format!("{s} is too large"))
}

/// `leakscope inspect`.
#[derive(Debug, Args)]
#[command(after_help = "\
Exit status:
  0    inventory printed
  2    usage error, no usable Go dump in the input, or an output that cannot be written
  130  interrupted (Ctrl-C)")]
pub struct InspectArgs {
    /// A directory of dumps (read recursively) or a single dump file.
    pub path: PathBuf,
    /// Also write the inventory as JSON to PATH (`-` for stdout, which then
    /// replaces the table).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// No progress bar on stderr (it is only drawn on a terminal anyway).
    #[arg(short, long)]
    pub quiet: bool,
    /// How snapshots are grouped into processes.
    #[arg(long, value_enum, default_value_t = GroupByArg::Auto)]
    pub group_by: GroupByArg,
    /// Input limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// When `report` exits with status 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Exit 1 when the verdict is "leak".
    Leak,
    /// Exit 1 when the verdict is "leak" or "suspect".
    Suspect,
    /// Never exit 1.
    Never,
    /// Exit 1 when something is new or grows faster than in the
    /// `--baseline` run (needs `--baseline`).
    Regression,
}

/// The exit statuses, shown by `--help`.
const EXIT_HELP: &str = "\
Exit status:
  0    report written (no --fail-on gate met)
  1    report written and the --fail-on level was reached
  2    usage error, no usable Go dump in the input, or an output that cannot be written
  130  interrupted (Ctrl-C); no partial output is left behind";

/// `leakscope report`.
#[derive(Debug, Args)]
#[command(after_help = EXIT_HELP)]
pub struct ReportArgs {
    /// A directory of dumps (read recursively) or a single dump file.
    pub path: PathBuf,
    /// Where to write the HTML report.
    #[arg(
        short = 'o',
        long,
        value_name = "FILE",
        default_value = "leakscope-report.html"
    )]
    pub output: PathBuf,
    /// Also write the JSON summary to PATH (`-` for stdout).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Also write the Markdown summary to PATH (`-` for stdout). Appended
    /// (not replaced) when PATH is `$GITHUB_STEP_SUMMARY` or with
    /// `--markdown-append`.
    #[arg(long, value_name = "PATH")]
    pub markdown: Option<PathBuf>,
    /// Append the Markdown summary to the `--markdown` file instead of
    /// replacing it (automatic for `$GITHUB_STEP_SUMMARY`).
    #[arg(long, requires = "markdown")]
    pub markdown_append: bool,
    /// Exit with status 1 when the verdict reaches this level (CI gate).
    #[arg(long, value_enum, default_value_t = FailOn::Never)]
    pub fail_on: FailOn,
    /// File of ignore rules: one per line, a glob over the culprit function or
    /// the created-by function; `#` starts a comment.
    #[arg(long, value_name = "FILE")]
    pub ignore: Option<PathBuf>,
    /// Use templates from DIR instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Compare with the archive of an earlier run (the soak test before a
    /// fix): each finding is fixed, still leaking, new or unchanged.
    #[arg(long, value_name = "BEFORE")]
    pub baseline: Option<PathBuf>,
    /// The source checkout of the program that was profiled: show the lines
    /// around each culprit (module path from DIR/go.mod for -trimpath
    /// builds, the longest path suffix found under DIR otherwise).
    #[arg(long, value_name = "DIR")]
    pub source: Option<PathBuf>,
    /// Link culprits and frames to a code browser: an http(s) URL with
    /// `{path}` (path in the checkout), `{line}` and `{rev}` (from `--rev`),
    /// e.g. `https://github.com/acme/api/blob/{rev}/{path}#L{line}`. Needs
    /// `--source` for the mapping.
    #[arg(long, value_name = "TEMPLATE", requires = "source")]
    pub source_url: Option<String>,
    /// The revision for `{rev}` in `--source-url` (a commit or tag).
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
    /// The Go release that built the program (`go1.27.3`): standard-library
    /// frames then link to the Go source of that release. Read from the
    /// frames' paths when they show it.
    #[arg(long, value_name = "VERSION")]
    pub go_version: Option<String>,
    /// Write the latest heap and goroutine profiles and their first→last
    /// differences as gzip profile.proto files into DIR (for `go tool
    /// pprof`, Pyroscope, Speedscope).
    #[arg(long, value_name = "DIR")]
    pub pprof: Option<PathBuf>,
    /// Write the findings as SARIF 2.1.0 to PATH (`-` for stdout), for
    /// code-scanning annotations in pull requests.
    #[arg(long, value_name = "PATH")]
    pub sarif: Option<PathBuf>,
    /// No progress output and no summary on stdout.
    #[arg(short, long)]
    pub quiet: bool,
    /// Minimum growth of a goroutine group, in goroutines.
    #[arg(long, value_name = "N", default_value_t = crate::analysis::Thresholds::default().min_goroutines)]
    pub min_goroutines: u64,
    /// Minimum relative growth of a goroutine group (0.5 = +50 %).
    #[arg(long, value_name = "RATIO", default_value_t = crate::analysis::Thresholds::default().min_goroutine_ratio)]
    pub min_goroutine_ratio: f64,
    /// Minimum growth of a heap site (bytes, or `1MiB`, `512KiB`).
    #[arg(long, value_name = "SIZE", default_value_t = crate::analysis::Thresholds::default().min_heap_bytes, value_parser = parse_size)]
    pub min_heap_bytes: u64,
    /// Minimum relative growth of a heap site (0.2 = +20 %).
    #[arg(long, value_name = "RATIO", default_value_t = crate::analysis::Thresholds::default().min_heap_ratio)]
    pub min_heap_ratio: f64,
    /// Fewest snapshots of a kind for a statistical verdict.
    #[arg(long, value_name = "N", default_value_t = crate::analysis::Thresholds::default().min_snapshots)]
    pub min_snapshots: usize,
    /// One dump: goroutines parked on one leak-prone wait (channel, select,
    /// mutex, WaitGroup, Cond) that make a pile-up (a `suspect`).
    #[arg(long, value_name = "N", default_value_t = crate::analysis::Thresholds::default().min_pileup)]
    pub min_pileup: u64,
    /// One dump: share of all goroutines (0.5 = 50 %) that makes a pile-up
    /// dominant (raises its confidence).
    #[arg(long, value_name = "RATIO", default_value_t = crate::analysis::Thresholds::default().min_share)]
    pub min_share: f64,
    /// One dump: minutes a goroutine started after start-up must wait on a
    /// leak-prone operation for a `suspect` (`, N minutes` in debug=2 headers).
    #[arg(long, value_name = "MINUTES", default_value_t = crate::analysis::Thresholds::default().min_wait)]
    pub min_wait: u32,
    /// How snapshots are grouped into processes: `auto` (a folder per
    /// pod/host, then a name in the file names, then build ids), `dir`,
    /// `name`, or `none` (one process; restarts are still found).
    #[arg(long, value_enum, default_value_t = GroupByArg::Auto)]
    pub group_by: GroupByArg,
    /// Input limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

impl ReportArgs {
    /// The analysis thresholds given by the `--min-*` flags.
    pub fn thresholds(&self) -> crate::analysis::Thresholds {
        crate::analysis::Thresholds {
            min_goroutines: self.min_goroutines,
            min_goroutine_ratio: self.min_goroutine_ratio,
            min_heap_bytes: self.min_heap_bytes,
            min_heap_ratio: self.min_heap_ratio,
            min_snapshots: self.min_snapshots,
            min_pileup: self.min_pileup,
            min_share: self.min_share,
            min_wait: self.min_wait,
        }
    }

    /// The lines of the `--ignore` file (none without the flag); the
    /// analysis parses them.
    pub fn ignore_rules(&self) -> Result<Vec<String>> {
        let Some(p) = &self.ignore else {
            return Ok(Vec::new());
        };
        Ok(std::fs::read_to_string(p)
            .with_context(|| format!("cannot read ignore file {}", p.display()))?
            .lines()
            .map(str::to_owned)
            .collect())
    }

    /// The analysis options: thresholds and ignore rules.
    pub fn analysis_options(&self) -> Result<crate::analysis::Options> {
        Ok(crate::analysis::Options {
            thresholds: self.thresholds(),
            ignore_rules: self.ignore_rules()?,
        })
    }
}

/// A profile `capture` fetches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CaptureProfile {
    /// `/debug/pprof/heap` (protobuf; `?gc=1` unless `--no-gc`).
    Heap,
    /// `/debug/pprof/goroutine?debug=2` (every goroutine with its stack).
    Goroutine,
    /// `/debug/pprof/goroutineleak` (Go 1.26 with
    /// `GOEXPERIMENT=goroutineleakprofile`, Go 1.27+); skipped for a target
    /// that answers 404.
    Goroutineleak,
}

/// `leakscope capture`.
#[derive(Debug, Args)]
#[command(after_long_help = CAPTURE_HELP)]
pub struct CaptureArgs {
    /// Targets, then the output folder: `URL... DIR`. A URL is
    /// `http://host:port`, `http://host:port/debug/pprof/` or a bare
    /// `host:port`; `NAME=URL` names its folder. Each target gets its own
    /// folder `DIR/NAME` (NAME defaults to `host_port`).
    #[arg(value_name = "URL", required = true, num_args = 1..)]
    pub targets: Vec<String>,
    /// The output folder (created if missing).
    #[arg(value_name = "DIR", required = true)]
    pub dir: PathBuf,
    /// Time between two captures (`200ms`, `30s`, `5m`, `1h`). Captures
    /// keep to a fixed schedule: a slow fetch does not shift the next one.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = crate::capture::parse_duration)]
    pub every: std::time::Duration,
    /// Stop after this long (`0` = no time limit). Without `--for` and
    /// `--count` capture stops after 2h.
    #[arg(long = "for", value_name = "DURATION", value_parser = crate::capture::parse_duration)]
    pub for_: Option<std::time::Duration>,
    /// Stop after N captures per target (scheduled ticks, failed ones
    /// included).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,
    /// Longest time one fetch may take, body included; a fetch that takes
    /// longer fails and the next tick tries again.
    #[arg(long, value_name = "DURATION", default_value = "20s", value_parser = crate::capture::parse_duration)]
    pub timeout: std::time::Duration,
    /// Profiles to fetch (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [CaptureProfile::Heap, CaptureProfile::Goroutine, CaptureProfile::Goroutineleak])]
    pub profiles: Vec<CaptureProfile>,
    /// Fetch the heap profile without `?gc=1` (no forced GC before it; the
    /// profile then shows the heap as of the last GC, up to two cycles old).
    #[arg(long)]
    pub no_gc: bool,
    /// Largest response saved (bytes, or `64MiB`, `1GiB`); larger ones are
    /// dropped as failures.
    #[arg(long, value_name = "SIZE", default_value_t = crate::ingest::Limits::default().max_file_bytes, value_parser = parse_size)]
    pub max_size: u64,
    /// Only failures and the final summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

const CAPTURE_HELP: &str = "\
Files: DIR/NAME/<profile>-<UTC time>-NAME-<tick>.<ext>, e.g.
  dumps/10.0.0.5_6060/heap-2026-12-01T22-16-54.123Z-10.0.0.5_6060-0007.pb.gz
written atomically (a hidden temporary file renamed when complete), so
`leakscope report DIR/NAME` can run during the capture. Report each target's
folder on its own: replicas are different processes.

A failed fetch (connection refused, HTTP error, timeout, an HTML page or
anything that is not a dump) is logged and tried again at the next tick; it is
never saved and never stops the capture.

Ctrl-C (or SIGTERM) stops cleanly: the fetch under way is abandoned, its
temporary file removed, and a summary printed. A second Ctrl-C exits at once.

Exit status: 0 when every target gave at least one dump (also after Ctrl-C),
2 when a target gave none or on a usage error.

https:// URLs need the `https` cargo feature (on by default).";

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes_take_units() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("1MiB"), Ok(1 << 20));
        assert_eq!(parse_size("512KiB"), Ok(512 << 10));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("1.5 GiB"), Ok(3 << 29));
        assert_eq!(parse_size("64m"), Ok(64 << 20));
        assert_eq!(parse_size("2MB"), Ok(2_000_000));
        assert_eq!(parse_size("10 B"), Ok(10));
        assert_eq!(parse_size("1_000"), Ok(1000));
        assert!(parse_size("MiB").is_err());
        assert!(parse_size("1 parsec").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("99999999999TiB").is_err());
        let cli = Cli::try_parse_from([
            "leakscope",
            "report",
            "d",
            "--max-file-size",
            "1MiB",
            "--max-decompressed-size",
            "512KiB",
            "--max-line-length",
            "1GiB",
            "--min-heap-bytes",
            "2MiB",
        ])
        .expect("parses");
        let Command::Report(r) = cli.command else {
            panic!("not report");
        };
        assert_eq!(r.limits.max_file_size, 1 << 20);
        assert_eq!(r.limits.max_decompressed_size, 512 << 10);
        assert_eq!(r.limits.max_line_length, 1 << 30);
        assert_eq!(r.min_heap_bytes, 2 << 20);
    }
}
