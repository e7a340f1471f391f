//! Federal websites as GSA's Site Scanning program scans them, and the 21st Century Integrated
//! Digital Experience Act (IDEA) criteria fedcx scores them against.
//!
//! A [`SiteScan`] is one row of a Site Scanning snapshot, typed: the scanned host as a [`HostName`],
//! the scan's date, the domain's registrant ([`Registrant`], which is *not* the HISP serving the
//! public there), and each field an IDEA criterion reads, `None` where the snapshot has no value.
//! [`SiteScan::outcome`] turns those fields into a [`Outcome`] per [`Criterion`] under documented
//! [`IdeaRules`]; a field the scanner did not fill is [`Outcome::NotScanned`], never a silent
//! "not met".
//!
//! Reading the snapshot files is fedcx-ingest's job (`site_scan.rs`); scoring providers is
//! fedcx-index's (`websites.rs`).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::registry::normalize_host;

/// A website's host name as fedcx compares them, and as Site Scanning's `name` column means it:
/// ASCII lower case, without scheme, port, path or trailing dot, and without **one** leading
/// `www.` (the scanner's own rule is `replace(/^www\./, '')`, so `www.ssa.gov` and `ssa.gov` are
/// the same site while `www2.ssa.gov` is another). Built only through [`HostName::parse`], which
/// applies [`normalize_host`], so two values are equal exactly when fedcx treats the hosts as one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HostName(String);

/// Text that is not a host name (see [`HostName`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a host name (expected e.g. www.ssa.gov or https://www.ssa.gov/: at least two dot-separated labels of letters, digits, - or _)")]
pub struct HostNameError(pub String);

impl HostName {
    /// Normalises a host name or URL: `https://WWW.SSA.gov/faqs/` is `ssa.gov`.
    pub fn parse(text: &str) -> Result<HostName, HostNameError> {
        normalize_host(text).map(HostName).ok_or_else(|| HostNameError(text.to_owned()))
    }

    /// The normalised host, e.g. `ssa.gov`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HostName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for HostName {
    type Err = HostNameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        HostName::parse(s)
    }
}

impl Serialize for HostName {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for HostName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        HostName::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The organisation that registered a domain, as Site Scanning's `agency` and `bureau` columns
/// give it (from the .gov registry: "Social Security Administration",
/// "SSA/OSOHE/Division of Network Engineering"). It says who owns the domain, not which HISP
/// serves the public on it: fedcx never joins a site to a provider on this text, only on the host
/// name. Kept trimmed and non-empty.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Registrant(String);

impl Registrant {
    /// The trimmed text, or `None` when it is empty.
    pub fn new(text: &str) -> Option<Registrant> {
        let t = text.trim();
        (!t.is_empty()).then(|| Registrant(t.to_owned()))
    }

    /// The registrant's name as the snapshot wrote it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How one of the scanner's scans ended (`primary_scan_status`, `accessibility_scan_status`, ...).
/// The engine's `ScanStatus` (GSA/site-scanning-engine `entities/scan-status.ts`) has one success,
/// `completed`, and a growing list of failures (`dns_resolution_error`, `timeout`,
/// `page_frame_not_ready`, ...), which are kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ScanStatus {
    /// The scan ran; its fields hold what it found.
    Completed,
    /// The scan failed with this status; its fields are empty.
    Failed(String),
}

impl ScanStatus {
    /// Reads a status cell: `completed` (any ASCII case) or a failure's code, lower-cased.
    /// `None` for an empty cell.
    pub fn parse(text: &str) -> Option<ScanStatus> {
        let t = text.trim();
        if t.is_empty() {
            None
        } else if t.eq_ignore_ascii_case("completed") {
            Some(ScanStatus::Completed)
        } else {
            Some(ScanStatus::Failed(t.to_ascii_lowercase()))
        }
    }

