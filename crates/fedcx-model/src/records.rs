//! The quarterly collection-detail record: one survey on one channel of one service in one quarter,
//! with its volumes. Field names are Touchpoints' (`cx_collection_details`).

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::channel::Channel;
use crate::fiscal::FiscalQuarter;
use crate::ids::{DetailId, ServiceId};
use crate::org::TransactionPoint;
use crate::survey::TrustScale;

/// One survey on one channel of a service in a quarter, as reported to Touchpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionDetail {
    /// The detail's identifier, used to name its response upload file (so it is typed: never a path).
    pub id: DetailId,
    /// The service.
    pub service: ServiceId,
    /// The fiscal quarter.
    pub quarter: FiscalQuarter,
    /// When in the journey the survey was offered.
    pub transaction_point: TransactionPoint,
    /// The channel.
    pub channel: Channel,
    /// The service stage's name, where the provider defined one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_stage: Option<String>,
    /// Customers served through this channel in the quarter; `None` when not yet reported (a draft
    /// collection leaves it blank), which is unknown, not zero.
    pub volume_of_customers: Option<u64>,
    /// Of those, customers offered the survey (`None`: not reported).
    pub volume_of_customers_provided_survey_opportunity: Option<u64>,
    /// Of those, customers who responded, as the detail declares it (`None`: not reported). In
    /// Touchpoints' own export this is the number of uploaded response rows.
    pub volume_of_respondents: Option<u64>,
    /// The survey's Paperwork Reduction Act control number, e.g. 0412-0609.
    #[serde(default)]
    pub omb_control_number: String,
    /// The Federal Register notice of the collection.
    #[serde(default)]
    pub federal_register_url: String,
    /// The trust question's scale. Touchpoints leaves it blank (`None`) for details of a Likert
    /// form; fedcx then infers it from the upload's `question_1` values.
    pub survey_type: Option<TrustScale>,
    /// The survey's title.
    #[serde(default)]
    pub survey_title: String,
    /// The trust question's text as the agency worded it.
    #[serde(default)]
    pub trust_question_text: String,
    /// Touchpoints' own values for the record (ids, names, timestamps), carried through unchanged
    /// so records written back equal the ones read. Empty when the input was not from Touchpoints.
    #[serde(default, skip_serializing_if = "TouchpointsFields::is_empty")]
    pub touchpoints: TouchpointsFields,
}

impl CollectionDetail {
    /// The declared respondents, or 0 when the detail does not say.
    pub fn respondents_or_zero(&self) -> u64 {
        self.volume_of_respondents.unwrap_or(0)
    }
}

