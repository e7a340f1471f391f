//! `fedcx ingest`: reads exports, validates every row, and reports the reconciliation.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use anyhow::Result;
use fedcx_ingest::pipeline::summary_json;
use fedcx_ingest::{Format, IngestConfig, IngestResult, Ingestor, KeepResponses, Reader};
use fedcx_model::Registry;

/// Files above this size get a progress bar when run from a terminal.
const PROGRESS_MIN_BYTES: u64 = 4 << 20;

/// The end of `fedcx ingest --help`: what each exit status means (scripts tell "nothing new" from
/// a failure by it).
pub const EXIT_STATUS_HELP: &str = "\
Exit status:
  0    every file given was stored (with --no-store: read), or, with --keep-responses, had its
       respondent-level rows added to what the store held of it
  1    an error, named on the last line: a file could not be read, a mapping is wrong, --strict met
       a rejected row, or every row of a file was rejected (the files said to be stored are; nothing
       else is)
  2    the command line is wrong
  3    refused: the store already holds the content of a file given (each is named), so nothing was
       added from it; the other files given were stored, except with --replace, which changes
       nothing unless every file given is new to the store
  141  standard output was closed before the end (`fedcx ingest ... | head`)";

/// Arguments of `fedcx ingest`.
#[derive(clap::Args)]
pub struct Args {
    /// The files to read (`-` for standard input; pipes and FIFOs are read once, hashed on the way).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The files' format; detected from the header when not given.
    #[arg(long, value_parser = parse_format)]
    format: Option<Format>,
    /// A mapping file for respondent-level exports of other survey tools (Qualtrics, SurveyMonkey,
    /// Medallia, in-house). Files of a format fedcx detects (a Touchpoints export, say) are still
    /// read as that format; the mapping reads the others (with `--format csv`, every file). Every
    /// mapping key and each tool's conventions: docs/mapping.md. Shipped mappings are named
    /// without a file (qualtrics, qualtrics-v2, surveymonkey, medallia, medallia-v1; their files are
    /// in crates/fedcx-ingest/mappings/). They name no service or channel: give --service and
    /// --channel, or a mapping of your own that names the columns holding them.
    #[arg(long, value_name = "M.toml")]
    mapping: Option<PathBuf>,
    /// With --mapping: the service every row of the mapped files is about (a registry service id,
    /// name or alias; `fedcx hisps --services` lists them), when the mapping names no service
    /// column. It replaces the mapping's `[constants]` service_id.
    #[arg(long, value_name = "ID", requires = "mapping")]
    service: Option<String>,
    /// With --mapping: the channel every row of the mapped files came through (website, phone,
    /// in_person, ...), when the mapping names no channel column. It replaces the mapping's
    /// `[constants]` channel.
    #[arg(long, value_name = "CHANNEL", requires = "mapping", value_parser = parse_channel)]
    channel: Option<fedcx_model::Channel>,
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
    /// Reject a CSV record that covers more physical lines than this: an unbalanced quote has
    /// swallowed the rows on them.
    #[arg(long, default_value_t = fedcx_ingest::rows::DEFAULT_MAX_RECORD_LINES, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..))]
    max_record_lines: u64,
    /// Do not record this ingest in the history store (a dry run).
    #[arg(long)]
    no_store: bool,
    /// Take this ingested file out of the store in the same transaction that records the new
    /// ones: a corrected export replaces the old one, or nothing changes. The old file is named by
    /// its SHA-256, a file with its content, or the path it was ingested from.
    #[arg(long, value_name = "OLD", conflicts_with = "no_store")]
    replace: Vec<String>,
    /// Also keep respondent-level answers in the store (without free text), so reports from the
    /// store can write Touchpoints' 17-column uploads and estimate the ACSI-style index. A file
    /// ingested before without it is read again and its answers are added, its counts unchanged
    /// (refused if the read gives other counts: the registry or the store changed since).
    #[arg(long)]
    keep_responses: bool,
    /// With --keep-responses, keep the free-text comments too (redacted of personal data).
    #[arg(long, requires = "keep_responses")]
    keep_comments: bool,
    /// Memory the duplicate check may hold, in MiB; beyond it, sorted fingerprints spill to
    /// temporary files (in TMPDIR). Any value gives the same result.
    #[arg(long, default_value_t = fedcx_ingest::pipeline::DEFAULT_DEDUP_MEMORY >> 20, value_name = "MIB",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1 << 20))]
    dedup_memory_mib: usize,
    /// The most service x channel x quarter groups one ingest counts; past it the ingest stops
    /// with an error, before memory runs out (each group holds about 4.5 KB while reading).
    #[arg(long, default_value_t = fedcx_ingest::pipeline::DEFAULT_MAX_GROUPS, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    max_groups: usize,
    /// For Touchpoints version-2 uploads: the collection detail they belong to (by default the
    /// upload's file name, `<detail id>.csv`, names it). Ingest the detail export in the same command.
    #[arg(long, value_name = "ID")]
    detail: Option<String>,
    /// The survey year of OPM FEVS respondent-level files (PRDF), which carry no year column;
    /// a PRDF given without it is refused. A row whose `YEAR` (2023 on) disagrees is rejected.
    #[arg(long, value_name = "YYYY", value_parser = parse_fevs_year)]
    fevs_year: Option<fedcx_model::fevs::SurveyYear>,
}

