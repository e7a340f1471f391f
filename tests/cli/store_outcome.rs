//! What one ingest does to the store as a whole (issue 21): `--replace` is all or nothing, a
//! refused re-ingest says so in its exit status, and the store only ever holds what the
//! commands that succeeded put there.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Output;
use std::sync::Mutex;

use proptest::prelude::*;

use super::TestDir;

/// The export of a store holding nothing: its header alone.
const EMPTY_EXPORT: &str = "service,channel,quarter,item,point,n\n";

/// The demo's header and its first `n` rows (version 1, FY2022 Q1, one response id each).
fn demo_rows(n: usize) -> (String, Vec<String>) {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo/responses.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_owned();
    (header, lines.take(n).map(str::to_owned).collect())
}

/// One response as the model knows it: the demo row it is (its id) and which of two versions of
/// its answers (1: the first answer changed, as a corrected export would have it).
type Response = (usize, u8);

/// A file of the given responses, as CSV.
fn csv_of(responses: &BTreeSet<Response>) -> String {
    let (header, rows) = demo_rows(12);
    let mut out = header + "\n";
    for &(i, version) in responses {
        let mut fields: Vec<String> = rows[i].split(',').map(str::to_owned).collect();
        if version == 1 {
            // q1 (the eighth column) moves to another point, so the counts differ.
            fields[7] = if fields[7] == "5" { "1".into() } else { "5".into() };
        }
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

/// The files the property test ingests, replaces and forgets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Pool {
    /// Six responses.
    A,
    /// A's content under another name.
    ACopy,
    /// A corrected A: two responses dropped, one answer changed, two new responses.
    A2,
    /// Four responses of its own.
    B,
    /// Every row rejected (an unknown service): refused, never recorded.
    Bad,
    /// Not a format fedcx reads: the ingest fails.
    Broken,
}

impl Pool {
    fn name(self) -> &'static str {
        match self {
            Pool::A => "a.csv",
            Pool::ACopy => "a-copy.csv",
            Pool::A2 => "a2.csv",
            Pool::B => "b.csv",
            Pool::Bad => "bad.csv",
            Pool::Broken => "broken.csv",
        }
    }

    /// The content the store would hold it as (A and its copy are one content); none for the
    /// files that are never stored.
    fn content(self) -> Option<Pool> {
        match self {
            Pool::A | Pool::ACopy => Some(Pool::A),
            Pool::A2 | Pool::B => Some(self),
            Pool::Bad | Pool::Broken => None,
        }
    }

    fn responses(self) -> BTreeSet<Response> {
        match self {
            Pool::A | Pool::ACopy => (0..6).map(|i| (i, 0)).collect(),
            Pool::A2 => [(0, 1), (1, 0), (2, 0), (3, 0), (6, 0), (7, 0)].into(),
            Pool::B => (8..12).map(|i| (i, 0)).collect(),
            Pool::Bad | Pool::Broken => BTreeSet::new(),
        }
    }

    fn bytes(self) -> Vec<u8> {
        match self {
            Pool::Bad => csv_of(&(0..3).map(|i| (i, 0)).collect()).replace("dhs-cbp-port-of-entry", "no-such-service"),
            Pool::Broken => "these,are,not\nsurvey,answers,at all\n".to_owned(),
            _ => csv_of(&self.responses()),
        }
        .into_bytes()
    }

    const ALL: [Pool; 6] = [Pool::A, Pool::ACopy, Pool::A2, Pool::B, Pool::Bad, Pool::Broken];
}

#[derive(Debug, Clone)]
enum Op {
    Ingest(Pool),
    Replace { old: Pool, new: Pool },
    Forget(Pool),
}

impl Op {
    fn args(&self) -> Vec<&'static str> {
        match *self {
            Op::Ingest(f) => vec!["-q", "ingest", f.name()],
            Op::Replace { old, new } => vec!["-q", "ingest", new.name(), "--replace", old.name()],
            Op::Forget(f) => vec!["forget", f.name()],
        }
    }
}

