//! The A-11 Section 280 quarterly records in GSA Touchpoints' exact layouts: the version-2
//! collection and collection-detail records with their 17-column response uploads, and the
//! version-1 reporting record. Everything is validated before anything is written.

use std::collections::BTreeMap;

use fedcx_model::records::{format_timestamp, TouchpointsFields};
use fedcx_model::records::{DETAIL_EXPORT_COLUMNS, RESPONSE_UPLOAD_COLUMNS};
use fedcx_model::survey::{Indicator, Polarity, V1_QUESTIONS, V1_QUESTION_COUNT};
use fedcx_model::{
    Answers, Channel, CollectionDetail, FiscalQuarter, GroupKey, IndicatorState, Registry, ResponseCounts,
    SurveyResponse,
};
use serde::Serialize;

/// Touchpoints' collection export columns, in order.
pub const COLLECTION_COLUMNS: [&str; 22] = [
    "id",
    "name",
    "organization_id",
    "organization_name",
    "organization_abbreviation",
    "service_provider_id",
    "service_provider_name",
    "service_provider_organization_id",
    "service_provider_organization_name",
    "service_provider_organization_abbreviation",
    "service_id",
    "service_name",
    "user_email",
    "fiscal_year",
    "quarter",
    "created_at",
    "updated_at",
    "submitted_at",
    "rating",
    "aasm_state",
    "integrity_hash",
    "cx_collection_details_count",
];

/// The longest reflection text A-11 allows.
pub const MAX_REFLECTION_CHARS: usize = 5000;

/// A table of records: a header and rows of cells, written as CSV and JSON alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    /// The file's base name, e.g. `cx_collections`.
    pub name: String,
    /// The columns, in Touchpoints' order.
    pub columns: Vec<&'static str>,
    /// The rows.
    pub rows: Vec<Vec<String>>,
}

/// What a column holds, for the typed JSON form of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// A whole number (ids, volumes, counts, years).
    Integer,
    /// A timestamp, written in CSV as Touchpoints does and in JSON as RFC 3339.
    Timestamp,
    /// Text.
    Text,
}

impl ColumnKind {
    /// The kind of a Touchpoints column, from its name (Touchpoints' schema types: `*_id`, `volume_*`,
    /// `q*_1`..`q*_5`, positions and counts are integers; `*_at` are timestamps; fiscal year and
    /// quarter are strings in its `collections` table, so they stay text).
    pub fn of(column: &str) -> ColumnKind {
        let q_count = column.starts_with('q')
            && column[1..]
                .split_once('_')
                .is_some_and(|(n, p)| n.parse::<u8>().is_ok() && matches!(p, "1" | "2" | "3" | "4" | "5"));
        if column.ends_with("_at") {
            ColumnKind::Timestamp
        } else if column == "id"
            || column.ends_with("_id")
            || column.starts_with("volume_")
            || column.ends_with("_count")
            || column.ends_with("_position")
            || q_count
        {
            ColumnKind::Integer
        } else {
            ColumnKind::Text
        }
    }
}

/// A row of a Touchpoints file as a struct whose fields are the file's columns, in order: the
/// compiler names every cell, and [`Table::of_records`] checks the names against the columns.
trait Record: Serialize {
    /// The file's columns, in Touchpoints' order.
    const COLUMNS: &'static [&'static str];
}