/// The values a Touchpoints record carries that fedcx does not compute: its database ids, the names
/// Touchpoints showed, stage positions and timestamps. Every field is `None` (or empty) when the
/// input did not have it; fedcx then writes its own value where it has one, or leaves the cell
/// blank (docs/touchpoints.md lists which).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TouchpointsFields {
    /// `organization_id` (the collection's organization).
    pub organization_id: Option<u64>,
    /// `organization_abbreviation`.
    pub organization_abbreviation: Option<String>,
    /// `organization_name`.
    pub organization_name: Option<String>,
    /// `cx_collection_id` (version 1: `collection_id`).
    pub collection_id: Option<u64>,
    /// `cx_collection_name` (version 1: `collection_name`).
    pub collection_name: Option<String>,
    /// `cx_collection_service_provider_id` (version 1: `service_provider_id`).
    pub service_provider_id: Option<u64>,
    /// `cx_collection_service_provider_name`.
    pub service_provider_name: Option<String>,
    /// `cx_collection_service_provider_slug`.
    pub service_provider_slug: Option<String>,
    /// Version 1: `service_provider_organization_id`.
    pub service_provider_organization_id: Option<u64>,
    /// Version 1: `service_provider_organization_name`.
    pub service_provider_organization_name: Option<String>,
    /// Version 1: `service_provider_organization_abbreviation`.
    pub service_provider_organization_abbreviation: Option<String>,
    /// `service_id`: Touchpoints' integer id of the service.
    pub service_id: Option<u64>,
    /// `service_name` as Touchpoints names the service.
    pub service_name: Option<String>,
    /// `service_stage_id`.
    pub service_stage_id: Option<u64>,
    /// `service_stage_position`.
    pub service_stage_position: Option<u64>,
    /// `service_stage_count`: how many stages the service has.
    pub service_stage_count: Option<u64>,
    /// Version 1: `service_provided`, the provider's own name for what was delivered.
    pub service_provided: Option<String>,
    /// Version 1: `q1_text` .. `q11_text`, as the agency worded each question (blank: not asked).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub question_texts: Vec<String>,
    /// Version 1: `operational_metrics`.
    pub operational_metrics: Option<String>,
    /// Version 1: `transaction_point` as the agency wrote it (free text in version 1; the typed
    /// [`CollectionDetail::transaction_point`] is then `post_interaction`).
    pub transaction_point_text: Option<String>,
    /// Version 1: questions not on the 5-point scale (3-point, 0-10 or NPS), kept out of the
    /// counts every share is computed from, and kept here so the record is written back whole.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub off_scale: Vec<OffScaleQuestion>,
    /// `created_at`.
    pub created_at: Option<DateTime<Utc>>,
    /// `updated_at`.
    pub updated_at: Option<DateTime<Utc>>,
}

/// A version-1 question an agency answered on another scale and reported in the 1-5 columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffScaleQuestion {
    /// The question.
    pub question: crate::survey::V1Question,
    /// The scale it was asked on.
    pub scale: QuestionScale,
    /// The counts as reported in its `_1` .. `_5` columns.
    pub counts: [u64; 5],
}

/// The scale a version-1 question was asked on, read from its `q*_point_scale` label or its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionScale {
    /// The A-11 5-point agreement scale.
    FivePoint,
    /// Yes or no. Reported with "no" in column 1 and "yes" in column 5 it maps onto the 5-point
    /// columns (documented in docs/touchpoints.md) and "yes" counts as agreeing.
    YesNo,
    /// A 3-point scale (e.g. 1 = No, 2 = Partly, 3 = Yes): no documented mapping.
    ThreePoint,
    /// A 0-10 or 1-10 scale (likelihood, NPS) binned by the agency into five columns: no
    /// documented mapping.
    TenPoint,
}

impl QuestionScale {
    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            QuestionScale::FivePoint => "5-point",
            QuestionScale::YesNo => "yes/no",
            QuestionScale::ThreePoint => "3-point",
            QuestionScale::TenPoint => "10-point (or NPS)",
        }
    }

    /// Reads a declared scale (`q*_point_scale` holding a label rather than Touchpoints' mean).
    pub fn from_label(text: &str) -> Option<QuestionScale> {
        let t: String = text.trim().to_ascii_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        match t.as_str() {
            "5" | "5point" | "fivepoint" | "likert" => Some(QuestionScale::FivePoint),
            "yesno" | "yn" | "binary" => Some(QuestionScale::YesNo),
            "3point" | "threepoint" => Some(QuestionScale::ThreePoint),
            "10point" | "tenpoint" | "11point" | "010" | "110" | "nps" => Some(QuestionScale::TenPoint),
            _ => None,
        }
    }
}

impl TouchpointsFields {
    /// Whether no Touchpoints value was read.
    pub fn is_empty(&self) -> bool {
        *self == TouchpointsFields::default()
    }
}

/// How Rails writes a UTC timestamp into Touchpoints' CSV exports (`2024-01-15 14:03:22 UTC`).
pub const RAILS_TIMESTAMP: &str = "%Y-%m-%d %H:%M:%S UTC";

