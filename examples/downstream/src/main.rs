//! A downstream use of fedcx's libraries: read respondent-level answers in fedcx's native CSV
//! layout, then print the A-11 trust score of a version-2 quarter with its 95% Wilson interval and
//! the ACSI-style index of the version-1 model.
//!
//! Run from this directory: `cargo run --release`, or give another CSV as the first argument.

use std::error::Error;
use std::path::PathBuf;

use fedcx_index::a11_index::{a11_index, IndexConfig};
use fedcx_index::scores::{self, ScoreConfig};
use fedcx_ingest::{IngestConfig, Ingestor, KeepResponses, Reader};
use fedcx_model::{FiscalQuarter, Quarter, Registry};

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/responses.csv"), PathBuf::from);

    // Ingest: the bundled registry knows the services; keep the responses for the index.
    let registry = Registry::bundled();
    let config = IngestConfig { keep_responses: KeepResponses::InMemory, ..IngestConfig::default() };
    let mut ingestor = Ingestor::new(&registry, config);
    ingestor.ingest_path(&path, &Reader::Detect, &mut |r| r)?;
    let result = ingestor.finish()?;
    let responses = result.responses().collect::<Result<Vec<_>, _>>()?;
    println!("{}: {} responses accepted", path.display(), responses.len());

    // The A-11 trust score of FY2025 Q2 (a version-2 quarter): the share agreeing they trust the
    // agency, with its 95% Wilson score interval.
    let quarter = FiscalQuarter::new(2025, Quarter::Q2)?;
    let tally = result.total.counts.sum_where(|key| key.quarter == quarter);
    let group = scores::score(&tally, &ScoreConfig::default());
    match group.trust_v2.as_ref().and_then(|t| t.agree.map(|a| (t.n, a))) {
        Some((n, share)) => println!(
            "trust, FY2025 Q2: {:.1}% agree (95% Wilson interval {:.1}% to {:.1}%), {} of {n} answers{}",
            share.value * 100.0,
            share.lo * 100.0,
            share.hi * 100.0,
            share.count,
            if group.suppressed { " (below the reporting minimum)" } else { "" }
        ),
        None => println!("trust, FY2025 Q2: no version-2 answers"),
    }

    // The ACSI-style index for the same quarter's report: the A-11 PLS model on the latest
    // version-1 year at or before it, with a bootstrap interval.
    let config = IndexConfig { bootstrap: 500, ..IndexConfig::default() };
    match a11_index(&responses, quarter, &config)? {
        Some(index) => {
            print!("index: {:.1} on 0-100", index.value);
            if let Some((lo, hi)) = index.interval {
                print!(" (bootstrap 95% interval {lo:.1} to {hi:.1})");
            }
            println!(
                ", {}; {} respondents, {} left out for a missing answer",
                index.label(),
                index.respondents,
                index.dropped
            );
        }
        None => println!("index: no version-1 responses at or before FY2025 Q2"),
    }
    Ok(())
}