impl Table {
    /// A table of `records`, each written as its fields' text: `None` and `null` blank, numbers in
    /// decimal. A field named other than its column (a struct out of step with Touchpoints'
    /// layout) is a bug a unit test catches; it never reaches a file.
    fn of_records<R: Record>(name: String, records: &[R]) -> Table {
        use serde_json::Value;
        let rows = records
            .iter()
            .map(|r| {
                let Ok(Value::Object(fields)) = serde_json::to_value(r) else {
                    unreachable!("a record serialises to an object of text, numbers and nulls")
                };
                debug_assert!(
                    fields.keys().map(String::as_str).eq(R::COLUMNS.iter().copied()),
                    "{name}: fields out of step"
                );
                fields
                    .into_iter()
                    .map(|(_, v)| match v {
                        Value::Null => String::new(),
                        Value::String(s) => s,
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect();
        Table { name, columns: R::COLUMNS.to_vec(), rows }
    }

    /// The rows as JSON objects, keys in column order and values typed as Touchpoints types them:
    /// integers as numbers, timestamps in RFC 3339, empty cells as `null`. A value fedcx generates
    /// where Touchpoints has an integer id (a registry slug, when the input had no Touchpoints id)
    /// stays a string, so nothing is lost or made up.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        let cell = |column: &str, v: &str| -> Value {
            if v.is_empty() {
                return Value::Null;
            }
            match ColumnKind::of(column) {
                ColumnKind::Integer => v.parse::<u64>().map_or_else(|_| Value::String(v.to_owned()), Value::from),
                ColumnKind::Timestamp => Value::String(
                    fedcx_model::records::parse_timestamp(v)
                        .map_or_else(|| v.to_owned(), |t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                ),
                ColumnKind::Text => Value::String(v.to_owned()),
            }
        };
        Value::Array(
            self.rows
                .iter()
                .map(|r| {
                    Value::Object(self.columns.iter().zip(r).map(|(c, v)| ((*c).to_owned(), cell(c, v))).collect())
                })
                .collect(),
        )
    }
}

/// The records of one quarter, with the notes a reader of them must see.
#[derive(Debug, Clone, PartialEq)]
pub struct Built {
    /// The records.
    pub records: QuarterRecords,
    /// What the records could not reconcile but still wrote, each naming its detail or group:
    /// declared respondents that differ from those counted, responses with no detail.
    pub notes: Vec<String>,
    /// Volumes, response rate and coverage per service and channel.
    pub volumes: Vec<VolumeRow>,
    /// The groups withheld from the records, and why.
    pub problems: Vec<Problem>,
}

/// A service and channel's volumes in a quarter, with its response rate (respondents / offered)
/// and coverage (offered / customers). A volume a detail left blank makes the sum, and every
/// ratio built on it, unknown (`None`), never zero.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VolumeRow {
    /// The service.
    pub service: fedcx_model::ServiceId,
    /// The channel.
    pub channel: Channel,
    /// Customers served.
    pub customers: Option<u64>,
    /// Customers offered the survey.
    pub offered: Option<u64>,
    /// Respondents, as the records report them (those counted).
    pub respondents: Option<u64>,
    /// respondents / offered.
    pub response_rate: Option<f64>,
    /// offered / customers.
    pub coverage: Option<f64>,
}

/// Sums a volume over details, unknown if any detail leaves it blank.
fn known_sum(mut values: impl Iterator<Item = Option<u64>>) -> Option<u64> {
    values.try_fold(0u64, |acc, v| v.map(|v| acc.saturating_add(v)))
}

fn ratio(num: Option<u64>, den: Option<u64>) -> Option<f64> {
    match (num, den) {
        (Some(n), Some(d)) if d > 0 => Some(n as f64 / d as f64),
        _ => None,
    }
}

fn volume_rows(details: &[&CollectionDetail], counted: &Counted) -> Vec<VolumeRow> {
    let mut groups: BTreeMap<(&fedcx_model::ServiceId, Channel), Vec<&CollectionDetail>> = BTreeMap::new();
    for d in details {
        groups.entry((&d.service, d.channel)).or_default().push(d);
    }
    groups
        .into_iter()
        .map(|((service, channel), ds)| {
            let customers = known_sum(ds.iter().map(|d| d.volume_of_customers));
            let offered = known_sum(ds.iter().map(|d| d.volume_of_customers_provided_survey_opportunity));
            let respondents =
                known_sum(ds.iter().map(|d| counted.get(d.id.as_str()).copied().or(d.volume_of_respondents)));
            VolumeRow {
                service: service.clone(),
                channel,
                customers,
                offered,
                respondents,
                response_rate: ratio(respondents, offered),
                coverage: ratio(offered, customers),
            }
        })
        .collect()
}

/// The records of one quarter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuarterRecords {
    /// Version 2 (FY2024 on): collections, details and one response upload per detail.
    V2 {
        /// `cx_collections`.
        collections: Table,
        /// `cx_collection_details`.
        details: Table,
        /// Per detail id, its 17-column response upload (present when respondent-level data was ingested).
        uploads: BTreeMap<String, Table>,
    },
    /// Version 1 (FY2019-FY2023): the reporting records.
    V1 {
        /// `omb_cx_reporting_collections`.
        reporting: Table,
    },
}

/// What the records are built from.
#[derive(Debug, Clone, Copy)]
pub struct RecordInput<'a> {
    /// The registry.
    pub registry: &'a Registry,
    /// Counts of every ingested response.
    pub counts: &'a ResponseCounts,
    /// Collection details (volumes).
    pub details: &'a [CollectionDetail],
    /// Respondent-level responses, for the uploads (may be empty).
    pub responses: &'a [SurveyResponse],
    /// The quarter.
    pub quarter: FiscalQuarter,
    /// The provider's reflection on the quarter, where given.
    pub reflection: Option<&'a str>,
}

/// Something that keeps one group's records from being valid A-11 records: the group (service and
/// channel) is withheld from the records, and the rest are written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The service.
    pub service: fedcx_model::ServiceId,
    /// The channel.
    pub channel: Channel,
    /// A stable code: `duplicate_detail_id`, `unknown_service`, `respondents_exceed_offered`,
    /// `offered_exceed_served`, `bad_control_number`, `wrong_survey_version`, `trust_scale_mismatch`.
    pub kind: &'static str,
    /// What is wrong, in a sentence naming the detail and the numbers.
    pub detail: String,
}

/// Builds and validates the quarter's records. Every problem found is returned, not only the first,
/// and the groups with problems are withheld from the records while the others are written;
/// respondents that do not reconcile are notes, not problems (the records say what was counted).
/// Only a reflection longer than A-11 allows is an error for the whole quarter.
pub fn build(input: &RecordInput<'_>) -> Result<Built, Vec<String>> {
    if let Some(r) = input.reflection {
        let n = r.chars().count();
        if n > MAX_REFLECTION_CHARS {
            return Err(vec![format!(
                "the reflection text has {n} characters; A-11 allows at most {MAX_REFLECTION_CHARS}"
            )]);
        }
    }
    let first = build_once(input);
    if first.problems.is_empty() {
        return Ok(first);
    }
    // Withhold the groups with problems and build the rest again.
    let withheld: std::collections::BTreeSet<(&fedcx_model::ServiceId, Channel)> =
        first.problems.iter().map(|p| (&p.service, p.channel)).collect();
    let keep = |s: &fedcx_model::ServiceId, c: Channel| !withheld.contains(&(s, c));
    let details: Vec<CollectionDetail> =
        input.details.iter().filter(|d| keep(&d.service, d.channel)).cloned().collect();
    let counts: ResponseCounts =
        input.counts.iter().filter(|(k, _)| keep(&k.service, k.channel)).map(|(k, t)| (k.clone(), t.clone())).collect();
    let responses: Vec<SurveyResponse> =
        input.responses.iter().filter(|r| keep(&r.service, r.channel)).cloned().collect();
    let again = RecordInput { details: &details, counts: &counts, responses: &responses, ..*input };
    let mut second = build_once(&again);
    second.problems = first.problems;
    second.notes = first.notes;
    second.volumes = first.volumes;
    Ok(second)
}

