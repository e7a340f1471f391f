//! `fedcx report`: the A-11 Section 280 records and the human report for one quarter.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use fedcx_a11::{IndexSummary, ReportInput};
use fedcx_index::a11_index::{a11_index, IndexConfig};
use fedcx_index::scores::ScoreConfig;
use fedcx_ingest::{IngestConfig, Reader};
use fedcx_model::{Contribution, SurveyResponse};
use fedcx_model::{FiscalQuarter, Quarter, Registry, SurveyVersion};

/// Arguments of `fedcx report`.
#[derive(clap::Args)]
pub struct Args {
    /// The fiscal year, e.g. 2025, when --quarter is given as 1 to 4.
    #[arg(long)]
    fy: Option<u16>,
    /// The fiscal quarter: FY2025Q2 (as every subcommand takes it), or 1 to 4 with --fy. Without `FY` (2025Q2) it is refused,
    /// as it could mean the calendar quarter.
    #[arg(long)]
    quarter: String,
    /// Where the FYyyyyQq directory is written.
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// A directory whose exports (collection details first, then the rest) are read, as the files are.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Export files to read for this report (they are not added to the store). With neither files
    /// nor --data, the report is made from the history store (--store); with no store either, it
    /// fails and says how to get data in: nothing is made from the bundled demo data, which only
    /// `fedcx demo` uses.
    files: Vec<PathBuf>,
    /// Groups with fewer responses are suppressed.
    #[arg(long, default_value_t = fedcx_index::scores::DEFAULT_MIN_RESPONSES)]
    min_responses: u64,
    /// A text file with the provider's reflection on the quarter (at most 5,000 characters).
    #[arg(long, value_name = "FILE")]
    reflection: Option<PathBuf>,
    /// Bootstrap resamples for the index's interval.
    #[arg(long, default_value_t = 200)]
    bootstrap: usize,
    /// Only this provider's services (repeatable), e.g. dhs-cbp; the report is titled by it.
    #[arg(long = "provider", value_name = "SLUG")]
    providers: Vec<fedcx_model::ProviderSlug>,
    /// Only this service (repeatable), e.g. treasury-irs-file-return.
    #[arg(long = "service", value_name = "ID")]
    services: Vec<fedcx_model::ServiceId>,
    /// Any problem in the records (a detail's volumes that do not add up, a bad control number...)
    /// fails the quarter with nothing written. Without it, the groups with problems are left out
    /// of the A-11 records and listed in problems.csv, and everything else is written.
    #[arg(long)]
    strict: bool,
    /// A TOML table of which channels count as digital in the "Digital adoption" section (see
    /// docs/balanced-measures.md); fedcx's own classification by default.
    #[arg(long, value_name = "FILE")]
    channel_classification: Option<PathBuf>,
    /// Write the report even when the quarter has no responses and no collection details (a
    /// report of zeros). Without it, such a quarter is an error (exit status 1) naming the quarters
    /// that do have data.
    #[arg(long)]
    allow_empty: bool,
}

/// A scope's title and the providers in it.
type NamedScope = (String, Vec<fedcx_model::ProviderSlug>);

