//! GSA Site Scanning snapshots (`site-scanning-latest.csv` and the dated archives): one row per
//! scanned website, read by column name into [`SiteScan`] records.
//!
//! Two layouts exist. The current one (104 columns, `name, initial_url, ...`) is the engine's
//! `snapshotColumnOrder` (GSA/site-scanning-engine `entities/core-result.entity.ts` @
//! ebbd61d6837d073de858fdeb4cdf9398115a69e1), [`CURRENT_COLUMNS`]. Snapshots before the renaming
//! of January 2025 (`target_url, ..., final_url, ...`) are read through [`ALIASES`], old name to
//! new. The alias table follows the engine's history (`git log -p entities/core-result.entity.ts
//! entities/website.entity.ts`), not the documentation's proposed crosswalk
//! (`proposed_dictionary_changes-12-24`), six of whose rows differ from what the engine shipped:
//!
//! | old column | crosswalk | engine since | engine commit |
//! |---|---|---|---|
//! | `final_url_website` (final host) | `top_level_domain` | `domain` | 5431a13 (2025-01-24) |
//! | `final_url_top_level_domain` | `base_domain` | `top_level_domain` | 5431a13 |
//! | `final_url_domain` (final base domain) | `domain` | `base_domain` | 5431a13 |
//! | `target_url_domain` (initial base domain) | `initial_domain` | `initial_base_domain` | 5431a13 |
//! | `target_url` (a bare host) | `initial_url` | `initial_domain` (`initial_url` is `https://` + it) | 5431a13 |
//! | `target_url_redirects` | `redirects` | `redirect` | 480d36e (2025-01-15) |
//!
//! The two "shifted" rows are what commit 3677232 (2025-01-10, "Add new columns and update
//! column names") first exposed, and 5431a13 ("Update field mapping") corrected, so snapshots
//! written between 2025-01-10 and 2025-01-24 hold the final host under `top_level_domain` and the
//! TLD under `base_domain`; fedcx reads neither. Commit ac3f646 (2025-01-29) then made `name` the
//! final URL's host without `www.` (before, the base domain): so this reader takes the site's
//! name from `url` whenever the row has one, and warns when the `name` cell disagrees
//! ([`warning::NAME_DIFFERS_FROM_URL`]).
//!
//! Columns neither layout knows are tolerated and counted ([`warning::UNKNOWN_COLUMN`]); columns
//! the engine dropped ([`DEPRECATED`]) are known and ignored. Cells are read as the engine writes
//! them (`true`, `12`, JSON lists and objects) and as pandas rewrites them (`True`, `12.0`); an
//! empty cell is a missing value. The engine cuts string cells at 2,000 characters
//! (`libs/snapshot/src/serializers/csv-helpers.ts`), so a JSON cell may end mid-value: such a cell
//! is read up to the cut and the row is kept with a [`warning::JSON_CELL_CUT`] warning.
//!
//! Every row read is accepted or rejected with its line, field and reason
//! ([`SiteScanSummary::balances`]); the source streams, holding one row at a time.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use fedcx_model::traits::Rejection;
use fedcx_model::website::{AxeCategory, AxeViolations, HostName, Registrant, ScanStatus, SiteScan};
use regex::Regex;
use serde::Serialize;

use crate::error::IngestError;
use crate::reconcile::{Reconciliation, RejectReason};
use crate::rows::{whole_number, Counted, CsvRows, Produced, Row};

/// The format's name in errors.
const FORMAT: &str = "site-scanning";

/// The engine's cut for string cells in a CSV snapshot, in characters.
pub const CELL_LIMIT: usize = 2000;

/// The current snapshot layout, in order: `snapshotColumnOrder` in GSA/site-scanning-engine
/// `entities/core-result.entity.ts` @ ebbd61d6837d073de858fdeb4cdf9398115a69e1.
pub const CURRENT_COLUMNS: [&str; 104] = [
    "name",
    "initial_url",
    "initial_domain",
    "initial_base_domain",
    "initial_top_level_domain",
    "redirect",
    "url",
    "domain",
    "base_domain",
    "top_level_domain",
    "live",
    "filter",
    "status_code",
    "media_type",
    "agency",
    "bureau",
    "branch",
    "404_test",
    "source_list",
    "scan_date",
    "primary_scan_status",
    "accessibility_scan_status",
    "dns_scan_status",
    "not_found_scan_status",
    "performance_scan_status",
    "robots_txt_scan_status",
    "security_scan_status",
    "sitemap_xml_scan_status",
    "www_scan_status",
    "page_hash",
    "accessibility_violations",
    "pageviews",
    "visits",
    "ipv6",
    "hostname",
    "cms",
    "login_provider",
    "login",
    "site_search",
    "search_dot_gov",
    "dap",
    "dap_parameters",
    "dap_version",
    "ga_tag_id",
    "third_party_service_domains",
    "third_party_service_urls",
    "third_party_service_count",
    "cookie_domains",
    "hyperlink_domains",
    "tooling",
    "viewport_meta_tag",
    "cumulative_layout_shift",
    "largest_contentful_paint",
    "required_links_url",
    "required_links_text",
    "feedback_links_text",
    "https_enforced",
    "hsts",
    "title",
    "description",
    "keywords",
    "og_title",
    "og_description",
    "og_article_published",
    "og_article_modified",
    "og_image",
    "og_type",
    "og_url",
    "canonical_link",
    "language",
    "language_link",
    "main_element_present",
    "robots_txt_detected",
    "robots_txt_url",
    "robots_txt_status_code",
    "robots_txt_media_type",
    "robots_txt_filesize",
    "robots_txt_crawl_delay",
    "robots_txt_sitemap_locations",
    "sitemap_xml_detected",
    "sitemap_xml_url",
    "sitemap_xml_status_code",
    "sitemap_xml_media_type",
    "sitemap_xml_filesize",
    "sitemap_xml_count",
    "sitemap_xml_lastmod",
    "sitemap_xml_pdf_count",
    "sitemap_xml_page_hash",
    "uswds_favicon",
    "uswds_favicon_in_css",
    "uswds_publicsans_font",
    "uswds_inpage_css",
    "uswds_usa_class_list",
    "uswds_banner_heres_how",
    "uswds_usa_classes",
    "uswds_usa_elements_list",
    "uswds_string",
    "uswds_string_in_css",
    "uswds_semantic_version",
    "uswds_version",
    "uswds_count",
    "www_url",
    "www_status_code",
    "www_title",
];

