//! A registry rebuilt from performance.gov's published A-11 records themselves.
//!
//! Every published version-1 record names its organization, its service provider and its service
//! by Touchpoints' ids and names (the merged CSV, the long file and the JSON:API document alike), so
//! the providers and services of the government's own data can be merged onto a base registry
//! without Touchpoints' admin exports. Services are matched **within their provider**: Touchpoints
//! service 3 is the Farm Service Agency's in FY2021 and the NRCS's in FY2022, and each stays its
//! agency's. Every record read is accepted (its provider and service are in the result) or
//! rejected with its line, field and reason.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use fedcx_model::registry::RegistryBuilder;
use fedcx_model::traits::Rejection;
use fedcx_model::{
    Channel, Organization, OrganizationId, ProviderSlug, Registry, Service, ServiceFlags, ServiceId, ServiceKind,
    ServiceProvider,
};

use crate::error::IngestError;
use crate::reconcile::{Reconciliation, RejectReason};
use crate::rows::{CsvRows, Row};
use crate::tp_registry::{fresh_id, slugify, ImportOptions, ImportedEntry, MatchedBy, Outcome, MAX_NAME_SLUG};
use crate::Format;

/// The identity fields of a record, in the canonical (JSON attribute) names.
const FIELDS: [&str; 9] = [
    "service_provider_id",
    "service_provider_name",
    "service_id",
    "service_name",
    "organization_name",
    "organization_abbreviation",
    "channel",
    "collection_year",
    "organization_id",
];

/// What an import of published records produced.
#[derive(Debug, Clone)]
pub struct PublishedImport {
    /// The base registry with the published providers and services merged in, checked as loading
    /// a registry file is.
    pub registry: Registry,
    /// Records read, accepted and rejected, and where every line went.
    pub reconciliation: Reconciliation,
    /// The rejected records, in file order.
    pub rejections: Vec<Rejection>,
    /// One entry per provider of the records, at the line it first appears on.
    pub providers: Vec<ImportedEntry>,
    /// One entry per provider and service of the records, at the line it first appears on.
    pub services: Vec<ImportedEntry>,
}

/// One record's identity.
#[derive(Debug, Clone)]
struct Identity {
    line: u64,
    provider_id: u32,
    provider_name: String,
    service_id: u32,
    service_name: String,
    organization_name: String,
    organization_abbreviation: String,
    channel: Option<Channel>,
    year: Option<u16>,
}

