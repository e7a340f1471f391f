//! Accounting for every row: the reasons a row can be rejected, the reconciliation summary
//! (read = accepted + rejected + duplicates) and the reject file.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use fedcx_model::traits::Rejection;
use serde::{Deserialize, Serialize};

/// The stable reason codes a row can be rejected for. Reports and summaries count by these.
pub mod reason {
    /// The row has fewer or more fields than the header.
    pub const WRONG_FIELD_COUNT: &str = "wrong_field_count";
    /// A field is not valid UTF-8.
    pub const INVALID_UTF8: &str = "invalid_utf8";
    /// A required field is empty.
    pub const MISSING_VALUE: &str = "missing_value";
    /// The response id is not usable.
    pub const BAD_RESPONSE_ID: &str = "bad_response_id";
    /// The timestamp cannot be read or is not a real date.
    pub const BAD_TIMESTAMP: &str = "bad_timestamp";
    /// The service is not in the registry.
    pub const UNKNOWN_SERVICE: &str = "unknown_service";
    /// The channel is not one of the 18.
    pub const UNKNOWN_CHANNEL: &str = "unknown_channel";
    /// The transaction point is not one of the three.
    pub const UNKNOWN_TRANSACTION_POINT: &str = "unknown_transaction_point";
    /// The survey version is not v1 or v2.
    pub const UNKNOWN_SURVEY_VERSION: &str = "unknown_survey_version";
    /// The survey type is not thumbs_up_down or likert_scale.
    pub const UNKNOWN_SURVEY_TYPE: &str = "unknown_survey_type";
    /// An answer label the mapping does not know.
    pub const UNKNOWN_LABEL: &str = "unknown_label";
    /// An answer outside its scale.
    pub const ANSWER_OUT_OF_RANGE: &str = "answer_out_of_range";
    /// A version-2 row without the trust answer.
    pub const MISSING_TRUST_ANSWER: &str = "missing_trust_answer";
    /// An indicator cell other than 1, 0 or null.
    pub const BAD_INDICATOR_VALUE: &str = "bad_indicator_value";
    /// An indicator selected under the follow-up question the trust answer did not show.
    pub const INDICATOR_AGAINST_TRUST: &str = "indicator_against_trust";
    /// A version-1 row with no answer at all.
    pub const NO_ANSWERS: &str = "no_answers";
    /// A row carrying answers of the survey version it is not.
    pub const ANSWERS_OF_OTHER_VERSION: &str = "answers_of_other_version";
    /// A count that is not a non-negative integer.
    pub const BAD_COUNT: &str = "bad_count";
    /// A fiscal year or quarter that is not valid.
    pub const BAD_QUARTER: &str = "bad_quarter";
    /// A JSON line that is not a valid record.
    pub const BAD_JSON: &str = "bad_json";
    /// A response id already seen in this ingest (counted as a duplicate, not a reject).
    pub const DUPLICATE_RESPONSE_ID: &str = "duplicate_response_id";
}

/// The reconciliation of one ingest: every row read is accepted, rejected or a duplicate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    /// Data rows read (headers and blank trailing lines are not rows).
    pub read: u64,
    /// Rows accepted.
    pub accepted: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Rows whose response id was already seen; the first is kept.
    pub duplicates: u64,
    /// Rejected rows by reason code.
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// Personal data redacted from free text, by kind.
    pub redactions: BTreeMap<String, u64>,
}

impl Reconciliation {
    /// Whether read = accepted + rejected + duplicates, and the reasons add up to the rejects.
    pub fn balances(&self) -> bool {
        self.read == self.accepted + self.rejected + self.duplicates
            && self.rejected == self.rejected_by_reason.values().sum::<u64>()
    }

    /// Records a rejection.
    pub fn reject(&mut self, reason: &str) {
        self.read += 1;
        self.rejected += 1;
        *self.rejected_by_reason.entry(reason.to_owned()).or_default() += 1;
    }

    /// Records an accepted row.
    pub fn accept(&mut self) {
        self.read += 1;
        self.accepted += 1;
    }

    /// Records a duplicate.
    pub fn duplicate(&mut self) {
        self.read += 1;
        self.duplicates += 1;
    }

    /// Adds another file's reconciliation into this one.
    pub fn merge(&mut self, other: &Reconciliation) {
        self.read += other.read;
        self.accepted += other.accepted;
        self.rejected += other.rejected;
        self.duplicates += other.duplicates;
        for (k, v) in &other.rejected_by_reason {
            *self.rejected_by_reason.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.redactions {
            *self.redactions.entry(k.clone()).or_default() += v;
        }
    }
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
        let mut out = csv::Writer::from_writer(out);
        out.write_record(REJECT_HEADER).map_err(csv_to_io)?;
        Ok(RejectWriter { out })
    }

    /// Writes one rejection.
    pub fn write(&mut self, file: &Path, r: &Rejection) -> std::io::Result<()> {
        let line = r.line.to_string();
        let file = file.display().to_string();
        let record = [file.as_str(), &line, r.field.as_deref().unwrap_or(""), &r.raw, r.reason, &r.detail];
        self.out.write_record(record).map_err(csv_to_io)
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
    fn reconciliation_balances_and_merges() {
        let mut a = Reconciliation::default();
        a.accept();
        a.reject(reason::UNKNOWN_CHANNEL);
        a.duplicate();
        assert!(a.balances());
        let mut b = a.clone();
        b.merge(&a);
        assert_eq!((b.read, b.accepted, b.rejected, b.duplicates), (6, 2, 2, 2));
        assert_eq!(b.rejected_by_reason["unknown_channel"], 2);
        assert!(b.balances());
    }

    #[test]
    fn reject_file_layout() {
        let mut buf = Vec::new();
        {
            let mut w = RejectWriter::new(&mut buf).unwrap();
            let r = Rejection {
                line: 7,
                field: Some("channel".into()),
                raw: "pigeon, carrier".into(),
                reason: reason::UNKNOWN_CHANNEL,
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
