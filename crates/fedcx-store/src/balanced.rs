//! The balanced-measures inputs in the store: each ingested FEVS file's weighted counts, each
//! business-results file's measures and each Site Scanning snapshot, kept per file (tables of
//! migration 7) so `fedcx forget` and `ingest --replace` take exactly one file's part out, and read
//! back together as the report's [`BalancedInputs`].

use fedcx_model::{BalancedInputs, BalancedPart};
use rusqlite::params;

use crate::{Store, StoreError};

/// The tables holding one file's balanced-measures part (removed with the file).
pub(crate) const TABLES: [&str; 3] = ["fevs_counts", "business_measure", "site_snapshot"];

/// Inserts one file's part under its manifest row `file_id`.
pub(crate) fn insert(
    tx: &rusqlite::Connection,
    path: &std::path::Path,
    file_id: i64,
    part: Option<&BalancedPart>,
) -> Result<(), StoreError> {
    let sql = |source| StoreError::Sqlite { path: path.to_owned(), source };
    match part {
        None => {}
        Some(BalancedPart::Fevs(counts)) => {
            let json = serde_json::to_string(counts).expect("FEVS counts serialise");
            tx.prepare_cached("INSERT INTO fevs_counts (file_id, year, counts) VALUES (?1, ?2, ?3)")
                .map_err(sql)?
                .execute(params![file_id, counts.year.get(), json])
                .map_err(sql)?;
        }
        Some(BalancedPart::Business(measures)) => {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO business_measure (file_id, service, quarter, metric, measure) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(sql)?;
            for m in measures {
                let json = serde_json::to_string(m).expect("measures serialise");
                stmt.execute(params![
                    file_id,
                    m.service().as_str(),
                    m.quarter().compact(),
                    m.metric().to_string(),
                    json
                ])
                .map_err(sql)?;
            }
        }
        Some(BalancedPart::SiteSnapshot(snapshot)) => {
            let json = serde_json::to_string(&snapshot.scans).expect("scans serialise");
            tx.prepare_cached("INSERT INTO site_snapshot (file_id, taken, source, scans) VALUES (?1, ?2, ?3, ?4)")
                .map_err(sql)?
                .execute(params![file_id, snapshot.taken.to_string(), snapshot.source, json])
                .map_err(sql)?;
        }
    }
    Ok(())
}