fn build_once(input: &RecordInput<'_>) -> Built {
    let q = input.quarter;
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let details: Vec<&CollectionDetail> = input.details.iter().filter(|d| d.quarter == q).collect();
    let counted = validate_details(input, &details, &mut problems, &mut notes);
    let records = match fedcx_model::SurveyVersion::for_quarter(q) {
        fedcx_model::SurveyVersion::V1 => {
            QuarterRecords::V1 { reporting: v1_reporting(input, &details, &mut problems) }
        }
        fedcx_model::SurveyVersion::V2 => v2_records(input, &details, &counted, &mut problems),
    };
    let volumes = volume_rows(&details, &counted);
    Built { records, notes, volumes, problems }
}

/// The respondents each detail's record reports: those counted for it. Touchpoints computes a
/// detail's `volume_of_respondents` as the number of its uploaded responses
/// (`CxCollectionDetail#volume_of_respondents`), so the record says what was counted. A group
/// (service, channel, quarter) with one detail gives it the group's count; with several, the
/// responses' own detail ids split it, and without them the declared values are kept.
type Counted = BTreeMap<String, u64>;

fn validate_details(
    input: &RecordInput<'_>,
    details: &[&CollectionDetail],
    problems: &mut Vec<Problem>,
    notes: &mut Vec<String>,
) -> Counted {
    let q = input.quarter;
    let mut by_group: BTreeMap<GroupKey, Vec<&CollectionDetail>> = BTreeMap::new();
    let mut seen_ids = std::collections::BTreeSet::new();
    for d in details {
        let label = format!("collection detail {} ({} / {})", d.id, d.service, d.channel);
        if !seen_ids.insert(d.id.as_str()) {
            problems.push(problem(d, "duplicate_detail_id", format!("{label}: the id is used twice")));
        }
        if input.registry.service(&d.service).is_none() {
            problems.push(problem(d, "unknown_service", format!("{label}: the service is not in the registry")));
        }
        // Volumes a draft left blank are unknown: nothing to compare.
        if let (Some(r), Some(o)) = (d.volume_of_respondents, d.volume_of_customers_provided_survey_opportunity) {
            if r > o {
                problems.push(problem(
                    d,
                    "respondents_exceed_offered",
                    format!("{label}: {r} respondents is more than the {o} customers offered the survey"),
                ));
            }
        }
        if let (Some(o), Some(c)) = (d.volume_of_customers_provided_survey_opportunity, d.volume_of_customers) {
            if o > c {
                problems.push(problem(
                    d,
                    "offered_exceed_served",
                    format!("{label}: {o} customers offered the survey is more than the {c} customers served"),
                ));
            }
        }
        if !d.omb_control_number.is_empty() && !is_control_number(&d.omb_control_number) {
            problems.push(problem(
                d,
                "bad_control_number",
                format!("{label}: OMB control number {:?} is not of the form 0000-0000", d.omb_control_number),
            ));
        }
        by_group.entry(GroupKey { service: d.service.clone(), channel: d.channel, quarter: q }).or_default().push(d);
    }
    // Responses that name their detail (Touchpoints uploads) are counted per detail.
    let mut per_detail: BTreeMap<&str, u64> = BTreeMap::new();
    for r in input.responses {
        if let (Some(id), Ok(rq)) = (&r.detail, r.fiscal_quarter()) {
            if rq == q {
                *per_detail.entry(id.as_str()).or_default() += 1;
            }
        }
    }
    let mut counted = Counted::new();
    for (k, ds) in &by_group {
        let in_group = input.counts.get(k).map_or(0, |t| t.respondents());
        for d in ds {
            let n = match (ds.len(), per_detail.get(d.id.as_str())) {
                (1, _) => Some(in_group),
                (_, Some(&n)) => Some(n),
                (_, None) if !ds.iter().any(|o| per_detail.contains_key(o.id.as_str())) => None,
                (_, None) => Some(0),
            };
            let Some(n) = n else {
                notes.push(format!(
                    "collection detail {} ({} / {}): {} other detail(s) share its service and channel and no \
                     respondent-level data says which responses are its own, so its record keeps the declared {}",
                    d.id,
                    d.service,
                    d.channel,
                    ds.len() - 1,
                    d.volume_of_respondents.map_or("(blank)".to_owned(), |v| v.to_string())
                ));
                continue;
            };
            counted.insert(d.id.to_string(), n);
            match d.volume_of_respondents {
                Some(declared) if declared != n => notes.push(format!(
                    "collection detail {} ({} / {}): declares {declared} respondents in {q} but {n} responses were \
                     counted; its record says {n}",
                    d.id, d.service, d.channel
                )),
                _ => {}
            }
        }
    }
    let mixed: u64 = input
        .counts
        .iter()
        .filter(|(k, _)| k.quarter == q && k.channel == Channel::Mixed)
        .map(|(_, t)| t.respondents())
        .sum();
    if mixed > 0 {
        notes.push(format!(
            "{mixed} respondents in {q} were reported on channel \"mixed\" (a version-1 channel Touchpoints offered \
             until August 2022): they count in every total but on neither side of the digital-versus-assisted comparison"
        ));
    }
    let owned: Vec<CollectionDetail> = details.iter().map(|d| (*d).clone()).collect();
    for (k, n) in groups_without_detail(input.counts, &owned, q) {
        notes.push(format!(
            "{} / {} has {n} responses in {q} but no collection detail gives its volumes; they are in the report \
             but in no record",
            k.service, k.channel,
        ));
    }
    counted
}

/// The quarter's groups (service, channel) with responses but no collection detail of that quarter:
/// they are in the report but in no A-11 record. Each with its respondents, in group order.
pub fn groups_without_detail(
    counts: &fedcx_model::ResponseCounts,
    details: &[CollectionDetail],
    quarter: fedcx_model::FiscalQuarter,
) -> Vec<(GroupKey, u64)> {
    counts
        .iter()
        .filter(|(k, t)| k.quarter == quarter && t.respondents() > 0)
        .filter(|(k, _)| {
            !details.iter().any(|d| d.quarter == quarter && d.service == k.service && d.channel == k.channel)
        })
        .map(|(k, t)| (k.clone(), t.respondents()))
        .collect()
}

