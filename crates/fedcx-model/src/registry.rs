//! The registry of organizations, High Impact Service Providers and their services.
//!
//! fedcx ships the HISPs designated by OMB in `data/hisps.toml`; a user may load their own file
//! of the same form (fedcx-ingest reads it; this module only parses text).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::ids::{OrganizationId, ProviderSlug, ServiceId};
use crate::org::{Organization, Service, ServiceProvider};

/// The bundled registry's text.
pub const BUNDLED_REGISTRY: &str = include_str!("../data/hisps.toml");

/// Why a registry could not be loaded. Every problem found is listed, not only the first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// The text is not a registry in TOML form.
    #[error("the registry is not valid: {0}")]
    Syntax(String),
    /// The registry parsed, but its entries contradict each other.
    #[error("the registry has {} problem(s):\n  {}", .0.len(), .0.join("\n  "))]
    Inconsistent(Vec<String>),
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryFile {
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default, rename = "organization")]
    organizations: Vec<Organization>,
    #[serde(default, rename = "provider")]
    providers: Vec<ServiceProvider>,
    #[serde(default, rename = "service")]
    services: Vec<Service>,
}

/// Organizations, providers and services, checked to refer to each other consistently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    sources: Vec<String>,
    organizations: BTreeMap<OrganizationId, Organization>,
    providers: BTreeMap<ProviderSlug, ServiceProvider>,
    services: BTreeMap<ServiceId, Service>,
}

impl Registry {
    /// The registry fedcx ships.
    pub fn bundled() -> Registry {
        Registry::from_toml_str(BUNDLED_REGISTRY).expect("the bundled registry is checked by a test")
    }

    /// Parses and checks a registry in TOML form.
    pub fn from_toml_str(text: &str) -> Result<Registry, RegistryError> {
        let file: RegistryFile = toml::from_str(text).map_err(|e| RegistryError::Syntax(e.to_string()))?;
        check(file)
    }

    /// A [`RegistryBuilder`] holding this registry's entries, to add or change some and check the
    /// result again.
    pub fn to_builder(&self) -> RegistryBuilder {
        RegistryBuilder {
            sources: self.sources.clone(),
            organizations: self.organizations.clone(),
            providers: self.providers.clone(),
            services: self.services.clone(),
        }
    }

    /// Writes the registry in the TOML form it is read from.
    pub fn to_toml_string(&self) -> String {
        let file = RegistryFile {
            sources: self.sources.clone(),
            organizations: self.organizations.values().cloned().collect(),
            providers: self.providers.values().cloned().collect(),
            services: self.services.values().cloned().collect(),
        };
        toml::to_string(&file).expect("a registry always serialises")
    }

    /// Where the registry's facts come from.
    pub fn sources(&self) -> &[String] {
        &self.sources
    }

    /// All organizations, by identifier.
    pub fn organizations(&self) -> impl Iterator<Item = &Organization> {
        self.organizations.values()
    }

    /// All providers, by slug.
    pub fn providers(&self) -> impl Iterator<Item = &ServiceProvider> {
        self.providers.values()
    }

    /// All services, by identifier.
    pub fn services(&self) -> impl Iterator<Item = &Service> {
        self.services.values()
    }

    /// One organization.
    pub fn organization(&self, id: &OrganizationId) -> Option<&Organization> {
        self.organizations.get(id)
    }

    /// One provider.
    pub fn provider(&self, slug: &ProviderSlug) -> Option<&ServiceProvider> {
        self.providers.get(slug)
    }

    /// One service.
    pub fn service(&self, id: &ServiceId) -> Option<&Service> {
        self.services.get(id)
    }

    /// A service looked up by text: its identifier, one of its aliases, its exact name (ASCII case
    /// ignored) or one of its Touchpoints integer ids. Loading guarantees at most one service
    /// answers to an identifier, name or alias. A Touchpoints id is unique only within a provider
    /// (in Touchpoints one service record can be reported under two providers: farmers.gov's
    /// service 3 by the Farm Service Agency and by NRCS in FY2022), so an id two providers' services
    /// carry answers `None` here: look it up within its provider with
    /// [`Registry::service_of_provider_by_str`].
    pub fn service_by_str(&self, text: &str) -> Option<&Service> {
        let t = text.trim();
        if let Some(s) = ServiceId::new(t).ok().and_then(|id| self.services.get(&id)) {
            return Some(s);
        }
        let mut found =
            self.services.values().filter(|s| answers(t, s.id.as_str(), &s.name, &s.aliases, &s.touchpoints_ids));
        let first = found.next()?;
        // Never a silent choice between two providers' services.
        found.next().is_none().then_some(first)
    }

