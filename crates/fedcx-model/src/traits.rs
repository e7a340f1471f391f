//! The small traits that tie the crates together, so a team can use one crate alone.
//!
//! - [`ResponseSource`]: where responses come from (fedcx-ingest implements it for each format, and
//!   the ingestor takes any implementor through `Ingestor::ingest_source`, so a team can plug in its
//!   own reader).
//! - [`IndexModel`]: what turns data into an index (fedcx-index's `PlsModel` implements it).

use crate::counts::{GroupKey, Tally};
use crate::response::SurveyResponse;

/// Why one input row was not accepted; the source keeps going after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The 1-based line the row starts on.
    pub line: u64,
    /// The field at fault, when one is.
    pub field: Option<String>,
    /// The raw value at fault (or the row's text), cut to a readable length.
    pub raw: String,
    /// Why: a rejection (counted by reason, written to the reject file) or an exclusion.
    pub reason: crate::Refusal,
    /// What was expected, for people.
    pub detail: String,
}

/// What a source yields for one row.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceItem {
    /// A respondent-level response, with the line its row starts on.
    Response(u64, Box<SurveyResponse>),
    /// Counts that were already aggregated in the source (e.g. a version-1 reporting record).
    Counts(GroupKey, Box<Tally>),
    /// A row that was read but refused.
    Rejected(Rejection),
    /// A record another file (or an earlier row of this one) already gave: counted with the
    /// duplicates, not again, and written to the reject file with why.
    Duplicate(Rejection),
    /// One value of a published benchmark series.
    Benchmark(crate::series::BenchmarkPoint),
    /// Web visits to a domain on one day or month (summed into months by the consumer).
    WebVisits(crate::series::WebVisits),
    /// A quarter's figures as performance.gov published them (means on the 1-5 scale).
    PublishedMeans(Box<crate::series::PublishedMeans>),
}

/// A stream of rows from one input, each accepted or rejected.
///
/// Sources stream: they hold one row at a time, whatever the input's size. A fatal error (the input
/// cannot be read at all) ends the stream with `Err`; a bad row is a [`SourceItem::Rejected`].
///
/// ```
/// use fedcx_model::traits::{ResponseSource, SourceItem};
/// use fedcx_model::ResponseCounts;
///
/// /// Counts every accepted item of any source.
/// fn count_all<S: ResponseSource>(source: &mut S) -> Result<(ResponseCounts, u64), S::Error> {
///     let mut counts = ResponseCounts::default();
///     let mut rejected = 0;
///     while let Some(item) = source.next_item()? {
///         match item {
///             SourceItem::Response(_, r) => {
///                 if counts.add_response(&r).is_err() {
///                     rejected += 1;
///                 }
///             }
///             SourceItem::Counts(key, tally) => counts.add_tally(&key, &tally),
///             SourceItem::Rejected(_) => rejected += 1,
///             // Already counted once, from the record that came first.
///             SourceItem::Duplicate(_) => {}
///             SourceItem::Benchmark(_)
///             | SourceItem::WebVisits(_)
///             | SourceItem::PublishedMeans(_) => {}
///         }
///     }
///     Ok((counts, rejected))
/// }
/// ```
pub trait ResponseSource {
    /// A fatal error reading the input.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The next row's outcome, or `None` at the end of the input.
    fn next_item(&mut self) -> Result<Option<SourceItem>, Self::Error>;
}

/// A model that estimates an index from some input: driver scores from counts, a PLS path model
/// from respondent-level data.
///
/// ```
/// use fedcx_model::traits::IndexModel;
/// use fedcx_model::ResponseCounts;
///
/// /// The share of all respondents answering version 2.
/// struct V2Share;
///
/// impl IndexModel for V2Share {
///     type Input = ResponseCounts;
///     type Output = Option<f64>;
///     type Error = std::convert::Infallible;
///     fn name(&self) -> &str { "v2-share" }
///     fn estimate(&self, counts: &ResponseCounts) -> Result<Option<f64>, Self::Error> {
///         let v2: u64 = counts.iter().map(|(_, t)| t.v2.respondents).sum();
///         let all = counts.respondents();
///         Ok((all > 0).then(|| v2 as f64 / all as f64))
///     }
/// }
///
/// assert_eq!(V2Share.estimate(&ResponseCounts::default()).unwrap(), None);
/// ```
pub trait IndexModel {
    /// What the model reads.
    type Input: ?Sized;
    /// What it estimates.
    type Output;
    /// Why it could not.
    type Error: std::error::Error + Send + Sync + 'static;

    /// A short name for reports and logs.
    fn name(&self) -> &str;

    /// Estimates the model on the input.
    fn estimate(&self, input: &Self::Input) -> Result<Self::Output, Self::Error>;
}