fn problem(d: &CollectionDetail, kind: &'static str, detail: String) -> Problem {
    Problem { service: d.service.clone(), channel: d.channel, kind, detail }
}

fn is_control_number(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 9 && b[4] == b'-' && b.iter().enumerate().all(|(i, c)| i == 4 || c.is_ascii_digit())
}

fn v2_records(
    input: &RecordInput<'_>,
    details: &[&CollectionDetail],
    counted: &Counted,
    problems: &mut Vec<Problem>,
) -> QuarterRecords {
    let q = input.quarter;
    let reg = input.registry;
    let mut detail_rows = Vec::new();
    // One collection per service and Touchpoints collection id: details of one service may belong
    // to different Touchpoints collections, and each must point at its own.
    let mut by_service: BTreeMap<(&fedcx_model::ServiceId, Option<u64>), Vec<&CollectionDetail>> = BTreeMap::new();
    for d in details {
        by_service.entry((&d.service, d.touchpoints.collection_id)).or_default().push(d);
    }
    let mut collections = Vec::new();
    for ((service_id, _), ds) in &by_service {
        let Some(service) = reg.service(service_id) else { continue };
        let Some(provider) = reg.provider(&service.provider) else { continue };
        // Touchpoints' own values where the input had them; fedcx's registry slugs where not
        // (docs/touchpoints.md lists the columns).
        let first = &ds[0].touchpoints;
        let owner = Owner {
            quarter: q,
            service,
            provider,
            org: reg.organization(&provider.organization),
            dept: reg.organization(reg.department_of(&provider.organization)),
            collection_id: first
                .collection_id
                .map_or_else(|| format!("{}-{}", service.id, q.compact()), |v| v.to_string()),
            collection_name: first.collection_name.clone().unwrap_or_else(|| DEFAULT_COLLECTION_NAME.to_owned()),
        };
        detail_rows.extend(ds.iter().map(|d| detail_row(&owner, d, counted)));
        collections.push(collection_row(&owner, first, ds.len()));
    }
    QuarterRecords::V2 {
        collections: Table::of_records("cx_collections".into(), &collections),
        details: Table::of_records("cx_collection_details".into(), &detail_rows),
        uploads: upload_tables(input, details, problems),
    }
}

/// Who a collection belongs to and what it is called: what its collection row and each of its
/// detail rows share.
struct Owner<'r> {
    quarter: FiscalQuarter,
    service: &'r fedcx_model::Service,
    provider: &'r fedcx_model::ServiceProvider,
    org: Option<&'r fedcx_model::Organization>,
    dept: Option<&'r fedcx_model::Organization>,
    collection_id: String,
    collection_name: String,
}

fn time(v: &Option<chrono::DateTime<chrono::Utc>>) -> String {
    v.as_ref().map_or(String::new(), format_timestamp)
}

/// One row of `cx_collection_details` (Touchpoints' `CxCollectionDetail.to_csv`). Ids are text:
/// Touchpoints' integer where the input had it, fedcx's registry slug where not.
#[derive(Serialize)]
struct DetailRecord {
    id: String,
    organization_id: String,
    organization_abbreviation: String,
    organization_name: String,
    cx_collection_id: String,
    cx_collection_fiscal_year: u16,
    cx_collection_quarter: u8,
    cx_collection_name: String,
    cx_collection_service_provider_id: String,
    cx_collection_service_provider_name: String,
    cx_collection_service_provider_slug: String,
    service_id: String,
    service_name: String,
    transaction_point: String,
    channel: String,
    service_stage_id: Option<u64>,
    service_stage_name: String,
    service_stage_position: Option<u64>,
    service_stage_count: Option<u64>,
    volume_of_customers: Option<u64>,
    volume_of_customers_provided_survey_opportunity: Option<u64>,
    volume_of_respondents: Option<u64>,
    omb_control_number: String,
    survey_type: String,
    survey_title: String,
    trust_question_text: String,
    created_at: String,
    updated_at: String,
}

impl Record for DetailRecord {
    const COLUMNS: &'static [&'static str] = &DETAIL_EXPORT_COLUMNS;
}

fn detail_row(c: &Owner<'_>, d: &CollectionDetail, counted: &Counted) -> DetailRecord {
    let (q, service, provider, dept) = (c.quarter, c.service, c.provider, c.dept);
    let tp = &d.touchpoints;
    let or = |v: &Option<String>, fallback: String| v.clone().unwrap_or(fallback);
    let stage = d.service_stage.as_ref().and_then(|n| service.stages.iter().find(|s| &s.name == n));
    DetailRecord {
        id: d.id.to_string(),
        organization_id: tp
            .organization_id
            .map_or_else(|| dept.map_or(String::new(), |o| o.id.to_string()), |v| v.to_string()),
        organization_abbreviation: or(
            &tp.organization_abbreviation,
            dept.map_or(String::new(), |o| o.abbreviation.clone()),
        ),
        organization_name: or(&tp.organization_name, dept.map_or(String::new(), |o| o.name.clone())),
        cx_collection_id: tp.collection_id.map_or_else(|| c.collection_id.clone(), |v| v.to_string()),
        cx_collection_fiscal_year: q.year(),
        cx_collection_quarter: q.quarter().number(),
        cx_collection_name: or(&tp.collection_name, c.collection_name.clone()),
        cx_collection_service_provider_id: tp
            .service_provider_id
            .map_or_else(|| provider.slug.to_string(), |v| v.to_string()),
        cx_collection_service_provider_name: or(&tp.service_provider_name, provider.name.clone()),
        cx_collection_service_provider_slug: or(&tp.service_provider_slug, provider.slug.to_string()),
        service_id: tp.service_id.map_or_else(|| service.id.to_string(), |v| v.to_string()),
        service_name: or(&tp.service_name, service.name.clone()),
        transaction_point: d.transaction_point.to_string(),
        channel: d.channel.to_string(),
        service_stage_id: tp.service_stage_id,
        service_stage_name: d.service_stage.clone().unwrap_or_default(),
        service_stage_position: tp.service_stage_position.or(stage.map(|s| u64::from(s.position))),
        service_stage_count: tp
            .service_stage_count
            .or((!service.stages.is_empty()).then_some(service.stages.len() as u64)),
        volume_of_customers: d.volume_of_customers,
        volume_of_customers_provided_survey_opportunity: d.volume_of_customers_provided_survey_opportunity,
        volume_of_respondents: counted.get(d.id.as_str()).copied().or(d.volume_of_respondents),
        omb_control_number: d.omb_control_number.clone(),
        survey_type: d.survey_type.map_or(String::new(), |t| t.to_string()),
        survey_title: d.survey_title.clone(),
        trust_question_text: d.trust_question_text.clone(),
        created_at: time(&tp.created_at),
        updated_at: time(&tp.updated_at),
    }
}