    /// Whether the scan completed.
    pub fn is_completed(&self) -> bool {
        match self {
            ScanStatus::Completed => true,
            ScanStatus::Failed(_) => false,
        }
    }
}

/// The accessibility categories Site Scanning counts axe-core violations in: the keys of the
/// `accessibility_violations` JSON object, from the category map in GSA/site-scanning-engine
/// `libs/core-scanner/src/pages/accessibility/results-aggregator.ts` (each category groups a few
/// axe rule ids, chosen with the U.S. Access Board).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AxeCategory {
    /// ARIA attributes and roles (`aria-allowed-attr`, `aria-roles`, ...).
    Aria,
    /// Pages that refresh themselves (`meta-refresh`).
    AutoUpdating,
    /// Colour contrast (`color-contrast`).
    Contrast,
    /// Blinking and scrolling text (`blink`, `marquee`).
    Flash,
    /// Form fields without names (`input-field-name`, `select-name`, ...).
    FormNames,
    /// Frames without titles (`frame-title`).
    FramesIframes,
    /// Images without text alternatives (`image-alt`, `svg-img-alt`, ...).
    Images,
    /// Content that the keyboard cannot reach (`scrollable-region-focusable`, ...).
    KeyboardAccess,
    /// Missing or invalid page language (`html-has-lang`, `valid-lang`, ...).
    Language,
    /// Links without discernible text (`link-name`).
    LinkPurpose,
    /// Malformed lists (`list`, `listitem`, ...).
    Lists,
    /// Everything else the scanner checks (`label`, `video-caption`, ...).
    Other,
    /// Pages without a title (`document-title`).
    PageTitled,
    /// Table headers (`td-headers-attr`, `th-has-data-cells`).
    Tables,
    /// Controls without names (`button-name`, `aria-command-name`, ...).
    UserControlName,
}

impl AxeCategory {
    /// Every category, in the scanner's order.
    pub const ALL: [AxeCategory; 15] = [
        AxeCategory::Aria,
        AxeCategory::AutoUpdating,
        AxeCategory::Contrast,
        AxeCategory::Flash,
        AxeCategory::FormNames,
        AxeCategory::FramesIframes,
        AxeCategory::Images,
        AxeCategory::KeyboardAccess,
        AxeCategory::Language,
        AxeCategory::LinkPurpose,
        AxeCategory::Lists,
        AxeCategory::Other,
        AxeCategory::PageTitled,
        AxeCategory::Tables,
        AxeCategory::UserControlName,
    ];

    /// The key the scanner writes, e.g. `page-titled`.
    pub fn as_str(self) -> &'static str {
        match self {
            AxeCategory::Aria => "aria",
            AxeCategory::AutoUpdating => "auto-updating",
            AxeCategory::Contrast => "contrast",
            AxeCategory::Flash => "flash",
            AxeCategory::FormNames => "form-names",
            AxeCategory::FramesIframes => "frames-iframes",
            AxeCategory::Images => "images",
            AxeCategory::KeyboardAccess => "keyboard-access",
            AxeCategory::Language => "language",
            AxeCategory::LinkPurpose => "link-purpose",
            AxeCategory::Lists => "lists",
            AxeCategory::Other => "other",
            AxeCategory::PageTitled => "page-titled",
            AxeCategory::Tables => "tables",
            AxeCategory::UserControlName => "user-control-name",
        }
    }

    /// The category a key names, `None` for a key the scanner does not write.
    pub fn from_key(key: &str) -> Option<AxeCategory> {
        AxeCategory::ALL.into_iter().find(|c| c.as_str() == key)
    }
}

/// The axe-core violation counts of one page by category, as the accessibility scan wrote them.
/// The scanner writes nothing at all when it found no violation (`resultsSummary` empty is stored
/// as `null`), so a completed scan with an empty cell is `AxeViolations::default()`: zero.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AxeViolations {
    /// Violating elements per category; a category absent had none.
    pub counts: BTreeMap<AxeCategory, u32>,
    /// Keys the scanner's category map did not have when fedcx was written, with their counts.
    pub other_keys: BTreeMap<String, u32>,
    /// Whether the cell was cut at the snapshot's 2,000-character limit, so that only the
    /// categories before the cut are known (the rest may hold more violations).
    pub cut: bool,
}

impl AxeViolations {
    /// The violating elements counted, over every category and unknown key.
    pub fn total(&self) -> u64 {
        self.counts.values().chain(self.other_keys.values()).map(|&n| u64::from(n)).sum()
    }
}

