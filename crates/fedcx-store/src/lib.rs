//! The history store: everything fedcx has ingested, kept in an embedded SQLite database so quarters
//! accumulate and trends need no re-ingest. It stores counts in long form (one row per file, service,
//! channel, quarter, item and point), the manifest of ingested files with their reconciliation, the
//! collection details, benchmark and web-traffic series, the balanced-measures inputs (FEVS
//! counts, business results, Site Scanning snapshots; [`Store::load_balanced`]), and the registry
//! in use.
//!
//! One ingest is one transaction: a crash or a refused file leaves the store as it was. The schema is
//! versioned and migrated on open; a store written by a newer fedcx is refused. An ingest holds the
//! write lock from before it reads the store until it commits ([`Store::lock_for_ingest`]), so two
//! processes ingesting at once store what they would one after the other; WAL mode lets readers
//! work meanwhile.
//!
//! # Example
//!
//! ```no_run
//! use std::path::Path;
//!
//! use fedcx_store::Store;
//!
//! // Opens (creating or migrating as needed) a store and lists the quarters it holds.
//! let store = Store::open(Path::new("fedcx-history.sqlite"))?;
//! for quarter in store.quarters()? {
//!     println!("{quarter}");
//! }
//! # Ok::<(), fedcx_store::StoreError>(())
//! ```

#![warn(missing_docs)]

mod balanced;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use fedcx_model::{
    BenchmarkPoint, Channel, Contribution, Digest, FiscalQuarter, Format, GroupKey, Reconciliation, Registry,
    ServiceId, SurveyResponse, Tally, MAX_COUNT,
};
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};

/// The schema migrations, in order. Migration `i` takes the store from version `i` to `i + 1`; the
/// version is kept in SQLite's `user_version`. Never edit a released migration: add a new one.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    "CREATE TABLE ingest_file (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL,
        format TEXT NOT NULL,
        ingested_at TEXT NOT NULL,
        rows_read INTEGER NOT NULL,
        accepted INTEGER NOT NULL,
        rejected INTEGER NOT NULL,
        duplicates INTEGER NOT NULL,
        rejected_by_reason TEXT NOT NULL,
        redactions TEXT NOT NULL
    );
    CREATE TABLE count_cell (
        file_id INTEGER NOT NULL REFERENCES ingest_file(id),
        service TEXT NOT NULL,
        channel TEXT NOT NULL,
        quarter TEXT NOT NULL,
        item TEXT NOT NULL,
        point TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (file_id, service, channel, quarter, item, point)
    ) WITHOUT ROWID;
    CREATE INDEX count_cell_by_quarter ON count_cell (quarter, service);
    CREATE TABLE collection_detail (
        file_id INTEGER NOT NULL REFERENCES ingest_file(id),
        quarter TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE INDEX collection_detail_by_quarter ON collection_detail (quarter);
    CREATE TABLE benchmark (
        file_id INTEGER NOT NULL REFERENCES ingest_file(id),
        series TEXT NOT NULL,
        year INTEGER NOT NULL,
        value TEXT NOT NULL
    );
    CREATE TABLE web_traffic (
        file_id INTEGER NOT NULL REFERENCES ingest_file(id),
        domain TEXT NOT NULL,
        month TEXT NOT NULL,
        visits INTEGER NOT NULL
    );
    CREATE TABLE registry (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        toml TEXT NOT NULL,
        first_used_at TEXT NOT NULL
    );",
    // 2: respondent-level answers, kept only when asked for (`ingest --keep-responses`), so reports
    // from the store can write the 17-column uploads and estimate the index. Free text is kept only
    // when asked for as well, and it is redacted before it gets here.
    "CREATE TABLE response (
        file_id INTEGER NOT NULL REFERENCES ingest_file(id),
        quarter TEXT NOT NULL,
        response TEXT NOT NULL
    );
    CREATE INDEX response_by_quarter ON response (quarter);",
    // 3: files taken out again (`fedcx forget`, `ingest --replace`): what was removed and when, so
    // provenance can still say where a number went.
    "CREATE TABLE forgotten_file (
        sha256 TEXT NOT NULL,
        path TEXT NOT NULL,
        format TEXT NOT NULL,
        ingested_at TEXT NOT NULL,
        accepted INTEGER NOT NULL,
        forgotten_at TEXT NOT NULL,
        reason TEXT NOT NULL
    );",
    // 4: a fingerprint of every accepted response (service, quarter or detail, and id), so a
    // response already in the store is a duplicate in any later ingest.
    "CREATE TABLE response_fingerprint (
        file_id INTEGER NOT NULL REFERENCES ingest_file(id),
        fp BLOB NOT NULL
    );
    CREATE INDEX response_fingerprint_by_file ON response_fingerprint (file_id);",
    // 5: the figures performance.gov published for FY2019-20 (volumes and each driver's mean on the
    // 1-5 scale), one row per source row, as the JSON of `PublishedMeans`.
    "CREATE TABLE published_means (
        file_id INTEGER NOT NULL REFERENCES ingest_file(id),
        quarter TEXT NOT NULL,
        service TEXT NOT NULL,
        record TEXT NOT NULL
    );
    CREATE INDEX published_means_by_quarter ON published_means (quarter);",
    // 6: each file's whole reconciliation (exclusions, warnings, the line account), as the JSON of
    // `Reconciliation`. Files recorded before have NULL here and keep the counts of migration 1.
    "ALTER TABLE ingest_file ADD COLUMN reconciliation TEXT;",
    // 7: the balanced-measures inputs (see `balanced`), per file: a FEVS file's weighted counts
    // (the JSON of `FevsCounts`), a business-results file's measures (one row each, the JSON of
    // `BusinessMeasure`), a Site Scanning snapshot (its date, source and the JSON of its scans).
    "CREATE TABLE fevs_counts (
        file_id INTEGER NOT NULL REFERENCES ingest_file(id),
        year INTEGER NOT NULL,
        counts TEXT NOT NULL
    );
    CREATE TABLE business_measure (
        file_id INTEGER NOT NULL REFERENCES ingest_file(id),
        service TEXT NOT NULL,
        quarter TEXT NOT NULL,
        metric TEXT NOT NULL,
        measure TEXT NOT NULL
    );
    CREATE INDEX business_measure_by_file ON business_measure (file_id);
    CREATE TABLE site_snapshot (
        file_id INTEGER NOT NULL REFERENCES ingest_file(id),
        taken TEXT NOT NULL,
        source TEXT NOT NULL,
        scans TEXT NOT NULL
    );",
];

/// The manifest columns [`row_to_entry_at`] reads, in its order.
const ENTRY_COLUMNS: &str =
    "sha256, path, format, ingested_at, rows_read, accepted, rejected, duplicates, rejected_by_reason, redactions, reconciliation";
/// How many they are.
const ENTRY_COLUMN_COUNT: usize = 11;

/// Removes one file's rows inside a transaction and notes the removal.
fn forget_in(
    tx: &Connection,
    path: &Path,
    sha256: &Digest,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<ManifestEntry, StoreError> {
    let sql = |source| StoreError::Sqlite { path: path.to_owned(), source };
    let found = tx
        .query_row(
            &format!("SELECT id, {ENTRY_COLUMNS} FROM ingest_file WHERE sha256 = ?1"),
            [sha256.to_string()],
            |r| Ok((r.get::<_, i64>(0)?, row_to_entry_at(r, 1)?)),
        )
        .optional()
        .map_err(sql)?;
    let Some((id, entry)) = found else {
        return Err(StoreError::NotIngested { path: path.to_owned(), sha256: sha256.to_string() });
    };
    let entry = entry.map_err(|why| StoreError::Damaged { path: path.to_owned(), what: "manifest entry", why })?;
    for table in [
        "count_cell",
        "collection_detail",
        "benchmark",
        "web_traffic",
        "response",
        "response_fingerprint",
        "published_means",
    ]
    .into_iter()
    .chain(balanced::TABLES)
    {
        tx.execute(&format!("DELETE FROM {table} WHERE file_id = ?1"), [id]).map_err(sql)?;
    }
    tx.execute("DELETE FROM ingest_file WHERE id = ?1", [id]).map_err(sql)?;
    tx.execute(
        "INSERT INTO forgotten_file (sha256, path, format, ingested_at, accepted, forgotten_at, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            entry.sha256.to_string(),
            entry.path,
            entry.format.as_str(),
            timestamp(entry.ingested_at),
            int(entry.reconciliation.accepted, path)?,
            timestamp(now),
            reason
        ],
    )
    .map_err(sql)?;
    Ok(entry)
}