/// One row of `cx_collections`: the collection's owner as Touchpoints named it where known.
#[derive(Serialize)]
struct CollectionRecord {
    id: String,
    name: String,
    organization_id: String,
    organization_name: String,
    organization_abbreviation: String,
    service_provider_id: String,
    service_provider_name: String,
    service_provider_organization_id: String,
    service_provider_organization_name: String,
    service_provider_organization_abbreviation: String,
    service_id: String,
    service_name: String,
    user_email: String,
    fiscal_year: u16,
    quarter: u8,
    created_at: String,
    updated_at: String,
    submitted_at: String,
    /// OMB's judgement: never fedcx's to fill.
    rating: String,
    aasm_state: &'static str,
    /// Never set by Touchpoints itself.
    integrity_hash: String,
    cx_collection_details_count: usize,
}

impl Record for CollectionRecord {
    const COLUMNS: &'static [&'static str] = &COLLECTION_COLUMNS;
}

fn collection_row(c: &Owner<'_>, first: &TouchpointsFields, details: usize) -> CollectionRecord {
    let [dept_id, dept_name, dept_abbr, provider_id, provider_name, org_id, org_name, org_abbr] =
        owner_columns(c.dept, c.provider, c.org);
    let given = |v: Option<String>, fallback: String| v.unwrap_or(fallback);
    CollectionRecord {
        id: c.collection_id.clone(),
        name: c.collection_name.clone(),
        organization_id: given(first.organization_id.map(|v| v.to_string()), dept_id),
        organization_name: given(first.organization_name.clone(), dept_name),
        organization_abbreviation: given(first.organization_abbreviation.clone(), dept_abbr),
        service_provider_id: given(first.service_provider_id.map(|v| v.to_string()), provider_id),
        service_provider_name: given(first.service_provider_name.clone(), provider_name),
        service_provider_organization_id: org_id,
        service_provider_organization_name: org_name,
        service_provider_organization_abbreviation: org_abbr,
        service_id: first.service_id.map_or_else(|| c.service.id.to_string(), |v| v.to_string()),
        service_name: first.service_name.clone().unwrap_or_else(|| c.service.name.clone()),
        user_email: String::new(),
        fiscal_year: c.quarter.year(),
        quarter: c.quarter.quarter().number(),
        created_at: String::new(),
        updated_at: String::new(),
        submitted_at: String::new(),
        rating: String::new(),
        aasm_state: "draft",
        integrity_hash: String::new(),
        cx_collection_details_count: details,
    }
}

