//! `cargo xtask bench ...`: fedcx against peer tools, side by side in one run, with the results
//! written into docs/benchmarks.md between markers so each benchmark owns its own section.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::demo::DemoConfig;

/// Machine facts printed with every result.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = output("rustc", &["--version"]).unwrap_or_default();
    format!("{cpu}, {cores} cores; {}", rustc.trim())
}

fn output(program: &str, args: &[&str]) -> Result<String> {
    let out = Command::new(program).args(args).output().with_context(|| format!("cannot run {program}"))?;
    if !out.status.success() {
        bail!("{program} {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// Best wall time of `runs` runs of a whole command.
fn time_command(program: &str, args: &[&str], runs: usize) -> Result<f64> {
    let mut best = f64::INFINITY;
    for _ in 0..runs {
        let t = Instant::now();
        let out = Command::new(program).args(args).output().with_context(|| format!("cannot run {program}"))?;
        let secs = t.elapsed().as_secs_f64();
        if !out.status.success() {
            bail!("{program} {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
        }
        best = best.min(secs);
    }
    Ok(best)
}

/// Replaces the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` in docs/benchmarks.md.
pub fn record(name: &str, body: &str) -> Result<()> {
    let path = Path::new("docs/benchmarks.md");
    let text = std::fs::read_to_string(path).unwrap_or_else(|_| "# Benchmarks\n".to_owned());
    let (open, close) = (format!("<!-- bench:{name} -->"), format!("<!-- /bench:{name} -->"));
    let section = format!("{open}\n{body}\n{close}");
    let new = match (text.find(&open), text.find(&close)) {
        (Some(a), Some(b)) if a < b => format!("{}{}{}", &text[..a], section, &text[b + close.len()..]),
        _ => format!("{}\n{}\n", text.trim_end(), section),
    };
    std::fs::write(path, new)?;
    eprintln!("recorded in {}", path.display());
    Ok(())
}

fn demo_v1(dir: &Path, responses: u64) -> Result<PathBuf> {
    let out = dir.join(format!("v1-{responses}"));
    let file = out.join("responses.csv");
    if !file.exists() {
        // Fiscal years 2022-2023 only, so every respondent answered the version-1 questions the A-11 model uses.
        let config = DemoConfig { responses, seed: 2024, first_year: 2022, last_year: 2023 };
        crate::demo_data(&out, &config)?;
    }
    Ok(file)
}

/// Median of criterion's estimate for a benchmark, in seconds, read from its JSON output.
fn criterion_median(id: &str) -> Result<f64> {
    let path = Path::new("target/criterion").join(id).join("new/estimates.json");
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(&path).with_context(|| format!("no criterion result {}", path.display()))?,
    )?;
    Ok(v["median"]["point_estimate"].as_f64().context("no median")? / 1e9)
}

fn fedcx_in_process(file: &Path, runs: usize) -> Result<(usize, f64)> {
    use fedcx_index::pls::{self, presets, PathModel, PlsConfig};
    let preset = presets::a11();
    let model = PathModel::new(preset.spec)?;
    let wanted: Vec<&str> = model.indicators().collect();
    let input = std::io::BufReader::new(std::fs::File::open(file)?);
    let cols = fedcx_ingest::table::read_numeric_columns(file, input, &wanted)?;
    let data = pls::prepare_data(&model, &cols)?;
    let mut best = f64::INFINITY;
    for _ in 0..runs {
        let t = Instant::now();
        let fit = pls::estimate(&model, &data.matrix, &PlsConfig::default())?;
        best = best.min(t.elapsed().as_secs_f64());
        assert!(fit.converged);
    }
    Ok((data.matrix.nrows(), best))
}

fn python_fit(python: &str, kind: &str, file: &Path, runs: usize) -> Result<(u64, f64)> {
    let out = output(python, &["xtask/bench/plspm_bench.py", kind, file.to_str().context("path")?, &runs.to_string()])?;
    let v: Value = serde_json::from_str(out.trim())?;
    Ok((v["rows"].as_u64().unwrap_or(0), v["best_s"].as_f64().context("best_s")?))
}

fn fmt_secs(s: f64) -> String {
    if s < 1e-3 {
        format!("{:.1} µs", s * 1e6)
    } else if s < 1.0 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

/// `cargo xtask bench pls`.
pub fn pls(python: &str, quick: bool) -> Result<()> {
    crate::run("cargo", &["build", "--release", "--quiet", "--bin", "fedcx"])?;
    crate::run("cargo", &["bench", "-p", "fedcx-index", "--bench", "pls", "--", "--noplot"])?;
    let ecsi = PathBuf::from("crates/fedcx-index/tests/fixtures/ecsi_mobi.csv");
    let data_dir = PathBuf::from("target/bench-data");
    let mut sizes = vec![10_000u64];
    if !quick {
        sizes.push(1_000_000);
    }
    let fedcx = "target/release/fedcx";
    let mut rows = Vec::new();

    // ECSI: criterion for fedcx, timing around the fit call for plspm.
    let fedcx_fit = criterion_median("ecsi/fit/centroid")?;
    let boot = criterion_median("ecsi/bootstrap_1000")?;
    let (_, py_fit) = python_fit(python, "ecsi", &ecsi, 7)?;
    let fedcx_cmd = time_command(
        fedcx,
        &[
            "pls",
            "--data",
            ecsi.to_str().context("path")?,
            "--preset",
            "ecsi",
            "--scheme",
            "centroid",
            "--format",
            "json",
        ],
        5,
    )?;
    let py_cmd = time_command(python, &["xtask/bench/plspm_bench.py", "ecsi", ecsi.to_str().context("path")?, "1"], 3)?;
    rows.push(format!(
        "| ECSI mobi (250 x 24), centroid | {} | {} | {:.0}x | {} | {} | {:.0}x |",
        fmt_secs(fedcx_fit),
        fmt_secs(py_fit),
        py_fit / fedcx_fit,
        fmt_secs(fedcx_cmd),
        fmt_secs(py_cmd),
        py_cmd / fedcx_cmd
    ));
    for n in sizes {
        let file = demo_v1(&data_dir, n)?;
        let (used, fit) = fedcx_in_process(&file, if n > 100_000 { 3 } else { 10 })?;
        let (py_rows, py) = python_fit(python, "a11", &file, if n > 100_000 { 1 } else { 3 })?;
        if py_rows as usize != used {
            bail!("fedcx used {used} rows but plspm {py_rows}: the inputs differ");
        }
        let f = file.to_str().context("path")?;
        let runs = if n > 100_000 { 1 } else { 3 };
        let fedcx_cmd = time_command(fedcx, &["pls", "--data", f, "--preset", "a11", "--format", "json"], runs)?;
        let py_cmd = time_command(python, &["xtask/bench/plspm_bench.py", "a11", f, "1"], runs)?;
        rows.push(format!(
            "| A-11 demo, {n} respondents ({used} complete), path | {} | {} | {:.0}x | {} | {} | {:.0}x |",
            fmt_secs(fit),
            fmt_secs(py),
            py / fit,
            fmt_secs(fedcx_cmd),
            fmt_secs(py_cmd),
            py_cmd / fedcx_cmd
        ));
    }
    let scaling: Vec<String> = [10_000u64, 100_000, 1_000_000]
        .iter()
        .filter_map(|n| {
            criterion_median(&format!("a11_rows/fit/{n}")).ok().map(|s| format!("{n} rows: {}", fmt_secs(s)))
        })
        .collect();
    let body = format!(
        "## PLS path modeling (`cargo xtask bench pls --python {python}`)\n\n\
         Machine: {}. Peer: Python plspm {} (default_scale=Scale.NUM, the textbook solution fedcx matches).\n\
         In-process = the fit call alone (fedcx: criterion median for ECSI, best of repeated `estimate` calls for demo data; \
         plspm: best of repeated `Plspm(...)` calls). Whole command = best wall time of the process, including start-up and reading the CSV.\n\n\
         | data | fedcx fit | plspm fit | ratio | fedcx command | plspm command | ratio |\n|---|---|---|---|---|---|---|\n{}\n\n\
         - 1,000 bootstrap resamples on ECSI (250 rows), both cores: {} (criterion median).\n\
         - Estimator scaling on simulated A-11 data (criterion medians): {}.\n",
        machine(),
        output(python, &["-c", "import importlib.metadata as m; print(m.version('plspm'))"]).unwrap_or_default().trim(),
        rows.join("\n"),
        fmt_secs(boot),
        scaling.join(", ")
    );
    println!("{body}");
    record("pls", &body)
}

/// Wall seconds and peak resident memory (KiB) of a command, measured by GNU time.
fn time_and_memory(program: &str, args: &[&str]) -> Result<(f64, u64, String)> {
    let mut full = vec!["-f", "FEDCX_TIME %e %M", program];
    full.extend_from_slice(args);
    let out = Command::new("/usr/bin/time").args(&full).output().context("cannot run /usr/bin/time")?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        bail!("{program} {} failed: {stderr}", args.join(" "));
    }
    let line = stderr.lines().find(|l| l.starts_with("FEDCX_TIME")).context("no timing line")?;
    let mut parts = line.split_whitespace().skip(1);
    let secs: f64 = parts.next().context("no time")?.parse()?;
    let kib: u64 = parts.next().context("no memory")?.parse()?;
    Ok((secs, kib, String::from_utf8_lossy(&out.stdout).into_owned()))
}

/// The sum of every number in a JSON value, however nested.
fn sum_numbers(v: &Value) -> u64 {
    match v {
        Value::Number(n) => n.as_u64().unwrap_or(0),
        Value::Array(a) => a.iter().map(sum_numbers).sum(),
        _ => 0,
    }
}

/// Counted question answers in fedcx's counts JSON (q1..q11 incl. N/A, and the trust question).
fn fedcx_question_answers(counts: &Path) -> Result<u64> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(counts)?)?;
    let groups = v.as_array().context("counts are a list")?;
    Ok(groups
        .iter()
        .map(|g| {
            let t = &g["tally"];
            sum_numbers(&t["v1"]["scores"])
                + sum_numbers(&t["v1"]["not_applicable"])
                + sum_numbers(&t["v2"]["thumbs"])
                + sum_numbers(&t["v2"]["likert"])
        })
        .sum())
}

/// `cargo xtask bench ingest`.
pub fn ingest(python: &str, quick: bool) -> Result<()> {
    crate::run("cargo", &["build", "--release", "--quiet", "--bin", "fedcx"])?;
    let n: u64 = if quick { 1_000_000 } else { 10_000_000 };
    let dir = PathBuf::from(format!("target/bench-data/all-{n}"));
    let file = dir.join("responses.csv");
    if !file.exists() {
        crate::demo_data(&dir, &DemoConfig { responses: n, ..DemoConfig::default() })?;
    }
    let f = file.to_str().context("path")?;
    let size_mb = std::fs::metadata(&file)?.len() as f64 / 1e6;
    let counts = dir.join("counts.json");
    // Stale outputs would let the cross-check pass on an earlier run's numbers, so they go first; and
    // the history store is left out: a store already holding the file refuses it and does no work.
    let _ = std::fs::remove_file(&counts);
    let _ = std::fs::remove_file(dir.join("summary.json"));
    let (fedcx_s, fedcx_kib, _) = time_and_memory(
        "target/release/fedcx",
        &[
            "ingest",
            f,
            "--format",
            "csv",
            "--no-store",
            "--counts",
            counts.to_str().context("path")?,
            "--summary",
            dir.join("summary.json").to_str().context("path")?,
        ],
    )?;
    let fedcx_answers = fedcx_question_answers(&counts)?;
    let mut rows = vec![format!(
        "| fedcx (validate + count) | {fedcx_s:.2} s | {:.0} MB/s | {:.2} M rows/s | {:.1} MiB |",
        size_mb / fedcx_s,
        n as f64 / fedcx_s / 1e6,
        fedcx_kib as f64 / 1024.0
    )];
    let mut duck_s = f64::NAN;
    for tool in ["duckdb", "polars"] {
        let (s, kib, out) = time_and_memory(python, &["xtask/bench/ingest_peers.py", tool, f])?;
        let v: Value = serde_json::from_str(out.trim())?;
        let answers = v["question_answers"].as_u64().context("answers")?;
        if answers != fedcx_answers {
            bail!("{tool} counted {answers} question answers, fedcx {fedcx_answers}: the workloads differ");
        }
        if tool == "duckdb" {
            duck_s = s;
        }
        rows.push(format!(
            "| {tool} {} | {s:.2} s | {:.0} MB/s | {:.2} M rows/s | {:.1} MiB |",
            output(python, &["-c", &format!("import {tool}; print({tool}.__version__)")]).unwrap_or_default().trim(),
            size_mb / s,
            n as f64 / s / 1e6,
            kib as f64 / 1024.0
        ));
    }
    let body = format!(
        "## Ingest (`cargo xtask bench ingest --python {python}`{})\n\n\
         Machine: {}. Input: {n} demo responses, {size_mb:.0} MB of native CSV (`cargo xtask demo-data --responses {n}`).\n\
         Each tool counts answers per service, channel, fiscal quarter, question and answer; fedcx also validates every \
         row, redacts comments, drops duplicate ids and keeps the reconciliation. The run checks that fedcx and the peers \
         counted the same {fedcx_answers} question answers. Wall time and peak resident memory from GNU time, whole process.\n\n\
         | tool | wall | throughput | rows | peak memory |\n|---|---|---|---|---|\n{}\n\n\
         fedcx / DuckDB throughput: **{:.2}x** (target 1.5x); fedcx peak memory {:.1} MiB (target 64 MiB).\n",
        if quick { " --quick" } else { "" },
        machine(),
        rows.join("\n"),
        duck_s / fedcx_s,
        fedcx_kib as f64 / 1024.0
    );
    println!("{body}");
    record("ingest", &body)
}

/// Ingests a directory the demo generator wrote: its collection details, then its responses.
fn ingest_demo_dir(registry: &fedcx_model::Registry, dir: &Path) -> Result<fedcx_ingest::IngestResult> {
    use fedcx_ingest::{IngestConfig, Ingestor, Reader};
    let mut ing = Ingestor::new(registry, IngestConfig::default());
    ing.ingest_path(&dir.join("cx_collection_details.csv"), &Reader::Detect, &mut |r| r)?;
    ing.ingest_path(&dir.join("responses.csv"), &Reader::Detect, &mut |r| r)?;
    Ok(ing.finish()?)
}

/// `cargo xtask bench report`: a government-wide fiscal-year report from counts (all 35 HISPs, all
/// services and channels, four quarters), every format, written to disk.
pub fn report() -> Result<()> {
    let registry = fedcx_model::Registry::bundled();
    let dir = PathBuf::from("target/bench-data/fy2025");
    let config = DemoConfig { responses: 400_000, seed: 7, first_year: 2025, last_year: 2025 };
    if !dir.join("responses.csv").exists() {
        crate::demo_data(&dir, &config)?;
    }
    let data = ingest_demo_dir(&registry, &dir)?;
    let out = dir.join("out");
    let traffic = std::collections::BTreeMap::new();
    let balanced = fedcx_model::balanced::BalancedInputs::default();
    let classification = fedcx_model::ChannelClassification::fedcx();
    let mut best = f64::INFINITY;
    let mut files = 0;
    for _ in 0..5 {
        let t = Instant::now();
        files = 0;
        for q in fedcx_model::Quarter::ALL {
            let quarter = fedcx_model::FiscalQuarter::new(2025, q)?;
            let input = fedcx_a11::ReportInput {
                registry: &registry,
                counts: &data.counts,
                details: &data.details,
                responses: &[],
                benchmarks: &[],
                published: &[],
                web_traffic: &traffic,
                index: None,
                quarter,
                scores: fedcx_index::scores::ScoreConfig::default(),
                reflection: None,
                strict: false,
                demo: false,
                scope: None,
                balanced: &balanced,
                classification: &classification,
            };
            let written = fedcx_a11::write_quarter(&out, &input)?;
            files += std::fs::read_dir(&written)?.count();
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    let body = format!(
        "## Report (`cargo xtask bench report`)\n\n\
         Machine: {}. Counts for FY2025 from {} demo responses: {} groups (service x channel x quarter), {} collection \
         details, all 35 HISPs and {} services. Timed: building and writing every output of the four quarters (records \
         as CSV and JSON, report as Markdown, HTML with SVG charts, XLSX and JSON; {files} files), best of 5 runs, \
         in-process, release build.\n\n\
         **{}** for the whole fiscal year (target: under 1 s).\n",
        machine(),
        config.responses,
        data.counts.len(),
        data.details.len(),
        registry.services().count(),
        fmt_secs(best)
    );
    println!("{body}");
    record("report", &body)
}

/// `cargo xtask bench store`: loading one quarter's counts for all HISPs into the store, and reading
/// eight quarters back for a report.
pub fn store() -> Result<()> {
    let registry = fedcx_model::Registry::bundled();
    let dir = PathBuf::from("target/bench-data/store");
    // Eight quarters of data, so reading eight back reads real rows.
    let config = DemoConfig { responses: 800_000, seed: 11, first_year: 2024, last_year: 2025 };
    if !dir.join("responses.csv").exists() {
        crate::demo_data(&dir, &config)?;
    }
    let data = ingest_demo_dir(&registry, &dir)?;
    let quarters = data.counts.quarters();
    let last = *quarters.last().context("no quarters")?;
    let mut best_load = f64::INFINITY;
    let mut best_read = f64::INFINITY;
    let mut cells = 0;
    for run in 0..5 {
        let db = dir.join(format!("bench-{run}.db"));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        let mut store = fedcx_store::Store::open(&db)?;
        // The seven earlier quarters are already in the store, as they would be in practice.
        for &q in &quarters[..quarters.len() - 1] {
            let part = fedcx_store::FileContribution {
                counts: data
                    .counts
                    .iter()
                    .filter(|(k, _)| k.quarter == q)
                    .map(|(k, t)| (k.clone(), t.clone()))
                    .collect(),
                details: data.details.iter().filter(|d| d.quarter == q).cloned().collect(),
                ..Default::default()
            };
            store.record(&entry(&format!("{q}")), &part, &mut |_| {})?;
        }
        let quarter = fedcx_store::FileContribution {
            counts: data
                .counts
                .iter()
                .filter(|(k, _)| k.quarter == last)
                .map(|(k, t)| (k.clone(), t.clone()))
                .collect(),
            details: data.details.iter().filter(|d| d.quarter == last).cloned().collect(),
            ..Default::default()
        };
        cells = quarter.counts.iter().map(|(_, t)| t.cells().len()).sum::<usize>();
        let t = Instant::now();
        store.record(&entry("latest"), &quarter, &mut |_| {})?;
        best_load = best_load.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let loaded = store.load(&last.trailing(8))?;
        best_read = best_read.min(t.elapsed().as_secs_f64());
        if loaded.counts != data.counts {
            bail!("the store did not give back the counts it was given");
        }
    }
    let body = format!(
        "## History store (`cargo xtask bench store`)\n\n\
         Machine: {}. Eight quarters of demo data ({} responses, all 35 HISPs): {} groups. Timed, best of 5, in-process, \
         release build, SQLite in WAL mode on local disk:\n\n\
         - loading one quarter's counts for all HISPs ({cells} long-form rows and the quarter's collection details) in one transaction: **{}**\n\
         - reading eight quarters back for a report (counts rebuilt from long form, details, series): **{}**\n\n\
         The run checks that what is read back equals what was stored. Target: well under a second each.\n",
        machine(),
        config.responses,
        data.counts.len(),
        fmt_secs(best_load),
        fmt_secs(best_read)
    );
    println!("{body}");
    record("store", &body)
}

fn entry(name: &str) -> fedcx_store::ManifestEntry {
    use sha2::Digest as _;
    fedcx_store::ManifestEntry {
        sha256: fedcx_model::Digest(sha2::Sha256::digest(name.as_bytes()).into()),
        path: name.to_owned(),
        format: fedcx_model::Format::Csv,
        ingested_at: chrono::Utc::now(),
        reconciliation: Default::default(),
    }
}
