//! The OMB Circular A-11 Section 280 report generator: the quarterly CX data-collection records in
//! GSA Touchpoints' exact layouts ([`records`]), and the human report ([`report`]) as Markdown,
//! self-contained HTML with SVG charts, XLSX and JSON. It consumes counts and the index engine's
//! results; it never re-reads raw input files. Output directories are replaced atomically.
//!
//! # Example
//!
//! ```
//! use fedcx_a11::records::ColumnKind;
//!
//! // How a Touchpoints column is typed in the JSON records, from its name.
//! assert_eq!(ColumnKind::of("service_provider_id"), ColumnKind::Integer);
//! assert_eq!(ColumnKind::of("q1_5"), ColumnKind::Integer);
//! assert_eq!(ColumnKind::of("created_at"), ColumnKind::Timestamp);
//! assert_eq!(ColumnKind::of("fiscal_year"), ColumnKind::Text);
//! ```

#![warn(missing_docs)]

pub mod benchmarks;
pub mod charts;
pub mod escape;
pub mod html;
pub mod markdown;
pub mod output;
pub mod records;
pub mod report;
pub mod site;
pub mod xlsx;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fedcx_index::scores::ScoreConfig;
use fedcx_model::{
    BenchmarkPoint, CollectionDetail, FiscalQuarter, PublishedMeans, Registry, ResponseCounts, SurveyResponse,
};

pub use report::IndexSummary;

/// Why a quarter's outputs could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum A11Error {
    /// The records break A-11 rules and `strict` was asked for; every problem is listed and nothing
    /// was written.
    #[error("the {quarter} records are not valid ({} problem(s)); nothing was written:\n  {}", problems.len(), problems.join("\n  "))]
    Invalid {
        /// The quarter.
        quarter: FiscalQuarter,
        /// Every problem found.
        problems: Vec<String>,
    },
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] charts::ChartError),
    /// The workbook could not be built.
    #[error("cannot build the XLSX workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// An output could not be written safely.
    #[error(transparent)]
    Output(#[from] output::OutputError),
    /// A file could not be written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// Everything a quarter's outputs are made from.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    /// The registry.
    pub registry: &'a Registry,
    /// Counts of every ingested response, all quarters (trends need the earlier ones).
    pub counts: &'a ResponseCounts,
    /// Collection details (volumes).
    pub details: &'a [CollectionDetail],
    /// Respondent-level responses for the 17-column uploads (empty when only counts were ingested).
    pub responses: &'a [SurveyResponse],
    /// Ingested benchmark series (empty: the published figures are used).
    pub benchmarks: &'a [BenchmarkPoint],
    /// Web visits per (domain, month).
    pub web_traffic: &'a BTreeMap<(String, fedcx_model::Month), u64>,
    /// performance.gov's published FY2019-20 figures (means on the 1-5 scale, volumes).
    pub published: &'a [PublishedMeans],
    /// The ACSI-style index, when estimated.
    pub index: Option<&'a IndexSummary>,
    /// The quarter to report.
    pub quarter: FiscalQuarter,
    /// Suppression threshold.
    pub scores: ScoreConfig,
    /// The provider's reflection on the quarter.
    pub reflection: Option<&'a str>,
    /// Any problem in the records fails the quarter with nothing written (`report --strict`);
    /// otherwise the groups with problems are withheld and listed in `problems.csv`.
    pub strict: bool,
    /// What the report covers when narrowed to some providers or services (the caller filters
    /// the data): titles the report, and providers without data are only listed.
    pub scope: Option<Scope<'a>>,
    /// The data is fedcx's synthetic demo data: every output says so, the folder is named
    /// `FY2025Q2-DEMO` and holds a README saying what it is.
    pub demo: bool,
    /// FEVS results, business results and website scans for the "Balanced measures" and "Digital
    /// adoption" sections; each part may be empty, and the sections then say it was not given.
    pub balanced: &'a fedcx_model::balanced::BalancedInputs,
    /// Which channels count as digital in the "Digital adoption" section
    /// (`ChannelClassification::fedcx()` unless the user gives another).
    pub classification: &'a fedcx_model::ChannelClassification,
}

/// A report narrowed to some providers (or to some of their services).
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// What the report is titled by, e.g. "U.S. Customs and Border Protection".
    pub label: &'a str,
    /// The providers in scope: those named, and those of the services named.
    pub providers: &'a [fedcx_model::ProviderSlug],
}

/// The files of one quarter, in memory, by relative path.
pub type Outputs = BTreeMap<String, Vec<u8>>;