/// Each detail's 17-column upload, from the respondent-level responses (none without them).
fn upload_tables(
    input: &RecordInput<'_>,
    details: &[&CollectionDetail],
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, Table> {
    let mut uploads = BTreeMap::new();
    if input.responses.is_empty() {
        return uploads;
    }
    for d in details {
        let rows: Vec<UploadRecord> = input
            .responses
            .iter()
            .filter(|r| match &r.detail {
                // A Touchpoints response goes back to the detail it was uploaded under.
                Some(id) => id == &d.id,
                None => {
                    r.service == d.service
                        && r.channel == d.channel
                        && r.transaction_point == d.transaction_point
                        && r.fiscal_quarter().ok() == Some(input.quarter)
                }
            })
            .filter_map(|r| upload_row(r, d, problems))
            .collect();
        if !rows.is_empty() {
            uploads.insert(d.id.to_string(), Table::of_records(d.id.to_string(), &rows));
        }
    }
    uploads
}

/// The collection-detail file for an analyst to fill in: one row per service and channel seen in
/// `counts` for the quarter (or, with none seen, every channel of the providers' services the
/// registry lists for that year), volumes blank (unknown), respondents as counted, the survey type
/// as the answers show it. Ingested back once filled, it gives the quarter its volumes.
pub fn detail_template(
    registry: &Registry,
    counts: &ResponseCounts,
    quarter: FiscalQuarter,
    providers: &[fedcx_model::ProviderSlug],
) -> Table {
    let wanted = |s: &fedcx_model::ServiceId| {
        providers.is_empty() || registry.provider_of(s).is_some_and(|p| providers.contains(&p.slug))
    };
    let mut groups: Vec<(fedcx_model::ServiceId, Channel)> = counts
        .iter()
        .filter(|(k, _)| k.quarter == quarter && wanted(&k.service))
        .map(|(k, _)| (k.service.clone(), k.channel))
        .collect();
    if groups.is_empty() {
        for s in registry.services().filter(|s| s.reported_in(quarter.year()) && wanted(&s.id)) {
            groups.extend(s.channels.iter().map(|c| (s.id.clone(), *c)));
        }
    }
    let details: Vec<CollectionDetail> = groups
        .into_iter()
        .map(|(service, channel)| {
            let key = GroupKey { service: service.clone(), channel, quarter };
            let t = counts.get(&key);
            let survey_type =
                t.and_then(|t| match (t.v2.thumbs.iter().sum::<u64>() > 0, t.v2.likert.iter().sum::<u64>() > 0) {
                    (true, false) => Some(fedcx_model::TrustScale::ThumbsUpDown),
                    (false, true) => Some(fedcx_model::TrustScale::LikertScale),
                    _ => None,
                });
            CollectionDetail {
                id: fedcx_model::DetailId::of_group(&service, channel, quarter),
                service,
                quarter,
                transaction_point: fedcx_model::TransactionPoint::PostInteraction,
                channel,
                service_stage: None,
                volume_of_customers: None,
                volume_of_customers_provided_survey_opportunity: None,
                volume_of_respondents: t.map(|t| t.respondents()),
                omb_control_number: String::new(),
                federal_register_url: String::new(),
                survey_type,
                survey_title: String::new(),
                trust_question_text: String::new(),
                touchpoints: Default::default(),
            }
        })
        .collect();
    let refs: Vec<&CollectionDetail> = details.iter().collect();
    let input = RecordInput { registry, counts, details: &details, responses: &[], quarter, reflection: None };
    let counted: Counted = details.iter().filter_map(|d| Some((d.id.to_string(), d.volume_of_respondents?))).collect();
    let mut ignored = Vec::new();
    match v2_records(&input, &refs, &counted, &mut ignored) {
        QuarterRecords::V2 { details, .. } => details,
        QuarterRecords::V1 { reporting } => reporting,
    }
}

/// The collection name fedcx writes when the input gave none.
pub const DEFAULT_COLLECTION_NAME: &str = "CX Quarterly Reporting";

/// One row of a detail's response upload (`CxCollectionDetailUpload`), the 17 columns Touchpoints
/// reads. Indicator cells are `1`, `0` or `null` (not offered: the follow-up was not shown).
#[derive(Serialize)]
struct UploadRecord {
    external_id: String,
    question_1: u8,
    positive_effectiveness: &'static str,
    positive_ease: &'static str,
    positive_efficiency: &'static str,
    positive_transparency: &'static str,
    positive_humanity: &'static str,
    positive_employee: &'static str,
    positive_other: &'static str,
    negative_effectiveness: &'static str,
    negative_ease: &'static str,
    negative_efficiency: &'static str,
    negative_transparency: &'static str,
    negative_humanity: &'static str,
    negative_employee: &'static str,
    negative_other: &'static str,
    question_4: String,
}

impl Record for UploadRecord {
    const COLUMNS: &'static [&'static str] = &RESPONSE_UPLOAD_COLUMNS;
}

fn upload_row(r: &SurveyResponse, d: &CollectionDetail, problems: &mut Vec<Problem>) -> Option<UploadRecord> {
    let Answers::V2(a) = &r.answers else {
        problems.push(problem(
            d,
            "wrong_survey_version",
            format!("response {} in detail {} answered survey version 1 in a version-2 quarter", r.id, d.id),
        ));
        return None;
    };
    // A detail without a survey_type takes the scale its responses were read on.
    if let Some(scale) = d.survey_type {
        if a.trust().scale() != scale {
            problems.push(problem(
                d,
                "trust_scale_mismatch",
                format!(
                    "response {} answered the trust question on {} but detail {} is a {scale} survey",
                    r.id,
                    a.trust().scale(),
                    d.id,
                ),
            ));
            return None;
        }
    }
    let cell = |p: Polarity, i: Indicator| match a.indicators(p)[i.index()] {
        IndicatorState::Selected => "1",
        IndicatorState::NotSelected => "0",
        IndicatorState::NotOffered => "null",
    };
    let (pos, neg) = (Polarity::Positive, Polarity::Negative);
    Some(UploadRecord {
        // An id fedcx made up for a blank external_id is written back blank, as it was given.
        external_id: if r.id_generated { String::new() } else { r.id.to_string() },
        question_1: a.trust().value(),
        positive_effectiveness: cell(pos, Indicator::Effectiveness),
        positive_ease: cell(pos, Indicator::Ease),
        positive_efficiency: cell(pos, Indicator::Efficiency),
        positive_transparency: cell(pos, Indicator::Transparency),
        positive_humanity: cell(pos, Indicator::Humanity),
        positive_employee: cell(pos, Indicator::Employee),
        positive_other: cell(pos, Indicator::Other),
        negative_effectiveness: cell(neg, Indicator::Effectiveness),
        negative_ease: cell(neg, Indicator::Ease),
        negative_efficiency: cell(neg, Indicator::Efficiency),
        negative_transparency: cell(neg, Indicator::Transparency),
        negative_humanity: cell(neg, Indicator::Humanity),
        negative_employee: cell(neg, Indicator::Employee),
        negative_other: cell(neg, Indicator::Other),
        question_4: r.comment.clone().unwrap_or_default(),
    })
}

