//! The history store from the command line: where it is, recording ingests into it, and the
//! `provenance` and `export` commands.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use fedcx_ingest::IngestResult;
use fedcx_model::{FiscalQuarter, ServiceId};
use fedcx_store::{FileRecord, IngestLock, ManifestEntry, Recorded, Store};

/// Where the history store is, and whether the user named it.
#[derive(Debug, Clone)]
pub struct Location {
    /// The database file.
    pub path: PathBuf,
    /// Named by `--store`, `FEDCX_STORE` or `fedcx.toml` rather than the default `./fedcx.db`: a
    /// named store that does not exist is an error for commands that read it.
    pub explicit: bool,
}

impl Location {
    /// Opens the store for a command that only reads it.
    pub fn open_read_only(&self) -> Result<Store> {
        Ok(Store::open_read_only(&self.path)?)
    }
}

/// The keys `fedcx.toml` may hold: `store`, the history store's path (relative to the directory
/// fedcx runs in). Documented in the README.
pub const CONFIG_KEYS: [&str; 1] = ["store"];

/// The store's location: `--store`, else `FEDCX_STORE`, else `store = "..."` in `./fedcx.toml`,
/// else `./fedcx.db`.
pub fn resolve(flag: Option<&Path>) -> Result<Location> {
    resolve_path(flag).map(|(path, explicit)| Location { path, explicit })
}

fn resolve_path(flag: Option<&Path>) -> Result<(PathBuf, bool)> {
    if let Some(p) = flag {
        return Ok((p.to_owned(), true));
    }
    if let Some(p) = std::env::var_os("FEDCX_STORE").filter(|v| !v.is_empty()) {
        return Ok((PathBuf::from(p), true));
    }
    let config = Path::new("fedcx.toml");
    if config.exists() {
        let text = std::fs::read_to_string(config).context("cannot read fedcx.toml")?;
        let table: toml::Table = text.parse().context("fedcx.toml is not valid TOML")?;
        // A misspelt key would otherwise be ignored and the default store used without a word.
        if let Some(unknown) = table.keys().find(|k| !CONFIG_KEYS.contains(&k.as_str())) {
            anyhow::bail!("fedcx.toml: unknown key `{unknown}` (valid keys: {})", CONFIG_KEYS.join(", "));
        }
        if let Some(v) = table.get("store") {
            let s = v.as_str().context("fedcx.toml: `store` must be a path in quotes")?;
            return Ok((PathBuf::from(s), true));
        }
    }
    Ok((PathBuf::from("fedcx.db"), false))
}

/// Now, to the second (the store keeps times to the second).
fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::{SubsecRound, Utc};
    Utc::now().trunc_subsecs(0)
}

/// What of an ingest the store keeps beyond counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Keep {
    /// Respondent-level answers.
    pub responses: bool,
    /// Their free-text comments (already redacted).
    pub comments: bool,
}

