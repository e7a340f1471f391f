//! Organizations, High Impact Service Providers, their services and service stages.
//!
//! Field names follow GSA Touchpoints' models so records map onto its exports without renaming.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::channel::Channel;
use crate::ids::{OrganizationId, ProviderSlug, ServiceId};

/// A department or agency; agencies name their department as `parent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// Stable identifier, e.g. `treasury`.
    pub id: OrganizationId,
    /// Full name, e.g. "Department of the Treasury".
    pub name: String,
    /// Abbreviation, e.g. "TREAS".
    pub abbreviation: String,
    /// The department an agency belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<OrganizationId>,
    /// Whether it is one of the 24 CFO Act agencies.
    #[serde(default)]
    pub cfo_act_agency: bool,
    /// Home page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A High Impact Service Provider as designated under OMB Circular A-11 Section 280.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceProvider {
    /// Stable identifier, e.g. `irs`.
    pub slug: ProviderSlug,
    /// Name, e.g. "Internal Revenue Service".
    pub name: String,
    /// The organization that runs it (its department or agency).
    pub organization: OrganizationId,
    /// The bureau's abbreviation, e.g. "IRS".
    pub bureau_abbreviation: String,
    /// The fiscal year OMB first designated it.
    pub year_designated: u16,
    /// Whether it is still designated.
    #[serde(default = "default_true")]
    pub active: bool,
    /// Home page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The host names the provider owns, bare (`irs.gov`: lower case, no `www.`, scheme, port or
    /// path). Web visits to a host count for the provider listing the longest of the host's
    /// suffixes on a dot boundary ([`crate::Registry::provider_of_host`]), so `sa.www4.irs.gov`
    /// counts for the one listing `irs.gov` and `notirs.gov` does not. No two providers list the
    /// same domain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<String>,
    /// Whether the designation was confirmed against a published list (performance.gov's HISP
    /// list or GSA's export of Touchpoints HISP reporting) when the registry was compiled.
    #[serde(default = "default_true")]
    pub verified: bool,
    /// Where the entry's facts come from: repository, path and commit, or a page's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Other names the provider goes by, e.g. performance.gov's `treas-irs` or Touchpoints'
    /// provider name; lookups match them without regard to ASCII case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The provider's integer id in GSA Touchpoints, which its exports carry as
    /// `service_provider_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub touchpoints_id: Option<u32>,
    /// The FEVS unit that stands for the provider, by survey year (the curated crosswalk; see
    /// [`crate::fevs`]). Empty: FEVS is "not measured" for it. Older registries without it still load.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fevs: Vec<crate::fevs::FevsLink>,
}

fn default_true() -> bool {
    true
}

/// What a service does for its customers, as Touchpoints classifies services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ServiceKind {
    /// Registrations, permits, documents.
    Administrative,
    /// Money or goods paid to people.
    Benefits,
    /// Taxes, inspections, enforcement.
    Compliance,
    /// Parks, lands, reservations.
    Recreation,
    /// Information for the public.
    Informational,
    /// Statistics and research data.
    #[serde(rename = "Data and Research")]
    DataAndResearch,
    /// Rules and approvals.
    Regulatory,
    /// Anything else.
    Other,
}

/// The yes/no facts Touchpoints keeps about a service.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceFlags {
    /// A service of a HISP that reports under Section 280.
    pub hisp: bool,
    /// Designated by OMB for improvement.
    pub designated_for_improvement: bool,
    /// A transaction rather than information only.
    pub transactional: bool,
    /// Offered through a digital channel.
    pub digital_service: bool,
    /// Offered only through digital channels.
    pub fully_digital: bool,
    /// Served by a contact centre.
    pub contact_center: bool,
    /// Delivered by several agencies together.
    pub multi_agency: bool,
}

/// A service a provider delivers to the public.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Stable identifier, e.g. `irs-file-return`.
    pub id: ServiceId,
    /// The provider that delivers it.
    pub provider: ProviderSlug,
    /// Name, e.g. "Filing an individual tax return".
    pub name: String,
    /// One or two sentences for people.
    #[serde(default)]
    pub description: String,
    /// What kind of service it is.
    pub kind: ServiceKind,
    /// The channels it is delivered through.
    pub channels: Vec<Channel>,
    /// Touchpoints' yes/no facts.
    #[serde(default)]
    pub flags: ServiceFlags,
    /// Estimated customers a year, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_annual_customers: Option<u64>,
    /// Its steps, in order, where the provider defined them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<ServiceStage>,
    /// Home page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Where the entry's facts come from, when it differs from its provider's source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Other names the service goes by (performance.gov service ids, Touchpoints service names);
    /// lookups match them without regard to ASCII case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The service's integer ids in GSA Touchpoints (its exports' `service_id`); a service a
    /// provider re-registered under a new record has more than one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub touchpoints_ids: Vec<u32>,
    /// The first fiscal year the service was reported as a HISP service, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_year: Option<u16>,
    /// The last fiscal year it was reported before being replaced or dropped; `None` while current.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_year: Option<u16>,
}

impl Service {
    /// Whether the service was reported in a fiscal year, per its `first_year` and `last_year`
    /// (an open end counts as reported).
    pub fn reported_in(&self, fiscal_year: u16) -> bool {
        self.first_year.is_none_or(|y| y <= fiscal_year) && self.last_year.is_none_or(|y| fiscal_year <= y)
    }
}

/// A step of a service (start, middle, end...), with its position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceStage {
    /// Name, e.g. "Apply".
    pub name: String,
    /// Position among the service's stages, from 1.
    pub position: u16,
}

/// When in the customer's journey a survey is offered (Touchpoints' `transaction_point`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransactionPoint {
    /// Right after one interaction.
    PostInteraction,
    /// After the whole service journey is complete.
    PostServiceJourney,
    /// About the relationship as a whole, not one transaction.
    Relational,
}

/// Text that names no transaction point.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a transaction point (expected post_interaction, post_service_journey or relational)")]
pub struct UnknownTransactionPoint(pub String);

impl TransactionPoint {
    /// Every transaction point.
    pub const ALL: [TransactionPoint; 3] =
        [TransactionPoint::PostInteraction, TransactionPoint::PostServiceJourney, TransactionPoint::Relational];

    /// The stable identifier, as Touchpoints writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            TransactionPoint::PostInteraction => "post_interaction",
            TransactionPoint::PostServiceJourney => "post_service_journey",
            TransactionPoint::Relational => "relational",
        }
    }
}

impl fmt::Display for TransactionPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TransactionPoint {
    type Err = UnknownTransactionPoint;
    fn from_str(s: &str) -> Result<TransactionPoint, UnknownTransactionPoint> {
        let t = s.trim();
        TransactionPoint::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(t))
            .ok_or_else(|| UnknownTransactionPoint(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transaction_points_round_trip() {
        for p in TransactionPoint::ALL {
            assert_eq!(p.as_str().parse::<TransactionPoint>().unwrap(), p);
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{p}\""));
        }
        assert!("after_lunch".parse::<TransactionPoint>().is_err());
    }

    #[test]
    fn service_kind_uses_touchpoints_labels() {
        assert_eq!(serde_json::to_string(&ServiceKind::DataAndResearch).unwrap(), "\"Data and Research\"");
        assert_eq!(serde_json::from_str::<ServiceKind>("\"Benefits\"").unwrap(), ServiceKind::Benefits);
    }
}