/// The IDEA requirements Site Scanning can observe, one column or a few each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// Secure: HTTPS enforced (`https_enforced`) and HSTS preloaded (`hsts`), both.
    Secure,
    /// Consistent: built with the U.S. Web Design System, read from `uswds_count` (a likelihood
    /// score) at [`IdeaRules::uswds_threshold`].
    Consistent,
    /// Mobile-friendly: a viewport meta tag with a width (`viewport_meta_tag`).
    MobileFriendly,
    /// Searchable: on-site search (`site_search` or `search_dot_gov`) and discoverable by search
    /// engines (`sitemap_xml_detected` or `robots_txt_detected`).
    Searchable,
    /// Accessible: no more axe-core violations than [`IdeaRules::max_accessibility_violations`]
    /// on a completed accessibility scan.
    Accessible,
    /// Measured: the Digital Analytics Program tag is present (`dap`).
    Measured,
    /// Feedback: at least one feedback link on the page (`feedback_links_text`), scanned only
    /// since [`IdeaRules::feedback_scanned_since`].
    Feedback,
}

impl Criterion {
    /// Every criterion, in report order.
    pub const ALL: [Criterion; 7] = [
        Criterion::Secure,
        Criterion::Consistent,
        Criterion::MobileFriendly,
        Criterion::Searchable,
        Criterion::Accessible,
        Criterion::Measured,
        Criterion::Feedback,
    ];

    /// A stable identifier, e.g. `mobile_friendly`.
    pub fn as_str(self) -> &'static str {
        match self {
            Criterion::Secure => "secure",
            Criterion::Consistent => "consistent",
            Criterion::MobileFriendly => "mobile_friendly",
            Criterion::Searchable => "searchable",
            Criterion::Accessible => "accessible",
            Criterion::Measured => "measured",
            Criterion::Feedback => "feedback",
        }
    }

    /// The criterion's position in [`Criterion::ALL`].
    pub fn index(self) -> usize {
        match self {
            Criterion::Secure => 0,
            Criterion::Consistent => 1,
            Criterion::MobileFriendly => 2,
            Criterion::Searchable => 3,
            Criterion::Accessible => 4,
            Criterion::Measured => 5,
            Criterion::Feedback => 6,
        }
    }

    /// A label for people, e.g. "Mobile-friendly".
    pub fn label(self) -> &'static str {
        match self {
            Criterion::Secure => "Secure",
            Criterion::Consistent => "Consistent (USWDS)",
            Criterion::MobileFriendly => "Mobile-friendly",
            Criterion::Searchable => "Searchable",
            Criterion::Accessible => "Accessible",
            Criterion::Measured => "Measured (DAP)",
            Criterion::Feedback => "Feedback links",
        }
    }
}

impl fmt::Display for Criterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a site meets a criterion. A snapshot that lacks the column, a scan that failed, or a
/// criterion the scanner did not look for yet is `NotScanned`: no value is read as a "no".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The scan shows the criterion met.
    Met,
    /// The scan shows it not met.
    NotMet,
    /// The scan does not tell.
    NotScanned,
}

impl Outcome {
    /// `Some(true)` for met, `Some(false)` for not met, `None` when not scanned.
    pub fn as_bool(self) -> Option<bool> {
        match self {
            Outcome::Met => Some(true),
            Outcome::NotMet => Some(false),
            Outcome::NotScanned => None,
        }
    }

    fn from_bool(value: Option<bool>) -> Outcome {
        match value {
            Some(true) => Outcome::Met,
            Some(false) => Outcome::NotMet,
            None => Outcome::NotScanned,
        }
    }
}

