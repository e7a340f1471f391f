//! `fedcx template`: files for an analyst to fill in. `details`: a quarter's collection details,
//! volumes blank; `mapping`: a mapping for a survey tool's export, written from its header.

use std::path::PathBuf;

use anyhow::{Context, Result};
use fedcx_model::{ProviderSlug, Registry};

/// Arguments of `fedcx template`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(clap::Subcommand)]
enum What {
    /// Touchpoints' 28-column collection-detail file, one row per service and channel seen in the
    /// store for the quarter (or the registry's, if none), volumes blank for you to fill in.
    Details(DetailsArgs),
    /// A mapping file for a survey tool's export, written from the export's own header: every
    /// column listed under a comment with its question text (Qualtrics: row 2) and ImportId (row 3),
    /// the A-11 questions filled in where their wording is unmistakable (marked "guessed": check
    /// them), the rest commented out for you to fill in. Then `fedcx ingest EXPORT --mapping FILE`.
    Mapping(MappingArgs),
}

/// Arguments of `fedcx template mapping`.
#[derive(clap::Args)]
struct MappingArgs {
    /// The survey tool that wrote the export: qualtrics, surveymonkey or medallia.
    #[arg(long, value_parser = parse_tool)]
    tool: fedcx_ingest::mapped::Tool,
    /// The export (CSV), of which only the header rows are read.
    export: PathBuf,
    /// Where to write the mapping (`-` for standard output); by default `<export name>.mapping.toml`
    /// in the current directory, which is never overwritten.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn parse_tool(s: &str) -> Result<fedcx_ingest::mapped::Tool, String> {
    use fedcx_ingest::mapped::Tool;
    [Tool::Qualtrics, Tool::SurveyMonkey, Tool::Medallia]
        .into_iter()
        .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
        .ok_or_else(|| format!("{s:?} is not a survey tool fedcx knows (qualtrics, surveymonkey, medallia)"))
}

/// Arguments of `fedcx template details`.
#[derive(clap::Args)]
struct DetailsArgs {
    /// The fiscal year, when --quarter is 1 to 4.
    #[arg(long)]
    fy: Option<u16>,
    /// The fiscal quarter: FY2025Q2, or 1 to 4 with --fy. Without `FY` (2025Q2) it is refused,
    /// as it could mean the calendar quarter.
    #[arg(long)]
    quarter: String,
    /// Only this provider's services (repeatable), e.g. treasury-irs.
    #[arg(long = "provider", value_name = "SLUG")]
    providers: Vec<ProviderSlug>,
    /// Where to write it (`-` for standard output); by default collection-details-FY2025Q2.csv.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs the command.
pub fn run(registry: &Registry, args: &Args, store: &super::store::Location) -> Result<()> {
    let a = match &args.what {
        What::Details(a) => a,
        What::Mapping(m) => return mapping(m),
    };
    let quarter = super::report::quarter_of(a.fy, &a.quarter)?;
    for p in &a.providers {
        anyhow::ensure!(
            registry.provider(p).is_some(),
            "--provider {p}: no such provider in the registry (see `fedcx hisps`)"
        );
    }
    let counts =
        if store.path.exists() { store.open_read_only()?.load(&[quarter])?.counts } else { Default::default() };
    let table = fedcx_a11::records::detail_template(registry, &counts, quarter, &a.providers);
    let mut bytes = Vec::new();
    fedcx_a11::records::write_csv(&table, &mut bytes)?;
    let out = a.out.clone().unwrap_or_else(|| PathBuf::from(format!("collection-details-{}.csv", quarter.compact())));
    super::write_output(&out, &bytes)?;
    if out != std::path::Path::new("-") {
        eprintln!(
            "{} collection detail(s) for {quarter} written to {}: fill in the volumes, then `fedcx ingest` it",
            table.rows.len(),
            super::shown(&out)
        );
    }
    Ok(())
}

/// `fedcx template mapping`.
fn mapping(a: &MappingArgs) -> Result<()> {
    let file = std::fs::File::open(&a.export).with_context(|| format!("cannot read {}", super::shown(&a.export)))?;
    let t = fedcx_ingest::mapped::template(&a.export, std::io::BufReader::new(file), a.tool)?;
    let out = match &a.out {
        Some(out) => out.clone(),
        None => {
            let name = a.export.file_stem().map_or_else(|| "export".into(), |s| s.to_string_lossy().into_owned());
            let out = PathBuf::from(format!("{name}.mapping.toml"));
            // A template filled in already must not be lost to a second run.
            anyhow::ensure!(
                !out.exists(),
                "{} exists: pass --out to write the template elsewhere (or to replace it)",
                super::shown(&out)
            );
            out
        }
    };
    super::write_output(&out, t.text.as_bytes())?;
    if out != std::path::Path::new("-") {
        super::say!(
            "mapping template for {} ({} columns, {} field(s) guessed from the A-11 wording: check them) written to {}; \
             fill it in, then `fedcx ingest {} --mapping {}`",
            super::shown(&a.export),
            t.columns,
            t.guessed,
            super::shown(&out),
            super::shown(&a.export),
            super::shown(&out)
        );
    }
    Ok(())
}
