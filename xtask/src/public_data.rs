//! `cargo xtask public-data`: performance.gov's published A-11 data (GSA/HISP-CX-Data's merged CSV,
//! bundled as a fixture) turned into a store and a report per quarter by the release CLI, and
//! government-wide satisfaction and trust per quarter set beside the independent reference
//! (scripts/public_data_reference.py) when a Python is given. docs/public-data.md shows the table.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

/// The published file, as bundled.
const MERGED: &str = "crates/fedcx-ingest/tests/fixtures/performance-gov-cx/mergedcxdata-2023-05-21.csv";

/// The quarters the published data covers.
const QUARTERS: [&str; 9] =
    ["FY2021Q1", "FY2021Q2", "FY2021Q3", "FY2021Q4", "FY2022Q1", "FY2022Q2", "FY2022Q3", "FY2022Q4", "FY2023Q1"];

/// A share's (agree, answers) for satisfaction and trust.
type Row = ((u64, u64), (u64, u64));

/// Runs the release CLI over the published data into `target/public-data/` and prints the table.
pub fn public_data(python: Option<&str>) -> Result<()> {
    crate::run("cargo", &["build", "--release", "--quiet", "--bin", "fedcx"])?;
    let dir = Path::new("target/public-data");
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot clear {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir)?;
    let store = dir.join("store.db");
    let fedcx = Path::new("target/release/fedcx");
    let store_arg = store.to_str().context("a UTF-8 path")?;
    crate::run(fedcx.to_str().context("a UTF-8 path")?, &["-q", "--store", store_arg, "ingest", MERGED])?;
    let out = dir.join("out");
    let mut rows = Vec::new();
    for q in QUARTERS {
        let status = Command::new(fedcx)
            .args(["-q", "--store", store_arg, "report", "--quarter", q, "--bootstrap", "0", "--out"])
            .arg(&out)
            .status()
            .context("cannot run the release CLI")?;
        if !status.success() {
            bail!("fedcx report --quarter {q} failed with {status}");
        }
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join(q).join("report.json"))?)?;
        let agree = |question: u64| -> (u64, u64) {
            report["government"]["v1"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|x| x["question"] == question)
                .map_or((0, 0), |x| (x["agree"]["count"].as_u64().unwrap_or(0), x["n"].as_u64().unwrap_or(0)))
        };
        rows.push((q, (agree(1), agree(2))));
    }
    let reference = match python {
        Some(py) => Some(reference(py)?),
        None => None,
    };
    println!("| quarter | satisfaction % agree | agree / answers | trust % agree | agree / answers | reference |");
    println!("|---|---|---|---|---|---|");
    let pct = |(a, n): (u64, u64)| if n == 0 { "-".to_owned() } else { format!("{:.1}", 100.0 * a as f64 / n as f64) };
    let mut differ = 0;
    for (q, (sat, trust)) in &rows {
        let verdict = match reference.as_ref().map(|r| r.iter().find(|(rq, _)| rq == q).map(|(_, v)| *v)) {
            None => "not run".to_owned(),
            Some(None) => {
                differ += 1;
                "missing".to_owned()
            }
            Some(Some(v)) if v == (*sat, *trust) => "equal".to_owned(),
            Some(Some(((a, n), (b, m)))) => {
                differ += 1;
                format!("differs: {a} / {n}, {b} / {m}")
            }
        };
        println!(
            "| FY{} Q{} | {} | {} / {} | {} | {} / {} | {verdict} |",
            &q[2..6],
            &q[7..],
            pct(*sat),
            sat.0,
            sat.1,
            pct(*trust),
            trust.0,
            trust.1
        );
    }
    eprintln!("store and reports in {}", dir.display());
    if differ > 0 {
        bail!("{differ} quarter(s) differ from the reference");
    }
    Ok(())
}

/// The reference script's table, read back: per quarter, satisfaction and trust (agree, answers).
fn reference(python: &str) -> Result<Vec<(String, Row)>> {
    let out = Command::new(python)
        .args(["scripts/public_data_reference.py", MERGED])
        .output()
        .with_context(|| format!("cannot run {python}"))?;
    if !out.status.success() {
        bail!("the reference script failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let text = String::from_utf8(out.stdout)?;
    let number = |s: &str| -> Result<u64> { Ok(s.trim().replace(',', "").parse()?) };
    let pair = |s: &str| -> Result<(u64, u64)> {
        let (a, n) = s.split_once('/').context("agree / answers")?;
        Ok((number(a)?, number(n)?))
    };
    let mut rows = Vec::new();
    for line in text.lines().filter(|l| l.starts_with("| FY")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let quarter = cells[0].replace(' ', "");
        rows.push((quarter, (pair(cells[2])?, pair(cells[4])?)));
    }
    Ok(rows)
}
