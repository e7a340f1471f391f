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

/// The release binary of fedcx, in `CARGO_TARGET_DIR` when it is set.
fn fedcx_release() -> String {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".to_owned());
    format!("{target}/release/fedcx")
}

/// Files of more rows than this are deleted after their run (50 million rows are about 7 GB).
const KEEP_FILES_UP_TO_ROWS: u64 = 10_000_000;

/// Runs of fedcx and each peer on each file, of which the median is kept: on this shared machine
/// one run of the same command can take a fifth longer than the next (the kernel's copies of file
/// pages, not the program, vary).
const RUNS: usize = 3;

/// Respondent rows kept in the store (`--keep-responses`) are measured up to this many: the store
/// holds each as JSON, about 400 bytes, written once to the ingest's temporary file and twice into
/// SQLite (its write-ahead log, then the database), so 10 million need some 12 GB of free disk.
const KEEP_RESPONSES_UP_TO_ROWS: u64 = 1_000_000;

/// One measured run: wall seconds and peak resident memory in MiB.
#[derive(Debug, Clone, Copy)]
struct Measured {
    secs: f64,
    mib: f64,
}

impl Measured {
    /// One run, after `sync`: dirty pages left by whatever ran before (the generator's file, the
    /// previous tool's temporary files) are written back first, not charged to this run.
    fn of(program: &str, args: &[&str]) -> Result<(Measured, String)> {
        crate::run("sync", &[])?;
        let (secs, kib, out) = time_and_memory(program, args)?;
        Ok((Measured { secs, mib: kib as f64 / 1024.0 }, out))
    }

    /// The median wall time of `runs` runs (each as [`Measured::of`]), with the largest peak
    /// memory of any of them, and the output of the median run.
    fn median(program: &str, args: &[&str], runs: usize) -> Result<(Measured, String)> {
        let mut all = (0..runs.max(1)).map(|_| Measured::of(program, args)).collect::<Result<Vec<_>>>()?;
        let mib = all.iter().map(|(m, _)| m.mib).fold(0.0, f64::max);
        all.sort_by(|a, b| a.0.secs.total_cmp(&b.0.secs));
        let (m, out) = all.swap_remove(all.len() / 2);
        Ok((Measured { secs: m.secs, mib }, out))
    }

    fn cell(&self) -> String {
        format!("{:.2} s, {:.1} MiB", self.secs, self.mib)
    }
}

/// A fresh store path under `dir` (the previous run's files removed).
fn fresh_store(dir: &Path, name: &str) -> Result<String> {
    let db = dir.join(name);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    Ok(db.to_str().context("path")?.to_owned())
}

