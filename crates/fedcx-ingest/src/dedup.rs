//! Exact duplicate detection in memory bounded by a budget, whatever the size of the input.
//!
//! Every response read leaves a fixed-size [`Entry`]: its 128-bit [`response_fingerprint`] and its
//! sequence number in the file. Entries go into a buffer of at most the budget; a full buffer is
//! sorted and spilled to an unnamed temporary file (a *run*). At the end of a file the runs are
//! merged k-way with the fingerprints known from before (the store's, and earlier files' of the
//! same ingest, each itself a sorted run), so equal fingerprints meet: in each group the first
//! in file order is kept unless the fingerprint was already known, and the others are duplicates.
//! Their sequence numbers come out sorted again (a second spilled sort), for the confirming pass
//! that re-reads the file and takes exactly those rows out. Memory is the buffers plus one small
//! read buffer per run; disk is 24 bytes a response.
//!
//! A sort rather than a filter plus confirming lookups: a filter's false positives would still need
//! an exact set to check against, and sorted runs give the exact answer with sequential IO only.
//!
//! [`response_fingerprint`]: crate::pipeline::response_fingerprint

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufWriter, Write};

/// A value of fixed size that can be spilled to disk and read back.
pub(crate) trait Record: Copy + Ord {
    /// Bytes on disk.
    const SIZE: usize;
    /// Writes the value into `out` (`SIZE` bytes).
    fn put(&self, out: &mut [u8]);
    /// Reads a value written by [`Record::put`].
    fn get(bytes: &[u8]) -> Self;
}

impl Record for u64 {
    const SIZE: usize = 8;
    fn put(&self, out: &mut [u8]) {
        out.copy_from_slice(&self.to_le_bytes());
    }
    fn get(bytes: &[u8]) -> u64 {
        let mut b = [0u8; 8];
        b.copy_from_slice(bytes);
        u64::from_le_bytes(b)
    }
}

impl Record for u128 {
    const SIZE: usize = 16;
    fn put(&self, out: &mut [u8]) {
        out.copy_from_slice(&self.to_le_bytes());
    }
    fn get(bytes: &[u8]) -> u128 {
        let mut b = [0u8; 16];
        b.copy_from_slice(bytes);
        u128::from_le_bytes(b)
    }
}

/// One response as the duplicate check sees it: its fingerprint, and where it is in its file.
/// Ordered by fingerprint, then file order, so a sorted group starts with the copy that is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Entry {
    /// The response's fingerprint.
    pub fp: u128,
    /// The response's sequence number among the file's responses (from 0), shifted left by one,
    /// with the low bit set when the response was rejected after it was read (its timestamp has
    /// no fiscal quarter): it still makes later copies duplicates, as it always has, but it is
    /// not a stored fingerprint.
    pub tagged_seq: u64,
}

impl Entry {
    /// The entry of response `seq`.
    pub fn new(fp: u128, seq: u64, rejected: bool) -> Entry {
        Entry { fp, tagged_seq: seq << 1 | u64::from(rejected) }
    }

    /// Whether the response was accepted (not rejected after it was read).
    pub fn accepted(&self) -> bool {
        Entry::tagged_accepted(self.tagged_seq)
    }

    /// Whether the response of a tagged sequence number was accepted.
    pub fn tagged_accepted(tagged_seq: u64) -> bool {
        tagged_seq & 1 == 0
    }
}

#[cfg(test)]
impl Entry {
    /// Bytes an entry takes in a sorter's buffer (and on disk).
    pub const SIZE_IN_MEMORY: usize = <Entry as Record>::SIZE;
}

impl Record for Entry {
    const SIZE: usize = 24;
    fn put(&self, out: &mut [u8]) {
        self.fp.put(&mut out[..16]);
        self.tagged_seq.put(&mut out[16..]);
    }
    fn get(bytes: &[u8]) -> Entry {
        Entry { fp: u128::get(&bytes[..16]), tagged_seq: u64::get(&bytes[16..]) }
    }
}

/// Read buffer of each spilled run during a merge.
const RUN_READ_BUFFER: usize = 8 << 10;

