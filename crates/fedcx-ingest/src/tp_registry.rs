//! GSA Touchpoints' own service-provider and service exports, merged onto a registry.
//!
//! Touchpoints' exports name providers and services by its integer ids and its names. Reading its
//! admin exports of providers (`ServiceProvider.to_csv`, `/admin/reporting/hisps/hisps`) and of
//! services (`Service.to_csv`, `/admin/services/export_csv`) gives fedcx's registry those ids and
//! names, so later exports resolve. Each row either matches an entry of the base registry (by
//! Touchpoints id, then alias, then name) and adds its id, names and source to it, or becomes a
//! new entry; a row that cannot do either is rejected with its line, field and reason, and every
//! row read is accepted or rejected. `docs/registry-import.md` describes each column.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use fedcx_model::registry::RegistryBuilder;
use fedcx_model::traits::Rejection;
use fedcx_model::{
    Channel, Organization, OrganizationId, ProviderSlug, Registry, Service, ServiceFlags, ServiceId, ServiceKind,
    ServiceProvider,
};

use crate::error::IngestError;
use crate::reconcile::{Reconciliation, RejectReason};
use crate::rows::{CsvRows, Row};

/// The columns of Touchpoints' service-provider export, in its order (GSA/touchpoints
/// `app/models/service_provider.rb`, `ServiceProvider.to_csv`, at 4933e27d).
pub const PROVIDER_EXPORT_COLUMNS: [&str; 15] = [
    "id",
    "organization_id",
    "organization_name",
    "organization_abbreviation",
    "service_provider_slug",
    "name",
    "description",
    "year_designated",
    "notes",
    "new_hisp",
    "inactive",
    "url",
    "services_count",
    "portfolio_manager_email",
    "service_provider_managers",
];

/// The columns of Touchpoints' service export (`app/models/service.rb`, `Service.to_csv`, at
/// 4933e27d): the `services` table's columns less the fifteen it drops, then five computed ones.
/// The table's part follows the database's column order, which `db/schema.rb` does not record (it
/// lists columns alphabetically), so fedcx finds every column by name. `service_provider_id` is
/// written twice: once as a table column and once in the computed list.
pub const SERVICE_EXPORT_COLUMNS: [&str; 29] = [
    "id",
    "aasm_state",
    "bureau",
    "contact_center",
    "created_at",
    "cx_collections_count",
    "department",
    "description",
    "designated_for_improvement_a11_280",
    "hisp",
    "kind",
    "name",
    "notes",
    "organization_id",
    "previously_reported",
    "service_owner_id",
    "service_provider_id",
    "service_slug",
    "service_stages_count",
    "short_description",
    "transactional",
    "updated_at",
    "url",
    "year_designated",
    "organization_name",
    "organization_abbreviation",
    "service_provider_id",
    "service_provider_name",
    "service_provider_slug",
];

/// The format names used in errors about a missing column.
const PROVIDER_FORMAT: &str = "touchpoints-service-providers";
const SERVICE_FORMAT: &str = "touchpoints-services";

/// The provider-export columns fedcx needs; `url` is read when present, and the rest
/// (description, notes, counts, e-mail addresses) never: fedcx's providers have no place for them,
/// and the addresses are personal data.
const PROVIDER_REQUIRED: [&str; 8] = [
    "id",
    "organization_id",
    "organization_name",
    "organization_abbreviation",
    "service_provider_slug",
    "name",
    "year_designated",
    "inactive",
];

/// The service-export columns fedcx needs; the others it reads are optional.
const SERVICE_REQUIRED: [&str; 6] =
    ["id", "name", "service_provider_id", "service_provider_name", "service_provider_slug", "kind"];

/// Touchpoints' service kinds (`Service.kinds`), as it writes them.
const KINDS: [(&str, ServiceKind); 8] = [
    ("Administrative", ServiceKind::Administrative),
    ("Benefits", ServiceKind::Benefits),
    ("Compliance", ServiceKind::Compliance),
    ("Recreation", ServiceKind::Recreation),
    ("Informational", ServiceKind::Informational),
    ("Data and Research", ServiceKind::DataAndResearch),
    ("Regulatory", ServiceKind::Regulatory),
    ("Other", ServiceKind::Other),
];

/// The longest text taken from a name into a new identifier.
pub(crate) const MAX_NAME_SLUG: usize = 60;

/// How an imported row found its registry entry, in the order the ways are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchedBy {
    /// The entry already had the row's Touchpoints id.
    TouchpointsId,
    /// The row's Touchpoints slug or name is the entry's identifier or one of its aliases.
    Alias,
    /// The row's name is the entry's name.
    Name,
}

impl MatchedBy {
    /// A short label for summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchedBy::TouchpointsId => "Touchpoints id",
            MatchedBy::Alias => "alias",
            MatchedBy::Name => "name",
        }
    }
}

/// What an accepted row did to the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It matched an existing entry, which gained the row's id, names and source.
    Matched(MatchedBy),
    /// It became a new entry.
    Added,
}

/// One accepted row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedEntry {
    /// The line the row starts on.
    pub line: u64,
    /// The row's Touchpoints id.
    pub touchpoints_id: u32,
    /// The registry entry it matched or made: a provider slug or a service id.
    pub id: String,
    /// Whether it matched or was added.
    pub outcome: Outcome,
}

/// What reading one export produced.
#[derive(Debug, Clone)]
pub struct ExportRead {
    /// The file.
    pub path: PathBuf,
    /// Rows read, accepted and rejected (with reasons), and where every line went.
    pub reconciliation: Reconciliation,
    /// The rejected rows, in file order.
    pub rejections: Vec<Rejection>,
    /// The accepted rows, in file order.
    pub entries: Vec<ImportedEntry>,
}

impl ExportRead {
    /// Accepted rows that matched an existing entry.
    pub fn matched(&self) -> u64 {
        self.entries.iter().filter(|e| matches!(e.outcome, Outcome::Matched(_))).count() as u64
    }

    /// Accepted rows that matched an existing entry in one way.
    pub fn matched_by(&self, by: MatchedBy) -> u64 {
        self.entries.iter().filter(|e| e.outcome == Outcome::Matched(by)).count() as u64
    }

    /// Accepted rows that became new entries.
    pub fn added(&self) -> u64 {
        self.entries.iter().filter(|e| e.outcome == Outcome::Added).count() as u64
    }
}

/// What an import needs beyond the two exports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// The channels of services new to the registry. Touchpoints' service export drops the
    /// `channels` column, and fedcx needs at least one channel per service, so a new service is
    /// rejected (`no_channels`) when this is empty and the export has no `channels` column.
    pub new_service_channels: Vec<Channel>,
}