/// `cargo xtask bench ingest --rows N,...`: for each size, the same generated file through fedcx
/// (without a store, into a store, and into a store keeping respondent rows) and through the peers.
pub fn ingest(python: &str, rows: &[u64]) -> Result<()> {
    crate::run("cargo", &["build", "--release", "--quiet", "--bin", "fedcx"])?;
    let fedcx = fedcx_release();
    let mut table = Vec::new();
    let mut notes = Vec::new();
    let mut per_row = Vec::new();
    for &n in rows {
        let dir = PathBuf::from(format!("target/bench-data/all-{n}"));
        let file = dir.join("responses.csv");
        if !file.exists() {
            crate::demo_data(&dir, &DemoConfig { responses: n, ..DemoConfig::default() })?;
        }
        let f = file.to_str().context("path")?.to_owned();
        let size_mb = std::fs::metadata(&file)?.len() as f64 / 1e6;
        let counts = dir.join("counts.json");
        // Stale outputs would let the cross-check pass on an earlier run's numbers, so they go first.
        let _ = std::fs::remove_file(&counts);
        let runs = RUNS;
        let (plain, _) = Measured::median(
            &fedcx,
            &["-q", "ingest", &f, "--format", "csv", "--no-store", "--counts", counts.to_str().context("path")?],
            runs,
        )?;
        let fedcx_answers = fedcx_question_answers(&counts)?;
        let mut peers = Vec::new();
        for tool in ["duckdb", "polars"] {
            let (m, out) = Measured::median(python, &["xtask/bench/ingest_peers.py", tool, &f], runs)?;
            let v: Value = serde_json::from_str(out.trim())?;
            let answers = v["question_answers"].as_u64().context("answers")?;
            if answers != fedcx_answers {
                bail!("{tool} counted {answers} question answers, fedcx {fedcx_answers}: the workloads differ");
            }
            peers.push(m);
        }
        // Into a new store: counts, manifest and one fingerprint per response, in one transaction.
        let db = fresh_store(&dir, "bench.db")?;
        let (stored, _) = Measured::of(&fedcx, &["-q", "--store", &db, "ingest", &f, "--format", "csv"])?;
        // A small new file into that store: the cross-store duplicate check reads and sorts every
        // stored fingerprint (its rows are the first 10,000 of the file, all duplicates).
        let again = dir.join("again.csv");
        {
            use std::io::BufRead;
            let head: Vec<String> =
                std::io::BufReader::new(std::fs::File::open(&file)?).lines().take(10_001).collect::<Result<_, _>>()?;
            std::fs::write(&again, head.join("\n") + "\n\n")?;
        }
        let again_s = again.to_str().context("path")?.to_owned();
        let (recheck, _) = Measured::of(&fedcx, &["-q", "--store", &db, "ingest", &again_s, "--format", "csv"])?;
        let _ = std::fs::remove_file(&again);
        let keep = if n <= KEEP_RESPONSES_UP_TO_ROWS {
            let db = fresh_store(&dir, "bench-keep.db")?;
            let (m, _) =
                Measured::of(&fedcx, &["-q", "--store", &db, "ingest", &f, "--format", "csv", "--keep-responses"])?;
            let _ = fresh_store(&dir, "bench-keep.db")?;
            Some(m)
        } else {
            None
        };
        let _ = fresh_store(&dir, "bench.db")?;
        table.push(format!(
            "| {} ({size_mb:.0} MB) | {:.2} s | {:.2} s | {:.2} s | **{:.2}x** | {:.1} MiB | {} | {} | {} |",
            human(n),
            plain.secs,
            peers[0].secs,
            peers[1].secs,
            peers[0].secs / plain.secs,
            plain.mib,
            stored.cell(),
            recheck.cell(),
            keep.map_or("not run (disk)".to_owned(), |m| m.cell()),
        ));
        per_row.push((n, plain.secs / n as f64));
        notes.push(format!(
            "{}: DuckDB peak {:.0} MiB, polars peak {:.0} MiB; {fedcx_answers} question answers counted by all three.",
            human(n),
            peers[0].mib,
            peers[1].mib
        ));
        if n > KEEP_FILES_UP_TO_ROWS {
            std::fs::remove_dir_all(&dir)?;
        }
    }
    let linear = match (per_row.first(), per_row.last()) {
        (Some((n0, t0)), Some((n1, t1))) if n1 > n0 => format!(
            "Time per row: {:.0} ns at {} and {:.0} ns at {} ({:+.0}%; target within 10%).\n",
            t0 * 1e9,
            human(*n0),
            t1 * 1e9,
            human(*n1),
            (t1 / t0 - 1.0) * 100.0
        ),
        _ => String::new(),
    };
    let body = format!(
        "## Ingest (`cargo xtask bench ingest --python {python} --rows {}`)\n\n\
         Run on {} UTC. Machine: {}. Input: demo responses with fresh ids, native CSV (`cargo xtask demo-data --responses N`).\n\
         DuckDB and polars count answers per service, channel, fiscal quarter, question and answer \
         (`xtask/bench/ingest_peers.py`); fedcx also validates every row, redacts comments, checks every id for \
         duplicates exactly and keeps the reconciliation. Wall time and peak resident memory from GNU time, whole \
         process, each tool on the same file in the same run, after `sync`; fedcx and the peers: the median of 3 runs \
         (peak memory: the largest of the 3); the store columns: one run. *store*: into a new `fedcx.db`; *recheck*: a new file of \
         10,000 of those rows into that store, so every stored fingerprint is read and sorted for the cross-store \
         duplicate check (all 10,000 are duplicates); *keep-responses*: into a new store with `--keep-responses`.\n\n\
         | rows | fedcx `--no-store` | DuckDB | polars | fedcx / DuckDB throughput | fedcx peak | store | recheck | keep-responses |\n\
         |---|---|---|---|---|---|---|---|---|\n{}\n\n{linear}{}\n\n\
         Targets: fedcx / DuckDB throughput at least 1.5x at 10M rows; fedcx peak at most 64 MiB at every size.\n",
        rows.iter().map(u64::to_string).collect::<Vec<_>>().join(","),
        output("date", &["-u", "+%Y-%m-%d %H:%M"]).unwrap_or_default().trim(),
        machine(),
        table.join("\n"),
        notes.join("\n")
    );
    println!("{body}");
    record("ingest", &body)
}

/// 1000000 as `1M`.
fn human(n: u64) -> String {
    if n.is_multiple_of(1_000_000) {
        format!("{}M", n / 1_000_000)
    } else {
        n.to_string()
    }
}

/// Ingests a directory the demo generator wrote: its collection details, then its responses.
fn ingest_demo_dir(registry: &fedcx_model::Registry, dir: &Path) -> Result<fedcx_model::Contribution> {
    use fedcx_ingest::{IngestConfig, Ingestor, Reader};
    let mut ing = Ingestor::new(registry, IngestConfig::default());
    ing.ingest_path(&dir.join("cx_collection_details.csv"), &Reader::Detect, &mut |r| r)?;
    ing.ingest_path(&dir.join("responses.csv"), &Reader::Detect, &mut |r| r)?;
    Ok(ing.finish()?.total)
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
            let part = fedcx_model::Contribution {
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
        let quarter = fedcx_model::Contribution {
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
