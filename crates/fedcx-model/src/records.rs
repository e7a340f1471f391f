//! The quarterly collection-detail record: one survey on one channel of one service in one quarter,
//! with its volumes. Field names are Touchpoints' (`cx_collection_details`).

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
    /// Customers served through this channel in the quarter.
    pub volume_of_customers: u64,
    /// Of those, customers offered the survey.
    pub volume_of_customers_provided_survey_opportunity: u64,
    /// Of those, customers who responded.
    pub volume_of_respondents: u64,
    /// The survey's Paperwork Reduction Act control number, e.g. 0412-0609.
    #[serde(default)]
    pub omb_control_number: String,
    /// The Federal Register notice of the collection.
    #[serde(default)]
    pub federal_register_url: String,
    /// The trust question's scale.
    pub survey_type: TrustScale,
    /// The survey's title.
    #[serde(default)]
    pub survey_title: String,
    /// The trust question's text as the agency worded it.
    #[serde(default)]
    pub trust_question_text: String,
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
