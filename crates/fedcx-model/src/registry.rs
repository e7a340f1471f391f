//! The registry of organizations, High Impact Service Providers and their services.
//!
//! fedcx ships the HISPs designated by OMB in `data/hisps.toml`; a user may load their own file
//! of the same form (fedcx-ingest reads it; this module only parses text).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::channel::Channel;
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
            if let Some(old) = services.insert(s.id.clone(), s) {
                problems.push(format!("service {} is defined twice", old.id));
            }
        }
        if !problems.is_empty() {
            return Err(RegistryError::Inconsistent(problems));
        }
        Ok(Registry { sources: file.sources, organizations, providers, services })
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

    /// A service looked up by its identifier's text.
    pub fn service_by_str(&self, id: &str) -> Option<&Service> {
        ServiceId::new(id).ok().and_then(|id| self.services.get(&id))
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

    /// The provider of a service.
    pub fn provider_of(&self, service: &ServiceId) -> Option<&ServiceProvider> {
        self.services.get(service).and_then(|s| self.providers.get(&s.provider))
    }

    /// Whether a service is offered through a channel, per the registry.
    pub fn offers(&self, service: &ServiceId, channel: Channel) -> bool {
        self.services.get(service).is_some_and(|s| s.channels.contains(&channel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_registry_loads_with_35_providers_in_17_agencies() {
        let r = Registry::bundled();
        let providers: Vec<&ServiceProvider> = r.providers().filter(|p| p.year_designated <= 2022).collect();
        assert_eq!(providers.len(), 35);
        let mut departments: Vec<&OrganizationId> =
            providers.iter().map(|p| r.department_of(&p.organization)).collect();
        departments.sort();
        departments.dedup();
        assert_eq!(departments.len(), 17, "{departments:?}");
        assert!(!r.sources().is_empty());
        for p in r.providers() {
            assert!(r.services_of(&p.slug).count() >= 2, "{} has fewer than two services", p.slug);
        }
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

    #[test]
    fn syntax_errors_name_the_field() {
        let err = Registry::from_toml_str("[[service]]\nid = \"Bad Id\"\n").unwrap_err().to_string();
        assert!(err.contains("not a valid service id"), "{err}");
    }
}
