//! `fedcx template details`: the collection-detail file for an analyst to fill in with volumes.

use std::path::PathBuf;

use anyhow::Result;
use fedcx_model::{ProviderSlug, Registry};

/// Arguments of `fedcx template`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(clap::Subcommand)]
enum What {
    /// Touchpoints' 28-column collection-detail file, one row per service and channel seen in the
    /// store for the quarter (or the registry's, if none), volumes blank for you to fill in.
    Details(DetailsArgs),
}

/// Arguments of `fedcx template details`.
#[derive(clap::Args)]
struct DetailsArgs {
    /// The fiscal year, when --quarter is 1 to 4.
    #[arg(long)]
    fy: Option<u16>,
    /// The quarter: FY2025Q2, or 1 to 4 with --fy.
    #[arg(long)]
    quarter: String,
    /// Only this provider's services (repeatable), e.g. treasury-irs.
    #[arg(long = "provider", value_name = "SLUG")]
    providers: Vec<ProviderSlug>,
    /// Where to write it (`-` for standard output); by default collection-details-FY2025Q2.csv.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs the command.
pub fn run(registry: &Registry, args: &Args, store: &super::store::Location) -> Result<()> {
    let What::Details(a) = &args.what;
    let quarter = super::report::quarter_of(a.fy, &a.quarter)?;
    for p in &a.providers {
        anyhow::ensure!(
            registry.provider(p).is_some(),
            "--provider {p}: no such provider in the registry (see `fedcx hisps`)"
        );
    }
    let counts =
        if store.path.exists() { store.open_read_only()?.load(&[quarter])?.counts } else { Default::default() };
    let table = fedcx_a11::records::detail_template(registry, &counts, quarter, &a.providers);
    let mut bytes = Vec::new();
    fedcx_a11::records::write_csv(&table, &mut bytes)?;
    let out = a.out.clone().unwrap_or_else(|| PathBuf::from(format!("collection-details-{}.csv", quarter.compact())));
    super::write_output(&out, &bytes)?;
    if out != std::path::Path::new("-") {
        eprintln!(
            "{} collection detail(s) for {quarter} written to {}: fill in the volumes, then `fedcx ingest` it",
            table.rows.len(),
            super::shown(&out)
        );
    }
    Ok(())
}
