//! `fedcx ingest`: reads exports, validates every row, and reports the reconciliation.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use fedcx_ingest::pipeline::{reasons_by_count, summary_json};
use fedcx_ingest::{Format, IngestConfig, IngestResult, Ingestor, Reader};
use fedcx_model::Registry;

/// Files above this size get a progress bar when run from a terminal.
const PROGRESS_MIN_BYTES: u64 = 4 << 20;

/// Arguments of `fedcx ingest`.
#[derive(clap::Args)]
pub struct Args {
    /// The files to read.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The files' format; detected from the header when not given.
    #[arg(long, value_parser = parse_format)]
    format: Option<Format>,
    /// A mapping file for `--format csv` exports of other survey tools (see examples/).
    #[arg(long, value_name = "M.toml")]
    mapping: Option<PathBuf>,
    /// Write every rejected row here (CSV: source file, line, field, raw value, reason, detail).
    #[arg(long, value_name = "R.csv")]
    rejects: Option<PathBuf>,
    /// Write the reconciliation summary here as JSON.
    #[arg(long, value_name = "S.json")]
    summary: Option<PathBuf>,
    /// Write the aggregated counts here as JSON.
    #[arg(long, value_name = "C.json")]
    counts: Option<PathBuf>,
    /// Treat any rejected row as an error (exit non-zero at the first one).
    #[arg(long)]
    strict: bool,
    /// Do not record this ingest in the history store (a dry run).
    #[arg(long)]
    no_store: bool,
    /// Also keep respondent-level answers in the store (without free text), so reports from the
    /// store can write Touchpoints' 17-column uploads and estimate the ACSI-style index.
    #[arg(long)]
    keep_responses: bool,
    /// With --keep-responses, keep the free-text comments too (redacted of personal data).
    #[arg(long, requires = "keep_responses")]
    keep_comments: bool,
    /// For Touchpoints version-2 uploads: the collection detail they belong to (by default the
    /// upload's file name, `<detail id>.csv`, names it). Ingest the detail export in the same command.
    #[arg(long, value_name = "ID")]
    detail: Option<String>,
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse::<Format>().map_err(|e| e.to_string())
}

/// Runs the command.
pub fn run(registry: &Registry, args: &Args, store: &Path) -> Result<()> {
    let reader = match (&args.mapping, args.format) {
        (Some(m), None | Some(Format::Csv)) => Reader::Mapped(fedcx_ingest::load_mapping(m)?),
        (Some(_), Some(f)) => anyhow::bail!("--mapping goes with --format csv, not --format {f}"),
        (None, Some(f)) => Reader::Format(f),
        (None, None) => Reader::Detect,
    };
    let config = IngestConfig { fail_on_reject: args.strict, keep_responses: args.keep_responses, threads: 0 };
    // Files the store already holds are skipped by the ingestor's own same-content check, so each
    // file is hashed once.
    let stored: std::collections::BTreeMap<String, fedcx_store::ManifestEntry> = if !args.no_store && store.exists() {
        fedcx_store::Store::open(store)?.manifest()?.into_iter().map(|e| (e.sha256.clone(), e)).collect()
    } else {
        Default::default()
    };
    let known: Vec<&str> = stored.keys().map(String::as_str).collect();
    let result =
        ingest_files(registry, &args.files, &reader, config, args.rejects.as_deref(), args.detail.clone(), &known)?;
    for f in result.files.iter().filter(|f| f.skipped_same_content) {
        if let Some(e) = stored.get(&f.sha256) {
            eprintln!(
                "{}: refused: the same content was already ingested from {} on {} (sha256 {}); nothing was added",
                f.path.display(),
                e.path,
                e.ingested_at,
                e.sha256
            );
        }
    }
    print_reconciliation(&result);
    if !args.no_store {
        let keep = super::store::Keep { responses: args.keep_responses, comments: args.keep_comments };
        super::store::record(store, registry, &result, keep)?;
    }
    if let Some(path) = &args.summary {
        super::write_atomic(path, serde_json::to_string_pretty(&summary_json(&result))?.as_bytes())?;
        println!("summary written to {}", path.display());
    }
    if let Some(path) = &args.counts {
        super::write_atomic(path, serde_json::to_string(&result.counts)?.as_bytes())?;
        println!("counts written to {}", path.display());
    }
    if let Some(path) = &args.rejects {
        println!("rejects written to {}", path.display());
    }
    Ok(())
}

/// Ingests files, with a progress bar on large files when stderr is a terminal.
pub fn ingest_files(
    registry: &Registry,
    files: &[PathBuf],
    reader: &Reader,
    config: IngestConfig,
    rejects: Option<&Path>,
    detail: Option<String>,
    already_ingested: &[&str],
) -> Result<IngestResult> {
    let mut ingestor = Ingestor::new(registry, config);
    ingestor.set_detail(detail);
    for sha in already_ingested {
        ingestor.mark_ingested(sha);
    }
    if let Some(path) = rejects {
        let file = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        ingestor.write_rejects_to(Box::new(std::io::BufWriter::new(file)), path)?;
    }
    let interactive = std::io::stderr().is_terminal();
    for path in files {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let bar = (interactive && size >= PROGRESS_MIN_BYTES).then(|| {
            let bar = indicatif::ProgressBar::new(size);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{msg} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                )
                .expect("the template is fixed")
                .progress_chars("=> "),
            );
            bar.set_message(path.display().to_string());
            bar
        });
        let mut wrap = |r: Box<dyn Read + Send>| -> Box<dyn Read + Send> {
            match &bar {
                Some(b) => Box::new(b.wrap_read(r)),
                None => r,
            }
        };
        let report = ingestor.ingest_path(path, reader, &mut wrap)?;
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        if report.skipped_same_content {
            eprintln!("{}: skipped, its content was already ingested (sha256 {})", path.display(), report.sha256);
        }
    }
    Ok(ingestor.finish()?)
}

/// Prints the reconciliation for people.
pub fn print_reconciliation(result: &IngestResult) {
    for f in &result.files {
        let r = &f.reconciliation;
        println!(
            "{} ({}): {} read, {} accepted, {} rejected, {} duplicates{}",
            f.path.display(),
            f.format,
            r.read,
            r.accepted,
            r.rejected,
            r.duplicates,
            if f.skipped_same_content { " (skipped: same content as an earlier file)" } else { "" }
        );
    }
    let r = &result.reconciliation;
    println!(
        "total: {} read = {} accepted + {} rejected + {} duplicates",
        r.read, r.accepted, r.rejected, r.duplicates
    );
    if !r.rejected_by_reason.is_empty() {
        let reasons: Vec<String> = reasons_by_count(r).iter().map(|(k, v)| format!("{k} {v}")).collect();
        println!("rejected by reason: {}", reasons.join(", "));
    }
    if !r.redactions.is_empty() {
        let red: Vec<String> = r.redactions.iter().map(|(k, v)| format!("{k} {v}")).collect();
        println!("personal data redacted from comments: {}", red.join(", "));
    }
    println!(
        "counts: {} groups (service x channel x quarter), {} respondents; {} collection details",
        result.counts.len(),
        result.counts.respondents(),
        result.details.len()
    );
    if !result.benchmarks.is_empty() {
        println!("benchmark series: {} values", result.benchmarks.len());
    }
    if !result.web_traffic.is_empty() {
        let total: u64 = result.web_traffic.values().sum();
        println!("web traffic: {} domain-months, {total} visits", result.web_traffic.len());
    }
}