/// Runs a sorter merges at once at most: beyond, its runs are first merged into one on disk, so the
/// read buffers of a merge stay under 2 MiB (4 MiB for the two halves read at once) however many
/// rows a file has. With the default budget a run holds about 350,000 responses, so files of up
/// to some 90 million rows are merged once, at their end; a larger fan-in would make each step of
/// the merge dearer, a smaller one would merge the first runs again during the read (at 64, a
/// 50-million-row file was merged one and a half times over).
const MAX_FAN_IN: usize = 256;

/// The smallest buffer a sorter keeps, whatever the budget: below it, runs multiply for nothing.
const MIN_BUFFER_RECORDS: usize = 16;

/// A run this small stays in memory: a small file's fingerprints never touch the disk. (Tiny in
/// unit tests, so that they exercise the files.)
const MEMORY_RUN_BYTES: usize = if cfg!(test) { 64 } else { 1 << 20 };

/// A sorted sequence of records, on disk unless it is small, in one or more parts laid end to end
/// (the halves of a split duplicate check). Cloning shares it: every reader reads at its own
/// offset, so readers of clones may be used in any interleaving.
#[derive(Debug, Clone, Default)]
pub(crate) struct Run {
    parts: Vec<Part>,
}

/// Records `len` records of a run, stored together.
#[derive(Debug, Clone)]
struct Part {
    storage: Storage,
    len: u64,
}

#[derive(Debug, Clone)]
enum Storage {
    Memory(std::sync::Arc<[u8]>),
    File(std::sync::Arc<File>),
}

impl Storage {
    /// Fills `buf` with the bytes at `offset`.
    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
        match self {
            Storage::Memory(all) => {
                let start = usize::try_from(offset).unwrap_or(usize::MAX);
                let block = all.get(start..start.saturating_add(buf.len())).ok_or(std::io::ErrorKind::UnexpectedEof)?;
                buf.copy_from_slice(block);
                Ok(())
            }
            Storage::File(file) => read_exact_at(file, buf, offset),
        }
    }
}

impl Run {
    /// Records in the run.
    pub fn len(&self) -> u64 {
        self.parts.iter().map(|p| p.len).sum()
    }

    /// The records of `self`, then those of `next` (which must all sort after them).
    pub fn then(mut self, next: Run) -> Run {
        self.parts.extend(next.parts);
        self
    }

    /// Reads the run from its start (any number of readers, used in any order).
    pub fn reader<T: Record>(&self) -> std::io::Result<RunReader<T>> {
        Ok(self.reader_between(0, self.len()))
    }

    /// Reads records `from` to `to` (not included), by position.
    fn reader_between<T: Record>(&self, from: u64, to: u64) -> RunReader<T> {
        // Each part's stretch of [from, to), as (storage, first record, records).
        let mut segments = Vec::new();
        let mut start = 0;
        for p in &self.parts {
            let (lo, hi) = (from.max(start), to.min(start + p.len));
            if lo < hi {
                segments.push((p.storage.clone(), lo - start, hi - lo));
            }
            start += p.len;
        }
        segments.reverse();
        RunReader { segments, current: None, buf: Vec::new(), at: 0, _t: std::marker::PhantomData }
    }

    /// Record `i`, read on its own.
    fn record_at<T: Record>(&self, mut i: u64) -> std::io::Result<T> {
        for p in &self.parts {
            if i < p.len {
                let mut buf = [0u8; MAX_RECORD_SIZE];
                let bytes = &mut buf[..T::SIZE];
                p.storage.read_at(bytes, i * T::SIZE as u64)?;
                return Ok(T::get(bytes));
            }
            i -= p.len;
        }
        Err(std::io::ErrorKind::UnexpectedEof.into())
    }

    /// The position of the first record not less than `value` (a binary search, reading one
    /// record a step).
    fn lower_bound<T: Record>(&self, value: &T) -> std::io::Result<u64> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.record_at::<T>(mid)? < *value {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Ok(lo)
    }

