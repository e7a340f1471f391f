//! Version-1 reporting records (A-11 Section 280, FY2019-23), whichever form they come in: each
//! record gives one service and channel's counts at each scale point of q1..q11 for a quarter, and
//! is that group's collection detail too.
//!
//! The forms are Touchpoints' own CSV export (`OmbCxReportingCollection.to_csv`), the JSON:API
//! document performance.gov publishes ([`crate::published_cx`]), GSA's flattened copy of that
//! document (the same columns prefixed `attributes_`, with `id` and `type`), and GSA's long form
//! with one row per question. Every form is read as a row of the reporting record's columns
//! ([`V1Columns`] finds them with or without the prefix), so one parser ([`V1Parser`]) decides
//! what every form's record means.
//!
//! Published data is what agencies typed into a form, and the parser keeps what it can of it, each
//! time with a warning that names the row: a question with more answers than the respondents
//! reported is counted as reported (the respondents stay the agency's figure); a blank channel is
//! kept as `not_reported`; a control number inside decoration (`#3090-0297`) is cleaned; an
//! offered volume of 0 beside respondents is unknown. What it cannot keep is rejected with a reason.
//! A row is routed by its provider and service together: a Touchpoints service id is resolved among
//! the services of the row's provider, so a row is never moved to another HISP because the two
//! share a Touchpoints service.

use std::collections::BTreeMap;

use fedcx_model::records::{OffScaleQuestion, QuestionScale, TouchpointsFields};
use fedcx_model::survey::V1_QUESTION_COUNT;
use fedcx_model::traits::{Rejection, SourceItem};
use fedcx_model::{
    Channel, CollectionDetail, DetailId, FiscalQuarter, GroupKey, Quarter, Registry, Service, ServiceProvider, Tally,
};

use crate::error::IngestError;
use crate::plausibility::Finding;
use crate::reconcile::{Notice, RejectReason};
use crate::rows::Row;
use crate::scales::{read_scale, ScaleReading};

/// What makes two records the same counts: quarter, channel, every question's counts, respondents.
type SameCounts = (FiscalQuarter, Channel, Vec<[u64; 5]>, u64);

/// Warnings of the version-1 readers (rows kept, something set aside or corrected), by kind.
pub mod warning {
    /// A question answered on another scale (3-point, 10-point) kept out of the 5-point counts.
    pub const QUESTION_NOT_ON_5_POINT_SCALE: &str = "question_not_on_5_point_scale";
    /// A yes/no question reported as no = 1 and yes = 5, counted with "yes" as agreeing.
    pub const YES_NO_QUESTION_MAPPED: &str = "yes_no_question_mapped";
    /// Organization name and abbreviation in each other's columns (Touchpoints' export swapped
    /// them, omb_cx_reporting_collection.rb:277-278 @ 3319fe54); read back in the right order.
    pub const ORGANIZATION_COLUMNS_SWAPPED: &str = "organization_columns_swapped";
    /// A `q*_point_scale` (Touchpoints' mean of the 1-5 codes) that the counts do not give.
    pub const POINT_SCALE_DISAGREES: &str = "point_scale_disagrees";
    /// A question with more answers than the respondents the record reports: its answers are
    /// counted, and the record's respondents stay as reported.
    pub const ANSWERS_EXCEED_RESPONDENTS: &str = "answers_exceed_respondents";
    /// A record reporting no respondents (blank or 0) beside answers: the most answered question's
    /// answers are its respondents.
    pub const RESPONDENTS_FROM_ANSWERS: &str = "respondents_from_answers";
    /// A blank channel, kept as `not_reported` (on neither side of digital versus assisted).
    pub const CHANNEL_NOT_REPORTED: &str = "channel_not_reported";
    /// A question whose wording speaks of a scale fedcx cannot read; counted as 5-point.
    pub const QUESTION_SCALE_UNCLEAR: &str = "question_scale_unclear";
    /// An OMB control number written inside decoration (`OMB Control Number1090-0012`), cleaned.
    pub const OMB_CONTROL_NUMBER_CLEANED: &str = "omb_control_number_cleaned";
    /// A volume of customers offered the survey of 0 beside respondents: unknown, not zero.
    pub const OFFERED_ZERO_READ_AS_UNKNOWN: &str = "offered_zero_read_as_unknown";
    /// A record with exactly the counts of an earlier record of the file, filed under another
    /// service: both are counted, as published.
    pub const SAME_COUNTS_UNDER_ANOTHER_SERVICE: &str = "same_counts_under_another_service";
    /// The record's service name is none of the names the registry knows the service by.
    pub const SERVICE_NAME_DIFFERS: &str = "service_name_differs";
    /// The record's channel is not among the channels the registry lists for the service.
    pub const CHANNEL_NOT_IN_REGISTRY: &str = "channel_not_in_registry";
    /// The record's fiscal year is outside the years the registry gives the service.
    pub const SERVICE_OUTSIDE_REGISTRY_YEARS: &str = "service_outside_registry_years";
    /// The record's provider is not in the registry: its service was resolved alone.
    pub const PROVIDER_NOT_IN_REGISTRY: &str = "provider_not_in_registry";
}