fn parse_channel(s: &str) -> Result<fedcx_model::Channel, String> {
    s.parse::<fedcx_model::Channel>().map_err(|e| e.to_string())
}

/// Loads the mapping named by --mapping and gives it the service and channel of --service and
/// --channel. A mapping that still has no way to read either is refused here, before any file is
/// read: a shipped mapping holds a tool's conventions, and booking every row to a service it
/// guessed would be silent misbooking.
fn mapping_of(registry: &Registry, args: &Args, path: &Path) -> Result<fedcx_ingest::Mapping> {
    let mut mapping = fedcx_ingest::load_mapping(path)?;
    let service = match &args.service {
        Some(text) => {
            let Some(found) = registry.service_by_str(text) else {
                anyhow::bail!(
                    "--service {text:?}: no such service in the registry (`fedcx hisps --services` lists them)"
                )
            };
            Some(found.id.to_string())
        }
        None => None,
    };
    for (field, flag, value) in
        [("service_id", "--service", service), ("channel", "--channel", args.channel.map(|c| c.to_string()))]
    {
        let Some(value) = value else { continue };
        if let Some(column) = mapping.columns.get(field) {
            anyhow::bail!(
                "{flag} {value}: the mapping {} reads {field} from the column {column:?}; give one or the other",
                super::shown(path)
            );
        }
        mapping.constants.insert(field.to_owned(), value);
    }
    let lacking = mapping.unassigned();
    if !lacking.is_empty() {
        let flags: Vec<&str> =
            lacking.iter().map(|f| if *f == "channel" { "--channel CHANNEL" } else { "--service ID" }).collect();
        anyhow::bail!(
            "the mapping {} names no {}: give {} (every row of a mapped file gets them), or use a mapping that \
             names the column(s) holding them ([columns] {}, with [services] / [channels] maps of the export's \
             names). A shipped mapping holds a survey tool's conventions only, never an agency's service. \
             Services: `fedcx hisps --services`; channels: {}",
            super::shown(path),
            lacking.join(" and no "),
            flags.join(" and "),
            lacking.join(" / "),
            fedcx_model::Channel::CURRENT.map(|c| c.as_str()).join(", ")
        );
    }
    Ok(mapping)
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse::<Format>().map_err(|e| e.to_string())
}

fn parse_fevs_year(s: &str) -> Result<fedcx_model::fevs::SurveyYear, String> {
    let year: u16 = s.trim().parse().map_err(|_| format!("{s:?} is not a year (expected e.g. 2019)"))?;
    fedcx_model::fevs::SurveyYear::new(year).map_err(|e| e.to_string())
}