impl Store {
    /// Every balanced-measures input the store holds, as the report reads it
    /// ([`BalancedInputs::from_parts`], files in the order they were ingested): FEVS counts of the
    /// same survey year merged, one per year; every business measure, except that when two files
    /// give the same service, quarter and metric the file ingested *later* wins (to correct a
    /// number, ingest the corrected file with `--replace` and the old one's rows leave outright);
    /// Site Scanning snapshots oldest first.
    pub fn load_balanced(&self) -> Result<BalancedInputs, StoreError> {
        let mut parts = Vec::new();
        let mut stmt =
            self.conn.prepare("SELECT counts FROM fevs_counts ORDER BY file_id, rowid").map_err(self.sql())?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(self.sql())?;
        for row in rows {
            let json = row.map_err(self.sql())?;
            parts.push(BalancedPart::Fevs(
                serde_json::from_str(&json).map_err(|e| self.damaged("FEVS counts", e.to_string()))?,
            ));
        }
        let mut stmt =
            self.conn.prepare("SELECT measure FROM business_measure ORDER BY file_id, rowid").map_err(self.sql())?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(self.sql())?;
        let mut measures = Vec::new();
        for row in rows {
            let json = row.map_err(self.sql())?;
            measures.push(serde_json::from_str(&json).map_err(|e| self.damaged("business measure", e.to_string()))?);
        }
        // In ingest order, so a later file's measure replaces an earlier one's.
        parts.push(BalancedPart::Business(measures));
        let mut stmt = self
            .conn
            .prepare("SELECT taken, source, scans FROM site_snapshot ORDER BY file_id, rowid")
            .map_err(self.sql())?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
            .map_err(self.sql())?;
        for row in rows {
            let (taken, source, scans) = row.map_err(self.sql())?;
            let taken = taken.parse().map_err(|e: chrono::ParseError| self.damaged("site snapshot", e.to_string()))?;
            let scans = serde_json::from_str(&scans).map_err(|e| self.damaged("site snapshot", e.to_string()))?;
            parts.push(BalancedPart::SiteSnapshot(fedcx_model::SiteSnapshot { taken, source, scans }));
        }
        Ok(BalancedInputs::from_parts(parts))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use fedcx_ingest::balanced::{read_balanced, BalancedOptions};
    use fedcx_model::fevs::SurveyYear;
    use fedcx_model::{Digest, Format, Reconciliation, Registry};
    use rusqlite::Connection;

    use super::*;
    use crate::{FileRecord, ManifestEntry, Recorded, Store, MIGRATIONS, SCHEMA_VERSION};

    /// One of fedcx-ingest's real fixtures, read as `format`.
    fn part(name: &str, format: Format, year: Option<u16>) -> BalancedPart {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fedcx-ingest/tests/fixtures").join(name);
        let bytes = std::fs::read(&p).unwrap();
        let options = BalancedOptions { fevs_year: year.map(|y| SurveyYear::new(y).unwrap()) };
        read_balanced(&p, format, bytes.as_slice(), &Registry::bundled(), &options).unwrap().part.unwrap()
    }

    fn entry(name: u8, format: Format) -> (ManifestEntry, Digest) {
        let mut d = [0u8; 32];
        d[0] = name;
        let e = ManifestEntry {
            sha256: Digest(d),
            path: format!("{}.csv", name as char),
            format,
            ingested_at: "2026-01-01T00:00:00Z".parse().unwrap(),
            reconciliation: Reconciliation::default(),
        };
        (e, Digest(d))
    }

    /// Records one file whose only contribution is `part`.
    fn record(store: &mut Store, e: &ManifestEntry, part: &BalancedPart) -> Recorded {
        let nothing = fedcx_model::Contribution::default();
        let mut file = FileRecord::new(e.clone(), &nothing);
        file.balanced = Some(part);
        store.record_all(vec![file], &mut |_| {}).unwrap().remove(0)
    }

    #[test]
    fn balanced_parts_round_trip_and_forget_takes_one_file_out() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        assert!(store.load_balanced().unwrap().is_empty());
        let fevs_2019 = part("fevs/prdf-2019-layout.csv", Format::Fevs, Some(2019));
        let fevs_2020 = part("fevs/prdf-2019-layout.csv", Format::Fevs, Some(2020));
        let business = part("business/business-results.csv", Format::BusinessResults, None);
        let old = part("site-scanning/ssa_full_rows_2025_01_16.csv", Format::SiteScanning, None);
        let new = part("site-scanning/current_layout_2026_08.csv", Format::SiteScanning, None);
        let files = [
            (b'a', Format::Fevs, &fevs_2019),
            (b'b', Format::Fevs, &fevs_2019),
            (b'c', Format::Fevs, &fevs_2020),
            (b'd', Format::BusinessResults, &business),
            // The newer snapshot first: the store hands them back oldest first anyway.
            (b'e', Format::SiteScanning, &new),
            (b'f', Format::SiteScanning, &old),
        ];
        for (name, format, p) in files {
            let (e, _) = entry(name, format);
            assert_eq!(record(&mut store, &e, p), Recorded::Stored);
        }
        let (again, _) = entry(b'a', Format::Fevs);
        assert!(matches!(record(&mut store, &again, &fevs_2019), Recorded::AlreadyIngested(_)));
        let loaded = store.load_balanced().unwrap();
        // Two files of 2019 merge into one year (each unit's respondents doubled), 2020 apart.
        let BalancedPart::Fevs(one) = &fevs_2019 else { unreachable!() };
        assert_eq!(loaded.fevs.len(), 2);
        assert_eq!(loaded.fevs[0].year.get(), 2019);
        assert_eq!(loaded.fevs[1].year.get(), 2020);
        for (unit, (n, w)) in &one.respondents {
            let (n2, w2) = loaded.fevs[0].respondents[unit];
            assert_eq!(n2, 2 * n);
            assert!((w2 - 2.0 * w).abs() < 1e-9);
        }
        let BalancedPart::Business(measures) = &business else { unreachable!() };
        assert_eq!(&loaded.business, measures);
        let (BalancedPart::SiteSnapshot(o), BalancedPart::SiteSnapshot(n)) = (&old, &new) else { unreachable!() };
        assert_eq!(loaded.site_snapshots, [o.clone(), n.clone()]);
        assert!(o.taken < n.taken);
        // Forgetting a file takes exactly its part out.
        store.forget(&entry(b'b', Format::Fevs).1, chrono::Utc::now(), "test").unwrap();
        store.forget(&entry(b'd', Format::BusinessResults).1, chrono::Utc::now(), "test").unwrap();
        store.forget(&entry(b'e', Format::SiteScanning).1, chrono::Utc::now(), "test").unwrap();
        let after = store.load_balanced().unwrap();
        assert_eq!(after.fevs[0].respondents, one.respondents);
        assert!(after.business.is_empty());
        assert_eq!(after.site_snapshots, std::slice::from_ref(o));
    }

    #[test]
    fn a_later_file_wins_a_measure_given_twice() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let BalancedPart::Business(measures) = part("business/business-results.csv", Format::BusinessResults, None)
        else {
            unreachable!()
        };
        let first = measures[0].clone();
        let corrected = fedcx_model::BusinessMeasure::new(
            first.service().clone(),
            first.quarter(),
            first.metric().clone(),
            12.0,
            first.unit(),
            "corrected",
        )
        .unwrap();
        record(&mut store, &entry(b'a', Format::BusinessResults).0, &BalancedPart::Business(measures.clone()));
        record(&mut store, &entry(b'b', Format::BusinessResults).0, &BalancedPart::Business(vec![corrected.clone()]));
        let loaded = store.load_balanced().unwrap().business;
        assert_eq!(loaded.len(), measures.len(), "replaced, not added");
        assert_eq!(loaded[0], corrected);
        assert_eq!(loaded[1..], measures[1..]);
    }

    #[test]
    fn a_version_6_store_is_migrated_and_gains_the_balanced_tables() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v6.db");
        {
            let conn = Connection::open(&path).unwrap();
            for m in &MIGRATIONS[..6] {
                conn.execute_batch(m).unwrap();
            }
            conn.pragma_update(None, "user_version", 6).unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        let v: i64 = store.conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        assert!(store.load_balanced().unwrap().is_empty());
        let p = part("site-scanning/ssa_rows_key_columns.csv", Format::SiteScanning, None);
        record(&mut store, &entry(b'a', Format::SiteScanning).0, &p);
        assert_eq!(store.load_balanced().unwrap().site_snapshots.len(), 1);
    }
}