    /// Two readers: of the records less than `split`, and of the others.
    fn split_readers<T: Record>(&self, split: &T) -> std::io::Result<(RunReader<T>, RunReader<T>)> {
        let at = self.lower_bound(split)?;
        Ok((self.reader_between(0, at), self.reader_between(at, self.len())))
    }
}

/// Fills `buf` from `file` at `offset`, without moving a position other readers share.
#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

/// Fills `buf` from `file` at `offset` (each reader passes its own offset).
#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, offset) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Writes a run record by record; the caller keeps them in order. The bytes stay in memory until
/// they pass [`MEMORY_RUN_BYTES`], then go to an unnamed temporary file (in `TMPDIR`), removed
/// when the run is dropped.
pub(crate) struct RunWriter {
    memory: Vec<u8>,
    file: Option<BufWriter<File>>,
    len: u64,
}

/// The largest [`Record::SIZE`]: a record is encoded on the stack, in this many bytes at most.
const MAX_RECORD_SIZE: usize = 32;

impl RunWriter {
    /// A new, empty run.
    pub fn new() -> RunWriter {
        RunWriter { memory: Vec::new(), file: None, len: 0 }
    }

    /// A new, empty run that goes to disk whatever its size: a spill is made to free memory.
    pub fn on_disk() -> std::io::Result<RunWriter> {
        let file = BufWriter::with_capacity(RUN_READ_BUFFER, tempfile::tempfile()?);
        Ok(RunWriter { memory: Vec::new(), file: Some(file), len: 0 })
    }

    /// Appends a record.
    pub fn push<T: Record>(&mut self, item: &T) -> std::io::Result<()> {
        let mut buf = [0u8; MAX_RECORD_SIZE];
        let bytes = &mut buf[..T::SIZE];
        item.put(bytes);
        self.len += 1;
        if let Some(f) = &mut self.file {
            return f.write_all(bytes);
        }
        self.memory.extend_from_slice(bytes);
        if self.memory.len() >= MEMORY_RUN_BYTES {
            let mut f = BufWriter::with_capacity(RUN_READ_BUFFER, tempfile::tempfile()?);
            f.write_all(&self.memory)?;
            self.memory = Vec::new();
            self.file = Some(f);
        }
        Ok(())
    }

    /// The finished run.
    pub fn finish(self) -> std::io::Result<Run> {
        let storage = match self.file {
            Some(f) => Storage::File(std::sync::Arc::new(f.into_inner().map_err(|e| e.into_error())?)),
            None => Storage::Memory(self.memory.into()),
        };
        Ok(Run { parts: vec![Part { storage, len: self.len }] })
    }
}

/// Reads a run back in order, a block of whole records at a time, decoding them from the block
/// (a read per record through a boxed reader cost more than the merge itself).
pub(crate) struct RunReader<T: Record> {
    /// The stretches still to read, last first: storage, first record, records.
    segments: Vec<(Storage, u64, u64)>,
    /// The stretch being read: its storage, where its next block starts (bytes), and how many
    /// records it has left.
    current: Option<(Storage, u64, u64)>,
    /// The block read last, and where its next record starts.
    buf: Vec<u8>,
    at: usize,
    _t: std::marker::PhantomData<T>,
}

impl<T: Record> RunReader<T> {
    /// The next record, or `None` at the end of the run.
    #[inline]
    pub fn next_record(&mut self) -> std::io::Result<Option<T>> {
        if let Some(bytes) = self.buf.get(self.at..self.at + T::SIZE) {
            self.at += T::SIZE;
            return Ok(Some(T::get(bytes)));
        }
        self.refill()?;
        Ok(self.buf.get(..T::SIZE).map(|bytes| {
            self.at = T::SIZE;
            T::get(bytes)
        }))
    }