/// What a JSON:API record's `type` must be (Touchpoints' serializer: app/serializers/
/// omb_cx_reporting_collection_serializer.rb @ 3319fe54, JSON:API adapter, keys unaltered).
pub const RECORD_TYPE: &str = "omb_cx_reporting_collections";

/// The prefix GSA's flattening of the JSON:API document put on every attribute.
pub const FLATTENED_PREFIX: &str = "attributes_";

/// The columns of the reporting record that fedcx needs (the rest are optional).
pub const REQUIRED: [&str; 6] =
    ["collection_year", "collection_quarter", "service_id", "service_name", "channel", "volume_of_respondents"];

/// Optional version-1 columns, read when present. The export (`OmbCxReportingCollection.to_csv`,
/// app/models/omb_cx_reporting_collection.rb:168-360 @ 3319fe54) prefixes the organization with
/// `collection_`; the JSON record (the serializer's layout) does not.
pub const OPTIONAL: [&str; 23] = [
    "id",
    "collection_id",
    "collection_name",
    "collection_organization_id",
    "collection_organization_name",
    "collection_organization_abbreviation",
    "organization_id",
    "organization_name",
    "organization_abbreviation",
    "service_provider_id",
    "service_provider_name",
    "service_provider_organization_id",
    "service_provider_organization_name",
    "service_provider_organization_abbreviation",
    "service_provided",
    "transaction_point",
    "volume_of_customers",
    "volume_of_customers_provided_survey_opportunity",
    "omb_control_number",
    "federal_register_url",
    "created_at",
    "updated_at",
    "type",
];

/// What Touchpoints' version-1 export writes when the control number or Federal Register URL is
/// blank (omb_cx_reporting_collection.rb:27-33 @ 3319fe54; 'Federal Register URL' before cf86cefd):
/// placeholders meaning "not provided", read as blank.
const PLACEHOLDERS: [&str; 3] = ["OMB Control Number", "https:///www.reginfo.gov/...", "Federal Register URL"];

/// Above this share of the respondents, answers beyond them are a plausibility finding too.
const LARGE_EXCESS: f64 = 0.05;

/// Where a version-1 record's columns are in a header. Each name is found as written or with the
/// flattened file's `attributes_` prefix.
#[derive(Debug, Clone)]
pub struct V1Columns {
    base: [usize; REQUIRED.len()],
    optional: [Option<usize>; OPTIONAL.len()],
    questions: Vec<QuestionColumns>,
    operational_metrics: Option<usize>,
}

/// The columns of one version-1 question.
#[derive(Debug, Clone, Copy, Default)]
struct QuestionColumns {
    counts: [Option<usize>; 5],
    text: Option<usize>,
    point_scale: Option<usize>,
}

impl V1Columns {
    /// Finds the columns in `header`. The required ones and q1's counts must be there; a header that
    /// lacks them is one error listing what is missing, and says so when the names are there
    /// under another prefix.
    pub fn new(path: &std::path::Path, format: &'static str, header: &[String]) -> Result<V1Columns, IngestError> {
        let find = |name: &str| {
            header.iter().position(|h| h.trim().eq_ignore_ascii_case(name)).or_else(|| {
                header.iter().position(|h| {
                    h.trim().strip_prefix(FLATTENED_PREFIX).is_some_and(|rest| rest.eq_ignore_ascii_case(name))
                })
            })
        };
        let q1: Vec<String> = (1..=5).map(|k| format!("q1_{k}")).collect();
        let mut missing: Vec<String> = REQUIRED.iter().filter(|n| find(n).is_none()).map(|n| n.to_string()).collect();
        missing.extend(q1.iter().filter(|n| find(n).is_none()).cloned());
        if !missing.is_empty() {
            return Err(IngestError::MissingColumns { path: path.to_owned(), format, missing, found: header.to_vec() });
        }
        let base = REQUIRED.map(|n| find(n).expect("checked above"));
        let questions = (1..=V1_QUESTION_COUNT)
            .map(|q| QuestionColumns {
                counts: std::array::from_fn(|k| find(&format!("q{q}_{}", k + 1))),
                text: find(&format!("q{q}_text")),
                point_scale: find(&format!("q{q}_point_scale")),
            })
            .collect();
        Ok(V1Columns {
            base,
            optional: OPTIONAL.map(find),
            questions,
            operational_metrics: find("operational_metrics"),
        })
    }

