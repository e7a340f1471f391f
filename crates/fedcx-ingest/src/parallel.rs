//! Reading a respondent-level CSV on several cores, with the same results as reading it on one.
//!
//! A reader thread cuts the input into chunks of whole records (a newline ends a record only where
//! the csv parser itself would end one, followed with [`QuoteState`], so quoted fields with embedded
//! newlines stay whole) and numbers their first lines. Worker threads parse chunks, count the
//! accepted responses into counts of their own (the counts monoid: merged at the end, in any order,
//! to the same result) and fingerprint them. The calling thread takes the chunks back in file
//! order through [`ParallelSource`] as compact [`Item`]s (a fingerprint, not a response), so the
//! duplicate check ("the first is kept"), the reject file and the reconciliation see exactly the
//! sequence a sequential read gives: the output does not depend on the number of threads or on
//! their timing.

use std::collections::{BTreeMap, VecDeque};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use fedcx_model::traits::Rejection;
use fedcx_model::{Channel, FiscalQuarter, GroupKey, ResponseCounts, SurveyResponse, Tally};

use crate::error::IngestError;
use crate::mapped::{Fields, Notes, RowParser};
use crate::rows::{ChunkRows, Counted, Produced, QuoteState};

/// Chunks are cut at the first record boundary after this many bytes.
pub(crate) const CHUNK_BYTES: usize = 1 << 20;

/// A chunk of whole records: its position in the file, the line it starts on, and its bytes.
struct Chunk {
    index: usize,
    first_line: u64,
    bytes: Vec<u8>,
}

/// One record of a chunk, as the calling thread needs it: counting was done by the worker.
pub(crate) enum Item {
    /// A response, counted by the worker.
    Accepted {
        /// Its [`crate::pipeline::response_fingerprint`].
        fp: u128,
        /// The response itself, only when respondent rows are kept.
        response: Option<Box<SurveyResponse>>,
    },
    /// A response read but rejected because its timestamp has no fiscal quarter (not counted).
    BadTimestamp {
        /// Its fingerprint: it still makes later copies duplicates.
        fp: u128,
        /// The rejection.
        rejection: Box<Rejection>,
    },
    /// A record the parser rejected (or excluded); boxed, since rejections are rare and large and
    /// every item of a chunk is moved twice on its way to the calling thread.
    Rejected(Box<Rejection>),
}

/// A parsed chunk.
struct Parsed {
    index: usize,
    items: Vec<Item>,
    notes: Notes,
    produced: Produced,
}

/// The items of a file parsed by worker threads, handed out in file order.
pub(crate) struct ParallelSource {
    path: PathBuf,
    results: Receiver<Result<Parsed, IngestError>>,
    pending: BTreeMap<usize, VecDeque<Item>>,
    current: VecDeque<Item>,
    next_index: usize,
    notes: Notes,
    /// The header's counts, then each chunk's as it is handed out.
    produced: Produced,
}

impl Counted for ParallelSource {
    fn produced(&self) -> Produced {
        self.produced
    }
}

impl ParallelSource {
    /// Personal data redacted and rows kept with a warning, by kind, over the chunks handed out so far.
    pub(crate) fn notes(&self) -> &Notes {
        &self.notes
    }
}

impl ParallelSource {
    /// The next record in file order, or `None` at the end of the input.
    pub(crate) fn next_item(&mut self) -> Result<Option<Item>, IngestError> {
        loop {
            if let Some(item) = self.current.pop_front() {
                return Ok(Some(item));
            }
            if let Some(next) = self.pending.remove(&self.next_index) {
                self.current = next;
                self.next_index += 1;
                continue;
            }
            match self.results.recv() {
                Ok(Ok(p)) => {
                    self.notes.merge(&p.notes);
                    self.produced.merge(&p.produced);
                    self.pending.insert(p.index, p.items.into());
                }
                Ok(Err(e)) => return Err(e),
                // Every worker has finished and every chunk was handed out.
                Err(_) => {
                    debug_assert!(self.pending.is_empty(), "{}: chunks were lost", self.path.display());
                    return Ok(None);
                }
            }
        }
    }
}

/// How a file is spread over threads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ParallelConfig {
    /// Parsing workers.
    pub threads: usize,
    /// Chunks are cut at the first record boundary after this many bytes.
    pub chunk_bytes: usize,
    /// Records covering more lines than this are rejected.
    pub max_record_lines: u64,
    /// Whether the accepted responses themselves are handed back (to be kept), not only counted.
    pub keep_responses: bool,
    /// A worker holding more groups than this stops the read ([`IngestError::TooManyGroups`]).
    pub max_groups: usize,
}