/// The store as the commands should leave it: each stored file's content with the responses it
/// was stored with, in the order they were ingested. Duplicates are by response id (the demo's
/// rows share service and quarter), against every file that stays.
#[derive(Debug, Default)]
struct Model {
    files: Vec<(Pool, BTreeSet<Response>)>,
}

impl Model {
    fn holds(&self, content: Pool) -> bool {
        self.files.iter().any(|(c, _)| *c == content)
    }

    /// Stores `file`, its responses those whose ids no file but `leaving` holds.
    fn store(&mut self, file: Pool, leaving: Option<Pool>) {
        let ids: BTreeSet<usize> =
            self.files.iter().filter(|(c, _)| Some(*c) != leaving).flat_map(|(_, r)| r.iter().map(|x| x.0)).collect();
        let kept = file.responses().into_iter().filter(|r| !ids.contains(&r.0)).collect();
        self.files.push((file.content().expect("only storable files are stored"), kept));
    }

    fn remove(&mut self, content: Pool) {
        self.files.retain(|(c, _)| *c != content);
    }

    /// Applies `op` and says the exit status the command should end with.
    fn apply(&mut self, op: &Op) -> i32 {
        match *op {
            Op::Ingest(f) => match f.content() {
                None => 1,
                Some(c) if self.holds(c) => 3,
                Some(_) => {
                    self.store(f, None);
                    0
                }
            },
            // In the order the command finds out: the new file is read (and refused) before the
            // old one is looked for in the store.
            Op::Replace { old, new } => match new.content() {
                None => 1,
                Some(c) if self.holds(c) => 3,
                Some(_) => {
                    let old = old.content().expect("only stored files are replaced");
                    if !self.holds(old) {
                        return 1;
                    }
                    self.remove(old);
                    self.store(new, Some(old));
                    0
                }
            },
            Op::Forget(f) => {
                let c = f.content().expect("only stored files are forgotten");
                if !self.holds(c) {
                    return 1;
                }
                self.remove(c);
                0
            }
        }
    }

    fn responses(&self) -> BTreeSet<Response> {
        self.files.iter().flat_map(|(_, r)| r.iter().copied()).collect()
    }
}

/// The export of a fresh store into which exactly `responses` were ingested, as one file: what
/// the store under test must export when the model holds them. Kept across cases.
fn expected_export(responses: &BTreeSet<Response>) -> String {
    static SEEN: Mutex<BTreeMap<Vec<Response>, String>> = Mutex::new(BTreeMap::new());
    if responses.is_empty() {
        return EMPTY_EXPORT.to_owned();
    }
    let key: Vec<Response> = responses.iter().copied().collect();
    if let Some(e) = SEEN.lock().unwrap().get(&key) {
        return e.clone();
    }
    let t = TestDir::new();
    t.write("all.csv", csv_of(responses).as_bytes());
    t.ok(&["-q", "ingest", "all.csv"]);
    let export = t.ok(&["export", "--out", "-"]);
    SEEN.lock().unwrap().insert(key, export.clone());
    export
}

/// The store's export, or that of an empty store when no command has made one yet.
fn export(t: &TestDir) -> String {
    if !t.path("fedcx.db").exists() {
        return EMPTY_EXPORT.to_owned();
    }
    t.ok(&["export", "--out", "-"])
}

fn pool() -> impl Strategy<Value = Pool> {
    proptest::sample::select(Pool::ALL.to_vec())
}

fn storable() -> impl Strategy<Value = Pool> {
    proptest::sample::select(vec![Pool::A, Pool::ACopy, Pool::A2, Pool::B])
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => pool().prop_map(Op::Ingest),
        3 => (storable(), pool()).prop_map(|(old, new)| Op::Replace { old, new }),
        1 => storable().prop_map(Op::Forget),
    ]
}