/// Inserts everything one file contributed under its manifest row `file_id`: counts, details,
/// series, and, streamed from the file's record, respondent-level answers and fingerprints.
/// `done` counts the rows written, for `progress`.
fn insert_contribution(
    tx: &Connection,
    path: &Path,
    file_id: i64,
    file: &mut FileRecord<'_>,
    (done, progress): (&mut usize, &mut dyn FnMut(usize)),
) -> Result<(), StoreError> {
    let sql = |source| StoreError::Sqlite { path: path.to_owned(), source };
    let stream = |source| StoreError::Stream { path: path.to_owned(), source };
    let contribution = file.contribution;
    let path = path.to_owned();
    let mut insert = tx
        .prepare_cached("INSERT INTO count_cell (file_id, service, channel, quarter, item, point, n) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
        .map_err(sql)?;
    for (key, n) in long_cells(contribution) {
        let [service, channel, quarter, item, point] = &key;
        if n > MAX_COUNT {
            let what = format!("the count of {service} {channel} {quarter} {item}/{point}");
            return Err(StoreError::TooLarge { path: path.clone(), what });
        }
        insert.execute(params![file_id, service, channel, quarter, item, point, int(n, &path)?]).map_err(sql)?;
        *done += 1;
        if *done % 10_000 == 0 {
            progress(*done);
        }
    }
    let mut insert = tx
        .prepare_cached("INSERT INTO collection_detail (file_id, quarter, detail) VALUES (?1, ?2, ?3)")
        .map_err(sql)?;
    for d in &contribution.details {
        let json = serde_json::to_string(d).expect("details serialise");
        insert.execute(params![file_id, d.quarter.compact(), json]).map_err(sql)?;
    }
    let mut insert = tx
        .prepare_cached("INSERT INTO benchmark (file_id, series, year, value) VALUES (?1, ?2, ?3, ?4)")
        .map_err(sql)?;
    for b in &contribution.benchmarks {
        insert.execute(params![file_id, b.series, b.year, b.value.to_string()]).map_err(sql)?;
    }
    let mut insert = tx
        .prepare_cached("INSERT INTO web_traffic (file_id, domain, month, visits) VALUES (?1, ?2, ?3, ?4)")
        .map_err(sql)?;
    for ((domain, month), visits) in &contribution.web_traffic {
        if *visits > MAX_COUNT {
            let what = format!("the visits to {domain} in {month}");
            return Err(StoreError::TooLarge { path: path.clone(), what });
        }
        insert.execute(params![file_id, domain, month.to_string(), int(*visits, &path)?]).map_err(sql)?;
    }
    let mut insert = tx
        .prepare_cached("INSERT INTO published_means (file_id, quarter, service, record) VALUES (?1, ?2, ?3, ?4)")
        .map_err(sql)?;
    for p in &contribution.published {
        let json = serde_json::to_string(p).expect("published means serialise");
        insert.execute(params![file_id, p.quarter.compact(), p.service.as_str(), json]).map_err(sql)?;
    }
    insert_responses(tx, &path, file_id, file, (done, progress))?;
    let mut insert =
        tx.prepare_cached("INSERT INTO response_fingerprint (file_id, fp) VALUES (?1, ?2)").map_err(sql)?;
    for fp in &mut file.fingerprints {
        insert.execute(params![file_id, &fp.map_err(stream)?.to_be_bytes()[..]]).map_err(sql)?;
    }
    balanced::insert(tx, &path, file_id, file.balanced)?;
    Ok(())
}

/// Inserts the respondent-level answers streamed from `file` under `file_id`; the answer is how
/// many.
fn insert_responses(
    tx: &Connection,
    path: &Path,
    file_id: i64,
    file: &mut FileRecord<'_>,
    (done, progress): (&mut usize, &mut dyn FnMut(usize)),
) -> Result<u64, StoreError> {
    let sql = |source| StoreError::Sqlite { path: path.to_owned(), source };
    let mut insert =
        tx.prepare_cached("INSERT INTO response (file_id, quarter, response) VALUES (?1, ?2, ?3)").map_err(sql)?;
    let mut n = 0;
    for r in &mut file.responses {
        let r = r.map_err(|source| StoreError::Stream { path: path.to_owned(), source })?;
        // Ingest rejects a response without a fiscal quarter, so one here is a bug: say so
        // rather than drop it.
        let q = r.fiscal_quarter().map_err(|e| StoreError::Damaged {
            path: path.to_owned(),
            what: "response",
            why: format!("response {} has no fiscal quarter: {e}", r.id),
        })?;
        let json = serde_json::to_string(&r).expect("responses serialise");
        insert.execute(params![file_id, q.compact(), json]).map_err(sql)?;
        n += 1;
        *done += 1;
        if *done % 10_000 == 0 {
            progress(*done);
        }
    }
    Ok(n)
}

/// A count cell's key in long form: service, channel, quarter (`FY2025Q2`), item, point.
type CellKey = [String; 5];

/// A contribution's counts in long form, as they are stored.
fn long_cells(c: &Contribution) -> impl Iterator<Item = (CellKey, u64)> + '_ {
    c.counts.iter().flat_map(|(k, t)| {
        let quarter = k.quarter.compact();
        t.cells().into_iter().map(move |c| {
            ([k.service.as_str().to_owned(), k.channel.as_str().to_owned(), quarter.clone(), c.item, c.point], c.n)
        })
    })
}

/// Whether respondent-level answers are kept for the file `file_id` (looked for in the quarters
/// it has counts in, which the response table is indexed by).
fn responses_kept(conn: &Connection, path: &Path, file_id: i64) -> Result<bool, StoreError> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM response WHERE file_id = ?1
                        AND quarter IN (SELECT DISTINCT quarter FROM count_cell WHERE file_id = ?1))",
        [file_id],
        |r| r.get(0),
    )
    .map_err(|source| StoreError::Sqlite { path: path.to_owned(), source })
}

/// Checks that `file`, read again to add its respondent-level answers, gave exactly the counts and
/// response fingerprints stored for it as `file_id`: the answers then belong to those counts. The
/// fingerprints are compared as they stream, in ascending order.
fn check_same_read(conn: &Connection, path: &Path, file_id: i64, file: &mut FileRecord<'_>) -> Result<(), StoreError> {
    let sql = |source| StoreError::Sqlite { path: path.to_owned(), source };
    let differs =
        |why: String| StoreError::ReadDifferently { path: path.to_owned(), file: file.entry.path.clone(), why };
    let mut stmt = conn
        .prepare_cached("SELECT service, channel, quarter, item, point, n FROM count_cell WHERE file_id = ?1")
        .map_err(sql)?;
    let rows = stmt
        .query_map([file_id], |r| Ok(([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?], r.get::<_, i64>(5)?)))
        .map_err(sql)?;
    let stored: BTreeMap<CellKey, i64> = rows.collect::<Result<_, _>>().map_err(sql)?;
    let now: BTreeMap<CellKey, i64> =
        long_cells(file.contribution).map(|(k, n)| Ok((k, int(n, path)?))).collect::<Result<_, StoreError>>()?;
    if let Some(k) = stored.keys().chain(now.keys()).find(|k| stored.get(*k) != now.get(*k)) {
        let (was, is) = (stored.get(k).copied().unwrap_or(0), now.get(k).copied().unwrap_or(0));
        return Err(differs(format!("{} {} {} {}/{}: {was} stored, {is} now", k[0], k[1], k[2], k[3], k[4])));
    }
    let mut stmt =
        conn.prepare_cached("SELECT fp FROM response_fingerprint WHERE file_id = ?1 ORDER BY fp").map_err(sql)?;
    let mut rows = stmt.query([file_id]).map_err(sql)?;
    let mut seen = 0u64;
    for fp in &mut file.fingerprints {
        let fp = fp.map_err(|source| StoreError::Stream { path: path.to_owned(), source })?;
        let stored = rows.next().map_err(sql)?.map(|r| r.get::<_, Vec<u8>>(0)).transpose().map_err(sql)?;
        if stored.as_deref() != Some(&fp.to_be_bytes()[..]) {
            return Err(differs(format!("response {} is not the one stored", seen + 1)));
        }
        seen += 1;
    }
    if rows.next().map_err(sql)?.is_some() {
        return Err(differs(format!("{seen} responses now, more stored")));
    }
    Ok(())
}

/// What [`Store::replace_and_record`] does, inside the caller's transaction `conn`: the new files
/// first, then, only once every one of them is known to be stored, the old ones out.
fn record_in(
    conn: &Connection,
    path: &Path,
    forget: &[Digest],
    now: DateTime<Utc>,
    mut files: Vec<FileRecord<'_>>,
    progress: &mut dyn FnMut(usize),
) -> Result<(Vec<ManifestEntry>, Vec<Recorded>), StoreError> {
    let sql = |source| StoreError::Sqlite { path: path.to_owned(), source };
    // Every old file must be there before anything is added: looked for only afterwards, an old
    // file of a new one's content would be found as the new one itself, and removed.
    for sha in forget {
        let held: Option<i64> = conn
            .query_row("SELECT id FROM ingest_file WHERE sha256 = ?1", [sha.to_string()], |r| r.get(0))
            .optional()
            .map_err(sql)?;
        if held.is_none() {
            return Err(StoreError::NotIngested { path: path.to_owned(), sha256: sha.to_string() });
        }
    }
    let mut outcomes = Vec::with_capacity(files.len());
    let mut done = 0;
    // The quarters and domain-months that new counts went to, whose sums are checked at the end.
    let (mut touched, mut web) = (std::collections::BTreeSet::new(), std::collections::BTreeSet::new());
    for file in &mut files {
        let entry = &file.entry;
        let existing = conn
            .query_row(
                &format!("SELECT id, {ENTRY_COLUMNS} FROM ingest_file WHERE sha256 = ?1"),
                [entry.sha256.to_string()],
                |r| Ok((r.get::<_, i64>(0)?, row_to_entry_at(r, 1)?)),
            )
            .optional()
            .map_err(sql)?;
        if let Some((id, e)) = existing {
            let e = e.map_err(|why| StoreError::Damaged { path: path.to_owned(), what: "manifest entry", why })?;
            // Read again for its respondent-level answers: they join the counts stored, which
            // must be those this read gave. Nothing else of the file changes.
            if file.only_responses && !responses_kept(conn, path, id)? {
                check_same_read(conn, path, id, file)?;
                match insert_responses(conn, path, id, file, (&mut done, &mut *progress))? {
                    0 => outcomes.push(Recorded::AlreadyIngested(Box::new(e))),
                    n => outcomes.push(Recorded::ResponsesAdded(n)),
                }
                continue;
            }
            outcomes.push(Recorded::AlreadyIngested(Box::new(e)));
            continue;
        }
        let r = &entry.reconciliation;
        // The counts of migration 1 stay filled, so a query (or an older fedcx) can read them
        // without parsing the JSON.
        conn.execute(
            &format!("INSERT INTO ingest_file ({ENTRY_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
            params![
                entry.sha256.to_string(),
                entry.path,
                entry.format.as_str(),
                timestamp(entry.ingested_at),
                int(r.read, path)?,
                int(r.accepted, path)?,
                int(r.rejected, path)?,
                int(r.duplicates, path)?,
                serde_json::to_string(&r.rejected_by_reason).expect("maps serialise"),
                serde_json::to_string(&r.redactions).expect("maps serialise"),
                serde_json::to_string(r).expect("reconciliations serialise"),
            ],
        )
        .map_err(sql)?;
        let file_id = conn.last_insert_rowid();
        insert_contribution(conn, path, file_id, file, (&mut done, progress))?;
        touched.extend(file.contribution.counts.quarters().into_iter().map(|q| q.compact()));
        web.extend(file.contribution.web_traffic.keys().map(|(d, m)| (d.clone(), m.to_string())));
        outcomes.push(Recorded::Stored);
    }
    let mut forgotten = Vec::with_capacity(forget.len());
    if !forget.is_empty() {
        // A replacement that does not store every new file would leave the store with less than
        // the user asked for (replacing a file by itself emptied it): nothing changes instead.
        let mut refused = Vec::new();
        for (file, outcome) in files.iter().zip(&outcomes) {
            match outcome {
                Recorded::Stored => {}
                Recorded::ResponsesAdded(_) => refused.push(format!(
                    "{} is already in the store (its respondent-level rows are added without --replace)",
                    file.entry.path
                )),
                Recorded::AlreadyIngested(e) => refused.push(format!(
                    "{} has the content of {}, ingested {} (sha256 {})",
                    file.entry.path, e.path, e.ingested_at, e.sha256
                )),
            }
        }
        if files.is_empty() {
            refused.push("no new file was given to replace it".to_owned());
        }
        if !refused.is_empty() {
            return Err(StoreError::NotReplaced { path: path.to_owned(), why: refused.join("; ") });
        }
        let reason =
            format!("replaced by {}", files.iter().map(|f| f.entry.path.as_str()).collect::<Vec<_>>().join(", "));
        for sha in forget {
            forgotten.push(forget_in(conn, path, sha, now, &reason)?);
        }
    }
    check_sums(conn, path, &touched, &web)?;
    progress(done);
    Ok((forgotten, outcomes))
}

/// Refuses a record that makes any summed count of the `quarters` (`FY2025Q2`) or visits of the
/// `web` domain-months more than [`MAX_COUNT`]: every read of the store checks its counts against
/// that bound, so a sum past it would block every report of the quarter (or, past 2^63, make
/// SQLite's sums fail). Each file's own counts are within it already; several together may not be.
fn check_sums(
    conn: &Connection,
    path: &Path,
    quarters: &std::collections::BTreeSet<String>,
    web: &std::collections::BTreeSet<(String, String)>,
) -> Result<(), StoreError> {
    let too_large = |what: String| StoreError::TooLarge { path: path.to_owned(), what };
    let sql = |source: rusqlite::Error| {
        if source.to_string().contains("integer overflow") {
            too_large("a sum of counts (past 2^63)".to_owned())
        } else {
            StoreError::Sqlite { path: path.to_owned(), source }
        }
    };
    let limit = i64::try_from(MAX_COUNT).expect("2^53 fits in an i64");
    let mut stmt = conn
        .prepare_cached(
            "SELECT service, channel, item, point, SUM(n) FROM count_cell WHERE quarter = ?1
             GROUP BY service, channel, item, point HAVING SUM(n) > ?2 LIMIT 1",
        )
        .map_err(sql)?;
    for q in quarters {
        let over = stmt
            .query_row(params![q, limit], |r| {
                Ok(format!(
                    "the count of {} {} {q} {}/{}",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?
                ))
            })
            .optional()
            .map_err(sql)?;
        if let Some(what) = over {
            return Err(too_large(what));
        }
    }
    let mut stmt = conn
        .prepare_cached("SELECT SUM(visits) > ?3 FROM web_traffic WHERE domain = ?1 AND month = ?2")
        .map_err(sql)?;
    for (domain, month) in web {
        if stmt.query_row(params![domain, month, limit], |r| r.get::<_, Option<bool>>(0)).map_err(sql)? == Some(true) {
            return Err(too_large(format!("the visits to {domain} in {month}")));
        }
    }
    Ok(())
}

/// Records the registry in use (once per distinct content), in `conn`'s transaction if it has one.
fn record_registry_in(
    conn: &Connection,
    path: &Path,
    registry: &Registry,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let toml = registry.to_toml_string();
    let sha = sha256_hex(toml.as_bytes());
    conn.execute(
        "INSERT OR IGNORE INTO registry (sha256, toml, first_used_at) VALUES (?1, ?2, ?3)",
        params![sha, toml, timestamp(now)],
    )
    .map_err(|source| StoreError::Sqlite { path: path.to_owned(), source })?;
    Ok(())
}

/// The tables of a database, but SQLite's own (`sqlite_stat1`, ...), by name.
fn table_names(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name",
    )?;
    let names = stmt.query_map([], |r| r.get(0))?.collect();
    names
}

