//! Fuzzes the physical-line accounting of the whole ingest, sequential and parallel: for any bytes,
//! either the file fails cleanly (an unterminated quote, a missing column) or every line is
//! accounted for (lines in = header + blank + lines in rows, with lines in counted here from the
//! bytes, a classic Mac file's lone CRs included), every row is classified, and one and two threads
//! agree.
#![no_main]

use fedcx_ingest::{IngestConfig, Ingestor, Reader, NATIVE_HEADER};
use libfuzzer_sys::fuzz_target;

static REGISTRY: std::sync::LazyLock<fedcx_model::Registry> = std::sync::LazyLock::new(fedcx_model::Registry::bundled);

fn run(bytes: &[u8], threads: usize) -> Option<fedcx_ingest::Reconciliation> {
    let mut ing = Ingestor::new(&REGISTRY, IngestConfig { threads, max_record_lines: 3, ..IngestConfig::default() });
    ing.ingest_bytes(std::path::Path::new("fuzz.csv"), bytes, &Reader::Format(fedcx_ingest::Format::Csv)).ok()?;
    Some(ing.finish().expect("no reject file to flush").reconciliation)
}

fuzz_target!(|data: &[u8]| {
    // Half the inputs get the native header, so rows are reached rather than only header errors.
    let mut bytes = Vec::new();
    if data.first().is_some_and(|b| b % 2 == 0) {
        bytes.extend_from_slice(NATIVE_HEADER.join(",").as_bytes());
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(data);
    let one = run(&bytes, 1);
    if let Some(r) = &one {
        assert!(r.balances(), "{r:?}");
        // Lines end at LF, and also at a lone CR when the input's first line end is one: the
        // ingest reads such a file (a classic Mac export) through `rows::LoneCrAsLf`.
        let lone_cr = |i: usize| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
        let first = bytes.iter().position(|&b| b == b'\r' || b == b'\n');
        let mac = first.is_some_and(lone_cr);
        let ends = |i: usize| bytes[i] == b'\n' || (mac && lone_cr(i));
        let newlines = (0..bytes.len()).filter(|&i| ends(i)).count() as u64;
        let lines = newlines + u64::from(!bytes.is_empty() && !ends(bytes.len() - 1));
        assert_eq!(r.lines.physical, lines, "{r:?}");
    }
    assert_eq!(run(&bytes, 2), one, "parallel and sequential reads differ");
});
