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
    let mut ingestor = Ingestor::new(registry, IngestConfig { keep_responses: true, ..IngestConfig::default() });
    let rejects_path = args.out.join("rejects.csv");
    std::fs::create_dir_all(&args.out)?;
    let rejects = std::fs::File::create(&rejects_path)?;
    ingestor.write_rejects_to(Box::new(std::io::BufWriter::new(rejects)), &rejects_path)?;
    ingestor.ingest_bytes(Path::new(demo_data::DETAILS_NAME), demo_data::DETAILS, &Reader::Detect)?;
    ingestor.ingest_bytes(Path::new(demo_data::RESPONSES_NAME), demo_data::RESPONSES, &Reader::Detect)?;
    let result = ingestor.finish()?;
    super::ingest::print_reconciliation(&result);
    let summary_path = args.out.join("ingest-summary.json");
    super::write_output(&summary_path, serde_json::to_string_pretty(&summary_json(&result))?.as_bytes())?;
    let counts_path = args.out.join("counts.json");
    super::write_output(&counts_path, serde_json::to_string(&result.counts)?.as_bytes())?;
    let latest = *result.counts.quarters().last().context("the demo data has no quarter")?;
    let balanced = fedcx_model::balanced::BalancedInputs::default();
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
    let dir = super::report::write_report(registry, &result, latest, &args.out, options)?;
    super::say!("\ningest outputs:");
    for p in [&summary_path, &counts_path, &rejects_path] {
        super::say!("  {}", super::shown(p));
    }
    super::report::print_outputs(&dir)?;
    super::say!("\nopen {} in a browser for the report", dir.join("report.html").display());
    Ok(())
}