/// The result of an import: the merged registry, and what each file contributed.
#[derive(Debug, Clone)]
pub struct RegistryImport {
    /// The base registry with the imported providers and services merged in, checked as loading
    /// a registry file is.
    pub registry: Registry,
    /// The service-provider export.
    pub providers: ExportRead,
    /// The service export.
    pub services: ExportRead,
}

/// Reads both exports from files and merges them onto `base`.
pub fn import_registry(
    base: &Registry,
    providers: &Path,
    services: &Path,
    options: &ImportOptions,
) -> Result<RegistryImport, IngestError> {
    let open =
        |path: &Path| std::fs::File::open(path).map_err(|source| IngestError::Io { path: path.to_owned(), source });
    let p = std::io::BufReader::new(open(providers)?);
    let s = std::io::BufReader::new(open(services)?);
    import_registry_from(base, providers, p, services, s, options)
}

/// Reads the provider export, then the service export (whose services may belong to providers
/// imported from the first), and merges both onto `base`. The paths name the inputs in
/// rejections and sources; only their file names are written into the registry.
pub fn import_registry_from<P: Read, S: Read>(
    base: &Registry,
    providers_path: &Path,
    providers: P,
    services_path: &Path,
    services: S,
    options: &ImportOptions,
) -> Result<RegistryImport, IngestError> {
    let mut builder = base.to_builder();
    let providers = read_providers(&mut builder, providers_path, providers)?;
    let services = read_services(&mut builder, services_path, services, options)?;
    let registry = builder.build().map_err(|e| IngestError::ImportedRegistry {
        files: vec![providers_path.to_owned(), services_path.to_owned()],
        problems: vec![e.to_string()],
    })?;
    Ok(RegistryImport { registry, providers, services })
}

