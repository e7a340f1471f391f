//! The balanced-measures inputs (OPM FEVS files, business results, GSA Site Scanning snapshots)
//! read whole, for `fedcx ingest`: they are not respondent-level, so they add nothing to the A-11
//! counts. Each file gives one [`BalancedPart`] (or, for OPM's index table, only its account) with
//! the same [`Reconciliation`] and rejections every other input has.

use std::io::Read;
use std::path::Path;

use fedcx_model::fevs::SurveyYear;
use fedcx_model::traits::Rejection;
use fedcx_model::{BalancedPart, Format, Registry, SiteSnapshot};

use crate::error::IngestError;
use crate::reconcile::Reconciliation;

/// What reading a balanced-measures file needs beyond its bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BalancedOptions {
    /// The survey year of FEVS respondent-level files (`ingest --fevs-year`): the files carry no
    /// year column (2023's `YEAR` is checked against it), so a PRDF without it is refused.
    pub fevs_year: Option<SurveyYear>,
}

/// What one balanced-measures file gave.
#[derive(Debug, Clone, PartialEq)]
pub struct BalancedRead {
    /// Its contribution; `None` for OPM's published index table, which is read and accounted for
    /// but not kept (the scorecard computes the indices from PRDF counts), and for a snapshot
    /// without an accepted row (it has no date).
    pub part: Option<BalancedPart>,
    /// Every row accounted for: `read = accepted + rejected`.
    pub reconciliation: Reconciliation,
    /// The rejected rows, in file order.
    pub rejections: Vec<Rejection>,
}

/// Reads one balanced-measures file of `format` (one for which [`Format::is_balanced`] holds).
/// A file that cannot be used at all is an error (a PRDF without [`BalancedOptions::fevs_year`],
/// missing columns, bad CSV); bad rows are rejections.
pub fn read_balanced<R: Read>(
    path: &Path,
    format: Format,
    input: R,
    registry: &Registry,
    options: &BalancedOptions,
) -> Result<BalancedRead, IngestError> {
    let read = read_part(path, format, input, registry, options)?;
    match read.reconciliation.imbalance() {
        None => Ok(read),
        Some(why) => Err(IngestError::Unreconciled { path: path.to_owned(), why }),
    }
}

fn read_part<R: Read>(
    path: &Path,
    format: Format,
    input: R,
    registry: &Registry,
    options: &BalancedOptions,
) -> Result<BalancedRead, IngestError> {
    match format {
        Format::Fevs => {
            let Some(year) = options.fevs_year else {
                return Err(IngestError::MissingContext {
                    path: path.to_owned(),
                    format: crate::fevs::PRDF_FORMAT,
                    what: "its survey year, which the file does not carry: give it with --fevs-year YYYY".to_owned(),
                });
            };
            let read = crate::fevs::read_prdf(path, input, &crate::fevs::PrdfConfig { year })?;
            Ok(BalancedRead {
                part: Some(BalancedPart::Fevs(read.counts)),
                reconciliation: read.reconciliation,
                rejections: read.rejections,
            })
        }
        Format::FevsIndex => {
            let table = crate::fevs::read_index_table(path, input)?;
            Ok(BalancedRead { part: None, reconciliation: table.reconciliation, rejections: table.rejections })
        }
        Format::BusinessResults => {
            let read = crate::business::read_business_results(path, input, registry)?;
            Ok(BalancedRead {
                part: Some(BalancedPart::Business(read.measures)),
                reconciliation: read.reconciliation,
                rejections: read.rejections,
            })
        }
        Format::SiteScanning => {
            let snap = crate::site_scan::read_snapshot(path, input)?;
            // The snapshot's date is its latest scan: the engine scans over a day or two.
            let part = snap.scans.iter().map(|s| s.scan_date).max().map(|taken| {
                BalancedPart::SiteSnapshot(SiteSnapshot {
                    taken,
                    source: path.display().to_string(),
                    scans: snap.scans.clone(),
                })
            });
            Ok(BalancedRead { part, reconciliation: snap.summary.reconciliation, rejections: snap.rejections })
        }
        Format::Csv
        | Format::TouchpointsV2
        | Format::TouchpointsResponses
        | Format::TouchpointsV1
        | Format::TouchpointsV1Json
        | Format::TouchpointsV1Long
        | Format::TouchpointsDetails
        | Format::Jsonl
        | Format::Dap
        | Format::Benchmark
        | Format::Counts
        | Format::PerformanceGov => Err(IngestError::BadConfig {
            path: path.to_owned(),
            problems: vec![format!("{format} is not a balanced-measures format")],
        }),
    }
}