    /// A service of `provider` looked up by text, as [`Registry::service_by_str`] matches it, among
    /// that provider's services only.
    pub fn service_of_provider_by_str<'a>(&'a self, provider: &ProviderSlug, text: &str) -> Option<&'a Service> {
        let t = text.trim();
        self.services
            .values()
            .filter(|s| &s.provider == provider)
            .find(|s| answers(t, s.id.as_str(), &s.name, &s.aliases, &s.touchpoints_ids))
    }

    /// Every service carrying the Touchpoints service id `id` (more than one when providers share
    /// a Touchpoints service record), by identifier.
    pub fn services_with_touchpoints_id(&self, id: u32) -> impl Iterator<Item = &Service> {
        self.services.values().filter(move |s| s.touchpoints_ids.contains(&id))
    }

    /// The provider whose Touchpoints id is `id`.
    pub fn provider_with_touchpoints_id(&self, id: u32) -> Option<&ServiceProvider> {
        self.providers.values().find(|p| p.touchpoints_id == Some(id))
    }

    /// A provider looked up by text: its slug, one of its aliases, its exact name (ASCII case
    /// ignored) or its Touchpoints integer id.
    pub fn provider_by_str(&self, text: &str) -> Option<&ServiceProvider> {
        let t = text.trim();
        if let Some(p) = ProviderSlug::new(t).ok().and_then(|slug| self.providers.get(&slug)) {
            return Some(p);
        }
        self.providers.values().find(|p| answers(t, p.slug.as_str(), &p.name, &p.aliases, p.touchpoints_id.as_slice()))
    }

    /// The services of one provider.
    pub fn services_of<'a>(&'a self, provider: &'a ProviderSlug) -> impl Iterator<Item = &'a Service> + 'a {
        self.services.values().filter(move |s| &s.provider == provider)
    }

    /// The top-level department an organization belongs to (itself when it has no parent).
    pub fn department_of<'a>(&'a self, id: &'a OrganizationId) -> &'a OrganizationId {
        let mut cur = id;
        // Bounded by the number of organizations, so a cycle in a user's file cannot loop forever.
        for _ in 0..=self.organizations.len() {
            match self.organizations.get(cur).and_then(|o| o.parent.as_ref()) {
                Some(parent) => cur = parent,
                None => break,
            }
        }
        cur
    }

    /// The provider owning a host name, and the domain of its `domains` that matched: the host is
    /// normalised ([`normalize_host`]), then its suffixes on dot boundaries are tried from the
    /// longest, so `www.benefits.va.gov` goes to a provider listing `benefits.va.gov` before one
    /// listing `va.gov`, and `notirs.gov` is not `irs.gov`. `None` when no provider lists any of
    /// them, or the text is not a host name.
    pub fn provider_of_host(&self, host: &str) -> Option<(&ServiceProvider, &str)> {
        let host = normalize_host(host)?;
        let mut candidate = host.as_str();
        loop {
            for p in self.providers.values() {
                if let Some(d) = p.domains.iter().find(|d| d.as_str() == candidate) {
                    return Some((p, d.as_str()));
                }
            }
            candidate = candidate.split_once('.')?.1;
        }
    }

    /// The provider of a service.
    pub fn provider_of(&self, service: &ServiceId) -> Option<&ServiceProvider> {
        self.services.get(service).and_then(|s| self.providers.get(&s.provider))
    }
}

/// A registry open for changes: start from one with [`Registry::to_builder`] (or empty with
/// [`RegistryBuilder::default`]), add or replace entries, then [`RegistryBuilder::build`] checks the
/// whole exactly as loading a file does. Entries are keyed by their identifiers, so replacing an
/// entry means inserting one with the same identifier.
///
/// The lookups here take one kind of key each (a Touchpoints id, an alias, a name), so a caller can
/// match text in an order of its choosing; [`Registry::provider_by_str`] tries them all at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryBuilder {
    sources: Vec<String>,
    organizations: BTreeMap<OrganizationId, Organization>,
    providers: BTreeMap<ProviderSlug, ServiceProvider>,
    services: BTreeMap<ServiceId, Service>,
}

impl RegistryBuilder {
    /// Adds a source the registry's facts come from, unless it is listed already.
    pub fn add_source(&mut self, source: impl Into<String>) {
        let source = source.into();
        if !self.sources.contains(&source) {
            self.sources.push(source);
        }
    }

    /// Where the registry's facts come from.
    pub fn sources(&self) -> &[String] {
        &self.sources
    }

    /// One organization.
    pub fn organization(&self, id: &OrganizationId) -> Option<&Organization> {
        self.organizations.get(id)
    }

    /// One provider.
    pub fn provider(&self, slug: &ProviderSlug) -> Option<&ServiceProvider> {
        self.providers.get(slug)
    }

    /// One service.
    pub fn service(&self, id: &ServiceId) -> Option<&Service> {
        self.services.get(id)
    }

    /// Adds an organization, replacing the one with the same identifier; returns the replaced one.
    pub fn insert_organization(&mut self, organization: Organization) -> Option<Organization> {
        self.organizations.insert(organization.id.clone(), organization)
    }

    /// Adds a provider, replacing the one with the same slug; returns the replaced one.
    pub fn insert_provider(&mut self, provider: ServiceProvider) -> Option<ServiceProvider> {
        self.providers.insert(provider.slug.clone(), provider)
    }

    /// Adds a service, replacing the one with the same identifier; returns the replaced one.
    pub fn insert_service(&mut self, service: Service) -> Option<Service> {
        self.services.insert(service.id.clone(), service)
    }

    /// The organization whose name is `text` (trimmed, ASCII case ignored).
    pub fn organization_named(&self, text: &str) -> Option<&Organization> {
        let t = text.trim();
        self.organizations.values().find(|o| o.name.trim().eq_ignore_ascii_case(t))
    }

    /// The organizations whose abbreviation is `text` (trimmed, ASCII case ignored). Abbreviations
    /// are not unique (USDA's and Education's FSA), so there may be several.
    pub fn organizations_abbreviated(&self, text: &str) -> Vec<&Organization> {
        let t = text.trim();
        self.organizations.values().filter(|o| o.abbreviation.trim().eq_ignore_ascii_case(t)).collect()
    }

    /// The provider whose `touchpoints_id` is `id`.
    pub fn provider_with_touchpoints_id(&self, id: u32) -> Option<&ServiceProvider> {
        self.providers.values().find(|p| p.touchpoints_id == Some(id))
    }