    /// Reads the next block: as many whole records as fit the read buffer, or those left in the
    /// stretch; an empty block at the end.
    fn refill(&mut self) -> std::io::Result<()> {
        loop {
            match &mut self.current {
                Some((storage, offset, left)) if *left > 0 => {
                    let records = (*left).min((RUN_READ_BUFFER / T::SIZE) as u64);
                    // At most RUN_READ_BUFFER bytes, so the conversion cannot fail.
                    let bytes = usize::try_from(records).unwrap_or(0) * T::SIZE;
                    self.buf.resize(bytes, 0);
                    storage.read_at(&mut self.buf, *offset)?;
                    *offset += bytes as u64;
                    *left -= records;
                    self.at = 0;
                    return Ok(());
                }
                _ => match self.segments.pop() {
                    Some((storage, first, len)) => self.current = Some((storage, first * T::SIZE as u64, len)),
                    None => {
                        self.buf.clear();
                        self.at = 0;
                        return Ok(());
                    }
                },
            }
        }
    }
}

/// Sorts any number of records in a bounded buffer, spilling sorted runs to disk.
pub(crate) struct Sorter<T: Record> {
    buffer: Vec<T>,
    capacity: usize,
    runs: Vec<Run>,
}

impl<T: Record> Sorter<T> {
    /// A sorter holding at most `budget` bytes of records in memory.
    pub fn new(budget: usize) -> Sorter<T> {
        let capacity = (budget / T::SIZE).max(MIN_BUFFER_RECORDS);
        Sorter { buffer: Vec::new(), capacity, runs: Vec::new() }
    }

    /// Adds a record, spilling the buffer when it is full.
    pub fn push(&mut self, item: T) -> std::io::Result<()> {
        if self.buffer.len() == self.capacity {
            self.spill()?;
        }
        if self.buffer.capacity() == 0 {
            // Grown as needed up to the budget, so a small file costs little.
            self.buffer.reserve(self.capacity.min(4096));
        }
        self.buffer.push(item);
        Ok(())
    }

    fn spill(&mut self) -> std::io::Result<()> {
        self.buffer.sort_unstable();
        let mut w = RunWriter::on_disk()?;
        for item in self.buffer.drain(..) {
            w.push(&item)?;
        }
        self.runs.push(w.finish()?);
        if self.runs.len() >= MAX_FAN_IN {
            let mut merged = Merge::<T>::of_runs(&self.runs)?;
            let mut w = RunWriter::on_disk()?;
            while let Some(item) = merged.next_record()? {
                w.push(&item)?;
            }
            drop(merged);
            self.runs = vec![w.finish()?];
        }
        Ok(())
    }

    /// Records added so far.
    pub fn len(&self) -> u64 {
        self.runs.iter().map(Run::len).sum::<u64>() + self.buffer.len() as u64
    }

    /// Runs spilled so far (for tests: a tiny budget must really spill).
    #[cfg(test)]
    pub fn spilled_runs(&self) -> usize {
        self.runs.len()
    }

    /// Every record added, in order.
    pub fn into_sorted(mut self) -> std::io::Result<Merge<T>> {
        self.buffer.sort_unstable();
        self.buffer.shrink_to_fit();
        Merge::new(self.runs.iter().map(Run::reader).collect::<Result<Vec<_>, _>>()?, self.buffer)
    }

    /// Every record added, in order, as two merges: of the records less than `split`, and of
    /// the others, to be read at the same time on two threads.
    pub fn into_sorted_split(mut self, split: &T) -> std::io::Result<(Merge<T>, Merge<T>)> {
        self.buffer.sort_unstable();
        let at = self.buffer.partition_point(|r| r < split);
        let upper_memory = self.buffer.split_off(at);
        self.buffer.shrink_to_fit();
        let (lower, upper) = split_runs(&self.runs, split)?;
        Ok((Merge::new(lower, self.buffer)?, Merge::new(upper, upper_memory)?))
    }

    /// Takes in every record of `other`.
    pub fn absorb(&mut self, other: Sorter<T>) -> std::io::Result<()> {
        self.runs.extend(other.runs);
        for r in other.buffer {
            self.push(r)?;
        }
        Ok(())
    }

    /// Every record added, in order, in one run on disk.
    pub fn into_run(self) -> std::io::Result<Run> {
        let mut w = RunWriter::new();
        let mut merged = self.into_sorted()?;
        while let Some(item) = merged.next_record()? {
            w.push(&item)?;
        }
        w.finish()
    }
}

/// Readers of each run's records less than `split`, and of the others.
type SplitReaders<T> = (Vec<RunReader<T>>, Vec<RunReader<T>>);

