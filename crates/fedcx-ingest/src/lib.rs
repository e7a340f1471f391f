//! Streaming readers for the files agencies actually have: Touchpoints exports, generic survey CSVs
//! with a mapping file, JSON Lines, Digital Analytics Program reports and benchmark series, and OPM's
//! FEVS employee survey files ([`fevs`]). Every row
//! is accounted for: accepted, or rejected with its file, line, field and reason.
//!
//! # Example
//!
//! Reading a tiny CSV in fedcx's native layout ([`NATIVE_HEADER`]) from memory, checked against the
//! bundled registry:
//!
//! ```
//! use std::path::Path;
//!
//! use fedcx_ingest::{IngestConfig, Ingestor, Reader, NATIVE_HEADER};
//! use fedcx_model::Registry;
//!
//! let mut csv = NATIVE_HEADER.join(",");
//! csv.push('\n');
//! // One valid response, and one for a service the registry does not know.
//! csv.push_str("R-1,2023-11-15T10:00:00-05:00,dhs-cbp-port-of-entry,in_person,post_interaction,v1,,4,5,4,4,5,4,5");
//! csv.push_str(&",".repeat(NATIVE_HEADER.len() - 14));
//! csv.push('\n');
//! csv.push_str("R-2,2023-11-15T11:00:00-05:00,no-such-service,in_person,post_interaction,v1,,4,5,4,4,5,4,5");
//! csv.push_str(&",".repeat(NATIVE_HEADER.len() - 14));
//! csv.push('\n');
//!
//! let registry = Registry::bundled();
//! let mut ingestor = Ingestor::new(&registry, IngestConfig::default());
//! let report = ingestor.ingest_bytes(Path::new("example.csv"), csv.as_bytes(), &Reader::Detect)?;
//! // Every row is accounted for: accepted or rejected with a reason.
//! assert_eq!(report.reconciliation.read, 2);
//! assert_eq!(report.reconciliation.accepted, 1);
//! assert_eq!(report.reconciliation.rejected, 1);
//!
//! let result = ingestor.finish()?;
//! assert_eq!(result.total.counts.respondents(), 1);
//! # Ok::<(), fedcx_ingest::IngestError>(())
//! ```

#![warn(missing_docs)]

pub mod balanced;
pub mod business;
pub mod counts;
mod dedup;
pub mod details;
pub mod error;
pub mod fevs;
mod fnv;
pub mod format;
pub mod jsonl;
pub mod mapped;
mod parallel;
pub mod pipeline;
pub mod plausibility;
pub mod published;
pub mod published_cx;
pub mod published_registry;
pub mod reconcile;
pub mod redact;
pub mod rows;
pub mod scales;
pub mod series;
pub mod site_scan;
pub mod table;
pub mod touchpoints;
pub mod tp_registry;
pub mod v1;

pub use error::IngestError;
pub use format::Format;
pub use mapped::{native_record, Mapping, NATIVE_HEADER};
pub use pipeline::{
    FileData, FileReport, IngestConfig, IngestResult, Ingestor, IngestorBuilder, KeepResponses, Reader,
};
pub use reconcile::Reconciliation;

use std::path::Path;

use fedcx_model::Registry;

/// Reads a user's registry file (the bundled one's TOML form).
pub fn load_registry(path: &Path) -> Result<Registry, IngestError> {
    let text = std::fs::read_to_string(path).map_err(|source| IngestError::Io { path: path.to_owned(), source })?;
    Registry::from_toml_str(&text).map_err(|e| IngestError::BadConfig {
        path: path.to_owned(),
        problems: match e {
            // Each problem its own, as a mapping's are.
            fedcx_model::registry::RegistryError::Inconsistent(problems) => problems,
            other => vec![other.to_string()],
        },
    })
}

/// Reads a channel classification file (the TOML table of
/// [`fedcx_model::ChannelClassification::from_toml_str`]): which channels count as digital.
pub fn load_channel_classification(path: &Path) -> Result<fedcx_model::ChannelClassification, IngestError> {
    let text = std::fs::read_to_string(path).map_err(|source| IngestError::Io { path: path.to_owned(), source })?;
    fedcx_model::ChannelClassification::from_toml_str(&text).map_err(|e| IngestError::BadConfig {
        path: path.to_owned(),
        problems: match e {
            fedcx_model::classification::ClassificationError::Inconsistent(problems) => problems,
            other => vec![other.to_string()],
        },
    })
}

/// Reads a mapping file.
///
/// A path that names no file but one of the shipped [`mapped::PRESETS`] (`qualtrics`,
/// `surveymonkey`, ...) gives that mapping; a file of that name wins.
pub fn load_mapping(path: &Path) -> Result<Mapping, IngestError> {
    if !path.exists() {
        return path.to_str().and_then(Mapping::preset).ok_or_else(|| IngestError::NoMapping {
            path: path.to_owned(),
            shipped: mapped::PRESETS.map(|(name, _)| name).join(", "),
        });
    }
    let text = std::fs::read_to_string(path).map_err(|source| IngestError::Io { path: path.to_owned(), source })?;
    Mapping::from_toml_str(path, &text)
}
