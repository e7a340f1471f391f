//! Touchpoints' collection-detail export: one row per survey and channel of a service in a quarter,
//! with its volumes. It gives reports their denominators and tells a response upload its context.

use std::io::Read;
use std::path::Path;

use fedcx_model::records::{parse_timestamp, TouchpointsFields, DETAIL_EXPORT_COLUMNS};
use fedcx_model::traits::Rejection;
use fedcx_model::{
    Channel, CollectionDetail, DetailId, FiscalQuarter, Quarter, Registry, TransactionPoint, TrustScale,
};

use crate::error::IngestError;
use crate::reconcile::{Reconciliation, RejectReason};
use crate::rows::{CsvRows, Row};

/// The longest text a collection detail keeps in a field (`survey_title`, the trust question's
/// wording...): well above any real title, far below a spreadsheet cell's 32,767.
pub const MAX_DETAIL_TEXT_CHARS: usize = 2_000;

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
    /// The ids of rejected rows, with `file:line: field: why`, so responses naming them can say so.
    pub rejected_ids: std::collections::BTreeMap<String, String>,
}

/// Reads a collection-detail export. A service is matched by `service_id` (a registry id) or, for
/// exports from Touchpoints itself where that is a database number, by `service_name`.
pub fn read_details<R: Read>(path: &Path, input: R, registry: &Registry) -> Result<DetailsRead, IngestError> {
    let mut rows = CsvRows::open(path, input, &DETAIL_EXPORT_COLUMNS.join(","))?;
    rows.forbid_duplicate_columns("touchpoints-details")?;
    let cols = rows.require("touchpoints-details", &REQUIRED)?;
    let extra: [Option<usize>; OPTIONAL.len()] = std::array::from_fn(|i| rows.find(OPTIONAL[i]));
    let mut out = DetailsRead::default();
    while let Some(row) = rows.next_row()? {
        match parse_detail(&row, &cols, &extra, registry) {
            Ok(d) => {
                out.reconciliation.accept();
                out.details.push(d);
            }
            Err(rej) => {
                out.reconciliation.refuse(rej.reason);
                if let Some(id) = row.get(cols[0]).ok().and_then(|t| DetailId::new(t.trim()).ok()) {
                    let field = rej.field.as_deref().unwrap_or("row");
                    out.rejected_ids.insert(
                        id.to_string(),
                        format!("{}:{}: {field}: {}: {}", path.display(), rej.line, rej.reason, rej.detail),
                    );
                }
                out.rejections.push(rej);
            }
        }
    }
    out.produced = rows.produced();
    Ok(out)
}

/// Touchpoints' columns a detail export may have, read when present.
const OPTIONAL: [&str; 18] = [
    "service_stage_name",
    "omb_control_number",
    "survey_title",
    "trust_question_text",
    "federal_register_url",
    "organization_id",
    "organization_abbreviation",
    "organization_name",
    "cx_collection_id",
    "cx_collection_name",
    "cx_collection_service_provider_id",
    "cx_collection_service_provider_name",
    "cx_collection_service_provider_slug",
    "service_stage_id",
    "service_stage_position",
    "service_stage_count",
    "created_at",
    "updated_at",
];

