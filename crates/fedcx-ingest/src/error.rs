//! Errors that make a whole file unusable. A bad row is not one of these: it is a rejection,
//! counted and written to the reject file while reading goes on.

use std::path::PathBuf;

/// Why a file could not be ingested at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// The temporary files of the duplicate check or of respondent rows kept could not be
    /// written or read back (a full or unwritable `TMPDIR`).
    #[error("{}: cannot use a temporary file (they go to TMPDIR; point it at a directory with room): {source}", path.display())]
    TempFile {
        /// The file being ingested.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The file could not be opened or read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A mapping named by a path that is neither a file nor a shipped mapping.
    #[error("{}: no such mapping file, and not a mapping fedcx ships (those are: {shipped})", path.display())]
    NoMapping {
        /// The path given.
        path: PathBuf,
        /// The shipped mappings' names, comma-separated.
        shipped: String,
    },
    /// The file has no header row, or no bytes at all.
    #[error("{}: the file is empty (expected a header row: {expected})", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
        /// What its first line should have been.
        expected: String,
    },
    /// Required columns are missing from the header.
    #[error("{}: the header lacks required column(s) {} for format {format} (header has: {})",
        path.display(), missing.join(", "), found.join(", "))]
    MissingColumns {
        /// The file.
        path: PathBuf,
        /// The format the file was read as.
        format: &'static str,
        /// The columns that are required but absent.
        missing: Vec<String>,
        /// The columns the header has.
        found: Vec<String>,
    },
    /// The header is not valid for the format (duplicated or not UTF-8 columns).
    #[error("{}: bad header for format {format}: {why}", path.display())]
    BadHeader {
        /// The file.
        path: PathBuf,
        /// The format the file was read as.
        format: &'static str,
        /// What is wrong.
        why: String,
    },
    /// The format could not be told from the file's first bytes.
    #[error("{}: cannot tell the file's format from its header {header:?}; {}",
        path.display(), undetectable_advice(path, candidates, *tool))]
    UndetectableFormat {
        /// The file.
        path: PathBuf,
        /// The first line, cut short.
        header: String,
        /// The formats that could be named.
        candidates: Vec<&'static str>,
        /// The survey tool whose own export the header is (a shipped mapping reads it), if any.
        tool: Option<crate::mapped::Tool>,
    },
    /// A whole-file JSON document (DAP report) is not valid.
    #[error("{}: not a valid {format} document: {why}", path.display())]
    BadDocument {
        /// The file.
        path: PathBuf,
        /// The format.
        format: &'static str,
        /// What is wrong.
        why: String,
    },
    /// A mapping or registry file is not valid; every problem is listed.
    #[error("{}: {} problem(s):\n  {}", path.display(), problems.len(), problems.join("\n  "))]
    BadConfig {
        /// The mapping or registry file.
        path: PathBuf,
        /// Every problem found.
        problems: Vec<String>,
    },
    /// `--detail` names one collection detail but the file's own `cx_collection_detail_id` another.
    #[error("{}:{line}: --detail {given} contradicts the file's cx_collection_detail_id {in_file:?}; a CX Responses export names each row's detail itself, so drop --detail", path.display())]
    DetailContradiction {
        /// The file.
        path: PathBuf,
        /// The line.
        line: u64,
        /// What `--detail` said.
        given: String,
        /// What the row says.
        in_file: String,
    },
    /// A format needs information the call did not give (e.g. the service of a Touchpoints upload).
    #[error("{}: format {format} needs {what}", path.display())]
    MissingContext {
        /// The file.
        path: PathBuf,
        /// The format.
        format: &'static str,
        /// What is needed and how to give it.
        what: String,
    },
    /// The caller asked for any reject to be an error, and a row was rejected.
    #[error("{}:{line}: row rejected ({reason}{}): {detail}", path.display(), field.as_deref().map(|f| format!(", field {f}")).unwrap_or_default())]
    RejectedRow {
        /// The file.
        path: PathBuf,
        /// The line the row starts on.
        line: u64,
        /// The field at fault.
        field: Option<String>,
        /// The reason.
        reason: fedcx_model::Refusal,
        /// What was expected.
        detail: String,
    },
    /// A cell of a numeric table is not a number.
    #[error("{}:{line}: column {column} must be numeric, found {value:?}", path.display())]
    NotNumeric {
        /// The file.
        path: PathBuf,
        /// The line.
        line: u64,
        /// The column.
        column: String,
        /// The cell's text.
        value: String,
    },
    /// The ingest passed its limit of service x channel x quarter groups.
    #[error("{}: more than {limit} service x channel x quarter groups in this ingest; real exports have far fewer (a column may be mapped wrongly), and each group holds memory; ingest fewer files at once or raise --max-groups", path.display())]
    TooManyGroups {
        /// The file being read when the limit was passed.
        path: PathBuf,
        /// The limit.
        limit: usize,
    },
    /// A quoted field is still open at the end of the file: a stray quote swallowed everything after it.
    #[error("{}:{line}: a quoted field that opens in the record on this line is never closed: the {lines} line(s) from here to the end of the file would all be one field; fix the stray quote (or double it as \"\") and ingest again", path.display())]
    UnterminatedQuote {
        /// The file.
        path: PathBuf,
        /// The line the record with the open quote starts on.
        line: u64,
        /// The physical lines from there to the end of the file.
        lines: u64,
    },
    /// The file's rows or lines do not add up: a row was produced but never classified, or lines
    /// are unaccounted for. This is a defect in fedcx, never a property of the input.
    #[error("{}: the reconciliation does not balance ({why}); nothing from this file was kept. Please report this as a bug", path.display())]
    Unreconciled {
        /// The file.
        path: PathBuf,
        /// What does not add up.
        why: String,
    },
    /// Providers and services imported from Touchpoints' exports made the registry inconsistent
    /// (a clash the row-by-row checks let through).
    #[error("{}: the registry merged from these exports is not consistent:\n  {}",
        files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", "), problems.join("\n  "))]
    ImportedRegistry {
        /// The exports.
        files: Vec<PathBuf>,
        /// Every problem found.
        problems: Vec<String>,
    },
    /// Writing the reject file failed.
    #[error("{}: cannot write rejects: {source}", path.display())]
    RejectFile {
        /// The reject file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// What to do about a file whose format was not detected: the mapping and command for a survey
/// tool's export, else the formats `--format` takes.
fn undetectable_advice(path: &std::path::Path, candidates: &[&str], tool: Option<crate::mapped::Tool>) -> String {
    let Some(tool) = tool else { return format!("pass --format with one of: {}", candidates.join(", ")) };
    let file = path.display();
    format!(
        "it is a {} export (its header has {}), which fedcx reads through a mapping: \
         `fedcx ingest {file} --mapping {} --service ID --channel CHANNEL` (services: `fedcx hisps --services`), \
         or write a mapping from the export's header first: `fedcx template mapping --tool {} {file}`",
        tool.label(),
        tool.signature().join(", "),
        tool.as_str(),
        tool.as_str()
    )
}
