//! Accounting for every row: why a row can be refused ([`RejectReason`], [`Exclusion`]), and the
//! reconciliation of an ingest (read = accepted + rejected + duplicates + excluded).
//!
//! It lives in the model, not in fedcx-ingest, because it is part of what an ingest hands on: the
//! store embeds it in each manifest entry and the report reads it, and neither should re-list its
//! fields. The reason codes are stable: they are written to reject files, summaries and stores, so a
//! variant may be added but its code never changes.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! codes {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The stable code written to reject files, summaries and stores.
            pub const fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }
        }

        impl FromStr for $name {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<$name, UnknownCode> {
                match s {
                    $($code => Ok($name::$variant),)*
                    _ => Err(UnknownCode(s.to_owned())),
                }
            }
        }
    };
}

codes! {
    /// Why a row was rejected. Reports and summaries count rejects by these.
    pub enum RejectReason {
        /// The row has fewer or more fields than the header.
        WrongFieldCount = "wrong_field_count",
        /// A field is not valid UTF-8.
        InvalidUtf8 = "invalid_utf8",
        /// A required field is empty.
        MissingValue = "missing_value",
        /// The response id is not usable.
        BadResponseId = "bad_response_id",
        /// The timestamp cannot be read or is not a real date.
        BadTimestamp = "bad_timestamp",
        /// The service is not in the registry.
        UnknownService = "unknown_service",
        /// The channel is not one of the 18.
        UnknownChannel = "unknown_channel",
        /// The transaction point is not one of the three.
        UnknownTransactionPoint = "unknown_transaction_point",
        /// The survey version is not v1 or v2.
        UnknownSurveyVersion = "unknown_survey_version",
        /// The survey type is not thumbs_up_down or likert_scale.
        UnknownSurveyType = "unknown_survey_type",
        /// An answer label the mapping does not know.
        UnknownLabel = "unknown_label",
        /// An answer outside its scale.
        AnswerOutOfRange = "answer_out_of_range",
        /// A version-2 row without the trust answer.
        MissingTrustAnswer = "missing_trust_answer",
        /// An indicator cell other than 1, 0 or null.
        BadIndicatorValue = "bad_indicator_value",
        /// An indicator selected under the follow-up question the trust answer did not show.
        IndicatorAgainstTrust = "indicator_against_trust",
        /// A version-1 row with no answer at all.
        NoAnswers = "no_answers",
        /// A row carrying answers of the survey version it is not.
        AnswersOfOtherVersion = "answers_of_other_version",
        /// A count that is not a non-negative integer.
        BadCount = "bad_count",
        /// A fiscal year or quarter that is not valid.
        BadQuarter = "bad_quarter",
        /// A JSON line that is not a valid record.
        BadJson = "bad_json",
        /// A record covering more physical lines than allowed: an unbalanced quote swallowed them.
        RecordTooLong = "record_too_long",
        /// A count too large to be real (more than 2^53, the largest integer every consumer keeps exactly).
        CountTooLarge = "count_too_large",
        /// A web-analytics row whose host is not a host name (e.g. `www.irs gov`).
        BadDomain = "bad_domain",
        /// A collection detail id that is neither Touchpoints' digits nor a slug (it would name a file).
        BadDetailId = "bad_detail_id",
        /// A JSON:API record (or its flattened row) whose `type` is not a version-1 reporting record.
        UnknownRecordType = "unknown_record_type",
        /// A version-1 record whose Touchpoints id, service and quarter an earlier file (or row)
        /// already gave: a duplicate, not counted twice.
        DuplicateRecord = "duplicate_record",
        /// A free-text field longer than fedcx keeps (a title of 40,000 characters is a column
        /// mix-up, and no spreadsheet cell holds more than 32,767).
        TextTooLong = "text_too_long",
        /// A response naming a collection detail whose own row was rejected.
        DetailRejected = "detail_rejected",
        /// A response naming a collection detail no detail export gave.
        UnknownDetail = "unknown_detail",
        /// A response of a detail with a blank `survey_type` whose upload does not tell the scale
        /// (it mixes thumbs and 5-point answers, or every answer is 1).
        AmbiguousSurveyType = "ambiguous_survey_type",
        /// A response id already seen in this ingest or the store. Such a row is counted as a
        /// duplicate, not a reject; the code names it in `--strict`'s error.
        DuplicateResponseId = "duplicate_response_id",
        /// A survey tool's partial response (Qualtrics `Finished = False`) without the answer it
        /// needs to count: the trust question (version 2), or any question (version 1). No longer
        /// given: such a response is excluded as [`Exclusion::UnfinishedResponse`] (a respondent who
        /// left before answering wrote nothing wrong); kept so that reject files and stores that
        /// hold the code still read.
        Unfinished = "unfinished",
        /// A Qualtrics `Status` value fedcx does not know.
        UnknownStatus = "unknown_status",
        /// A Qualtrics `Finished` value other than True, False, 1 or 0.
        BadFinished = "bad_finished",
        // Registry exports (`fedcx registry import`).
        /// A Touchpoints id that is not a whole number.
        BadTouchpointsId = "bad_touchpoints_id",
        /// A Touchpoints id already imported from an earlier row of the same file.
        DuplicateTouchpointsId = "duplicate_touchpoints_id",
        /// A yes/no cell other than `true` or `false`.
        BadBoolean = "bad_boolean",
        /// A year that is not a plausible fiscal year.
        BadYear = "bad_year",
        /// A service kind that is none of Touchpoints' eight.
        UnknownKind = "unknown_kind",
        /// A service with no provider in Touchpoints (fedcx needs one).
        MissingProvider = "missing_provider",
        /// A service whose provider is neither in the provider export nor in the base registry.
        UnknownProvider = "unknown_provider",
        /// The service export's two `service_provider_id` columns disagree.
        ConflictingColumns = "conflicting_columns",
        /// The row's Touchpoints id, slug and name point at different registry entries, or would give
        /// an entry a key another entry answers to.
        ConflictingMatch = "conflicting_match",
        /// A service that matches a registry service of another provider.
        ProviderMismatch = "provider_mismatch",
        /// A new service with no channel: Touchpoints' export drops them, and none were given.
        NoChannels = "no_channels",
        // Business results (fedcx's long-form input).
        /// A metric that is neither known nor written `other:<name>` with a valid name.
        UnknownMetric = "unknown_metric",
        /// A unit that is not one of fedcx's.
        UnknownUnit = "unknown_unit",
        /// A unit the metric cannot be measured in.
        UnitNotAllowed = "unit_not_allowed",
        /// A value that is not a finite number.
        BadValue = "bad_value",
        /// A value outside what the metric can be (negative, or a share above 100 percent).
        ValueOutOfRange = "value_out_of_range",
        /// A unit other than the one an earlier row gave the same service and metric.
        InconsistentUnit = "inconsistent_unit",
        /// A second row for the same service, quarter and metric.
        DuplicateMeasure = "duplicate_measure",
        // FEVS respondent-level files and OPM's index table.
        /// `AGENCY` is not a two-letter code.
        BadFevsAgency = "bad_fevs_agency",
        /// `LEVEL1` is not a four-character code.
        BadFevsLevel1 = "bad_fevs_level1",
        /// `LEVEL1` belongs to another agency than the row's `AGENCY`.
        Level1AgencyMismatch = "level1_agency_mismatch",
        /// `POSTWT` is missing, not a number, not finite, or not above 0.
        BadWeight = "bad_weight",
        /// An item's answer is not 1-5, `X` or blank.
        UnknownAnswerCode = "unknown_answer_code",
        /// The row's `YEAR` differs from the year the caller named.
        YearMismatch = "year_mismatch",
        /// An index table cell that is neither a percentage from 0 to 100 nor empty.
        BadPercentage = "bad_percentage",
        /// An index table row without an agency name.
        MissingAgencyName = "missing_agency_name",
    }
}

