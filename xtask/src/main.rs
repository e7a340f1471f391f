//! The fedcx project runner, reached as `cargo xtask ...`: CI checks, demo data, reports and
//! benchmarks. Only this program and the `fedcx` CLI talk to the user.

mod bench;
mod demo;
mod demo_balanced;
mod public_data;
#[cfg(test)]
mod tidy;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "fedcx project tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Runs exactly what CI runs: format check, clippy with warnings as errors, all tests.
    Ci,
    /// Regenerates the bundled demo data (or a larger set elsewhere for benchmarks).
    DemoData {
        /// How many responses to generate.
        #[arg(long, default_value_t = demo::DemoConfig::default().responses)]
        responses: u64,
        /// The random seed.
        #[arg(long, default_value_t = demo::DemoConfig::default().seed)]
        seed: u64,
        /// Where to write responses.csv and cx_collection_details.csv.
        #[arg(long, default_value = "data/demo")]
        out: PathBuf,
        /// First fiscal year.
        #[arg(long, default_value_t = demo::DemoConfig::default().first_year)]
        first_year: u16,
        /// Last fiscal year.
        #[arg(long, default_value_t = demo::DemoConfig::default().last_year)]
        last_year: u16,
    },
    /// Benchmarks fedcx against peer tools side by side and records the results in docs/benchmarks.md.
    Bench {
        /// What to benchmark.
        #[arg(value_parser = ["pls", "ingest", "report", "store"])]
        what: String,
        /// The Python interpreter with the peer tools installed (plspm, duckdb, polars).
        #[arg(long, default_value = "python3")]
        python: String,
        /// A smaller run: PLS without the 1,000,000-respondent case, ingest on 1,000,000 rows only.
        #[arg(long)]
        quick: bool,
        /// For `ingest`: the file sizes to run, in rows (files of more than 10,000,000 are deleted
        /// after their run).
        #[arg(long, value_delimiter = ',', default_value = "1000000,10000000")]
        rows: Vec<u64>,
    },
    /// Writes shell completions and the man page for the release build into target/dist/.
    Dist,
    /// Renders the demo report's HTML in headless Chromium at 1280 and 390 px wide into
    /// target/screenshots/, to look at (needs `chromium` on the PATH, e.g. Debian's package).
    Screenshots {
        /// The Chromium binary.
        #[arg(long, default_value = "chromium")]
        chromium: String,
    },
    /// Reads performance.gov's published A-11 data (the bundled merged CSV of GSA/HISP-CX-Data)
    /// into target/public-data/ with the release CLI, writes a report per quarter FY2021 Q1 to
    /// FY2023 Q1, and prints government-wide satisfaction and trust; with --python, beside
    /// scripts/public_data_reference.py's independent computation (fails if any quarter differs).
    PublicData {
        /// A Python 3 to run the reference script with (standard library only).
        #[arg(long)]
        python: Option<String>,
    },
    /// Writes a quarter's A-11 records and report through the release build of the CLI, e.g.
    /// `cargo xtask report --fy 2025 --quarter 2 [--data DIR] [--out DIR]`.
    Report {
        /// Arguments passed to `fedcx report`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let root = project_root();
    std::env::set_current_dir(&root).with_context(|| format!("cannot enter {}", root.display()))?;
    match cli.task {
        Task::Ci => ci(),
        Task::DemoData { responses, seed, out, first_year, last_year } => {
            let config = demo::DemoConfig { responses, seed, first_year, last_year };
            demo_data(&out, &config)
        }
        Task::Bench { what, python, quick, rows } => match what.as_str() {
            "pls" => bench::pls(&python, quick),
            "ingest" => bench::ingest(&python, if quick { &[1_000_000] } else { &rows }),
            "report" => bench::report(),
            "store" => bench::store(),
            other => bail!("no benchmark {other:?}"),
        },
        Task::Dist => dist(),
        Task::Screenshots { chromium } => screenshots(&chromium),
        Task::PublicData { python } => public_data::public_data(python.as_deref()),
        Task::Report { args } => {
            let mut cmd = vec!["run", "--release", "--quiet", "--bin", "fedcx", "--", "report"];
            cmd.extend(args.iter().map(String::as_str));
            run("cargo", &cmd)
        }
    }
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace root").to_owned()
}

pub(crate) fn run(program: &str, args: &[&str]) -> Result<()> {
    eprintln!("$ {program} {}", args.join(" "));
    let status = Command::new(program).args(args).status().with_context(|| format!("cannot run {program}"))?;
    if !status.success() {
        bail!("{program} {} failed with {status}", args.join(" "));
    }
    Ok(())
}