/// Narrows the data to the providers and services asked for, and names the scope: one provider's
/// name, or the services' names. Nothing asked for: the data and no scope.
fn narrow(
    registry: &Registry,
    mut result: ReportData,
    providers: &[fedcx_model::ProviderSlug],
    services: &[fedcx_model::ServiceId],
) -> Result<(ReportData, Option<NamedScope>)> {
    if providers.is_empty() && services.is_empty() {
        return Ok((result, None));
    }
    let mut names = Vec::new();
    let mut in_scope: Vec<fedcx_model::ProviderSlug> = providers.to_vec();
    for p in providers {
        let Some(found) = registry.provider(p) else {
            anyhow::bail!("--provider {p}: no such provider in the registry (see `fedcx hisps`)")
        };
        names.push(found.name.clone());
    }
    for s in services {
        let Some(found) = registry.service(s) else {
            anyhow::bail!("--service {s}: no such service in the registry (see `fedcx hisps`)")
        };
        // A service of a provider already named adds nothing to the title.
        if !providers.contains(&found.provider) {
            names.push(found.name.clone());
        }
        if !in_scope.contains(&found.provider) {
            in_scope.push(found.provider.clone());
        }
    }
    let keep = |s: &fedcx_model::ServiceId| {
        services.contains(s) || registry.provider_of(s).is_some_and(|p| providers.contains(&p.slug))
    };
    let c = &mut result.contribution;
    c.counts = c.counts.iter().filter(|(k, _)| keep(&k.service)).map(|(k, t)| (k.clone(), t.clone())).collect();
    c.details.retain(|d| keep(&d.service));
    result.responses.retain(|r| keep(&r.service));
    Ok((result, Some((names.join(", "), in_scope))))
}

/// The quarter named by `--quarter FY2025Q2`, or by `--fy 2025 --quarter 2`.
pub(crate) fn quarter_of(fy: Option<u16>, quarter: &str) -> Result<FiscalQuarter> {
    match (fy, quarter.trim().parse::<u8>()) {
        (Some(year), Ok(q)) => Ok(FiscalQuarter::new(year, Quarter::from_number(q)?)?),
        (None, Ok(_)) => {
            anyhow::bail!("--quarter {quarter} needs --fy YEAR, or name the quarter whole: --quarter FY2025Q2")
        }
        (Some(year), Err(_)) => {
            let q = parse_quarter(quarter).map_err(anyhow::Error::msg)?;
            anyhow::ensure!(q.year() == year, "--fy {year} contradicts --quarter {quarter}");
            Ok(q)
        }
        (None, Err(_)) => parse_quarter(quarter).map_err(anyhow::Error::msg),
    }
}

/// A fiscal quarter as the command line names it: `FY2025Q2` (or `FY2025 Q2`, `fy2025-q2`). A
/// quarter without `FY` is refused: `2026Q4` reads as much like the calendar quarter (October to
/// December 2026, which is FY2027 Q1) as like the fiscal one, and reading it silently as either
/// reports the wrong three months for one of the two readers.
pub(crate) fn parse_quarter(text: &str) -> Result<FiscalQuarter, String> {
    let q: FiscalQuarter = text.parse().map_err(|e: fedcx_model::fiscal::FiscalError| e.to_string())?;
    if text.trim().to_ascii_uppercase().starts_with("FY") {
        return Ok(q);
    }
    let calendar_start =
        chrono::NaiveDate::from_ymd_opt(i32::from(q.year()), 3 * u32::from(q.quarter().number()) - 2, 1);
    let calendar = calendar_start.and_then(|d| FiscalQuarter::from_date(d).ok());
    let months = |q: FiscalQuarter| {
        let [first, _, last] = q.months();
        format!("{first} to {last}")
    };
    Err(match calendar {
        Some(c) => format!(
            "{text:?} names no fiscal year: did you mean {q} ({}) or {c} (calendar {} Q{}, {})? fedcx reads fiscal \
             quarters: write --quarter {} or --quarter {}",
            months(q),
            q.year(),
            q.quarter().number(),
            months(c),
            q.compact(),
            c.compact()
        ),
        None => format!("{text:?} names no fiscal year: fedcx reads fiscal quarters, write --quarter {}", q.compact()),
    })
}