codes! {
    /// Why a row that is read is not a respondent's answer (a survey tool's previews, tests and
    /// spam): neither accepted nor rejected, it is counted apart as excluded, never written to the
    /// reject file, and `--strict` does not fail on it.
    pub enum Exclusion {
        /// A response the survey's owner made in the tool's preview (Qualtrics `Status` Survey Preview).
        SurveyPreview = "survey_preview",
        /// A response the tool generated to test the survey (Qualtrics `Status` Survey Test).
        SurveyTest = "survey_test",
        /// A response the tool flagged as spam (Qualtrics `Status` Spam).
        Spam = "spam",
        /// A partial response (Qualtrics `Finished = False`) that left the question it needs to
        /// count unanswered: the trust question (version 2), or every question (version 1). The
        /// respondent left before answering; every Qualtrics export holds such responses once they
        /// are closed or expire. (`unfinished` is the code of the rejection it replaces.)
        UnfinishedResponse = "unfinished_response",
    }
}

/// A code that names no [`RejectReason`] or [`Exclusion`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown reason code `{0}`")]
pub struct UnknownCode(pub String);

macro_rules! by_code {
    ($name:ident) => {
        // Ordered by code, so maps keyed by reason list them alphabetically, as the codes sort.
        impl Ord for $name {
            fn cmp(&self, other: &$name) -> std::cmp::Ordering {
                self.code().cmp(other.code())
            }
        }
        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &$name) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
by_code!(RejectReason);
by_code!(Exclusion);

/// Why a source refused a row: rejected (bad input) or excluded (not a respondent's answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Refusal {
    /// The row is bad input; it goes to the reject file.
    Reject(RejectReason),
    /// The row is a preview, test or spam response; it is counted apart.
    Exclude(Exclusion),
}