/// Column names of the pre-2025 layout and what they are called now, from the engine's history
/// (see the module documentation; GSA/site-scanning-engine commits 3677232dcecc, 5431a13ba556 and
/// 480d36e6b033, which renamed the interim `redirects` to `redirect`).
pub const ALIASES: [(&str, &str); 24] = [
    ("target_url", "initial_domain"),
    ("target_url_domain", "initial_base_domain"),
    ("target_url_top_level_domain", "initial_top_level_domain"),
    ("target_url_redirects", "redirect"),
    ("redirects", "redirect"),
    ("final_url", "url"),
    ("final_url_domain", "base_domain"),
    ("final_url_top_level_domain", "top_level_domain"),
    ("final_url_website", "domain"),
    ("final_url_live", "live"),
    ("final_url_status_code", "status_code"),
    ("final_url_media_type", "media_type"),
    ("target_url_agency_owner", "agency"),
    ("target_url_bureau_owner", "bureau"),
    ("target_url_branch", "branch"),
    ("target_url_404_test", "404_test"),
    ("robots_txt_final_url", "robots_txt_url"),
    ("robots_txt_final_url_status_code", "robots_txt_status_code"),
    ("robots_txt_final_url_media_type", "robots_txt_media_type"),
    ("robots_txt_final_url_filesize", "robots_txt_filesize"),
    ("sitemap_xml_final_url", "sitemap_xml_url"),
    ("sitemap_xml_final_url_status_code", "sitemap_xml_status_code"),
    ("sitemap_xml_final_url_media_type", "sitemap_xml_media_type"),
    ("sitemap_xml_final_url_filesize", "sitemap_xml_filesize"),
];

/// Columns of older snapshots that the engine dropped without a successor (the crosswalk's
/// "deprecated" rows, and `public`, removed 2025-05-17): known, read by nothing.
pub const DEPRECATED: [&str; 7] = [
    "final_url_same_domain",
    "final_url_same_website",
    "public",
    "robots_txt_target_url_redirects",
    "robots_txt_final_url_live",
    "sitemap_xml_target_url_redirects",
    "sitemap_xml_final_url_live",
];

/// The kinds of [`CellWarning`] and of the warnings of [`SiteScanSummary::reconciliation`].
pub mod warning {
    /// A header column neither layout knows (counted once per column, not per row).
    pub const UNKNOWN_COLUMN: &str = "unknown_column";
    /// A JSON cell cut at the snapshot's 2,000-character limit: read up to the cut.
    pub const JSON_CELL_CUT: &str = "json_cell_cut";
    /// The `name` cell is not the final URL's host without `www.` (snapshots of January 2025 wrote
    /// the base domain there); the URL's host is used.
    pub const NAME_DIFFERS_FROM_URL: &str = "name_differs_from_url";
    /// An `accessibility_violations` key the scanner's category map did not have; counted apart.
    pub const UNKNOWN_AXE_CATEGORY: &str = "unknown_axe_category";
}

/// Which of the two layouts a header is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// The layout since January 2025 (`name, initial_url, ...`).
    Current,
    /// The layout before (`target_url, ..., final_url, ...`), read through [`ALIASES`].
    Pre2025,
}

/// What a column of either layout is called now; `None` for a column neither knows.
fn canonical(column: &str) -> Option<&'static str> {
    let c = column.trim();
    CURRENT_COLUMNS
        .iter()
        .find(|k| k.eq_ignore_ascii_case(c))
        .copied()
        .or_else(|| ALIASES.iter().find(|(old, _)| old.eq_ignore_ascii_case(c)).map(|(_, new)| *new))
}

/// Whether a header is a Site Scanning snapshot's, in either layout: it has `scan_date`,
/// `primary_scan_status` and a column naming the scanned site (`name`, `initial_domain`,
/// `initial_url`, `target_url`, `url` or `final_url`). For format detection.
pub fn looks_like_site_scan(header: &[String]) -> bool {
    let has = |want: &str| header.iter().any(|h| canonical(h) == Some(want));
    has("scan_date")
        && has("primary_scan_status")
        && ["name", "initial_domain", "initial_url", "url"].iter().any(|c| has(c))
}

