//! The `fedcx` command-line program: ingests federal CX survey exports, computes A-11 scores and
//! an ACSI-style index, and writes OMB Circular A-11 Section 280 reports.

mod cmd;
mod demo_data;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "fedcx",
    version,
    about = "Customer-experience measurement and A-11 Section 280 reports for US federal services"
)]
struct Cli {
    /// A registry of organizations, HISPs and services to use instead of the bundled one (TOML).
    #[arg(long, global = true, value_name = "FILE")]
    registry: Option<PathBuf>,
    /// The history store (default: $FEDCX_STORE, else `store` in ./fedcx.toml, else ./fedcx.db).
    #[arg(long, global = true, value_name = "FILE")]
    store: Option<PathBuf>,
    /// Print no status lines (what was read, stored, written); results, warnings and errors still
    /// appear, and the exit status says how it went.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Colour the error, warning and check labels: auto (a terminal, unless NO_COLOR is set),
    /// always or never.
    #[arg(long, global = true, value_enum, default_value = "auto")]
    color: cmd::ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the whole pipeline on the bundled demo data and says where its outputs went.
    Demo(cmd::demo::Args),
    /// Lists the High Impact Service Providers in the registry.
    Hisps(cmd::hisps::Args),
    /// Reads survey exports, validates every row and reports the reconciliation.
    #[command(after_help = cmd::ingest::EXIT_STATUS_HELP)]
    Ingest(cmd::ingest::Args),
    /// Writes the A-11 Section 280 records and the human report for one quarter.
    Report(cmd::report::Args),
    /// Lists the ingested files a service's numbers in a quarter come from.
    Provenance(cmd::store::ProvenanceArgs),
    /// Takes one ingested file's contribution out of the store, in one transaction.
    Forget(cmd::store::ForgetArgs),
    /// Writes files for you to fill in: `template details` gives a quarter's collection details,
    /// `template mapping` a mapping for a survey tool's export, from its header.
    Template(cmd::template::Args),
    /// Writes every stored count in long form (service, channel, quarter, item, point, n).
    Export(cmd::store::ExportArgs),
    /// Estimates a PLS path model (the ACSI method) on a numeric CSV, with bootstrap intervals.
    Pls(cmd::pls::Args),
    /// Writes shell completions (bash, zsh, fish, powershell, elvish) or the man page to stdout;
    /// `cargo xtask dist` writes them all.
    #[command(hide = true)]
    Generate {
        /// `man`, or a shell name.
        what: String,
    },
    /// Builds registry files: `registry import` reads Touchpoints' provider and service exports.
    Registry(cmd::registry::Args),
    /// Writes the government-wide site from the whole store: every HISP, every quarter, static
    /// pages with CSV downloads, to open from disk or publish on any static host.
    Site(cmd::site::SiteArgs),
    /// Serves the site's pages from the store on 127.0.0.1, read-only, rebuilt when the store
    /// changes: for checking a quarter before publishing.
    Serve(cmd::site::ServeArgs),
}

/// Shell completions or the man page, generated from the argument definitions themselves.
fn generate(what: &str) -> anyhow::Result<()> {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    if what == "man" {
        clap_mangen::Man::new(cmd).render(&mut out)?;
    } else {
        let shell: clap_complete::Shell = what
            .parse()
            .map_err(|e| anyhow::anyhow!("{what:?}: {e} (expected man, bash, zsh, fish, powershell or elvish)"))?;
        clap_complete::generate(shell, &mut cmd, "fedcx", &mut out);
    }
    cmd::write_output(std::path::Path::new("-"), &out)
}

/// Whether a panic is `println!` finding standard output closed (`fedcx hisps | head`).
fn is_closed_pipe(payload: &(dyn std::any::Any + Send)) -> bool {
    let text = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("");
    text.starts_with("failed printing to stdout") && text.contains("Broken pipe")
}