/// Reads the published records in `input` (`format` is one of the three published forms) and
/// merges their providers and services onto `base`.
pub fn import_published(
    base: &Registry,
    path: &Path,
    input: impl Read,
    format: Format,
    options: &ImportOptions,
) -> Result<PublishedImport, IngestError> {
    let mut reconciliation = Reconciliation::default();
    let mut rejections = Vec::new();
    let mut identities = Vec::new();
    let mut take = |result: Result<Identity, Rejection>, rec: &mut Reconciliation| match result {
        Ok(id) => identities.push(id),
        Err(r) => {
            rec.refuse(r.reason);
            rejections.push(r);
        }
    };
    match format {
        Format::TouchpointsV1Json => {
            let doc = crate::published_cx::json_records(path, input)?;
            let at = |name: &str| doc.header.iter().position(|h| h == name);
            let cols = FIELDS.map(at);
            for (line, cells) in doc.records {
                reconciliation.read += 1;
                let result = cells.and_then(|cells| {
                    let get = |k: usize| Ok(cols[k].map_or("", |i| cells[i].as_str()));
                    identity(line, get)
                });
                take(result, &mut reconciliation);
            }
        }
        Format::TouchpointsV1 | Format::TouchpointsV1Long => {
            let long = format == Format::TouchpointsV1Long;
            let mut rows = CsvRows::open(path, input, &FIELDS.join(","))?;
            let find = |name: &str| -> Option<usize> {
                let name = match (long, name) {
                    (true, "collection_year") => "fiscal_year",
                    (_, n) => n,
                };
                rows.find(name).or_else(|| rows.find(&format!("{}{name}", crate::v1::FLATTENED_PREFIX))).or_else(|| {
                    name.strip_prefix("organization_").and_then(|n| rows.find(&format!("collection_organization_{n}")))
                })
            };
            let cols = FIELDS.map(find);
            let missing: Vec<String> =
                FIELDS[..4].iter().zip(&cols).filter(|(_, c)| c.is_none()).map(|(n, _)| n.to_string()).collect();
            if !missing.is_empty() {
                return Err(IngestError::MissingColumns {
                    path: path.to_owned(),
                    format: format.as_str(),
                    missing,
                    found: rows.header().to_vec(),
                });
            }
            while let Some(row) = rows.next_row()? {
                let result = row.check_width().and_then(|()| identity(row.line, |k| cell(&row, cols[k])));
                take(result, &mut reconciliation);
            }
            rows.produced().record_into(&mut reconciliation);
        }
        other => {
            return Err(IngestError::BadDocument {
                path: path.to_owned(),
                format: other.as_str(),
                why: "not one of the published forms (touchpoints-v1, touchpoints-v1-long, touchpoints-v1-json)".into(),
            })
        }
    }
    let file = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let mut b = base.to_builder();
    b.add_source(format!("performance.gov's published A-11 records {file}"));
    let providers = merge_providers(&mut b, &identities, &file);
    let slugs: BTreeMap<u32, ProviderSlug> =
        providers.iter().filter_map(|e| Some((e.touchpoints_id, ProviderSlug::new(&e.id).ok()?))).collect();
    let (services, refused) = merge_services(&mut b, &identities, &slugs, &file, options);
    for id in &identities {
        match refused.get(&(id.provider_id, id.service_id)) {
            Some(detail) => {
                reconciliation.reject(RejectReason::NoChannels);
                rejections.push(Rejection {
                    line: id.line,
                    field: Some("channel".into()),
                    raw: String::new(),
                    reason: RejectReason::NoChannels.into(),
                    detail: detail.clone(),
                });
            }
            None => reconciliation.accept(),
        }
    }
    rejections.sort_by_key(|r| r.line);
    if let Some(why) = reconciliation.imbalance() {
        return Err(IngestError::Unreconciled { path: path.to_owned(), why });
    }
    let registry = b
        .build()
        .map_err(|e| IngestError::ImportedRegistry { files: vec![path.to_owned()], problems: vec![e.to_string()] })?;
    Ok(PublishedImport { registry, reconciliation, rejections, providers, services })
}

/// A CSV cell, empty when the column is absent.
fn cell<'r>(row: &'r Row<'_>, col: Option<usize>) -> Result<&'r str, Rejection> {
    col.map_or(Ok(""), |i| row.get(i))
}

/// A record's identity from its cells (`get(k)` is the cell of `FIELDS[k]`).
fn identity<'c>(line: u64, get: impl Fn(usize) -> Result<&'c str, Rejection>) -> Result<Identity, Rejection> {
    let reject = |field: &str, reason: RejectReason, detail: String| Rejection {
        line,
        field: Some(field.to_owned()),
        raw: String::new(),
        reason: reason.into(),
        detail,
    };
    let whole = |k: usize| -> Result<u32, Rejection> {
        let text = get(k)?.trim();
        if text.is_empty() {
            return Err(reject(FIELDS[k], RejectReason::MissingValue, format!("the record has no {}", FIELDS[k])));
        }
        crate::v1::whole_count(text).and_then(|n| u32::try_from(n).ok()).ok_or_else(|| {
            reject(
                FIELDS[k],
                RejectReason::BadTouchpointsId,
                format!("expected a Touchpoints id (a whole number), got {text:?}"),
            )
        })
    };
    let text = |k: usize| get(k).map(|t| t.trim().to_owned());
    let channel = text(6)?;
    Ok(Identity {
        line,
        provider_id: whole(0)?,
        provider_name: text(1)?,
        service_id: whole(2)?,
        service_name: text(3)?,
        organization_name: text(4)?,
        organization_abbreviation: text(5)?,
        // A blank or unknown channel adds no channel to the service; the record still names it.
        channel: channel.parse().ok().filter(|c| *c != Channel::NotReported),
        year: text(7)?.parse().ok(),
    })
}