/// The tables a fedcx store of schema `version` has: those its first `version` migrations make,
/// found by running them on an empty database in memory (so no list is kept by hand).
fn tables_of(version: i64) -> Vec<String> {
    let conn = Connection::open_in_memory().expect("an in-memory database opens");
    for m in MIGRATIONS.iter().take(usize::try_from(version).unwrap_or(0)) {
        conn.execute_batch(m).expect("the migrations run on an empty database");
    }
    table_names(&conn).expect("an in-memory database lists its tables")
}

/// Refuses a database fedcx did not make ([`StoreError::NotAStore`]): one with tables but no
/// schema version (another application's), or one whose version promises tables it lacks. A new,
/// empty database is a store to be; tables of the user's own beside fedcx's are left alone.
fn check_owned(conn: &Connection, path: &Path, version: i64) -> Result<(), StoreError> {
    let found = table_names(conn).map_err(|source| StoreError::Sqlite { path: path.to_owned(), source })?;
    let list = |names: &[String]| {
        let more = names.len().saturating_sub(5);
        let shown = names[..names.len() - more].join(", ");
        if more > 0 {
            format!("{shown} and {more} more")
        } else {
            shown
        }
    };
    let missing: Vec<String> = tables_of(version).into_iter().filter(|t| !found.contains(t)).collect();
    let why = if version == 0 && !found.is_empty() {
        format!("it has tables ({}) and no fedcx schema version", list(&found))
    } else if !missing.is_empty() {
        format!("its schema version is {version}, but it lacks fedcx's tables {}", list(&missing))
    } else {
        return Ok(());
    };
    Err(StoreError::NotAStore { path: path.to_owned(), why })
}

/// How long a connection waits for another's lock before SQLite reports the store busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The page size of a new store, in bytes (see `Store::open_once`).
const PAGE_SIZE: i64 = 65_536;

/// The schema version this fedcx writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Why the store could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("{}: {source}", path.display())]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// The store was written by a newer fedcx whose schema this one does not know.
    #[error("{}: the store has schema version {found}, newer than the {SCHEMA_VERSION} this fedcx knows; use a newer fedcx", path.display())]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
    },
    /// No ingested file has this content.
    #[error("{}: no ingested file has SHA-256 {sha256} (`fedcx provenance` and the manifest list what was ingested)", path.display())]
    NotIngested {
        /// The database file.
        path: PathBuf,
        /// The content hash looked for.
        sha256: String,
    },
    /// A store that was asked to be read does not exist.
    #[error("{}: no store there (ingest files into it first, or give the right --store)", path.display())]
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// A store written by an older fedcx, opened for reading only, cannot be migrated.
    #[error("{}: the store has schema version {found}, older than this fedcx's {SCHEMA_VERSION}; run `fedcx ingest` on it once to upgrade it", path.display())]
    OlderSchema {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
    },
    /// Rows streamed in to be recorded could not be read (their temporary file failed).
    #[error("{}: cannot read the rows to record: {source}", path.display())]
    Stream {
        /// The store.
        path: PathBuf,
        /// Why.
        source: StreamError,
    },
    /// A replacement would not have stored every new file (one had content the store already
    /// holds, or none was given), so nothing was removed or added.
    #[error("{}: nothing was replaced or added: {why}", path.display())]
    NotReplaced {
        /// The database file.
        path: PathBuf,
        /// Which new files were refused, and why.
        why: String,
    },
    /// A file read again to add its respondent-level answers gave other counts or responses
    /// than when it was recorded, so the answers would not be those counted; nothing was added.
    #[error("{}: {file} read again gives other counts than when it was ingested ({why}), so its respondent-level rows were not added: the registry, or the files the store held before it, changed since; to keep them, `fedcx forget` it and ingest it again with --keep-responses", path.display())]
    ReadDifferently {
        /// The database file.
        path: PathBuf,
        /// The file read again, as shown to the user.
        file: String,
        /// The first difference.
        why: String,
    },
    /// The database is not one fedcx made (another application's, say): it is left untouched.
    #[error("{}: not a fedcx store: {why}; fedcx leaves it as it is (give --store a new file, or a store fedcx made)", path.display())]
    NotAStore {
        /// The database file.
        path: PathBuf,
        /// What shows it is not a fedcx store.
        why: String,
    },
    /// Recording would have made a stored count more than [`MAX_COUNT`] (2^53), the largest
    /// fedcx keeps exactly: nothing was recorded.
    #[error("{}: nothing was recorded: {what} would be more than {MAX_COUNT} (2^53), the largest count fedcx keeps exactly", path.display())]
    TooLarge {
        /// The database file.
        path: PathBuf,
        /// Which count.
        what: String,
    },
    /// A stored value could not be read back (the file was edited by hand or is damaged).
    #[error("{}: a stored {what} is damaged: {why}", path.display())]
    Damaged {
        /// The database file.
        path: PathBuf,
        /// What kind of value.
        what: &'static str,
        /// What is wrong.
        why: String,
    },
}

/// A count as SQLite's signed integer: a value that does not fit is refused, never stored as a
/// negative number (ingest already refuses counts above 2^53, so this guards sums and callers).
fn int(n: u64, path: &Path) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Damaged {
        path: path.to_owned(),
        what: "count to store",
        why: format!("{n} does not fit in a 64-bit signed integer"),
    })
}

/// Whether SQLite said another connection holds a lock.
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
}

/// A path as a SQLite URI path: `%`, `?` and `#` would otherwise be read as URI syntax.
fn uri_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out
}

/// One ingested file as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// SHA-256 of the file's bytes.
    pub sha256: Digest,
    /// The path it was ingested from, as shown to the user.
    pub path: String,
    /// The format it was read as.
    pub format: Format,
    /// When it was ingested.
    pub ingested_at: DateTime<Utc>,
    /// Where its rows went. For files recorded before schema 6 only read, accepted, rejected,
    /// duplicates, the reasons and the redactions are known; the rest is zero.
    pub reconciliation: Reconciliation,
}

/// Where a stream of one file's record fails (a temporary file that cannot be read back).
pub type StreamError = Box<dyn std::error::Error + Send + Sync>;

/// Rows that grow with a file, read once as they are written into the store.
pub type Stream<'a, T> = Box<dyn Iterator<Item = Result<T, StreamError>> + 'a>;

/// One ingested file to record: its manifest entry, what it contributed, and the rows that grow
/// with it (respondent-level answers, fingerprints), streamed rather than collected.
pub struct FileRecord<'a> {
    /// The manifest entry.
    pub entry: ManifestEntry,
    /// Counts, details and series.
    pub contribution: &'a Contribution,
    /// The fingerprint of every accepted response (always kept: 16 bytes each, no answers).
    pub fingerprints: Stream<'a, u128>,
    /// Respondent-level answers to keep (empty unless asked for).
    pub responses: Stream<'a, SurveyResponse>,
    /// A balanced-measures file's part (FEVS counts, business measures or a Site Scanning
    /// snapshot), read back by [`Store::load_balanced`].
    pub balanced: Option<&'a fedcx_model::BalancedPart>,
    /// A file the store may already hold without its respondent-level answers (ingested without
    /// `--keep-responses`), read again to add them: when it does, `responses` are added to it,
    /// after checking that this read gave the very counts and fingerprints (in ascending order)
    /// stored for it, and nothing else changes ([`Recorded::ResponsesAdded`]). A file the store
    /// does not hold is stored as any other.
    pub only_responses: bool,
}