    fn col(&self, name: &str) -> Option<usize> {
        OPTIONAL.iter().position(|n| *n == name).and_then(|k| self.optional[k])
    }
}

/// A whole number as agencies' files write counts: `12`, or `12.0` as pandas writes an integer
/// column that has a blank in it. A fraction is not a count.
pub fn whole_count(text: &str) -> Option<u64> {
    let t = text.trim();
    if let Ok(n) = t.parse::<u64>() {
        return Some(n);
    }
    let (whole, frac) = t.split_once('.')?;
    (!whole.is_empty() && !frac.is_empty() && frac.bytes().all(|b| b == b'0'))
        .then(|| whole.parse::<u64>().ok())
        .flatten()
}

/// Field `i` as a count ([`whole_count`]): `None` when empty; a rejection when it is not a whole
/// number or is above [`fedcx_model::MAX_COUNT`].
fn count(row: &Row<'_>, i: usize) -> Result<Option<u64>, Rejection> {
    let t = row.get(i)?;
    if t.is_empty() || t.eq_ignore_ascii_case("nan") {
        return Ok(None);
    }
    let n = whole_count(t)
        .ok_or_else(|| row.reject(i, RejectReason::BadCount, "expected a whole number, 0 or more (12 or 12.0)"))?;
    if n > fedcx_model::MAX_COUNT {
        return Err(row.reject(
            i,
            RejectReason::CountTooLarge,
            format!("{n} is above {}, the largest count fedcx accepts", fedcx_model::MAX_COUNT),
        ));
    }
    Ok(Some(n))
}

/// A control number as the A-11 records want it (`NNNN-NNNN`), found inside what an agency wrote
/// (`OMB Control Number1090-0012`, `#3090-0297`, `0412-0609 `). `None` when there is none, or more
/// than one.
pub fn control_number_in(text: &str) -> Option<&str> {
    let b = text.as_bytes();
    let mut found = None;
    for start in 0..b.len().saturating_sub(8) {
        let w = &b[start..start + 9];
        let digits = |r: std::ops::Range<usize>| w[r].iter().all(u8::is_ascii_digit);
        let bounded =
            (start == 0 || !b[start - 1].is_ascii_digit()) && b.get(start + 9).is_none_or(|c| !c.is_ascii_digit());
        if digits(0..4) && w[4] == b'-' && digits(5..9) && bounded {
            if found.is_some() {
                return None;
            }
            found = Some(&text[start..start + 9]);
        }
    }
    found
}

/// Reads version-1 records one row at a time, keeping the details, warnings and notices of the
/// rows it accepts.
#[derive(Debug)]
pub struct V1Parser<'r> {
    cols: V1Columns,
    registry: &'r Registry,
    details: Vec<CollectionDetail>,
    warnings: BTreeMap<&'static str, u64>,
    notices: Vec<Notice>,
    findings: Vec<Finding>,
    /// Each accepted record's counts (quarter, channel, every question, respondents) and the line
    /// and service it came with, to tell a record repeated under another service.
    seen: BTreeMap<SameCounts, (u64, fedcx_model::ServiceId)>,
    /// Records already ingested (by the store, an earlier file or an earlier row), by Touchpoints
    /// id, service and quarter, with where from: a record repeated is a duplicate.
    known: BTreeMap<(DetailId, fedcx_model::ServiceId, FiscalQuarter), String>,
}

/// What one row is, before it is accepted: its group, counts and detail, and what to warn of.
struct Parsed {
    key: GroupKey,
    tally: Tally,
    detail: Option<CollectionDetail>,
    counts: Vec<[u64; 5]>,
}

/// Warnings and notices of one row, kept only if the row is.
#[derive(Default)]
struct RowNotes {
    warnings: BTreeMap<&'static str, u64>,
    notices: Vec<Notice>,
    findings: Vec<Finding>,
}

impl RowNotes {
    fn warn(&mut self, row: &Row<'_>, field: Option<&str>, kind: &'static str, detail: String) {
        *self.warnings.entry(kind).or_default() += 1;
        self.notices.push(Notice { line: row.line, field: field.map(str::to_owned), kind, detail });
    }

    /// A warning counted by kind only (too common to name each row: Touchpoints' own swap).
    fn count(&mut self, kind: &'static str) {
        *self.warnings.entry(kind).or_default() += 1;
    }
}