/// Builds the release CLI and has it write its completions and man page into `target/dist/`.
fn dist() -> Result<()> {
    run("cargo", &["build", "--release", "--quiet", "--bin", "fedcx"])?;
    let dir = Path::new("target/dist");
    std::fs::create_dir_all(dir.join("completions"))?;
    let fedcx = Path::new("target/release/fedcx");
    let files = [
        ("man", "fedcx.1"),
        ("bash", "completions/fedcx.bash"),
        ("zsh", "completions/_fedcx"),
        ("fish", "completions/fedcx.fish"),
        ("powershell", "completions/_fedcx.ps1"),
        ("elvish", "completions/fedcx.elv"),
    ];
    for (what, name) in files {
        let out = Command::new(fedcx).args(["generate", what]).output().context("cannot run target/release/fedcx")?;
        if !out.status.success() {
            bail!("fedcx generate {what} failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        std::fs::write(dir.join(name), &out.stdout)?;
        eprintln!("wrote {}", dir.join(name).display());
    }
    Ok(())
}

/// The demo report in Chromium at a desktop and a phone width: full-height PNGs to inspect.
fn screenshots(chromium: &str) -> Result<()> {
    let dir = Path::new("target/screenshots");
    let data = dir.join("demo");
    run("cargo", &["run", "--release", "--quiet", "--bin", "fedcx", "--", "demo", "--out", &data.to_string_lossy()])?;
    let report = std::fs::read_dir(&data)?
        .filter_map(|e| e.ok().map(|e| e.path().join("report.html")))
        .find(|p| p.exists())
        .context("the demo wrote no report.html")?;
    let url = format!("file://{}", std::fs::canonicalize(&report)?.display());
    for (width, height) in [(1280, 9000), (390, 16000)] {
        let out = dir.join(format!("report-{width}.png"));
        let status = Command::new(chromium)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                &format!("--window-size={width},{height}"),
                &format!(
                    "--screenshot={}",
                    std::fs::canonicalize(dir)?.join(out.file_name().expect("named")).display()
                ),
                &url,
            ])
            .status()
            .with_context(|| format!("cannot run {chromium}; install Debian's chromium package"))?;
        if !status.success() {
            bail!("{chromium} failed with {status}");
        }
        eprintln!("wrote {}", out.display());
    }
    Ok(())
}

/// The CI steps: `.ci/run` itself, so the two can never drift apart.
fn ci() -> Result<()> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.ci/run");
    run("bash", &[script.to_str().context("the repository's path is not UTF-8")?])
}

pub(crate) fn demo_data(out: &Path, config: &demo::DemoConfig) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let registry = fedcx_model::Registry::bundled();
    let responses_path = out.join("responses.csv");
    let details_path = out.join("cx_collection_details.csv");
    let mut responses_file = std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(&responses_path)
            .with_context(|| format!("cannot create {}", responses_path.display()))?,
    );
    let mut details_file = std::io::BufWriter::new(
        std::fs::File::create(&details_path).with_context(|| format!("cannot create {}", details_path.display()))?,
    );
    let (n, d) = demo::generate(&registry, config, &mut responses_file, &mut details_file)?;
    eprintln!(
        "wrote {n} responses to {} and {d} collection details to {}",
        responses_path.display(),
        details_path.display()
    );
    // The balanced-measures inputs, SYNTHETIC in name and content (see data/demo/SYNTHETIC.md).
    use std::io::Write as _;
    let create = |name: String| -> Result<(PathBuf, std::io::BufWriter<std::fs::File>)> {
        let path = out.join(name);
        let file = std::fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok((path, std::io::BufWriter::new(file)))
    };
    for year in demo_balanced::fevs_years() {
        let (path, mut f) = create(format!("fevs-prdf-{year}-SYNTHETIC.csv"))?;
        let rows = demo_balanced::write_fevs(&registry, year, config.seed, &mut f)?;
        f.flush()?;
        eprintln!("wrote {rows} FEVS respondents to {}", path.display());
    }
    let (path, mut f) = create("business-results-SYNTHETIC.csv".to_owned())?;
    let rows = demo_balanced::write_business(&registry, (config.first_year, config.last_year), config.seed, &mut f)?;
    f.flush()?;
    eprintln!("wrote {rows} business measures to {}", path.display());
    for (i, date) in demo_balanced::SNAPSHOT_DATES.iter().enumerate() {
        let (path, mut f) = create(format!("site-scanning-{date}-SYNTHETIC.csv"))?;
        let rows = demo_balanced::write_site_scan(&registry, date.parse()?, i > 0, config.seed, &mut f)?;
        f.flush()?;
        eprintln!("wrote {rows} site scans to {}", path.display());
    }
    Ok(())
}
