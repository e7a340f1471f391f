//! The reject file: every rejected row written with its file, line, field, raw value, reason and
//! detail, sanitized so no personal data or formula leaves through it. The reasons and the
//! reconciliation themselves live in fedcx-model ([`Reconciliation`], [`RejectReason`]) because the
//! store and the report read them too.

use std::io::Write;
use std::path::Path;

use fedcx_model::traits::Rejection;

pub use fedcx_model::{Exclusion, LineAccount, Reconciliation, Refusal, RejectReason};

/// A row kept with a warning, naming where: what a reader corrected or set aside in a row it
/// accepted (a question with more answers than respondents, a blank channel, a cleaned control
/// number). The reconciliation counts these by kind; a notice says which row and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Notice {
    /// The line the row starts on (for a JSON record, the line its object opens on).
    pub line: u64,
    /// The column or attribute concerned, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The warning's stable code, as counted in [`Reconciliation::warnings`].
    pub kind: &'static str,
    /// What was seen and what was done, with the numbers.
    pub detail: String,
}

/// The header of the reject file.
pub const REJECT_HEADER: [&str; 6] = ["source_file", "line", "field", "raw_value", "reason", "detail"];

/// Writes rejected rows as CSV: source file, line, field, raw value, reason, detail.
#[derive(Debug)]
pub struct RejectWriter<W: Write> {
    out: csv::Writer<W>,
}

impl<W: Write> RejectWriter<W> {
    /// A writer that starts with the header row.
    pub fn new(out: W) -> std::io::Result<RejectWriter<W>> {
        let mut w = RejectWriter::without_header(out);
        w.out.write_record(REJECT_HEADER).map_err(csv_to_io)?;
        Ok(w)
    }

    /// A writer of rows only, to be appended to another's output later.
    pub fn without_header(out: W) -> RejectWriter<W> {
        RejectWriter { out: csv::Writer::from_writer(out) }
    }

    /// Writes one rejection, [sanitized](sanitize), with every cell safe to open in a spreadsheet.
    pub fn write(&mut self, file: &Path, r: &Rejection) -> std::io::Result<()> {
        let r = sanitize(r);
        let line = r.line.to_string();
        let file = fedcx_model::text::neutralise_formula(&file.display().to_string()).into_owned();
        let field = fedcx_model::text::neutralise_formula(r.field.as_deref().unwrap_or("")).into_owned();
        let raw = fedcx_model::text::neutralise_formula(&r.raw).into_owned();
        let detail = fedcx_model::text::neutralise_formula(&r.detail).into_owned();
        let record = [file.as_str(), &line, &field, &raw, r.reason.code(), &detail];
        self.out.write_record(record).map_err(csv_to_io)
    }

    /// Flushes and returns the output.
    pub fn into_inner(self) -> std::io::Result<W> {
        self.out.into_inner().map_err(|e| e.into_error())
    }

    /// Appends the rows a [`RejectWriter::without_header`] writer wrote (already sanitized).
    pub fn append_rows(&mut self, from: impl std::io::Read) -> std::io::Result<()> {
        let mut rows = csv::ReaderBuilder::new().has_headers(false).from_reader(from);
        let mut record = csv::ByteRecord::new();
        while rows.read_byte_record(&mut record).map_err(csv_to_io)? {
            self.out.write_byte_record(&record).map_err(csv_to_io)?;
        }
        Ok(())
    }

    /// Flushes what was written.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

fn csv_to_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// A rejection as it may leave the ingest (reject file, error message): the raw value redacted of
/// personal data, and a whole row (no field named) never repeated: only a hash of it, so it can be
/// found in the source file without its free text spreading into another file.
pub fn sanitize(r: &Rejection) -> Rejection {
    use sha2::Digest as _;
    let raw = if r.field.is_none() && !r.raw.starts_with("sha256:") {
        short_hash(&sha2::Sha256::digest(r.raw.as_bytes()))
    } else {
        clip(&crate::redact::redact(&r.raw).text)
    };
    Rejection {
        line: r.line,
        field: r.field.clone(),
        raw,
        reason: r.reason,
        detail: crate::redact::redact(&r.detail).text,
    }
}

/// `sha256:` and the first 16 hex digits of a digest: names a row in a reject file without its text.
pub fn short_hash(digest: &[u8]) -> String {
    format!("sha256:{}", fedcx_model::digest::hex(&digest[..digest.len().min(8)]))
}

/// Cuts a raw value to a length a person can read in a reject file.
pub fn clip(raw: &str) -> String {
    const MAX: usize = 200;
    if raw.len() <= MAX {
        return raw.to_owned();
    }
    let mut end = MAX;
    while !raw.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &raw[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reject_file_layout() {
        let mut buf = Vec::new();
        {
            let mut w = RejectWriter::new(&mut buf).unwrap();
            let r = Rejection {
                line: 7,
                field: Some("channel".into()),
                raw: "pigeon, carrier".into(),
                reason: RejectReason::UnknownChannel.into(),
                detail: "not a channel".into(),
            };
            w.write(Path::new("in.csv"), &r).unwrap();
            w.flush().unwrap();
        }
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "source_file,line,field,raw_value,reason,detail\nin.csv,7,channel,\"pigeon, carrier\",unknown_channel,not a channel\n"
        );
    }

    #[test]
    fn clipping_respects_char_boundaries() {
        let long = "é".repeat(150);
        let c = clip(&long);
        assert!(c.ends_with("..."));
        assert!(c.len() <= 203);
    }
}
