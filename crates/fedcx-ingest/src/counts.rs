//! Counts in long form: `service,channel,quarter,item,point,n`, one count per row, exactly as
//! `fedcx export --format csv` writes them. A team that aggregates elsewhere (Spark, DataFusion,
//! DuckDB) loads its merged counts back through this reader; rows for the same group simply add up.

use crate::rows::{Counted, Produced};
use std::io::Read;
use std::path::Path;

use fedcx_model::traits::{ResponseSource, SourceItem};
use fedcx_model::{Channel, FiscalQuarter, GroupKey, Registry, Tally};

use crate::error::IngestError;
use crate::reconcile::RejectReason;
use crate::rows::CsvRows;

/// The header of a long-form counts file.
pub const COUNTS_HEADER: [&str; 6] = ["service", "channel", "quarter", "item", "point", "n"];

/// Reads long-form counts.
#[derive(Debug)]
pub struct CountsSource<'a, R: Read> {
    rows: CsvRows<R>,
    cols: Vec<usize>,
    registry: &'a Registry,
}

impl<'a, R: Read> CountsSource<'a, R> {
    /// Opens the file; all six columns are required.
    pub fn new(path: &Path, input: R, registry: &'a Registry) -> Result<Self, IngestError> {
        let rows = CsvRows::open(path, input, &COUNTS_HEADER.join(","))?;
        let cols = rows.require("counts", &COUNTS_HEADER)?;
        Ok(CountsSource { rows, cols, registry })
    }
}

impl<R: Read> Counted for CountsSource<'_, R> {
    fn produced(&self) -> Produced {
        self.rows.produced()
    }

    fn limit_record_lines(&mut self, n: u64) {
        self.rows.set_max_record_lines(n);
    }
}

impl<R: Read> ResponseSource for CountsSource<'_, R> {
    type Error = IngestError;

    fn next_item(&mut self) -> Result<Option<SourceItem>, IngestError> {
        let Some(row) = self.rows.next_row()? else { return Ok(None) };
        let c = &self.cols;
        let registry = self.registry;
        let parsed = (|| {
            row.check_width()?;
            let service = registry
                .service_by_str(row.get(c[0])?)
                .map(|s| s.id.clone())
                .ok_or_else(|| row.reject(c[0], RejectReason::UnknownService, "not a service in the registry"))?;
            let channel: Channel = row.get(c[1])?.parse().map_err(|e: fedcx_model::channel::UnknownChannel| {
                row.reject(c[1], RejectReason::UnknownChannel, e.to_string())
            })?;
            let quarter: FiscalQuarter = row.get(c[2])?.parse().map_err(|e: fedcx_model::fiscal::FiscalError| {
                row.reject(c[2], RejectReason::BadQuarter, e.to_string())
            })?;
            let n =
                row.count(c[5])?.ok_or_else(|| row.reject(c[5], RejectReason::MissingValue, "the count is empty"))?;
            let mut tally = Tally::default();
            tally
                .add_cell(row.get(c[3])?, row.get(c[4])?, n)
                .map_err(|e| row.reject(c[3], RejectReason::UnknownLabel, e.to_string()))?;
            Ok((GroupKey { service, channel, quarter }, tally))
        })();
        Ok(Some(match parsed {
            Ok((k, t)) => SourceItem::Counts(k, Box::new(t)),
            Err(rej) => SourceItem::Rejected(rej),
        }))
    }
}