impl std::fmt::Debug for FileRecord<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileRecord").field("entry", &self.entry).finish_non_exhaustive()
    }
}

impl<'a> FileRecord<'a> {
    /// A file with no fingerprints and no respondent-level answers.
    pub fn new(entry: ManifestEntry, contribution: &'a Contribution) -> FileRecord<'a> {
        FileRecord {
            entry,
            contribution,
            fingerprints: Box::new(std::iter::empty()),
            responses: Box::new(std::iter::empty()),
            balanced: None,
            only_responses: false,
        }
    }
}

/// Fingerprints read back a page at a time (see [`Store::response_fingerprints_except`]).
#[derive(Debug)]
pub struct Fingerprints<'s> {
    store: &'s Store,
    except: String,
    after: i64,
    page: std::vec::IntoIter<(i64, u128)>,
    done: bool,
}

/// Fingerprints read per query: 1 MiB a page (3 in unit tests, so that they read several pages).
const FINGERPRINT_PAGE: i64 = if cfg!(test) { 3 } else { 1 << 16 };

impl Iterator for Fingerprints<'_> {
    type Item = Result<u128, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some((rowid, fp)) = self.page.next() {
                self.after = rowid;
                return Some(Ok(fp));
            }
            if self.done {
                return None;
            }
            match self.store.fingerprint_page(&self.except, self.after) {
                Ok(page) => {
                    self.done = (page.len() as i64) < FINGERPRINT_PAGE;
                    self.page = page.into_iter();
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

/// What the store says about an ingest that was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// The file was recorded.
    Stored,
    /// A file with the same content was already recorded; nothing was done.
    AlreadyIngested(Box<ManifestEntry>),
    /// A file recorded before without respondent-level answers, read again to add them
    /// ([`FileRecord::only_responses`]): this many were added, and its counts are unchanged.
    ResponsesAdded(u64),
}

/// An open store.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    conn: Connection,
}

/// An open store held by one ingest ([`Store::lock_for_ingest`]): what it reads through
/// [`IngestLock::store`] and what it records with [`IngestLock::replace_and_record`] are one
/// transaction, so nothing another process does can come between them. Dropped without
/// recording, it leaves the store as it was.
pub struct IngestLock<'s> {
    store: &'s Store,
    tx: rusqlite::Transaction<'s>,
}

impl std::fmt::Debug for IngestLock<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IngestLock").field("store", &self.store.path).finish_non_exhaustive()
    }
}

impl<'s> IngestLock<'s> {
    /// The store, to read what it holds under the lock.
    pub fn store(&self) -> &'s Store {
        self.store
    }

    /// Records the registry in use, with the rest of the ingest.
    pub fn record_registry(&self, registry: &Registry, now: DateTime<Utc>) -> Result<(), StoreError> {
        record_registry_in(&self.tx, &self.store.path, registry, now)
    }

    /// [`Store::replace_and_record`] under the lock, then commits and lets the lock go.
    pub fn replace_and_record(
        self,
        forget: &[Digest],
        now: DateTime<Utc>,
        files: Vec<FileRecord<'_>>,
        progress: &mut dyn FnMut(usize),
    ) -> Result<(Vec<ManifestEntry>, Vec<Recorded>), StoreError> {
        let path = &self.store.path;
        let out = record_in(&self.tx, path, forget, now, files, progress)?;
        self.tx.commit().map_err(|source| StoreError::Sqlite { path: path.clone(), source })?;
        Ok(out)
    }
}