/// Reads the rest of `input` (after the header, whose columns are `header` and whose counts are
/// `head`) with parsing workers, and gives the items, in file order, to `consume`, which runs on the
/// calling thread. Returns what `consume` returned and the counts of every accepted response.
pub(crate) fn read<T>(
    path: &Path,
    input: Box<dyn Read + Send + '_>,
    parser: &RowParser<'_>,
    (header, head): (Vec<String>, Produced),
    config: ParallelConfig,
    consume: impl FnOnce(&mut ParallelSource) -> Result<T, IngestError>,
) -> Result<(T, ResponseCounts), IngestError> {
    let threads = config.threads.max(1);
    let header: Arc<[String]> = header.into();
    let chunk_bytes = config.chunk_bytes;
    let first_line = head.lines + 1;
    let (chunk_tx, chunk_rx) = sync_channel::<Chunk>(threads);
    // Chunk buffers go back to the reader once parsed, so it reuses them instead of allocating
    // (and the kernel zeroing) a megabyte a chunk.
    let (spare_tx, spare_rx) = sync_channel::<Vec<u8>>(threads + 1);
    let (result_tx, result_rx) = sync_channel::<Result<Parsed, IngestError>>(threads);
    let chunk_rx = Mutex::new(chunk_rx);
    std::thread::scope(|scope| {
        let reader_results = result_tx.clone();
        scope.spawn(move || {
            if let Err(e) = split(path, input, first_line, chunk_bytes, (&chunk_tx, &spare_rx)) {
                // The consumer sees the error in order of arrival; a send fails only if it has stopped.
                let _ = reader_results.send(Err(e));
            }
        });
        let mut workers = Vec::with_capacity(threads);
        for _ in 0..threads {
            let results = result_tx.clone();
            let chunks = &chunk_rx;
            let spares = spare_tx.clone();
            let header = Arc::clone(&header);
            workers.push(scope.spawn(move || {
                let mut counts = ResponseCounts::default();
                let mut groups = Groups::default();
                loop {
                    let next = chunks.lock().map(|rx| rx.recv());
                    let Ok(Ok(chunk)) = next else { break };
                    let parsed =
                        parse_chunk(path, parser, Arc::clone(&header), &chunk, &config, (&mut counts, &mut groups));
                    // A full pool means the reader has buffers enough: this one is freed.
                    let _ = spares.try_send(chunk.bytes);
                    if results.send(parsed).is_err() {
                        break;
                    }
                }
                groups.add_into(parser, &mut counts);
                counts
            }));
        }
        drop(result_tx);
        let mut source = ParallelSource {
            path: path.to_owned(),
            results: result_rx,
            pending: BTreeMap::new(),
            current: VecDeque::new(),
            next_index: 0,
            notes: Notes::default(),
            produced: head,
        };
        let out = consume(&mut source);
        // Dropping the receiver stops the workers if the consumer stopped early (an error). The
        // reader may then be blocked sending a chunk nobody takes: the chunks left are drained
        // here until it ends, or the scope would wait for it forever.
        drop(source);
        while let Ok(Ok(_)) = chunk_rx.lock().map(|rx| rx.recv()) {}
        let mut counts = ResponseCounts::default();
        for w in workers {
            // A worker panics only on a broken invariant; that is re-raised here as it would be
            // on a sequential read.
            let part = w.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            counts.merge(&part);
        }
        Ok((out?, counts))
    })
}

/// A worker's counts by group while it reads, keyed by numbers (the parser's service number, the
/// channel and the quarter) rather than by text, so counting a row neither allocates nor compares
/// strings; made into [`ResponseCounts`] once, when the worker is done.
#[derive(Default)]
struct Groups(crate::fnv::FnvMap<(u32, Channel, FiscalQuarter), Tally>);

impl Groups {
    fn add(&mut self, f: &Fields<'_>) {
        self.0.entry((f.service, f.channel, f.quarter)).or_default().add(&f.answers);
    }

    fn add_into(self, parser: &RowParser<'_>, counts: &mut ResponseCounts) {
        for ((service, channel, quarter), tally) in self.0 {
            counts.add_tally(&GroupKey { service: parser.service(service).clone(), channel, quarter }, &tally);
        }
    }
}

/// Parses one chunk, counting its accepted responses into the worker's counts: by number when
/// the responses themselves are not kept, else from each response made.
fn parse_chunk(
    path: &Path,
    parser: &RowParser<'_>,
    header: Arc<[String]>,
    chunk: &Chunk,
    config: &ParallelConfig,
    (counts, groups): (&mut ResponseCounts, &mut Groups),
) -> Result<Parsed, IngestError> {
    let mut rows = ChunkRows::new(path, chunk.bytes.as_slice(), header, chunk.first_line, config.max_record_lines);
    let mut items = Vec::new();
    let mut notes = Notes::default();
    while let Some(row) = rows.next_row()? {
        if !config.keep_responses {
            items.push(match parser.parse_fields(&row, &mut notes) {
                Ok(f) => {
                    let fp = crate::pipeline::fingerprint(None, parser.service(f.service), Some(f.quarter), f.id);
                    groups.add(&f);
                    Item::Accepted { fp, response: None }
                }
                Err(rej) => Item::Rejected(Box::new(rej)),
            });
            continue;
        }
        items.push(match parser.parse_row(&row, &mut notes) {
            Ok(r) => {
                let fp = crate::pipeline::response_fingerprint(&r);
                match counts.add_response(&r) {
                    Ok(()) => Item::Accepted { fp, response: Some(Box::new(r)) },
                    Err(e) => {
                        Item::BadTimestamp { fp, rejection: Box::new(crate::pipeline::bad_timestamp(row.line, &r, &e)) }
                    }
                }
            }
            Err(rej) => Item::Rejected(Box::new(rej)),
        });
    }
    // Checked per chunk, so a worker's memory stays bounded while it reads.
    if groups.0.len() + counts.len() > config.max_groups {
        return Err(IngestError::TooManyGroups { path: path.to_owned(), limit: config.max_groups });
    }
    let produced = rows.produced();
    Ok(Parsed { index: chunk.index, items, notes, produced })
}