/// A row kept with something set aside or repaired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellWarning {
    /// The line the row starts on.
    pub line: u64,
    /// The column, as the file names it.
    pub field: String,
    /// One of [`warning`]'s kinds.
    pub kind: &'static str,
    /// What was done, for people.
    pub detail: String,
}

/// What the source yields for one row.
#[derive(Debug, Clone, PartialEq)]
pub enum SiteScanItem {
    /// A row read into a record, with the warnings about its cells.
    Accepted {
        /// The line the row starts on.
        line: u64,
        /// The record.
        scan: Box<SiteScan>,
        /// Cells repaired or set aside.
        warnings: Vec<CellWarning>,
    },
    /// A row refused, with line, field and reason.
    Rejected(Rejection),
}

/// The account of one snapshot file: `read = accepted + rejected`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SiteScanSummary {
    /// Every row accounted for: `read` and the lines from the CSV reader (set when the file ends),
    /// accepted and rejected rows as each is classified, and the warnings by kind (cells repaired
    /// per row, and [`warning::UNKNOWN_COLUMN`] once per column).
    pub reconciliation: Reconciliation,
    /// The header's columns that neither layout knows.
    pub unknown_columns: Vec<String>,
}

impl SiteScanSummary {
    /// Whether every row read was accepted or rejected, and every line is accounted for.
    pub fn balances(&self) -> bool {
        self.reconciliation.balances()
    }
}

/// The positions of the columns the record is built from, by current name.
#[derive(Debug, Clone, Default)]
struct Columns {
    name: Option<usize>,
    initial_domain: Option<usize>,
    initial_url: Option<usize>,
    url: Option<usize>,
    scan_date: usize,
    agency: Option<usize>,
    bureau: Option<usize>,
    live: Option<usize>,
    primary_scan_status: usize,
    accessibility_scan_status: Option<usize>,
    https_enforced: Option<usize>,
    hsts: Option<usize>,
    uswds_count: Option<usize>,
    viewport_meta_tag: Option<usize>,
    site_search: Option<usize>,
    search_dot_gov: Option<usize>,
    sitemap_xml_detected: Option<usize>,
    robots_txt_detected: Option<usize>,
    accessibility_violations: Option<usize>,
    dap: Option<usize>,
    visits: Option<usize>,
    pageviews: Option<usize>,
    feedback_links_text: Option<usize>,
}

/// Reads a Site Scanning snapshot CSV row by row.
#[derive(Debug)]
pub struct SiteScanSource<R: Read> {
    path: PathBuf,
    rows: CsvRows<R>,
    cols: Columns,
    layout: Layout,
    summary: SiteScanSummary,
}

impl<R: Read> SiteScanSource<R> {
    /// Reads the header: finds each column by name in either layout, counts the unknown ones, and
    /// fails when the header lacks `scan_date`, `primary_scan_status` or every column naming the
    /// site, or names one column twice (under its old and its new name, say).
    pub fn new(path: &Path, input: R) -> Result<Self, IngestError> {
        let rows = CsvRows::open(path, input, &CURRENT_COLUMNS.join(","))?;
        let header = rows.header().to_vec();
        let mut at: HashMap<&'static str, usize> = HashMap::new();
        let mut summary = SiteScanSummary::default();
        let mut layout = Layout::Current;
        for (i, h) in header.iter().enumerate() {
            if ALIASES.iter().any(|(old, _)| old.eq_ignore_ascii_case(h)) {
                layout = Layout::Pre2025;
            }
            match canonical(h) {
                Some(c) => {
                    if let Some(first) = at.insert(c, i) {
                        return Err(IngestError::BadHeader {
                            path: path.to_owned(),
                            format: FORMAT,
                            why: format!("columns {:?} and {h:?} are both {c:?}", header[first]),
                        });
                    }
                }
                None if DEPRECATED.iter().any(|d| d.eq_ignore_ascii_case(h)) => {}
                None => summary.unknown_columns.push(h.clone()),
            }
        }
        if !summary.unknown_columns.is_empty() {
            let n = summary.unknown_columns.len() as u64;
            summary.reconciliation.warnings.insert(warning::UNKNOWN_COLUMN.to_owned(), n);
        }
        let mut missing = Vec::new();
        for need in ["scan_date", "primary_scan_status"] {
            if !at.contains_key(need) {
                missing.push(need.to_owned());
            }
        }
        let get = |c: &str| at.get(c).copied();
        if ["name", "initial_domain", "initial_url", "url"].iter().all(|c| get(c).is_none()) {
            missing.push("name (or initial_domain, initial_url, url, target_url, final_url)".to_owned());
        }
        if !missing.is_empty() {
            return Err(IngestError::MissingColumns { path: path.to_owned(), format: FORMAT, missing, found: header });
        }
        let cols = Columns {
            name: get("name"),
            initial_domain: get("initial_domain"),
            initial_url: get("initial_url"),
            url: get("url"),
            scan_date: at["scan_date"],
            agency: get("agency"),
            bureau: get("bureau"),
            live: get("live"),
            primary_scan_status: at["primary_scan_status"],
            accessibility_scan_status: get("accessibility_scan_status"),
            https_enforced: get("https_enforced"),
            hsts: get("hsts"),
            uswds_count: get("uswds_count"),
            viewport_meta_tag: get("viewport_meta_tag"),
            site_search: get("site_search"),
            search_dot_gov: get("search_dot_gov"),
            sitemap_xml_detected: get("sitemap_xml_detected"),
            robots_txt_detected: get("robots_txt_detected"),
            accessibility_violations: get("accessibility_violations"),
            dap: get("dap"),
            visits: get("visits"),
            pageviews: get("pageviews"),
            feedback_links_text: get("feedback_links_text"),
        };
        Ok(SiteScanSource { path: path.to_owned(), rows, cols, layout, summary })
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The header's layout.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The account so far (final once [`SiteScanSource::next_item`] returned `None`).
    pub fn summary(&self) -> &SiteScanSummary {
        &self.summary
    }

    /// The next row, accepted or rejected; `None` at the end of the file.
    pub fn next_item(&mut self) -> Result<Option<SiteScanItem>, IngestError> {
        let Some(row) = self.rows.next_row()? else {
            // Read is what the CSV reader produced, counted apart from the classification below.
            self.rows.produced().record_into(&mut self.summary.reconciliation);
            return Ok(None);
        };
        let rec = &mut self.summary.reconciliation;
        let mut warnings = Vec::new();
        let item = match parse_row(&row, &self.cols, &mut warnings) {
            Ok(scan) => {
                rec.accept();
                for w in &warnings {
                    *rec.warnings.entry(w.kind.to_owned()).or_default() += 1;
                }
                SiteScanItem::Accepted { line: row.line, scan: Box::new(scan), warnings }
            }
            Err(rejection) => {
                rec.refuse(rejection.reason);
                SiteScanItem::Rejected(rejection)
            }
        };
        Ok(Some(item))
    }
}

impl<R: Read> Counted for SiteScanSource<R> {
    fn produced(&self) -> Produced {
        self.rows.produced()
    }