impl Store {
    /// Opens (or creates) the store at `path`, migrating its schema to this fedcx's version.
    ///
    /// When several processes create the same new store at once, all but one find the database
    /// locked while the first sets it up (switching to WAL needs an exclusive lock that the busy
    /// timeout does not cover), so a locked or busy open is retried for a while before it fails.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let mut delay = Duration::from_millis(5);
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            match Store::open_once(path) {
                Err(StoreError::Sqlite { source, .. })
                    if is_busy(&source) && std::time::Instant::now() + delay < deadline =>
                {
                    std::thread::sleep(delay);
                    delay = (delay * 2).min(Duration::from_millis(500));
                }
                other => return other,
            }
        }
    }

    fn open_once(path: &Path) -> Result<Store, StoreError> {
        let sql = |source| StoreError::Sqlite { path: path.to_owned(), source };
        let mut conn = Connection::open(path).map_err(sql)?;
        // WAL lets readers and one writer work at once; the busy timeout makes a second writer wait
        // for the first instead of failing.
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
        // Before anything is written (even the journal mode): a database fedcx did not make is
        // left exactly as it is.
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(sql)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema { path: path.to_owned(), found: version });
        }
        check_owned(&conn, path, version)?;
        // An ingest is one transaction, so its write-ahead log cannot be checkpointed until it
        // commits, and SQLite's in-memory index of that log grows by 8 bytes a page written: with
        // 4 KiB pages, 50 million kept responses (about 21 GB) grew the process by 34 MiB.
        // 64 KiB pages cut that sixteenfold. It applies to a new store only (an existing one keeps
        // its page size), so it is set before anything else touches the file.
        conn.pragma_update(None, "page_size", PAGE_SIZE).map_err(sql)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(sql)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(sql)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(sql)?;
        // A store already at this version needs no write to open: an ingest holds the write lock
        // for as long as it reads its files (`Store::lock_for_ingest`), and a second one must get
        // as far as waiting for it rather than time out on a migration it does not need.
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(sql)?;
        if version == SCHEMA_VERSION {
            return Ok(Store { path: path.to_owned(), conn });
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql)?;
        // Read again under the lock: another process may have migrated it meanwhile.
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(sql)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema { path: path.to_owned(), found: version });
        }
        check_owned(&tx, path, version)?;
        for (i, m) in MIGRATIONS.iter().enumerate().skip(usize::try_from(version).unwrap_or(0)) {
            tx.execute_batch(m).map_err(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1).map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        Ok(Store { path: path.to_owned(), conn })
    }

    /// Takes the store's write lock for one ingest, to hold from before it reads what the store
    /// holds (fingerprints, contents, details) until [`IngestLock::replace_and_record`] commits
    /// what it read. Two ingests at once are then one after the other: read unlocked, both took
    /// the same responses as new, and both stored them. Readers (reports, exports) are not held
    /// up. When another process holds the lock, `waiting` is called once and the wait goes on
    /// until that process ends its ingest, however long it takes.
    pub fn lock_for_ingest(&self, waiting: &mut dyn FnMut()) -> Result<IngestLock<'_>, StoreError> {
        let sql = self.sql();
        // A first short try, so the wait can be announced before it starts in earnest.
        self.conn.busy_timeout(Duration::from_millis(100)).map_err(&sql)?;
        let mut told = false;
        let tx = loop {
            match rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate) {
                Ok(tx) => break tx,
                Err(e) if is_busy(&e) => {
                    if !told {
                        waiting();
                        told = true;
                        self.conn.busy_timeout(BUSY_TIMEOUT).map_err(&sql)?;
                    }
                }
                Err(e) => return Err(sql(e)),
            }
        };
        self.conn.busy_timeout(BUSY_TIMEOUT).map_err(&sql)?;
        Ok(IngestLock { store: self, tx })
    }

    /// Opens an existing store for reading only: nothing is created, migrated or written, so reports
    /// and exports work on a store they may not change (a read-only file in a read-only directory).
    /// A missing store is an error, never an empty new one.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        use rusqlite::OpenFlags;
        let sql = |source| StoreError::Sqlite { path: path.to_owned(), source };
        if !path.is_file() {
            return Err(StoreError::Missing { path: path.to_owned() });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(sql)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
        // A WAL database needs its shared-memory file even to read; in a directory fedcx may not
        // write, with no writer left, SQLite cannot make one. Such a store cannot change under us
        // (nobody can write there), so it is then opened as immutable.
        let conn = match conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)) {
            Ok(_) => conn,
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)
                ) =>
            {
                drop(conn);
                let uri = format!("file:{}?immutable=1", uri_path(path));
                Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI).map_err(sql)?
            }
            Err(e) => return Err(sql(e)),
        };
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(sql)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema { path: path.to_owned(), found: version });
        }
        // Another application's database is not "an older store to upgrade".
        check_owned(&conn, path, version)?;
        if version < SCHEMA_VERSION {
            return Err(StoreError::OlderSchema { path: path.to_owned(), found: version });
        }
        Ok(Store { path: path.to_owned(), conn })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sql(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |source| StoreError::Sqlite { path: self.path.clone(), source }
    }

    fn damaged(&self, what: &'static str, why: String) -> StoreError {
        StoreError::Damaged { path: self.path.clone(), what, why }
    }

    /// Records one ingested file and everything it contributed, in one transaction. A file whose
    /// content was already recorded is refused and the store is left as it was.
    pub fn record(
        &mut self,
        entry: &ManifestEntry,
        contribution: &Contribution,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Recorded, StoreError> {
        Ok(self.record_all(vec![FileRecord::new(entry.clone(), contribution)], progress)?.remove(0))
    }

    /// Records several files in one transaction: all of them, or (after a crash or an error) none.
    /// Files whose content is already recorded are refused one by one; the others are stored.
    /// `progress` is called with the rows written so far, inside the transaction.
    pub fn record_all(
        &mut self,
        files: Vec<FileRecord<'_>>,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Vec<Recorded>, StoreError> {
        self.replace_and_record(&[], Utc::now(), files, progress).map(|(_, recorded)| recorded)
    }

    /// Takes the files named in `forget` (by SHA-256) out and records `files`, in one transaction:
    /// a corrected export replaces the old one, or nothing changes. `now` dates the removal.
    ///
    /// A replacement is all or nothing: unless every file in `files` is stored (none refused for
    /// content the store already holds, and at least one given), nothing is removed or added and
    /// the answer is [`StoreError::NotReplaced`]. The old files are taken out only after the new
    /// ones are known to be stored, so a file replacing itself is refused, never lost.
    pub fn replace_and_record(
        &mut self,
        forget: &[Digest],
        now: DateTime<Utc>,
        files: Vec<FileRecord<'_>>,
        progress: &mut dyn FnMut(usize),
    ) -> Result<(Vec<ManifestEntry>, Vec<Recorded>), StoreError> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql)?;
        let out = record_in(&tx, &path, forget, now, files, progress)?;
        tx.commit().map_err(sql)?;
        Ok(out)
    }

    /// Whether the store keeps respondent-level answers for the ingested file with this content
    /// (false for a file it does not hold).
    pub fn keeps_responses(&self, sha256: &Digest) -> Result<bool, StoreError> {
        let id: Option<i64> = self
            .conn
            .query_row("SELECT id FROM ingest_file WHERE sha256 = ?1", [sha256.to_string()], |r| r.get(0))
            .optional()
            .map_err(self.sql())?;
        match id {
            Some(id) => responses_kept(&self.conn, &self.path, id),
            None => Ok(false),
        }
    }

    /// Takes one ingested file (by SHA-256) out of the store: its counts, details, series and
    /// responses, in one transaction, keeping a note of what was removed and when.
    pub fn forget(&mut self, sha256: &Digest, now: DateTime<Utc>, reason: &str) -> Result<ManifestEntry, StoreError> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql)?;
        let entry = forget_in(&tx, &path, sha256, now, reason)?;
        tx.commit().map_err(sql)?;
        Ok(entry)
    }

    /// The fingerprint of every response in the store (see
    /// `fedcx_ingest::pipeline::response_fingerprint`) but those of the files named in `except` (by
    /// SHA-256: files about to be replaced), read a page at a time: there may be far more than fit
    /// in memory.
    pub fn response_fingerprints_except<'s>(&'s self, except: &[Digest]) -> Fingerprints<'s> {
        Fingerprints {
            store: self,
            except: serde_json::to_string(except).expect("digests serialise"),
            after: 0,
            page: Vec::new().into_iter(),
            done: false,
        }
    }

    /// One page of [`Store::response_fingerprints_except`]: (rowid, fingerprint) after `after`.
    fn fingerprint_page(&self, except: &str, after: i64) -> Result<Vec<(i64, u128)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT p.rowid, p.fp FROM response_fingerprint p JOIN ingest_file f ON f.id = p.file_id
                 WHERE p.rowid > ?2 AND f.sha256 NOT IN (SELECT value FROM json_each(?1))
                 ORDER BY p.rowid LIMIT ?3",
            )
            .map_err(self.sql())?;
        let mut rows = stmt.query(params![except, after, FINGERPRINT_PAGE]).map_err(self.sql())?;
        let mut out = Vec::with_capacity(FINGERPRINT_PAGE as usize);
        while let Some(row) = rows.next().map_err(self.sql())? {
            let rowid: i64 = row.get(0).map_err(self.sql())?;
            let bytes = row.get_ref(1).map_err(self.sql())?;
            let arr: [u8; 16] = bytes
                .as_blob()
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| self.damaged("response fingerprint", "not 16 bytes".into()))?;
            out.push((rowid, u128::from_be_bytes(arr)));
        }
        Ok(out)
    }

    /// Files taken out of the store, oldest removal first: (entry, forgotten at, why). Only the
    /// accepted rows of a forgotten file's reconciliation are kept.
    pub fn forgotten(&self) -> Result<Vec<(ManifestEntry, DateTime<Utc>, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT sha256, path, format, ingested_at, accepted, forgotten_at, reason FROM forgotten_file ORDER BY rowid")
            .map_err(self.sql())?;
        let rows = stmt
            .query_map([], |r| {
                let text = |i: usize| r.get::<_, String>(i);
                Ok((|| -> Result<_, String> {
                    let entry = ManifestEntry {
                        sha256: parse_text(text(0))?,
                        path: text(1).map_err(|e| e.to_string())?,
                        format: parse_text(text(2))?,
                        ingested_at: parse_time(text(3))?,
                        reconciliation: Reconciliation {
                            accepted: stored_count(r.get::<_, Value>(4).map_err(|e| e.to_string())?)?,
                            ..Reconciliation::default()
                        },
                    };
                    Ok((entry, parse_time(text(5))?, text(6).map_err(|e| e.to_string())?))
                })())
            })
            .map_err(self.sql())?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row.map_err(self.sql())?.map_err(|why| self.damaged("forgotten file", why))?);
        }
        Ok(out)
    }

    /// Records the registry in use (once per distinct content).
    pub fn record_registry(&mut self, registry: &Registry, now: DateTime<Utc>) -> Result<(), StoreError> {
        record_registry_in(&self.conn, &self.path, registry, now)
    }

    /// The registry most recently recorded, if any.
    pub fn latest_registry(&self) -> Result<Option<Registry>, StoreError> {
        let text: Option<String> = self
            .conn
            .query_row("SELECT toml FROM registry ORDER BY id DESC LIMIT 1", [], |r| r.get(0))
            .optional()
            .map_err(self.sql())?;
        text.map(|t| Registry::from_toml_str(&t).map_err(|e| self.damaged("registry", e.to_string()))).transpose()
    }

    /// Every collection detail in the store with the path its file was ingested from, leaving out
    /// the files whose SHA-256 is in `except` (those being replaced): what a new file's records
    /// may repeat.
    pub fn details_except(
        &self,
        except: &[Digest],
    ) -> Result<Vec<(fedcx_model::CollectionDetail, String)>, StoreError> {
        let except = serde_json::to_string(except).expect("digests serialise");
        let mut stmt = self
            .conn
            .prepare(
                "SELECT d.detail, f.path FROM collection_detail d JOIN ingest_file f ON f.id = d.file_id
                 WHERE f.sha256 NOT IN (SELECT value FROM json_each(?1)) ORDER BY d.rowid",
            )
            .map_err(self.sql())?;
        let rows =
            stmt.query_map([&except], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).map_err(self.sql())?;
        let mut out = Vec::new();
        for row in rows {
            let (json, path) = row.map_err(self.sql())?;
            let detail = serde_json::from_str(&json).map_err(|e| self.damaged("collection detail", e.to_string()))?;
            out.push((detail, path));
        }
        Ok(out)
    }

    /// Reads back the counts and details of the given quarters, with every series.
    pub fn load(&self, quarters: &[FiscalQuarter]) -> Result<Contribution, StoreError> {
        let mut out = Contribution::default();
        let mut cells = self
            .conn
            .prepare("SELECT service, channel, item, point, SUM(n) FROM count_cell WHERE quarter = ?1 GROUP BY service, channel, item, point")
            .map_err(self.sql())?;
        let mut details =
            self.conn.prepare("SELECT detail FROM collection_detail WHERE quarter = ?1").map_err(self.sql())?;
        let mut published = self
            .conn
            .prepare("SELECT record FROM published_means WHERE quarter = ?1 ORDER BY rowid")
            .map_err(self.sql())?;
        for &q in quarters {
            let compact = q.compact();
            let mut groups: BTreeMap<GroupKey, Tally> = BTreeMap::new();
            let rows = cells
                .query_map([&compact], |r| {
                    let cell = LongCell {
                        service: r.get(0)?,
                        channel: r.get(1)?,
                        quarter: compact.clone(),
                        item: r.get(2)?,
                        point: r.get(3)?,
                        n: 0,
                    };
                    Ok((cell, r.get::<_, Value>(4)?))
                })
                .map_err(self.read())?;
            for row in rows {
                let (key, cell) = self.checked_cell(row.map_err(self.read())?)?;
                groups
                    .entry(key)
                    .or_default()
                    .add_cell(&cell.item, &cell.point, cell.n)
                    .expect("checked_cell checks it");
            }
            for (key, tally) in groups {
                out.counts.add_tally(&key, &tally);
            }
            let rows = details.query_map([&compact], |r| r.get::<_, String>(0)).map_err(self.sql())?;
            for row in rows {
                let json = row.map_err(self.sql())?;
                out.details
                    .push(serde_json::from_str(&json).map_err(|e| self.damaged("collection detail", e.to_string()))?);
            }
            let rows = published.query_map([&compact], |r| r.get::<_, String>(0)).map_err(self.sql())?;
            for row in rows {
                let json = row.map_err(self.sql())?;
                out.published
                    .push(serde_json::from_str(&json).map_err(|e| self.damaged("published means", e.to_string()))?);
            }
        }
        let mut stmt =
            self.conn.prepare("SELECT series, year, value FROM benchmark ORDER BY series, year").map_err(self.sql())?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u16>(1)?, r.get::<_, String>(2)?)))
            .map_err(self.sql())?;
        for row in rows {
            let (series, year, value) = row.map_err(self.sql())?;
            let value = value.parse().map_err(|e: rust_decimal::Error| self.damaged("benchmark", e.to_string()))?;
            out.benchmarks.push(BenchmarkPoint { series, year, value });
        }
        let mut stmt = self
            .conn
            .prepare("SELECT domain, month, SUM(visits) FROM web_traffic GROUP BY domain, month")
            .map_err(self.sql())?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Value>(2)?)))
            .map_err(self.read())?;
        for row in rows {
            let (domain, month, visits) = row.map_err(self.read())?;
            let month = month
                .parse()
                .map_err(|e: fedcx_model::fiscal::FiscalError| self.damaged("web traffic", e.to_string()))?;
            let visits =
                stored_count(visits).map_err(|why| self.damaged("web traffic", format!("{domain} {month}: {why}")))?;
            out.web_traffic.insert((domain, month), visits);
        }
        Ok(out)
    }

    /// The respondent-level answers kept for the given quarters, in the order they were stored.
    pub fn load_responses(&self, quarters: &[FiscalQuarter]) -> Result<Vec<fedcx_model::SurveyResponse>, StoreError> {
        let mut stmt =
            self.conn.prepare("SELECT response FROM response WHERE quarter = ?1 ORDER BY rowid").map_err(self.sql())?;
        let mut out = Vec::new();
        for q in quarters {
            let rows = stmt.query_map([q.compact()], |r| r.get::<_, String>(0)).map_err(self.sql())?;
            for row in rows {
                let json = row.map_err(self.sql())?;
                out.push(serde_json::from_str(&json).map_err(|e| self.damaged("response", e.to_string()))?);
            }
        }
        Ok(out)
    }

    /// The quarters that have counts, in order.
    pub fn quarters(&self) -> Result<Vec<FiscalQuarter>, StoreError> {
        let mut stmt =
            self.conn.prepare("SELECT DISTINCT quarter FROM count_cell ORDER BY quarter").map_err(self.sql())?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(self.sql())?;
        let mut out = Vec::new();
        for row in rows {
            let text = row.map_err(self.sql())?;
            out.push(
                text.parse().map_err(|e: fedcx_model::fiscal::FiscalError| self.damaged("quarter", e.to_string()))?,
            );
        }
        out.sort_unstable();
        Ok(out)
    }

    /// The files that contributed counts to a service in a quarter, with the respondents each gave.
    pub fn provenance(
        &self,
        service: &ServiceId,
        quarter: FiscalQuarter,
    ) -> Result<Vec<(ManifestEntry, u64)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT f.sha256, f.path, f.format, f.ingested_at, f.rows_read, f.accepted, f.rejected, f.duplicates,
                        f.rejected_by_reason, f.redactions, f.reconciliation, SUM(c.n)
                 FROM ingest_file f JOIN count_cell c ON c.file_id = f.id
                 WHERE c.service = ?1 AND c.quarter = ?2 AND c.item = 'respondents'
                 GROUP BY f.id ORDER BY f.id",
            )
            .map_err(self.sql())?;
        let rows = stmt
            .query_map(params![service.as_str(), quarter.compact()], |r| {
                Ok((row_to_entry(r)?, r.get::<_, Value>(ENTRY_COLUMN_COUNT)?))
            })
            .map_err(self.read())?;
        let mut out = Vec::new();
        for row in rows {
            let (entry, n) = row.map_err(self.read())?;
            let entry = entry.map_err(|why| self.damaged("manifest entry", why))?;
            let n = stored_count(n)
                .map_err(|why| self.damaged("count", format!("respondents from {}: {why}", entry.path)))?;
            out.push((entry, n));
        }
        Ok(out)
    }

    /// Every file in the manifest, oldest first.
    pub fn manifest(&self) -> Result<Vec<ManifestEntry>, StoreError> {
        let mut stmt =
            self.conn.prepare(&format!("SELECT {ENTRY_COLUMNS} FROM ingest_file ORDER BY id")).map_err(self.sql())?;
        let rows = stmt.query_map([], row_to_entry).map_err(self.sql())?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row.map_err(self.sql())?.map_err(|why| self.damaged("manifest entry", why))?);
        }
        Ok(out)
    }

    /// Every count cell, summed over files, in long form, ordered by service, channel, quarter, item, point.
    pub fn cells(&self) -> Result<Vec<LongCell>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT service, channel, quarter, item, point, SUM(n) FROM count_cell
                 GROUP BY service, channel, quarter, item, point ORDER BY service, channel, quarter, item, point",
            )
            .map_err(self.sql())?;
        let rows = stmt
            .query_map([], |r| {
                let cell = LongCell {
                    service: r.get(0)?,
                    channel: r.get(1)?,
                    quarter: r.get(2)?,
                    item: r.get(3)?,
                    point: r.get(4)?,
                    n: 0,
                };
                Ok((cell, r.get::<_, Value>(5)?))
            })
            .map_err(self.read())?;
        let mut out = Vec::new();
        for row in rows {
            out.push(self.checked_cell(row.map_err(self.read())?)?.1);
        }
        Ok(out)
    }

    /// Errors of queries that sum counts: SQLite stops a sum that overflows its integers, which
    /// only a damaged (hand-edited) store can hold, since fedcx never stores a sum above 2^53.
    fn read(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |source| {
            if source.to_string().contains("integer overflow") {
                self.damaged(
                    "count",
                    format!("stored counts sum past 2^63 ({source}); no count fedcx writes is above {MAX_COUNT}"),
                )
            } else {
                StoreError::Sqlite { path: self.path.clone(), source }
            }
        }
    }

    /// The one check of every count cell read back from the store, for reports and exports alike:
    /// a known service id, channel, quarter (in the form the store writes) and item and point,
    /// and a count from 0 to [`MAX_COUNT`]. A cell that fails is damage, named, never a number
    /// passed on (a wrapped total, a negative count, a quarter `FY99999Q9`).
    /// `cell` comes with its count as SQLite returned it, in `n`.
    fn checked_cell(&self, (cell, n): (LongCell, Value)) -> Result<(GroupKey, LongCell), StoreError> {
        let at = || format!("{} {} {} {}/{}", cell.service, cell.channel, cell.quarter, cell.item, cell.point);
        let bad = |what, why: String| self.damaged(what, format!("{}: {why}", at()));
        let quarter: FiscalQuarter =
            cell.quarter.parse().map_err(|e: fedcx_model::fiscal::FiscalError| bad("quarter", e.to_string()))?;
        if quarter.compact() != cell.quarter {
            return Err(bad("quarter", format!("not written as fedcx writes quarters ({})", quarter.compact())));
        }
        let key = GroupKey {
            service: ServiceId::new(&cell.service).map_err(|e| bad("service", e.to_string()))?,
            channel: cell.channel.parse::<Channel>().map_err(|e| bad("channel", e.to_string()))?,
            quarter,
        };
        let n = stored_count(n).map_err(|why| bad("count", why))?;
        Tally::default().add_cell(&cell.item, &cell.point, n).map_err(|e| bad("count", e.to_string()))?;
        Ok((key, LongCell { n, ..cell }))
    }
}