/// Reads a timestamp as Touchpoints' exports write it (`2024-01-15 14:03:22 UTC`), or in RFC 3339
/// (`2024-01-15T14:03:22Z`, its JSON form), or with a numeric offset (`2024-01-15 09:03:22 -0500`).
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Some(naive) = t.strip_suffix(" UTC") {
        return NaiveDateTime::parse_from_str(naive, "%Y-%m-%d %H:%M:%S%.f").ok().map(|n| n.and_utc());
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.with_timezone(&Utc));
    }
    DateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f %z").ok().map(|d| d.with_timezone(&Utc))
}

/// Writes a timestamp the way Touchpoints' CSV exports do.
pub fn format_timestamp(t: &DateTime<Utc>) -> String {
    t.format(RAILS_TIMESTAMP).to_string()
}

/// Touchpoints' collection-detail export columns, in its order.
pub const DETAIL_EXPORT_COLUMNS: [&str; 28] = [
    "id",
    "organization_id",
    "organization_abbreviation",
    "organization_name",
    "cx_collection_id",
    "cx_collection_fiscal_year",
    "cx_collection_quarter",
    "cx_collection_name",
    "cx_collection_service_provider_id",
    "cx_collection_service_provider_name",
    "cx_collection_service_provider_slug",
    "service_id",
    "service_name",
    "transaction_point",
    "channel",
    "service_stage_id",
    "service_stage_name",
    "service_stage_position",
    "service_stage_count",
    "volume_of_customers",
    "volume_of_customers_provided_survey_opportunity",
    "volume_of_respondents",
    "omb_control_number",
    "survey_type",
    "survey_title",
    "trust_question_text",
    "created_at",
    "updated_at",
];

/// The 17 columns of Touchpoints' version-2 response upload, in the order to write them.
pub const RESPONSE_UPLOAD_COLUMNS: [&str; 17] = [
    "external_id",
    "question_1",
    "positive_effectiveness",
    "positive_ease",
    "positive_efficiency",
    "positive_transparency",
    "positive_humanity",
    "positive_employee",
    "positive_other",
    "negative_effectiveness",
    "negative_ease",
    "negative_efficiency",
    "negative_transparency",
    "negative_humanity",
    "negative_employee",
    "negative_other",
    "question_4",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_as_rails_writes_them_and_as_json_does() {
        let rails = parse_timestamp("2024-01-08 15:12:44 UTC").unwrap();
        assert_eq!(format_timestamp(&rails), "2024-01-08 15:12:44 UTC");
        // The JSON record (performance.gov's omb_cx_reporting_collections.json) has milliseconds.
        let json = parse_timestamp("2021-05-15T05:26:55.084Z").unwrap();
        assert_eq!(format_timestamp(&json), "2021-05-15 05:26:55 UTC");
        let offset = parse_timestamp("2024-01-08 10:12:44 -0500").unwrap();
        assert_eq!(offset, rails);
        assert_eq!(parse_timestamp("2024-01-08"), None);
        assert_eq!(parse_timestamp("yesterday UTC"), None);
    }

    #[test]
    fn declared_scale_labels() {
        // Reading a scale from a question's wording is fedcx-ingest's (`scales::read_scale`).
        assert_eq!(QuestionScale::from_label("Yes/No"), Some(QuestionScale::YesNo));
        assert_eq!(QuestionScale::from_label("3-point"), Some(QuestionScale::ThreePoint));
        assert_eq!(QuestionScale::from_label("NPS"), Some(QuestionScale::TenPoint));
        assert_eq!(QuestionScale::from_label("4.21"), None);
    }

    #[test]
    fn touchpoints_fields_are_left_out_of_json_when_empty() {
        assert!(TouchpointsFields::default().is_empty());
        let f = TouchpointsFields { service_id: Some(59), ..TouchpointsFields::default() };
        assert!(!f.is_empty());
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(serde_json::from_str::<TouchpointsFields>(&json).unwrap(), f);
    }
}