fn split_runs<T: Record>(runs: &[Run], split: &T) -> std::io::Result<SplitReaders<T>> {
    let mut lower = Vec::with_capacity(runs.len());
    let mut upper = Vec::with_capacity(runs.len());
    for run in runs {
        let (l, u) = run.split_readers(split)?;
        lower.push(l);
        upper.push(u);
    }
    Ok((lower, upper))
}

/// A k-way merge of sorted runs (and one sorted buffer in memory).
pub(crate) struct Merge<T: Record> {
    readers: Vec<RunReader<T>>,
    memory: std::vec::IntoIter<T>,
    /// The head of each source: (record, source), source `readers.len()` for the memory buffer.
    heads: BinaryHeap<Reverse<(T, usize)>>,
}

impl<T: Record> Merge<T> {
    /// Merges `readers` and the sorted `memory`.
    pub fn new(mut readers: Vec<RunReader<T>>, memory: Vec<T>) -> std::io::Result<Merge<T>> {
        let mut heads = BinaryHeap::with_capacity(readers.len() + 1);
        for (i, r) in readers.iter_mut().enumerate() {
            if let Some(v) = r.next_record()? {
                heads.push(Reverse((v, i)));
            }
        }
        let mut memory = memory.into_iter();
        if let Some(v) = memory.next() {
            heads.push(Reverse((v, readers.len())));
        }
        Ok(Merge { readers, memory, heads })
    }

    /// Merges sorted runs on disk: those of their records less than `split`, and the others.
    pub fn of_runs_split(runs: &[Run], split: &T) -> std::io::Result<(Merge<T>, Merge<T>)> {
        let (lower, upper) = split_runs(runs, split)?;
        Ok((Merge::new(lower, Vec::new())?, Merge::new(upper, Vec::new())?))
    }

    /// Merges sorted runs on disk.
    pub fn of_runs(runs: &[Run]) -> std::io::Result<Merge<T>> {
        Merge::new(runs.iter().map(Run::reader).collect::<Result<Vec<_>, _>>()?, Vec::new())
    }

    /// The next record in order, or `None` when every source is exhausted.
    pub fn next_record(&mut self) -> std::io::Result<Option<T>> {
        let Some(mut top) = self.heads.peek_mut() else { return Ok(None) };
        let Reverse((v, i)) = *top;
        let next = if i == self.readers.len() { self.memory.next() } else { self.readers[i].next_record()? };
        match next {
            // The source's next record replaces its head in place: one sift instead of a pop
            // and a push.
            Some(n) => *top = Reverse((n, i)),
            None => {
                std::collections::binary_heap::PeekMut::pop(top);
            }
        }
        Ok(Some(v))
    }

    /// The next record without taking it.
    pub fn peek(&self) -> Option<T> {
        self.heads.peek().map(|Reverse((v, _))| *v)
    }
}

/// What the duplicate check found in one file.
pub(crate) struct Resolution {
    /// Sequence numbers (tagged as in [`Entry`]) of the duplicates, in file order.
    pub duplicates: Merge<u64>,
    /// How many there are.
    pub duplicate_count: u64,
    /// The fingerprints of the accepted responses kept, sorted: what a store keeps.
    pub kept: Run,
    /// The fingerprints of every response kept (accepted or not), sorted: what later files of the
    /// same ingest are checked against.
    pub seen: Run,
}