/// The thresholds the criteria are read with. The defaults are fedcx's documented choices:
///
/// - `uswds_threshold = 100`. `uswds_count` is a sum of heuristics (GSA/site-scanning-engine
///   `libs/core-scanner/src/scans/uswds.ts`): 5 × round(√(elements with a `usa-` class)), one
///   point per `uswds` in the HTML and per `.usa-` in in-page CSS, 20 each for the USWDS favicon
///   in HTML or CSS and for `uswds` in CSS, 40 for the Public Sans font, and 100 when a USWDS
///   version string (`uswds v2.13.1`) is found in the CSS (100 since engine commit 60f55f7,
///   2022-08-17; 20 before, so older scores are not comparable). 100 is the weight the scanner gives the
///   one signal that names USWDS itself; without it a site reaches 100 only through several of the
///   weaker signals together (e.g. Public Sans + favicon + `uswds` in CSS = 80 still falls short).
///   GSA's own IDEA report counts a site as using USWDS when `uswds_semantic_version` is present
///   (GSA/site-scanning-analysis `report_generators/idea.py` @
///   2fb91f1023ba1c4c27b0016d6fc2f371347d92ce), and every such site scores at least 100: the
///   threshold keeps all of them and adds the few that show USWDS's markup without its version.
/// - `max_accessibility_violations = 0`: automated checks find a subset of barriers, so a page
///   with any violation the scanner counts does not meet "accessible"; zero does not prove
///   accessibility either (the scanner's documentation says so), it only means none was detected.
/// - `feedback_scanned_since = 2026-04-21`: the date the feedback-link scan was added to the
///   engine (GSA/site-scanning-engine commit 1b5c241f782f556574331ea8cf0ef4200642d553). Before it
///   an empty `feedback_links_text` means "not looked for", not "none found".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdeaRules {
    /// The smallest `uswds_count` read as "uses USWDS".
    pub uswds_threshold: u32,
    /// The most axe-core violations a page may have and still count as accessible.
    pub max_accessibility_violations: u64,
    /// Scans dated before this day did not look for feedback links.
    pub feedback_scanned_since: NaiveDate,
}

impl Default for IdeaRules {
    fn default() -> Self {
        IdeaRules {
            uswds_threshold: 100,
            max_accessibility_violations: 0,
            feedback_scanned_since: NaiveDate::from_ymd_opt(2026, 4, 21).unwrap_or_default(),
        }
    }
}

/// One scanned website: a row of a Site Scanning snapshot, typed. Every field a criterion reads is
/// `None` when the snapshot has no value (the column is absent from the layout, or the cell is
/// empty because the scan that fills it did not run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteScan {
    /// The site: the final URL's host without `www.` (the scanner's `name`), or the initial domain
    /// when the scan never reached a page.
    pub name: HostName,
    /// The domain the scan started from (`initial_domain`; `target_url` before 2025).
    pub initial_domain: Option<HostName>,
    /// The URL the scan ended on after redirects (`url`; `final_url` before 2025), as written.
    pub final_url: Option<String>,
    /// The day (UTC) the scan was written (`scan_date`).
    pub scan_date: NaiveDate,
    /// The domain's registering agency (`agency`; `target_url_agency_owner` before 2025).
    pub agency: Option<Registrant>,
    /// The domain's registering bureau (`bureau`; `target_url_bureau_owner` before 2025).
    pub bureau: Option<Registrant>,
    /// Whether the final URL answered with a 2xx status (`live`).
    pub live: Option<bool>,
    /// How the primary scan (the page itself) ended.
    pub primary_scan_status: ScanStatus,
    /// How the accessibility scan ended.
    pub accessibility_scan_status: Option<ScanStatus>,
    /// `https_enforced`.
    pub https_enforced: Option<bool>,
    /// `hsts` (the domain is HSTS-preloaded).
    pub hsts: Option<bool>,
    /// `uswds_count`, the USWDS likelihood score.
    pub uswds_count: Option<u32>,
    /// `viewport_meta_tag`.
    pub viewport_meta_tag: Option<bool>,
    /// `site_search`: a search form or field on the page.
    pub site_search: Option<bool>,
    /// `search_dot_gov`: the search form posts to Search.gov.
    pub search_dot_gov: Option<bool>,
    /// `sitemap_xml_detected`.
    pub sitemap_xml_detected: Option<bool>,
    /// `robots_txt_detected`.
    pub robots_txt_detected: Option<bool>,
    /// `accessibility_violations`, parsed; `None` when the snapshot has no such column.
    pub accessibility_violations: Option<AxeViolations>,
    /// `dap`: the Digital Analytics Program tag.
    pub dap: Option<bool>,
    /// `visits` over the last 30 days per analytics.usa.gov.
    pub visits: Option<u64>,
    /// `pageviews` over the last 30 days per analytics.usa.gov.
    pub pageviews: Option<u64>,
    /// `feedback_links_text`: the feedback link texts found (`feedback`, `contact`, ...); an empty
    /// list when the cell is empty; `None` when the snapshot has no such column.
    pub feedback_links: Option<Vec<String>>,
}

