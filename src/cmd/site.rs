//! `fedcx site` (the government-wide pages written to a directory) and `fedcx serve` (the same
//! pages from memory on loopback, read-only, rebuilt when the store changes).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use fedcx_a11::site::{build_site, Site, SiteConfig, SiteInput};
use fedcx_model::Registry;

/// The options both commands share.
#[derive(clap::Args, Clone)]
pub struct SiteOptions {
    /// The trust share, in percent, each HISP is checked against on the front page.
    #[arg(long, default_value_t = 100.0 * fedcx_a11::site::DEFAULT_TRUST_BENCHMARK, value_name = "PERCENT",
          value_parser = parse_percent)]
    trust_benchmark: f64,
    /// Groups with fewer answers are suppressed.
    #[arg(long, default_value_t = fedcx_index::scores::DEFAULT_MIN_RESPONSES)]
    min_responses: u64,
}

fn parse_percent(s: &str) -> Result<f64, String> {
    let v: f64 = s.trim().trim_end_matches('%').parse().map_err(|_| format!("{s:?} is not a percentage (e.g. 70)"))?;
    if (0.0..=100.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} is not between 0 and 100"))
    }
}

/// Arguments of `fedcx site`.
#[derive(clap::Args)]
pub struct SiteArgs {
    /// The directory to write the site into (created; files fedcx writes there are replaced).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    #[command(flatten)]
    options: SiteOptions,
}

/// Arguments of `fedcx serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// The address to listen on; port 0 picks a free one (printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Listen on an address other than loopback (the pages then reach your network).
    #[arg(long)]
    allow_remote: bool,
    /// Connections handled at once; more wait for one to finish.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..=256))]
    max_connections: u64,
    #[command(flatten)]
    options: SiteOptions,
}

/// Builds the pages from everything the store holds.
fn build(registry: &Registry, store: &super::store::Location, options: &SiteOptions) -> Result<Site> {
    let st = store.open_read_only()?;
    let quarters = st.quarters()?;
    let data = st.load(&quarters)?;
    let source = format!(
        "the fedcx store {}",
        store.path.file_name().map_or_else(|| store.path.display().to_string(), |n| n.to_string_lossy().into_owned())
    );
    let input = SiteInput {
        registry,
        counts: &data.counts,
        details: &data.details,
        source: &source,
        config: SiteConfig { min_responses: options.min_responses, trust_benchmark: options.trust_benchmark / 100.0 },
    };
    Ok(build_site(&input)?)
}

/// `fedcx site`.
pub fn site(registry: &Registry, store: &super::store::Location, args: &SiteArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let pages = build(registry, store, &args.options)?;
    for (path, bytes) in &pages {
        // Paths are fedcx's own (slugs and quarter names), never user text; checked anyway.
        anyhow::ensure!(safe_relative(path), "refusing to write {path:?} outside the site");
        let target = args.out.join(path);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", super::shown(dir)))?;
        }
        super::write_output(&target, bytes)?;
    }
    let html = pages.keys().filter(|p| p.ends_with(".html")).count();
    super::say!(
        "site written to {}: {html} pages and {} CSV downloads in {:.2} s; open {}",
        super::shown(&args.out),
        pages.len() - html,
        started.elapsed().as_secs_f64(),
        super::shown(&args.out.join("index.html"))
    );
    Ok(())
}

/// Whether a site path is relative, without `..`, backslashes or control characters.
fn safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && path.split('/').all(|seg| !seg.is_empty() && seg != "." && seg != "..")
}

/// The pages and the store state they were built from.
struct Served {
    pages: Site,
    stamp: Option<StoreStamp>,
}

/// What tells a changed store: the modification times and sizes of the database and its WAL.
type StoreStamp = Vec<(Option<SystemTime>, u64)>;

fn stamp(path: &Path) -> Option<StoreStamp> {
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    let of = |p: &Path| std::fs::metadata(p).ok().map(|m| (m.modified().ok(), m.len()));
    Some(vec![of(path)?, of(&wal).unwrap_or((None, 0))])
}

/// `fedcx serve`.
pub fn serve(registry: &Registry, store: &super::store::Location, args: &ServeArgs) -> Result<()> {
    anyhow::ensure!(
        args.addr.ip().is_loopback() || args.allow_remote,
        "{} is not a loopback address: the pages would reach your network; pass --allow-remote to mean it",
        args.addr
    );
    let pages = build(registry, store, &args.options)?;
    let state = Arc::new(Mutex::new(Served { pages, stamp: stamp(&store.path) }));
    let listener = TcpListener::bind(args.addr).with_context(|| format!("cannot listen on {}", args.addr))?;
    let local = listener.local_addr()?;
    // Printed whatever -q says: a script starting the server needs the port it got.
    println!("serving http://{local}/ from {} (read-only; Ctrl-C stops)", super::shown(&store.path));
    std::io::stdout().flush()?;
    let busy = Arc::new(AtomicUsize::new(0));
    let max = args.max_connections as usize;
    for conn in listener.incoming() {
        let Ok(stream) = conn else { continue };
        // Bounded: past the limit, wait for a connection to finish rather than spawn without end.
        while busy.load(Ordering::Acquire) >= max {
            std::thread::sleep(Duration::from_millis(2));
        }
        busy.fetch_add(1, Ordering::AcqRel);
        let (state, busy) = (Arc::clone(&state), Arc::clone(&busy));
        let (registry, store, options) = (registry.clone(), store.path.clone(), args.options.clone());
        std::thread::spawn(move || {
            let _ = handle(stream, &state, &registry, &store, &options);
            busy.fetch_sub(1, Ordering::AcqRel);
        });
    }
    Ok(())
}