/// Records an ingest's files under the lock it read the store with, in one transaction, and says
/// what happened to each; the answer is how many were refused because the store already held
/// their content. Files at the indices in `skip` (into `result.files`) are not recorded; the files
/// of `again` (read again for their respondent-level rows) add those rows. The files
/// in `forget` (by SHA-256: `--replace`) are taken out in the same transaction, and only if every
/// new file is stored.
pub fn record(
    lock: IngestLock<'_>,
    registry: &fedcx_model::Registry,
    (result, again): (&IngestResult, &[IngestResult]),
    keep: Keep,
    skip: &[usize],
    forget: &[fedcx_model::Digest],
) -> Result<usize> {
    let path = lock.store().path().to_owned();
    let path = path.as_path();
    lock.record_registry(registry, now())?;
    let when = now();
    let stream_error = |e: fedcx_ingest::IngestError| -> fedcx_store::StreamError { Box::new(e) };
    let mut files: Vec<FileRecord<'_>> = Vec::new();
    let new = result.per_file.iter().filter(|d| !skip.contains(&d.report_index)).map(|d| (result, d, false));
    let refills = again.iter().flat_map(|r| r.per_file.iter().map(move |d| (r, d, true)));
    for (result, d, only_responses) in new.chain(refills) {
        let f = &result.files[d.report_index];
        let entry = ManifestEntry {
            sha256: f.sha256,
            path: super::shown(&f.path),
            format: f.format,
            ingested_at: when,
            reconciliation: f.reconciliation.clone(),
        };
        let mut record = FileRecord::new(entry, &d.contribution);
        record.only_responses = only_responses;
        record.balanced = d.balanced.as_ref();
        record.fingerprints = Box::new(d.fingerprints().map(move |fp| fp.map_err(stream_error)));
        if keep.responses {
            // Streamed from the ingest's temporary file into the transaction, never collected.
            record.responses = Box::new(d.responses().map(move |r| {
                r.map(|r| fedcx_model::SurveyResponse { comment: if keep.comments { r.comment } else { None }, ..r })
                    .map_err(stream_error)
            }));
        }
        files.push(record);
    }
    let names: Vec<String> = files.iter().map(|f| f.entry.path.clone()).collect();
    // A test hook: pause inside the transaction so a test can kill the process there.
    let stall = std::env::var("FEDCX_TEST_STALL_IN_TRANSACTION_MS").ok().and_then(|v| v.parse::<u64>().ok());
    let recorded = lock.replace_and_record(forget, when, files, &mut |_| {
        if let Some(ms) = stall {
            std::thread::sleep(std::time::Duration::from_millis(ms));
        }
    });
    let (forgotten, outcomes) = match recorded {
        // A refusal, not a failure: the store is as it was.
        Err(e @ fedcx_store::StoreError::NotReplaced { .. }) => {
            return Err(super::Refused { message: Some(e.to_string()) }.into())
        }
        other => other?,
    };
    for e in forgotten {
        super::say!(
            "replaced {} (sha256 {}, {} accepted rows, ingested {})",
            super::escape_controls(&e.path),
            e.sha256,
            e.reconciliation.accepted,
            e.ingested_at
        );
    }
    let mut refused = 0;
    for (name, outcome) in names.iter().zip(outcomes) {
        match outcome {
            Recorded::Stored => super::say!("stored {} in {}", name, super::shown(path)),
            Recorded::ResponsesAdded(n) => super::say!(
                "added {n} respondent-level rows to {name} in {} (its counts were already there and are unchanged)",
                super::shown(path)
            ),
            Recorded::AlreadyIngested(e) => {
                refused += 1;
                eprintln!(
                    "{}: refused: the same content was already ingested from {} on {} (sha256 {}); nothing was added",
                    name,
                    super::escape_controls(&e.path),
                    e.ingested_at,
                    e.sha256
                )
            }
        }
    }
    Ok(refused)
}