/// The exit status of a program stopped by a closed pipe, as a shell reports SIGPIPE (128 + 13).
const CLOSED_PIPE_STATUS: u8 = 141;

fn main() -> ExitCode {
    // A reader that stops reading (`| head`) ends fedcx quietly, as SIGPIPE ends C tools: the
    // print that found the pipe closed unwinds (temporary files are removed and an open store
    // transaction rolls back on the way), nothing is printed, and the status is 141.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !is_closed_pipe(info.payload()) {
            default_hook(info);
        }
    }));
    match std::panic::catch_unwind(run) {
        Ok(code) => code,
        Err(payload) if is_closed_pipe(payload.as_ref()) => ExitCode::from(CLOSED_PIPE_STATUS),
        Err(payload) => std::panic::resume_unwind(payload),
    }
}

/// An error as printed: every cause on one line, so scripts and people see the root of the
/// problem, control characters escaped (a file name cannot forge lines or drive the terminal). A
/// file's list of problems (a mapping, registry or classification file) is the exception: one
/// problem a line, each escaped. A cause whose text its parent's already ends with (an OS error a
/// library error both prints and gives as its source) is said once.
fn error_text(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = match cause.downcast_ref::<fedcx_ingest::IngestError>() {
            Some(fedcx_ingest::IngestError::BadConfig { path, problems }) => {
                let mut text = format!("{}: {} problem(s):", cmd::shown(path), problems.len());
                for p in problems {
                    text.push_str("\n  - ");
                    text.push_str(&cmd::escape_controls(p));
                }
                text
            }
            _ => cmd::escape_controls(&cause.to_string()),
        };
        if parts.last().is_some_and(|last| last.ends_with(&text)) {
            continue;
        }
        parts.push(text);
    }
    parts.join(": ")
}

fn run() -> ExitCode {
    let cli = Cli::parse();
    cmd::set_quiet(cli.quiet);
    cmd::set_color(cli.color);
    let result = (|| -> anyhow::Result<()> {
        let registry = match &cli.registry {
            Some(path) => fedcx_ingest::load_registry(path)?,
            None => fedcx_model::Registry::bundled(),
        };
        match cli.command {
            Command::Demo(args) => cmd::demo::run(&registry, &args),
            Command::Hisps(args) => cmd::hisps::run(&registry, &args),
            Command::Ingest(args) => {
                cmd::ingest::run(&registry, &args, &cmd::store::resolve(cli.store.as_deref())?.path)
            }
            Command::Template(args) => {
                cmd::template::run(&registry, &args, &cmd::store::resolve(cli.store.as_deref())?)
            }
            Command::Forget(args) => cmd::store::forget(&cmd::store::resolve(cli.store.as_deref())?, &args),
            Command::Provenance(args) => cmd::store::provenance(&cmd::store::resolve(cli.store.as_deref())?, &args),
            Command::Export(args) => cmd::store::export(&cmd::store::resolve(cli.store.as_deref())?, &args),
            Command::Pls(args) => cmd::pls::run(&args),
            Command::Generate { what } => generate(&what),
            Command::Registry(args) => cmd::registry::run(&registry, &args),
            Command::Site(args) => cmd::site::site(&registry, &cmd::store::resolve(cli.store.as_deref())?, &args),
            Command::Serve(args) => cmd::site::serve(&registry, &cmd::store::resolve(cli.store.as_deref())?, &args),
            Command::Report(args) => cmd::report::run(&registry, &args, &cmd::store::resolve(cli.store.as_deref())?),
        }
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<cmd::Refused>().is_some() => {
            if let Some(message) = e.downcast_ref::<cmd::Refused>().and_then(|r| r.message.as_deref()) {
                eprintln!("{} {}", cmd::label("error"), cmd::escape_controls(message));
            }
            ExitCode::from(cmd::EXIT_REFUSED)
        }
        Err(e) => {
            eprintln!("{} {}", cmd::label("error"), error_text(&e));
            ExitCode::FAILURE
        }
    }
}