/// The longest request head read; beyond it the request is refused.
const MAX_HEAD: usize = 8 << 10;

/// Answers one request: GET or HEAD of a page the site has, else a 4xx naming why.
fn handle(
    stream: TcpStream,
    state: &Mutex<Served>,
    registry: &Registry,
    store: &Path,
    options: &SiteOptions,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?.take(MAX_HEAD as u64));
    let mut head = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line)?;
        if n == 0 || line == b"\r\n" || line == b"\n" {
            break;
        }
        head.extend_from_slice(&line);
        if head.len() >= MAX_HEAD {
            return respond(stream, 431, "text/plain", b"request head too large\n", false);
        }
    }
    let text = String::from_utf8_lossy(&head);
    let request_line = text.lines().next().unwrap_or("");
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next()) else {
        return respond(stream, 400, "text/plain", b"bad request line\n", false);
    };
    if parts.next().is_some() || !version.starts_with("HTTP/1.") {
        return respond(stream, 400, "text/plain", b"bad request line\n", false);
    }
    let head_only = match method {
        "GET" => false,
        "HEAD" => true,
        _ => return respond(stream, 405, "text/plain", b"only GET and HEAD: the server is read-only\n", false),
    };
    let Some(path) = site_path(target) else {
        return respond(stream, 400, "text/plain", b"bad path\n", head_only);
    };
    let mut served = state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let now = stamp(store);
    if now != served.stamp {
        // The store changed (an ingest, a forget): rebuild before answering.
        let location = super::store::Location { path: store.to_owned(), explicit: true };
        if let Ok(pages) = build(registry, &location, options) {
            served.pages = pages;
            served.stamp = now;
        }
    }
    match served.pages.get(&path) {
        Some(bytes) => {
            let bytes = bytes.clone();
            drop(served);
            respond(stream, 200, content_type(&path), &bytes, head_only)
        }
        None => respond(stream, 404, "text/plain", b"no such page\n", head_only),
    }
}

/// The site path a request target names: percent-decoded, the query dropped, `/` as the front
/// page; `None` for anything that could leave the site (`..`, encoded or not, backslashes, NUL).
fn site_path(target: &str) -> Option<String> {
    let raw = target.split(['?', '#']).next()?;
    let rest = raw.strip_prefix('/')?;
    let decoded = percent_decode(rest)?;
    let path = if decoded.is_empty() || decoded.ends_with('/') { format!("{decoded}index.html") } else { decoded };
    safe_relative(&path).then_some(path)
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("csv") => "text/csv; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn respond(mut stream: TcpStream, status: u16, kind: &str, body: &[u8], head_only: bool) -> std::io::Result<()> {
    let reason = BTreeMap::from([
        (200, "OK"),
        (400, "Bad Request"),
        (404, "Not Found"),
        (405, "Method Not Allowed"),
        (431, "Request Header Fields Too Large"),
    ]);
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nX-Content-Type-Options: nosniff\r\n\
         Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self'\r\n\
         Connection: close\r\n\r\n",
        reason.get(&status).copied().unwrap_or(""),
        body.len()
    )
    .into_bytes();
    if !head_only {
        out.extend_from_slice(body);
    }
    stream.write_all(&out)?;
    stream.flush()?;
    // Closing with unread bytes (a refused long head) makes the kernel reset the connection and the
    // client may lose the answer: say we are done, then read what is left, briefly and boundedly.
    stream.shutdown(std::net::Shutdown::Write)?;
    stream.set_read_timeout(Some(Duration::from_millis(200)))?;
    let _ = std::io::copy(&mut (&stream).take(1 << 20), &mut std::io::sink());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_never_leave_the_site() {
        assert_eq!(site_path("/").as_deref(), Some("index.html"));
        assert_eq!(site_path("/hisp/dos-ca.html?x=1").as_deref(), Some("hisp/dos-ca.html"));
        assert_eq!(site_path("/quarter/").as_deref(), Some("quarter/index.html"));
        for bad in
            ["/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/hisp/..%2f..%2fx", "/a\\b", "/%00", "x", "/%zz", "//etc"]
        {
            assert_eq!(site_path(bad), None, "{bad}");
        }
    }
}
