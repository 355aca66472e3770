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
pub mod merge;
pub mod model;
pub mod output;
pub mod pprof_proto;
pub mod progress;
pub mod render;
pub mod source;
#[cfg(test)]
pub(crate) mod testutil;
pub mod text;
pub mod units;

use anyhow::{Context, Result};
use cli::{Cli, Command, FailOn, InspectArgs, MergeArgs, ReportArgs};
use output::Output;
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
        Command::Merge(args) => merge_command(args),
    }
}

fn input_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A usage error in clap's form (exit status 2 from `main`).
fn usage_error(subcommand: &str, msg: String) -> anyhow::Error {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    cmd.build();
    let mut sub = cmd.find_subcommand_mut(subcommand).cloned().unwrap_or(cmd);
    anyhow::Error::new(sub.error(clap::error::ErrorKind::ArgumentConflict, msg))
}

/// Refuses two documents on one stream: at most one output may be `-`, and
/// no two may name the same file.
fn check_destinations(subcommand: &str, outs: &[(&str, &Path)]) -> Result<()> {
    for (i, (flag_a, a)) in outs.iter().enumerate() {
        for (flag_b, b) in &outs[i + 1..] {
            if output::same_file(a, b) {
                let msg = if output::is_stdout(a) {
                    format!(
                        "{flag_a} - and {flag_b} - would write two documents to stdout; \
                         send at most one of them to `-` and the others to files"
                    )
                } else {
                    format!(
                        "{flag_a} and {flag_b} name the same file ({}); give each output its own file",
                        a.display()
                    )
                };
                return Err(usage_error(subcommand, msg));
            }
        }
    }
    Ok(())
}

/// True when `--markdown` should append: asked for, or the target is the
/// GitHub Actions step summary (`$GITHUB_STEP_SUMMARY`), which other steps
/// write too.
fn markdown_appends(path: &Path, asked: bool) -> bool {
    asked
        || std::env::var_os("GITHUB_STEP_SUMMARY")
            .filter(|v| !v.is_empty())
            .is_some_and(|s| output::same_file(path, Path::new(&s)))
}

fn inspect(args: InspectArgs) -> Result<Outcome> {
    let progress = progress::Progress::new(args.quiet);
    output::on_interrupt(progress.bar())?;
    let mut json_out = args.json.as_deref().map(Output::check).transpose()?;
    let mut archive = ingest::ingest(&args.path, &args.limits.ingest_options(), &progress)
        .with_context(|| format!("cannot read {}", args.path.display()))?;
    progress.finish();
    regroup(&mut archive, args.group_by);
    let inv = render::inventory::Inventory::new(&archive);
    let mut outs = Vec::new();
    if let Some(mut o) = json_out.take() {
        o.stage(inv.to_json())?;
        outs.push(o);
    }
    if !outs.iter().any(Output::is_stdout) {
        let mut table = Output::check(Path::new("-"))?;
        table.stage(inv.to_table().into_bytes())?;
        outs.push(table);
    }
    output::commit_all(&mut outs)?;
    Ok(if archive.snapshots.is_empty() {
        Outcome::NoInput
    } else {
        Outcome::Ok
    })
}

fn report(args: ReportArgs) -> Result<Outcome> {
    let (links, tree) = check_report_flags(&args)?;
    let progress = progress::Progress::new(args.quiet);
    output::on_interrupt(progress.bar())?;
    // Every destination is checked (and its temporary file created) before
    // the archive is read: a typo fails in milliseconds, not after minutes.
    let outputs = check_report_outputs(&args)?;
    let aopts = args.analysis_options()?;
    let templates = match &args.templates {
        Some(dir) => read_templates(dir)?,
        None => Vec::new(),
    };
    let mut archive = ingest::ingest(&args.path, &args.limits.ingest_options(), &progress)
        .with_context(|| format!("cannot read {}", args.path.display()))?;
    regroup(&mut archive, args.group_by);
    progress.phase("analysing");
    // The flame graphs need only the archive: with a second core they are
    // drawn while the archive is analysed (a tenth of a second on the
    // benchmark corpus that would otherwise come after the analysis).
    let (result, flames) = if ingest::worker_threads() > 1 && !archive.snapshots.is_empty() {
        std::thread::scope(|scope| {
            let flames = scope.spawn(|| render::html::flame::build_all(&archive));
            let result = analysis::analyze(&archive, &aopts);
            let flames = flames
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (result, Some(flames))
        })
    } else {
        (analysis::analyze(&archive, &aopts), None)
    };
    let baseline = compare_with_baseline(&args, &aopts, &progress, &result)?;
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
        print_no_input(&args, &archive);
        return Ok(Outcome::NoInput);
    }
    let (mut outs, pprof_lines) = render_outputs(&args, outputs, &input, templates, flames)?;
    progress.finish();
    output::commit_all(&mut outs)?;
    if !args.quiet {
        print_summary(&args, &input, &extras, &pprof_lines, &outs)?;
    }
    Ok(if gate(args.fail_on, &result, &extras) {
        Outcome::GateMet
    } else {
        Outcome::Ok
    })
}