/// The version-1 reporting-record export columns, in order.
pub fn v1_reporting_columns() -> Vec<&'static str> {
    const HEAD: [&str; 23] = [
        "id",
        "collection_id",
        "collection_year",
        "collection_quarter",
        "collection_name",
        "collection_organization_id",
        "collection_organization_name",
        "collection_organization_abbreviation",
        "service_provider_id",
        "service_provider_name",
        "service_provider_organization_id",
        "service_provider_organization_name",
        "service_provider_organization_abbreviation",
        "service_provided",
        "service_id",
        "service_name",
        "transaction_point",
        "channel",
        "volume_of_customers",
        "volume_of_customers_provided_survey_opportunity",
        "volume_of_respondents",
        "omb_control_number",
        "federal_register_url",
    ];
    const Q: [[&str; 6]; V1_QUESTION_COUNT] = [
        ["q1_text", "q1_1", "q1_2", "q1_3", "q1_4", "q1_5"],
        ["q2_text", "q2_1", "q2_2", "q2_3", "q2_4", "q2_5"],
        ["q3_text", "q3_1", "q3_2", "q3_3", "q3_4", "q3_5"],
        ["q4_text", "q4_1", "q4_2", "q4_3", "q4_4", "q4_5"],
        ["q5_text", "q5_1", "q5_2", "q5_3", "q5_4", "q5_5"],
        ["q6_text", "q6_1", "q6_2", "q6_3", "q6_4", "q6_5"],
        ["q7_text", "q7_1", "q7_2", "q7_3", "q7_4", "q7_5"],
        ["q8_text", "q8_1", "q8_2", "q8_3", "q8_4", "q8_5"],
        ["q9_text", "q9_1", "q9_2", "q9_3", "q9_4", "q9_5"],
        ["q10_text", "q10_1", "q10_2", "q10_3", "q10_4", "q10_5"],
        ["q11_text", "q11_1", "q11_2", "q11_3", "q11_4", "q11_5"],
    ];
    let mut cols: Vec<&'static str> = HEAD.to_vec();
    for q in &Q {
        cols.extend_from_slice(q);
    }
    cols.extend_from_slice(&["created_at", "updated_at", "operational_metrics"]);
    cols
}

fn v1_reporting(input: &RecordInput<'_>, details: &[&CollectionDetail], problems: &mut Vec<Problem>) -> Table {
    let q = input.quarter;
    let reg = input.registry;
    let mut rows = Vec::new();
    let int = |v: Option<u64>| v.map_or(String::new(), |v| v.to_string());
    for (k, t) in input.counts.iter().filter(|(k, _)| k.quarter == q) {
        let (Some(service), Some(provider)) = (reg.service(&k.service), reg.provider_of(&k.service)) else {
            problems.push(Problem {
                service: k.service.clone(),
                channel: k.channel,
                kind: "unknown_service",
                detail: format!("{}: not a service in the registry", k.service),
            });
            continue;
        };
        let org = reg.organization(&provider.organization);
        let dept = reg.organization(reg.department_of(&provider.organization));
        let ds: Vec<&&CollectionDetail> =
            details.iter().filter(|d| d.service == k.service && d.channel == k.channel).collect();
        // No detail: the volumes are unknown, not zero.
        let sum = |f: fn(&CollectionDetail) -> Option<u64>| -> Option<u64> {
            if ds.is_empty() {
                return None;
            }
            known_sum(ds.iter().map(|d| f(d)))
        };
        let (customers, offered) =
            (sum(|d| d.volume_of_customers), sum(|d| d.volume_of_customers_provided_survey_opportunity));
        // One row per group; when the group is one Touchpoints row, its own values are written back.
        let only = if ds.len() == 1 { Some(&ds[0].touchpoints) } else { None };
        let tp = only.cloned().unwrap_or_default();
        let or = |v: &Option<String>, fallback: String| v.clone().unwrap_or(fallback);
        let id = match (ds.len(), ds.first()) {
            (1, Some(d)) => d.id.to_string(),
            // fedcx's own id for the merged row, a detail id, so the records read back in.
            _ => fedcx_model::DetailId::of_group(&k.service, k.channel, q).to_string(),
        };
        let tp_point = ds.first().map_or("post_interaction".to_owned(), |d| d.transaction_point.to_string());
        let control = ds.first().map_or(String::new(), |d| d.omb_control_number.clone());
        let url = ds.first().map_or(String::new(), |d| d.federal_register_url.clone());
        let mut row = vec![
            id,
            tp.collection_id.map_or_else(|| format!("{}-{}", provider.slug, q.compact()), |v| v.to_string()),
            q.year().to_string(),
            q.quarter().number().to_string(),
            or(&tp.collection_name, DEFAULT_COLLECTION_NAME.to_owned()),
        ];
        let mut owner = owner_columns(dept, provider, org);
        // Touchpoints' values where the row had them; the organization in the right order
        // (name, then abbreviation), whichever order the input had.
        let given = [
            tp.organization_id.map(|v| v.to_string()),
            tp.organization_name.clone(),
            tp.organization_abbreviation.clone(),
            tp.service_provider_id.map(|v| v.to_string()),
            tp.service_provider_name.clone(),
            tp.service_provider_organization_id.map(|v| v.to_string()),
            tp.service_provider_organization_name.clone(),
            tp.service_provider_organization_abbreviation.clone(),
        ];
        for (cell, v) in owner.iter_mut().zip(given) {
            if let Some(v) = v {
                *cell = v;
            }
        }
        row.extend(owner);
        row.extend([
            or(&tp.service_provided, service.name.clone()),
            tp.service_id.map_or_else(|| service.id.to_string(), |v| v.to_string()),
            or(&tp.service_name, service.name.clone()),
            or(&tp.transaction_point_text, tp_point),
            k.channel.to_string(),
            int(customers),
            int(offered),
            t.v1.respondents.to_string(),
            control,
            url,
        ]);
        for (i, def) in V1_QUESTIONS.iter().enumerate() {
            let off = tp.off_scale.iter().find(|o| o.question.index() == i);
            let counts = off.map_or(t.v1.scores[i], |o| o.counts);
            let asked = counts.iter().sum::<u64>() > 0;
            let text = match tp.question_texts.get(i) {
                Some(text) if only.is_some() => text.clone(),
                _ if asked => def.wording.replace("[Service]", &service.name),
                _ => String::new(),
            };
            row.push(text);
            row.extend(counts.iter().map(u64::to_string));
        }
        let time = |v: &Option<chrono::DateTime<chrono::Utc>>| v.as_ref().map_or(String::new(), format_timestamp);
        row.extend([time(&tp.created_at), time(&tp.updated_at), tp.operational_metrics.clone().unwrap_or_default()]);
        if let Some(offered) = offered {
            if t.v1.respondents > offered && !ds.is_empty() {
                problems.push(Problem {
                    service: k.service.clone(),
                    channel: k.channel,
                    kind: "respondents_exceed_offered",
                    detail: format!(
                        "{} / {} in {q}: {} respondents is more than the {offered} customers offered the survey",
                        k.service, k.channel, t.v1.respondents
                    ),
                });
            }
        }
        rows.push(row);
    }
    Table { name: "omb_cx_reporting_collections".into(), columns: v1_reporting_columns(), rows }
}