/// Finds the duplicates among a file's `entries` and against the fingerprints `known` from before
/// (sorted runs), holding at most `budget` bytes for the duplicates' sort.
///
/// `all_accepted` says that no entry is tagged as rejected after it was read (the caller counts
/// them as it pushes); a wrong `true` would store the fingerprints of rejected responses.
///
/// Copies of a response have the same fingerprint, so the fingerprints below 2^127 and the others
/// are checked apart, on two threads, and their results laid end to end: this check runs after
/// the file is read, when nothing else is left to do.
pub(crate) fn resolve(
    entries: Sorter<Entry>,
    known: &[Run],
    budget: usize,
    all_accepted: bool,
) -> std::io::Result<Resolution> {
    const HALF: u128 = 1 << 127;
    let (entries_low, entries_high) = entries.into_sorted_split(&Entry { fp: HALF, tagged_seq: 0 })?;
    let (known_low, known_high) = Merge::<u128>::of_runs_split(known, &HALF)?;
    let half_budget = budget / 2;
    let (low, high) = std::thread::scope(|scope| {
        let high = scope.spawn(move || resolve_range(entries_high, known_high, half_budget, all_accepted));
        let low = resolve_range(entries_low, known_low, half_budget, all_accepted);
        // The thread panics only on a broken invariant; that is re-raised here.
        (low, high.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
    });
    let (low, high) = (low?, high?);
    let mut duplicates = low.duplicates;
    duplicates.absorb(high.duplicates)?;
    let duplicate_count = duplicates.len();
    let seen = low.seen.then(high.seen);
    let kept = match (low.kept, high.kept) {
        (Some(l), Some(h)) => l.then(h),
        // When every response was accepted, `kept` holds the same records as `seen`: it is
        // `seen` shared, not written twice.
        _ => seen.clone(),
    };
    Ok(Resolution { duplicates: duplicates.into_sorted()?, duplicate_count, kept, seen })
}

/// What [`resolve`] finds in one range of fingerprints.
struct RangeResolution {
    duplicates: Sorter<u64>,
    kept: Option<Run>,
    seen: Run,
}

/// [`resolve`] over the entries and known fingerprints of one range.
fn resolve_range(
    mut entries: Merge<Entry>,
    mut known: Merge<u128>,
    budget: usize,
    all_accepted: bool,
) -> std::io::Result<RangeResolution> {
    let mut duplicates = Sorter::<u64>::new(budget);
    let mut kept = (!all_accepted).then(RunWriter::new);
    let mut seen = RunWriter::new();
    let mut seen_accepted = 0u64;
    let mut last_fp = None;
    while let Some(e) = entries.next_record()? {
        if last_fp == Some(e.fp) {
            duplicates.push(e.tagged_seq)?;
            continue;
        }
        last_fp = Some(e.fp);
        while known.peek().is_some_and(|k| k < e.fp) {
            known.next_record()?;
        }
        if known.peek() == Some(e.fp) {
            duplicates.push(e.tagged_seq)?;
            continue;
        }
        seen.push(&e.fp)?;
        if e.accepted() {
            seen_accepted += 1;
            if let Some(k) = &mut kept {
                k.push(&e.fp)?;
            }
        }
    }
    let seen = seen.finish()?;
    let kept = kept.map(RunWriter::finish).transpose()?;
    debug_assert_eq!(kept.as_ref().unwrap_or(&seen).len(), seen_accepted);
    Ok(RangeResolution { duplicates, kept, seen })
}

/// Fingerprints known before a file: the store's and those of earlier files of the same ingest,
/// as sorted runs, merged into one when they become many (each file's check reads them all).
#[derive(Debug, Default)]
pub(crate) struct Known {
    runs: Vec<Run>,
}

impl Known {
    /// Merging more runs than this costs more in read buffers and heap work than rewriting them.
    const MAX_RUNS: usize = 8;

    /// The runs.
    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// Adds a sorted run, compacting the runs into one when there are many.
    pub fn add(&mut self, run: Run) -> std::io::Result<()> {
        if run.len() == 0 {
            return Ok(());
        }
        self.runs.push(run);
        if self.runs.len() > Self::MAX_RUNS {
            let mut merged = Merge::<u128>::of_runs(&self.runs)?;
            let mut w = RunWriter::new();
            while let Some(fp) = merged.next_record()? {
                w.push(&fp)?;
            }
            self.runs = vec![w.finish()?];
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    /// The duplicates an exact in-memory set finds: each fingerprint's first copy in file order is
    /// kept unless it was known before; every later copy is a duplicate.
    fn exact(fps: &[u128], known: &[u128]) -> (Vec<u64>, Vec<u128>) {
        let mut seen: HashSet<u128> = known.iter().copied().collect();
        let mut dups = Vec::new();
        let mut kept = Vec::new();
        for (seq, fp) in fps.iter().enumerate() {
            if seen.insert(*fp) {
                kept.push(*fp);
            } else {
                dups.push(seq as u64);
            }
        }
        kept.sort_unstable();
        (dups, kept)
    }

    fn spilled(fps: &[u128], known: &[u128], budget: usize) -> (Vec<u64>, Vec<u128>, usize) {
        let mut sorter = Sorter::new(budget);
        for (seq, fp) in fps.iter().enumerate() {
            sorter.push(Entry::new(*fp, seq as u64, false)).unwrap();
        }
        let runs = sorter.spilled_runs();
        let mut known_sorter = Sorter::<u128>::new(budget);
        for fp in known {
            known_sorter.push(*fp).unwrap();
        }
        let mut known_runs = Known::default();
        known_runs.add(known_sorter.into_run().unwrap()).unwrap();
        let mut r = resolve(sorter, known_runs.runs(), budget, true).unwrap();
        let mut dups = Vec::new();
        while let Some(s) = r.duplicates.next_record().unwrap() {
            dups.push(s >> 1);
        }
        assert_eq!(r.duplicate_count, dups.len() as u64);
        let mut kept = Vec::new();
        let mut k = r.kept.reader::<u128>().unwrap();
        while let Some(fp) = k.next_record().unwrap() {
            kept.push(fp);
        }
        (dups, kept, runs)
    }

    #[test]
    fn a_tiny_budget_spills_and_still_finds_duplicates_far_apart() {
        // 10,000 distinct fingerprints, then the first and the 5,000th again at the very end, with
        // a budget of 16 entries: hundreds of runs, and the copies are in different ones.
        let mut fps: Vec<u128> =
            (0..10_000u128).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835)).collect();
        fps.push(fps[0]);
        fps.push(fps[5_000]);
        let (dups, kept, runs) = spilled(&fps, &[], 16 * Entry::SIZE);
        // 625 spills, merged into one run each time MAX_FAN_IN (256) have piled up.
        assert!(runs > 0 && runs < MAX_FAN_IN, "{runs} runs");
        assert_eq!(dups, [10_000, 10_001]);
        assert_eq!(kept.len(), 10_000);
    }

    /// The check runs in two halves split at 2^127: fingerprints on either side of the split,
    /// copied within the file and known from before, are found as an exact set finds them.
    #[test]
    fn fingerprints_at_the_split_between_the_halves() {
        let half = 1u128 << 127;
        let (a, b, c) = (half - 1, half, half + 1);
        let fps = [b, a, c, b, 0, u128::MAX, a, c, u128::MAX];
        let known = [b, c, 0];
        for budget in [1, 2, 64] {
            let (dups, kept, _) = spilled(&fps, &known, budget * Entry::SIZE);
            assert_eq!((dups, kept), exact(&fps, &known), "budget {budget}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The spilled check equals an exact in-memory set on random inputs with planted
        /// duplicates: copies next to each other, far apart, in different spilled runs, several
        /// copies of one, and copies of fingerprints known before the file.
        #[test]
        fn spilled_duplicate_detection_equals_an_exact_set(
            distinct in prop::collection::vec(any::<u128>(), 1..400),
            picks in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>()), 0..120),
            known_picks in prop::collection::vec(any::<prop::sample::Index>(), 0..40),
            known_fresh in prop::collection::vec(any::<u128>(), 0..40),
            budget_records in 1usize..64,
        ) {
            // Plant each pick as a copy of an existing fingerprint at a random later position.
            let mut fps = distinct.clone();
            for (from, to) in &picks {
                let fp = fps[from.index(fps.len())];
                let at = to.index(fps.len() + 1);
                fps.insert(at, fp);
            }
            let mut known: Vec<u128> = known_picks.iter().map(|i| distinct[i.index(distinct.len())]).collect();
            known.extend(known_fresh);
            let (dups, kept, _) = spilled(&fps, &known, budget_records * Entry::SIZE);
            let (want_dups, want_kept) = exact(&fps, &known);
            prop_assert_eq!(dups, want_dups);
            prop_assert_eq!(kept, want_kept);
        }
    }
}
