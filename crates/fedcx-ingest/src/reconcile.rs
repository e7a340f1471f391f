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
    /// A record covering more physical lines than allowed: an unbalanced quote swallowed them.
    pub const RECORD_TOO_LONG: &str = "record_too_long";
    /// A count too large to be real (more than 2^53, the largest integer every consumer keeps exactly).
    pub const COUNT_TOO_LARGE: &str = "count_too_large";
    /// A cell that should be a boolean (`true`/`false`, `True`/`False` as pandas rewrites them) is not.
    pub const BAD_BOOLEAN: &str = "bad_boolean";
    /// A web-analytics row whose host is not a host name (e.g. `www.irs gov`).
    pub const BAD_DOMAIN: &str = "bad_domain";
    /// A collection detail id that is neither Touchpoints' digits nor a slug (it would name a file).
    pub const BAD_DETAIL_ID: &str = "bad_detail_id";
    /// A response naming a collection detail whose own row was rejected.
    pub const DETAIL_REJECTED: &str = "detail_rejected";
    /// A response naming a collection detail no detail export gave.
    pub const UNKNOWN_DETAIL: &str = "unknown_detail";
    /// A response of a detail with a blank `survey_type` whose upload does not tell the scale
    /// (it mixes thumbs and 5-point answers, or every answer is 1).
    pub const AMBIGUOUS_SURVEY_TYPE: &str = "ambiguous_survey_type";
    /// A response id already seen in this ingest (counted as a duplicate, not a reject).
    pub const DUPLICATE_RESPONSE_ID: &str = "duplicate_response_id";
    /// A survey tool's partial response (Qualtrics `Finished = False`) without the answer it needs
    /// to count: the trust question (version 2), or any question (version 1).
    pub const UNFINISHED: &str = "unfinished";
    /// A Qualtrics `Status` value fedcx does not know.
    pub const UNKNOWN_STATUS: &str = "unknown_status";
    /// A Qualtrics `Finished` value other than True, False, 1 or 0.
    pub const BAD_FINISHED: &str = "bad_finished";
}

/// Rows that are read but are not respondents' answers (a survey tool's previews, tests and spam):
/// neither accepted nor rejected, they are counted apart as `excluded`, by these reasons. A source
/// hands one on as a [`Rejection`] with one of these reasons; the ingest counts it as excluded,
/// never writes it to the reject file, and `--strict` does not fail on it.
pub mod exclusion {
    /// A response the survey's owner made in the tool's preview (Qualtrics `Status` Survey Preview).
    pub const SURVEY_PREVIEW: &str = "survey_preview";
    /// A response the tool generated to test the survey (Qualtrics `Status` Survey Test).
    pub const SURVEY_TEST: &str = "survey_test";
    /// A response the tool flagged as spam (Qualtrics `Status` Spam).
    pub const SPAM: &str = "spam";
    /// Every exclusion reason.
    pub const ALL: [&str; 3] = [SURVEY_PREVIEW, SURVEY_TEST, SPAM];

    /// Whether a reason code is an exclusion rather than a rejection.
    pub fn is_exclusion(reason: &str) -> bool {
        ALL.contains(&reason)
    }
}

/// The reconciliation of one ingest: every row read is accepted, rejected, a duplicate or excluded
/// (a survey tool's preview, test or spam response), and every physical line of a file is its
/// header's, blank, or a row's.
///
/// `read` and `lines` are counted where the source produces records and from the input's bytes
/// ([`crate::rows::Produced`]); `accepted`, `rejected` and `duplicates` where each record is
/// classified. The two are independent, so a record lost between them breaks the balance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    /// Data rows read (headers and blank lines are not rows), as the source counted them.
    pub read: u64,
    /// Rows accepted.
    pub accepted: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Rows whose response id was already seen; the first is kept.
    pub duplicates: u64,
    /// Rejected rows by reason code.
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// Rows read that are not respondents' answers (see [`exclusion`]): neither accepted nor rejected.
    #[serde(default)]
    pub excluded: u64,
    /// Excluded rows by reason code.
    #[serde(default)]
    pub excluded_by_reason: BTreeMap<String, u64>,
    /// Personal data redacted from free text, by kind.
    pub redactions: BTreeMap<String, u64>,
    /// Rows accepted with something set aside, by kind (e.g. `hidden_follow_up_ignored`).
    #[serde(default)]
    pub warnings: BTreeMap<String, u64>,
    /// Where every physical line went.
    #[serde(default)]
    pub lines: LineAccount,
}

/// Where every physical line of a file went (all zero for inputs without lines, such as JSON).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineAccount {
    /// Physical lines, counted from the bytes.
    pub physical: u64,
    /// Lines of the header.
    pub header: u64,
    /// Empty lines, and lines of rows with no value at all.
    pub blank: u64,
    /// Lines inside rows. More than `read` when fields hold line breaks, and far more when an
    /// unbalanced quote swallowed lines (those rows are rejected as `record_too_long`).
    pub in_rows: u64,
}

impl Reconciliation {
    /// Whether read = accepted + rejected + duplicates + excluded, the reasons add up to the rejects
    /// and the exclusions, and every physical line is accounted for.
    pub fn balances(&self) -> bool {
        self.imbalance().is_none()
    }