/// Builds every output of the quarter in memory: records (CSV and JSON), report (Markdown, HTML,
/// XLSX, JSON). Fails with every problem if the records are invalid.
pub fn render_quarter(input: &ReportInput<'_>) -> Result<Outputs, A11Error> {
    let rec_input = records::RecordInput {
        registry: input.registry,
        counts: input.counts,
        details: input.details,
        responses: input.responses,
        quarter: input.quarter,
        reflection: input.reflection,
    };
    let built =
        records::build(&rec_input).map_err(|problems| A11Error::Invalid { quarter: input.quarter, problems })?;
    if input.strict && !built.problems.is_empty() {
        return Err(A11Error::Invalid {
            quarter: input.quarter,
            problems: built.problems.iter().map(|p| p.detail.clone()).collect(),
        });
    }
    let (recs, notes, volumes, problems) = (built.records, built.notes, built.volumes, built.problems);
    let mut out = Outputs::new();
    let mut tables: Vec<&records::Table> = Vec::new();
    let put_table = |out: &mut Outputs, dir: &str, t: &records::Table| -> Result<(), A11Error> {
        let mut csv = Vec::new();
        records::write_csv(t, &mut csv)
            .map_err(|e| A11Error::Io { path: PathBuf::from(&t.name), source: std::io::Error::other(e.to_string()) })?;
        out.insert(format!("{dir}{}.csv", t.name), csv);
        let json = serde_json::to_vec_pretty(&t.to_json()).expect("tables serialise");
        out.insert(format!("{dir}{}.json", t.name), json);
        Ok(())
    };
    match &recs {
        records::QuarterRecords::V2 { collections, details, uploads } => {
            put_table(&mut out, "", collections)?;
            put_table(&mut out, "", details)?;
            for t in uploads.values() {
                let mut csv = Vec::new();
                // Touchpoints stores uploads verbatim: no spreadsheet neutralising (documented).
                records::write_csv_verbatim(t, &mut csv).map_err(|e| A11Error::Io {
                    path: PathBuf::from(&t.name),
                    source: std::io::Error::other(e.to_string()),
                })?;
                out.insert(format!("responses/{}.csv", t.name), csv);
            }
            tables.push(collections);
            tables.push(details);
        }
        records::QuarterRecords::V1 { reporting } => {
            put_table(&mut out, "", reporting)?;
            tables.push(reporting);
        }
    }
    let mut r = report::build(input);
    r.reflection = input.reflection.map(str::to_owned);
    r.demo = input.demo;
    if let Some(scope) = input.scope {
        r.scope_to(scope.label.to_owned(), scope.providers);
    }
    if input.demo {
        out.insert("README.txt".into(), format!("{}\n", report::DEMO_NOTICE).into_bytes());
    }
    (r.published_means, r.published_notes) = report::published_history(input.registry, input.published, input.quarter);
    r.record_notes = notes;
    r.volumes = volumes;
    r.volumes_provided = input.details.iter().any(|d| d.quarter == input.quarter);
    if !problems.is_empty() {
        out.insert("problems.csv".into(), problems_csv(input.registry, &problems)?);
    }
    r.withheld = problems;
    r.summarise(input.counts);
    let in_quarter: Vec<SurveyResponse> =
        input.responses.iter().filter(|x| x.fiscal_quarter().ok() == Some(input.quarter)).cloned().collect();
    r.drivers = fedcx_index::drivers::trust_drivers(&in_quarter, input.scores.min_responses);
    r.record_wordings(input.registry, input.details);
    r.balance(&report::BalanceInput {
        registry: input.registry,
        counts: input.counts,
        details: input.details,
        balanced: input.balanced,
        classification: input.classification,
    });
    out.insert("report.md".into(), markdown::render(&r).into_bytes());
    out.insert("report.html".into(), html::render(&r)?.into_bytes());
    out.insert("report.xlsx".into(), xlsx::render(&r, &tables)?);
    out.insert("report.json".into(), serde_json::to_vec_pretty(&r.to_json()).expect("the report serialises"));
    Ok(out)
}

/// The groups withheld from the records: provider, service, channel, kind, detail. Cells are
/// neutralised: the detail quotes input values.
fn problems_csv(registry: &Registry, problems: &[records::Problem]) -> Result<Vec<u8>, A11Error> {
    let table = records::Table {
        name: "problems".into(),
        columns: vec!["provider", "service", "channel", "kind", "detail"],
        rows: problems
            .iter()
            .map(|p| {
                vec![
                    registry.provider_of(&p.service).map_or(String::new(), |pr| pr.slug.to_string()),
                    p.service.to_string(),
                    p.channel.to_string(),
                    p.kind.to_owned(),
                    p.detail.clone(),
                ]
            })
            .collect(),
    };
    let mut csv = Vec::new();
    records::write_csv(&table, &mut csv).map_err(|e| A11Error::Io {
        path: PathBuf::from("problems.csv"),
        source: std::io::Error::other(e.to_string()),
    })?;
    Ok(csv)
}

/// Writes a quarter's outputs to `OUT/FY2025Q2/`, replacing an earlier run whole (see
/// [`output::write_dir`]): an interrupted or failed run leaves the old outputs, never half of them
/// and never a temporary directory. Names built from data (upload files named by detail id) are
/// refused if they would leave the directory. Returns the directory.
pub fn write_quarter(out_dir: &Path, input: &ReportInput<'_>) -> Result<PathBuf, A11Error> {
    let files = render_quarter(input)?;
    let name = if input.demo { format!("{}-DEMO", input.quarter.compact()) } else { input.quarter.compact() };
    Ok(output::write_dir(out_dir, &name, &files)?)
}