/// Runs the command.
pub fn run(registry: &Registry, args: &Args, store: &super::store::Location) -> Result<()> {
    let quarter = quarter_of(args.fy, &args.quarter)?;
    let mut files = args.files.clone();
    if let Some(dir) = &args.data {
        let found = files_in(dir)?;
        // An empty --data directory must not fall back on the store: the user named the data.
        anyhow::ensure!(!found.is_empty(), "--data {}: the directory holds no files to read", super::shown(dir));
        files.extend(found);
    }
    // Never synthetic data by accident: with no files and no store, say how to get data in.
    // The balanced-measures inputs (FEVS, business results, Site Scanning) come from the same
    // place as the counts.
    let (result, balanced) = if files.is_empty() && (store.explicit || store.path.exists()) {
        super::say!("reading counts from the store {}", super::shown(&store.path));
        let st = store.open_read_only()?;
        (from_store(&st, quarter)?, st.load_balanced()?)
    } else if files.is_empty() {
        anyhow::bail!(
            "no data: no files were given and there is no store at {}. Ingest exports first (`fedcx ingest FILE...`), \
             give them to this command (`fedcx report --quarter {} FILE...`), or run `fedcx demo` for the bundled demo data",
            super::shown(&store.path),
            quarter.compact()
        );
    } else {
        let config = IngestConfig { keep_responses: fedcx_ingest::KeepResponses::InMemory, ..IngestConfig::default() };
        let r = super::ingest::IngestFiles::new(registry, &Reader::Detect, config).run(&files)?;
        super::ingest::print_reconciliation(&r);
        let balanced = fedcx_ingest::balanced::balanced_inputs(&r);
        (ReportData::from_ingest(r)?, balanced)
    };
    let reflection = args.reflection.as_deref().map(read_reflection).transpose()?;
    let (result, scope) = narrow(registry, result, &args.providers, &args.services)?;
    if !args.allow_empty && !has_data(&result.contribution, quarter) {
        let held: std::collections::BTreeSet<FiscalQuarter> = match (&args.data, args.files.is_empty()) {
            (None, true) if store.path.exists() => store.open_read_only()?.quarters()?.into_iter().collect(),
            _ => result.contribution.counts.iter().map(|(k, _)| k.quarter).collect(),
        };
        let held: Vec<String> = held.iter().map(|q| q.compact()).collect();
        anyhow::bail!(
            "no data for {}{}: no responses and no collection details{}. Nothing was written; pass --allow-empty for \
             a report of zeros",
            quarter.compact(),
            scope.as_ref().map(|(label, _)| format!(" ({label})")).unwrap_or_default(),
            if held.is_empty() { String::new() } else { format!(" (data is held for {})", held.join(", ")) }
        );
    }
    let classification = match &args.channel_classification {
        Some(path) => fedcx_ingest::load_channel_classification(path)?,
        None => fedcx_model::ChannelClassification::fedcx(),
    };
    let dir = write_report(
        registry,
        &result,
        quarter,
        &args.out,
        ReportOptions {
            min_responses: args.min_responses,
            reflection: reflection.as_deref(),
            bootstrap: args.bootstrap,
            strict: args.strict,
            demo: false,
            scope: scope.as_ref().map(|(label, providers)| fedcx_a11::Scope { label, providers }),
            balanced: &balanced,
            classification: &classification,
        },
    )?;
    print_outputs(&dir)
}

/// The reflection text, read up to just past what A-11 allows (a character is at most 4 bytes), so
/// `--reflection /dev/zero` or a mistaken large file is refused, not read whole.
fn read_reflection(path: &Path) -> Result<String> {
    use std::io::Read as _;
    let limit = 4 * fedcx_a11::records::MAX_REFLECTION_CHARS as u64;
    let file = std::fs::File::open(path).with_context(|| format!("cannot read {}", super::shown(path)))?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).with_context(|| format!("cannot read {}", super::shown(path)))?;
    anyhow::ensure!(
        bytes.len() as u64 <= limit,
        "{}: the reflection is longer than A-11's {} characters (read {} bytes and stopped)",
        super::shown(path),
        fedcx_a11::records::MAX_REFLECTION_CHARS,
        limit + 1
    );
    String::from_utf8(bytes).with_context(|| format!("{}: the reflection is not UTF-8 text", super::shown(path)))
}