    fn limit_record_lines(&mut self, n: u64) {
        self.rows.set_max_record_lines(n);
    }
}

/// A whole snapshot read into memory: for callers that score every site anyway.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// The file read, which the rejections' and warnings' lines refer to.
    pub path: PathBuf,
    /// The accepted records, in file order.
    pub scans: Vec<SiteScan>,
    /// The rejected rows.
    pub rejections: Vec<Rejection>,
    /// The warnings about accepted rows' cells.
    pub warnings: Vec<CellWarning>,
    /// The account.
    pub summary: SiteScanSummary,
    /// The header's layout.
    pub layout: Option<Layout>,
}

/// Reads a whole snapshot through [`SiteScanSource`].
pub fn read_snapshot<R: Read>(path: &Path, input: R) -> Result<Snapshot, IngestError> {
    let mut source = SiteScanSource::new(path, input)?;
    let mut out = Snapshot { path: path.to_owned(), layout: Some(source.layout()), ..Snapshot::default() };
    while let Some(item) = source.next_item()? {
        match item {
            SiteScanItem::Accepted { scan, warnings, .. } => {
                out.scans.push(*scan);
                out.warnings.extend(warnings);
            }
            SiteScanItem::Rejected(r) => out.rejections.push(r),
        }
    }
    out.summary = source.summary().clone();
    Ok(out)
}

/// One row into a record.
fn parse_row(row: &Row<'_>, c: &Columns, warnings: &mut Vec<CellWarning>) -> Result<SiteScan, Rejection> {
    row.check_width()?;
    let host = |i: Option<usize>| -> Result<Option<HostName>, Rejection> {
        let Some(i) = i else { return Ok(None) };
        let t = row.get(i)?;
        if t.is_empty() {
            return Ok(None);
        }
        HostName::parse(t)
            .map(Some)
            .map_err(|_| row.reject(i, RejectReason::BadDomain, "expected a host name or URL, e.g. www.ssa.gov"))
    };
    let from_url = host(c.url)?;
    let named = host(c.name)?;
    let initial = match host(c.initial_domain)? {
        Some(h) => Some(h),
        None => host(c.initial_url)?,
    };
    if let (Some(u), Some(n), Some(i)) = (&from_url, &named, c.name) {
        if u != n {
            warnings.push(CellWarning {
                line: row.line,
                field: field_name(row, i),
                kind: warning::NAME_DIFFERS_FROM_URL,
                detail: format!("name {n} is not the final URL's host {u}; the URL's host is used"),
            });
        }
    }
    let name = from_url.or(named).or_else(|| initial.clone()).ok_or_else(|| {
        let i = c.name.or(c.url).or(c.initial_domain).or(c.initial_url).unwrap_or_default();
        row.reject(i, RejectReason::MissingValue, "the row names no site: name, url and initial domain are all empty")
    })?;
    let scan_date = scan_date(row, c.scan_date)?;
    let primary_scan_status = ScanStatus::parse(row.get(c.primary_scan_status)?).ok_or_else(|| {
        row.reject(
            c.primary_scan_status,
            RejectReason::MissingValue,
            "expected the primary scan's status, e.g. completed",
        )
    })?;
    let text = |i: Option<usize>| -> Result<&str, Rejection> { i.map_or(Ok(""), |i| row.get(i)) };
    Ok(SiteScan {
        name,
        initial_domain: initial,
        final_url: c.url.map(|i| row.get(i)).transpose()?.filter(|t| !t.is_empty()).map(str::to_owned),
        scan_date,
        agency: Registrant::new(text(c.agency)?),
        bureau: Registrant::new(text(c.bureau)?),
        live: boolean(row, c.live)?,
        primary_scan_status,
        accessibility_scan_status: ScanStatus::parse(text(c.accessibility_scan_status)?),
        https_enforced: boolean(row, c.https_enforced)?,
        hsts: boolean(row, c.hsts)?,
        uswds_count: number(row, c.uswds_count)?
            .map(|n| {
                u32::try_from(n).map_err(|_| {
                    row.reject(
                        c.uswds_count.unwrap_or_default(),
                        RejectReason::CountTooLarge,
                        "expected a score below 2^32",
                    )
                })
            })
            .transpose()?,
        viewport_meta_tag: boolean(row, c.viewport_meta_tag)?,
        site_search: boolean(row, c.site_search)?,
        search_dot_gov: boolean(row, c.search_dot_gov)?,
        sitemap_xml_detected: boolean(row, c.sitemap_xml_detected)?,
        robots_txt_detected: boolean(row, c.robots_txt_detected)?,
        accessibility_violations: c.accessibility_violations.map(|i| axe_violations(row, i, warnings)).transpose()?,
        dap: boolean(row, c.dap)?,
        visits: number(row, c.visits)?,
        pageviews: number(row, c.pageviews)?,
        feedback_links: c.feedback_links_text.map(|i| text_list(row, i, warnings)).transpose()?,
    })
}

