//! The fedcx domain: who serves the public (organizations, High Impact Service Providers, services),
//! how (the 18 channels), when (the federal fiscal calendar), what customers are asked (both versions
//! of the OMB Circular A-11 Section 280 survey), what they answered ([`SurveyResponse`]) and the
//! counts every statistic is computed from ([`ResponseCounts`], a commutative monoid).
//!
//! This crate does no IO and parses no outside files; it defines the types and the small traits
//! ([`traits`]) through which the other crates meet.
//!
//! # Example
//!
//! ```
//! use chrono::NaiveDate;
//! use fedcx_model::{FiscalQuarter, Quarter};
//!
//! // The federal fiscal year starts on 1 October: 15 November 2023 is in FY2024 Q1.
//! let date = NaiveDate::from_ymd_opt(2023, 11, 15).unwrap();
//! let quarter = FiscalQuarter::from_date(date).unwrap();
//! assert_eq!(quarter.year(), 2024);
//! assert_eq!(quarter.quarter(), Quarter::Q1);
//! assert_eq!(quarter.to_string(), "FY2024 Q1");
//! assert_eq!("FY2024 Q1".parse::<FiscalQuarter>().unwrap(), quarter);
//! ```

#![warn(missing_docs)]

pub mod balanced;
pub mod business;
pub mod channel;
pub mod classification;
pub mod contribution;
pub mod counts;
pub mod digest;
pub mod fevs;
pub mod fiscal;
pub mod format;
pub mod ids;
pub mod org;
pub mod reconciliation;
pub mod records;
pub mod registry;
pub mod response;
pub mod series;
pub mod survey;
pub mod text;
pub mod traits;
pub mod website;

pub use balanced::{BalancedInputs, BalancedPart, SiteSnapshot};
pub use business::{BusinessMeasure, Metric, Unit};
pub use channel::{Channel, Delivery};
pub use classification::ChannelClassification;
pub use contribution::Contribution;
pub use counts::{
    Cell, CountsError, GroupKey, IndicatorTally, ResponseCounts, ScaleCounts, Tally, V1Tally, V2Tally, MAX_COUNT,
};
pub use digest::Digest;
pub use fiscal::{FiscalQuarter, Month, Quarter};
pub use format::Format;
pub use ids::{DetailId, OrganizationId, ProviderSlug, ResponseId, ServiceId};
pub use org::{Organization, Service, ServiceFlags, ServiceKind, ServiceProvider, ServiceStage, TransactionPoint};
pub use reconciliation::{Exclusion, LineAccount, Reconciliation, Refusal, RejectReason};
pub use records::CollectionDetail;
pub use registry::Registry;
pub use response::{
    AnswerError, Answers, IndicatorState, IndicatorStates, Likert, SurveyResponse, TrustAnswer, V1Answer, V1Answers,
    V2Answers,
};
pub use series::{BenchmarkPoint, PublishedMeans, WebVisits};
pub use survey::{Driver, Indicator, Polarity, SurveyVersion, TrustScale, V1Question};
pub use website::{Criterion, HostName, IdeaRules, Outcome, SiteScan};
