//! Fuzzes the Touchpoints version-2 upload reader under both survey types.
#![no_main]

use fedcx_model::traits::ResponseSource;
use fedcx_model::{Channel, CollectionDetail, ServiceId, TransactionPoint, TrustScale};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for survey_type in [TrustScale::ThumbsUpDown, TrustScale::LikertScale] {
        let detail = CollectionDetail {
            id: fedcx_model::DetailId::new("1").unwrap(),
            service: ServiceId::new("treasury-irs-file-return").unwrap(),
            quarter: "FY2025 Q1".parse().unwrap(),
            transaction_point: TransactionPoint::PostInteraction,
            channel: Channel::Website,
            service_stage: None,
            volume_of_customers: 0,
            volume_of_customers_provided_survey_opportunity: 0,
            volume_of_respondents: 0,
            omb_control_number: String::new(),
            federal_register_url: String::new(),
            survey_type,
            survey_title: String::new(),
            trust_question_text: String::new(),
        };
        let path = std::path::Path::new("1.csv");
        if let Ok(mut src) = fedcx_ingest::touchpoints::TouchpointsV2Source::new(path, data, detail) {
            while let Ok(Some(_)) = src.next_item() {}
        }
    }
});