/// The SHA-256 of an ingested file named by its hash, by a file with the same content, or by the
/// path it was ingested from.
pub fn stored_sha(store: &Store, named: &str) -> Result<fedcx_model::Digest> {
    if let Ok(d) = named.parse::<fedcx_model::Digest>() {
        return Ok(d);
    }
    let p = Path::new(named);
    if p.is_file() {
        return Ok(fedcx_ingest::pipeline::hash_file(p)?);
    }
    let matches: Vec<ManifestEntry> = store.manifest()?.into_iter().filter(|e| e.path == named).collect();
    match matches.as_slice() {
        [one] => Ok(one.sha256),
        [] => {
            anyhow::bail!("{named:?} is neither an ingested file's SHA-256, a file, nor a path the store has ingested")
        }
        many => anyhow::bail!(
            "{} files were ingested from {named:?}; name one by its SHA-256: {}",
            many.len(),
            many.iter().map(|e| e.sha256.to_string()).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Arguments of `fedcx forget`.
#[derive(clap::Args)]
pub struct ForgetArgs {
    /// The ingested file: its SHA-256, a file with the same content, or the path it was ingested from.
    file: String,
}

/// `fedcx forget`: takes one ingested file's contribution out of the store, in one transaction.
pub fn forget(location: &Location, args: &ForgetArgs) -> Result<()> {
    if !location.path.exists() {
        anyhow::bail!("{}: no store there", super::shown(&location.path));
    }
    let mut store = Store::open(&location.path)?;
    let sha = stored_sha(&store, &args.file)?;
    let e = store.forget(&sha, now(), "fedcx forget")?;
    println!(
        "forgot {} (sha256 {}, {} accepted rows, ingested {}); the store no longer counts it",
        super::escape_controls(&e.path),
        e.sha256,
        e.reconciliation.accepted,
        e.ingested_at
    );
    Ok(())
}

/// Arguments of `fedcx provenance`.
#[derive(clap::Args)]
pub struct ProvenanceArgs {
    /// The service.
    #[arg(long)]
    service: ServiceId,
    /// The fiscal quarter, e.g. FY2025Q2.
    #[arg(long, value_parser = super::report::parse_quarter)]
    quarter: FiscalQuarter,
}

/// `fedcx provenance`: the files a service's numbers in a quarter come from.
pub fn provenance(location: &Location, args: &ProvenanceArgs) -> Result<()> {
    let store = location.open_read_only()?;
    let rows = store.provenance(&args.service, args.quarter)?;
    if rows.is_empty() {
        println!("no ingested file has counts for {} in {}", args.service, args.quarter);
        return Ok(());
    }
    println!(
        "{} in {}: {} respondents from {} file(s)",
        args.service,
        args.quarter,
        rows.iter().map(|r| r.1).sum::<u64>(),
        rows.len()
    );
    for (e, n) in rows {
        println!(
            "  {n:>8} respondents  {}  ({}, ingested {}, sha256 {}; file: {} read, {} accepted, {} rejected, {} duplicates)",
            super::escape_controls(&e.path), e.format, e.ingested_at, e.sha256, e.reconciliation.read, e.reconciliation.accepted, e.reconciliation.rejected, e.reconciliation.duplicates
        );
    }
    for (e, at, why) in store.forgotten()? {
        println!(
            "  removed  {}  ({}, ingested {}, sha256 {}, {} accepted rows; removed {at}: {})",
            super::escape_controls(&e.path),
            e.format,
            e.ingested_at,
            e.sha256,
            e.reconciliation.accepted,
            super::escape_controls(&why)
        );
    }
    Ok(())
}

/// Arguments of `fedcx export`.
#[derive(clap::Args)]
pub struct ExportArgs {
    /// The output format: csv, or parquet (columns service, channel, quarter, item, point: UTF-8; n: INT64).
    #[arg(long, default_value = "csv", value_parser = ["csv", "parquet"])]
    format: String,
    /// The file to write.
    #[arg(long)]
    out: PathBuf,
}

/// `fedcx export`: every count in long form, summed over files, for other engines.
pub fn export(location: &Location, args: &ExportArgs) -> Result<()> {
    let store = location.open_read_only()?;
    let cells = store.cells()?;
    if args.format == "parquet" {
        super::write_output(&args.out, &parquet_bytes(&cells)?)?;
        super::report_written(&args.out, &format!("exported {} counts", cells.len()));
        return Ok(());
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(fedcx_ingest::counts::COUNTS_HEADER)?;
    for c in &cells {
        w.write_record([c.service.as_str(), &c.channel, &c.quarter, &c.item, &c.point, &c.n.to_string()])?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("cannot finish the CSV: {e}"))?;
    super::write_output(&args.out, &bytes)?;
    super::report_written(&args.out, &format!("exported {} counts", cells.len()));
    Ok(())
}

/// The long-form counts as one Parquet row group, readable by Spark, DataFusion, DuckDB and polars.
fn parquet_bytes(cells: &[fedcx_store::LongCell]) -> Result<Vec<u8>> {
    use std::sync::Arc;

    use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;

    let schema = Arc::new(parse_message_type(
        "message counts {
            REQUIRED BYTE_ARRAY service (UTF8);
            REQUIRED BYTE_ARRAY channel (UTF8);
            REQUIRED BYTE_ARRAY quarter (UTF8);
            REQUIRED BYTE_ARRAY item (UTF8);
            REQUIRED BYTE_ARRAY point (UTF8);
            REQUIRED INT64 n;
        }",
    )?);
    let props = Arc::new(WriterProperties::builder().set_created_by("fedcx".to_owned()).build());
    let mut out = Vec::new();
    let mut writer = SerializedFileWriter::new(&mut out, schema, props)?;
    let mut group = writer.next_row_group()?;
    let text_columns: [fn(&fedcx_store::LongCell) -> &str; 5] =
        [|c| &c.service, |c| &c.channel, |c| &c.quarter, |c| &c.item, |c| &c.point];
    for get in text_columns {
        let values: Vec<ByteArray> = cells.iter().map(|c| ByteArray::from(get(c))).collect();
        let mut col = group.next_column()?.context("the schema has six columns")?;
        col.typed::<ByteArrayType>().write_batch(&values, None, None)?;
        col.close()?;
    }
    let counts: Vec<i64> = cells.iter().map(|c| i64::try_from(c.n).unwrap_or(i64::MAX)).collect();
    let mut col = group.next_column()?.context("the schema has six columns")?;
    col.typed::<Int64Type>().write_batch(&counts, None, None)?;
    col.close()?;
    group.close()?;
    writer.close()?;
    Ok(out)
}