    /// What does not add up, if anything.
    pub fn imbalance(&self) -> Option<String> {
        let classified = self.accepted + self.rejected + self.duplicates + self.excluded;
        if self.read != classified {
            return Some(format!(
                "{} rows read but {} accepted + {} rejected + {} duplicates + {} excluded = {classified}",
                self.read, self.accepted, self.rejected, self.duplicates, self.excluded
            ));
        }
        let by_reason: u64 = self.rejected_by_reason.values().sum();
        if self.rejected != by_reason {
            return Some(format!("{} rows rejected but {by_reason} by reason", self.rejected));
        }
        let excluded_by_reason: u64 = self.excluded_by_reason.values().sum();
        if self.excluded != excluded_by_reason {
            return Some(format!("{} rows excluded but {excluded_by_reason} by reason", self.excluded));
        }
        let l = &self.lines;
        if l.physical != l.header + l.blank + l.in_rows {
            return Some(format!(
                "{} physical lines but {} header + {} blank + {} in rows = {}",
                l.physical,
                l.header,
                l.blank,
                l.in_rows,
                l.header + l.blank + l.in_rows
            ));
        }
        None
    }

    /// Takes `read` and the line account from what the source produced.
    pub fn set_produced(&mut self, p: &crate::rows::Produced) {
        self.read = p.records;
        self.lines =
            LineAccount { physical: p.lines, header: p.header_lines, blank: p.blank_lines, in_rows: p.record_lines };
    }

    /// Records a rejection (`read` is counted by the source, not here).
    pub fn reject(&mut self, reason: &str) {
        self.rejected += 1;
        *self.rejected_by_reason.entry(reason.to_owned()).or_default() += 1;
    }

    /// Records an accepted row.
    pub fn accept(&mut self) {
        self.accepted += 1;
    }

    /// Records a duplicate.
    pub fn duplicate(&mut self) {
        self.duplicates += 1;
    }

    /// Records a row excluded for `reason` (one of [`exclusion::ALL`]).
    pub fn exclude(&mut self, reason: &str) {
        self.excluded += 1;
        *self.excluded_by_reason.entry(reason.to_owned()).or_default() += 1;
    }

    /// Adds another file's reconciliation into this one.
    pub fn merge(&mut self, other: &Reconciliation) {
        self.read += other.read;
        self.accepted += other.accepted;
        self.rejected += other.rejected;
        self.duplicates += other.duplicates;
        self.excluded += other.excluded;
        for (k, v) in &other.rejected_by_reason {
            *self.rejected_by_reason.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.excluded_by_reason {
            *self.excluded_by_reason.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.redactions {
            *self.redactions.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.warnings {
            *self.warnings.entry(k.clone()).or_default() += v;
        }
        self.lines.physical += other.lines.physical;
        self.lines.header += other.lines.header;
        self.lines.blank += other.lines.blank;
        self.lines.in_rows += other.lines.in_rows;
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
        let record = [file.as_str(), &line, &field, &raw, r.reason, &detail];
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
    fn reconciliation_balances_and_merges() {
        let mut a = Reconciliation::default();
        a.accept();
        a.reject(reason::UNKNOWN_CHANNEL);
        a.duplicate();
        // Classifying rows does not count them read: the source does, independently.
        assert!(!a.balances(), "three rows classified but none read");
        let produced = crate::rows::Produced { records: 3, lines: 5, header_lines: 1, blank_lines: 1, record_lines: 3 };
        a.set_produced(&produced);
        assert!(a.balances(), "{:?}", a.imbalance());
        let mut b = a.clone();
        b.merge(&a);
        assert_eq!((b.read, b.accepted, b.rejected, b.duplicates), (6, 2, 2, 2));
        assert_eq!(b.rejected_by_reason["unknown_channel"], 2);
        assert!(b.balances());
        // A line unaccounted for breaks the balance too.
        b.lines.physical += 1;
        assert!(b.imbalance().unwrap().contains("physical lines"), "{:?}", b.imbalance());
    }

    #[test]
    fn excluded_rows_are_part_of_the_balance() {
        let mut a = Reconciliation::default();
        a.accept();
        a.exclude(exclusion::SURVEY_PREVIEW);
        a.exclude(exclusion::SPAM);
        a.set_produced(&crate::rows::Produced {
            records: 3,
            lines: 4,
            header_lines: 1,
            blank_lines: 0,
            record_lines: 3,
        });
        assert!(a.balances(), "{:?}", a.imbalance());
        let mut b = a.clone();
        b.merge(&a);
        assert_eq!((b.read, b.accepted, b.excluded), (6, 2, 4));
        assert_eq!(b.excluded_by_reason["survey_preview"], 2);
        // An exclusion not counted (or counted without its reason) breaks the balance.
        let mut c = a.clone();
        c.excluded -= 1;
        assert!(c.imbalance().unwrap().contains("+ 1 excluded = 2"), "{:?}", c.imbalance());
        let mut d = a.clone();
        d.excluded_by_reason.clear();
        assert!(d.imbalance().unwrap().contains("2 rows excluded but 0 by reason"), "{:?}", d.imbalance());
        assert!(exclusion::is_exclusion("spam") && !exclusion::is_exclusion(reason::UNFINISHED));
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
