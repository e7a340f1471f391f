//! `fedcx site` and `fedcx serve` (issue 23) on a store of performance.gov's published FY2021-23
//! data: every link resolves, no page is large, a HISP page's numbers are `fedcx export`'s, and the
//! server serves exactly the static pages, refuses what leaves the site, and holds under load.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};

use super::TestDir;

fn published_store(t: &TestDir) -> PathBuf {
    let merged = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/fedcx-ingest/tests/fixtures/performance-gov-cx/mergedcxdata-2023-05-21.csv");
    let store = t.path("s.db");
    t.ok(&["-q", "--store", store.to_str().unwrap(), "ingest", merged.to_str().unwrap()]);
    store
}

/// Every file under `dir`, as paths relative to it with `/`.
fn files(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out
}

/// The `href` values of a page.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"").skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_owned).collect()
}

/// `target` resolved against the directory of `page`, both site-relative.
fn resolve(page: &str, target: &str) -> String {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for seg in target.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

#[test]
fn the_site_of_the_published_data_links_resolve_and_pages_stay_small() {
    let t = TestDir::new();
    let store = published_store(&t);
    let out = t.ok_all(&["--store", store.to_str().unwrap(), "site", "--out", "site"]);
    assert!(out.contains("site written to site: 38 pages and 38 CSV downloads"), "{out}");
    let dir = t.path("site");
    let all = files(&dir);
    // The front page, the matrix, one page per HISP with answers (27 of the 28 in the data: CBP
    // reported 0 respondents), one per quarter.
    assert!(all.contains("index.html") && all.contains("matrix.html") && all.contains("quarter/FY2022Q3.html"));
    assert_eq!(all.iter().filter(|p| p.starts_with("hisp/") && p.ends_with(".html")).count(), 27);
    assert_eq!(all.iter().filter(|p| p.starts_with("quarter/") && p.ends_with(".html")).count(), 9);
    let mut checked = 0;
    for page in all.iter().filter(|p| p.ends_with(".html")) {
        let html = std::fs::read_to_string(dir.join(page)).unwrap();
        assert!(html.len() < 500 << 10, "{page} is {} bytes", html.len());
        assert!(html.contains("Not an official U.S. government website"), "{page}");
        assert!(!html.to_ascii_lowercase().contains("an official website of the united states government"), "{page}");
        assert!(
            !html.contains("http://") && !html.contains("https://") && !html.contains("src="),
            "{page}: no requests"
        );
        for link in links(&html) {
            let target = link.split('#').next().unwrap();
            if target.is_empty() {
                continue;
            }
            let to = resolve(page, target);
            assert!(all.contains(&to), "{page} links to {link} ({to}), which the site does not have");
            checked += 1;
        }
        // Every page offers its CSV.
        let csv = page.replace(".html", ".csv");
        assert!(all.contains(&csv), "{page} has no {csv}");
    }
    assert!(checked > 300, "{checked} links");
}

#[test]
fn a_hisp_page_has_the_numbers_fedcx_export_gives() {
    let t = TestDir::new();
    let store = published_store(&t);
    let s = store.to_str().unwrap();
    t.ok(&["-q", "--store", s, "site", "--out", "site"]);
    t.ok(&["-q", "--store", s, "export", "--out", "e.csv"]);
    // Services of each provider, from the registry listing (not from the site's code).
    let hisps: serde_json::Value = serde_json::from_str(&t.ok(&["hisps", "--json"])).unwrap();
    for slug in ["usda-nrcs", "dos-ca", "va-vha", "usda-fsa"] {
        let p = hisps.as_array().unwrap().iter().find(|p| p["slug"] == slug).unwrap();
        let services: BTreeSet<String> =
            p["services"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_owned()).collect();
        // Trust (q2) agree and answers per service, channel and quarter, summed from the export.
        let mut want: BTreeMap<(String, String, String), (u64, u64)> = BTreeMap::new();
        let mut rd = csv::Reader::from_path(t.path("e.csv")).unwrap();
        for row in rd.records() {
            let row = row.unwrap();
            if !services.contains(&row[0]) || &row[3] != "q2" {
                continue;
            }
            let e = want.entry((row[0].to_owned(), row[1].to_owned(), row[2].to_owned())).or_default();
            let n: u64 = row[5].parse().unwrap();
            if &row[4] == "4" || &row[4] == "5" {
                e.0 += n;
            }
            e.1 += n;
        }
        let mut got: BTreeMap<(String, String, String), (u64, u64)> = BTreeMap::new();
        let mut rd = csv::Reader::from_path(t.path(&format!("site/hisp/{slug}.csv"))).unwrap();
        for row in rd.records() {
            let row = row.unwrap();
            if row[4].is_empty() {
                continue; // suppressed or no trust answers: no number is published
            }
            got.insert(
                (row[0].to_owned(), row[1].to_owned(), row[2].to_owned()),
                (row[4].parse().unwrap(), row[5].parse().unwrap()),
            );
        }
        let shown: BTreeMap<_, _> = want.iter().filter(|(_, (_, n))| *n >= 30).map(|(k, v)| (k.clone(), *v)).collect();
        assert!(!shown.is_empty(), "{slug}");
        assert_eq!(got, shown, "{slug}");
    }
}

/// Starts `fedcx serve` on a free loopback port; returns the child and its address.
fn start(t: &TestDir, store: &Path) -> (std::process::Child, String) {
    let mut child = t
        .command()
        .args(["--store", store.to_str().unwrap(), "serve", "--addr", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.split("http://").nth(1).and_then(|r| r.split('/').next()).unwrap_or_else(|| panic!("{line}"));
    (child, addr.to_owned())
}

/// Sends raw bytes and returns the status code and the body.
fn raw(addr: &str, request: &[u8]) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let text = String::from_utf8_lossy(&out);
    let code = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = out.windows(4).position(|w| w == b"\r\n\r\n").map_or(Vec::new(), |i| out[i + 4..].to_vec());
    (code, body)
}

fn get(addr: &str, path: &str) -> (u16, Vec<u8>) {
    raw(addr, format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
}

#[test]
fn serve_answers_every_static_page_refuses_the_rest_and_holds_under_load() {
    let t = TestDir::new();
    let store = published_store(&t);
    t.ok(&["-q", "--store", store.to_str().unwrap(), "site", "--out", "site"]);
    let (mut child, addr) = start(&t, &store);
    let all = files(&t.path("site"));
    for page in &all {
        let (code, body) = get(&addr, &format!("/{page}"));
        assert_eq!(code, 200, "{page}");
        assert_eq!(body, std::fs::read(t.path("site").join(page)).unwrap(), "{page} differs from the static build");
    }
    assert_eq!(get(&addr, "/").1, std::fs::read(t.path("site/index.html")).unwrap());
    for bad in ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/hisp/..%2f..%2fs.db", "/%00", "/a\\b"] {
        let (code, body) = get(&addr, bad);
        assert_eq!(code, 400, "{bad}");
        assert!(!String::from_utf8_lossy(&body).contains("root:"), "{bad}");
    }
    assert_eq!(get(&addr, "/no-such.html").0, 404);
    assert_eq!(get(&addr, "/s.db").0, 404, "the store itself is not a page");
    assert_eq!(raw(&addr, b"HELLO\r\n\r\n").0, 400);
    assert_eq!(raw(&addr, b"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n").0, 405);
    assert_eq!(raw(&addr, b"GET / SPDY/9\r\n\r\n").0, 400);
    let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(10_000));
    assert_eq!(raw(&addr, huge.as_bytes()).0, 431);
    // Bounded load: 8 clients x 25 requests at once, every answer whole.
    let pages: Vec<String> = all.iter().cloned().collect();
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let (addr, pages) = (addr.clone(), pages.clone());
            std::thread::spawn(move || {
                for k in 0..25 {
                    let page = &pages[(i * 25 + k) % pages.len()];
                    let (code, body) = get(&addr, &format!("/{page}"));
                    assert_eq!(code, 200, "{page}");
                    assert!(!body.is_empty());
                }
            })
        })
        .collect();
    for th in threads {
        th.join().unwrap();
    }
    // Read-only: the store is the same file after all that.
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn serve_refuses_an_address_beyond_loopback_unless_told() {
    let t = TestDir::new();
    let store = published_store(&t);
    let err = t.fails(&["--store", store.to_str().unwrap(), "serve", "--addr", "0.0.0.0:0"]);
    assert!(err.contains("0.0.0.0:0 is not a loopback address") && err.contains("--allow-remote"), "{err}");
}
