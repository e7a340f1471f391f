//! Streaming readers for the files agencies actually have: Touchpoints exports, generic survey CSVs
//! with a mapping file, JSON Lines, Digital Analytics Program reports and benchmark series. Every row
//! is accounted for: accepted, or rejected with its file, line, field and reason.

pub mod counts;
pub mod details;
pub mod error;
pub mod format;
pub mod jsonl;
pub mod mapped;
mod parallel;
pub mod pipeline;
pub mod plausibility;
pub mod published;
pub mod reconcile;
pub mod redact;
pub mod rows;
pub mod series;
pub mod table;
pub mod touchpoints;
pub mod tp_registry;

pub use error::IngestError;
pub use format::Format;
pub use mapped::{native_record, Mapping, NATIVE_HEADER};
pub use pipeline::{FileData, FileReport, IngestConfig, IngestResult, Ingestor, Reader};
pub use reconcile::Reconciliation;

use std::path::Path;

use fedcx_model::Registry;

/// Reads a user's registry file (the bundled one's TOML form).
pub fn load_registry(path: &Path) -> Result<Registry, IngestError> {
    let text = std::fs::read_to_string(path).map_err(|source| IngestError::Io { path: path.to_owned(), source })?;
    Registry::from_toml_str(&text)
        .map_err(|e| IngestError::BadConfig { path: path.to_owned(), problems: vec![e.to_string()] })
}

/// Reads a mapping file.
pub fn load_mapping(path: &Path) -> Result<Mapping, IngestError> {
    let text = std::fs::read_to_string(path).map_err(|source| IngestError::Io { path: path.to_owned(), source })?;
    Mapping::from_toml_str(path, &text)
}