/// Runs the command.
pub fn run(registry: &Registry, args: &Args, store: &Path) -> Result<()> {
    let reader = match (&args.mapping, args.format) {
        (Some(m), Some(Format::Csv)) => Reader::Mapped(mapping_of(registry, args, m)?),
        (Some(m), None) => Reader::DetectOrMapped(mapping_of(registry, args, m)?),
        (Some(_), Some(f)) => anyhow::bail!("--mapping goes with --format csv, not --format {f}"),
        (None, Some(f)) => Reader::Format(f),
        (None, None) => Reader::Detect,
    };
    let config = IngestConfig {
        fail_on_reject: args.strict,
        keep_responses: if args.keep_responses { KeepResponses::Spilled } else { KeepResponses::No },
        max_record_lines: args.max_record_lines,
        dedup_memory: args.dedup_memory_mib << 20,
        max_groups: args.max_groups,
        balanced: fedcx_ingest::balanced::BalancedOptions { fevs_year: args.fevs_year },
        ..IngestConfig::default()
    };
    let mut run =
        IngestFiles::new(registry, &reader, config).rejects(args.rejects.as_deref()).detail(args.detail.clone());
    // An ingest that stores holds the store's write lock from before it reads what the store
    // holds until it has recorded what it read: two ingests at once read unlocked took the same
    // responses as new and both stored them. A dry run only reads, and must not change the store,
    // not even migrate it.
    let opened = match (args.no_store, store.exists()) {
        (true, false) => None,
        (true, true) => Some(fedcx_store::Store::open_read_only(store)?),
        (false, _) => Some(fedcx_store::Store::open(store)?),
    };
    let lock = match &opened {
        Some(st) if !args.no_store => Some(st.lock_for_ingest(&mut || {
            if !super::quiet() {
                eprintln!("waiting for another ingest into {} to finish", super::shown(store));
            }
        })?),
        _ => None,
    };
    let reading = lock.as_ref().map(fedcx_store::IngestLock::store).or(opened.as_ref());
    // Files the store already holds are skipped by the ingestor's own same-content check, so each
    // file is hashed once.
    let history = match reading {
        Some(st) => {
            // A file being replaced is leaving: its responses are not duplicates of the new one's.
            let leaving: Vec<fedcx_model::Digest> =
                args.replace.iter().map(|r| super::store::stored_sha(st, r)).collect::<Result<_>>()?;
            let stored = if args.no_store {
                Default::default()
            } else {
                st.manifest()?.into_iter().map(|e| (e.sha256, e)).collect()
            };
            Some((st, leaving, stored))
        }
        None => None,
    };
    if let Some((st, leaving, stored)) = &history {
        run = run.history(st, leaving, stored);
    }
    // `--keep-responses` on a file ingested without it adds its respondent-level rows (the
    // analyst's next step); with --replace it is refused like any content the store holds.
    let refill = args.keep_responses && args.replace.is_empty() && !args.no_store;
    let result = run.refill_responses(refill).run(&args.files)?;
    print_reconciliation(&result);
    let again = match (&history, refill) {
        (Some((st, _, stored)), true) => read_again(st, stored, &result, |own, others, path| {
            IngestFiles::new(registry, &reader, config)
                .detail(args.detail.clone())
                .history(st, own, others)
                .run(&[path])
        })?,
        _ => Vec::new(),
    };
    // Outputs first: if one fails, the store is left as it was, and the run can simply be repeated.
    if let Some(path) = &args.summary {
        super::write_output(path, serde_json::to_string_pretty(&summary_json(&result))?.as_bytes())?;
        super::report_written(path, "summary written");
    }
    if let Some(path) = &args.counts {
        super::write_output(path, serde_json::to_string(&result.total.counts)?.as_bytes())?;
        super::report_written(path, "counts written");
    }
    if let Some(path) = &args.rejects {
        super::report_written(path, "rejects written");
    }
    let unusable = files_with_nothing_accepted(&result);
    let refused: Vec<&fedcx_ingest::FileReport> = match &history {
        Some((_, _, stored)) => result
            .files
            .iter()
            .filter(|f| f.skipped_same_content && stored.contains_key(&f.sha256))
            .filter(|f| !again.iter().any(|r| r.files.iter().any(|g| g.sha256 == f.sha256)))
            .collect(),
        None => Vec::new(),
    };
    if !args.replace.is_empty() {
        // A replacement is all or nothing: the old file leaves only if every file given is stored
        // (a repeat of one of them in the same command is no loss). Replacing a file by itself
        // used to take it out and put nothing in.
        if !unusable.is_empty() {
            anyhow::bail!("nothing was replaced or added: {}", unusable_files(&result, &unusable));
        }
        if !refused.is_empty() {
            let names: Vec<String> = refused.iter().map(|f| super::shown(&f.path)).collect();
            return Err(super::Refused {
                message: Some(format!(
                    "nothing was replaced or added: the store already holds the content of {}; --replace changes \
                     the store only when every file given is new to it",
                    names.join(", ")
                )),
            }
            .into());
        }
    }
    let mut refused_now = 0;
    if let (Some(lock), Some((_, leaving, _))) = (lock, &history) {
        let keep = super::store::Keep { responses: args.keep_responses, comments: args.keep_comments };
        refused_now = super::store::record(lock, registry, (&result, &again), keep, &unusable, leaving)?;
    }
    if !unusable.is_empty() {
        anyhow::bail!("{}", unusable_files(&result, &unusable));
    }
    if !refused.is_empty() || refused_now > 0 {
        // Each refusal was said when it was met; the status tells a script that nothing new came
        // of those files.
        return Err(super::Refused { message: None }.into());
    }
    Ok(())
}