impl<'r> V1Parser<'r> {
    /// A parser of rows whose columns are `cols`, routed through `registry`.
    pub fn new(cols: V1Columns, registry: &'r Registry) -> V1Parser<'r> {
        V1Parser {
            cols,
            registry,
            details: Vec::new(),
            warnings: BTreeMap::new(),
            notices: Vec::new(),
            findings: Vec::new(),
            seen: BTreeMap::new(),
            known: BTreeMap::new(),
        }
    }

    /// Records ingested before (`from` says where, e.g. a file's path), so that the same record
    /// read again (the flattened CSV after the JSON document it was made from) is a duplicate.
    pub fn know<'d>(&mut self, details: impl IntoIterator<Item = &'d CollectionDetail>, from: &str) {
        for d in details {
            self.known.entry((d.id.clone(), d.service.clone(), d.quarter)).or_insert_with(|| from.to_owned());
        }
    }

    /// Reads one row: its counts, or its rejection.
    pub fn item(&mut self, row: &Row<'_>) -> SourceItem {
        let mut notes = RowNotes::default();
        match self.parse(row, &mut notes) {
            Ok(p) => {
                if let Some(d) = &p.detail {
                    let key = (d.id.clone(), p.key.service.clone(), p.key.quarter);
                    if let Some(from) = self.known.get(&key) {
                        return SourceItem::Duplicate(Rejection {
                            line: row.line,
                            field: self.cols.col("id").map(|i| row.column_name(i).to_owned()),
                            raw: d.id.to_string(),
                            reason: RejectReason::DuplicateRecord.into(),
                            detail: format!(
                                "record {} ({}, {}) was already ingested from {from}: the first is kept",
                                d.id, p.key.service, p.key.quarter
                            ),
                        });
                    }
                    self.known.insert(key, format!("line {} of this file", row.line));
                }
                self.repeated_under_another_service(row, &p, &mut notes);
                for (k, v) in notes.warnings {
                    *self.warnings.entry(k).or_default() += v;
                }
                self.notices.extend(notes.notices);
                self.findings.extend(notes.findings);
                self.details.extend(p.detail);
                SourceItem::Counts(p.key, Box::new(p.tally))
            }
            // Warnings of a rejected row are not kept: the row is not.
            Err(rej) => SourceItem::Rejected(rej),
        }
    }

    /// The collection details of the rows accepted so far (one per row with an `id`).
    pub fn take_details(&mut self) -> Vec<CollectionDetail> {
        std::mem::take(&mut self.details)
    }