/// Every count read back from the store passes here, summed or not: a whole number from 0 to
/// [`MAX_COUNT`], which is all fedcx ever writes (ingest refuses larger values, and a record is
/// refused whose sums would pass it). Anything else was put there by hand, or is damage.
fn stored_count(v: Value) -> Result<u64, String> {
    match v {
        Value::Integer(n) => u64::try_from(n)
            .ok()
            .filter(|n| *n <= MAX_COUNT)
            .ok_or_else(|| format!("{n} is not a count fedcx stores (0 to {MAX_COUNT}, 2^53)")),
        Value::Null => Err("no count".to_owned()),
        Value::Real(x) => Err(format!("{x} is not a whole number")),
        Value::Text(t) => Err(format!("{t:?} is not a number")),
        Value::Blob(_) => Err("a blob is not a count".to_owned()),
    }
}

/// One count in long form, summed over the files that gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LongCell {
    /// The service id.
    pub service: String,
    /// The channel id.
    pub channel: String,
    /// The quarter, `FY2025Q2`.
    pub quarter: String,
    /// The item (`q3`, `trust_thumbs`, ...).
    pub item: String,
    /// The point of the item (`4`, `up`, ...).
    pub point: String,
    /// The count.
    pub n: u64,
}

type EntryResult = Result<ManifestEntry, String>;

fn row_to_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<EntryResult> {
    row_to_entry_at(r, 0)
}

/// A manifest entry from the [`ENTRY_COLUMNS`] starting at `at`.
fn row_to_entry_at(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<EntryResult> {
    let text = |i: usize| r.get::<_, String>(at + i);
    let n = |i: usize| -> Result<u64, String> { stored_count(r.get::<_, Value>(at + i).map_err(|e| e.to_string())?) };
    let whole: Option<String> = r.get(at + 10)?;
    Ok((|| {
        let reconciliation = match whole {
            Some(json) => serde_json::from_str(&json).map_err(|e| format!("reconciliation: {e}"))?,
            // Recorded before schema 6: what migration 1's columns kept.
            None => Reconciliation {
                read: n(4)?,
                accepted: n(5)?,
                rejected: n(6)?,
                duplicates: n(7)?,
                rejected_by_reason: parse_json(text(8))?,
                redactions: parse_json(text(9))?,
                ..Reconciliation::default()
            },
        };
        Ok(ManifestEntry {
            sha256: parse_text(text(0))?,
            path: text(1).map_err(|e| e.to_string())?,
            format: parse_text(text(2))?,
            ingested_at: parse_time(text(3))?,
            reconciliation,
        })
    })())
}

/// A column's text parsed as `T`, or why not.
fn parse_text<T: std::str::FromStr>(text: rusqlite::Result<String>) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    let text = text.map_err(|e| e.to_string())?;
    text.parse().map_err(|e| format!("{text:?}: {e}"))
}

/// A column's JSON parsed as `T`, or why not.
fn parse_json<T: serde::de::DeserializeOwned>(text: rusqlite::Result<String>) -> Result<T, String> {
    serde_json::from_str(&text.map_err(|e| e.to_string())?).map_err(|e| e.to_string())
}