/// The balanced-measures inputs of an ingest's files, put together as the report reads them
/// ([`fedcx_model::BalancedInputs::from_parts`]: FEVS years merged, later measures win, snapshots
/// oldest first).
pub fn balanced_inputs(result: &crate::IngestResult) -> fedcx_model::BalancedInputs {
    fedcx_model::BalancedInputs::from_parts(result.per_file.iter().filter_map(|d| d.balanced.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> (std::path::PathBuf, Vec<u8>) {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
        let bytes = std::fs::read(&p).unwrap();
        (p, bytes)
    }

    fn read(name: &str, format: Format, year: Option<u16>) -> Result<BalancedRead, IngestError> {
        let (p, bytes) = fixture(name);
        let options = BalancedOptions { fevs_year: year.map(|y| SurveyYear::new(y).unwrap()) };
        read_balanced(&p, format, bytes.as_slice(), &Registry::bundled(), &options)
    }

    #[test]
    fn each_balanced_fixture_is_accounted_for() {
        // Hand counts from each fixture's .source.md: the PRDF's lines 2-7 are used and lines 8-12
        // rejected (bad_weight twice, unknown_answer_code, level1_agency_mismatch,
        // wrong_field_count); the business file's 42 rows (6 OPM + 7 x 3 Medicare + 5 x 3
        // marketplace) are all good; the index table has six agency rows.
        let prdf = read("fevs/prdf-2019-layout.csv", Format::Fevs, Some(2019)).unwrap();
        let r = &prdf.reconciliation;
        assert_eq!((r.read, r.accepted, r.rejected), (11, 6, 5));
        assert_eq!(prdf.rejections.len(), 5);
        assert!(matches!(prdf.part, Some(BalancedPart::Fevs(ref c)) if c.year == SurveyYear::new(2019).unwrap()));
        let business = read("business/business-results.csv", Format::BusinessResults, None).unwrap();
        let r = &business.reconciliation;
        assert_eq!((r.read, r.accepted, r.rejected), (42, 42, 0));
        assert!(matches!(business.part, Some(BalancedPart::Business(ref m)) if m.len() == 42));
        let index = read("fevs/eei-by-agency.csv", Format::FevsIndex, None).unwrap();
        assert_eq!((index.reconciliation.read, index.reconciliation.accepted), (6, 6));
        assert_eq!(index.part, None);
    }

    #[test]
    fn a_snapshot_is_dated_by_its_latest_scan() {
        let snap = read("site-scanning/ssa_full_rows_2025_01_16.csv", Format::SiteScanning, None).unwrap();
        let r = &snap.reconciliation;
        assert_eq!(r.read, 6);
        assert_eq!(r.read, r.accepted + r.rejected);
        let Some(BalancedPart::SiteSnapshot(s)) = snap.part else { panic!("a snapshot") };
        assert_eq!(s.scans.len() as u64, r.accepted);
        assert_eq!(s.taken, s.scans.iter().map(|x| x.scan_date).max().unwrap());
    }

    #[test]
    fn a_prdf_without_its_year_is_refused_naming_the_file() {
        let err = read("fevs/prdf-2019-layout.csv", Format::Fevs, None).unwrap_err().to_string();
        assert!(err.contains("prdf-2019-layout.csv") && err.contains("--fevs-year"), "{err}");
    }
}