    /// Rows kept with something set aside or corrected, by [`warning`] kind.
    pub fn warnings(&self) -> &BTreeMap<&'static str, u64> {
        &self.warnings
    }

    /// The warnings of the rows accepted so far, each naming its line and field.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    /// Plausibility findings of the rows accepted so far (a question far above its respondents).
    pub fn take_findings(&mut self) -> Vec<Finding> {
        std::mem::take(&mut self.findings)
    }

    /// Flags a record whose counts equal an earlier record's of this file under another service
    /// (Bureau of Trust Funds Administration's FY2022 records of services 78 and 92): both stay
    /// counted, since either may be the right one.
    fn repeated_under_another_service(&mut self, row: &Row<'_>, p: &Parsed, notes: &mut RowNotes) {
        if p.counts.iter().all(|c| c.iter().all(|&n| n == 0)) {
            return;
        }
        let key = (p.key.quarter, p.key.channel, p.counts.clone(), p.tally.v1.respondents);
        match self.seen.get(&key) {
            Some((line, service)) if *service != p.key.service => notes.warn(
                row,
                None,
                warning::SAME_COUNTS_UNDER_ANOTHER_SERVICE,
                format!(
                    "the record has exactly the counts of line {line} ({service}) but is filed under {}: both are \
                     counted, as published; ask the agency which service they belong to",
                    p.key.service
                ),
            ),
            Some(_) => {}
            None => {
                self.seen.insert(key, (row.line, p.key.service.clone()));
            }
        }
    }

    fn parse(&self, row: &Row<'_>, notes: &mut RowNotes) -> Result<Parsed, Rejection> {
        let base = &self.cols.base;
        row.check_width()?;
        if let Some(i) = self.cols.col("type") {
            let t = row.get(i)?;
            if t != RECORD_TYPE {
                return Err(row.reject(
                    i,
                    RejectReason::UnknownRecordType,
                    format!("expected a record of type {RECORD_TYPE}"),
                ));
            }
        }
        let year = whole_count(row.get(base[0])?)
            .and_then(|y| u16::try_from(y).ok())
            .ok_or_else(|| row.reject(base[0], RejectReason::BadQuarter, "expected a fiscal year"))?;
        let q = whole_count(row.get(base[1])?)
            .and_then(|q| u8::try_from(q).ok())
            .ok_or_else(|| row.reject(base[1], RejectReason::BadQuarter, "expected a quarter 1 to 4"))?;
        let quarter = Quarter::from_number(q)
            .and_then(|q| FiscalQuarter::new(year, q))
            .map_err(|e| row.reject(base[1], RejectReason::BadQuarter, e.to_string()))?;
        let service = self.route(row, notes)?;
        let channel_text = row.get(base[4])?;
        let channel = if channel_text.is_empty() {
            notes.warn(
                row,
                Some(row.column_name(base[4])),
                warning::CHANNEL_NOT_REPORTED,
                "no channel given: counted for the service as `not_reported`, on neither side of the \
                 digital-versus-assisted comparison"
                    .to_owned(),
            );
            Channel::NotReported
        } else {
            channel_text.parse().map_err(|e: fedcx_model::channel::UnknownChannel| {
                row.reject(base[4], RejectReason::UnknownChannel, e.to_string())
            })?
        };
        self.check_against_registry(row, service, channel, year, notes)?;
        let respondents = count(row, base[5])?;
        let (tally, counts, texts, off_scale) = self.questions(row, respondents, notes)?;
        let key = GroupKey { service: service.id.clone(), channel, quarter };
        let detail = self.detail(row, key.clone(), respondents, (texts, off_scale), notes)?;
        Ok(Parsed { key, tally, detail, counts })
    }

    /// The row's service, looked up among its provider's services when the row names a provider.
    fn route(&self, row: &Row<'_>, notes: &mut RowNotes) -> Result<&'r Service, Rejection> {
        let registry = self.registry;
        let base = &self.cols.base;
        let service_text = row.get(base[2])?;
        let service_name = row.get(base[3])?;
        let provider_id_col = self.cols.col("service_provider_id");
        let provider_id = provider_id_col.map(|i| row.get(i)).transpose()?.and_then(whole_count);
        let provider_name =
            self.cols.col("service_provider_name").map(|i| row.get(i)).transpose()?.filter(|t| !t.is_empty());
        let provider: Option<&ServiceProvider> = provider_id
            .and_then(|n| u32::try_from(n).ok())
            .and_then(|n| registry.provider_with_touchpoints_id(n))
            .or_else(|| provider_name.and_then(|n| registry.provider_by_str(n)));
        let named_provider = match (provider_id, provider_name) {
            (Some(id), Some(name)) => Some(format!("{id} {name:?}")),
            (Some(id), None) => Some(id.to_string()),
            (None, Some(name)) => Some(format!("{name:?}")),
            (None, None) => None,
        };
        let Some(provider) = provider else {
            if let Some(named) = &named_provider {
                notes.warn(
                    row,
                    provider_id_col.map(|i| row.column_name(i)),
                    warning::PROVIDER_NOT_IN_REGISTRY,
                    format!("service provider {named} is not in the registry: the service was looked up alone"),
                );
            }
            return registry.service_by_str(service_text).or_else(|| registry.service_by_str(service_name)).ok_or_else(
                || {
                    row.reject(
                        base[2],
                        RejectReason::UnknownService,
                        "neither service_id nor service_name names one service in the registry",
                    )
                },
            );
        };
        if let Some(s) = registry
            .service_of_provider_by_str(&provider.slug, service_text)
            .or_else(|| registry.service_of_provider_by_str(&provider.slug, service_name))
        {
            return Ok(s);
        }
        // The service is another provider's in the registry: say so, never move the row there.
        let elsewhere: Vec<&Service> = match whole_count(service_text).and_then(|n| u32::try_from(n).ok()) {
            Some(n) => registry.services_with_touchpoints_id(n).collect(),
            None => registry.service_by_str(service_text).into_iter().collect(),
        };
        if let Some(other) = elsewhere.first() {
            return Err(row.reject(
                base[2],
                RejectReason::ProviderMismatch,
                format!(
                    "service {service_text} ({service_name:?}) is {} of {} in the registry, but the row's provider is \
                     {} ({}): the row is not moved to another HISP; add the service under {} to the registry \
                     (`fedcx registry import` reads the published collections)",
                    other.id,
                    other.provider,
                    named_provider.as_deref().unwrap_or("?"),
                    provider.slug,
                    provider.slug
                ),
            ));
        }
        Err(row.reject(
            base[2],
            RejectReason::UnknownService,
            format!(
                "neither service_id {service_text} nor service_name {service_name:?} names a service of {} in the \
                 registry",
                provider.slug
            ),
        ))
    }

    /// Warnings where the record and the registry disagree about the service it resolved to: its
    /// name, its channel, its years.
    fn check_against_registry(
        &self,
        row: &Row<'_>,
        service: &Service,
        channel: Channel,
        year: u16,
        notes: &mut RowNotes,
    ) -> Result<(), Rejection> {
        let base = &self.cols.base;
        let name = row.get(base[3])?;
        // A Touchpoints service record's name belongs to every registry service carrying its id.
        let same = |a: &str, b: &str| normalized(a) == normalized(b);
        let known = same(&service.name, name)
            || service.aliases.iter().any(|a| same(a, name))
            || service
                .touchpoints_ids
                .iter()
                .flat_map(|&n| self.registry.services_with_touchpoints_id(n))
                .any(|s| same(&s.name, name) || s.aliases.iter().any(|a| same(a, name)));
        if !name.is_empty() && !known {
            notes.warn(
                row,
                Some(row.column_name(base[3])),
                warning::SERVICE_NAME_DIFFERS,
                format!(
                    "the record names its service {name:?}, but {} is {:?} in the registry: check that the id \
                     is the service meant",
                    service.id, service.name
                ),
            );
        }
        let listed = match channel {
            Channel::Mixed | Channel::NotReported => true,
            c => service.channels.contains(&c),
        };
        if !listed {
            notes.warn(
                row,
                Some(row.column_name(base[4])),
                warning::CHANNEL_NOT_IN_REGISTRY,
                format!(
                    "channel {channel} is not among {}'s channels in the registry ({})",
                    service.id,
                    service.channels.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
                ),
            );
        }
        if !service.reported_in(year) {
            let years = match (service.first_year, service.last_year) {
                (Some(f), Some(l)) => format!("FY{f}-FY{l}"),
                (Some(f), None) => format!("FY{f} on"),
                (None, Some(l)) => format!("up to FY{l}"),
                (None, None) => "every year".to_owned(),
            };
            notes.warn(
                row,
                Some(row.column_name(base[0])),
                warning::SERVICE_OUTSIDE_REGISTRY_YEARS,
                format!("FY{year} is outside the years the registry gives {} ({years})", service.id),
            );
        }
        Ok(())
    }

    /// The questions' counts: those on the 5-point scale (and yes/no mapped onto it) into the
    /// tally, the others set aside; the texts; the respondents the tally counts.
    #[allow(clippy::type_complexity)]
    fn questions(
        &self,
        row: &Row<'_>,
        respondents: Option<u64>,
        notes: &mut RowNotes,
    ) -> Result<(Tally, Vec<[u64; 5]>, Vec<String>, Vec<OffScaleQuestion>), Rejection> {
        let mut tally = Tally::default();
        let mut all = Vec::with_capacity(V1_QUESTION_COUNT);
        let mut far: Vec<(usize, u64)> = Vec::new();
        let mut texts = Vec::with_capacity(V1_QUESTION_COUNT);
        let mut off_scale = Vec::new();
        let mut largest = 0;
        for (qi, cols) in self.cols.questions.iter().enumerate() {
            let mut counts = [0u64; 5];
            for (k, col) in cols.counts.iter().enumerate() {
                if let Some(i) = *col {
                    counts[k] = count(row, i)?.unwrap_or(0);
                }
            }
            let total: u64 = counts.iter().sum();
            largest = largest.max(total);
            let text = cols.text.map(|i| row.get_untrimmed(i)).transpose()?.unwrap_or("").to_owned();
            let declared = cols.point_scale.map(|i| row.get(i)).transpose()?.unwrap_or("").trim();
            // A number is Touchpoints' computed mean; check it against the counts. A label declares
            // the question's scale.
            let reading = match declared.parse::<f64>() {
                Ok(mean) if mean.is_finite() => {
                    if crate::touchpoints::point_scale(&counts).is_none_or(|m| (m - mean).abs() > 0.0051) {
                        notes.count(warning::POINT_SCALE_DISAGREES);
                    }
                    read_scale(&text)
                }
                _ if declared.is_empty() || declared.eq_ignore_ascii_case("nan") => read_scale(&text),
                _ => ScaleReading::Stated(QuestionScale::from_label(declared).ok_or_else(|| {
                    row.reject(
                        cols.point_scale.unwrap_or(self.cols.base[0]),
                        RejectReason::UnknownLabel,
                        "expected Touchpoints' mean (e.g. 4.21) or a scale: 5-point, yes/no, 3-point, 10-point, nps",
                    )
                })?),
            };
            let column = |k: usize| cols.counts[k].or(cols.text).map(|i| row.column_name(i).to_owned());
            if reading == ScaleReading::Unclear && total > 0 {
                let shown: String = text.trim().chars().take(120).collect();
                notes.warn(
                    row,
                    column(0).as_deref(),
                    warning::QUESTION_SCALE_UNCLEAR,
                    format!(
                        "q{}'s wording speaks of a scale fedcx cannot read ({shown:?}): counted as the 5-point \
                         scale of its columns",
                        qi + 1
                    ),
                );
            }
            texts.push(text);
            let scale = reading.scale();
            let on_five_columns = match scale {
                QuestionScale::FivePoint => true,
                // The documented mapping: no = 1, yes = 5. Anything else in the middle columns is not it.
                QuestionScale::YesNo => {
                    let mapped = counts[1] == 0 && counts[2] == 0 && counts[3] == 0;
                    if mapped {
                        notes.count(warning::YES_NO_QUESTION_MAPPED);
                    }
                    mapped
                }
                QuestionScale::ThreePoint | QuestionScale::TenPoint => false,
            };
            if on_five_columns {
                tally.v1.scores[qi] = counts;
            } else if total > 0 {
                notes.count(warning::QUESTION_NOT_ON_5_POINT_SCALE);
                let question = fedcx_model::V1Question::new(qi as u8 + 1).expect("qi counts the 11 questions");
                off_scale.push(OffScaleQuestion { question, scale, counts });
            }
            if let Some(r) = respondents.filter(|&r| r > 0 && total > r) {
                let excess = total - r;
                let share = excess as f64 / r as f64;
                notes.warn(
                    row,
                    column(0).as_deref(),
                    warning::ANSWERS_EXCEED_RESPONDENTS,
                    format!(
                        "q{} has {total} answers, {excess} ({:.2}%) more than the {r} respondents reported: its \
                         answers are counted, and the record's respondents stay {r}",
                        qi + 1,
                        100.0 * share
                    ),
                );
                if share > LARGE_EXCESS {
                    far.push((qi, total));
                }
            }
            all.push(counts);
        }
        // One plausibility line per record, however many of its questions are far above.
        if let (Some(r), Some(&(_, most))) = (respondents, far.iter().max_by_key(|(_, t)| *t)) {
            let questions: Vec<String> = far.iter().map(|(qi, _)| format!("q{}", qi + 1)).collect();
            notes.findings.push(Finding {
                kind: "answers_far_above_respondents",
                message: format!(
                    "line {}: {} {} up to {most} answers against {r} respondents reported ({:.1}% more); check the \
                     record with the agency",
                    row.line,
                    questions.join(", "),
                    if far.len() == 1 { "has" } else { "have" },
                    100.0 * (most - r) as f64 / r as f64
                ),
            });
        }
        // The respondents are what the agency reported; without a figure (or 0 beside answers, which
        // no survey gives), the most answered question, warned.
        tally.v1.respondents = respondents.filter(|&r| r > 0).unwrap_or(largest);
        if largest > 0 && respondents.is_none_or(|r| r == 0) {
            notes.warn(
                row,
                Some(row.column_name(self.cols.base[5])),
                warning::RESPONDENTS_FROM_ANSWERS,
                format!(
                    "{} respondents reported beside {largest} answers to the most answered question: {largest} \
                     respondents counted",
                    respondents.map_or_else(|| "no".to_owned(), |r| r.to_string())
                ),
            );
        }
        Ok((tally, all, texts, off_scale))
    }

    /// The collection detail a row is, when it has an `id`: its volumes, transaction point,
    /// control number and Touchpoints' own values, so records written back equal the row.
    fn detail(
        &self,
        row: &Row<'_>,
        key: GroupKey,
        respondents: Option<u64>,
        (question_texts, off_scale): (Vec<String>, Vec<OffScaleQuestion>),
        notes: &mut RowNotes,
    ) -> Result<Option<CollectionDetail>, Rejection> {
        let cols = &self.cols;
        let col = |name: &str| cols.col(name);
        let text = |name: &str| -> Result<Option<String>, Rejection> {
            Ok(col(name).map(|i| row.get(i)).transpose()?.filter(|t| !t.is_empty()).map(str::to_owned))
        };
        let int = |name: &str| -> Result<Option<u64>, Rejection> {
            Ok(col(name).map(|i| row.get(i)).transpose()?.and_then(whole_count))
        };
        let Some(id_text) = text("id")? else { return Ok(None) };
        let id_col = col("id").unwrap_or(0);
        let id =
            DetailId::new(id_text.trim()).map_err(|e| row.reject(id_col, RejectReason::BadDetailId, e.to_string()))?;
        let time = |name: &str| -> Result<Option<chrono::DateTime<chrono::Utc>>, Rejection> {
            let Some(t) = text(name)? else { return Ok(None) };
            fedcx_model::records::parse_timestamp(&t).map(Some).ok_or_else(|| {
                row.reject(
                    col(name).unwrap_or(0),
                    RejectReason::BadTimestamp,
                    "expected a timestamp such as 2022-07-12 16:50:59 UTC",
                )
            })
        };
        // The export wrote the abbreviation under `collection_organization_name` and the name under
        // `..._abbreviation`; the JSON record did not. An abbreviation is the shorter of the two.
        let mut org_name = text("collection_organization_name")?.or(text("organization_name")?);
        let mut org_abbr = text("collection_organization_abbreviation")?.or(text("organization_abbreviation")?);
        if let (Some(n), Some(a)) = (&org_name, &org_abbr) {
            if n.chars().count() < a.chars().count() {
                std::mem::swap(&mut org_name, &mut org_abbr);
                notes.count(warning::ORGANIZATION_COLUMNS_SWAPPED);
            }
        }
        let placeholder = |v: Option<String>| v.filter(|t| !PLACEHOLDERS.contains(&t.trim())).unwrap_or_default();
        let control = placeholder(text("omb_control_number")?);
        let omb_control_number = match control_number_in(&control) {
            Some(clean) if clean != control.trim() => {
                notes.warn(
                    row,
                    col("omb_control_number").map(|i| row.column_name(i)),
                    warning::OMB_CONTROL_NUMBER_CLEANED,
                    format!("the control number was written {control:?}: read as {clean}"),
                );
                clean.to_owned()
            }
            Some(clean) => clean.to_owned(),
            None => control,
        };
        // Free text in version 1; a blank one is written back blank, not as a made-up value.
        let tp_text = col("transaction_point").map(|i| row.get(i)).transpose()?.map(str::to_owned);
        let transaction_point = tp_text
            .as_deref()
            .and_then(|t| t.parse::<fedcx_model::TransactionPoint>().ok())
            .unwrap_or(fedcx_model::TransactionPoint::PostInteraction);
        let volume = |name: &str| -> Result<Option<u64>, Rejection> { col(name).map_or(Ok(None), |i| count(row, i)) };
        let mut offered = volume("volume_of_customers_provided_survey_opportunity")?;
        if offered == Some(0) && respondents.is_some_and(|r| r > 0) {
            // Respondents were offered the survey, so 0 offered is a blank the form defaulted.
            notes.warn(
                row,
                col("volume_of_customers_provided_survey_opportunity").map(|i| row.column_name(i)),
                warning::OFFERED_ZERO_READ_AS_UNKNOWN,
                format!(
                    "0 customers offered the survey beside {} respondents: read as not reported",
                    respondents.unwrap_or(0)
                ),
            );
            offered = None;
        }
        Ok(Some(CollectionDetail {
            id,
            service: key.service,
            quarter: key.quarter,
            transaction_point,
            channel: key.channel,
            service_stage: None,
            volume_of_customers: volume("volume_of_customers")?,
            volume_of_customers_provided_survey_opportunity: offered,
            volume_of_respondents: respondents,
            omb_control_number,
            federal_register_url: placeholder(text("federal_register_url")?),
            survey_type: None,
            survey_title: String::new(),
            trust_question_text: String::new(),
            touchpoints: TouchpointsFields {
                organization_id: int("collection_organization_id")?.or(int("organization_id")?),
                organization_abbreviation: org_abbr,
                organization_name: org_name,
                collection_id: int("collection_id")?,
                collection_name: text("collection_name")?,
                service_provider_id: int("service_provider_id")?,
                service_provider_name: text("service_provider_name")?,
                service_provider_organization_id: int("service_provider_organization_id")?,
                service_provider_organization_name: text("service_provider_organization_name")?,
                service_provider_organization_abbreviation: text("service_provider_organization_abbreviation")?,
                service_id: whole_count(row.get(cols.base[2])?),
                service_name: Some(row.get(cols.base[3])?.to_owned()).filter(|t| !t.is_empty()),
                service_provided: text("service_provided")?,
                question_texts,
                operational_metrics: cols
                    .operational_metrics
                    .map(|i| row.get_untrimmed(i))
                    .transpose()?
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned),
                transaction_point_text: tp_text,
                off_scale,
                created_at: time("created_at")?,
                updated_at: time("updated_at")?,
                ..TouchpointsFields::default()
            },
        }))
    }
}

/// Text compared as people read it: case, runs of spaces and a final full stop do not matter.
fn normalized(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.join(" ").trim_end_matches('.').to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_counts_as_files_write_them() {
        assert_eq!(whole_count("12"), Some(12));
        assert_eq!(whole_count(" 9707552.0 "), Some(9_707_552));
        assert_eq!(whole_count("3.00"), Some(3));
        for bad in ["", "1.5", "-1", "1e3", ".0", "1.", "x", "NaN"] {
            assert_eq!(whole_count(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn control_numbers_inside_decoration() {
        // Real cells of GSA/HISP-CX-Data mergedcxdata-2023-05-21.csv @ e9b2def2.
        assert_eq!(control_number_in("OMB Control Number1090-0012"), Some("1090-0012"));
        assert_eq!(control_number_in("#3090-0297"), Some("3090-0297"));
        assert_eq!(control_number_in("2900-0770 "), Some("2900-0770"));
        assert_eq!(control_number_in("0412-0609"), Some("0412-0609"));
        assert_eq!(control_number_in("none"), None);
        assert_eq!(control_number_in("12345-67890"), None, "not a control number's shape");
        assert_eq!(control_number_in("1090-0012 and 1090-0013"), None, "two: neither is chosen");
    }
}