/// The files of `result` whose content the store holds without their respondent-level rows, each
/// read again by `ingest(own, others, path)` with the store's fingerprints but its own (`own`)
/// and every stored content but its own (`others`) as known: as it was read when first ingested,
/// so the store can check it gives the same counts before it adds the rows.
fn read_again(
    store: &fedcx_store::Store,
    stored: &std::collections::BTreeMap<fedcx_model::Digest, fedcx_store::ManifestEntry>,
    result: &IngestResult,
    mut ingest: impl FnMut(
        &[fedcx_model::Digest],
        &std::collections::BTreeMap<fedcx_model::Digest, fedcx_store::ManifestEntry>,
        PathBuf,
    ) -> Result<IngestResult>,
) -> Result<Vec<IngestResult>> {
    let mut out = Vec::new();
    for f in result.files.iter().filter(|f| f.skipped_same_content && stored.contains_key(&f.sha256)) {
        if store.keeps_responses(&f.sha256)? || out.iter().any(|r: &IngestResult| r.files[0].sha256 == f.sha256) {
            continue;
        }
        if f.path == Path::new("-") {
            anyhow::bail!(
                "-: the store holds this content without its respondent-level rows, but standard input cannot be \
                 read twice: give the file by its path to add them"
            );
        }
        let own = [f.sha256];
        let mut others = stored.clone();
        others.remove(&f.sha256);
        let again = ingest(&own, &others, f.path.clone())?;
        match again.files.as_slice() {
            [g] if g.sha256 == f.sha256 && !g.skipped_same_content => out.push(again),
            _ => anyhow::bail!("{}: the file changed while it was read; run the ingest again", super::shown(&f.path)),
        }
    }
    Ok(out)
}

/// The error for files that had every row rejected: each with its most frequent reasons, so the
/// fix is clear from the one error line.
fn unusable_files(result: &IngestResult, unusable: &[usize]) -> String {
    let names: Vec<String> = unusable
        .iter()
        .map(|&i| {
            let f = &result.files[i];
            let top: Vec<String> =
                f.reconciliation.reasons_by_count().iter().take(3).map(|(k, v)| format!("{k} {v}")).collect();
            format!("{} ({})", super::shown(&f.path), top.join(", "))
        })
        .collect();
    format!(
        "{} file(s) had every row rejected and were not recorded as ingested, so a corrected file can be ingested: {}",
        names.len(),
        names.join(", ")
    )
}

/// Files (indices into `result.files`) that had rows but none accepted: recording them would
/// refuse the corrected re-run as a repeat, and they contribute nothing.
fn files_with_nothing_accepted(result: &IngestResult) -> Vec<usize> {
    result
        .files
        .iter()
        .enumerate()
        // A file of nothing but duplicates (a re-export of stored responses) adds nothing but is
        // not broken: it is recorded, and the summary says what it held.
        .filter(|(_, f)| !f.skipped_same_content && f.reconciliation.accepted == 0 && f.reconciliation.rejected > 0)
        .map(|(i, _)| i)
        .collect()
}

/// How one ingest command reads its files: built with [`IngestFiles::new`] and its setters of
/// what is optional, then [`IngestFiles::run`].
#[derive(Debug, Clone)]
pub struct IngestFiles<'a> {
    registry: &'a Registry,
    reader: &'a Reader,
    config: IngestConfig,
    rejects: Option<&'a Path>,
    detail: Option<String>,
    history: Option<History<'a>>,
    /// Files the store holds without their respondent-level rows are to be read again for them
    /// (`--keep-responses`, not `--replace`): their skip is no refusal.
    refill: bool,
}

/// What the history store already holds.
#[derive(Debug, Clone, Copy)]
struct History<'a> {
    store: &'a fedcx_store::Store,
    /// Files about to be replaced (by SHA-256): their responses are not duplicates.
    leaving: &'a [fedcx_model::Digest],
    /// Files the store already holds, by SHA-256: their content is skipped.
    stored: &'a std::collections::BTreeMap<fedcx_model::Digest, fedcx_store::ManifestEntry>,
}