/// Cuts the input into chunks of whole records and sends them in order.
fn split(
    path: &Path,
    mut input: Box<dyn Read + Send + '_>,
    first_line: u64,
    chunk_bytes: usize,
    (out, spares): (&SyncSender<Chunk>, &Receiver<Vec<u8>>),
) -> Result<(), IngestError> {
    let io = |source| IngestError::Io { path: path.to_owned(), source };
    let mut buf: Vec<u8> = Vec::with_capacity(chunk_bytes + chunk_bytes / 8);
    let mut index = 0;
    let mut line = first_line;
    // The quoting state and scan position carry over between reads until a boundary is found.
    let mut scanned = 0;
    let mut state = QuoteState::StartRecord;
    let mut last_boundary = None;
    let mut eof = false;
    while !eof {
        let start = buf.len();
        buf.resize(start + chunk_bytes, 0);
        let n = read_full(&mut input, &mut buf[start..]).map_err(io)?;
        buf.truncate(start + n);
        eof = n == 0;
        if let Some(b) = scan(&buf[scanned..], &mut state) {
            last_boundary = Some(scanned + b);
        }
        scanned = buf.len();
        let cut = if eof {
            (!buf.is_empty()).then_some(buf.len())
        } else if buf.len() >= chunk_bytes {
            last_boundary.map(|b| b + 1)
        } else {
            None
        };
        if let Some(cut) = cut {
            // The rest starts the next chunk, in a buffer a worker gave back when there is one.
            let mut next = spares.try_recv().unwrap_or_else(|_| Vec::with_capacity(chunk_bytes + chunk_bytes / 8));
            next.clear();
            next.extend_from_slice(&buf[cut..]);
            buf.truncate(cut);
            let bytes = std::mem::replace(&mut buf, next);
            let lines = memchr::memchr_iter(b'\n', &bytes).count() as u64;
            if out.send(Chunk { index, first_line: line, bytes }).is_err() {
                return Ok(());
            }
            index += 1;
            line += lines;
            // The remainder starts on a boundary, so its scan restarts at the start of a record.
            scanned = 0;
            state = QuoteState::StartRecord;
            last_boundary = None;
        }
    }
    Ok(())
}

/// Follows the quoting state over `bytes` from `state`, returning the position of the last newline
/// that ends a record (only a newline is a cut point, never the CR of a CRLF, so every chunk holds
/// whole lines). The same result as stepping [`QuoteState`] byte by byte, which it does only at
/// quotes: outside a quoted field a byte other than a quote moves to a state that depends on that
/// byte alone, so a stretch without quotes is settled by its last byte and its last newline, both
/// found with `memchr`; inside a quoted field only the next quote matters.
pub(crate) fn scan(bytes: &[u8], state: &mut QuoteState) -> Option<usize> {
    let mut last = None;
    let mut i = 0;
    while i < bytes.len() {
        let next_quote = memchr::memchr(b'"', &bytes[i..]).map_or(bytes.len(), |k| i + k);
        if *state == QuoteState::InQuoted {
            // Newlines in a quoted field are part of it.
            i = next_quote;
        } else if next_quote > i {
            if let Some(k) = memchr::memrchr(b'\n', &bytes[i..next_quote]) {
                last = Some(i + k);
            }
            *state = QuoteState::InField.step(bytes[next_quote - 1]);
            i = next_quote;
        }
        if i < bytes.len() {
            *state = state.step(b'"');
            i += 1;
        }
    }
    last
}

fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The reference: [`QuoteState::step`] on every byte.
    fn bytewise(bytes: &[u8], state: &mut QuoteState) -> Option<usize> {
        let mut last = None;
        for (i, &b) in bytes.iter().enumerate() {
            *state = state.step(b);
            if b == b'\n' && *state == QuoteState::StartRecord {
                last = Some(i);
            }
        }
        last
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Skipping to quotes finds the same last record boundary and ends in the same state as
        /// stepping byte by byte, from any state (a read may stop anywhere).
        #[test]
        fn scanning_to_quotes_equals_stepping_every_byte(
            bytes in prop::collection::vec(prop::sample::select(vec![b'a', b',', b'"', b'\n', b'\r', b' ']), 0..200),
            start in prop::sample::select(vec![
                QuoteState::StartRecord, QuoteState::StartField, QuoteState::InField,
                QuoteState::InQuoted, QuoteState::QuoteInQuoted,
            ]),
        ) {
            let (mut a, mut b) = (start, start);
            prop_assert_eq!(scan(&bytes, &mut a), bytewise(&bytes, &mut b));
            prop_assert_eq!(a, b);
        }
    }
}