impl Refusal {
    /// The reason, when the row was rejected (not excluded).
    pub const fn rejection(self) -> Option<RejectReason> {
        match self {
            Refusal::Reject(r) => Some(r),
            Refusal::Exclude(_) => None,
        }
    }

    /// The stable code.
    pub const fn code(self) -> &'static str {
        match self {
            Refusal::Reject(r) => r.code(),
            Refusal::Exclude(e) => e.code(),
        }
    }
}

impl PartialEq<RejectReason> for Refusal {
    fn eq(&self, other: &RejectReason) -> bool {
        self.rejection() == Some(*other)
    }
}

impl From<RejectReason> for Refusal {
    fn from(r: RejectReason) -> Refusal {
        Refusal::Reject(r)
    }
}

impl From<Exclusion> for Refusal {
    fn from(e: Exclusion) -> Refusal {
        Refusal::Exclude(e)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The reconciliation of one ingest: every row read is accepted, rejected, a duplicate or excluded
/// (a survey tool's preview, test or spam response), and every physical line of a file is its
/// header's, blank, or a row's.
///
/// `read` and `lines` are counted where the source produces records and from the input's bytes
/// ([`Reconciliation::set_read`]); `accepted`, `rejected` and `duplicates` where each record is
/// classified. The two are independent, so a record lost between them breaks the balance.
///
/// ```
/// use fedcx_model::{LineAccount, Reconciliation, RejectReason};
///
/// let mut r = Reconciliation::default();
/// r.accept();
/// r.reject(RejectReason::UnknownChannel);
/// assert!(!r.balances(), "two rows classified, none read");
/// r.set_read(2, LineAccount { physical: 3, header: 1, blank: 0, in_rows: 2 });
/// assert!(r.balances());
/// assert_eq!(r.rejected_by_reason[&RejectReason::UnknownChannel], 1);
/// ```
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
    /// Rejected rows by reason.
    pub rejected_by_reason: BTreeMap<RejectReason, u64>,
    /// Rows read that are not respondents' answers: neither accepted nor rejected.
    #[serde(default)]
    pub excluded: u64,
    /// Excluded rows by reason.
    #[serde(default)]
    pub excluded_by_reason: BTreeMap<Exclusion, u64>,
    /// Personal data redacted from free text, by kind.
    #[serde(default)]
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

    /// Takes `read` and the line account from what the source produced, counted apart from the
    /// classification.
    pub fn set_read(&mut self, read: u64, lines: LineAccount) {
        self.read = read;
        self.lines = lines;
    }

    /// Records a row refused for `why`: a rejection or an exclusion (`read` is counted by the
    /// source, not here).
    pub fn refuse(&mut self, why: impl Into<Refusal>) {
        match why.into() {
            Refusal::Reject(r) => self.reject(r),
            Refusal::Exclude(e) => self.exclude(e),
        }
    }

    /// Records a rejection (`read` is counted by the source, not here).
    pub fn reject(&mut self, reason: RejectReason) {
        self.rejected += 1;
        *self.rejected_by_reason.entry(reason).or_default() += 1;
    }

    /// Records an accepted row.
    pub fn accept(&mut self) {
        self.accepted += 1;
    }

    /// Records a duplicate.
    pub fn duplicate(&mut self) {
        self.duplicates += 1;
    }

    /// Records a row excluded for `reason`.
    pub fn exclude(&mut self, reason: Exclusion) {
        self.excluded += 1;
        *self.excluded_by_reason.entry(reason).or_default() += 1;
    }

    /// Rejected rows by reason, the most frequent first (ties by code).
    pub fn reasons_by_count(&self) -> Vec<(RejectReason, u64)> {
        let mut v: Vec<(RejectReason, u64)> = self.rejected_by_reason.iter().map(|(k, n)| (*k, *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    /// Adds another file's reconciliation into this one.
    pub fn merge(&mut self, other: &Reconciliation) {
        self.read += other.read;
        self.accepted += other.accepted;
        self.rejected += other.rejected;
        self.duplicates += other.duplicates;
        self.excluded += other.excluded;
        for (k, v) in &other.rejected_by_reason {
            *self.rejected_by_reason.entry(*k).or_default() += v;
        }
        for (k, v) in &other.excluded_by_reason {
            *self.excluded_by_reason.entry(*k).or_default() += v;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for r in RejectReason::ALL {
            assert_eq!(r.code().parse::<RejectReason>(), Ok(*r));
            assert!(seen.insert(r.code()), "{r} twice");
        }
        for e in Exclusion::ALL {
            assert_eq!(e.code().parse::<Exclusion>(), Ok(*e));
            assert!(seen.insert(e.code()), "{e} is also a reject code");
        }
        assert!("no_such_reason".parse::<RejectReason>().is_err());
    }

    #[test]
    fn codes_are_the_published_ones() {
        // Written to reject files and stores since the first release: a code must never change.
        assert_eq!(RejectReason::WrongFieldCount.code(), "wrong_field_count");
        assert_eq!(RejectReason::AmbiguousSurveyType.code(), "ambiguous_survey_type");
        assert_eq!(RejectReason::BadFinished.code(), "bad_finished");
        assert_eq!(Exclusion::SurveyPreview.code(), "survey_preview");
        assert_eq!(RejectReason::ALL.len(), 31 + 11 + 7 + 6 + 2 + 3);
        assert_eq!(RejectReason::TextTooLong.code(), "text_too_long");
        assert_eq!(RejectReason::DuplicateRecord.code(), "duplicate_record");
        assert_eq!(RejectReason::Unfinished.code(), "unfinished");
        assert_eq!(Exclusion::UnfinishedResponse.code(), "unfinished_response");
        assert_eq!(Exclusion::ALL.len(), 3 + 1);
        assert_eq!(RejectReason::UnknownRecordType.code(), "unknown_record_type");
    }

    #[test]
    fn reconciliation_balances_and_merges() {
        let mut a = Reconciliation::default();
        a.accept();
        a.reject(RejectReason::UnknownChannel);
        a.duplicate();
        // Classifying rows does not count them read: the source does, independently.
        assert!(!a.balances(), "three rows classified but none read");
        a.set_read(3, LineAccount { physical: 5, header: 1, blank: 1, in_rows: 3 });
        assert!(a.balances(), "{:?}", a.imbalance());
        let mut b = a.clone();
        b.merge(&a);
        assert_eq!((b.read, b.accepted, b.rejected, b.duplicates), (6, 2, 2, 2));
        assert_eq!(b.rejected_by_reason[&RejectReason::UnknownChannel], 2);
        assert!(b.balances());
        // A line unaccounted for breaks the balance too.
        b.lines.physical += 1;
        assert!(b.imbalance().unwrap().contains("physical lines"), "{:?}", b.imbalance());
    }

    #[test]
    fn excluded_rows_are_part_of_the_balance() {
        let mut a = Reconciliation::default();
        a.accept();
        a.refuse(Exclusion::SurveyPreview);
        a.refuse(Exclusion::Spam);
        a.set_read(3, LineAccount { physical: 4, header: 1, blank: 0, in_rows: 3 });
        assert!(a.balances(), "{:?}", a.imbalance());
        let mut b = a.clone();
        b.merge(&a);
        assert_eq!((b.read, b.accepted, b.excluded), (6, 2, 4));
        assert_eq!(b.excluded_by_reason[&Exclusion::SurveyPreview], 2);
        // An exclusion not counted (or counted without its reason) breaks the balance.
        let mut c = a.clone();
        c.excluded -= 1;
        assert!(c.imbalance().unwrap().contains("+ 1 excluded = 2"), "{:?}", c.imbalance());
        let mut d = a.clone();
        d.excluded_by_reason.clear();
        assert!(d.imbalance().unwrap().contains("2 rows excluded but 0 by reason"), "{:?}", d.imbalance());
    }

    #[test]
    fn serialized_with_codes_in_code_order() {
        let mut a = Reconciliation::default();
        a.reject(RejectReason::UnknownService);
        a.reject(RejectReason::BadCount);
        a.reject(RejectReason::BadCount);
        let json = serde_json::to_string(&a.rejected_by_reason).unwrap();
        assert_eq!(json, r#"{"bad_count":2,"unknown_service":1}"#);
        let back: BTreeMap<RejectReason, u64> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a.rejected_by_reason);
        assert!(serde_json::from_str::<BTreeMap<RejectReason, u64>>(r#"{"nope":1}"#).is_err());
        assert_eq!(a.reasons_by_count(), vec![(RejectReason::BadCount, 2), (RejectReason::UnknownService, 1)]);
    }
}