impl<'a> IngestFiles<'a> {
    /// Reads files with `reader` and `config`, with no reject file and no store.
    pub fn new(registry: &'a Registry, reader: &'a Reader, config: IngestConfig) -> IngestFiles<'a> {
        IngestFiles { registry, reader, config, rejects: None, detail: None, history: None, refill: false }
    }

    /// Where rejected rows go (`-` for standard output).
    pub fn rejects(mut self, path: Option<&'a Path>) -> Self {
        self.rejects = path;
        self
    }

    /// The collection detail of Touchpoints uploads, when named.
    pub fn detail(mut self, id: Option<String>) -> Self {
        self.detail = id;
        self
    }

    /// The store's content: files it holds are skipped, its details give uploads their context,
    /// and its responses (but those of the files `leaving`) make repeats duplicates.
    pub fn history(
        mut self,
        store: &'a fedcx_store::Store,
        leaving: &'a [fedcx_model::Digest],
        stored: &'a std::collections::BTreeMap<fedcx_model::Digest, fedcx_store::ManifestEntry>,
    ) -> Self {
        self.history = Some(History { store, leaving, stored });
        self
    }

    /// Whether a file whose content the store holds without its respondent-level rows is to be
    /// read again to add them (see `read_again`), rather than refused.
    pub fn refill_responses(mut self, refill: bool) -> Self {
        self.refill = refill;
        self
    }

    /// Ingests `files`, with a progress bar on large files when stderr is a terminal. The reject
    /// file is written to a temporary file and moved into place only when every file was read.
    pub fn run(&self, files: &[PathBuf]) -> Result<IngestResult> {
        ingest_files(self, files)
    }
}

fn ingest_files(run: &IngestFiles<'_>, files: &[PathBuf]) -> Result<IngestResult> {
    let reader = run.reader;
    let no_stored = std::collections::BTreeMap::new();
    let stored = run.history.map_or(&no_stored, |h| h.stored);
    let mut builder = Ingestor::builder(run.registry, run.config).detail(run.detail.clone());
    if let Some(h) = run.history {
        // Details ingested earlier give later uploads their context.
        // A file being replaced is leaving: its records are not duplicates of the new one's.
        builder = builder.known_details(h.store.details_except(h.leaving)?);
        let mut failed = None;
        let fps = h.store.response_fingerprints_except(h.leaving).map_while(|r| r.map_err(|e| failed = Some(e)).ok());
        builder = builder.known_responses(fps)?;
        if let Some(e) = failed {
            return Err(e.into());
        }
    }
    for digest in stored.keys() {
        builder = builder.ingested(*digest);
    }
    // The reject file is committed after the ingest; `-` streams it to standard output.
    let mut rejects_file = None;
    if let Some(path) = run.rejects {
        let out: Box<dyn std::io::Write> = if path == Path::new("-") {
            Box::new(std::io::BufWriter::new(std::io::stdout()))
        } else {
            let file = std::rc::Rc::new(std::cell::RefCell::new(fedcx_a11::output::OutputFile::create(path)?));
            rejects_file = Some(std::rc::Rc::clone(&file));
            Box::new(SharedWriter(file))
        };
        builder = builder.rejects(out, path);
    }
    let mut ingestor = builder.build()?;
    let interactive = std::io::stderr().is_terminal();
    for path in files {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let bar = (interactive && size >= PROGRESS_MIN_BYTES).then(|| {
            let bar = indicatif::ProgressBar::new(size);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{msg} [{bar:40}] {bytes}/{total_bytes} {rate} eta {steady_eta}",
                )
                .expect("the template is fixed")
                .with_key("rate", |st: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(
                        w,
                        "{}",
                        steady_rate(st.pos(), st.elapsed())
                            .map_or("…".to_owned(), |r| { format!("{}/s", indicatif::HumanBytes(r as u64)) })
                    );
                })
                .with_key("steady_eta", |st: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let eta = steady_rate(st.pos(), st.elapsed()).map(|r| {
                        let left = st.len().unwrap_or(0).saturating_sub(st.pos()) as f64;
                        std::time::Duration::from_secs_f64(left / r)
                    });
                    let _ = write!(w, "{}", eta.map_or("…".to_owned(), |d| format!("{}", indicatif::HumanDuration(d))));
                })
                .progress_chars("=> "),
            );
            bar.set_message(super::shown(path));
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
            // One message per event: the store's earlier entry when it holds the content, else
            // the earlier file of this command.
            let kept = match (stored.get(&report.sha256), run.history) {
                (Some(e), Some(h)) => Some((e, h.store.keeps_responses(&e.sha256)?)),
                _ => None,
            };
            match kept {
                Some((e, false)) if run.refill => super::say!(
                    "{}: the store holds this content (ingested from {} on {}) without its respondent-level rows: \
                     reading it again to add them",
                    super::shown(path),
                    super::escape_controls(&e.path),
                    e.ingested_at
                ),
                Some((e, kept)) => eprintln!(
                    "{}: refused: the same content was already ingested from {} on {} (sha256 {}); nothing was added{}",
                    super::shown(path),
                    super::escape_controls(&e.path),
                    e.ingested_at,
                    e.sha256,
                    match (kept, run.config.keep_responses.any()) {
                        (true, _) => "",
                        // Refused because of --replace (refills are off then).
                        (false, true) => " (to add its respondent-level rows, run again without --replace)",
                        (false, false) => " (to add its respondent-level rows, ingest it again with --keep-responses)",
                    }
                ),
                None => eprintln!(
                    "{}: skipped, its content was already ingested in this run (sha256 {})",
                    super::shown(path),
                    report.sha256
                ),
            }
        }
    }
    let result = ingestor.finish()?;
    check_counts_fit(&result)?;
    if let Some(file) = rejects_file {
        let file =
            std::rc::Rc::try_unwrap(file).map_err(|_| anyhow::anyhow!("the reject file is still in use"))?.into_inner();
        file.commit()?;
    }
    Ok(result)
}