    /// The first provider (by slug) whose slug or one of whose aliases is `text` (trimmed, ASCII
    /// case ignored). A registry that passed [`RegistryBuilder::build`] has at most one.
    pub fn provider_with_alias(&self, text: &str) -> Option<&ServiceProvider> {
        let t = text.trim();
        self.providers.values().find(|p| is_id_or_alias(t, p.slug.as_str(), &p.aliases))
    }

    /// The first provider (by slug) whose name is `text` (trimmed, ASCII case ignored).
    pub fn provider_named(&self, text: &str) -> Option<&ServiceProvider> {
        let t = text.trim();
        self.providers.values().find(|p| p.name.trim().eq_ignore_ascii_case(t))
    }

    /// The service one of whose `touchpoints_ids` is `id`.
    pub fn service_with_touchpoints_id(&self, id: u32) -> Option<&Service> {
        self.services.values().find(|s| s.touchpoints_ids.contains(&id))
    }

    /// The service of `provider` that answers to `key` (identifier, name, alias or Touchpoints id;
    /// trimmed, ASCII case ignored). Services of different providers may share a name or a
    /// Touchpoints id, never two of one provider.
    pub fn service_of_provider_answering(&self, provider: &ProviderSlug, key: &str) -> Option<&Service> {
        let k = key.trim().to_ascii_lowercase();
        self.services
            .values()
            .filter(|s| &s.provider == provider)
            .find(|s| answers(&k, s.id.as_str(), &s.name, &s.aliases, &s.touchpoints_ids))
    }

    /// The first service (by identifier) whose identifier or one of whose aliases is `text`
    /// (trimmed, ASCII case ignored).
    pub fn service_with_alias(&self, text: &str) -> Option<&Service> {
        let t = text.trim();
        self.services.values().find(|s| is_id_or_alias(t, s.id.as_str(), &s.aliases))
    }

    /// The first service (by identifier) whose name is `text` (trimmed, ASCII case ignored).
    pub fn service_named(&self, text: &str) -> Option<&Service> {
        let t = text.trim();
        self.services.values().find(|s| s.name.trim().eq_ignore_ascii_case(t))
    }

    /// Every provider that answers to `key` in any of the ways [`RegistryBuilder::build`] checks
    /// for clashes (slug, name, alias, Touchpoints id; trimmed, ASCII case ignored). Giving a
    /// provider a new alias or Touchpoints id is safe when no other provider answers to it.
    pub fn providers_answering(&self, key: &str) -> Vec<&ProviderSlug> {
        let k = key.trim().to_ascii_lowercase();
        self.providers
            .values()
            .filter(|p| answers(&k, p.slug.as_str(), &p.name, &p.aliases, p.touchpoints_id.as_slice()))
            .map(|p| &p.slug)
            .collect()
    }

    /// Every service that answers to `key` in any of the ways [`RegistryBuilder::build`] checks for
    /// clashes (identifier, name, alias, Touchpoints id; trimmed, ASCII case ignored).
    pub fn services_answering(&self, key: &str) -> Vec<&ServiceId> {
        let k = key.trim().to_ascii_lowercase();
        self.services
            .values()
            .filter(|s| answers(&k, s.id.as_str(), &s.name, &s.aliases, &s.touchpoints_ids))
            .map(|s| &s.id)
            .collect()
    }

    /// Checks the registry exactly as [`Registry::from_toml_str`] does, listing every problem.
    pub fn build(self) -> Result<Registry, RegistryError> {
        check(RegistryFile {
            sources: self.sources,
            organizations: self.organizations.into_values().collect(),
            providers: self.providers.into_values().collect(),
            services: self.services.into_values().collect(),
        })
    }
}

/// A host name as fedcx compares them: trimmed, ASCII lower case, without a scheme (`https://`),
/// path, port or trailing dots, and without one leading `www.`. `None` unless what is left is a
/// host name of at least two labels, each of ASCII letters, digits, `-` or `_` (at most 63
/// characters a label, 253 in all).
///
/// ```
/// use fedcx_model::registry::normalize_host;
/// assert_eq!(normalize_host(" WWW.IRS.gov.:443 ").as_deref(), Some("irs.gov"));
/// assert_eq!(normalize_host("https://www.va.gov/health/").as_deref(), Some("va.gov"));
/// assert_eq!(normalize_host("(other)"), None);
/// ```
pub fn normalize_host(text: &str) -> Option<String> {
    let t = text.trim();
    let t = t.split_once("://").map_or(t, |(_, rest)| rest);
    let t = t.split(['/', '?', '#']).next().unwrap_or_default();
    let t = match t.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => t,
    };
    let t = t.trim_end_matches('.').to_ascii_lowercase();
    let host = t.strip_prefix("www.").unwrap_or(&t);
    let label_ok = |l: &str| {
        !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    (host.len() <= 253 && host.contains('.') && host.split('.').all(label_ok)).then(|| host.to_owned())
}

/// Whether trimmed `text` is an entry's identifier or one of its aliases, ignoring ASCII case.
fn is_id_or_alias(text: &str, id: &str, aliases: &[String]) -> bool {
    id.eq_ignore_ascii_case(text) || aliases.iter().any(|a| a.trim().eq_ignore_ascii_case(text))
}

/// Whether an entry answers to `key` (trimmed): its identifier, name or an alias (ASCII case
/// ignored), or one of its Touchpoints ids written as a number. The one matching rule of
/// [`Registry::service_by_str`], [`Registry::provider_by_str`] and the builder's `*_answering`;
/// [`clashes`] makes sure no key answers for two entries of a kind.
fn answers(key: &str, id: &str, name: &str, aliases: &[String], touchpoints_ids: &[u32]) -> bool {
    id.eq_ignore_ascii_case(key)
        || name.trim().eq_ignore_ascii_case(key)
        || aliases.iter().any(|a| a.trim().eq_ignore_ascii_case(key))
        || key.parse::<u32>().is_ok_and(|n| touchpoints_ids.contains(&n))
}