/// Whether a quarter has anything to report: a count, a collection detail, a published figure of
/// performance.gov's or web visits in one of its months. (Benchmark series are yearly context,
/// not the quarter's data.)
fn has_data(c: &fedcx_model::Contribution, quarter: FiscalQuarter) -> bool {
    c.counts.iter().any(|(k, _)| k.quarter == quarter)
        || c.details.iter().any(|d| d.quarter == quarter)
        || c.published.iter().any(|p| p.quarter == quarter)
        || c.web_traffic.keys().any(|(_, m)| m.fiscal_quarter().is_ok_and(|q| q == quarter))
}

/// The quarter and its trend window, read from the store, with any respondent-level answers kept
/// for the quarter and for the latest version-1 fiscal year (the index is estimated on those).
fn from_store(store: &fedcx_store::Store, quarter: FiscalQuarter) -> Result<ReportData> {
    let quarters = quarter.trailing(fedcx_a11::report::TREND_QUARTERS);
    let loaded = store.load(&quarters)?;
    let mut wanted = vec![quarter];
    let v1_year = store
        .quarters()?
        .into_iter()
        .filter(|q| *q <= quarter && SurveyVersion::for_quarter(*q) == SurveyVersion::V1)
        .map(|q| q.year())
        .max();
    if let Some(year) = v1_year {
        wanted
            .extend(Quarter::ALL.iter().filter_map(|&qq| FiscalQuarter::new(year, qq).ok()).filter(|q| *q != quarter));
    }
    let responses = store.load_responses(&wanted)?;
    if responses.is_empty() {
        super::say!("the store keeps no respondent-level answers for {quarter} (ingest with --keep-responses): no 17-column uploads and no index");
    }
    Ok(ReportData { contribution: loaded, responses })
}

/// What a report is made from: the counts and series, and the respondent-level answers the index
/// and the 17-column uploads need (all of them in memory: the PLS model fits on them together).
#[derive(Debug, Default)]
pub struct ReportData {
    /// Counts, details and series.
    pub contribution: Contribution,
    /// Respondent-level answers.
    pub responses: Vec<SurveyResponse>,
}

impl ReportData {
    /// An ingest's total, with its kept responses read back.
    pub fn from_ingest(result: fedcx_ingest::IngestResult) -> Result<ReportData> {
        let responses = result.responses().collect::<Result<Vec<_>, _>>()?;
        Ok(ReportData { contribution: result.total, responses })
    }
}

/// Every file in a directory, collection-detail exports first (uploads need them), then by name.
fn files_in(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", super::shown(dir)))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort_by_key(|p| (!p.to_string_lossy().contains("detail"), p.clone()));
    Ok(files)
}

/// The ACSI-style index from the A-11 model on the latest version-1 fiscal year's responses.
pub fn estimate_index(result: &ReportData, quarter: FiscalQuarter, bootstrap: usize) -> Result<Option<IndexSummary>> {
    let config = IndexConfig { bootstrap, ..IndexConfig::default() };
    let index = a11_index(&result.responses, quarter, &config)?;
    Ok(index.map(|i| IndexSummary {
        label: i.label(),
        value: i.value,
        interval: i.interval,
        respondents: i.respondents,
    }))
}

/// How a quarter's report is made.
#[derive(Debug, Clone, Copy)]
pub struct ReportOptions<'a> {
    /// Groups with fewer responses are suppressed.
    pub min_responses: u64,
    /// The provider's reflection on the quarter.
    pub reflection: Option<&'a str>,
    /// Bootstrap resamples for the index's interval.
    pub bootstrap: usize,
    /// Any problem in the records fails the quarter with nothing written.
    pub strict: bool,
    /// The data is the bundled demo data (outputs say so; the folder is FYyyyyQq-DEMO).
    pub demo: bool,
    /// What the data was narrowed to, e.g. "U.S. Customs and Border Protection".
    pub scope: Option<fedcx_a11::Scope<'a>>,
    /// FEVS, business results and website scans for the balanced-measures and digital sections.
    pub balanced: &'a fedcx_model::balanced::BalancedInputs,
    /// Which channels count as digital.
    pub classification: &'a fedcx_model::ChannelClassification,
}