/// Refuses counts above [`fedcx_model::MAX_COUNT`] (2^53), the largest every consumer keeps
/// exactly, before they are printed, written or stored: each value read is within it, but a
/// file's rows, or several files, may sum past it (2,100 rows of 2^53 once printed a wrapped total
/// of 468374361246531584). Sums stop at `u64::MAX` rather than wrap (`Tally::merge`), so a sum
/// past the bound is always seen here.
fn check_counts_fit(result: &IngestResult) -> Result<()> {
    fn too_large(c: &fedcx_model::Contribution) -> Option<String> {
        for (k, t) in c.counts.iter() {
            if let Some(cell) = t.cells().into_iter().find(|cell| cell.n > fedcx_model::MAX_COUNT) {
                return Some(format!(
                    "count of {} {} {} {}/{}",
                    k.service,
                    k.channel,
                    k.quarter.compact(),
                    cell.item,
                    cell.point
                ));
            }
        }
        c.web_traffic
            .iter()
            .find(|(_, v)| **v > fedcx_model::MAX_COUNT)
            .map(|((domain, month), _)| format!("visits to {domain} in {month}"))
    }
    let past = format!(
        "sums to more than {} (2^53), the largest count fedcx keeps exactly; nothing was stored",
        fedcx_model::MAX_COUNT
    );
    for d in &result.per_file {
        if let Some(what) = too_large(&d.contribution) {
            anyhow::bail!("{}: the {what} {past}", super::shown(&result.files[d.report_index].path));
        }
    }
    if let Some(what) = too_large(&result.total) {
        anyhow::bail!("together, the files' {what} {past}");
    }
    Ok(())
}

/// Bytes per second over the whole run so far: steady from the start, unlike a short moving
/// window, which reads a slow first buffer as "eta 6y". Nothing until a quarter second has passed.
fn steady_rate(pos: u64, elapsed: std::time::Duration) -> Option<f64> {
    let secs = elapsed.as_secs_f64();
    (secs >= 0.25 && pos > 0).then(|| pos as f64 / secs)
}

/// A writer the ingestor can own while the command keeps the file to commit it afterwards.
struct SharedWriter(std::rc::Rc<std::cell::RefCell<fedcx_a11::output::OutputFile>>);

impl std::io::Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.borrow_mut().flush()
    }
}

/// The excluded count with its words around it, or nothing when no row was excluded (most files).
fn excluded_part(r: &fedcx_ingest::Reconciliation, before: &str, after: &str) -> String {
    if r.excluded == 0 {
        String::new()
    } else {
        format!("{before}{}{after}", r.excluded)
    }
}