impl SiteScan {
    /// Whether the site meets `criterion` under `rules`. Booleans combine in three-valued logic:
    /// a known "no" decides an "and", a known "yes" decides an "or", and anything else the scan
    /// left empty makes the outcome [`Outcome::NotScanned`].
    pub fn outcome(&self, criterion: Criterion, rules: &IdeaRules) -> Outcome {
        match criterion {
            Criterion::Secure => Outcome::from_bool(and(self.https_enforced, self.hsts)),
            Criterion::Consistent => Outcome::from_bool(self.uswds_count.map(|n| n >= rules.uswds_threshold)),
            Criterion::MobileFriendly => Outcome::from_bool(self.viewport_meta_tag),
            Criterion::Searchable => Outcome::from_bool(and(
                or(self.site_search, self.search_dot_gov),
                or(self.sitemap_xml_detected, self.robots_txt_detected),
            )),
            Criterion::Accessible => self.accessible(rules),
            Criterion::Measured => Outcome::from_bool(self.dap),
            Criterion::Feedback => {
                let scanned = self.primary_scan_status.is_completed() && self.scan_date >= rules.feedback_scanned_since;
                match &self.feedback_links {
                    Some(links) if scanned => Outcome::from_bool(Some(!links.is_empty())),
                    Some(_) | None => Outcome::NotScanned,
                }
            }
        }
    }

    /// Every criterion's outcome, in [`Criterion::ALL`]'s order.
    pub fn outcomes(&self, rules: &IdeaRules) -> [(Criterion, Outcome); 7] {
        Criterion::ALL.map(|c| (c, self.outcome(c, rules)))
    }

    /// Accessible needs a completed accessibility scan; a cut cell decides only when the part
    /// before the cut already exceeds the limit.
    fn accessible(&self, rules: &IdeaRules) -> Outcome {
        let completed = self.accessibility_scan_status.as_ref().is_some_and(ScanStatus::is_completed);
        match &self.accessibility_violations {
            Some(v) if completed => {
                if v.total() > rules.max_accessibility_violations {
                    Outcome::NotMet
                } else if v.cut {
                    Outcome::NotScanned
                } else {
                    Outcome::Met
                }
            }
            Some(_) | None => Outcome::NotScanned,
        }
    }
}

