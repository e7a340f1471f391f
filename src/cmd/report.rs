//! `fedcx report`: the A-11 Section 280 records and the human report for one quarter.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use fedcx_a11::{IndexSummary, ReportInput};
use fedcx_index::pls::{self, presets, BootstrapConfig, PathModel, PlsConfig};
use fedcx_index::scores::ScoreConfig;
use fedcx_ingest::{IngestConfig, IngestResult, Reader};
use fedcx_model::{Answers, FiscalQuarter, Quarter, Registry, SurveyVersion, V1Answer};

/// Arguments of `fedcx report`.
#[derive(clap::Args)]
pub struct Args {
    /// The fiscal year, e.g. 2025.
    #[arg(long)]
    fy: u16,
    /// The quarter, 1 to 4.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=4))]
    quarter: u8,
    /// Where the FYyyyyQq directory is written.
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// A directory whose exports (collection details first, then the rest) are ingested.
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Export files to ingest; with neither files nor --data, the bundled demo data is used.
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
}

/// Runs the command.
pub fn run(registry: &Registry, args: &Args, store: &super::store::Location) -> Result<()> {
    let quarter = FiscalQuarter::new(args.fy, Quarter::from_number(args.quarter)?)?;
    let mut files = args.files.clone();
    if let Some(dir) = &args.data {
        files.extend(files_in(dir)?);
    }
    // Never synthetic data by accident: with no files and no store, say how to get data in.
    let result = if files.is_empty() && (store.explicit || store.path.exists()) {
        println!("reading counts from the store {}", super::shown(&store.path));
        from_store(&store.open_read_only()?, quarter)?
    } else if files.is_empty() {
        anyhow::bail!(
            "no data: no files were given and there is no store at {}. Ingest exports first (`fedcx ingest FILE...`), \
             give them to this command (`fedcx report --fy {} --quarter {} FILE...`), or run `fedcx demo` for the bundled demo data",
            super::shown(&store.path),
            args.fy,
            args.quarter
        );
    } else {
        let config = IngestConfig { keep_responses: true, ..IngestConfig::default() };
        let stored = Default::default();
        let run = super::ingest::Run { reader: &Reader::Detect, config, rejects: None, detail: None, stored: &stored };
        let r = super::ingest::ingest_files(registry, &files, &run)?;
        super::ingest::print_reconciliation(&r);
        r
    };
    let reflection = args
        .reflection
        .as_ref()
        .map(|p| std::fs::read_to_string(p).with_context(|| format!("cannot read {}", super::shown(p))))
        .transpose()?;
    let dir =
        write_report(registry, &result, quarter, &args.out, args.min_responses, reflection.as_deref(), args.bootstrap)?;
    print_outputs(&dir)
}

/// The quarter and its trend window, read from the store, with any respondent-level answers kept
/// for the quarter and for the latest version-1 fiscal year (the index is estimated on those).
fn from_store(store: &fedcx_store::Store, quarter: FiscalQuarter) -> Result<IngestResult> {
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
        println!("the store keeps no respondent-level answers for {quarter} (ingest with --keep-responses): no 17-column uploads and no index");
    }
    Ok(IngestResult {
        counts: loaded.counts,
        details: loaded.details,
        benchmarks: loaded.benchmarks,
        web_traffic: loaded.web_traffic,
        published: loaded.published,
        responses,
        ..IngestResult::default()
    })
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
pub fn estimate_index(result: &IngestResult, quarter: FiscalQuarter, bootstrap: usize) -> Result<Option<IndexSummary>> {
    let years: Vec<u16> = result
        .responses
        .iter()
        .filter(|r| r.answers.version() == SurveyVersion::V1)
        .filter_map(|r| r.fiscal_quarter().ok())
        .filter(|q| *q <= quarter)
        .map(|q| q.year())
        .collect();
    let Some(&year) = years.iter().max() else { return Ok(None) };
    let preset = presets::a11();
    let model = PathModel::new(preset.spec)?;
    let mut columns: BTreeMap<String, Vec<Option<f64>>> = BTreeMap::new();
    for r in &result.responses {
        let Answers::V1(a) = &r.answers else { continue };
        if r.fiscal_quarter().map(|q| q.year()).ok() != Some(year) {
            continue;
        }
        for q in 1..=6usize {
            let v = match a.get(q - 1) {
                Some(V1Answer::Score(l)) => Some(f64::from(l.value())),
                _ => None,
            };
            columns.entry(format!("q{q}")).or_default().push(v);
        }
    }
    let data = pls::prepare_data(&model, &columns)?;
    let config = PlsConfig::default();
    let fit = pls::estimate(&model, &data.matrix, &config)?;
    let k = model.latent_index(preset.index_latent).expect("the preset names its latent");
    let value = pls::acsi_index(&model, &fit, k, preset.scale);
    let interval = if bootstrap > 0 {
        let b = pls::bootstrap(
            &model,
            &data.matrix,
            &config,
            &BootstrapConfig {
                resamples: bootstrap,
                seed: 1,
                index_of: Some((k, preset.scale)),
                ..BootstrapConfig::default()
            },
        )?;
        b.index.map(|i| (i.lo, i.hi))
    } else {
        None
    };
    Ok(Some(IndexSummary {
        label: format!("A-11 PLS model, FY{year} version-1 responses"),
        value,
        interval,
        respondents: data.matrix.nrows(),
    }))
}

/// Writes the quarter's records and report.
pub fn write_report(
    registry: &Registry,
    result: &IngestResult,
    quarter: FiscalQuarter,
    out: &Path,
    min_responses: u64,
    reflection: Option<&str>,
    bootstrap: usize,
) -> Result<PathBuf> {
    let index = estimate_index(result, quarter, bootstrap)?;
    let input = ReportInput {
        registry,
        counts: &result.counts,
        details: &result.details,
        responses: &result.responses,
        benchmarks: &result.benchmarks,
        web_traffic: &result.web_traffic,
        published: &result.published,
        index: index.as_ref(),
        quarter,
        scores: ScoreConfig { min_responses },
        reflection,
    };
    Ok(fedcx_a11::write_quarter(out, &input)?)
}

/// Lists what was written.
pub fn print_outputs(dir: &Path) -> Result<()> {
    println!("report written to {}:", super::shown(dir));
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            let n = std::fs::read_dir(&p)?.count();
            println!("  {}/ ({n} files)", super::shown(&p));
        } else {
            println!("  {}", super::shown(&p));
        }
    }
    Ok(())
}