/// Checks a parsed registry file: every reference resolves, no entry is defined twice, and no key
/// (identifier, name, alias, Touchpoints id) names two entries of a kind. Every problem is listed.
fn check(file: RegistryFile) -> Result<Registry, RegistryError> {
    let mut problems = Vec::new();
    let mut organizations = BTreeMap::new();
    for o in file.organizations {
        if let Some(old) = organizations.insert(o.id.clone(), o) {
            problems.push(format!("organization {} is defined twice", old.id));
        }
    }
    for o in organizations.values() {
        if let Some(p) = &o.parent {
            if !organizations.contains_key(p) {
                problems.push(format!("organization {} names unknown parent {p}", o.id));
            }
        }
    }
    let mut providers = BTreeMap::new();
    for p in file.providers {
        if !organizations.contains_key(&p.organization) {
            problems.push(format!("provider {} names unknown organization {}", p.slug, p.organization));
        }
        problems.extend(crate::fevs::crosswalk_problems(p.slug.as_str(), &p.fevs));
        if let Some(old) = providers.insert(p.slug.clone(), p) {
            problems.push(format!("provider {} is defined twice", old.slug));
        }
    }
    let mut services = BTreeMap::new();
    for s in file.services {
        if !providers.contains_key(&s.provider) {
            problems.push(format!("service {} names unknown provider {}", s.id, s.provider));
        }
        if s.channels.is_empty() {
            problems.push(format!("service {} lists no channels", s.id));
        }
        let mut positions: Vec<u16> = s.stages.iter().map(|st| st.position).collect();
        positions.sort_unstable();
        if positions.windows(2).any(|w| w[0] == w[1]) {
            problems.push(format!("service {} has two stages at the same position", s.id));
        }
        if let (Some(first), Some(last)) = (s.first_year, s.last_year) {
            if first > last {
                problems.push(format!("service {} ends (FY{last}) before it starts (FY{first})", s.id));
            }
        }
        if let Some(old) = services.insert(s.id.clone(), s) {
            problems.push(format!("service {} is defined twice", old.id));
        }
    }
    problems.extend(domain_problems(&providers));
    // Services' Touchpoints ids are checked per provider below.
    const NO_IDS: &[u32] = &[];
    problems.extend(clashes(
        "provider",
        providers.values().map(|p| (p.slug.as_str(), &p.name, &p.aliases, p.touchpoints_id.as_slice())),
    ));
    // Names and aliases are unique within a provider: two agencies may report a service under one
    // name (the NRCS and the FSA both filed "Finding information about programs on the website."
    // in Touchpoints), and a name is then resolved within the record's provider. Ids stay unique
    // across the registry (checked above).
    let mut by_provider: BTreeMap<&ProviderSlug, Vec<&Service>> = BTreeMap::new();
    for s in services.values() {
        by_provider.entry(&s.provider).or_default().push(s);
    }
    for of_one in by_provider.values() {
        problems.extend(clashes("service", of_one.iter().map(|s| (s.id.as_str(), &s.name, &s.aliases, NO_IDS))));
    }
    // A service id names one service everywhere: no other provider's service may answer to it.
    for s in services.values() {
        let id = s.id.as_str();
        for other in services.values().filter(|o| o.provider != s.provider) {
            let hit = other.name.trim().eq_ignore_ascii_case(id)
                || other.aliases.iter().any(|a| a.trim().eq_ignore_ascii_case(id));
            if hit {
                problems.push(format!(
                    "service alias {:?} is ambiguous: claimed by {}, {}",
                    id.to_ascii_lowercase(),
                    id,
                    other.id
                ));
            }
        }
    }
    // A Touchpoints service id may be shared by services of different providers (one Touchpoints
    // service record reported under two providers), never by two services of one provider.
    let mut ids: BTreeMap<(&ProviderSlug, u32), Vec<&str>> = BTreeMap::new();
    for s in services.values() {
        for &n in &s.touchpoints_ids {
            ids.entry((&s.provider, n)).or_default().push(s.id.as_str());
        }
    }
    for ((provider, n), claimants) in ids {
        if claimants.len() > 1 {
            problems.push(format!(
                "service alias \"{n}\" is ambiguous: claimed by {} (services of one provider, {provider})",
                claimants.join(", ")
            ));
        }
    }
    if !problems.is_empty() {
        return Err(RegistryError::Inconsistent(problems));
    }
    Ok(Registry { sources: file.sources, organizations, providers, services })
}

/// Domains that are not bare host names, and domains listed by more than one provider (a host
/// would count for whichever came first).
fn domain_problems(providers: &BTreeMap<ProviderSlug, ServiceProvider>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut claims: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for p in providers.values() {
        for d in &p.domains {
            if normalize_host(d).as_deref() != Some(d.as_str()) {
                problems.push(format!(
                    "provider {} lists domain {d:?}, not a bare host name (expected e.g. irs.gov: lower case, no www., scheme, port or path)",
                    p.slug
                ));
            }
            claims.entry(d.as_str()).or_default().insert(p.slug.as_str());
        }
    }
    for (d, slugs) in claims {
        if slugs.len() > 1 {
            let slugs: Vec<&str> = slugs.into_iter().collect();
            problems.push(format!("domain {d:?} is listed by more than one provider: {}", slugs.join(", ")));
        }
    }
    problems
}

