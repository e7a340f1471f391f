//! Touchpoints' collection-detail export: one row per survey and channel of a service in a quarter,
//! with its volumes. It gives reports their denominators and tells a response upload its context.

use std::io::Read;
use std::path::Path;

use fedcx_model::records::DETAIL_EXPORT_COLUMNS;
use fedcx_model::traits::Rejection;
use fedcx_model::{
    Channel, CollectionDetail, DetailId, FiscalQuarter, Quarter, Registry, TransactionPoint, TrustScale,
};

use crate::error::IngestError;
use crate::reconcile::{reason, Reconciliation};
use crate::rows::{CsvRows, Row};

/// The columns a detail export must have; the rest of Touchpoints' columns are optional.
const REQUIRED: [&str; 11] = [
    "id",
    "cx_collection_fiscal_year",
    "cx_collection_quarter",
    "service_id",
    "transaction_point",
    "channel",
    "volume_of_customers",
    "volume_of_customers_provided_survey_opportunity",
    "volume_of_respondents",
    "survey_type",
    "service_name",
];

/// What reading a detail export produced.
#[derive(Debug, Default)]
pub struct DetailsRead {
    /// The accepted details.
    pub details: Vec<CollectionDetail>,
    /// The rejected rows.
    pub rejections: Vec<Rejection>,
    /// The reconciliation (its `read` and line account are the caller's to set from `produced`).
    pub reconciliation: Reconciliation,
    /// What the file held, counted as it was parsed.
    pub produced: crate::rows::Produced,
}

/// Reads a collection-detail export. A service is matched by `service_id` (a registry id) or, for
/// exports from Touchpoints itself where that is a database number, by `service_name`.
pub fn read_details<R: Read>(path: &Path, input: R, registry: &Registry) -> Result<DetailsRead, IngestError> {
    let mut rows = CsvRows::open(path, input, &DETAIL_EXPORT_COLUMNS.join(","))?;
    rows.forbid_duplicate_columns("touchpoints-details")?;
    let cols = rows.require("touchpoints-details", &REQUIRED)?;
    let optional = |name: &str| rows.find(name);
    let extra = [
        optional("service_stage_name"),
        optional("omb_control_number"),
        optional("survey_title"),
        optional("trust_question_text"),
        optional("federal_register_url"),
    ];
    let mut out = DetailsRead::default();
    while let Some(row) = rows.next_row()? {
        match parse_detail(&row, &cols, &extra, registry) {
            Ok(d) => {
                out.reconciliation.accept();
                out.details.push(d);
            }
            Err(rej) => {
                out.reconciliation.reject(rej.reason);
                out.rejections.push(rej);
            }
        }
    }
    out.produced = rows.produced();
    Ok(out)
}

fn parse_detail(
    row: &Row<'_>,
    c: &[usize],
    extra: &[Option<usize>; 5],
    registry: &Registry,
) -> Result<CollectionDetail, Rejection> {
    row.check_width()?;
    let text = |i: usize| row.get(i);
    let id = text(c[0])?;
    if id.is_empty() {
        return Err(row.reject(c[0], reason::MISSING_VALUE, "the detail id is empty"));
    }
    // The id names the detail's upload file, so anything but digits or a slug is refused here.
    let id = DetailId::new(id).map_err(|e| row.reject(c[0], reason::BAD_DETAIL_ID, e.to_string()))?;
    let year: u16 = text(c[1])?
        .parse()
        .map_err(|_| row.reject(c[1], reason::BAD_QUARTER, "expected a fiscal year such as 2025"))?;
    let q: u8 = text(c[2])?.parse().map_err(|_| row.reject(c[2], reason::BAD_QUARTER, "expected a quarter 1 to 4"))?;
    let quarter = Quarter::from_number(q)
        .and_then(|q| FiscalQuarter::new(year, q))
        .map_err(|e| row.reject(c[2], reason::BAD_QUARTER, e.to_string()))?;
    let service_text = text(c[3])?;
    let service = registry
        .service_by_str(service_text)
        .or_else(|| {
            let name = row.get(c[10]).ok()?;
            registry.services().find(|s| s.name.eq_ignore_ascii_case(name))
        })
        .map(|s| s.id.clone())
        .ok_or_else(|| {
            row.reject(
                c[3],
                reason::UNKNOWN_SERVICE,
                "neither service_id nor service_name names a service in the registry",
            )
        })?;
    let transaction_point: TransactionPoint =
        text(c[4])?.parse().map_err(|e: fedcx_model::org::UnknownTransactionPoint| {
            row.reject(c[4], reason::UNKNOWN_TRANSACTION_POINT, e.to_string())
        })?;
    let channel: Channel = text(c[5])?
        .parse()
        .map_err(|e: fedcx_model::channel::UnknownChannel| row.reject(c[5], reason::UNKNOWN_CHANNEL, e.to_string()))?;
    let count = |i: usize| -> Result<u64, Rejection> { Ok(row.count(i)?.unwrap_or(0)) };
    let survey_type: TrustScale = text(c[9])?.parse().map_err(|e: fedcx_model::survey::UnknownTrustScale| {
        row.reject(c[9], reason::UNKNOWN_SURVEY_TYPE, e.to_string())
    })?;
    let opt = |i: Option<usize>| -> Result<String, Rejection> {
        Ok(i.map(|i| row.get(i)).transpose()?.unwrap_or("").to_owned())
    };
    let stage = opt(extra[0])?;
    Ok(CollectionDetail {
        id,
        service,
        quarter,
        transaction_point,
        channel,
        service_stage: (!stage.is_empty()).then_some(stage),
        volume_of_customers: count(c[6])?,
        volume_of_customers_provided_survey_opportunity: count(c[7])?,
        volume_of_respondents: count(c[8])?,
        omb_control_number: opt(extra[1])?,
        survey_type,
        survey_title: opt(extra[2])?,
        trust_question_text: opt(extra[3])?,
        federal_register_url: opt(extra[4])?,
    })
}