/// The report's destinations, checked (temporary files created) before ingest.
struct Outputs {
    html: Output,
    json: Option<Output>,
    markdown: Option<Output>,
    sarif: Option<Output>,
}

/// Usage errors of `report`'s flags, before a long ingest: the destinations
/// are distinct and the fix-cycle flags are well formed. Returns the parsed
/// `--source-url` template and the opened `--source` tree.
fn check_report_flags(
    args: &ReportArgs,
) -> Result<(
    Option<render::source::LinkTemplate>,
    Option<source::SourceTree>,
)> {
    let mut dests: Vec<(&str, &Path)> = vec![("-o/--output", &args.output)];
    if let Some(p) = &args.json {
        dests.push(("--json", p));
    }
    if let Some(p) = &args.markdown {
        dests.push(("--markdown", p));
    }
    if let Some(p) = &args.sarif {
        dests.push(("--sarif", p));
    }
    check_destinations("report", &dests)?;
    // Usage errors of the fix-cycle flags, before a long ingest.
    let links = match &args.source_url {
        Some(t) => Some(
            render::source::LinkTemplate::new(t, args.rev.as_deref())
                .map_err(|e| usage_error("report", e))?,
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
        return Err(usage_error(
            "report",
            format!("--go-version {v:?}: expected a Go release such as go1.27.3"),
        ));
    }
    if args.fail_on == FailOn::Regression && args.baseline.is_none() {
        return Err(usage_error(
            "report",
            "--fail-on regression needs --baseline BEFORE".into(),
        ));
    }
    Ok((links, tree))
}

/// Checks every destination of `report` (and creates the `--pprof` directory).
fn check_report_outputs(args: &ReportArgs) -> Result<Outputs> {
    let html = Output::check(&args.output)?;
    let json = args.json.as_deref().map(Output::check).transpose()?;
    let markdown = match &args.markdown {
        Some(p) if markdown_appends(p, args.markdown_append) => Some(Output::check_append(p)?),
        Some(p) => Some(Output::check(p)?),
        None => None,
    };
    let sarif = args.sarif.as_deref().map(Output::check).transpose()?;
    if let Some(dir) = &args.pprof {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("--pprof {}: cannot create the directory", dir.display()))?;
    }
    Ok(Outputs {
        html,
        json,
        markdown,
        sarif,
    })
}

/// `--baseline BEFORE`: ingests and analyses the baseline and compares it
/// with this run's `result`.
fn compare_with_baseline(
    args: &ReportArgs,
    aopts: &analysis::Options,
    progress: &progress::Progress,
    result: &analysis::Analysis,
) -> Result<Option<analysis::baseline::Comparison>> {
    let Some(before) = &args.baseline else {
        return Ok(None);
    };
    let b = ingest::ingest(before, &args.limits.ingest_options(), progress)
        .with_context(|| format!("cannot read the baseline {}", before.display()))?;
    if b.snapshots.is_empty() {
        anyhow::bail!("no usable Go dump in the baseline {}", before.display());
    }
    Ok(Some(analysis::baseline::compare(
        &analysis::analyze(&b, aopts),
        result,
    )))
}

/// Tells on stderr that the archive held no usable dump, and why each file
/// was skipped.
fn print_no_input(args: &ReportArgs, archive: &model::Archive) {
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
}

/// Renders every requested document into its (staged, uncommitted) output.
/// Returns the outputs and the summary lines naming the `--pprof` files.
fn render_outputs(
    args: &ReportArgs,
    outputs: Outputs,
    input: &ReportInput,
    templates: Vec<(String, String)>,
    flames: Option<Vec<render::html::flame::FlameGraph>>,
) -> Result<(Vec<Output>, String)> {
    let Outputs {
        mut html,
        json,
        markdown,
        sarif,
    } = outputs;
    let exporter = render::html::HtmlExporter { templates };
    html.stage(match flames {
        Some(flames) => exporter.render_with_flames(input, flames)?,
        None => exporter.render(input)?,
    })?;
    let mut outs = vec![html];
    if let Some(mut o) = json {
        o.stage(render::json::JsonExporter.render(input)?)?;
        outs.push(o);
    }
    if let Some(mut o) = markdown {
        o.stage(render::markdown::MarkdownExporter.render(input)?)?;
        outs.push(o);
    }
    if let Some(mut o) = sarif {
        o.stage(render::sarif::render(input)?)?;
        outs.push(o);
    }
    let mut pprof_lines = String::new();
    if let Some(dir) = &args.pprof {
        for f in render::pprof_export::export(input.archive) {
            let path = dir.join(f.name);
            let mut o = Output::check(&path)?;
            o.stage(f.bytes)?;
            outs.push(o);
            pprof_lines.push_str(&format!(
                "pprof: {}: {}\n",
                path.display(),
                text::visible(&f.description)
            ));
        }
    }
    Ok((outs, pprof_lines))
}