fn said(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

proptest! {
    // Each step runs the binary twice; a few dozen sequences cover the pairs that matter (a
    // file replaced by itself, by its copy, by a refused or failing file, twice in a row).
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    /// After every step of any sequence of ingests, replacements and forgets, the store exports
    /// exactly what a fresh store holding the model's responses exports, and each command's exit
    /// status says whether it changed anything.
    #[test]
    fn the_store_always_holds_what_its_model_holds(ops in prop::collection::vec(op(), 1..7)) {
        let t = TestDir::new();
        for f in Pool::ALL {
            t.write(f.name(), &f.bytes());
        }
        let mut model = Model::default();
        for (step, op) in ops.iter().enumerate() {
            let status = model.apply(op);
            let out = t.run(&op.args());
            prop_assert_eq!(out.status.code(), Some(status), "step {} {:?}:\n{}", step, op, said(&out));
            prop_assert_eq!(export(&t), expected_export(&model.responses()), "after step {} {:?}", step, op);
        }
    }
}

/// The exact case: a file replaced by itself (re-running an ingest to add
/// `--keep-responses`) was refused as a repeat, then its old copy was taken out, leaving the store
/// empty with exit status 0.
#[test]
fn a_file_replaced_by_itself_is_refused_and_the_store_keeps_it() {
    let t = TestDir::new();
    let (header, rows) = demo_rows(2000);
    t.write("a.csv", (header + "\n" + &rows.join("\n") + "\n").as_bytes());
    t.ok(&["--store", "s.db", "ingest", "a.csv"]);
    let before = t.ok(&["--store", "s.db", "export", "--out", "-"]);
    assert!(before.lines().count() > 1000, "{before}");
    let out = t.run(&["--store", "s.db", "ingest", "--keep-responses", "a.csv", "--replace", "a.csv"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("nothing was replaced or added"), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("replaced a.csv"), "{}", said(&out));
    assert_eq!(t.ok(&["--store", "s.db", "export", "--out", "-"]), before, "the store is as it was");
    let prov = t.ok(&["--store", "s.db", "provenance", "--service", "dhs-cbp-port-of-entry", "--quarter", "FY2022Q1"]);
    assert!(!prov.contains("removed"), "{prov}");
    // A copy of it under another name is the same content: refused the same way.
    t.write("copy.csv", &std::fs::read(t.path("a.csv")).unwrap());
    let out = t.run(&["--store", "s.db", "ingest", "copy.csv", "--replace", "a.csv"]);
    assert_eq!(out.status.code(), Some(3), "{}", said(&out));
    // A file that fails, or whose every row is rejected, replaces nothing either.
    t.write("broken.csv", &Pool::Broken.bytes());
    t.write("bad.csv", &Pool::Bad.bytes());
    for new in ["broken.csv", "bad.csv"] {
        let out = t.run(&["--store", "s.db", "ingest", new, "--replace", "a.csv"]);
        assert_eq!(out.status.code(), Some(1), "{new}: {}", said(&out));
    }
    assert_eq!(t.ok(&["--store", "s.db", "export", "--out", "-"]), before, "the store is as it was");
}

/// A refused re-ingest (the same content again) has its own exit status, 3, quiet or not, and
/// `fedcx ingest --help` says what every status means.
#[test]
fn a_refused_re_ingest_exits_3_with_or_without_quiet() {
    let t = TestDir::new();
    t.write("a.csv", &Pool::A.bytes());
    t.write("b.csv", &Pool::B.bytes());
    t.ok(&["ingest", "a.csv"]);
    for quiet in [&[][..], &["-q"]] {
        let out = t.command().args(quiet).args(["ingest", "a.csv"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{quiet:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line, the refusal: {stderr}");
        assert!(stderr.starts_with("a.csv: refused: the same content was already ingested"), "{stderr}");
    }
    // With a new file beside it, the new one is stored and the status still says one was refused.
    let out = t.run(&["-q", "ingest", "a.csv", "b.csv"]);
    assert_eq!(out.status.code(), Some(3), "{}", said(&out));
    assert!(t.ok(&["export", "--out", "-"]).contains(",respondents,v1,10\n"), "both files' 10 respondents");
    // The same file twice in one command is no refusal: its content is stored once.
    let t = TestDir::new();
    t.write("a.csv", &Pool::A.bytes());
    t.write("copy.csv", &Pool::A.bytes());
    t.ok(&["-q", "ingest", "a.csv", "copy.csv"]);
    let help = t.ok(&["ingest", "--help"]);
    assert!(help.contains("Exit status:") && help.contains("\n  3    refused: the store already holds"), "{help}");
    for code in ["0", "1", "2", "141"] {
        assert!(help.contains(&format!("\n  {code} ")), "{code}: {help}");
    }
}

/// Respondents, accepted rows and duplicates in a store, from its tables.
fn totals(db: &Path) -> (i64, i64, i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let respondents: i64 =
        conn.query_row("SELECT sum(n) FROM count_cell WHERE item = 'respondents'", [], |r| r.get(0)).unwrap();
    let (accepted, duplicates) = conn
        .query_row("SELECT sum(accepted), sum(duplicates) FROM ingest_file", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    (respondents, accepted, duplicates)
}

/// Three ingests at once of files sharing response ids store each response once, as three in a row
/// do. Before, each read the store's fingerprints before parsing and nothing checked them again
/// when it wrote: all three stored the shared responses (0 duplicates, every time).
#[test]
fn ingests_at_once_of_overlapping_files_store_what_ingests_in_a_row_store() {
    let t = TestDir::new();
    let (header, rows) = demo_rows(900);
    let file = |name: &str, range: std::ops::Range<usize>| {
        t.write(name, (header.clone() + "\n" + &rows[range].join("\n") + "\n").as_bytes());
    };
    file("f1.csv", 0..600);
    file("f2.csv", 300..900);
    file("f3.csv", 0..900);
    let names = ["f1.csv", "f2.csv", "f3.csv"];
    for f in names {
        t.ok(&["-q", "--store", "row.db", "ingest", f]);
    }
    let sequential = totals(&t.path("row.db"));
    assert_eq!(sequential, (900, 900, 1200), "900 distinct responses in 2,100 rows");
    let export = t.ok(&["--store", "row.db", "export", "--out", "-"]);
    for trial in 0..5 {
        let db = format!("at-once-{trial}.db");
        // The pause inside each write transaction keeps the three ingests overlapping.
        let outs: Vec<Output> = std::thread::scope(|s| {
            let handles: Vec<_> = names
                .iter()
                .map(|f| {
                    let db = db.clone();
                    let t = &t;
                    s.spawn(move || {
                        t.command()
                            .args(["-q", "--store", &db, "ingest", f])
                            .env("FEDCX_TEST_STALL_IN_TRANSACTION_MS", "200")
                            .output()
                            .unwrap()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for out in &outs {
            assert!(out.status.success(), "trial {trial}: {}", said(out));
        }
        assert_eq!(totals(&t.path(&db)), sequential, "trial {trial}");
        assert_eq!(t.ok(&["--store", &db, "export", "--out", "-"]), export, "trial {trial}");
    }
}

/// The analyst who ingested a file without `--keep-responses` runs the same ingest again with it:
/// the file is read again and its respondent-level rows are added to what the store holds of it,
/// counts unchanged, exit 0. Before, it was refused (and the `--replace` way to it emptied the
/// store).
#[test]
fn keep_responses_on_a_file_ingested_without_it_adds_its_rows_and_leaves_its_counts() {
    let t = TestDir::new();
    let (header, rows) = demo_rows(2010);
    let write = |t: &TestDir, name: &str, range: std::ops::Range<usize>| {
        t.write(name, (header.clone() + "\n" + &rows[range].join("\n") + "\n").as_bytes());
    };
    write(&t, "a.csv", 0..2000);
    write(&t, "b.csv", 2000..2010);
    t.ok(&["-q", "ingest", "a.csv"]);
    let before = t.ok(&["export", "--out", "-"]);
    let db = t.path("fedcx.db");
    // Without the flag it is refused, and the refusal says what to do.
    let out = t.run(&["ingest", "a.csv"]);
    assert_eq!(out.status.code(), Some(3), "{}", said(&out));
    assert!(
        said(&out).contains("to add its respondent-level rows, ingest it again with --keep-responses"),
        "{}",
        said(&out)
    );
    // With it, beside a new file: the rows are added, the new file stored.
    let out = t.run(&["ingest", "--keep-responses", "a.csv", "b.csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    assert!(said(&out).contains("added 2000 respondent-level rows to a.csv"), "{}", said(&out));
    assert_eq!(store_count(&db, "response"), 2000 + 10);
    assert_eq!(store_count(&db, "ingest_file"), 2);
    t.ok(&["forget", "b.csv"]);
    assert_eq!(t.ok(&["export", "--out", "-"]), before, "a.csv's counts are as they were");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let ids: i64 = conn
        .query_row("SELECT count(DISTINCT json_extract(response, '$.id')) FROM response", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ids, 2000, "each of the file's responses once");
    // Its rows are there now: asking again is a refusal.
    let out = t.run(&["ingest", "--keep-responses", "a.csv"]);
    assert_eq!(out.status.code(), Some(3), "{}", said(&out));
    assert_eq!(store_count(&db, "response"), 2000);

    // When the store changed around the file since (a file it shared responses with was
    // forgotten), reading it again gives other counts: nothing is added, and the error says why.
    let t = TestDir::new();
    write(&t, "x.csv", 0..100);
    write(&t, "a.csv", 0..2000);
    t.ok(&["-q", "ingest", "x.csv"]);
    t.ok(&["-q", "ingest", "a.csv"]);
    t.ok(&["forget", "x.csv"]);
    let before = t.ok(&["export", "--out", "-"]);
    let out = t.run(&["ingest", "--keep-responses", "a.csv"]);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(said(&out).contains("a.csv read again gives other counts than when it was ingested"), "{}", said(&out));
    assert_eq!(store_count(&t.path("fedcx.db"), "response"), 0);
    assert_eq!(t.ok(&["export", "--out", "-"]), before);
}

fn store_count(db: &Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap()
}

/// `--store` naming another application's SQLite database (tables fedcx does not own) is refused
/// with a clear error by every command, and the database is left byte for byte as it was. Before,
/// `ingest` added fedcx's tables to it (and a read said to run `ingest` to "upgrade" it).
#[test]
fn another_applications_database_given_as_the_store_is_refused_and_left_alone() {
    let t = TestDir::new();
    {
        let conn = rusqlite::Connection::open(t.path("crm.db")).unwrap();
        conn.execute_batch(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, email TEXT);
             CREATE TABLE orders (id INTEGER PRIMARY KEY, customer INTEGER, total REAL);
             INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com');",
        )
        .unwrap();
    }
    let bytes = std::fs::read(t.path("crm.db")).unwrap();
    t.write("a.csv", &Pool::A.bytes());
    for args in [
        &["--store", "crm.db", "ingest", "a.csv"][..],
        &["--store", "crm.db", "forget", "a.csv"],
        &["--store", "crm.db", "export", "--out", "e.csv"],
        &["--store", "crm.db", "provenance", "--service", "dhs-cbp-port-of-entry", "--quarter", "FY2022Q1"],
        &["--store", "crm.db", "report", "--fy", "2022", "--quarter", "1", "--out", "out"],
    ] {
        let out = t.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("crm.db: not a fedcx store: it has tables (customers, orders) and no fedcx schema version"),
            "{args:?}: {stderr}"
        );
    }
    assert_eq!(std::fs::read(t.path("crm.db")).unwrap(), bytes, "not a byte changed");
    assert!(!t.path("crm.db-wal").exists() && !t.path("e.csv").exists() && !t.path("out").exists());
}

/// Counts summed past 2^53, the largest fedcx keeps exactly, are an error naming the count, never
/// a wrapped number: 2,100 rows of n = 2^53 in one file once reported 468374361246531584
/// respondents; two files within the bound whose sum is not are refused by the store.
#[test]
fn counts_summed_past_2_to_the_53_are_refused_with_the_count_named() {
    let t = TestDir::new();
    let row = "ssa-replacement-card,website,FY2025Q2,respondents,v2,9007199254740992\n";
    let header = "service,channel,quarter,item,point,n\n";
    t.write("big.csv", (header.to_owned() + &row.repeat(2100)).as_bytes());
    let named = "the count of ssa-replacement-card website FY2025Q2 respondents/v2 sums to more than \
                 9007199254740992 (2^53), the largest count fedcx keeps exactly";
    for args in [
        &["ingest", "big.csv", "--format", "counts"][..],
        &["ingest", "--no-store", "big.csv", "--format", "counts", "--counts", "c.json"],
        &["report", "--fy", "2025", "--quarter", "2", "--out", "out", "--bootstrap", "0", "big.csv"],
    ] {
        let out = t.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", said(&out));
        assert!(said(&out).contains(&format!("big.csv: {named}")), "{args:?}: {}", said(&out));
        assert!(!said(&out).contains("468374361246531584"), "{}", said(&out));
    }
    assert!(!t.path("c.json").exists() && !t.path("out").exists());
    assert_eq!(t.ok(&["export", "--out", "-"]), EMPTY_EXPORT, "nothing stored");
    // One file at the bound is stored; a second that would take the sum past it is refused.
    t.write("at.csv", (header.to_owned() + row).as_bytes());
    t.write("one.csv", (header.to_owned() + &row.replace(",9007199254740992", ",1")).as_bytes());
    t.ok(&["-q", "ingest", "at.csv", "--format", "counts"]);
    let before = t.ok(&["export", "--out", "-"]);
    let out = t.run(&["ingest", "one.csv", "--format", "counts"]);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    assert!(
        said(&out).contains(
            "nothing was recorded: the count of ssa-replacement-card website FY2025Q2 respondents/v2 would be more \
             than 9007199254740992 (2^53)"
        ),
        "{}",
        said(&out)
    );
    assert_eq!(t.ok(&["export", "--out", "-"]), before);
}

/// Every command that reads counts from the store checks them the same way: a store edited to
/// hold n = i64::MAX, a negative count or the quarter `FY99999Q9` is damaged, named, and nothing
/// is written from it. Before, `report` printed a wrapped total, `export` wrote the counts as they
/// were (negative, or in a quarter `report` then refused).
#[test]
fn every_read_of_the_store_refuses_counts_fedcx_never_writes() {
    let edits = [
        (
            "UPDATE count_cell SET n = 9223372036854775807 WHERE item = 'respondents'",
            "9223372036854775807 is not a count fedcx stores (0 to 9007199254740992, 2^53)",
        ),
        ("UPDATE count_cell SET n = -5 WHERE item = 'q1' AND point = '4'", "q1/4: -5 is not a count fedcx stores"),
        ("UPDATE count_cell SET quarter = 'FY99999Q9' WHERE item = 'q1'", "\"FY99999Q9\" is not a fiscal quarter"),
    ];
    for (edit, named) in edits {
        let t = TestDir::new();
        t.write("a.csv", &Pool::A.bytes());
        t.ok(&["-q", "ingest", "a.csv"]);
        rusqlite::Connection::open(t.path("fedcx.db")).unwrap().execute_batch(edit).unwrap();
        let mut reads = vec![
            &["export", "--out", "e.csv"][..],
            &["export", "--format", "parquet", "--out", "e.parquet"],
            &["report", "--fy", "2022", "--quarter", "1", "--out", "out", "--bootstrap", "0"],
        ];
        if edit.contains("'respondents'") {
            // Provenance reads the respondents of each file (of one quarter), not the answers.
            reads.push(&["provenance", "--service", "dhs-cbp-port-of-entry", "--quarter", "FY2022Q1"]);
        }
        for args in reads {
            let out = t.run(args);
            assert_eq!(out.status.code(), Some(1), "{edit}: {args:?}: {}", said(&out));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                stderr.contains("fedcx.db: a stored ") && stderr.contains("is damaged"),
                "{edit}: {args:?}: {stderr}"
            );
            let sum_failed = stderr.contains("stored counts sum past 2^63");
            assert!(stderr.contains(named) || sum_failed, "{edit}: {args:?}: {stderr}");
            assert!(!String::from_utf8_lossy(&out.stdout).contains("922337203685477"), "{args:?}");
        }
        assert!(!t.path("e.csv").exists() && !t.path("e.parquet").exists() && !t.path("out").exists(), "{edit}");
    }
}