/// Writes the quarter's records and report, and summarises the groups withheld from the records.
pub fn write_report(
    registry: &Registry,
    result: &ReportData,
    quarter: FiscalQuarter,
    out: &Path,
    options: ReportOptions<'_>,
) -> Result<PathBuf> {
    let index = estimate_index(result, quarter, options.bootstrap)?;
    let input = ReportInput {
        registry,
        counts: &result.contribution.counts,
        details: &result.contribution.details,
        responses: &result.responses,
        benchmarks: &result.contribution.benchmarks,
        web_traffic: &result.contribution.web_traffic,
        published: &result.contribution.published,
        index: index.as_ref(),
        quarter,
        scores: ScoreConfig { min_responses: options.min_responses },
        reflection: options.reflection,
        strict: options.strict,
        demo: options.demo,
        scope: options.scope,
        balanced: options.balanced,
        classification: options.classification,
    };
    let dir = fedcx_a11::write_quarter(out, &input)?;
    summarise_problems(&dir)?;
    summarise_without_detail(&result.contribution, quarter);
    Ok(dir)
}

/// The groups with responses but no collection detail (so in the report, in no A-11 record), on
/// stderr as one line with the count and the first groups, as the problems are.
fn summarise_without_detail(c: &fedcx_model::Contribution, quarter: FiscalQuarter) {
    let groups = fedcx_a11::records::groups_without_detail(&c.counts, &c.details, quarter);
    if groups.is_empty() {
        return;
    }
    let respondents: u64 = groups.iter().map(|(_, n)| n).sum();
    let first: Vec<String> =
        groups.iter().take(3).map(|(k, n)| format!("{} / {} ({n})", k.service, k.channel)).collect();
    let more = if groups.len() > 3 { format!(", and {} more", groups.len() - 3) } else { String::new() };
    eprintln!(
        "{} {} group(s) with {respondents} respondents have no collection detail for {}, so they are in the report but \
         in no A-11 record: {}{more} (give their details: fedcx template details)",
        super::label("warning"),
        groups.len(),
        quarter.compact(),
        super::escape_controls(&first.join(", "))
    );
}

/// The groups withheld from the records, grouped by kind with counts and the first examples, on
/// stderr: one line per kind, not one per group.
fn summarise_problems(dir: &Path) -> Result<()> {
    let path = dir.join("problems.csv");
    if !path.exists() {
        return Ok(());
    }
    let mut by_kind: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut reader = csv::Reader::from_path(&path)?;
    for row in reader.records() {
        let row = row?;
        by_kind.entry(row.get(3).unwrap_or("").to_owned()).or_default().push(format!(
            "{} / {}",
            row.get(1).unwrap_or(""),
            row.get(2).unwrap_or("")
        ));
    }
    let total: usize = by_kind.values().map(Vec::len).sum();
    eprintln!(
        "{} {total} problem(s) kept groups out of the A-11 records (the report has their numbers); details in {}:",
        super::label("warning"),
        super::shown(&path)
    );
    for (kind, groups) in &by_kind {
        let first: Vec<&str> = groups.iter().take(3).map(String::as_str).collect();
        let more = if groups.len() > 3 { format!(", and {} more", groups.len() - 3) } else { String::new() };
        eprintln!("  {kind}: {} ({}{more})", groups.len(), super::escape_controls(&first.join(", ")));
    }
    Ok(())
}

/// Lists what was written.
pub fn print_outputs(dir: &Path) -> Result<()> {
    super::say!("report written to {}:", super::shown(dir));
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            let n = std::fs::read_dir(&p)?.count();
            super::say!("  {}/ ({n} files)", super::shown(&p));
        } else {
            super::say!("  {}", super::shown(&p));
        }
    }
    Ok(())
}