/// Each provider of the records, matched by Touchpoints id, then by name or alias (when the
/// entry has no Touchpoints id), else added with its organization.
fn merge_providers(b: &mut RegistryBuilder, ids: &[Identity], file: &str) -> Vec<ImportedEntry> {
    let mut first: BTreeMap<u32, &Identity> = BTreeMap::new();
    let mut years: BTreeMap<u32, u16> = BTreeMap::new();
    for id in ids {
        first.entry(id.provider_id).or_insert(id);
        if let Some(y) = id.year {
            let e = years.entry(id.provider_id).or_insert(y);
            *e = (*e).min(y);
        }
    }
    let mut out = Vec::new();
    let mut order: Vec<&&Identity> = first.values().collect();
    order.sort_by_key(|i| i.line);
    for rec in order {
        let tp = rec.provider_id;
        let source = format!("{file}: Touchpoints service_provider_id {tp}, first at line {}", rec.line);
        if let Some(p) = b.provider_with_touchpoints_id(tp) {
            out.push(entry(rec.line, tp, p.slug.as_str(), Outcome::Matched(MatchedBy::TouchpointsId)));
            continue;
        }
        let named = b
            .provider_with_alias(&rec.provider_name)
            .map(|p| (p, MatchedBy::Alias))
            .or_else(|| b.provider_named(&rec.provider_name).map(|p| (p, MatchedBy::Name)))
            .filter(|(p, _)| p.touchpoints_id.is_none());
        if let Some((p, by)) = named {
            let mut p = p.clone();
            p.touchpoints_id = Some(tp);
            p.source = Some(p.source.map_or(source.clone(), |s| format!("{s}; {source}")));
            out.push(entry(rec.line, tp, p.slug.as_str(), Outcome::Matched(by)));
            b.insert_provider(p);
            continue;
        }
        let organization = organization_of(b, rec);
        let candidates = [slugify(&rec.provider_name, MAX_NAME_SLUG)];
        let Some(slug) =
            fresh_id(&candidates, tp, |t| ProviderSlug::new(t).ok(), |t| !b.providers_answering(t).is_empty())
        else {
            continue;
        };
        let year = years.get(&tp).copied().unwrap_or(2021);
        b.insert_provider(ServiceProvider {
            slug: slug.clone(),
            name: rec.provider_name.clone(),
            organization,
            bureau_abbreviation: initials(&rec.provider_name).unwrap_or_else(|| slug.as_str().to_ascii_uppercase()),
            year_designated: year,
            active: true,
            url: None,
            domains: Vec::new(),
            verified: false,
            source: Some(format!("{source}; year_designated assumed from its first reporting, FY{year}")),
            aliases: Vec::new(),
            touchpoints_id: Some(tp),
            fevs: Vec::new(),
        });
        out.push(entry(rec.line, tp, slug.as_str(), Outcome::Added));
    }
    out
}

/// The organization a new provider belongs to: the registry's, by name, then by an abbreviation
/// only one organization has; else a new one named as the record names it.
fn organization_of(b: &mut RegistryBuilder, rec: &Identity) -> OrganizationId {
    if let Some(o) = b.organization_named(&rec.organization_name) {
        return o.id.clone();
    }
    if let [o] = b.organizations_abbreviated(&rec.organization_abbreviation)[..] {
        return o.id.clone();
    }
    let name = if rec.organization_name.is_empty() { rec.provider_name.clone() } else { rec.organization_name.clone() };
    let candidates = [slugify(&rec.organization_abbreviation, MAX_NAME_SLUG), slugify(&name, MAX_NAME_SLUG)];
    let id = fresh_id(
        &candidates,
        rec.provider_id,
        |t| OrganizationId::new(t).ok(),
        |t| OrganizationId::new(t).ok().is_some_and(|id| b.organization(&id).is_some()),
    )
    .unwrap_or_else(|| OrganizationId::new(&format!("organization-tp{}", rec.provider_id)).expect("a slug"));
    let abbreviation = if rec.organization_abbreviation.is_empty() {
        id.as_str().to_ascii_uppercase()
    } else {
        rec.organization_abbreviation.to_ascii_uppercase()
    };
    b.insert_organization(Organization {
        id: id.clone(),
        name,
        abbreviation,
        parent: None,
        cfo_act_agency: false,
        url: None,
    });
    id
}

/// What the records say of one provider's service.
struct Seen<'a> {
    first: &'a Identity,
    channels: BTreeSet<Channel>,
    years: BTreeSet<u16>,
}