/// Prints the reconciliation for people.
pub fn print_reconciliation(result: &IngestResult) {
    // A skipped file already had its one message, when it was met.
    for f in result.files.iter().filter(|f| !f.skipped_same_content) {
        let r = &f.reconciliation;
        super::say!(
            "{} ({}): {} read, {} accepted, {} rejected, {} duplicates{}",
            super::shown(&f.path),
            f.format,
            r.read,
            r.accepted,
            r.rejected,
            r.duplicates,
            excluded_part(r, ", ", " excluded"),
        );
    }
    for f in &result.files {
        for finding in &f.plausibility {
            eprintln!("{} {}: {} [{}]", super::label("check"), super::shown(&f.path), finding.message, finding.kind);
        }
    }
    let r = &result.reconciliation;
    super::say!(
        "total: {} read = {} accepted + {} rejected + {} duplicates{}",
        r.read,
        r.accepted,
        r.rejected,
        r.duplicates,
        excluded_part(r, " + ", " excluded")
    );
    let l = &r.lines;
    if l.physical > 0 {
        // Lines inside rows beyond one per row are where an unbalanced quote shows.
        super::say!(
            "lines: {} = {} header + {} blank + {} in rows ({} beyond one per row)",
            l.physical,
            l.header,
            l.blank,
            l.in_rows,
            l.in_rows.saturating_sub(r.read)
        );
    }
    if !r.rejected_by_reason.is_empty() {
        let reasons: Vec<String> = r.reasons_by_count().iter().map(|(k, v)| format!("{k} {v}")).collect();
        super::say!("rejected by reason: {}", reasons.join(", "));
    }
    if !r.excluded_by_reason.is_empty() {
        // Previews, tests and spam: read, not respondents' answers, so neither accepted nor rejected.
        let reasons: Vec<String> = r.excluded_by_reason.iter().map(|(k, v)| format!("{k} {v}")).collect();
        super::say!("excluded (not respondents' answers) by reason: {}", reasons.join(", "));
    }
    if !r.warnings.is_empty() {
        // Rows kept and counted, with something set aside; each kind says what.
        for (kind, n) in &r.warnings {
            let what = match kind.as_str() {
                fedcx_ingest::touchpoints::warning::HIDDEN_FOLLOW_UP_IGNORED => {
                    "row(s) had boxes ticked under the follow-up question their trust answer hid (Touchpoints' form \
                     hides it but keeps the boxes): the answers are counted, those boxes are not"
                }
                fedcx_ingest::touchpoints::v1_warning::QUESTION_NOT_ON_5_POINT_SCALE => {
                    "version-1 question(s) were asked on another scale (3-point, 10-point): kept out of % agree, \
                     written back in the records"
                }
                fedcx_ingest::touchpoints::v1_warning::YES_NO_QUESTION_MAPPED => {
                    "version-1 yes/no question(s) reported as no = 1, yes = 5: \"yes\" counted as agreeing"
                }
                fedcx_ingest::touchpoints::v1_warning::ORGANIZATION_COLUMNS_SWAPPED => {
                    "row(s) had the organization's name and abbreviation swapped (as Touchpoints' version-1 export \
                     wrote them): read in the right order"
                }
                fedcx_ingest::touchpoints::v1_warning::POINT_SCALE_DISAGREES => {
                    "q*_point_scale value(s) are not the mean of their question's counts: the counts were used"
                }
                fedcx_ingest::mapped::warning::PARTIAL_RESPONSE_KEPT => {
                    "partial response(s) (Finished = False) kept because the trust question (or, in version 1, a \
                     question) was answered (with blank = \"not_selected\", a follow-up question with no box ticked counts as not offered)"
                }
                other => v1_warning_words(other).unwrap_or("row(s)"),
            };
            eprintln!("{} {n} {what} [{kind}]", super::label("warning"));
        }
    }
    print_notices(result);
    if !r.redactions.is_empty() {
        let red: Vec<String> = r.redactions.iter().map(|(k, v)| format!("{k} {v}")).collect();
        super::say!("personal data redacted from free text (comments, source notes): {}", red.join(", "));
    }
    // Summed wide: each count is within 2^53 (`check_counts_fit`), but thousands of groups of
    // such counts are not within 2^64.
    let respondents: u128 =
        result.total.counts.iter().map(|(_, t)| u128::from(t.v1.respondents) + u128::from(t.v2.respondents)).sum();
    super::say!(
        "counts: {} groups (service x channel x quarter), {respondents} respondents; {} collection details",
        result.total.counts.len(),
        result.total.details.len()
    );
    if !result.total.benchmarks.is_empty() {
        super::say!("benchmark series: {} values", result.total.benchmarks.len());
    }
    if !result.total.web_traffic.is_empty() {
        let total: u128 = result.total.web_traffic.values().map(|&v| u128::from(v)).sum();
        super::say!("web traffic: {} domain-months, {total} visits", result.total.web_traffic.len());
    }
    print_balanced(&fedcx_ingest::balanced::balanced_inputs(result));
}