/// The eight columns both record kinds give their owners: the department (id, name, abbreviation),
/// the service provider (slug, name) and the provider's own organization (id, name, abbreviation).
fn owner_columns(
    dept: Option<&fedcx_model::Organization>,
    provider: &fedcx_model::ServiceProvider,
    org: Option<&fedcx_model::Organization>,
) -> [String; 8] {
    let id = |o: Option<&fedcx_model::Organization>| o.map_or(String::new(), |o| o.id.to_string());
    let name = |o: Option<&fedcx_model::Organization>| o.map_or(String::new(), |o| o.name.clone());
    let abbr = |o: Option<&fedcx_model::Organization>| o.map_or(String::new(), |o| o.abbreviation.clone());
    [id(dept), name(dept), abbr(dept), provider.slug.to_string(), provider.name.clone(), id(org), name(org), abbr(org)]
}

pub use fedcx_model::text::neutralise_formula as neutralise;

/// Writes a table exactly as its cells are, for files Touchpoints stores verbatim (the 17-column
/// response uploads): neutralising a comment that starts with `=` would change the respondent's
/// words in the system of record. Files meant for people go through [`write_csv`].
pub fn write_csv_verbatim(table: &Table, out: &mut dyn std::io::Write) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(&table.columns)?;
    for row in &table.rows {
        w.write_record(row)?;
    }
    w.flush()?;
    Ok(())
}

/// Writes a table as CSV with every cell neutralised.
pub fn write_csv(table: &Table, out: &mut dyn std::io::Write) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(&table.columns)?;
    for row in &table.rows {
        w.write_record(row.iter().map(|c| neutralise(c).into_owned()))?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        assert_eq!(neutralise(input), expected, "{input:?}");
    }

    #[test]
    fn csv_injection_is_neutralised() {
        check("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")");
        check("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0");
        check("-2+3", "'-2+3");
        check("@SUM(A1)", "'@SUM(A1)");
        check("\tlead", "'\tlead");
        check("\rlead", "'\rlead");
        check("-12.5", "-12.5");
        check("fine = ok", "fine = ok");
        check("", "");
        let t = Table { name: "t".into(), columns: vec!["a"], rows: vec![vec!["=1+1".into()]] };
        let mut buf = Vec::new();
        write_csv(&t, &mut buf).unwrap();
        assert_eq!(String::from_utf8(buf).unwrap(), "a\n'=1+1\n");
    }

    /// Each record struct's fields are its file's columns, in order: checked on a real value, as
    /// `Table::of_records` only checks in debug builds.
    #[test]
    fn record_structs_follow_touchpoints_layouts() {
        fn keys<R: Record>(r: &R) -> Vec<String> {
            let serde_json::Value::Object(m) = serde_json::to_value(r).unwrap() else { panic!() };
            m.keys().cloned().collect()
        }
        let upload = UploadRecord {
            external_id: String::new(),
            question_1: 1,
            positive_effectiveness: "1",
            positive_ease: "0",
            positive_efficiency: "0",
            positive_transparency: "0",
            positive_humanity: "0",
            positive_employee: "0",
            positive_other: "0",
            negative_effectiveness: "null",
            negative_ease: "null",
            negative_efficiency: "null",
            negative_transparency: "null",
            negative_humanity: "null",
            negative_employee: "null",
            negative_other: "null",
            question_4: String::new(),
        };
        assert_eq!(keys(&upload), RESPONSE_UPLOAD_COLUMNS);
        let t = Table::of_records("u".into(), &[upload]);
        assert_eq!(t.rows[0][..3], ["", "1", "1"]);
        assert_eq!(t.rows[0][9], "null");
        let fields = |text: &str| -> Vec<String> {
            let body = &text[text.find('{').unwrap() + 1..text.find("\n}").unwrap()];
            body.lines()
                .filter_map(|l| l.trim().split_once(':').map(|(n, _)| n.trim().to_owned()))
                .filter(|n| !n.starts_with("//"))
                .collect()
        };
        let src = include_str!("records.rs");
        let detail = &src[src.find("struct DetailRecord {").unwrap()..];
        let collection = &src[src.find("struct CollectionRecord {").unwrap()..];
        assert_eq!(fields(detail), DETAIL_EXPORT_COLUMNS);
        assert_eq!(fields(collection), COLLECTION_COLUMNS);
    }

    #[test]
    fn v1_layout_has_every_question() {
        let cols = v1_reporting_columns();
        assert_eq!(cols.len(), 23 + 66 + 3);
        assert_eq!(cols[23], "q1_text");
        assert_eq!(cols[88], "q11_5");
        assert_eq!(cols[91], "operational_metrics");
    }

    #[test]
    fn control_numbers() {
        assert!(is_control_number("0412-0609"));
        assert!(!is_control_number("412-0609"));
        assert!(!is_control_number("0412_0609"));
    }
}