fn parse_detail(
    row: &Row<'_>,
    c: &[usize],
    extra: &[Option<usize>; OPTIONAL.len()],
    registry: &Registry,
) -> Result<CollectionDetail, Rejection> {
    row.check_width()?;
    let text = |i: usize| row.get(i);
    let id = text(c[0])?;
    if id.is_empty() {
        return Err(row.reject(c[0], RejectReason::MissingValue, "the detail id is empty"));
    }
    // The id names the detail's upload file, so anything but digits or a slug is refused here.
    let id = DetailId::new(id).map_err(|e| row.reject(c[0], RejectReason::BadDetailId, e.to_string()))?;
    let year: u16 = text(c[1])?
        .parse()
        .map_err(|_| row.reject(c[1], RejectReason::BadQuarter, "expected a fiscal year such as 2025"))?;
    let q: u8 =
        text(c[2])?.parse().map_err(|_| row.reject(c[2], RejectReason::BadQuarter, "expected a quarter 1 to 4"))?;
    let quarter = Quarter::from_number(q)
        .and_then(|q| FiscalQuarter::new(year, q))
        .map_err(|e| row.reject(c[2], RejectReason::BadQuarter, e.to_string()))?;
    let service_text = text(c[3])?;
    let service = registry
        .service_by_str(service_text)
        .or_else(|| {
            let name = row.get(c[10]).ok()?;
            registry.service_by_str(name)
        })
        .map(|s| s.id.clone())
        .ok_or_else(|| {
            row.reject(
                c[3],
                RejectReason::UnknownService,
                "neither service_id nor service_name names a service in the registry",
            )
        })?;
    let transaction_point: TransactionPoint =
        text(c[4])?.parse().map_err(|e: fedcx_model::org::UnknownTransactionPoint| {
            row.reject(c[4], RejectReason::UnknownTransactionPoint, e.to_string())
        })?;
    let channel: Channel = text(c[5])?.parse().map_err(|e: fedcx_model::channel::UnknownChannel| {
        row.reject(c[5], RejectReason::UnknownChannel, e.to_string())
    })?;
    // `mixed` was a version-1 channel (Touchpoints dropped it in August 2022, 66685cec).
    if channel == Channel::Mixed && fedcx_model::SurveyVersion::for_quarter(quarter) != fedcx_model::SurveyVersion::V1 {
        return Err(row.reject(
            c[5],
            RejectReason::UnknownChannel,
            "\"mixed\" is a version-1 channel (until August 2022); a version-2 detail names one of the 18 channels",
        ));
    }
    // Touchpoints' survey_type is nullable and its controller fills it only for a11_v2 (thumbs)
    // forms, so a Likert form's detail starts blank: the scale is then inferred from its upload.
    let survey_type = match text(c[9])?.trim() {
        "" => None,
        t => Some(
            t.parse::<TrustScale>().map_err(|e| row.reject(c[9], RejectReason::UnknownSurveyType, e.to_string()))?,
        ),
    };
    // Every text a detail carries is written into reports and workbooks: one too long for them is
    // refused here, with its field, rather than failing every report of the quarter later.
    let opt = |i: Option<usize>| -> Result<String, Rejection> {
        let text = i.map(|i| row.get(i)).transpose()?.unwrap_or("");
        if let (Some(i), n) = (i, text.chars().count()) {
            if n > MAX_DETAIL_TEXT_CHARS {
                return Err(row.reject(
                    i,
                    RejectReason::TextTooLong,
                    format!("{n} characters; a detail's text fields hold at most {MAX_DETAIL_TEXT_CHARS}"),
                ));
            }
        }
        Ok(text.to_owned())
    };
    let stage = opt(extra[0])?;
    let tp = touchpoints_fields(row, c, extra)?;
    Ok(CollectionDetail {
        id,
        service,
        quarter,
        transaction_point,
        channel,
        service_stage: (!stage.is_empty()).then_some(stage),
        // A draft collection leaves volumes blank: unknown, not zero.
        volume_of_customers: row.count(c[6])?,
        volume_of_customers_provided_survey_opportunity: row.count(c[7])?,
        volume_of_respondents: row.count(c[8])?,
        omb_control_number: opt(extra[1])?,
        survey_type,
        survey_title: opt(extra[2])?,
        trust_question_text: opt(extra[3])?,
        federal_register_url: opt(extra[4])?,
        touchpoints: tp,
    })
}

/// Touchpoints' own ids, names and timestamps, kept to be written back unchanged.
fn touchpoints_fields(
    row: &Row<'_>,
    c: &[usize],
    extra: &[Option<usize>; OPTIONAL.len()],
) -> Result<TouchpointsFields, Rejection> {
    let text = |k: usize| -> Result<Option<String>, Rejection> {
        Ok(extra[k].map(|i| row.get(i)).transpose()?.filter(|t| !t.is_empty()).map(str::to_owned))
    };
    // Touchpoints' ids are integers; fedcx's own exports put registry slugs there, which fedcx
    // regenerates from the registry, so only integers are carried.
    let int = |i: Option<usize>| -> Result<Option<u64>, Rejection> {
        Ok(i.map(|i| row.get(i)).transpose()?.and_then(|t| t.trim().parse().ok()))
    };
    let time = |k: usize| -> Result<Option<chrono::DateTime<chrono::Utc>>, Rejection> {
        let Some(i) = extra[k] else { return Ok(None) };
        let t = row.get(i)?.trim();
        if t.is_empty() {
            return Ok(None);
        }
        parse_timestamp(t).map(Some).ok_or_else(|| {
            row.reject(i, RejectReason::BadTimestamp, "expected a timestamp such as 2024-01-15 14:03:22 UTC")
        })
    };
    // service_id is Touchpoints' integer id in its own exports, a registry id in fedcx's.
    let service_id = row.get(c[3])?.trim();
    Ok(TouchpointsFields {
        organization_id: int(extra[5])?,
        organization_abbreviation: text(6)?,
        organization_name: text(7)?,
        collection_id: int(extra[8])?,
        collection_name: text(9)?,
        service_provider_id: int(extra[10])?,
        service_provider_name: text(11)?,
        service_provider_slug: text(12)?,
        service_id: service_id.parse().ok(),
        service_name: Some(row.get(c[10])?.to_owned()).filter(|t| !t.is_empty()),
        service_stage_id: int(extra[13])?,
        service_stage_position: int(extra[14])?,
        service_stage_count: int(extra[15])?,
        created_at: time(16)?,
        updated_at: time(17)?,
        ..TouchpointsFields::default()
    })
}