/// Three-valued "and": a known false decides.
fn and(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// Three-valued "or": a known true decides.
fn or(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(s: &str) -> HostName {
        HostName::parse(s).unwrap()
    }

    /// A completed scan of a page that meets every criterion.
    fn all_met() -> SiteScan {
        SiteScan {
            name: host("ssa.gov"),
            initial_domain: Some(host("ssa.gov")),
            final_url: Some("https://www.ssa.gov/".into()),
            scan_date: NaiveDate::from_ymd_opt(2026, 8, 1).unwrap(),
            agency: Registrant::new("Social Security Administration"),
            bureau: None,
            live: Some(true),
            primary_scan_status: ScanStatus::Completed,
            accessibility_scan_status: Some(ScanStatus::Completed),
            https_enforced: Some(true),
            hsts: Some(true),
            uswds_count: Some(100),
            viewport_meta_tag: Some(true),
            site_search: Some(true),
            search_dot_gov: None,
            sitemap_xml_detected: Some(false),
            robots_txt_detected: Some(true),
            accessibility_violations: Some(AxeViolations::default()),
            dap: Some(true),
            visits: None,
            pageviews: None,
            feedback_links: Some(vec!["contact".into()]),
        }
    }

    #[test]
    fn host_names_follow_the_scanners_www_rule() {
        assert_eq!(host("https://WWW.SSA.gov/faqs/en/").as_str(), "ssa.gov");
        assert_eq!(host("www2.ssa.gov").as_str(), "www2.ssa.gov");
        // One leading www. only, as the scanner's replace(/^www\./, '').
        assert_eq!(host("www.www.ssa.gov").as_str(), "www.ssa.gov");
        assert!(HostName::parse("").is_err());
        assert!(HostName::parse("not a host").is_err());
        let json = serde_json::to_string(&host("ssa.gov")).unwrap();
        assert_eq!(json, "\"ssa.gov\"");
        assert!(serde_json::from_str::<HostName>("\"no host\"").is_err());
    }

    #[test]
    fn every_criterion_met_on_a_complete_scan() {
        let s = all_met();
        for (c, o) in s.outcomes(&IdeaRules::default()) {
            assert_eq!(o, Outcome::Met, "{c}");
        }
    }

    #[test]
    fn uswds_threshold_is_inclusive() {
        let mut s = all_met();
        s.uswds_count = Some(99);
        assert_eq!(s.outcome(Criterion::Consistent, &IdeaRules::default()), Outcome::NotMet);
        s.uswds_count = None;
        assert_eq!(s.outcome(Criterion::Consistent, &IdeaRules::default()), Outcome::NotScanned);
    }

    #[test]
    fn a_known_no_decides_an_and_and_a_missing_value_is_not_a_no() {
        let r = IdeaRules::default();
        let mut s = all_met();
        s.hsts = None;
        assert_eq!(s.outcome(Criterion::Secure, &r), Outcome::NotScanned);
        s.https_enforced = Some(false);
        assert_eq!(s.outcome(Criterion::Secure, &r), Outcome::NotMet);
        s.site_search = None;
        assert_eq!(s.outcome(Criterion::Searchable, &r), Outcome::NotScanned);
        s.search_dot_gov = Some(false);
        assert_eq!(s.outcome(Criterion::Searchable, &r), Outcome::NotScanned);
        s.site_search = Some(false);
        assert_eq!(s.outcome(Criterion::Searchable, &r), Outcome::NotMet);
    }

    #[test]
    fn accessibility_needs_a_completed_scan_and_a_cut_cell_decides_only_a_no() {
        let r = IdeaRules::default();
        let mut s = all_met();
        s.accessibility_scan_status = Some(ScanStatus::Failed("page_frame_not_ready".into()));
        assert_eq!(s.outcome(Criterion::Accessible, &r), Outcome::NotScanned);
        s.accessibility_scan_status = Some(ScanStatus::Completed);
        let mut v = AxeViolations { cut: true, ..AxeViolations::default() };
        s.accessibility_violations = Some(v.clone());
        assert_eq!(s.outcome(Criterion::Accessible, &r), Outcome::NotScanned);
        v.counts.insert(AxeCategory::Contrast, 3);
        s.accessibility_violations = Some(v);
        assert_eq!(s.outcome(Criterion::Accessible, &r), Outcome::NotMet);
        s.accessibility_violations = None;
        assert_eq!(s.outcome(Criterion::Accessible, &r), Outcome::NotScanned);
    }

    #[test]
    fn feedback_before_the_scan_existed_is_not_scanned() {
        let r = IdeaRules::default();
        let mut s = all_met();
        s.feedback_links = Some(Vec::new());
        assert_eq!(s.outcome(Criterion::Feedback, &r), Outcome::NotMet);
        s.scan_date = NaiveDate::from_ymd_opt(2026, 4, 20).unwrap();
        assert_eq!(s.outcome(Criterion::Feedback, &r), Outcome::NotScanned);
        s.scan_date = NaiveDate::from_ymd_opt(2026, 4, 21).unwrap();
        s.primary_scan_status = ScanStatus::Failed("timeout".into());
        assert_eq!(s.outcome(Criterion::Feedback, &r), Outcome::NotScanned);
    }

    #[test]
    fn axe_categories_round_trip_their_keys() {
        for (i, c) in Criterion::ALL.into_iter().enumerate() {
            assert_eq!(c.index(), i);
        }
        for c in AxeCategory::ALL {
            assert_eq!(AxeCategory::from_key(c.as_str()), Some(c));
            assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{}\"", c.as_str()));
        }
        assert_eq!(AxeCategory::from_key("color-contrast"), None);
    }

    #[test]
    fn scan_statuses() {
        assert_eq!(ScanStatus::parse(" Completed "), Some(ScanStatus::Completed));
        assert_eq!(ScanStatus::parse("dns_resolution_error"), Some(ScanStatus::Failed("dns_resolution_error".into())));
        assert_eq!(ScanStatus::parse(""), None);
    }
}
