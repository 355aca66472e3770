//! leakscope turns an archive of Go heap profiles and goroutine dumps into a
//! forensic leak report.
//!
//! The pipeline reads `ingest` → `model` → `analysis` → `render`, data flowing
//! one way. Only [`ingest`] reads dump files; only the CLI ([`run`]) writes
//! files and decides the exit code.

pub mod analysis;
pub mod capture;
pub mod cli;
pub mod ingest;
pub mod model;
pub mod pprof_proto;
pub mod progress;
pub mod render;
pub mod source;
pub mod text;
pub mod units;

use anyhow::{Context, Result};
use cli::{Cli, Command, FailOn, InspectArgs, ReportArgs};
use render::{Exporter, Extras, Meta, ReportInput};
use std::io::Write;
use std::path::{Path, PathBuf};

/// How a run ended, mapped to the process exit code by `main`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Output written; the `--fail-on` gate was not met (exit 0).
    Ok,
    /// Output written; the gate was met (exit 1).
    GateMet,
    /// No usable dump at all (exit 2).
    NoInput,
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Inspect(args) => inspect(args),
        Command::Report(args) => report(*args),
        Command::Capture(args) => capture::run(&args),
    }
}

fn input_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn inspect(args: InspectArgs) -> Result<Outcome> {
    let progress = progress::Progress::new(args.quiet);
    let archive = ingest::ingest(&args.path, &args.limits.ingest_options(), &progress)
        .with_context(|| format!("cannot read {}", args.path.display()))?;
    progress.finish();
    let inv = render::inventory::Inventory::new(&archive);
    let json_to_stdout = args.json.as_deref() == Some(Path::new("-"));
    if let Some(p) = &args.json {
        write_output(p, &inv.to_json())?;
    }
    if !json_to_stdout {
        write_output(Path::new("-"), inv.to_table().as_bytes())?;
    }
    Ok(if archive.snapshots.is_empty() {
        Outcome::NoInput
    } else {
        Outcome::Ok
    })
}

fn report(args: ReportArgs) -> Result<Outcome> {
    // Usage errors first, before a long ingest.
    let links = match &args.source_url {
        Some(t) => Some(
            render::source::LinkTemplate::new(t, args.rev.as_deref())
                .map_err(anyhow::Error::msg)?,
        ),
        None => None,
    };
    let tree = args
        .source
        .as_deref()
        .map(source::SourceTree::open)
        .transpose()?;
    if let Some(v) = &args.go_version
        && !render::source::is_go_version(v)
    {
        anyhow::bail!("--go-version {v:?}: expected a Go release such as go1.27.3");
    }
    if args.fail_on == FailOn::Regression && args.baseline.is_none() {
        anyhow::bail!("--fail-on regression needs --baseline BEFORE");
    }
    let progress = progress::Progress::new(args.quiet);
    let archive = ingest::ingest(&args.path, &args.limits.ingest_options(), &progress)
        .with_context(|| format!("cannot read {}", args.path.display()))?;
    progress.phase("analysing");
    let aopts = args.analysis_options()?;
    let templates = match &args.templates {
        Some(dir) => read_templates(dir)?,
        None => Vec::new(),
    };
    let result = analysis::analyze(&archive, &aopts);
    let baseline = match &args.baseline {
        Some(before) => {
            let b = ingest::ingest(before, &args.limits.ingest_options(), &progress)
                .with_context(|| format!("cannot read the baseline {}", before.display()))?;
            if b.snapshots.is_empty() {
                anyhow::bail!("no usable Go dump in the baseline {}", before.display());
            }
            Some(analysis::baseline::compare(
                &analysis::analyze(&b, &aopts),
                &result,
            ))
        }
        None => None,
    };
    let sources = (tree.is_some() || links.is_some() || args.go_version.is_some()).then(|| {
        source::Sources {
            tree: tree.as_ref(),
            links: links.as_ref(),
            go_version: args.go_version.as_deref(),
        }
        .collect(&archive, &result)
    });
    let extras = Extras {
        baseline,
        baseline_name: args.baseline.as_deref().map(input_name).unwrap_or_default(),
        source: sources,
    };
    progress.phase("rendering");
    let meta = Meta {
        input_name: input_name(&args.path),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let input = ReportInput {
        archive: &archive,
        analysis: &result,
        meta: &meta,
        extras: Some(&extras),
    };
    if archive.snapshots.is_empty() {
        progress.finish();
        eprintln!(
            "leakscope: no usable Go dump in {} ({} file(s) skipped)",
            args.path.display(),
            archive.skipped.len()
        );
        for s in &archive.skipped {
            eprintln!(
                "  skipped {}: {}",
                text::visible(&s.path),
                text::visible(&s.reason)
            );
        }
        return Ok(Outcome::NoInput);
    }
    let html = render::html::HtmlExporter { templates }.render(&input)?;
    write_output(&args.output, &html)?;
    if let Some(p) = &args.json {
        write_output(p, &render::json::JsonExporter.render(&input)?)?;
    }
    if let Some(p) = &args.markdown {
        write_output(p, &render::markdown::MarkdownExporter.render(&input)?)?;
    }
    if let Some(p) = &args.sarif {
        write_output(p, &render::sarif::render(&input)?)?;
    }
    let mut pprof_lines = String::new();
    if let Some(dir) = &args.pprof {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        for f in render::pprof_export::export(&archive) {
            let path = dir.join(f.name);
            write_output(&path, &f.bytes)?;
            pprof_lines.push_str(&format!(
                "pprof: {}: {}\n",
                path.display(),
                text::visible(&f.description)
            ));
        }
    }
    progress.finish();
    let stdout_taken = [&args.json, &args.markdown, &args.sarif]
        .iter()
        .any(|p| p.as_deref() == Some(Path::new("-")));
    if !args.quiet && !stdout_taken {
        let mut text = render::markdown::plain_summary(&input);
        if let Some(c) = &extras.baseline {
            text.push_str(&format!("baseline: {}\n", c.headline));
        }
        text.push_str(&pprof_lines);
        text.push_str(&format!("report: {}\n", args.output.display()));
        write_output(Path::new("-"), text.as_bytes())?;
    }
    let gate = match args.fail_on {
        FailOn::Never => false,
        FailOn::Leak => result.verdict == analysis::Verdict::Leak,
        FailOn::Suspect => matches!(
            result.verdict,
            analysis::Verdict::Leak | analysis::Verdict::Suspect
        ),
        FailOn::Regression => extras.baseline.as_ref().is_some_and(|c| c.has_regression()),
    };
    Ok(if gate { Outcome::GateMet } else { Outcome::Ok })
}

/// Reads every file of a `--templates` directory as (relative name, source).
fn read_templates(dir: &Path) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.with_context(|| format!("cannot read templates in {}", dir.display()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel: PathBuf = entry.path().strip_prefix(dir)?.to_path_buf();
        let name = rel.to_string_lossy().replace('\\', "/");
        let src = std::fs::read_to_string(entry.path())
            .with_context(|| format!("cannot read template {}", entry.path().display()))?;
        out.push((name, src));
    }
    Ok(out)
}

/// Writes bytes to a file, or to stdout for `-`.
fn write_output(path: &Path, bytes: &[u8]) -> Result<()> {
    if path == Path::new("-") {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes)?;
        out.flush()?;
        Ok(())
    } else {
        std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
    }
}