/// The column's name as the file writes it.
fn field_name(row: &Row<'_>, i: usize) -> String {
    row.column_name(i).to_owned()
}

/// `scan_date`: the engine's ISO 8601 instant (`2025-01-13T03:28:30.536Z`), pandas' rewrite of it
/// (`2025-01-13 03:28:30.536000+00:00`), or a bare date; the day is taken in UTC.
fn scan_date(row: &Row<'_>, i: usize) -> Result<NaiveDate, Rejection> {
    let t = row.get(i)?;
    if t.is_empty() {
        return Err(row.reject(
            i,
            RejectReason::MissingValue,
            "expected the scan's date, e.g. 2025-01-13T03:28:30.536Z",
        ));
    }
    DateTime::parse_from_rfc3339(t)
        .or_else(|_| DateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f%:z"))
        .map(|d| d.naive_utc().date())
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f").map(|d| d.date()))
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
        .map_err(|_| {
            row.reject(
                i,
                RejectReason::BadTimestamp,
                "expected an ISO 8601 date or instant, e.g. 2025-01-13T03:28:30.536Z",
            )
        })
}

/// A boolean cell: `true`/`false` as the engine writes them, `True`/`False` (or `TRUE`/`FALSE`)
/// as pandas and spreadsheets rewrite them; empty is `None`.
fn boolean(row: &Row<'_>, i: Option<usize>) -> Result<Option<bool>, Rejection> {
    let Some(i) = i else { return Ok(None) };
    let t = row.get(i)?;
    if t.is_empty() {
        Ok(None)
    } else if t.eq_ignore_ascii_case("true") {
        Ok(Some(true))
    } else if t.eq_ignore_ascii_case("false") {
        Ok(Some(false))
    } else {
        Err(row.reject(
            i,
            RejectReason::BadBoolean,
            "expected true or false (True/False as pandas writes them), or nothing",
        ))
    }
}

/// A whole-number cell: `12`, or `12.0` as pandas rewrites an integer column with gaps; empty is
/// `None`.
fn number(row: &Row<'_>, i: Option<usize>) -> Result<Option<u64>, Rejection> {
    let Some(i) = i else { return Ok(None) };
    let t = row.get(i)?;
    if t.is_empty() {
        return Ok(None);
    }
    whole_number(t)
        .and_then(|n| u64::try_from(n).ok())
        .map(Some)
        .ok_or_else(|| row.reject(i, RejectReason::BadCount, "expected a whole number, 0 or more (12 or 12.0)"))
}

/// Whether a cell that failed to parse as JSON is one the engine cut at its limit.
fn is_cut(text: &str) -> bool {
    text.chars().count() >= CELL_LIMIT
}

/// `accessibility_violations`: a JSON object of counts by category (`{"contrast":3,"images":1}`);
/// empty means the scanner found none (it stores `null` for an empty summary).
fn axe_violations(row: &Row<'_>, i: usize, warnings: &mut Vec<CellWarning>) -> Result<AxeViolations, Rejection> {
    let t = row.get(i)?;
    let mut out = AxeViolations::default();
    if t.is_empty() {
        return Ok(out);
    }
    let pairs: Vec<(String, u64)> = match serde_json::from_str::<BTreeMap<String, serde_json::Value>>(t) {
        Ok(map) => {
            let mut pairs = Vec::with_capacity(map.len());
            for (k, v) in map {
                let n = v.as_u64().or_else(|| v.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0).map(|f| f as u64));
                let n = n.ok_or_else(|| {
                    row.reject(
                        i,
                        RejectReason::BadJson,
                        format!("category {k:?} has {v}, expected a whole number of violations"),
                    )
                })?;
                pairs.push((k, n));
            }
            pairs
        }
        Err(_) if is_cut(t) => {
            static PAIR: OnceLock<Option<Regex>> = OnceLock::new();
            let re = PAIR.get_or_init(|| Regex::new(r#""([^"\\]+)"\s*:\s*(\d+)\s*[,}]"#).ok());
            out.cut = true;
            warnings.push(CellWarning {
                line: row.line,
                field: field_name(row, i),
                kind: warning::JSON_CELL_CUT,
                detail: format!("the cell was cut at {CELL_LIMIT} characters; the categories before the cut are read"),
            });
            re.iter()
                .flat_map(|re| re.captures_iter(t))
                .filter_map(|cap| Some((cap.get(1)?.as_str().to_owned(), cap.get(2)?.as_str().parse().ok()?)))
                .collect()
        }
        Err(e) => {
            return Err(row.reject(
                i,
                RejectReason::BadJson,
                format!("expected a JSON object of counts by category: {e}"),
            ))
        }
    };
    for (k, n) in pairs {
        let n = u32::try_from(n)
            .map_err(|_| row.reject(i, RejectReason::CountTooLarge, format!("category {k:?}: {n} is above 2^32")))?;
        match AxeCategory::from_key(&k) {
            Some(cat) => {
                out.counts.insert(cat, n);
            }
            None => {
                warnings.push(CellWarning {
                    line: row.line,
                    field: field_name(row, i),
                    kind: warning::UNKNOWN_AXE_CATEGORY,
                    detail: format!(
                        "category {k:?} is not one the scanner's map had; its {n} violation(s) are counted apart"
                    ),
                });
                out.other_keys.insert(k, n);
            }
        }
    }
    Ok(out)
}

/// A list cell: a JSON list of strings (`["feedback","contact"]`), as the engine writes lists,
/// or the comma-joined text the engine's database holds; empty is an empty list.
fn text_list(row: &Row<'_>, i: usize, warnings: &mut Vec<CellWarning>) -> Result<Vec<String>, Rejection> {
    let t = row.get(i)?;
    if t.is_empty() {
        return Ok(Vec::new());
    }
    if !t.starts_with('[') {
        return Ok(t.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect());
    }
    match serde_json::from_str::<Vec<String>>(t) {
        Ok(list) => Ok(list),
        Err(_) if is_cut(t) => {
            static ITEM: OnceLock<Option<Regex>> = OnceLock::new();
            let re = ITEM.get_or_init(|| Regex::new(r#""((?:[^"\\]|\\.)*)"\s*[,\]]"#).ok());
            warnings.push(CellWarning {
                line: row.line,
                field: field_name(row, i),
                kind: warning::JSON_CELL_CUT,
                detail: format!("the list was cut at {CELL_LIMIT} characters; the items before the cut are read"),
            });
            Ok(re
                .iter()
                .flat_map(|re| re.captures_iter(t))
                .filter_map(|cap| serde_json::from_str::<String>(&format!("\"{}\"", cap.get(1)?.as_str())).ok())
                .collect())
        }
        Err(e) => Err(row.reject(i, RejectReason::BadJson, format!("expected a JSON list of strings: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fedcx_model::website::{Criterion, IdeaRules, Outcome};

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/tests/fixtures/site-scanning/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    fn read(name: &str, bytes: &[u8]) -> Snapshot {
        read_snapshot(Path::new(name), bytes).unwrap()
    }

    fn outcomes(s: &SiteScan) -> Vec<Outcome> {
        s.outcomes(&IdeaRules::default()).iter().map(|(_, o)| *o).collect()
    }

    use Outcome::{Met as M, NotMet as N, NotScanned as U};

    #[test]
    fn current_header_has_the_engines_104_columns() {
        let shared = fixture("current_layout_2026_08.csv");
        let header = String::from_utf8_lossy(&shared).lines().next().unwrap().to_owned();
        assert_eq!(header, CURRENT_COLUMNS.join(","));
        assert!(looks_like_site_scan(&CURRENT_COLUMNS.map(str::to_owned)));
    }

    #[test]
    fn real_ssa_rows_in_the_pre_2025_layout() {
        let bytes = fixture("ssa_rows_key_columns.csv");
        let mut source = SiteScanSource::new(Path::new("ssa.csv"), &bytes[..]).unwrap();
        assert_eq!(source.layout(), Layout::Pre2025);
        let header: Vec<String> =
            String::from_utf8_lossy(&bytes).lines().next().unwrap().split(',').map(str::to_owned).collect();
        assert!(looks_like_site_scan(&header));
        while source.next_item().unwrap().is_some() {}
        let s = read("ssa.csv", &bytes);
        assert_eq!(
            (s.summary.reconciliation.read, s.summary.reconciliation.accepted, s.summary.reconciliation.rejected),
            (4, 4, 0)
        );
        assert!(s.summary.balances());
        assert!(s.summary.unknown_columns.is_empty(), "{:?}", s.summary.unknown_columns);
        // All four redirect to https://www.ssa.gov/: the site is ssa.gov each time.
        let names: Vec<&str> = s.scans.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["ssa.gov"; 4]);
        let initial: Vec<&str> = s.scans.iter().map(|x| x.initial_domain.as_ref().unwrap().as_str()).collect();
        assert_eq!(initial, ["secure.ssa.gov", "ssa.gov", "faq.ssa.gov", "socialsecurity.gov"]);
        let first = &s.scans[0];
        assert_eq!(first.scan_date, NaiveDate::from_ymd_opt(2025, 1, 13).unwrap());
        assert_eq!(first.agency.as_ref().unwrap().as_str(), "Social Security Administration");
        assert_eq!(first.bureau.as_ref().unwrap().as_str(), "SSA/OSOHE/Division of Network Engineering");
        assert_eq!(first.uswds_count, Some(132)); // written "132.0" by pandas
        assert_eq!(first.search_dot_gov, None);
        assert_eq!(first.accessibility_violations, None); // the column was cut from the slice
        assert_eq!(first.feedback_links, None);
        // Per row, from the cells (Secure, Consistent, Mobile, Searchable, Accessible, Measured, Feedback):
        // https_enforced and hsts True; uswds_count 132 >= 100 (faq: 0); viewport True; site_search
        // True (faq: False) but search_dot_gov empty and sitemap/robots absent, so neither half of
        // searchable is known (faq's false-or-unknown is unknown too); accessibility counts
        // absent; dap True; no feedback column.
        assert_eq!(outcomes(&s.scans[0]), [M, M, M, U, U, M, U]);
        assert_eq!(outcomes(&s.scans[1]), [M, M, M, U, U, M, U]);
        assert_eq!(outcomes(&s.scans[2]), [M, N, M, U, U, M, U]);
        assert_eq!(outcomes(&s.scans[3]), [M, M, M, U, U, M, U]);
    }

    #[test]
    fn hand_built_rows_in_the_current_layout() {
        let s = read("current.csv", &fixture("current_layout_2026_08.csv"));
        assert_eq!(
            (s.summary.reconciliation.read, s.summary.reconciliation.accepted, s.summary.reconciliation.rejected),
            (7, 7, 0)
        );
        assert_eq!(s.layout, Some(Layout::Current));
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        let names: Vec<&str> = s.scans.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(
            names,
            ["ssa.gov", "ssa.gov", "ssa.gov", "blog.ssa.gov", "irs.gov", "la.www4.irs.gov", "search.gov"]
        );
        let ssa = &s.scans[0];
        assert_eq!(ssa.visits, Some(10_418_230));
        assert_eq!(ssa.feedback_links.as_deref(), Some(&["contact".to_owned(), "help".to_owned()][..]));
        let v = ssa.accessibility_violations.as_ref().unwrap();
        assert_eq!(v.counts.get(&AxeCategory::Contrast), Some(&2));
        assert_eq!(v.total(), 3);
        // ssa.gov: {"contrast":2,"link-purpose":1} is 3 > 0 violations; everything else met.
        assert_eq!(outcomes(ssa), [M, M, M, M, N, M, M]);
        // blog.ssa.gov: uswds 0; no search (robots only); empty violations on a completed scan are
        // zero; no DAP; empty feedback list after 2026-04-21.
        assert_eq!(outcomes(&s.scans[3]), [M, N, M, N, M, N, N]);
        // irs.gov: uswds 57 < 100; accessibility scan page_frame_not_ready.
        assert_eq!(outcomes(&s.scans[4]), [M, N, M, M, U, M, M]);
        // la.www4.irs.gov: no page; security data says no HTTPS.
        let dead = &s.scans[5];
        assert_eq!(dead.live, Some(false));
        assert_eq!(dead.final_url, None);
        assert_eq!(outcomes(dead), [N, U, U, U, U, U, U]);
        assert_eq!(s.scans[6].outcome(Criterion::Accessible, &IdeaRules::default()), N);
    }

    /// A header in the current layout plus the columns given, and one row.
    fn csv_with(extra_header: &str, cells: &[(&str, &str)], extra_cells: &str) -> String {
        let mut row: Vec<String> = vec![String::new(); CURRENT_COLUMNS.len()];
        let base = [
            ("name", "ssa.gov"),
            ("url", "https://www.ssa.gov/"),
            ("scan_date", "2026-08-02T03:11:42.118Z"),
            ("primary_scan_status", "completed"),
            ("accessibility_scan_status", "completed"),
        ];
        for (k, v) in base.iter().chain(cells) {
            let i = CURRENT_COLUMNS.iter().position(|c| c == k).unwrap();
            row[i] = if v.contains([',', '"']) { format!("\"{}\"", v.replace('"', "\"\"")) } else { (*v).to_owned() };
        }
        format!("{}{extra_header}\n{}{extra_cells}\n", CURRENT_COLUMNS.join(","), row.join(","))
    }

    #[test]
    fn unknown_columns_are_counted_once_and_deprecated_ones_known() {
        let text = csv_with(",www_same,public,dc_date_content", &[], ",true,true,x");
        let s = read("u.csv", text.as_bytes());
        assert_eq!(s.summary.reconciliation.accepted, 1);
        assert_eq!(s.summary.unknown_columns, ["www_same", "dc_date_content"]);
        assert_eq!(s.summary.reconciliation.warnings.get(warning::UNKNOWN_COLUMN), Some(&2));
    }

    #[test]
    fn pandas_rewrites_are_read() {
        let text = csv_with(
            "",
            &[("uswds_count", "132.0"), ("hsts", "True"), ("https_enforced", "FALSE"), ("visits", "7.0")],
            "",
        );
        let s = read("p.csv", text.as_bytes());
        let x = &s.scans[0];
        assert_eq!((x.uswds_count, x.hsts, x.https_enforced, x.visits), (Some(132), Some(true), Some(false), Some(7)));
    }

    #[test]
    fn a_cut_json_cell_is_a_warning_and_the_part_before_the_cut_is_read() {
        // Synthetic: an object as long as the engine's 2,000-character cut, ending mid-value.
        let mut cell = String::from("{\"contrast\":4,\"images\":2,");
        let mut k = 0;
        while cell.len() < CELL_LIMIT {
            cell.push_str(&format!("\"future-category-{k}\":1,"));
            k += 1;
        }
        cell.truncate(CELL_LIMIT);
        let text = csv_with("", &[("accessibility_violations", &cell)], "");
        let s = read("cut.csv", text.as_bytes());
        assert_eq!(s.summary.reconciliation.accepted, 1);
        assert_eq!(s.summary.reconciliation.warnings.get(warning::JSON_CELL_CUT), Some(&1));
        let w = s.warnings.iter().find(|w| w.kind == warning::JSON_CELL_CUT).unwrap();
        assert_eq!((w.line, w.field.as_str()), (2, "accessibility_violations"));
        let v = s.scans[0].accessibility_violations.as_ref().unwrap();
        assert!(v.cut);
        assert_eq!(v.counts.get(&AxeCategory::Contrast), Some(&4));
        assert_eq!(s.scans[0].outcome(Criterion::Accessible, &IdeaRules::default()), Outcome::NotMet);
        // A short cell that is not JSON is a rejection, not a cut.
        let bad = csv_with("", &[("accessibility_violations", "{\"contrast\":")], "");
        let s = read("bad.csv", bad.as_bytes());
        assert_eq!(s.rejections[0].reason, RejectReason::BadJson);
    }

    #[test]
    fn feedback_links_as_json_or_as_the_databases_comma_text() {
        let s = read("f.csv", csv_with("", &[("feedback_links_text", "contact,help")], "").as_bytes());
        assert_eq!(s.scans[0].feedback_links.as_ref().unwrap().len(), 2);
        let s = read("f.csv", csv_with("", &[("feedback_links_text", "[\"feedback\"]")], "").as_bytes());
        assert_eq!(s.scans[0].feedback_links.as_deref(), Some(&["feedback".to_owned()][..]));
    }

    #[test]
    fn bad_cells_reject_the_row_naming_line_and_field() {
        let cases: [(&str, &str, RejectReason); 5] = [
            ("dap", "yes", RejectReason::BadBoolean),
            ("uswds_count", "1.5", RejectReason::BadCount),
            ("scan_date", "last week", RejectReason::BadTimestamp),
            ("primary_scan_status", "", RejectReason::MissingValue),
            ("url", "not a url", RejectReason::BadDomain),
        ];
        for (field, value, why) in cases {
            let s = read("b.csv", csv_with("", &[(field, value)], "").as_bytes());
            assert_eq!(
                (s.summary.reconciliation.read, s.summary.reconciliation.accepted, s.summary.reconciliation.rejected),
                (1, 0, 1),
                "{field}"
            );
            let r = &s.rejections[0];
            assert_eq!((r.line, r.field.as_deref(), r.reason.rejection().unwrap()), (2, Some(field), why));
        }
        // A row without any host: name, url and initial domain empty.
        let s = read("b.csv", csv_with("", &[("name", ""), ("url", "")], "").as_bytes());
        assert_eq!(s.rejections[0].reason, RejectReason::MissingValue);
    }

    #[test]
    fn a_name_that_is_not_the_urls_host_is_warned_and_the_url_wins() {
        // January 2025 snapshots wrote the base domain in `name` (engine commit ac3f646 fixed it).
        let text = csv_with("", &[("name", "ssa.gov"), ("url", "https://secure.ssa.gov/x")], "");
        let s = read("n.csv", text.as_bytes());
        assert_eq!(s.scans[0].name.as_str(), "secure.ssa.gov");
        assert_eq!(s.warnings[0].kind, warning::NAME_DIFFERS_FROM_URL);
    }

    #[test]
    fn headers_without_the_needed_columns_or_with_a_column_twice_fail() {
        let err = SiteScanSource::new(Path::new("h.csv"), &b"name,scan_date\nssa.gov,2026-01-01\n"[..]).unwrap_err();
        assert!(err.to_string().contains("primary_scan_status"), "{err}");
        let err =
            SiteScanSource::new(Path::new("h.csv"), &b"target_url,initial_domain,scan_date,primary_scan_status\n"[..])
                .unwrap_err();
        assert!(err.to_string().contains("both \"initial_domain\""), "{err}");
        assert!(!looks_like_site_scan(&["name".to_owned(), "visits".to_owned()]));
    }

    proptest::proptest! {
        /// Whatever the cells hold, the reader does not panic and every row is accepted or
        /// rejected.
        #[test]
        fn any_cells_are_accounted_for(
            cells in proptest::collection::vec(("[ -~]{0,40}", 0usize..CURRENT_COLUMNS.len()), 0..12),
            rows in 1usize..4,
        ) {
            let set: Vec<(&str, &str)> = cells.iter().map(|(v, i)| (CURRENT_COLUMNS[*i], v.as_str())).collect();
            let one = csv_with("", &set, "");
            let (header, row) = one.split_once('\n').unwrap();
            let text = format!("{header}\n{}", row.repeat(rows));
            let s = read_snapshot(Path::new("p.csv"), text.as_bytes()).unwrap();
            proptest::prop_assert!(s.summary.balances());
            proptest::prop_assert_eq!(s.summary.reconciliation.read, rows as u64);
            proptest::prop_assert_eq!(s.scans.len() + s.rejections.len(), rows);
        }
    }
}