/// Each (provider, service) of the records, matched within its provider by Touchpoints id, then
/// by name, else added with the channels and first year the records show. Returns the entries and
/// the services refused (no channel at all), with why.
fn merge_services(
    b: &mut RegistryBuilder,
    ids: &[Identity],
    slugs: &BTreeMap<u32, ProviderSlug>,
    file: &str,
    options: &ImportOptions,
) -> (Vec<ImportedEntry>, BTreeMap<(u32, u32), String>) {
    let mut seen: BTreeMap<(u32, u32), Seen<'_>> = BTreeMap::new();
    for id in ids {
        let s = seen.entry((id.provider_id, id.service_id)).or_insert_with(|| Seen {
            first: id,
            channels: BTreeSet::new(),
            years: BTreeSet::new(),
        });
        s.channels.extend(id.channel);
        s.years.extend(id.year);
    }
    let mut order: Vec<(&(u32, u32), &Seen<'_>)> = seen.iter().collect();
    order.sort_by_key(|(_, s)| s.first.line);
    let (mut out, mut refused) = (Vec::new(), BTreeMap::new());
    for (&(pid, sid), s) in order {
        let Some(provider) = slugs.get(&pid) else { continue };
        let rec = s.first;
        let source =
            format!("{file}: Touchpoints service_provider_id {pid}, service_id {sid}, first at line {}", rec.line);
        let found = b
            .service_of_provider_answering(provider, &sid.to_string())
            .map(|s| (s, MatchedBy::TouchpointsId))
            .or_else(|| b.service_of_provider_answering(provider, &rec.service_name).map(|s| (s, MatchedBy::Name)));
        if let Some((existing, by)) = found {
            let mut svc = existing.clone();
            if !svc.touchpoints_ids.contains(&sid) {
                svc.touchpoints_ids.push(sid);
            }
            // The channels and years the agency reported join what the registry had.
            let added: Vec<Channel> = s.channels.iter().copied().filter(|c| !svc.channels.contains(c)).collect();
            svc.channels.extend(&added);
            if let (Some(f), Some(&lo)) = (svc.first_year, s.years.first()) {
                svc.first_year = Some(f.min(lo));
            }
            if let (Some(l), Some(&hi)) = (svc.last_year, s.years.last()) {
                svc.last_year = Some(l.max(hi));
            }
            let shown = !rec.service_name.is_empty()
                && b.service_of_provider_answering(provider, &rec.service_name).is_none_or(|o| o.id == svc.id);
            if shown
                && !svc.name.eq_ignore_ascii_case(&rec.service_name)
                && !svc.aliases.iter().any(|a| a.eq_ignore_ascii_case(&rec.service_name))
            {
                svc.aliases.push(rec.service_name.clone());
            }
            svc.source = Some(svc.source.map_or(source.clone(), |old| format!("{old}; {source}")));
            out.push(entry(rec.line, sid, svc.id.as_str(), Outcome::Matched(by)));
            b.insert_service(svc);
            continue;
        }
        let mut channels: Vec<Channel> = s.channels.iter().copied().collect();
        if channels.is_empty() {
            channels = options.new_service_channels.clone();
        }
        if channels.is_empty() {
            refused.insert(
                (pid, sid),
                format!(
                    "service {sid} of provider {provider} is new to the registry and none of its records names a \
                     channel; give the channels of new services (--new-service-channels)"
                ),
            );
            continue;
        }
        let name =
            if rec.service_name.is_empty() { format!("Touchpoints service {sid}") } else { rec.service_name.clone() };
        let candidates = [format!("{provider}-{}", slugify(&name, MAX_NAME_SLUG)).trim_end_matches('-').to_owned()];
        let Some(id) = fresh_id(&candidates, sid, |t| ServiceId::new(t).ok(), |t| !b.services_answering(t).is_empty())
        else {
            continue;
        };
        b.insert_service(Service {
            id: id.clone(),
            provider: provider.clone(),
            name,
            description: String::new(),
            // The published records carry no kind.
            kind: ServiceKind::Other,
            channels,
            flags: ServiceFlags { hisp: true, ..ServiceFlags::default() },
            estimated_annual_customers: None,
            stages: Vec::new(),
            url: None,
            source: Some(source),
            aliases: Vec::new(),
            touchpoints_ids: vec![sid],
            first_year: s.years.first().copied(),
            last_year: None,
        });
        out.push(entry(rec.line, sid, id.as_str(), Outcome::Added));
    }
    (out, refused)
}

/// A name's initials as agencies abbreviate them ("Natural Resources Conservation Service" is
/// NRCS), leaving out the small words; `None` for a name of one word.
fn initials(name: &str) -> Option<String> {
    const SMALL: [&str; 6] = ["of", "and", "the", "for", "on", "&"];
    let words: Vec<&str> =
        name.split_whitespace().filter(|w| !SMALL.contains(&w.to_ascii_lowercase().as_str())).collect();
    (words.len() > 1).then(|| {
        words
            .iter()
            .filter_map(|w| w.chars().find(char::is_ascii_alphanumeric))
            .collect::<String>()
            .to_ascii_uppercase()
    })
}

fn entry(line: u64, touchpoints_id: u32, id: &str, outcome: Outcome) -> ImportedEntry {
    ImportedEntry { line, touchpoints_id, id: id.to_owned(), outcome }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MERGED: &[u8] = include_bytes!("../tests/fixtures/performance-gov-cx/mergedcxdata-2023-05-21.csv");

    /// A registry with nothing in it but one organization (so no provider or service is known).
    fn empty() -> Registry {
        Registry::from_toml_str("sources = []\n").unwrap()
    }

    #[test]
    fn the_published_records_rebuild_every_provider_and_service() {
        // CBP's service 10 (lines 178, 179, 373) never names a channel: new to an empty registry,
        // it cannot be added without one, and its three records say so.
        let out =
            import_published(&empty(), Path::new("m.csv"), MERGED, Format::TouchpointsV1, &ImportOptions::default())
                .unwrap();
        let r = &out.reconciliation;
        assert_eq!((r.read, r.accepted, r.rejected), (481, 478, 3));
        let refused: Vec<(u64, &str)> = out.rejections.iter().map(|r| (r.line, r.reason.code())).collect();
        assert_eq!(refused, [(178, "no_channels"), (179, "no_channels"), (373, "no_channels")]);

        let options = ImportOptions { new_service_channels: vec![Channel::Phone] };
        let out = import_published(&empty(), Path::new("m.csv"), MERGED, Format::TouchpointsV1, &options).unwrap();
        assert_eq!((out.reconciliation.read, out.reconciliation.accepted), (481, 481));
        // Providers and (provider, service) pairs counted straight from the file (the distinct
        // service_provider_id values, and pairs with service_id, of the merged CSV).
        assert_eq!(out.providers.len(), 28);
        assert_eq!(out.services.len(), 48);
        assert!(out.providers.iter().all(|e| e.outcome == Outcome::Added));
        // Service 3 twice, each under its own provider.
        let reg = &out.registry;
        let nrcs = reg.provider_with_touchpoints_id(2).unwrap();
        let fsa = reg.provider_with_touchpoints_id(36).unwrap();
        assert_eq!(nrcs.name, "Natural Resources Conservation Service");
        assert_eq!(nrcs.bureau_abbreviation, "NRCS");
        let of = |p: &ServiceProvider| reg.service_of_provider_by_str(&p.slug, "3").map(|s| s.provider.clone());
        assert_eq!(of(nrcs), Some(nrcs.slug.clone()));
        assert_eq!(of(fsa), Some(fsa.slug.clone()));
        // Recreation.gov is filed under the Department of Agriculture in the data.
        let rec = reg.provider_with_touchpoints_id(5).unwrap();
        assert_eq!(reg.organization(&rec.organization).unwrap().name, "Department of Agriculture");
    }

    #[test]
    fn onto_the_bundled_registry_every_pair_matches() {
        let out = import_published(
            &Registry::bundled(),
            Path::new("m.csv"),
            MERGED,
            Format::TouchpointsV1,
            &ImportOptions::default(),
        )
        .unwrap();
        assert!(out.providers.iter().all(|e| e.outcome == Outcome::Matched(MatchedBy::TouchpointsId)));
        let added: Vec<&str> =
            out.services.iter().filter(|e| e.outcome == Outcome::Added).map(|e| e.id.as_str()).collect();
        assert!(added.is_empty(), "{added:?}");
    }

    #[test]
    fn a_record_without_ids_is_rejected_with_its_line() {
        let text = "attributes_service_provider_id,attributes_service_provider_name,attributes_service_id,attributes_service_name,attributes_channel\n\
                    2,NRCS,3,Farmers.gov,computer\n\
                    ,NRCS,3,Farmers.gov,computer\n\
                    2,NRCS,x,Farmers.gov,computer\n";
        let out = import_published(
            &empty(),
            Path::new("m.csv"),
            text.as_bytes(),
            Format::TouchpointsV1,
            &ImportOptions::default(),
        )
        .unwrap();
        let got: Vec<(u64, &str)> = out.rejections.iter().map(|r| (r.line, r.reason.code())).collect();
        assert_eq!(got, [(3, "missing_value"), (4, "bad_touchpoints_id")]);
        assert_eq!((out.reconciliation.read, out.reconciliation.accepted), (3, 1));
    }
}