/// Every key (identifier, name, alias, Touchpoints id) that more than one entry of a kind answers
/// to, one problem per clashing key naming all its claimants. Keys are compared lowercased because
/// lookups ignore ASCII case; a key an entry repeats for itself (an alias equal to its own name) is
/// harmless and not reported.
fn clashes<'a>(
    kind: &str,
    entries: impl Iterator<Item = (&'a str, &'a String, &'a Vec<String>, &'a [u32])>,
) -> Vec<String> {
    let mut claims: BTreeMap<String, BTreeSet<&'a str>> = BTreeMap::new();
    let mut empty = Vec::new();
    for (id, name, aliases, touchpoints_ids) in entries {
        let keys = std::iter::once(id.to_ascii_lowercase())
            .chain(std::iter::once(name.trim().to_ascii_lowercase()))
            .chain(aliases.iter().map(|a| a.trim().to_ascii_lowercase()))
            .chain(touchpoints_ids.iter().map(u32::to_string));
        for key in keys {
            claims.entry(key).or_default().insert(id);
        }
        // An empty alias would make a blank cell in a user's file name this entry.
        if aliases.iter().any(|a| a.trim().is_empty()) {
            empty.push(format!("{kind} {id} has an empty alias"));
        }
    }
    claims
        .into_iter()
        .filter(|(_, ids)| ids.len() > 1)
        .map(|(key, ids)| {
            let ids: Vec<&str> = ids.into_iter().collect();
            format!("{kind} alias {key:?} is ambiguous: claimed by {}", ids.join(", "))
        })
        .chain(empty)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_registry_loads_with_40_providers_in_18_agencies() {
        let r = Registry::bundled();
        assert_eq!(r.providers().count(), 40);
        let mut departments: Vec<&OrganizationId> = r.providers().map(|p| r.department_of(&p.organization)).collect();
        departments.sort();
        departments.dedup();
        assert_eq!(departments.len(), 18, "{departments:?}");
        assert!(!r.sources().is_empty());
        for p in r.providers() {
            assert!(r.services_of(&p.slug).count() >= 1, "{} has no services", p.slug);
            assert!(p.source.is_some(), "{} names no source", p.slug);
        }
        // performance.gov's FY2019-20 list: 25 services of 23 providers, all verified.
        let fy2019_20: Vec<&str> =
            r.providers().filter(|p| p.verified && p.year_designated <= 2020).map(|p| p.slug.as_str()).collect();
        assert_eq!(fy2019_20.len(), 23, "{fy2019_20:?}");
        for slug in ["opm-fes", "doi-fws", "doi-btfa", "dol-osha", "dol-owcp", "recreation-gov"] {
            assert!(fy2019_20.contains(&slug), "{slug}");
        }
    }

    #[test]
    fn every_alias_and_touchpoints_id_of_the_bundled_registry_resolves_to_its_entry() {
        let r = Registry::bundled();
        for p in r.providers() {
            let keys = p.aliases.iter().cloned().chain([p.name.clone(), p.slug.to_string()]);
            for key in keys.chain(p.touchpoints_id.map(|n| n.to_string())) {
                assert_eq!(r.provider_by_str(&key).map(|q| &q.slug), Some(&p.slug), "{key:?}");
            }
        }
        for s in r.services() {
            let keys = s.aliases.iter().cloned().chain([s.name.clone(), s.id.to_string()]);
            for key in keys.chain(s.touchpoints_ids.iter().map(u32::to_string)) {
                // Within its provider a key always names the service; alone, it names it unless
                // another provider's service answers to it too (then it names none).
                assert_eq!(r.service_of_provider_by_str(&s.provider, &key).map(|t| &t.id), Some(&s.id), "{key:?}");
                let shared = r
                    .services()
                    .filter(|o| o.provider != s.provider)
                    .any(|o| r.service_of_provider_by_str(&o.provider, &key).is_some_and(|hit| hit.id == o.id));
                let want = (!shared).then_some(&s.id);
                assert_eq!(r.service_by_str(&key).map(|t| &t.id), want, "{key:?}");
            }
        }
        // The one Touchpoints service id and name two providers share (service 3, farmers.gov).
        assert_eq!(r.service_by_str("3"), None);
        let nrcs = ProviderSlug::new("usda-nrcs").unwrap();
        assert_eq!(r.service_of_provider_by_str(&nrcs, "3").unwrap().id.as_str(), "usda-nrcs-farmers-gov-information");
        // performance.gov's slugs and Touchpoints' names, as agencies' files carry them.
        let provider = |t: &str| r.provider_by_str(t).map(|p| p.slug.as_str());
        assert_eq!(provider("treas-irs"), Some("treasury-irs"));
        assert_eq!(provider("sba-fo"), Some("sba"));
        assert_eq!(provider("multi-rec"), Some("recreation-gov"));
        assert_eq!(provider("Public Experience Portfolio"), Some("gsa-usagov"));
        assert_eq!(provider("7"), Some("dhs-cbp"));
        let service = |t: &str| r.service_by_str(t).map(|s| s.id.as_str());
        assert_eq!(service("ssa-oo"), Some("ssa-online-services"));
        assert_eq!(service("dol-deeoic"), Some("dol-owcp-deeoic-contact-center"));
        assert_eq!(service("Voluntary Protection Programs"), Some("dol-osha-vpp"));
        assert_eq!(service("doc-trademarks"), Some("doc-uspto-trademark-application"));
        assert_eq!(service("73"), Some("dhs-tsa-contact-center"));
    }

    #[test]
    fn every_service_of_performance_gov_fy2019_20_list_resolves() {
        // The service_id column of _data/hisps.csv (GSA/Trump-archives-performance-gov, mirrored
        // at OpenGovDataMirror/A_gsa_Trump-archives-performance-gov @ 6f5f2416), plus the ids an
        // earlier copy used (doi-ost, ed-fafsa, dol-owcp in _data/hisp-data.csv).
        let r = Registry::bundled();
        let services = [
            "doc-patents",
            "doc-trademarks",
            "ed-fsa",
            "ed-fafsa",
            "hhs-marketplace",
            "hhs-medicare",
            "dhs-tsa",
            "dhs-cbp",
            "dhs-uscis",
            "dhs-fema",
            "hud-fha",
            "doi-tbcc",
            "doi-ost",
            "doi-fws",
            "dol-osha",
            "dol-deeoic",
            "dol-owcp",
            "va-vha",
            "va-vba",
            "opm-fes",
            "ssa-oo",
            "multi-rec",
        ];
        for id in services {
            assert!(r.service_by_str(id).is_some(), "service {id}");
        }
        // These name a provider's whole remit rather than one of the registry's services.
        for id in ["dos-ca", "treas-irs", "opm-rs", "sba-fo", "usda-fsa", "usda-nrcs"] {
            assert!(r.provider_by_str(id).is_some(), "provider {id}");
        }
    }

    #[test]
    fn services_that_changed_carry_their_years() {
        let r = Registry::bundled();
        let years = |id: &str| {
            let s = r.service_by_str(id).unwrap();
            (s.first_year, s.last_year)
        };
        assert_eq!(years("dol-owcp-deeoic-contact-center"), (Some(2019), Some(2022)));
        assert_eq!(years("dol-osha-vpp"), (Some(2019), Some(2022)));
        assert_eq!(years("dhs-cbp-traveler-communications-center"), (Some(2019), Some(2021)));
        assert_eq!(years("dhs-uscis-contact-center"), (Some(2019), None));
        assert_eq!(years("ssa-online-services"), (Some(2019), Some(2022)));
    }

    #[test]
    fn bundled_registry_round_trips_through_toml() {
        let r = Registry::bundled();
        assert_eq!(Registry::from_toml_str(&r.to_toml_string()).unwrap(), r);
    }

    #[test]
    fn every_inconsistency_is_reported() {
        let text = r#"
            [[organization]]
            id = "dept"
            name = "Dept"
            abbreviation = "D"
            parent = "nowhere"

            [[provider]]
            slug = "p"
            name = "P"
            organization = "ghost"
            bureau_abbreviation = "P"
            year_designated = 2022

            [[service]]
            id = "s"
            provider = "q"
            name = "S"
            kind = "Benefits"
            channels = []
        "#;
        let err = Registry::from_toml_str(text).unwrap_err();
        let RegistryError::Inconsistent(problems) = &err else { panic!("{err}") };
        assert_eq!(
            problems,
            &[
                "organization dept names unknown parent nowhere",
                "provider p names unknown organization ghost",
                "service s names unknown provider q",
                "service s lists no channels",
            ]
        );
    }

    /// A registry of one organization, two providers and two services, with aliases as given.
    fn small(provider_aliases: [&str; 2], service_aliases: [&str; 2]) -> String {
        format!(
            r#"
            [[organization]]
            id = "dept"
            name = "Dept"
            abbreviation = "D"

            [[provider]]
            slug = "dept-a"
            name = "Bureau A"
            organization = "dept"
            bureau_abbreviation = "A"
            year_designated = 2019
            aliases = ["{}"]
            touchpoints_id = 7

            [[provider]]
            slug = "dept-b"
            name = "Bureau B"
            organization = "dept"
            bureau_abbreviation = "B"
            year_designated = 2022
            aliases = ["{}"]

            [[service]]
            id = "dept-a-call"
            provider = "dept-a"
            name = "Calling the contact center"
            kind = "Informational"
            channels = ["phone"]
            aliases = ["{}"]
            touchpoints_ids = [10, 73]
            first_year = 2019
            last_year = 2021

            [[service]]
            id = "dept-b-apply"
            provider = "dept-b"
            name = "Applying online"
            kind = "Benefits"
            channels = ["website"]
            aliases = ["{}"]
            "#,
            provider_aliases[0], provider_aliases[1], service_aliases[0], service_aliases[1]
        )
    }

    #[test]
    fn providers_are_found_by_slug_alias_name_and_touchpoints_id() {
        let r =
            Registry::from_toml_str(&small(["dept-aa", "Old Bureau B"], ["dept-call", "Applying on paper"])).unwrap();
        let slug = |t: &str| r.provider_by_str(t).map(|p| p.slug.as_str());
        assert_eq!(slug("dept-a"), Some("dept-a"));
        assert_eq!(slug("DEPT-AA"), Some("dept-a"));
        assert_eq!(slug(" bureau b "), Some("dept-b"));
        assert_eq!(slug("old bureau b"), Some("dept-b"));
        assert_eq!(slug("7"), Some("dept-a"));
        assert_eq!(slug("8"), None);
        assert_eq!(slug("Bureau"), None, "names match whole, not in part");
    }

    #[test]
    fn services_are_found_by_id_alias_name_and_touchpoints_id() {
        let r =
            Registry::from_toml_str(&small(["dept-aa", "Old Bureau B"], ["dept-call", "Applying on paper"])).unwrap();
        let id = |t: &str| r.service_by_str(t).map(|s| s.id.as_str());
        assert_eq!(id("dept-a-call"), Some("dept-a-call"));
        assert_eq!(id("Dept-Call"), Some("dept-a-call"));
        assert_eq!(id("calling the CONTACT center"), Some("dept-a-call"));
        assert_eq!(id("73"), Some("dept-a-call"));
        assert_eq!(id("applying on paper"), Some("dept-b-apply"));
        assert_eq!(id("applying"), None);
        let call = r.service_by_str("10").unwrap();
        assert!(!call.reported_in(2018) && call.reported_in(2019) && call.reported_in(2021) && !call.reported_in(2022));
        assert!(r.service_by_str("dept-b-apply").unwrap().reported_in(1990), "open years are always reported");
    }

    #[test]
    fn ambiguous_aliases_are_an_error_listing_every_clash() {
        // "Bureau A" is dept-a's name and dept-b's alias; "dept-a-call" is a service id and the
        // other service's alias (in another case); "10" is a Touchpoints id and an alias.
        let err =
            Registry::from_toml_str(&small(["dept-aa", "bureau a"], ["Applying online", "DEPT-A-CALL"])).unwrap_err();
        let RegistryError::Inconsistent(problems) = &err else { panic!("{err}") };
        assert_eq!(
            problems,
            &[
                r#"provider alias "bureau a" is ambiguous: claimed by dept-a, dept-b"#,
                r#"service alias "dept-a-call" is ambiguous: claimed by dept-a-call, dept-b-apply"#,
            ]
        );
        // One name for services of two providers is how agencies report; within a provider it
        // clashes.
        let r = Registry::from_toml_str(&small(["dept-aa", "x"], ["Applying online", "y"])).unwrap();
        assert!(r.service_by_str("applying online").is_none(), "two providers answer, so neither alone");
        // Providers and services are looked up separately, so they may share a name.
        assert!(Registry::from_toml_str(&small(["Applying online", "x"], ["Bureau A", "y"])).is_ok());
        let err = Registry::from_toml_str(&small(["dept-aa", "7"], ["a", "b"])).unwrap_err().to_string();
        assert!(err.contains(r#"provider alias "7" is ambiguous: claimed by dept-a, dept-b"#), "{err}");
        let err = Registry::from_toml_str(&small(["dept-aa", " "], ["a", "b"])).unwrap_err().to_string();
        assert!(err.contains("provider dept-b has an empty alias"), "{err}");
    }

    #[test]
    fn a_service_cannot_end_before_it_starts() {
        let text = small(["a", "b"], ["c", "d"]).replace("last_year = 2021", "last_year = 2018");
        let err = Registry::from_toml_str(&text).unwrap_err().to_string();
        assert!(err.contains("service dept-a-call ends (FY2018) before it starts (FY2019)"), "{err}");
    }

    #[test]
    fn registries_without_the_new_fields_still_load() {
        // A user's registry written before sources, aliases and years existed.
        let text = small(["a", "b"], ["c", "d"])
            .lines()
            .filter(|l| {
                !["aliases", "touchpoints_id", "first_year", "last_year"].iter().any(|k| l.trim().starts_with(k))
            })
            .collect::<Vec<_>>()
            .join("\n");
        let r = Registry::from_toml_str(&text).unwrap();
        let p = r.provider_by_str("dept-a").unwrap();
        assert!(p.aliases.is_empty() && p.source.is_none() && p.touchpoints_id.is_none());
        assert!(r.service_by_str("dept-a-call").unwrap().first_year.is_none());
    }

    #[test]
    fn hosts_are_normalised() {
        for (text, want) in [
            ("irs.gov", Some("irs.gov")),
            (" WWW.IRS.GOV ", Some("irs.gov")),
            ("www.irs.gov.", Some("irs.gov")),
            ("irs.gov:8443", Some("irs.gov")),
            ("https://www.va.gov/health?x=1", Some("va.gov")),
            ("www4.va.gov", Some("www4.va.gov")),
            ("www.www.va.gov", Some("www.va.gov")),
            ("mhvidp-prod.myhealth.va.gov", Some("mhvidp-prod.myhealth.va.gov")),
            ("", None),
            ("(other)", None),
            ("gov", None),
            ("www.gov", None),
            ("irs..gov", None),
            ("irs gov.x", None),
            ("irs.gov:", None),
            ("[::1]:80", None),
            ("pérez.gov", None),
        ] {
            assert_eq!(normalize_host(text).as_deref(), want, "{text:?}");
        }
    }

    #[test]
    fn hosts_belong_to_the_provider_listing_their_longest_suffix_on_a_dot_boundary() {
        let r = Registry::bundled();
        let owner = |h: &str| r.provider_of_host(h).map(|(p, d)| (p.slug.as_str(), d));
        assert_eq!(owner("www.irs.gov"), Some(("treasury-irs", "irs.gov")));
        assert_eq!(owner("sa.www4.irs.gov"), Some(("treasury-irs", "irs.gov")));
        assert_eq!(owner("notirs.gov"), None, "a suffix counts on a dot boundary only");
        assert_eq!(owner("www.benefits.va.gov"), Some(("va-vba", "benefits.va.gov")));
        assert_eq!(owner("www.gravelocator.cem.va.gov"), Some(("va-nca", "cem.va.gov")));
        assert_eq!(owner("ssabest.benefits.gov"), None, "benefits.gov is not benefits.va.gov");
        assert_eq!(owner("www.va.gov"), None, "va.gov is VA's department-wide site, no one bureau's");
        assert_eq!(owner("travel.state.gov"), Some(("dos-ca", "travel.state.gov")));
        assert_eq!(owner("passportappointment.travel.state.gov"), Some(("dos-ca", "travel.state.gov")));
        assert_eq!(owner("www.state.gov"), None);
        assert_eq!(owner("forecast.weather.gov"), Some(("doc-noaa", "weather.gov")));
        assert_eq!(owner("(other)"), None);
        // Every listed domain, and any host under it, is its own provider's.
        for p in r.providers() {
            for d in &p.domains {
                assert_eq!(owner(d), Some((p.slug.as_str(), d.as_str())), "{d}");
                assert_eq!(owner(&format!("www.a-b.{d}")).map(|o| o.0), Some(p.slug.as_str()), "{d}");
            }
        }
        // A user's registry crediting va.gov to VHA still sends benefits.va.gov to VBA.
        let mut b = r.to_builder();
        let mut vha = b.provider(&ProviderSlug::new("va-vha").unwrap()).unwrap().clone();
        vha.domains.push("va.gov".into());
        b.insert_provider(vha);
        let r = b.build().unwrap();
        let owner = |h: &str| r.provider_of_host(h).map(|(p, _)| p.slug.as_str());
        assert_eq!(owner("www.va.gov"), Some("va-vha"));
        assert_eq!(owner("benefits.va.gov"), Some("va-vba"));
    }

    #[test]
    fn domains_must_be_bare_and_listed_once() {
        let text = small(["a", "b"], ["c", "d"])
            .replace("touchpoints_id = 7", "touchpoints_id = 7\n            domains = [\"a.gov\", \"WWW.B.GOV\"]")
            .replace("year_designated = 2022", "year_designated = 2022\n            domains = [\"a.gov\", \"b.gov\"]");
        let err = Registry::from_toml_str(&text).unwrap_err();
        let RegistryError::Inconsistent(problems) = &err else { panic!("{err}") };
        assert_eq!(
            problems,
            &[
                r#"provider dept-a lists domain "WWW.B.GOV", not a bare host name (expected e.g. irs.gov: lower case, no www., scheme, port or path)"#,
                r#"domain "a.gov" is listed by more than one provider: dept-a, dept-b"#,
            ]
        );
    }

    #[test]
    fn syntax_errors_name_the_field() {
        let err = Registry::from_toml_str("[[service]]\nid = \"Bad Id\"\n").unwrap_err().to_string();
        assert!(err.contains("not a valid service id"), "{err}");
    }

    #[test]
    fn a_builder_from_a_registry_builds_the_same_registry() {
        let r = Registry::bundled();
        assert_eq!(r.to_builder().build().unwrap(), r);
    }

    #[test]
    fn a_builder_adds_and_replaces_entries_and_the_result_round_trips() {
        let r = Registry::from_toml_str(&small(["dept-aa", "Old Bureau B"], ["dept-call", "x"])).unwrap();
        let mut b = r.to_builder();
        b.add_source("an export");
        b.add_source("an export");
        assert_eq!(b.sources(), ["an export"]);
        let mut a = b.provider_with_touchpoints_id(7).unwrap().clone();
        assert_eq!(a.slug.as_str(), "dept-a");
        a.aliases.push("Bureau A (Touchpoints)".into());
        assert!(b.insert_provider(a).is_some(), "dept-a is replaced, not added");
        let mut s = b.service_named("applying ONLINE").unwrap().clone();
        s.id = ServiceId::new("dept-b-renew").unwrap();
        s.name = "Renewing online".into();
        s.aliases.clear();
        s.touchpoints_ids = vec![412];
        assert!(b.insert_service(s).is_none(), "a new service");
        assert_eq!(b.providers_answering("bureau a (touchpoints)"), [&ProviderSlug::new("dept-a").unwrap()]);
        assert_eq!(b.services_answering("412"), [&ServiceId::new("dept-b-renew").unwrap()]);
        assert_eq!(b.service_with_alias("DEPT-CALL").map(|s| s.id.as_str()), Some("dept-a-call"));
        assert_eq!(b.provider_with_alias("dept-b").map(|p| p.slug.as_str()), Some("dept-b"));
        assert_eq!(b.provider_named("Bureau B").map(|p| p.slug.as_str()), Some("dept-b"));
        assert!(b.provider_named("dept-b").is_none(), "a slug is not a name");
        assert_eq!(b.organization_named(" dept ").map(|o| o.id.as_str()), Some("dept"));
        assert_eq!(b.organizations_abbreviated("d").len(), 1);
        let built = b.build().unwrap();
        assert_eq!(built.service_by_str("412").map(|s| s.id.as_str()), Some("dept-b-renew"));
        assert_eq!(built.provider_by_str("Bureau A (Touchpoints)").map(|p| p.slug.as_str()), Some("dept-a"));
        assert_eq!(Registry::from_toml_str(&built.to_toml_string()).unwrap(), built);
    }

    #[test]
    fn a_builder_checks_like_loading_does() {
        let r = Registry::from_toml_str(&small(["a", "b"], ["c", "d"])).unwrap();
        let mut b = r.to_builder();
        let mut p = b.provider(&ProviderSlug::new("dept-b").unwrap()).unwrap().clone();
        p.touchpoints_id = Some(7);
        b.insert_provider(p);
        let mut s = b.service(&ServiceId::new("dept-b-apply").unwrap()).unwrap().clone();
        s.channels.clear();
        b.insert_service(s);
        let err = b.build().unwrap_err();
        let RegistryError::Inconsistent(problems) = &err else { panic!("{err}") };
        assert_eq!(
            problems,
            &[
                "service dept-b-apply lists no channels",
                r#"provider alias "7" is ambiguous: claimed by dept-a, dept-b"#,
            ]
        );
    }
}
