//! `fedcx registry import`: makes a registry file from Touchpoints' own service-provider and
//! service exports, merged onto a base registry.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use fedcx_ingest::tp_registry::{self, ExportRead, ImportOptions, ImportedEntry, MatchedBy, Outcome};
use fedcx_model::{Channel, Registry};

/// Arguments of `fedcx registry`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: RegistryCommand,
}

#[derive(clap::Subcommand)]
enum RegistryCommand {
    /// Writes a registry from Touchpoints' service-provider and service exports, merged onto a
    /// base registry (matching by Touchpoints id, then alias, then name), for `fedcx --registry`.
    Import(ImportArgs),
}

/// Arguments of `fedcx registry import`.
#[derive(clap::Args)]
struct ImportArgs {
    /// Touchpoints' service-provider export (Admin > Reporting > HISPs, `ServiceProvider.to_csv`).
    #[arg(long, value_name = "P.csv", required_unless_present = "published", requires = "services")]
    providers: Option<PathBuf>,
    /// Touchpoints' service export (Admin > Services > Export, `Service.to_csv`).
    #[arg(long, value_name = "S.csv", required_unless_present = "published", requires = "providers")]
    services: Option<PathBuf>,
    /// performance.gov's published A-11 records instead (repeatable): the JSON:API document
    /// `omb_cx_reporting_collections`, GSA's flattened CSV of it or the long per-question file.
    /// Every record names its provider and service, which are matched within their provider (by
    /// Touchpoints id, then name) or added with the channels and first year the records show.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["providers", "services"])]
    published: Vec<PathBuf>,
    /// The registry to merge onto (default: the one `--registry` names, else the bundled one).
    #[arg(long, value_name = "FILE")]
    base: Option<PathBuf>,
    /// Where to write the merged registry (TOML; `-` for standard output).
    #[arg(short = 'o', long = "out", value_name = "OUT.toml")]
    out: PathBuf,
    /// The channels of services new to the registry, comma-separated (Touchpoints' service export
    /// has none; without this, new services are rejected as `no_channels`).
    #[arg(long, value_name = "CHANNELS", value_delimiter = ',', value_parser = parse_channel)]
    new_service_channels: Vec<Channel>,
    /// Write every rejected row here (CSV: source file, line, field, raw value, reason, detail).
    #[arg(long, value_name = "R.csv")]
    rejects: Option<PathBuf>,
}

fn parse_channel(s: &str) -> Result<Channel, String> {
    s.parse::<Channel>().map_err(|e| e.to_string())
}

/// Runs the command. `registry` is the one `--registry` loaded (or the bundled one).
pub fn run(registry: &Registry, args: &Args) -> Result<()> {
    match &args.command {
        RegistryCommand::Import(a) => import(registry, a),
    }
}

fn import(registry: &Registry, args: &ImportArgs) -> Result<()> {
    let loaded;
    let base = match &args.base {
        Some(path) => {
            loaded = fedcx_ingest::load_registry(path).context("cannot read the base registry")?;
            &loaded
        }
        None => registry,
    };
    let options = ImportOptions { new_service_channels: args.new_service_channels.clone() };
    if !args.published.is_empty() {
        return import_published(base, args, &options);
    }
    let (Some(providers), Some(services)) = (&args.providers, &args.services) else {
        anyhow::bail!("give --providers and --services (Touchpoints' exports), or --published FILE");
    };
    let result = tp_registry::import_registry(base, providers, services, &options)?;
    let say = sayer(&args.out);
    for (kind, read) in [("providers", &result.providers), ("services", &result.services)] {
        summarise(kind, read, &say);
    }
    if let Some(path) = &args.rejects {
        let mut w = fedcx_ingest::reconcile::RejectWriter::new(Vec::new())?;
        for read in [&result.providers, &result.services] {
            for r in &read.rejections {
                w.write(&read.path, r)?;
            }
        }
        super::write_output(path, &w.into_inner()?)?;
        super::report_written(path, "rejects written");
    }
    let unusable: Vec<&ExportRead> = [&result.providers, &result.services]
        .into_iter()
        .filter(|r| r.reconciliation.read > 0 && r.reconciliation.accepted == 0)
        .collect();
    if !unusable.is_empty() {
        let why: Vec<String> = unusable
            .iter()
            .map(|r| format!("{} had every row rejected ({})", super::shown(&r.path), top_reasons(r)))
            .collect();
        anyhow::bail!("{}; no registry written", why.join("; "));
    }
    write_registry(&args.out, &result.registry)
}