/// The name an input is recorded under: its file name, never the directories above it.
fn label(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Reads rows with `parse`, accounting for every one, and checks the account balances.
fn read_rows<R: Read>(
    path: &Path,
    mut rows: CsvRows<R>,
    mut parse: impl FnMut(&Row<'_>) -> Result<ImportedEntry, Rejection>,
) -> Result<ExportRead, IngestError> {
    let mut out = ExportRead {
        path: path.to_owned(),
        reconciliation: Reconciliation::default(),
        rejections: vec![],
        entries: vec![],
    };
    while let Some(row) = rows.next_row()? {
        match parse(&row) {
            Ok(entry) => {
                out.reconciliation.accept();
                out.entries.push(entry);
            }
            Err(rejection) => {
                out.reconciliation.refuse(rejection.reason);
                out.rejections.push(rejection);
            }
        }
    }
    rows.produced().record_into(&mut out.reconciliation);
    if let Some(why) = out.reconciliation.imbalance() {
        return Err(IngestError::Unreconciled { path: path.to_owned(), why });
    }
    Ok(out)
}

/// Column positions in the provider export.
struct ProviderColumns {
    id: usize,
    organization_id: usize,
    organization_name: usize,
    organization_abbreviation: usize,
    slug: usize,
    name: usize,
    year_designated: usize,
    inactive: usize,
    url: Option<usize>,
}

fn read_providers<R: Read>(b: &mut RegistryBuilder, path: &Path, input: R) -> Result<ExportRead, IngestError> {
    let rows = CsvRows::open(path, input, &PROVIDER_EXPORT_COLUMNS.join(","))?;
    let c = rows.require(PROVIDER_FORMAT, &PROVIDER_REQUIRED)?;
    rows.forbid_duplicate_columns(PROVIDER_FORMAT)?;
    let cols = ProviderColumns {
        id: c[0],
        organization_id: c[1],
        organization_name: c[2],
        organization_abbreviation: c[3],
        slug: c[4],
        name: c[5],
        year_designated: c[6],
        inactive: c[7],
        url: rows.find("url"),
    };
    let file = label(path);
    b.add_source(format!("Touchpoints service-provider export {file}"));
    let mut seen = BTreeSet::new();
    read_rows(path, rows, |row| {
        let entry = provider_row(row, &cols, b, &seen, &file)?;
        seen.insert(entry.touchpoints_id);
        Ok(entry)
    })
}

/// Column positions in the service export.
struct ServiceColumns {
    id: usize,
    name: usize,
    /// Every `service_provider_id` column (Touchpoints writes two).
    provider_ids: Vec<usize>,
    provider_name: usize,
    provider_slug: usize,
    kind: usize,
    service_slug: Option<usize>,
    description: Option<usize>,
    short_description: Option<usize>,
    url: Option<usize>,
    year_designated: Option<usize>,
    hisp: Option<usize>,
    designated: Option<usize>,
    transactional: Option<usize>,
    contact_center: Option<usize>,
    channels: Option<usize>,
}

fn read_services<R: Read>(
    b: &mut RegistryBuilder,
    path: &Path,
    input: R,
    options: &ImportOptions,
) -> Result<ExportRead, IngestError> {
    let rows = CsvRows::open(path, input, &SERVICE_EXPORT_COLUMNS.join(","))?;
    let c = rows.require(SERVICE_FORMAT, &SERVICE_REQUIRED)?;
    // Only service_provider_id may repeat (Touchpoints writes it twice, see SERVICE_EXPORT_COLUMNS);
    // any other repeated column could be read from either copy, so it is refused.
    for (i, h) in rows.header().iter().enumerate() {
        let repeated = !h.is_empty() && rows.header()[..i].iter().any(|g| g.eq_ignore_ascii_case(h));
        if repeated && !h.eq_ignore_ascii_case("service_provider_id") {
            return Err(IngestError::BadHeader {
                path: path.to_owned(),
                format: SERVICE_FORMAT,
                why: format!("column {h:?} appears twice"),
            });
        }
    }
    let provider_ids: Vec<usize> =
        (0..rows.header().len()).filter(|&i| rows.header()[i].eq_ignore_ascii_case("service_provider_id")).collect();
    let cols = ServiceColumns {
        id: c[0],
        name: c[1],
        provider_ids,
        provider_name: c[3],
        provider_slug: c[4],
        kind: c[5],
        service_slug: rows.find("service_slug"),
        description: rows.find("description"),
        short_description: rows.find("short_description"),
        url: rows.find("url"),
        year_designated: rows.find("year_designated"),
        hisp: rows.find("hisp"),
        designated: rows.find("designated_for_improvement_a11_280"),
        transactional: rows.find("transactional"),
        contact_center: rows.find("contact_center"),
        channels: rows.find("channels"),
    };
    let file = label(path);
    b.add_source(format!("Touchpoints service export {file}"));
    let mut seen = BTreeSet::new();
    read_rows(path, rows, |row| {
        let entry = service_row(row, &cols, b, &seen, &file, options)?;
        seen.insert(entry.touchpoints_id);
        Ok(entry)
    })
}

/// A Touchpoints id: required, a whole number, not seen earlier in the file.
fn touchpoints_id(row: &Row<'_>, i: usize, seen: &BTreeSet<u32>) -> Result<u32, Rejection> {
    let text = row.get(i)?;
    if text.is_empty() {
        return Err(row.reject(i, RejectReason::MissingValue, "the Touchpoints id is empty"));
    }
    let id: u32 = text.parse().map_err(|_| {
        row.reject(i, RejectReason::BadTouchpointsId, "expected a Touchpoints id: a whole number such as 42")
    })?;
    if seen.contains(&id) {
        return Err(row.reject(
            i,
            RejectReason::DuplicateTouchpointsId,
            format!("Touchpoints id {id} is on an earlier row of this file; the first is kept"),
        ));
    }
    Ok(id)
}

/// A required text cell.
fn required<'r>(row: &'r Row<'_>, i: usize, what: &str) -> Result<&'r str, Rejection> {
    let text = row.get(i)?;
    if text.is_empty() {
        return Err(row.reject(i, RejectReason::MissingValue, format!("the {what} is empty")));
    }
    Ok(text)
}

/// An optional text cell: `None` when the column is absent or the cell empty.
fn optional<'r>(row: &'r Row<'_>, i: Option<usize>) -> Result<Option<&'r str>, Rejection> {
    match i {
        Some(i) => row.get(i).map(|t| (!t.is_empty()).then_some(t)),
        None => Ok(None),
    }
}

/// A yes/no cell as Ruby writes it (`true`, `false`); `None` when absent or empty (nil).
fn boolean(row: &Row<'_>, i: Option<usize>) -> Result<Option<bool>, Rejection> {
    let Some(text) = optional(row, i)? else { return Ok(None) };
    match text.to_ascii_lowercase().as_str() {
        "true" | "t" | "1" => Ok(Some(true)),
        "false" | "f" | "0" => Ok(Some(false)),
        _ => Err(row.reject(i.unwrap_or_default(), RejectReason::BadBoolean, "expected true or false")),
    }
}

/// A fiscal year cell; `None` when absent or empty.
fn year(row: &Row<'_>, i: Option<usize>) -> Result<Option<u16>, Rejection> {
    let Some(text) = optional(row, i)? else { return Ok(None) };
    match text.parse::<u16>() {
        Ok(y) if (2000..=2100).contains(&y) => Ok(Some(y)),
        _ => Err(row.reject(i.unwrap_or_default(), RejectReason::BadYear, "expected a fiscal year such as 2022")),
    }
}

/// The items of a list cell. Ruby's CSV writes an array with `Array#to_s`: `["Benefits",
/// "Compliance"]`, `[]`; PostgreSQL's own form `{Benefits,Compliance}` and a bare `Benefits` are
/// read too.
fn list_items(text: &str) -> Vec<String> {
    let t = text.trim();
    let inner = t
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .or_else(|| t.strip_prefix('{').and_then(|r| r.strip_suffix('}')))
        .unwrap_or(t);
    inner.split(',').map(|item| item.trim().trim_matches('"').trim().to_owned()).filter(|i| !i.is_empty()).collect()
}

/// `text` lowercased with every run of other characters than ASCII letters and digits made one
/// `-`, cut to `max` bytes at a hyphen where possible: the stem of a new identifier.
pub(crate) fn slugify(text: &str, max: usize) -> String {
    let mut out = String::new();
    for ch in text.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    if out.len() > max {
        let cut = out[..max].rfind('-').filter(|&i| i > max / 2).unwrap_or(max);
        out.truncate(cut);
    }
    out.trim_end_matches('-').to_owned()
}

/// Appends this import's source to an entry's existing one.
fn add_source(existing: &mut Option<String>, source: String) {
    *existing = Some(match existing.take() {
        Some(old) if old.split("; ").any(|part| part == source) => old,
        Some(old) => format!("{old}; {source}"),
        None => source,
    });
}

/// A candidate match: how, through which column, and the entry's identifier.
type Candidate<T> = (MatchedBy, usize, T);

/// The first candidate, or a rejection when candidates disagree.
fn one_match<T: Clone + PartialEq + std::fmt::Display>(
    row: &Row<'_>,
    kind: &str,
    found: Vec<Candidate<T>>,
) -> Result<Option<(MatchedBy, T)>, Rejection> {
    let Some((by, _, first)) = found.first().cloned() else { return Ok(None) };
    if let Some((other_by, col, other)) = found.iter().find(|(_, _, id)| *id != first) {
        return Err(row.reject(
            *col,
            RejectReason::ConflictingMatch,
            format!(
                "the row matches {kind} {first} by {} but {kind} {other} by {}; fix the export or the registry so \
                 they agree",
                by.as_str(),
                other_by.as_str()
            ),
        ));
    }
    Ok(Some((by, first)))
}

/// Rejects a key (alias or Touchpoints id) that another entry than `own` answers to.
fn claimable(
    row: &Row<'_>,
    col: usize,
    kind: &str,
    key: &str,
    own: &str,
    claimants: &[String],
) -> Result<(), Rejection> {
    match claimants.iter().find(|c| c.as_str() != own) {
        Some(other) => Err(row.reject(
            col,
            RejectReason::ConflictingMatch,
            format!("{key:?} would name {kind} {own}, but {kind} {other} already answers to it"),
        )),
        None => Ok(()),
    }
}

fn provider_claimants(b: &RegistryBuilder, key: &str) -> Vec<String> {
    b.providers_answering(key).into_iter().map(|s| s.to_string()).collect()
}

fn service_claimants(b: &RegistryBuilder, key: &str) -> Vec<String> {
    b.services_answering(key).into_iter().map(|s| s.to_string()).collect()
}

/// The first of `candidates` that is a valid identifier no entry answers to yet, else the last
/// made unique with the Touchpoints id.
pub(crate) fn fresh_id<T>(
    candidates: &[String],
    touchpoints_id: u32,
    make: impl Fn(&str) -> Option<T>,
    taken: impl Fn(&str) -> bool,
) -> Option<T> {
    let usable = |c: &str| !c.is_empty() && !taken(c) && make(c).is_some();
    if let Some(c) = candidates.iter().find(|c| usable(c)) {
        return make(c);
    }
    let stem = candidates.iter().rev().find(|c| !c.is_empty()).map_or("entry", String::as_str);
    let unique = format!("{stem}-tp{touchpoints_id}");
    if usable(&unique) {
        make(&unique)
    } else {
        None
    }
}

/// The organization a new provider belongs to.
enum OrganizationChoice {
    /// One the registry has.
    Existing(OrganizationId),
    /// One to add with the provider.
    New(Organization),
}

/// The organization of a new provider: the registry's, by name then by an abbreviation only one
/// organization has, else a new one made from the row.
fn provider_organization(
    row: &Row<'_>,
    c: &ProviderColumns,
    b: &RegistryBuilder,
) -> Result<OrganizationChoice, Rejection> {
    let name = required(row, c.organization_name, "organization name")?;
    let abbreviation = row.get(c.organization_abbreviation)?;
    if let Some(o) = b.organization_named(name) {
        return Ok(OrganizationChoice::Existing(o.id.clone()));
    }
    if let [o] = b.organizations_abbreviated(abbreviation)[..] {
        return Ok(OrganizationChoice::Existing(o.id.clone()));
    }
    let org_id: u32 = row.get(c.organization_id)?.parse().unwrap_or(0);
    let candidates = [slugify(abbreviation, MAX_NAME_SLUG), slugify(name, MAX_NAME_SLUG)];
    let id = fresh_id(
        &candidates,
        org_id,
        |t| OrganizationId::new(t).ok(),
        |t| OrganizationId::new(t).ok().is_some_and(|id| b.organization(&id).is_some()),
    )
    .ok_or_else(|| {
        row.reject(c.organization_name, RejectReason::MissingValue, "no identifier can be made from the name")
    })?;
    let abbreviation =
        if abbreviation.is_empty() { id.as_str().to_ascii_uppercase() } else { abbreviation.to_ascii_uppercase() };
    Ok(OrganizationChoice::New(Organization {
        id,
        name: name.to_owned(),
        abbreviation,
        parent: None,
        cfo_act_agency: false,
        url: None,
    }))
}

fn provider_row(
    row: &Row<'_>,
    c: &ProviderColumns,
    b: &mut RegistryBuilder,
    seen: &BTreeSet<u32>,
    file: &str,
) -> Result<ImportedEntry, Rejection> {
    row.check_width()?;
    let id = touchpoints_id(row, c.id, seen)?;
    let name = required(row, c.name, "provider name")?;
    let tp_slug = row.get(c.slug)?;
    let year_designated = year(row, Some(c.year_designated))?;
    let inactive = boolean(row, Some(c.inactive))?;
    let url = optional(row, c.url)?;
    let source = format!("Touchpoints service-provider export {file}, id {id}");

    let mut found: Vec<Candidate<&ServiceProvider>> = Vec::new();
    if let Some(p) = b.provider_with_touchpoints_id(id) {
        found.push((MatchedBy::TouchpointsId, c.id, p));
    }
    if let Some(p) = (!tp_slug.is_empty()).then(|| b.provider_with_alias(tp_slug)).flatten() {
        found.push((MatchedBy::Alias, c.slug, p));
    }
    if let Some(p) = b.provider_with_alias(name) {
        found.push((MatchedBy::Alias, c.name, p));
    }
    if let Some(p) = b.provider_named(name) {
        found.push((MatchedBy::Name, c.name, p));
    }
    let found: Vec<Candidate<ProviderSlug>> = found.into_iter().map(|(by, col, p)| (by, col, p.slug.clone())).collect();
    let id_key = id.to_string();
    if let Some((by, slug)) = one_match(row, "provider", found)? {
        let Some(mut p) = b.provider(&slug).cloned() else {
            return Err(row.reject(
                c.id,
                RejectReason::ConflictingMatch,
                format!("provider {slug} is not in the registry"),
            ));
        };
        match p.touchpoints_id {
            Some(other) if other != id => {
                return Err(row.reject(
                    c.id,
                    RejectReason::ConflictingMatch,
                    format!("the row matches provider {slug} by {}, which has Touchpoints id {other}", by.as_str()),
                ));
            }
            Some(_) => {}
            None => {
                claimable(row, c.id, "provider", &id_key, slug.as_str(), &provider_claimants(b, &id_key))?;
                p.touchpoints_id = Some(id);
            }
        }
        for (col, alias) in [(c.name, name), (c.slug, tp_slug)] {
            let claimants = provider_claimants(b, alias);
            if alias.is_empty() || claimants.iter().any(|s| s == slug.as_str()) {
                continue;
            }
            claimable(row, col, "provider", alias, slug.as_str(), &claimants)?;
            p.aliases.push(alias.to_owned());
        }
        add_source(&mut p.source, source);
        if p.url.is_none() {
            p.url = url.map(str::to_owned);
        }
        b.insert_provider(p);
        return Ok(ImportedEntry {
            line: row.line,
            touchpoints_id: id,
            id: slug.to_string(),
            outcome: Outcome::Matched(by),
        });
    }

    // A new provider.
    let year_designated = year_designated.ok_or_else(|| {
        row.reject(
            c.year_designated,
            RejectReason::MissingValue,
            "the provider is new to the registry, and fedcx needs the fiscal year OMB designated it",
        )
    })?;
    let organization = provider_organization(row, c, b)?;
    let candidates = [slugify(tp_slug, MAX_NAME_SLUG), slugify(name, MAX_NAME_SLUG)];
    let slug = fresh_id(&candidates, id, |t| ProviderSlug::new(t).ok(), |t| !b.providers_answering(t).is_empty())
        .ok_or_else(|| row.reject(c.name, RejectReason::MissingValue, "no slug can be made from the name"))?;
    claimable(row, c.id, "provider", &id_key, slug.as_str(), &provider_claimants(b, &id_key))?;
    claimable(row, c.name, "provider", name, slug.as_str(), &provider_claimants(b, name))?;
    let mut aliases = Vec::new();
    if !tp_slug.is_empty() && tp_slug != slug.as_str() {
        claimable(row, c.slug, "provider", tp_slug, slug.as_str(), &provider_claimants(b, tp_slug))?;
        aliases.push(tp_slug.to_owned());
    }
    let organization = match organization {
        OrganizationChoice::Existing(id) => id,
        OrganizationChoice::New(new) => {
            let id = new.id.clone();
            b.insert_organization(new);
            id
        }
    };
    let bureau_abbreviation = if tp_slug.is_empty() { slug.as_str() } else { tp_slug }.to_ascii_uppercase();
    b.insert_provider(ServiceProvider {
        slug: slug.clone(),
        name: name.to_owned(),
        organization,
        bureau_abbreviation,
        year_designated,
        active: !inactive.unwrap_or(false),
        url: url.map(str::to_owned),
        domains: Vec::new(),
        verified: false,
        source: Some(source),
        aliases,
        touchpoints_id: Some(id),
        fevs: Vec::new(),
    });
    Ok(ImportedEntry { line: row.line, touchpoints_id: id, id: slug.to_string(), outcome: Outcome::Added })
}

/// The provider a service row names: by Touchpoints id (from the provider export or the base
/// registry), else by its slug or name when that provider has no other Touchpoints id.
fn service_provider(row: &Row<'_>, c: &ServiceColumns, b: &RegistryBuilder) -> Result<ProviderSlug, Rejection> {
    let mut id: Option<(usize, u32)> = None;
    for &i in &c.provider_ids {
        let text = row.get(i)?;
        if text.is_empty() {
            continue;
        }
        let n: u32 = text.parse().map_err(|_| {
            row.reject(i, RejectReason::BadTouchpointsId, "expected a Touchpoints provider id: a whole number")
        })?;
        match id {
            Some((_, m)) if m != n => {
                return Err(row.reject(
                    i,
                    RejectReason::ConflictingColumns,
                    format!("the two service_provider_id columns disagree ({m} and {n})"),
                ));
            }
            Some(_) => {}
            None => id = Some((i, n)),
        }
    }
    let first_col = c.provider_ids.first().copied().unwrap_or(c.provider_slug);
    let Some((col, id)) = id else {
        return Err(row.reject(
            first_col,
            RejectReason::MissingProvider,
            "the service has no service provider in Touchpoints, and every fedcx service belongs to one",
        ));
    };
    if let Some(p) = b.provider_with_touchpoints_id(id) {
        return Ok(p.slug.clone());
    }
    let slug = row.get(c.provider_slug)?;
    let name = row.get(c.provider_name)?;
    let fallback = (!slug.is_empty())
        .then(|| b.provider_with_alias(slug))
        .flatten()
        .or_else(|| {
            (!name.is_empty()).then(|| b.provider_with_alias(name).or_else(|| b.provider_named(name))).flatten()
        })
        .filter(|p| p.touchpoints_id.is_none());
    fallback.map(|p| p.slug.clone()).ok_or_else(|| {
        row.reject(
            col,
            RejectReason::UnknownProvider,
            format!(
                "no provider has Touchpoints id {id} (it is not in the provider export, or its row there was \
                 rejected), and none answers to its slug or name"
            ),
        )
    })
}

fn service_row(
    row: &Row<'_>,
    c: &ServiceColumns,
    b: &mut RegistryBuilder,
    seen: &BTreeSet<u32>,
    file: &str,
    options: &ImportOptions,
) -> Result<ImportedEntry, Rejection> {
    row.check_width()?;
    let id = touchpoints_id(row, c.id, seen)?;
    let name = required(row, c.name, "service name")?;
    let provider = service_provider(row, c, b)?;
    let kind = match list_items(row.get(c.kind)?).first() {
        None => None,
        Some(first) => {
            Some(KINDS.iter().find(|(label, _)| label.eq_ignore_ascii_case(first)).map(|k| k.1).ok_or_else(|| {
                let labels: Vec<&str> = KINDS.iter().map(|k| k.0).collect();
                row.reject(c.kind, RejectReason::UnknownKind, format!("expected one of: {}", labels.join(", ")))
            })?)
        }
    };
    let mut channels = Vec::new();
    if let Some(i) = c.channels {
        for item in list_items(row.get(i)?) {
            let channel: Channel = item.parse().map_err(|e: fedcx_model::channel::UnknownChannel| {
                row.reject(i, RejectReason::UnknownChannel, e.to_string())
            })?;
            if !channels.contains(&channel) {
                channels.push(channel);
            }
        }
    }
    let service_slug = optional(row, c.service_slug)?.unwrap_or("");
    let description = match optional(row, c.description)? {
        Some(d) => Some(d),
        None => optional(row, c.short_description)?,
    };
    let url = optional(row, c.url)?;
    let first_year = year(row, c.year_designated)?;
    let flags = ServiceFlags {
        hisp: boolean(row, c.hisp)?.unwrap_or(false),
        designated_for_improvement: boolean(row, c.designated)?.unwrap_or(false),
        transactional: boolean(row, c.transactional)?.unwrap_or(false),
        contact_center: boolean(row, c.contact_center)?.unwrap_or(false),
        // Not in Touchpoints' export (it drops these columns).
        digital_service: false,
        fully_digital: false,
        multi_agency: false,
    };
    let source = format!("Touchpoints service export {file}, id {id}");
    let slug_col = c.service_slug.unwrap_or(c.name);

    let mut found: Vec<Candidate<ServiceId>> = Vec::new();
    if let Some(s) = b.service_with_touchpoints_id(id) {
        found.push((MatchedBy::TouchpointsId, c.id, s.id.clone()));
    }
    if let Some(s) = (!service_slug.is_empty()).then(|| b.service_with_alias(service_slug)).flatten() {
        found.push((MatchedBy::Alias, slug_col, s.id.clone()));
    }
    if let Some(s) = b.service_with_alias(name) {
        found.push((MatchedBy::Alias, c.name, s.id.clone()));
    }
    if let Some(s) = b.service_named(name) {
        found.push((MatchedBy::Name, c.name, s.id.clone()));
    }
    let id_key = id.to_string();
    if let Some((by, sid)) = one_match(row, "service", found)? {
        let Some(mut s) = b.service(&sid).cloned() else {
            return Err(row.reject(
                c.id,
                RejectReason::ConflictingMatch,
                format!("service {sid} is not in the registry"),
            ));
        };
        if s.provider != provider {
            return Err(row.reject(
                c.provider_ids.first().copied().unwrap_or(c.provider_slug),
                RejectReason::ProviderMismatch,
                format!(
                    "the row matches service {sid} (by {}) of provider {}, but names provider {provider}",
                    by.as_str(),
                    s.provider
                ),
            ));
        }
        if !s.touchpoints_ids.contains(&id) {
            claimable(row, c.id, "service", &id_key, sid.as_str(), &service_claimants(b, &id_key))?;
            s.touchpoints_ids.push(id);
        }
        for (col, alias) in [(c.name, name), (slug_col, service_slug)] {
            let claimants = service_claimants(b, alias);
            if alias.is_empty() || claimants.iter().any(|x| x == sid.as_str()) {
                continue;
            }
            claimable(row, col, "service", alias, sid.as_str(), &claimants)?;
            s.aliases.push(alias.to_owned());
        }
        add_source(&mut s.source, source);
        if s.description.is_empty() {
            s.description = description.unwrap_or("").to_owned();
        }
        if s.url.is_none() {
            s.url = url.map(str::to_owned);
        }
        b.insert_service(s);
        return Ok(ImportedEntry {
            line: row.line,
            touchpoints_id: id,
            id: sid.to_string(),
            outcome: Outcome::Matched(by),
        });
    }

    // A new service.
    if channels.is_empty() {
        channels = options.new_service_channels.clone();
    }
    if channels.is_empty() {
        return Err(Rejection {
            line: row.line,
            field: Some("channels".to_owned()),
            raw: String::new(),
            reason: RejectReason::NoChannels.into(),
            detail: "the service is new to the registry and Touchpoints' service export has no channels; give the \
                     channels of new services (fedcx registry import --new-service-channels)"
                .to_owned(),
        });
    }
    let candidates = [
        slugify(service_slug, MAX_NAME_SLUG),
        format!("{provider}-{}", slugify(name, MAX_NAME_SLUG)).trim_end_matches('-').to_owned(),
    ];
    let sid = fresh_id(&candidates, id, |t| ServiceId::new(t).ok(), |t| !b.services_answering(t).is_empty())
        .ok_or_else(|| row.reject(c.name, RejectReason::MissingValue, "no identifier can be made from the name"))?;
    claimable(row, c.id, "service", &id_key, sid.as_str(), &service_claimants(b, &id_key))?;
    claimable(row, c.name, "service", name, sid.as_str(), &service_claimants(b, name))?;
    let mut aliases = Vec::new();
    if !service_slug.is_empty() && service_slug != sid.as_str() {
        claimable(row, slug_col, "service", service_slug, sid.as_str(), &service_claimants(b, service_slug))?;
        aliases.push(service_slug.to_owned());
    }
    b.insert_service(Service {
        id: sid.clone(),
        provider,
        name: name.to_owned(),
        description: description.unwrap_or("").to_owned(),
        kind: kind.unwrap_or(ServiceKind::Other),
        channels,
        flags,
        estimated_annual_customers: None,
        stages: Vec::new(),
        url: url.map(str::to_owned),
        source: Some(source),
        aliases,
        touchpoints_ids: vec![id],
        first_year,
        last_year: None,
    });
    Ok(ImportedEntry { line: row.line, touchpoints_id: id, id: sid.to_string(), outcome: Outcome::Added })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROVIDERS: &[u8] = include_bytes!("../tests/fixtures/touchpoints/registry/service_providers.csv");
    const SERVICES: &[u8] = include_bytes!("../tests/fixtures/touchpoints/registry/services.csv");

    fn options() -> ImportOptions {
        ImportOptions { new_service_channels: vec![Channel::Website] }
    }

    fn import(base: &Registry, providers: &[u8], services: &[u8], options: &ImportOptions) -> RegistryImport {
        import_registry_from(base, Path::new("dir/p.csv"), providers, Path::new("dir/s.csv"), services, options)
            .unwrap()
    }

    /// (line, field, reason) of every rejection.
    fn rejected(read: &ExportRead) -> Vec<(u64, String, &'static str)> {
        read.rejections.iter().map(|r| (r.line, r.field.clone().unwrap_or_default(), r.reason.code())).collect()
    }

    fn counts(read: &ExportRead) -> (u64, u64, u64) {
        (read.reconciliation.read, read.reconciliation.accepted, read.reconciliation.rejected)
    }

    fn by(read: &ExportRead) -> [u64; 4] {
        [
            read.matched_by(MatchedBy::TouchpointsId),
            read.matched_by(MatchedBy::Alias),
            read.matched_by(MatchedBy::Name),
            read.added(),
        ]
    }

    #[test]
    fn the_fixture_exports_merge_onto_the_bundled_registry() {
        let base = Registry::bundled();
        let out = import(&base, PROVIDERS, SERVICES, &options());
        let (p, s, r) = (&out.providers, &out.services, &out.registry);

        // Providers: 11 rows on 12 lines (one description spans two); ONRR is new and has no year.
        assert_eq!(counts(p), (11, 10, 1));
        assert_eq!(by(p), [6, 1, 1, 2], "by id, alias, name; added");
        assert_eq!(rejected(p), [(8, "year_designated".into(), "missing_value")]);
        assert_eq!((p.reconciliation.lines.physical, p.reconciliation.lines.in_rows), (13, 12));
        // Services: 14 rows; one without a provider, one whose provider (ONRR) was rejected.
        assert_eq!(counts(s), (14, 12, 2));
        assert_eq!(by(s), [6, 1, 1, 4], "by id, alias, name; added");
        assert_eq!(
            rejected(s),
            [
                (15, "service_provider_id".into(), "missing_provider"),
                (16, "service_provider_id".into(), "unknown_provider")
            ]
        );
        assert_eq!((s.reconciliation.lines.physical, s.reconciliation.lines.in_rows), (16, 15));
        assert!(p.reconciliation.balances() && s.reconciliation.balances());

        assert_eq!(r.providers().count(), base.providers().count() + 2);
        assert_eq!(r.services().count(), base.services().count() + 4);
        assert_eq!(r.organizations().count(), base.organizations().count() + 1, "the FCC is new");

        // Matched providers gain the Touchpoints id, slug, name and source.
        let provider = |t: &str| r.provider_by_str(t).unwrap();
        assert_eq!(provider("fsa").slug.as_str(), "ed-fsa");
        assert_eq!(provider("41").slug.as_str(), "hhs-ihs", "matched by name, then given its id");
        assert!(provider("hhs-ihs").aliases.contains(&"ihs".to_owned()));
        assert_eq!(provider("24").slug.as_str(), "va-nca", "matched by its slug as an alias");
        assert_eq!(provider("National Cemetery Administration (NCA)").slug.as_str(), "va-nca");
        assert_eq!(provider("Bureau of Consular Affairs, Passport Services").touchpoints_id, Some(40));
        let irs = provider("irs");
        assert_eq!(irs.slug.as_str(), "treasury-irs");
        assert!(irs.source.as_deref().unwrap().ends_with("; Touchpoints service-provider export p.csv, id 18"));
        // New providers.
        let hrsa = provider("44");
        assert_eq!(
            (hrsa.slug.as_str(), hrsa.organization.as_str(), hrsa.bureau_abbreviation.as_str()),
            ("hrsa", "hhs", "HRSA")
        );
        assert_eq!((hrsa.year_designated, hrsa.verified, hrsa.active), (2024, false, true));
        assert_eq!(hrsa.source.as_deref(), Some("Touchpoints service-provider export p.csv, id 44"));
        let fcc = provider("fcc-cgb");
        let org = r.organization(&fcc.organization).unwrap();
        assert_eq!(
            (org.id.as_str(), org.name.as_str(), org.abbreviation.as_str()),
            ("fcc", "Federal Communications Commission", "FCC")
        );

        // Services.
        let service = |t: &str| r.service_by_str(t).unwrap();
        assert_eq!(service("59").id.as_str(), "treasury-irs-file-return");
        assert!(service("irs-1040").touchpoints_ids == [59], "the Touchpoints slug is an alias");
        assert_eq!(service("388").id.as_str(), "ssa-national-800-number", "matched by name");
        assert_eq!(service("405").id.as_str(), "dos-ca-passport-renewal", "matched by service_slug as an alias");
        assert_eq!(service("Renew an adult passport by mail").id.as_str(), "dos-ca-passport-renewal");
        assert_eq!(service("10").touchpoints_ids, [10], "already known: not added twice");
        let ein = service("412");
        assert_eq!((ein.id.as_str(), ein.provider.as_str()), ("irs-ein", "treasury-irs"));
        assert_eq!(
            (ein.kind, ein.channels.as_slice(), ein.first_year),
            (ServiceKind::Administrative, &[Channel::Website][..], Some(2024))
        );
        assert_eq!(
            ein.flags,
            ServiceFlags { hisp: true, transactional: true, contact_center: true, ..ServiceFlags::default() }
        );
        assert_eq!(ein.source.as_deref(), Some("Touchpoints service export s.csv, id 412"));
        assert_eq!(service("415").id.as_str(), "hrsa-applying-for-a-national-health-service-corps-scholarship");
        let fcc_complaint = service("416");
        assert_eq!(
            (fcc_complaint.id.as_str(), fcc_complaint.kind),
            ("fcc-consumer-complaints", ServiceKind::Compliance)
        );
        let loan = service("433");
        assert_eq!(
            (loan.id.as_str(), loan.provider.as_str()),
            ("sba-applying-for-a-covid-19-economic-injury-disaster-loan", "sba"),
            "a provider only the base registry knows, by its Touchpoints id"
        );

        let toml = r.to_toml_string();
        assert!(!toml.contains("@example.com"), "e-mail addresses are never copied");
        assert!(!toml.contains("dir/"), "sources name files, not their directories");
        assert!(toml.contains("Touchpoints service export s.csv"));
        assert_eq!(Registry::from_toml_str(&toml).unwrap(), *r, "the registry round-trips");
    }

    #[test]
    fn importing_the_same_exports_again_changes_nothing() {
        let once = import(&Registry::bundled(), PROVIDERS, SERVICES, &options());
        let twice = import(&once.registry, PROVIDERS, SERVICES, &options());
        assert_eq!(twice.registry, once.registry);
        assert_eq!(by(&twice.providers), [10, 0, 0, 0], "every provider now matches by Touchpoints id");
        assert_eq!(by(&twice.services), [12, 0, 0, 0], "every service now matches by Touchpoints id");
        assert_eq!(rejected(&twice.services), rejected(&once.services));
    }

    /// A provider export with the given rows under Touchpoints' header.
    fn providers(rows: &[&[u8]]) -> Vec<u8> {
        let mut out = PROVIDER_EXPORT_COLUMNS.join(",").into_bytes();
        for r in rows {
            out.push(b'\n');
            out.extend_from_slice(r);
        }
        out.push(b'\n');
        out
    }

    /// A service export under Touchpoints' header: each row sets some columns by name (both
    /// `service_provider_id` columns, unless `service_provider_id#2` sets the second).
    fn services(rows: &[&[(&str, &str)]]) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(SERVICE_EXPORT_COLUMNS).unwrap();
        for row in rows {
            let cells: Vec<String> = SERVICE_EXPORT_COLUMNS
                .iter()
                .enumerate()
                .map(|(i, col)| {
                    let second = *col == "service_provider_id" && i > 16;
                    let get = |k: &str| row.iter().find(|(c, _)| *c == k).map(|(_, v)| (*v).to_owned());
                    let default = match *col {
                        "kind" => "[\"Benefits\"]",
                        "hisp" => "true",
                        _ => "",
                    };
                    second
                        .then(|| get("service_provider_id#2"))
                        .flatten()
                        .or_else(|| get(col))
                        .unwrap_or_else(|| default.to_owned())
                })
                .collect();
            w.write_record(&cells).unwrap();
        }
        w.into_inner().unwrap()
    }

    #[test]
    fn bad_provider_rows_are_rejected_with_line_field_and_reason() {
        let base = Registry::bundled();
        let file = providers(&[
            b"abc,1,Department of Labor,dol,x,X,,2022,,false,false,,0,,[]",
            b"90,1,Department of Labor,dol,wb,Women's Bureau,,2023,,true,false,,0,,[]",
            b"90,1,Department of Labor,dol,wb2,Women's Bureau 2,,2023,,true,false,,0,,[]",
            b"91,1,Department of Labor,dol,a,A,,2023,,true,maybe,,0,,[]",
            b"92,1,Department of Labor,dol,b,B,,19,,true,false,,0,,[]",
            b"93,1,Department of Labor",
            b"94,1,Department of Labor,dol,c,,,2023,,true,false,,0,,[]",
            b"7,13,Department of Homeland Security,dhs,cbp,Internal Revenue Service,,2019,,false,false,,0,,[]",
            b"99,13,Department of Homeland Security,dhs,fema,Federal Emergency Management Agency,,2019,,false,false,,0,,[]",
            b"95,1,Department of Labor,dol,d,Bad \xFF name,,2023,,true,false,,0,,[]",
            b"96,1,,,e,No Organization,,2023,,true,false,,0,,[]",
        ]);
        let out = import(&base, &file, &services(&[]), &options());
        assert_eq!(counts(&out.providers), (11, 1, 10));
        assert_eq!(
            rejected(&out.providers),
            [
                (2, "id".into(), "bad_touchpoints_id"),
                (4, "id".into(), "duplicate_touchpoints_id"),
                (5, "inactive".into(), "bad_boolean"),
                (6, "year_designated".into(), "bad_year"),
                (7, "".into(), "wrong_field_count"),
                (8, "name".into(), "missing_value"),
                (9, "name".into(), "conflicting_match"),
                (10, "id".into(), "conflicting_match"),
                (11, "name".into(), "invalid_utf8"),
                (12, "organization_name".into(), "missing_value"),
            ]
        );
        let detail = |line: u64| out.providers.rejections.iter().find(|r| r.line == line).unwrap().detail.clone();
        assert!(
            detail(9).contains("matches provider dhs-cbp by Touchpoints id but provider treasury-irs by name"),
            "{}",
            detail(9)
        );
        assert!(detail(10).contains("dhs-fema by name, which has Touchpoints id 8"), "{}", detail(10));
        let wb = out.registry.provider_by_str("90").unwrap();
        assert_eq!((wb.slug.as_str(), wb.organization.as_str(), wb.name.as_str()), ("wb", "dol", "Women's Bureau"));
    }

    #[test]
    fn bad_service_rows_are_rejected_with_line_field_and_reason() {
        let base = Registry::bundled();
        let file = services(&[
            &[("id", "500"), ("name", "Getting help"), ("service_provider_id", "14")],
            &[("id", "501"), ("name", "A loan"), ("service_provider_id", "14"), ("kind", "[\"Loans\"]")],
            &[("id", "502"), ("name", "B"), ("service_provider_id", "18"), ("service_provider_id#2", "14")],
            &[("id", "503"), ("name", "Filing an individual tax return"), ("service_provider_id", "14")],
            &[("id", "504"), ("name", "C")],
            &[("id", "505"), ("name", "D"), ("service_provider_id", "9999"), ("service_provider_slug", "nope")],
            &[("id", "506"), ("name", "E"), ("service_provider_id", "14"), ("hisp", "yes")],
            &[("id", "507"), ("name", "F"), ("service_provider_id", "14"), ("year_designated", "20245")],
            &[
                ("id", "508"),
                ("name", "Getting help again"),
                ("service_provider_id", "14"),
                ("service_slug", "Not A Slug!"),
            ],
        ]);
        let out = import(&base, &providers(&[]), &file, &options());
        assert_eq!(counts(&out.services), (9, 2, 7));
        assert_eq!(
            rejected(&out.services),
            [
                (3, "kind".into(), "unknown_kind"),
                (4, "service_provider_id".into(), "conflicting_columns"),
                (5, "service_provider_id".into(), "provider_mismatch"),
                (6, "service_provider_id".into(), "missing_provider"),
                (7, "service_provider_id".into(), "unknown_provider"),
                (8, "hisp".into(), "bad_boolean"),
                (9, "year_designated".into(), "bad_year"),
            ]
        );
        let r = &out.registry;
        assert_eq!(r.service_by_str("500").unwrap().id.as_str(), "ssa-getting-help");
        // A service_slug that is no slug is slugified for the id and kept as it is as an alias.
        let again = r.service_by_str("508").unwrap();
        assert_eq!(again.id.as_str(), "not-a-slug", "slugified");
        assert_eq!(r.service_by_str("Not A Slug!").unwrap().id.as_str(), "not-a-slug");
    }

    #[test]
    fn new_services_need_channels_from_the_export_or_the_options() {
        let base = Registry::bundled();
        let file = services(&[
            &[("id", "600"), ("name", "New one"), ("service_provider_id", "14")],
            &[("id", "61"), ("name", "Applying for a replacement Social Security card"), ("service_provider_id", "14")],
        ]);
        let out = import(&base, &providers(&[]), &file, &ImportOptions::default());
        assert_eq!(counts(&out.services), (2, 1, 1), "the matched service keeps its channels");
        assert_eq!(rejected(&out.services), [(2, "channels".into(), "no_channels")]);
        // A `channels` column, which Touchpoints' export drops, is read when a file has one.
        let file = services(&[
            &[
                ("id", "600"),
                ("name", "New one"),
                ("service_provider_id", "14"),
                ("bureau", r#"["phone", "fax", "phone"]"#),
            ],
            &[("id", "601"), ("name", "Other"), ("service_provider_id", "14"), ("bureau", r#"["pigeon"]"#)],
        ]);
        let file = String::from_utf8(file).unwrap().replacen("bureau", "channels", 1);
        let out = import(&base, &providers(&[]), file.as_bytes(), &ImportOptions::default());
        assert_eq!(counts(&out.services), (2, 1, 1));
        assert_eq!(rejected(&out.services), [(3, "channels".into(), "unknown_channel")]);
        assert_eq!(out.registry.service_by_str("600").unwrap().channels, [Channel::Phone, Channel::Fax]);
    }

    #[test]
    fn the_wrong_file_or_a_repeated_column_is_an_error_for_the_whole_file() {
        let base = Registry::bundled();
        let err = import_registry_from(&base, Path::new("s.csv"), SERVICES, Path::new("s.csv"), SERVICES, &options())
            .unwrap_err()
            .to_string();
        assert!(err.contains("lacks required column(s) inactive for format touchpoints-service-providers"), "{err}");
        let repeated = String::from_utf8(services(&[])).unwrap().replacen("bureau", "name", 1);
        let err = import_registry_from(
            &base,
            Path::new("p.csv"),
            &providers(&[])[..],
            Path::new("s.csv"),
            repeated.as_bytes(),
            &options(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("column \"name\" appears twice"), "{err}");
        let err = import_registry_from(&base, Path::new("p.csv"), &b""[..], Path::new("s.csv"), SERVICES, &options())
            .unwrap_err()
            .to_string();
        assert!(err.contains("p.csv: the file is empty (expected a header row: id,organization_id,"), "{err}");
    }

    #[test]
    fn sources_are_appended_once_and_compared_whole() {
        let mut source = Some("bundled; Touchpoints service export s.csv, id 14".to_owned());
        add_source(&mut source, "Touchpoints service export s.csv, id 1".to_owned());
        add_source(&mut source, "Touchpoints service export s.csv, id 14".to_owned());
        assert_eq!(
            source.as_deref(),
            Some("bundled; Touchpoints service export s.csv, id 14; Touchpoints service export s.csv, id 1")
        );
        let mut none = None;
        add_source(&mut none, "x".to_owned());
        assert_eq!(none.as_deref(), Some("x"));
    }

    #[test]
    fn ruby_arrays_and_slugs() {
        assert_eq!(list_items(r#"["Benefits", "Compliance"]"#), ["Benefits", "Compliance"]);
        assert_eq!(list_items("[]"), Vec::<String>::new());
        assert_eq!(list_items("{Benefits,Data and Research}"), ["Benefits", "Data and Research"]);
        assert_eq!(list_items(" Benefits "), ["Benefits"]);
        assert_eq!(slugify("Applying for a COVID-19 Loan (EIDL)", 60), "applying-for-a-covid-19-loan-eidl");
        assert_eq!(slugify("--Ünïcode--", 60), "n-code");
        assert_eq!(slugify("alpha beta gamma delta", 12), "alpha-beta");
        assert_eq!(slugify("../../etc/passwd", 60), "etc-passwd");
        assert_eq!(slugify("", 60), "");
    }
}