/// What each warning of the version-1 readers (the published data's) means, after its count.
fn v1_warning_words(kind: &str) -> Option<&'static str> {
    use fedcx_ingest::published_cx::warning as published;
    use fedcx_ingest::touchpoints::v1_warning as v1;
    Some(match kind {
        v1::ANSWERS_EXCEED_RESPONDENTS => {
            "question(s) had more answers than the record's respondents: the answers are counted as reported, \
             the respondents stay as reported"
        }
        v1::RESPONDENTS_FROM_ANSWERS => {
            "record(s) reported no respondents (blank or 0) beside answers: the most answered question's answers \
             were counted as its respondents"
        }
        v1::CHANNEL_NOT_REPORTED => {
            "record(s) had a blank channel: kept under `not_reported`, on neither side of digital versus assisted"
        }
        v1::QUESTION_SCALE_UNCLEAR => {
            "question text(s) speak of a scale fedcx cannot read: counted as 5-point, check the wording"
        }
        v1::OMB_CONTROL_NUMBER_CLEANED => "OMB control number(s) written inside other text were cleaned to NNNN-NNNN",
        v1::OFFERED_ZERO_READ_AS_UNKNOWN => {
            "record(s) reported 0 customers offered the survey beside respondents: read as unknown"
        }
        v1::SAME_COUNTS_UNDER_ANOTHER_SERVICE => {
            "record(s) had exactly the counts of an earlier record filed under another service: both counted, \
             as published"
        }
        v1::SERVICE_NAME_DIFFERS => "record(s) named their service otherwise than the registry does",
        v1::CHANNEL_NOT_IN_REGISTRY => "record(s) used a channel the registry does not list for the service",
        v1::SERVICE_OUTSIDE_REGISTRY_YEARS => "record(s) fall outside the fiscal years the registry gives the service",
        v1::PROVIDER_NOT_IN_REGISTRY => {
            "record(s) named a service provider the registry lacks: the service was resolved alone"
        }
        published::MORE_PAGES => {
            "JSON:API document(s) name a further page (links.next) this file does not hold: fetch it too"
        }
        published::AGREE_TOTAL_DISAGREES => {
            "long-form row(s) whose agree total is not agree + strongly agree: the two counts were used"
        }
        _ => return None,
    })
}

/// How many of each kind of notice are printed per file; the rest are in `--summary`.
const NOTICES_SHOWN: usize = 3;

/// The first notices of each kind, per file, with the line they concern.
fn print_notices(result: &IngestResult) {
    for f in &result.files {
        let mut by_kind: std::collections::BTreeMap<&str, Vec<&fedcx_ingest::reconcile::Notice>> = Default::default();
        for n in &f.notices {
            by_kind.entry(n.kind).or_default().push(n);
        }
        for (kind, notices) in by_kind {
            for n in notices.iter().take(NOTICES_SHOWN) {
                let field = n.field.as_deref().map(|c| format!(" {c}")).unwrap_or_default();
                eprintln!(
                    "{} {}:{}{field}: {} [{kind}]",
                    super::label("note"),
                    super::shown(&f.path),
                    n.line,
                    super::escape_controls(&n.detail)
                );
            }
            if notices.len() > NOTICES_SHOWN {
                eprintln!(
                    "{} {}: {} more [{kind}] (every one in --summary)",
                    super::label("note"),
                    super::shown(&f.path),
                    notices.len() - NOTICES_SHOWN
                );
            }
        }
    }
}

/// One line on the balanced-measures inputs read, when there are any.
pub fn print_balanced(b: &fedcx_model::BalancedInputs) {
    if b.is_empty() {
        return;
    }
    let years: Vec<String> = b.fevs.iter().map(|c| c.year.to_string()).collect();
    let dates: Vec<String> = b.site_snapshots.iter().map(|s| s.taken.to_string()).collect();
    super::say!(
        "balanced measures: FEVS years [{}], {} business measures, {} Site Scanning snapshot(s) [{}]",
        years.join(", "),
        b.business.len(),
        b.site_snapshots.len(),
        dates.join(", ")
    );
}

#[cfg(test)]
mod tests {
    use super::steady_rate;
    use std::time::Duration;

    #[test]
    fn the_rate_waits_for_data_and_then_averages_the_whole_run() {
        assert_eq!(steady_rate(0, Duration::from_secs(1)), None);
        assert_eq!(steady_rate(1_000, Duration::from_millis(100)), None, "no estimate from a first buffer");
        assert_eq!(steady_rate(1_000, Duration::from_secs(2)), Some(500.0));
    }
}