/// `registry import --published`: each file's records merged onto the registry the one before
/// gave, then written.
fn import_published(base: &Registry, args: &ImportArgs, options: &ImportOptions) -> Result<()> {
    let say = sayer(&args.out);
    let mut registry = base.clone();
    let mut rejects = fedcx_ingest::reconcile::RejectWriter::new(Vec::new())?;
    for path in &args.published {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", super::shown(path)))?;
        let format = fedcx_ingest::format::detect(path, &bytes[..bytes.len().min(64 << 10)])?;
        let out = fedcx_ingest::published_registry::import_published(&registry, path, &bytes[..], format, options)?;
        let r = &out.reconciliation;
        say(format!(
            "{} ({format}): {} read, {} accepted, {} rejected",
            super::shown(path),
            r.read,
            r.accepted,
            r.rejected
        ));
        for (kind, entries) in [("providers", &out.providers), ("services", &out.services)] {
            say(matches_line(kind, entries));
        }
        if r.rejected > 0 {
            say(format!("  rejected by reason: {}", reasons(r)));
        }
        if let Some(n) = r.rejected_by_reason.get(&fedcx_model::RejectReason::NoChannels) {
            say(format!(
                "  {n} record(s) name a new service whose records never give a channel: give one with \
                 --new-service-channels"
            ));
        }
        for rej in &out.rejections {
            rejects.write(path, rej)?;
        }
        if r.read > 0 && r.accepted == 0 {
            anyhow::bail!("{} had every record rejected; no registry written", super::shown(path));
        }
        registry = out.registry;
    }
    if let Some(path) = &args.rejects {
        super::write_output(path, &rejects.into_inner()?)?;
        super::report_written(path, "rejects written");
    }
    write_registry(&args.out, &registry)
}

/// Prints what one export contributed: rows read, accepted and rejected, entries matched (and
/// how) and added, and the rejections by reason.
fn summarise(kind: &str, read: &ExportRead, say: &impl Fn(String)) {
    let r = &read.reconciliation;
    say(format!("{}: {} read, {} accepted, {} rejected", super::shown(&read.path), r.read, r.accepted, r.rejected));
    say(matches_line(kind, &read.entries));
    if r.rejected > 0 {
        say(format!("  rejected by reason: {}", top_reasons(read)));
    }
    if let Some(n) = r.rejected_by_reason.get(&fedcx_model::RejectReason::NoChannels) {
        say(format!(
            "  {n} new service(s) have no channels (Touchpoints' service export has none): give them with \
             --new-service-channels"
        ));
    }
}

/// Rejection reasons with their counts, most frequent first.
fn top_reasons(read: &ExportRead) -> String {
    reasons(&read.reconciliation)
}

/// A reconciliation's rejection reasons with their counts, most frequent first.
fn reasons(r: &fedcx_ingest::Reconciliation) -> String {
    r.reasons_by_count().iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
}

/// One line on the entries a file's rows matched (by each way) or added.
fn matches_line(kind: &str, entries: &[ImportedEntry]) -> String {
    let count = |o: Outcome| entries.iter().filter(|e| e.outcome == o).count();
    let ways = [MatchedBy::TouchpointsId, MatchedBy::Alias, MatchedBy::Name]
        .map(|by| format!("{} by {}", count(Outcome::Matched(by)), by.as_str()))
        .join(", ");
    format!("  {kind}: {} matched ({ways}), {} added", entries.len() - count(Outcome::Added), count(Outcome::Added))
}

/// Prints a summary line: on standard error when the registry itself goes to standard output,
/// else on standard output unless `-q`.
fn sayer(out: &Path) -> impl Fn(String) {
    let to_stdout = out == Path::new("-");
    move |line: String| {
        if to_stdout {
            eprintln!("{line}")
        } else if !super::quiet() {
            println!("{line}")
        }
    }
}

/// Writes the registry and says what it holds.
fn write_registry(out: &Path, r: &Registry) -> Result<()> {
    super::write_output(out, r.to_toml_string().as_bytes())?;
    super::report_written(
        out,
        &format!(
            "registry of {} organizations, {} providers and {} services written",
            r.organizations().count(),
            r.providers().count(),
            r.services().count()
        ),
    );
    Ok(())
}