/// Prints the plain summary: on stdout, or on stderr when stdout carries a
/// document.
fn print_summary(
    args: &ReportArgs,
    input: &ReportInput,
    extras: &Extras,
    pprof_lines: &str,
    outs: &[Output],
) -> Result<()> {
    let mut text = render::markdown::plain_summary(input);
    if let Some(c) = &extras.baseline {
        text.push_str(&format!("baseline: {}\n", c.headline));
    }
    text.push_str(pprof_lines);
    text.push_str(&format!("report: {}\n", describe_dest(&args.output)));
    if outs.iter().any(Output::is_stdout) {
        // stdout carries a document: the summary must not run into it.
        eprint!("{text}");
    } else {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()?;
    }
    Ok(())
}

/// Whether the `--fail-on` gate is met.
fn gate(fail_on: FailOn, result: &analysis::Analysis, extras: &Extras) -> bool {
    match fail_on {
        FailOn::Never => false,
        FailOn::Leak => result.verdict == analysis::Verdict::Leak,
        FailOn::Suspect => matches!(
            result.verdict,
            analysis::Verdict::Leak | analysis::Verdict::Suspect
        ),
        FailOn::Regression => extras.baseline.as_ref().is_some_and(|c| c.has_regression()),
    }
}

/// An output as the summary names it.
fn describe_dest(path: &Path) -> String {
    if output::is_stdout(path) {
        "stdout".into()
    } else {
        path.display().to_string()
    }
}

/// Re-decides the processes when `--group-by` is not `auto` (ingest
/// decides with `auto`).
fn regroup(archive: &mut model::Archive, by: cli::GroupByArg) {
    if by != cli::GroupByArg::Auto {
        ingest::identify_processes(archive, by.group_by());
    }
}

/// `leakscope merge`: the fleet overview from per-archive JSON summaries.
fn merge_command(args: MergeArgs) -> Result<Outcome> {
    if args.fail_on == FailOn::Regression {
        return Err(usage_error(
            "merge",
            "--fail-on regression compares with a --baseline, which only `report` takes".into(),
        ));
    }
    let mut dests: Vec<(&str, &Path)> = vec![("-o/--output", &args.output)];
    if let Some(p) = &args.json {
        dests.push(("--json", p));
    }
    if let Some(p) = &args.markdown {
        dests.push(("--markdown", p));
    }
    check_destinations("merge", &dests)?;
    let mut html_out = Output::check(&args.output)?;
    let json_out = args.json.as_deref().map(Output::check).transpose()?;
    let md_out = args.markdown.as_deref().map(Output::check).transpose()?;
    let mut archives = Vec::with_capacity(args.inputs.len());
    for p in &args.inputs {
        let bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
        archives.push(merge::parse(&p.display().to_string(), &bytes)?);
    }
    let fleet = merge::Fleet::new(archives);
    html_out.stage(fleet.to_html(&[])?)?;
    let mut outs = vec![html_out];
    if let Some(mut o) = json_out {
        o.stage(fleet.to_json()?)?;
        outs.push(o);
    }
    if let Some(mut o) = md_out {
        o.stage(fleet.to_markdown().into_bytes())?;
        outs.push(o);
    }
    let stdout_taken = outs.iter().any(Output::is_stdout);
    output::commit_all(&mut outs)?;
    if !args.quiet && !stdout_taken {
        let text = format!(
            "{}
fleet: {}
",
            text::visible(&fleet.headline()),
            args.output.display()
        );
        print!("{text}");
    }
    let gate = match args.fail_on {
        FailOn::Never => false,
        FailOn::Leak => fleet.verdict == analysis::Verdict::Leak,
        FailOn::Suspect => matches!(
            fleet.verdict,
            analysis::Verdict::Leak | analysis::Verdict::Suspect
        ),
        FailOn::Regression => false,
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