/// A time as the store writes it: RFC 3339 in UTC to the second, e.g. `2026-01-01T00:00:00Z`.
fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A time the store wrote, or why it is not one.
fn parse_time(text: rusqlite::Result<String>) -> Result<DateTime<Utc>, String> {
    let text = text.map_err(|e| e.to_string())?;
    DateTime::parse_from_rfc3339(&text).map(|t| t.with_timezone(&Utc)).map_err(|e| format!("{text:?}: {e}"))
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest as _, Sha256};
    fedcx_model::digest::hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use fedcx_model::{Channel, ServiceId};

    /// A digest named by one letter (its first byte), so tests can tell files apart.
    fn sha(name: &str) -> Digest {
        let mut d = [0u8; 32];
        d[0] = name.as_bytes()[0];
        Digest(d)
    }

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn entry(name: &str) -> ManifestEntry {
        let mut r = Reconciliation::default();
        r.accept();
        r.accept();
        r.reject(fedcx_model::RejectReason::UnknownChannel);
        r.exclude(fedcx_model::Exclusion::Spam);
        r.warnings.insert("hidden_follow_up_ignored".into(), 1);
        r.set_read(4, fedcx_model::LineAccount { physical: 5, header: 1, blank: 0, in_rows: 4 });
        ManifestEntry {
            sha256: sha(name),
            path: "in.csv".into(),
            format: Format::Csv,
            ingested_at: at("2026-01-01T00:00:00Z"),
            reconciliation: r,
        }
    }

    fn contribution(service: &str, quarter: &str, up: u64) -> Contribution {
        let mut t = Tally::default();
        t.v2.respondents = up + 1;
        t.v2.thumbs = [1, up];
        t.v1.scores[2] = [0, 0, 1, 2, 3];
        let key = GroupKey {
            service: ServiceId::new(service).unwrap(),
            channel: Channel::Website,
            quarter: quarter.parse().unwrap(),
        };
        let mut c = Contribution::default();
        c.counts.add_tally(&key, &t);
        c.web_traffic.insert(("irs.gov".into(), "2025-01".parse().unwrap()), 10);
        c
    }

    #[test]
    fn record_load_and_refuse_the_same_content() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let c1 = contribution("treasury-irs-file-return", "FY2025 Q2", 5);
        let c2 = contribution("treasury-irs-file-return", "FY2025 Q2", 7);
        assert_eq!(store.record(&entry("a"), &c1, &mut |_| {}).unwrap(), Recorded::Stored);
        assert_eq!(store.record(&entry("b"), &c2, &mut |_| {}).unwrap(), Recorded::Stored);
        assert!(
            matches!(store.record(&entry("a"), &c2, &mut |_| {}).unwrap(), Recorded::AlreadyIngested(e) if e.sha256 == sha("a"))
        );
        let q: FiscalQuarter = "FY2025 Q2".parse().unwrap();
        let loaded = store.load(&[q]).unwrap();
        let mut expected = c1.counts.clone();
        expected.merge(&c2.counts);
        assert_eq!(loaded.counts, expected, "the store returns the merge of what was recorded");
        assert_eq!(loaded.web_traffic[&("irs.gov".to_owned(), "2025-01".parse().unwrap())], 20);
        assert_eq!(store.quarters().unwrap(), [q]);
        let prov = store.provenance(&ServiceId::new("treasury-irs-file-return").unwrap(), q).unwrap();
        assert_eq!(prov.iter().map(|(e, n)| (e.sha256, *n)).collect::<Vec<_>>(), [(sha("a"), 6), (sha("b"), 8)]);
        // The whole reconciliation comes back, exclusions, warnings and line account included.
        assert_eq!(store.manifest().unwrap()[0], entry("a"));
    }

    /// Forgetting leaves exactly the other files' contribution: checked against the counts of the
    /// file that stays, computed apart from the store.
    #[test]
    fn forget_and_replace_leave_exactly_the_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let q: FiscalQuarter = "FY2025 Q2".parse().unwrap();
        let c1 = contribution("treasury-irs-file-return", "FY2025 Q2", 5);
        let c2 = contribution("treasury-irs-file-return", "FY2025 Q2", 7);
        store.record(&entry("a"), &c1, &mut |_| {}).unwrap();
        store.record(&entry("b"), &c2, &mut |_| {}).unwrap();
        let gone = store.forget(&sha("a"), at("2026-02-01T00:00:00Z"), "test").unwrap();
        assert_eq!(gone.sha256, sha("a"));
        let loaded = store.load(&[q]).unwrap();
        assert_eq!(loaded.counts, c2.counts);
        assert_eq!(loaded.web_traffic[&("irs.gov".to_owned(), "2025-01".parse().unwrap())], 10);
        assert_eq!(store.manifest().unwrap().len(), 1);
        let forgotten = store.forgotten().unwrap();
        assert_eq!((forgotten[0].0.sha256, forgotten[0].1), (sha("a"), at("2026-02-01T00:00:00Z")));
        assert!(matches!(store.forget(&sha("a"), Utc::now(), "again"), Err(StoreError::NotIngested { .. })));
        // Replace: b out, c in; a missing old file leaves everything as it was.
        let c3 = contribution("treasury-irs-file-return", "FY2025 Q2", 1);
        assert!(store
            .replace_and_record(&[sha("z")], Utc::now(), vec![FileRecord::new(entry("c"), &c3)], &mut |_| {})
            .is_err());
        assert_eq!(store.load(&[q]).unwrap().counts, c2.counts, "a failed replace changes nothing");
        let (out, rec) = store
            .replace_and_record(&[sha("b")], Utc::now(), vec![FileRecord::new(entry("c"), &c3)], &mut |_| {})
            .unwrap();
        assert_eq!((out[0].sha256, rec), (sha("b"), vec![Recorded::Stored]));
        assert_eq!(store.load(&[q]).unwrap().counts, c3.counts);
    }

    /// A replacement stores every new file or changes nothing: a file replacing itself (or any
    /// file whose content the store holds) is refused, and so is a replacement by nothing. Before,
    /// the old file was taken out first, and a refused new one left the store without either.
    #[test]
    fn a_replacement_that_would_not_store_every_new_file_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let q: FiscalQuarter = "FY2025 Q2".parse().unwrap();
        let c1 = contribution("treasury-irs-file-return", "FY2025 Q2", 5);
        let c2 = contribution("treasury-irs-file-return", "FY2025 Q2", 7);
        store.record(&entry("a"), &c1, &mut |_| {}).unwrap();
        store.record(&entry("b"), &c2, &mut |_| {}).unwrap();
        let before = store.cells().unwrap();
        let now = at("2026-02-01T00:00:00Z");
        for files in [
            vec![FileRecord::new(entry("a"), &c1)],
            vec![FileRecord::new(entry("c"), &c1), FileRecord::new(entry("b"), &c2)],
            vec![],
        ] {
            let err = store.replace_and_record(&[sha("a")], now, files, &mut |_| {}).unwrap_err();
            assert!(matches!(err, StoreError::NotReplaced { .. }), "{err}");
            assert_eq!(store.cells().unwrap(), before, "{err}");
            assert_eq!(store.manifest().unwrap().len(), 2);
            assert!(store.forgotten().unwrap().is_empty());
        }
        let err = store
            .replace_and_record(&[sha("a")], now, vec![FileRecord::new(entry("a"), &c1)], &mut |_| {})
            .unwrap_err()
            .to_string();
        assert!(err.contains("nothing was replaced or added: in.csv has the content of in.csv"), "{err}");
        // An old file the store does not hold is an error, even when a new file has its content
        // (it would otherwise be stored, then found and removed as the old one).
        let d = contribution("treasury-irs-file-return", "FY2025 Q2", 2);
        let err = store.replace_and_record(&[sha("d")], now, vec![FileRecord::new(entry("d"), &d)], &mut |_| {});
        assert!(matches!(err, Err(StoreError::NotIngested { .. })), "{err:?}");
        assert_eq!(store.cells().unwrap(), before);
        // Replacing a by a new c works, and the old file is gone.
        let (out, rec) =
            store.replace_and_record(&[sha("a")], now, vec![FileRecord::new(entry("c"), &c1)], &mut |_| {}).unwrap();
        assert_eq!((out[0].sha256, rec), (sha("a"), vec![Recorded::Stored]));
        let mut expected = c1.counts.clone();
        expected.merge(&c2.counts);
        assert_eq!(store.load(&[q]).unwrap().counts, expected);
    }

    /// An ingest's lock keeps a second ingest waiting from before it reads the store until the
    /// first has committed, so the second reads what the first recorded; a lock dropped without
    /// recording leaves the store as it was.
    #[test]
    fn a_second_ingest_waits_for_the_first_and_reads_what_it_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let first = Store::open(&path).unwrap();
        let lock = first.lock_for_ingest(&mut || panic!("nobody else holds it")).unwrap();
        let (told, waited) = std::sync::mpsc::channel();
        let second = std::thread::spawn({
            let path = path.clone();
            move || {
                let store = Store::open(&path).unwrap();
                let lock = store.lock_for_ingest(&mut || told.send(()).unwrap()).unwrap();
                lock.store().manifest().unwrap().len()
            }
        });
        waited.recv_timeout(Duration::from_secs(20)).expect("the second ingest says it waits");
        let c = contribution("treasury-irs-file-return", "FY2025 Q2", 5);
        lock.replace_and_record(&[], Utc::now(), vec![FileRecord::new(entry("a"), &c)], &mut |_| {}).unwrap();
        assert_eq!(second.join().unwrap(), 1, "the second ingest reads the first one's file");
        let lock = first.lock_for_ingest(&mut || {}).unwrap();
        lock.record_registry(&Registry::bundled(), Utc::now()).unwrap();
        drop(lock);
        assert!(first.latest_registry().unwrap().is_none(), "a dropped lock records nothing");
    }

    /// The first six lines of data/demo/responses.csv.
    const DEMO_SIX_LINES: &str = "response_id,submitted_at,service_id,channel,transaction_point,survey_version,survey_type,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,question_1,positive_effectiveness,positive_ease,positive_efficiency,positive_transparency,positive_humanity,positive_employee,positive_other,negative_effectiveness,negative_ease,negative_efficiency,negative_transparency,negative_humanity,negative_employee,negative_other,comment\n\
DEMO-00000001,2021-12-16T17:59:50-05:00,dhs-cbp-port-of-entry,in_person,post_interaction,v1,,3,4,4,4,4,3,4,,,,,,,,,,,,,,,,,,,,\n\
DEMO-00000002,2021-12-15T16:37:03-05:00,dhs-cbp-port-of-entry,in_person,post_interaction,v1,,4,2,4,2,4,5,5,,,,,,,,,,,,,,,,,,,,\n\
DEMO-00000003,2021-10-27T07:17:35-04:00,dhs-cbp-port-of-entry,in_person,post_interaction,v1,,2,5,2,2,4,4,5,,,,,,,,,,,,,,,,,,,,\n\
DEMO-00000004,2021-12-09T17:47:02-05:00,dhs-cbp-port-of-entry,in_person,post_interaction,v1,,4,4,4,4,4,4,5,,,,,,,,,,,,,,,,,,,,\n\
DEMO-00000005,2021-10-19T19:21:08-04:00,dhs-cbp-port-of-entry,in_person,post_interaction,v1,,4,4,4,4,5,4,5,,,,,,,,,,,,,,,,,,,,\n\
";

    /// A file stored without its respondent-level answers, read again to add them, gets them only
    /// when this read gives the very counts and fingerprints stored; nothing else changes, and a
    /// file that has them refuses more.
    #[test]
    fn a_file_read_again_adds_its_responses_only_when_it_gives_the_counts_stored() {
        use fedcx_ingest::{IngestConfig, Ingestor, KeepResponses, Reader};
        // The bundled demo data's header and first five rows (data/demo/responses.csv), here so the
        // crate reads no file outside itself.
        let bytes = DEMO_SIX_LINES.to_owned();
        let registry = Registry::bundled();
        let config = IngestConfig { keep_responses: KeepResponses::InMemory, ..IngestConfig::default() };
        let mut ingestor = Ingestor::new(&registry, config);
        ingestor.ingest_bytes(Path::new("a.csv"), bytes.as_bytes(), &Reader::Detect).unwrap();
        let result = ingestor.finish().unwrap();
        let (f, d) = (&result.files[0], &result.per_file[0]);
        let entry = ManifestEntry {
            sha256: f.sha256,
            path: "a.csv".into(),
            format: f.format,
            ingested_at: at("2026-01-01T00:00:00Z"),
            reconciliation: f.reconciliation.clone(),
        };
        let stream = |e: fedcx_ingest::IngestError| -> StreamError { Box::new(e) };
        let record = |contribution, only_responses, responses: bool| {
            let mut r = FileRecord::new(entry.clone(), contribution);
            r.fingerprints = Box::new(d.fingerprints().map(move |x| x.map_err(stream)));
            if responses {
                r.responses = Box::new(d.responses().map(move |x| x.map_err(stream)));
            }
            r.only_responses = only_responses;
            r
        };
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        assert_eq!(
            store.record_all(vec![record(&d.contribution, false, false)], &mut |_| {}).unwrap(),
            [Recorded::Stored]
        );
        let cells = store.cells().unwrap();
        assert!(!store.keeps_responses(&f.sha256).unwrap());
        // Other counts than those stored: refused whole.
        let other = contribution("dhs-cbp-port-of-entry", "FY2022 Q1", 1);
        let err = store.record_all(vec![record(&other, true, true)], &mut |_| {}).unwrap_err();
        assert!(matches!(err, StoreError::ReadDifferently { .. }), "{err}");
        assert!(!store.keeps_responses(&f.sha256).unwrap());
        // The same counts: the five answers are added, and nothing else changes.
        assert_eq!(
            store.record_all(vec![record(&d.contribution, true, true)], &mut |_| {}).unwrap(),
            [Recorded::ResponsesAdded(5)]
        );
        assert!(store.keeps_responses(&f.sha256).unwrap());
        assert_eq!(store.load_responses(&["FY2022 Q1".parse().unwrap()]).unwrap().len(), 5);
        assert_eq!(store.cells().unwrap(), cells);
        assert_eq!(store.manifest().unwrap(), std::slice::from_ref(&entry));
        assert!(matches!(
            store.record_all(vec![record(&d.contribution, true, true)], &mut |_| {}).unwrap()[..],
            [Recorded::AlreadyIngested(_)]
        ));
        assert_eq!(store.load_responses(&["FY2022 Q1".parse().unwrap()]).unwrap().len(), 5);
    }

    /// No stored sum passes 2^53: a file that would take one past it is refused whole, and a count
    /// put in by hand past it (or negative) is damage on every read, never a number passed on.
    #[test]
    fn counts_past_2_to_the_53_are_never_stored_and_never_read() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let key = GroupKey {
            service: ServiceId::new("ssa-replacement-card").unwrap(),
            channel: Channel::Website,
            quarter: "FY2025 Q2".parse().unwrap(),
        };
        let at_bound = |n| {
            let mut t = Tally::default();
            t.v2.respondents = n;
            let mut c = Contribution::default();
            c.counts.add_tally(&key, &t);
            c
        };
        store.record(&entry("a"), &at_bound(MAX_COUNT), &mut |_| {}).unwrap();
        let before = store.cells().unwrap();
        let err = store.record(&entry("b"), &at_bound(1), &mut |_| {}).unwrap_err().to_string();
        assert!(
            err.contains("nothing was recorded: the count of ssa-replacement-card website FY2025Q2 respondents/v2"),
            "{err}"
        );
        assert_eq!(store.cells().unwrap(), before);
        assert_eq!(store.manifest().unwrap().len(), 1);
        for (n, why) in [
            ("9223372036854775807", "9223372036854775807 is not a count"),
            ("-1", "-1 is not a count"),
            ("2.5", "2.5 is not a whole number"),
        ] {
            store.conn.execute_batch(&format!("UPDATE count_cell SET n = {n}")).unwrap();
            let q = [key.quarter];
            let errors = [
                store.cells().unwrap_err(),
                store.load(&q).unwrap_err(),
                store.provenance(&key.service, key.quarter).unwrap_err(),
            ];
            for err in errors {
                assert!(matches!(err, StoreError::Damaged { .. }) && err.to_string().contains(why), "{n}: {err}");
            }
        }
    }

    /// Fingerprints and respondent rows are streamed in, and the fingerprints read back a page
    /// at a time, all of them but those of the files named.
    #[test]
    fn fingerprints_stream_in_and_page_out() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let c = contribution("treasury-irs-file-return", "FY2025 Q2", 1);
        let files: Vec<FileRecord<'_>> = [("a", 0u128..5), ("b", 100..104)]
            .into_iter()
            .map(|(sha, fps)| {
                let mut f = FileRecord::new(entry(sha), &c);
                f.fingerprints = Box::new(fps.map(Ok));
                f
            })
            .collect();
        store.record_all(files, &mut |_| {}).unwrap();
        let all: Vec<u128> = store.response_fingerprints_except(&[]).map(Result::unwrap).collect();
        assert_eq!(all, [0, 1, 2, 3, 4, 100, 101, 102, 103]);
        let but_a: Vec<u128> = store.response_fingerprints_except(&[sha("a")]).map(Result::unwrap).collect();
        assert_eq!(but_a, [100, 101, 102, 103]);
    }

    /// A new store uses large pages, so the log index of one big ingest stays small; an existing
    /// store keeps the page size it was made with.
    #[test]
    fn a_new_store_has_large_pages() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db")).unwrap();
        let size: i64 = store.conn.pragma_query_value(None, "page_size", |r| r.get(0)).unwrap();
        assert_eq!(size, PAGE_SIZE);
        let old = dir.path().join("old.db");
        {
            // A store as the first schema left it, made with SQLite's default pages.
            let conn = Connection::open(&old).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
        }
        let store = Store::open(&old).unwrap();
        let size: i64 = store.conn.pragma_query_value(None, "page_size", |r| r.get(0)).unwrap();
        assert_eq!(size, 4096, "an existing store keeps its pages");
    }

    /// Another application's database given as the store is refused before anything is written
    /// to it (not even the journal mode), by the commands that write and those that read. Before,
    /// fedcx added its tables to it.
    #[test]
    fn another_applications_database_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crm.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "CREATE TABLE customers (id INTEGER, name TEXT); INSERT INTO customers VALUES (1, 'A');",
            )
            .unwrap();
        }
        let bytes = std::fs::read(&path).unwrap();
        for err in [Store::open(&path).unwrap_err(), Store::open_read_only(&path).unwrap_err()] {
            assert!(matches!(err, StoreError::NotAStore { .. }), "{err}");
            assert!(
                err.to_string().contains("not a fedcx store: it has tables (customers) and no fedcx schema version"),
                "{err}"
            );
        }
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "not a byte changed");
        // One that sets a schema version of its own, without fedcx's tables, likewise.
        Connection::open(&path).unwrap().pragma_update(None, "user_version", 3).unwrap();
        let err = Store::open(&path).unwrap_err().to_string();
        assert!(err.contains("its schema version is 3, but it lacks fedcx's tables"), "{err}");
        assert!(err.contains("count_cell") && err.contains("and 3 more"), "{err}");
        // An empty file is a store to be, and a store keeps tables of the user's own.
        let empty = dir.path().join("empty.db");
        std::fs::write(&empty, b"").unwrap();
        let store = Store::open(&empty).unwrap();
        store.conn.execute_batch("CREATE TABLE my_notes (x)").unwrap();
        drop(store);
        Store::open(&empty).unwrap();
        Store::open_read_only(&empty).unwrap();
    }

    #[test]
    fn schema_is_versioned_and_a_newer_store_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        drop(Store::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
        drop(conn);
        let err = Store::open(&path).unwrap_err().to_string();
        assert!(
            err.contains(&format!("schema version {}, newer than the {SCHEMA_VERSION}", SCHEMA_VERSION + 1)),
            "{err}"
        );
    }

    #[test]
    fn an_old_store_is_migrated_on_open_and_keeps_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            // A store as the first schema left it, with one file recorded.
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute(
                "INSERT INTO ingest_file (sha256, path, format, ingested_at, rows_read, accepted, rejected, duplicates, rejected_by_reason, redactions)
                 VALUES ('ab00000000000000000000000000000000000000000000000000000000000000', 'old.csv', 'csv',
                         '2025-01-01T00:00:00Z', 2, 1, 1, 0, '{\"unknown_channel\":1}', '{}')",
                [],
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let v: i64 = store.conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        let old = &store.manifest().unwrap()[0];
        assert_eq!(old.path, "old.csv");
        // Recorded before schema 6: the reconciliation is rebuilt from migration 1's columns.
        assert_eq!((old.reconciliation.read, old.reconciliation.rejected), (2, 1));
        assert_eq!(old.reconciliation.rejected_by_reason[&fedcx_model::RejectReason::UnknownChannel], 1);
        assert!(store.load_responses(&["FY2025 Q1".parse().unwrap()]).unwrap().is_empty());
    }

    #[test]
    fn published_means_round_trip_by_quarter_and_a_version_2_store_is_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.db");
        {
            // A store as the second schema left it.
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute_batch(MIGRATIONS[1]).unwrap();
            conn.pragma_update(None, "user_version", 2).unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        let q1: FiscalQuarter = "FY2020 Q1".parse().unwrap();
        let q2: FiscalQuarter = "FY2020 Q2".parse().unwrap();
        let p = |quarter, trust: &str| fedcx_model::PublishedMeans {
            service: ServiceId::new("va-vha-outpatient-care").unwrap(),
            quarter,
            touchpoint: "Post-visit email survey".into(),
            customers: None,
            surveyed: Some(1_860_215),
            respondents: Some(305_079),
            means: BTreeMap::from([(fedcx_model::Driver::Trust, trust.parse().unwrap())]),
        };
        let c = Contribution { published: vec![p(q1, "4.27"), p(q2, "4.28")], ..Contribution::default() };
        store.record(&entry("a"), &c, &mut |_| {}).unwrap();
        let loaded = store.load(&[q2]).unwrap();
        assert_eq!(loaded.published, [p(q2, "4.28")]);
        assert_eq!(loaded.published[0].means[&fedcx_model::Driver::Trust].to_string(), "4.28");
        assert_eq!(store.load(&[q1, q2]).unwrap().published.len(), 2);
    }

    #[test]
    fn opening_again_keeps_the_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut store = Store::open(&path).unwrap();
        store.record(&entry("a"), &contribution("ssa-replacement-card", "FY2024 Q1", 1), &mut |_| {}).unwrap();
        store.record_registry(&Registry::bundled(), at("2026-01-01T00:00:00Z")).unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.manifest().unwrap().len(), 1);
        assert_eq!(store.latest_registry().unwrap().unwrap(), Registry::bundled());
    }
}
