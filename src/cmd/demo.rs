//! `fedcx demo`: the whole pipeline on the bundled demo data.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use fedcx_ingest::pipeline::summary_json;
use fedcx_ingest::{IngestConfig, Ingestor, Reader};
use fedcx_model::Registry;

use crate::demo_data;

/// Arguments of `fedcx demo`.
#[derive(clap::Args)]
pub struct Args {
    /// Where to write the outputs.
    #[arg(long, default_value = "fedcx-demo")]
    out: PathBuf,
    /// Groups with fewer responses are suppressed.
    #[arg(long, default_value_t = fedcx_index::scores::DEFAULT_MIN_RESPONSES)]
    min_responses: u64,
}

/// Runs the command.
pub fn run(registry: &Registry, args: &Args) -> Result<()> {
    super::say!("fedcx demo: bundled synthetic data (not real responses), FY2022-FY2025");
    let rejects_path = args.out.join("rejects.csv");
    std::fs::create_dir_all(&args.out)?;
    let rejects = std::fs::File::create(&rejects_path)?;
    let mut ingestor = Ingestor::builder(
        registry,
        IngestConfig { keep_responses: fedcx_ingest::KeepResponses::InMemory, ..IngestConfig::default() },
    )
    .rejects(Box::new(std::io::BufWriter::new(rejects)), &rejects_path)
    .build()?;
    ingestor.ingest_bytes(Path::new(demo_data::DETAILS_NAME), demo_data::DETAILS, &Reader::Detect)?;
    ingestor.ingest_bytes(Path::new(demo_data::RESPONSES_NAME), demo_data::RESPONSES, &Reader::Detect)?;
    let result = ingestor.finish()?;
    super::ingest::print_reconciliation(&result);
    let summary_path = args.out.join("ingest-summary.json");
    super::write_output(&summary_path, serde_json::to_string_pretty(&summary_json(&result))?.as_bytes())?;
    let counts_path = args.out.join("counts.json");
    super::write_output(&counts_path, serde_json::to_string(&result.total.counts)?.as_bytes())?;
    let balanced = read_balanced(registry)?;
    super::ingest::print_balanced(&balanced);
    let latest = *result.total.counts.quarters().last().context("the demo data has no quarter")?;
    let classification = fedcx_model::ChannelClassification::fedcx();
    let options = super::report::ReportOptions {
        min_responses: args.min_responses,
        reflection: None,
        bootstrap: 200,
        strict: false,
        demo: true,
        scope: None,
        balanced: &balanced,
        classification: &classification,
    };
    let data = super::report::ReportData::from_ingest(result)?;
    let dir = super::report::write_report(registry, &data, latest, &args.out, options)?;
    super::say!("\ningest outputs:");
    for p in [&summary_path, &counts_path, &rejects_path] {
        super::say!("  {}", super::shown(p));
    }
    super::report::print_outputs(&dir)?;
    super::say!("\nopen {} in a browser for the report", dir.join("report.html").display());
    Ok(())
}

/// The bundled SYNTHETIC balanced-measures inputs (FEVS, business results, Site Scanning), each
/// file's account printed like an ingest's.
fn read_balanced(registry: &Registry) -> Result<fedcx_model::BalancedInputs> {
    use fedcx_ingest::balanced::{read_balanced, BalancedOptions};
    use fedcx_model::Format;
    let mut files: Vec<(&str, &[u8], Format, Option<u16>)> =
        demo_data::FEVS.iter().map(|&(year, name, bytes)| (name, bytes, Format::Fevs, Some(year))).collect();
    files.push((demo_data::BUSINESS.0, demo_data::BUSINESS.1, Format::BusinessResults, None));
    files.extend(demo_data::SITE_SCANS.iter().map(|&(name, bytes)| (name, bytes, Format::SiteScanning, None)));
    let mut parts = Vec::new();
    for (name, bytes, format, year) in files {
        let fevs_year = year.map(fedcx_model::fevs::SurveyYear::new).transpose()?;
        let read = read_balanced(Path::new(name), format, bytes, registry, &BalancedOptions { fevs_year })?;
        let r = &read.reconciliation;
        super::say!("{name} ({format}): {} read, {} accepted, {} rejected", r.read, r.accepted, r.rejected);
        parts.extend(read.part);
    }
    Ok(fedcx_model::BalancedInputs::from_parts(parts))
}
