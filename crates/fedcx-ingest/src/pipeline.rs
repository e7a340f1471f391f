//! The ingest driver: runs a file through its source, drops duplicate response ids, writes rejects,
//! adds accepted rows to the counts and keeps the reconciliation that proves no row was lost.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use fedcx_model::traits::{Rejection, ResponseSource, SourceItem};
use fedcx_model::{CollectionDetail, Contribution, Registry, SurveyResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::dedup::{Entry, Known, Run, Sorter};
use crate::details::read_details;
use crate::error::IngestError;
use crate::format::Format;
use crate::jsonl::JsonlSource;
use crate::mapped::{MappedCsvSource, Mapping};
use crate::reconcile::{Reconciliation, Refusal, RejectReason, RejectWriter};
use crate::rows::{Counted, DEFAULT_MAX_RECORD_LINES};

/// How strict an ingest is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestConfig {
    /// Stop with an error at the first rejected row instead of counting it.
    pub fail_on_reject: bool,
    /// Keep accepted responses (for PLS, conversion or the store), not only their counts.
    pub keep_responses: KeepResponses,
    /// Worker threads for parsing respondent-level CSV: 0 for one per core, 1 to read on the
    /// calling thread only. The results are the same either way.
    pub threads: usize,
    /// A CSV record covering more physical lines than this is rejected (an unbalanced quote
    /// swallowed the rows on them) instead of being read as one row with a huge field.
    pub max_record_lines: u64,
    /// Bytes the duplicate check may hold in memory; beyond it, sorted fingerprints spill to
    /// temporary files. The result is the same for any budget, only the disk traffic differs.
    pub dedup_memory: usize,
    /// What the balanced-measures files need (the FEVS survey year).
    pub balanced: crate::balanced::BalancedOptions,
    /// The most service x channel x quarter groups one ingest counts; past it the ingest stops
    /// with [`IngestError::TooManyGroups`]. Each group holds about 4.5 KB while a file is read
    /// (its tally on every worker and in the totals), so the default bounds that at about 450 MB.
    pub max_groups: usize,
}

/// The default of [`IngestConfig::max_groups`]: above every real quarter's groups (110 services x
/// 20 channels x 40 quarters is 88,000), far below what would exhaust memory.
pub const DEFAULT_MAX_GROUPS: usize = 100_000;

/// Whether, and where, accepted responses are kept beside their counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeepResponses {
    /// Only counted.
    #[default]
    No,
    /// Held in memory, for a consumer that needs them all at once anyway (the PLS index of a
    /// report read from files).
    InMemory,
    /// Streamed to a temporary file as they are read, never held in memory (into a store).
    Spilled,
}

impl KeepResponses {
    /// Whether responses are kept at all.
    pub fn any(self) -> bool {
        match self {
            KeepResponses::No => false,
            KeepResponses::InMemory | KeepResponses::Spilled => true,
        }
    }
}

/// The default for [`IngestConfig::dedup_memory`]: 16 MiB, about 700,000 responses before the
/// first spill.
pub const DEFAULT_DEDUP_MEMORY: usize = 16 << 20;

impl Default for IngestConfig {
    fn default() -> IngestConfig {
        IngestConfig {
            fail_on_reject: false,
            keep_responses: KeepResponses::No,
            threads: 0,
            max_record_lines: DEFAULT_MAX_RECORD_LINES,
            dedup_memory: DEFAULT_DEDUP_MEMORY,
            balanced: crate::balanced::BalancedOptions::default(),
            max_groups: DEFAULT_MAX_GROUPS,
        }
    }
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileReport {
    /// The file.
    pub path: PathBuf,
    /// The format it was read as.
    pub format: Format,
    /// SHA-256 of its bytes.
    pub sha256: fedcx_model::Digest,
    /// Whether it was skipped because a file with the same content was already ingested.
    pub skipped_same_content: bool,
    /// Its reconciliation.
    pub reconciliation: Reconciliation,
    /// Patterns real data does not produce, found in what the file contributed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plausibility: Vec<crate::plausibility::Finding>,
    /// Rows kept with a warning, each naming its line (the reconciliation counts them by kind).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<crate::reconcile::Notice>,
}

/// Everything an ingest produced.
#[derive(Debug, Default)]
pub struct IngestResult {
    /// What all files together contributed.
    pub total: Contribution,
    /// Per file.
    pub files: Vec<FileReport>,
    /// What each ingested (not skipped) file contributed, in the order of `files`' non-skipped entries.
    pub per_file: Vec<FileData>,
    /// All files together.
    pub reconciliation: Reconciliation,
}

impl IngestResult {
    /// Every file's kept responses, in file order, read back from their temporary files (empty
    /// unless [`IngestConfig::keep_responses`] was set).
    pub fn responses(&self) -> impl Iterator<Item = Result<SurveyResponse, IngestError>> + '_ {
        self.per_file.iter().flat_map(FileData::responses)
    }
}

/// What one file contributed: kept apart so a store can trace every count to its file. Its
/// responses and fingerprints are in temporary files, removed when this is dropped.
#[derive(Debug)]
pub struct FileData {
    /// The file's report.
    pub report_index: usize,
    /// Its counts, details and series.
    pub contribution: Contribution,
    path: PathBuf,
    /// The [`response_fingerprint`] of each accepted response kept, sorted.
    fingerprints: Option<Run>,
    /// Its accepted responses, when [`IngestConfig::keep_responses`] was set.
    responses: Option<Kept>,
    /// What a balanced-measures file (FEVS, business results, Site Scanning) gave.
    pub balanced: Option<fedcx_model::BalancedPart>,
}

impl FileData {
    /// The [`response_fingerprint`] of each accepted response, in ascending order, for a store's
    /// duplicate check in later ingests.
    pub fn fingerprints(&self) -> impl Iterator<Item = Result<u128, IngestError>> + '_ {
        let temp = |source| IngestError::TempFile { path: self.path.clone(), source };
        let mut reader = self.fingerprints.as_ref().map(|r| r.reader::<u128>().map_err(temp));
        std::iter::from_fn(move || match reader.as_mut()? {
            Ok(r) => r.next_record().map_err(temp).transpose(),
            Err(_) => reader.take().and_then(Result::err).map(Err),
        })
    }

    /// How many fingerprints [`FileData::fingerprints`] gives.
    pub fn fingerprint_count(&self) -> u64 {
        self.fingerprints.as_ref().map_or(0, Run::len)
    }

    /// The accepted responses (with [`IngestConfig::keep_responses`]), in file order.
    pub fn responses(&self) -> Box<dyn Iterator<Item = Result<SurveyResponse, IngestError>> + '_> {
        let temp = |source| IngestError::TempFile { path: self.path.clone(), source };
        match &self.responses {
            None => Box::new(std::iter::empty()),
            Some(Kept::Memory(v)) => Box::new(v.iter().cloned().map(Ok)),
            Some(Kept::Spilled(s)) => match s.lines() {
                Err(e) => Box::new(std::iter::once(Err(temp(e)))),
                Ok(lines) => Box::new(lines.map(move |line| {
                    let line = line.map_err(temp)?;
                    serde_json::from_str(&line).map_err(|e| temp(std::io::Error::other(e)))
                })),
            },
        }
    }
}

/// A file's accepted responses.
#[derive(Debug)]
enum Kept {
    Memory(Vec<SurveyResponse>),
    Spilled(SpilledResponses),
}

/// Accepted responses written to an unnamed temporary file, one JSON line each.
#[derive(Debug)]
struct SpilledResponses(File);

impl SpilledResponses {
    fn lines(&self) -> std::io::Result<std::io::Lines<BufReader<File>>> {
        use std::io::BufRead;
        let mut f = self.0.try_clone()?;
        f.seek(std::io::SeekFrom::Start(0))?;
        Ok(BufReader::with_capacity(1 << 16, f).lines())
    }
}

/// Accepted responses being kept.
enum ResponseSpill {
    Memory(Vec<SurveyResponse>),
    File(std::io::BufWriter<File>),
}

impl ResponseSpill {
    fn new(keep: KeepResponses) -> std::io::Result<Option<ResponseSpill>> {
        Ok(match keep {
            KeepResponses::No => None,
            KeepResponses::InMemory => Some(ResponseSpill::Memory(Vec::new())),
            KeepResponses::Spilled => {
                Some(ResponseSpill::File(std::io::BufWriter::with_capacity(1 << 16, tempfile::tempfile()?)))
            }
        })
    }

    fn write(&mut self, r: &SurveyResponse) -> std::io::Result<()> {
        match self {
            ResponseSpill::Memory(v) => {
                v.push(r.clone());
                Ok(())
            }
            ResponseSpill::File(w) => {
                serde_json::to_writer(&mut *w, r).map_err(std::io::Error::other)?;
                w.write_all(b"\n")
            }
        }
    }

    fn finish(self) -> std::io::Result<Kept> {
        Ok(match self {
            ResponseSpill::Memory(v) => Kept::Memory(v),
            ResponseSpill::File(w) => Kept::Spilled(SpilledResponses(w.into_inner().map_err(|e| e.into_error())?)),
        })
    }
}

/// The file being read: what it contributes so far, and its responses' fingerprints.
struct Current {
    contribution: Contribution,
    /// Every response's fingerprint and place, for the duplicate check at the file's end.
    entries: Sorter<Entry>,
    /// Responses read so far (the next one's sequence number).
    seq: u64,
    /// Entries pushed for responses read but rejected (their fingerprints are not stored).
    rejected_entries: u64,
    responses: Option<ResponseSpill>,
    /// What a balanced-measures file gave.
    balanced: Option<fedcx_model::BalancedPart>,
    /// Rows kept with a warning, naming their lines.
    notices: Vec<crate::reconcile::Notice>,
    /// Plausibility findings a reader made as it read (the rest are found in the counts).
    findings: Vec<crate::plausibility::Finding>,
}

impl Current {
    fn new(config: &IngestConfig) -> std::io::Result<Current> {
        Ok(Current {
            contribution: Contribution::default(),
            entries: Sorter::new(config.dedup_memory / 2),
            seq: 0,
            rejected_entries: 0,
            balanced: None,
            notices: Vec::new(),
            findings: Vec::new(),
            responses: ResponseSpill::new(config.keep_responses)?,
        })
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq - 1
    }
}

/// The confirming pass: the file is read again and the duplicates found are taken out.
struct Confirm {
    /// The duplicates' sequence numbers (tagged as in [`Entry`]), in file order.
    duplicates: crate::dedup::Merge<u64>,
    /// The file's reconciliation, corrected as duplicates are met.
    rec: Reconciliation,
}

/// Ingests files one after another into one set of counts.
pub struct Ingestor<'a> {
    registry: &'a Registry,
    config: IngestConfig,
    /// Fingerprints of the responses ingested before the current file (the store's, and this
    /// ingest's earlier files'), as sorted runs on disk.
    known: Known,
    seen_content: HashSet<[u8; 32]>,
    rejects: Option<RejectWriter<Box<dyn Write + 'a>>>,
    detail_override: Option<String>,
    /// Rejected collection-detail rows by id (`file:line: field: why`), for the responses naming them.
    rejected_details: std::collections::BTreeMap<String, String>,
    /// Collection details ingested earlier (from the store): context for uploads, not new data.
    known_details: Vec<CollectionDetail>,
    /// Where each of `known_details` came from (a path), in the same order.
    known_from: Vec<String>,
    /// What the file being read contributes; merged into `result` when it is done.
    current: Option<Current>,
    /// Set while the confirming pass re-reads a file with duplicates.
    confirm: Option<Confirm>,
    /// Chunk size of parallel CSV reading (small in tests, to cut files into many chunks).
    chunk_bytes: usize,
    result: IngestResult,
}

impl std::fmt::Debug for Ingestor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ingestor").field("config", &self.config).field("files", &self.result.files.len()).finish()
    }
}

/// Builds an [`Ingestor`]: where rejects go, what the store already holds, the detail of uploads.
pub struct IngestorBuilder<'a> {
    registry: &'a Registry,
    config: IngestConfig,
    rejects: Option<(Box<dyn Write + 'a>, PathBuf)>,
    detail: Option<String>,
    known_details: Vec<CollectionDetail>,
    /// Where each of `known_details` came from (a path), in the same order.
    known_from: Vec<String>,
    known_responses: Option<Sorter<u128>>,
    ingested: Vec<fedcx_model::Digest>,
    chunk_bytes: usize,
}

impl std::fmt::Debug for IngestorBuilder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IngestorBuilder").field("config", &self.config).finish()
    }
}

impl<'a> IngestorBuilder<'a> {
    /// Writes every rejected row (and every duplicate) to `out` as CSV; `path` names it in errors.
    pub fn rejects(mut self, out: Box<dyn Write + 'a>, path: &Path) -> Self {
        self.rejects = Some((out, path.to_owned()));
        self
    }

    /// The collection detail whose context (service, channel, quarter, survey type) Touchpoints
    /// version-2 uploads take. Without it, an upload's file name (`<detail id>.csv`) names its detail.
    pub fn detail(mut self, id: Option<String>) -> Self {
        self.detail = id;
        self
    }

    /// Collection details ingested before (kept in the store), each with the path of the file it
    /// came from, so an upload can be ingested after its detail export without giving that export
    /// again, and a version-1 record read again is a duplicate. They are context, not new data.
    pub fn known_details(mut self, details: Vec<(CollectionDetail, String)>) -> Self {
        (self.known_details, self.known_from) = details.into_iter().unzip();
        self
    }

    /// Responses ingested before (their [`response_fingerprint`]s, from the store, in any order):
    /// a response seen again counts as a duplicate, so a re-export cannot double count across
    /// commands. They are sorted within the duplicate check's memory budget, spilling to disk.
    pub fn known_responses(mut self, fingerprints: impl IntoIterator<Item = u128>) -> Result<Self, IngestError> {
        let budget = self.config.dedup_memory / 2;
        let sorter = self.known_responses.get_or_insert_with(|| Sorter::new(budget));
        for fp in fingerprints {
            sorter.push(fp).map_err(|source| IngestError::TempFile { path: PathBuf::from("store"), source })?;
        }
        Ok(self)
    }

    /// Treats content with this digest as already ingested, e.g. because a store holds it: a file
    /// with that content is skipped like a repeat within this ingest, after hashing it once.
    pub fn ingested(mut self, digest: fedcx_model::Digest) -> Self {
        self.ingested.push(digest);
        self
    }

    /// Sets the chunk size of parallel reading; tests use tiny chunks to put many boundaries in a file.
    #[cfg(test)]
    pub(crate) fn chunk_bytes(mut self, n: usize) -> Self {
        self.chunk_bytes = n;
        self
    }

    /// The ingestor.
    pub fn build(self) -> Result<Ingestor<'a>, IngestError> {
        let mut ing = Ingestor::new(self.registry, self.config);
        if let Some((out, path)) = self.rejects {
            let w = RejectWriter::new(out).map_err(|source| IngestError::RejectFile { path, source })?;
            ing.rejects = Some(w);
        }
        ing.detail_override = self.detail;
        ing.known_details = self.known_details;
        ing.known_from = self.known_from;
        if let Some(sorter) = self.known_responses {
            let temp = |source| IngestError::TempFile { path: PathBuf::from("store"), source };
            ing.known.add(sorter.into_run().map_err(temp)?).map_err(temp)?;
        }
        ing.seen_content.extend(self.ingested.iter().map(|d| d.0));
        ing.chunk_bytes = self.chunk_bytes;
        Ok(ing)
    }
}

/// Which reader a file is read with.
#[derive(Debug, Clone)]
pub enum Reader {
    /// The format is told from the file's header.
    Detect,
    /// A named format.
    Format(Format),
    /// A respondent-level CSV with this mapping, every file (`--format csv --mapping`).
    Mapped(Mapping),
    /// The format is told from the file's header; a file whose header is of no format fedcx
    /// detects is read as a respondent-level CSV with this mapping (`--mapping` alone), so one
    /// command can take a survey tool's export and, say, Touchpoints' collection-detail export.
    DetectOrMapped(Mapping),
}

/// How one file is read: its format, and for respondent-level CSV the mapping (`None`: the native one).
#[derive(Debug, Clone, Copy)]
struct Plan<'r> {
    format: Format,
    mapping: Option<&'r Mapping>,
}

/// Where a file's bytes can be read from again, for the confirming pass.
/// A file's SHA-256: known before it is read, or taken as its first pass reads it.
enum Content {
    /// Hashed already.
    Known([u8; 32]),
    /// Set by [`HashOnRead`] when the first pass reaches the end of the file.
    OnRead(Arc<OnceLock<[u8; 32]>>),
}

/// Hashes every byte read through it, and sets the digest when the end of the input is reached,
/// so a file is hashed by the thread that reads it for parsing, in the same pass.
struct HashOnRead<R> {
    inner: R,
    hasher: Option<Sha256>,
    digest: Arc<OnceLock<[u8; 32]>>,
}

impl<R> HashOnRead<R> {
    fn new(inner: R, digest: Arc<OnceLock<[u8; 32]>>) -> HashOnRead<R> {
        HashOnRead { inner, hasher: Some(Sha256::new()), digest }
    }
}

impl<R: Read> Read for HashOnRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        match (n, self.hasher.as_mut()) {
            (_, None) => {}
            // Zero bytes into a buffer with room is the end of the input.
            (0, Some(_)) if !buf.is_empty() => {
                if let Some(h) = self.hasher.take() {
                    // Set once: a reader reaches its end once.
                    let _ = self.digest.set(h.finalize().into());
                }
            }
            (_, Some(h)) => h.update(&buf[..n]),
        }
        Ok(n)
    }
}

enum Origin<'b> {
    /// A regular file.
    Path(&'b Path),
    /// An unnamed temporary copy of a stream.
    Temp(File),
    /// Bytes in memory.
    Bytes(&'b [u8]),
}

impl<'b> Origin<'b> {
    fn open(&self) -> std::io::Result<Box<dyn Read + Send + 'b>> {
        Ok(match self {
            Origin::Path(p) => Box::new(BufReader::with_capacity(1 << 16, File::open(p)?)),
            Origin::Temp(f) => {
                let mut f = f.try_clone()?;
                f.seek(std::io::SeekFrom::Start(0))?;
                Box::new(BufReader::with_capacity(1 << 16, f))
            }
            Origin::Bytes(b) => Box::new(*b),
        })
    }
}

impl<'a> Ingestor<'a> {
    /// An ingestor checking services against `registry`, with nothing known before; see
    /// [`Ingestor::builder`] for rejects, the store's content and the detail of uploads.
    pub fn new(registry: &'a Registry, config: IngestConfig) -> Ingestor<'a> {
        Ingestor {
            registry,
            config,
            known: Known::default(),
            seen_content: HashSet::new(),
            rejects: None,
            detail_override: None,
            rejected_details: Default::default(),
            known_details: Vec::new(),
            known_from: Vec::new(),
            current: None,
            confirm: None,
            chunk_bytes: crate::parallel::CHUNK_BYTES,
            result: IngestResult::default(),
        }
    }

    /// A builder for an ingestor checking services against `registry`.
    pub fn builder(registry: &'a Registry, config: IngestConfig) -> IngestorBuilder<'a> {
        IngestorBuilder {
            registry,
            config,
            rejects: None,
            detail: None,
            known_details: Vec::new(),
            known_from: Vec::new(),
            known_responses: None,
            ingested: Vec::new(),
            chunk_bytes: crate::parallel::CHUNK_BYTES,
        }
    }

    /// Ingests a file from disk. `wrap` may wrap the reader (e.g. with a progress bar).
    pub fn ingest_path(
        &mut self,
        path: &Path,
        reader: &Reader,
        wrap: &mut dyn FnMut(Box<dyn Read + Send>) -> Box<dyn Read + Send>,
    ) -> Result<&FileReport, IngestError> {
        let io = |source| IngestError::Io { path: path.to_owned(), source };
        // A pipe, a FIFO or standard input can be read only once: it is copied, hashed on the way.
        if path == Path::new("-") {
            return self.ingest_stream(path, Box::new(std::io::stdin()), reader, wrap);
        }
        if !std::fs::metadata(path).map_err(io)?.is_file() {
            let input = Box::new(File::open(path).map_err(io)?);
            return self.ingest_stream(path, input, reader, wrap);
        }
        // The file is hashed as the first pass reads it, not in a pass of its own before: on a
        // large file that pass is a whole read of the file on one core while the others wait.
        let mut head = [0u8; 4096];
        let n = read_up_to(&mut File::open(path).map_err(io)?, &mut head).map_err(io)?;
        self.ingest_input(
            path,
            Content::OnRead(Arc::new(OnceLock::new())),
            &head[..n],
            Origin::Path(path),
            reader,
            wrap,
        )
    }

    /// Ingests bytes already in memory (such as the bundled demo data); `label` names them in messages.
    pub fn ingest_bytes(&mut self, label: &Path, bytes: &[u8], reader: &Reader) -> Result<&FileReport, IngestError> {
        let digest: [u8; 32] = Sha256::digest(bytes).into();
        let head = &bytes[..bytes.len().min(4096)];
        self.ingest_input(label, Content::Known(digest), head, Origin::Bytes(bytes), reader, &mut |r| r)
    }

    /// Reads an input that can be read only once into an unnamed temporary file, hashing it on
    /// the way, so that a repeat of content already ingested is known before it is parsed and the
    /// confirming pass of the duplicate check can read it again.
    fn ingest_stream(
        &mut self,
        path: &Path,
        input: Box<dyn Read + Send>,
        reader: &Reader,
        wrap: &mut dyn FnMut(Box<dyn Read + Send>) -> Box<dyn Read + Send>,
    ) -> Result<&FileReport, IngestError> {
        let io = |source| IngestError::Io { path: path.to_owned(), source };
        let mut copy =
            tempfile::tempfile().map_err(|source| IngestError::TempFile { path: path.to_owned(), source })?;
        let mut hasher = Sha256::new();
        let mut input = wrap(input);
        let mut buf = vec![0u8; 1 << 16];
        let mut head = Vec::new();
        loop {
            let n = match input.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io(e)),
            };
            hasher.update(&buf[..n]);
            if head.len() < 4096 {
                head.extend_from_slice(&buf[..n.min(4096 - head.len())]);
            }
            copy.write_all(&buf[..n]).map_err(|source| IngestError::TempFile { path: path.to_owned(), source })?;
        }
        let digest: [u8; 32] = hasher.finalize().into();
        self.ingest_input(path, Content::Known(digest), &head, Origin::Temp(copy), reader, &mut |r| r)
    }

    /// How a file is read. With [`Reader::DetectOrMapped`], detection comes first: only a file
    /// of no detectable format takes the mapping (a detected native CSV keeps the native layout).
    fn plan<'r>(&self, path: &Path, head: &[u8], reader: &'r Reader) -> Result<Plan<'r>, IngestError> {
        Ok(match reader {
            Reader::Detect => Plan { format: crate::format::detect(path, head)?, mapping: None },
            Reader::Format(f) => Plan { format: *f, mapping: None },
            Reader::Mapped(m) => Plan { format: Format::Csv, mapping: Some(m) },
            Reader::DetectOrMapped(m) => match crate::format::detect(path, head) {
                Ok(format) => Plan { format, mapping: None },
                Err(IngestError::UndetectableFormat { .. }) => Plan { format: Format::Csv, mapping: Some(m) },
                Err(e) => return Err(e),
            },
        })
    }

    fn push_skipped(&mut self, path: &Path, format: Format, digest: [u8; 32]) -> &FileReport {
        self.result.files.push(FileReport {
            path: path.to_owned(),
            format,
            sha256: fedcx_model::Digest(digest),
            skipped_same_content: true,
            reconciliation: Reconciliation::default(),
            plausibility: Vec::new(),
            notices: Vec::new(),
        });
        self.result.files.last().expect("just pushed")
    }

    /// Reads a file whose content is new: a first pass counts and fingerprints every response;
    /// the duplicate check runs at the end; only when it finds duplicates is the file read a
    /// second time, to take them out (see [`crate::dedup`]).
    fn ingest_input(
        &mut self,
        path: &Path,
        digest: Content,
        head: &[u8],
        origin: Origin<'_>,
        reader: &Reader,
        wrap: &mut dyn FnMut(Box<dyn Read + Send>) -> Box<dyn Read + Send>,
    ) -> Result<&FileReport, IngestError> {
        let plan = self.plan(path, head, reader)?;
        let io = |source| IngestError::Io { path: path.to_owned(), source };
        let on_read = match &digest {
            Content::Known(_) => None,
            Content::OnRead(cell) => Some(Arc::clone(cell)),
        };
        let mut first = true;
        self.ingest_passes(path, digest, plan.format, &mut |ing: &mut Ingestor<'a>| {
            // A stream was already read through `wrap` while it was copied; the confirming pass
            // is not shown as progress.
            let input: Box<dyn Read + Send + '_> = match (&origin, &on_read) {
                (Origin::Path(p), Some(cell)) if first => {
                    let file = HashOnRead::new(File::open(p).map_err(io)?, Arc::clone(cell));
                    wrap(Box::new(BufReader::with_capacity(1 << 16, file)))
                }
                (Origin::Path(p), None) if first => {
                    wrap(Box::new(BufReader::with_capacity(1 << 16, File::open(p).map_err(io)?)))
                }
                _ => origin.open().map_err(io)?,
            };
            first = false;
            ing.parse_input(path, plan, input)
        })
    }

    /// Ingests a source of the caller's own (any [`ResponseSource`], such as a team's reader of
    /// an in-house format), as [`Ingestor::ingest_path`] does a file: `open` makes the source, once,
    /// and a second time only when the duplicate check needs the confirming pass, which must then
    /// give the same items in the same order. `digest` is the content's hash, for the same-content
    /// check; `format` names the format in the report.
    pub fn ingest_source<S: ResponseSource<Error = IngestError> + Counted>(
        &mut self,
        label: &Path,
        digest: fedcx_model::Digest,
        format: Format,
        open: &mut dyn FnMut() -> Result<S, IngestError>,
    ) -> Result<&FileReport, IngestError> {
        self.ingest_passes(label, Content::Known(digest.0), format, &mut |ing: &mut Ingestor<'a>| {
            let mut source = open()?;
            ing.drain(label, &mut source)
        })
    }

    /// The life of one new file: `read` reads it into `current` (a first pass that counts and
    /// fingerprints every response); the duplicate check runs at the end; only when it finds
    /// duplicates does `read` run again, as the confirming pass that takes them out.
    ///
    /// A content hashed as it is read is checked against the content seen before only once the
    /// first pass is over. Nothing of the file has left the ingestor by then (its rejects wait
    /// in the spool, its counts and fingerprints in `current`), so a repeat is skipped exactly as
    /// if it had been known at the start, even when the first pass failed (`--strict`).
    fn ingest_passes(
        &mut self,
        path: &Path,
        digest: Content,
        format: Format,
        read: &mut dyn FnMut(&mut Ingestor<'a>) -> Result<Reconciliation, IngestError>,
    ) -> Result<&FileReport, IngestError> {
        if let Content::Known(d) = digest {
            if !self.seen_content.insert(d) {
                return Ok(self.push_skipped(path, format, d));
            }
        }
        let temp = |source| IngestError::TempFile { path: path.to_owned(), source };
        self.current = Some(Current::new(&self.config).map_err(temp)?);
        // The first pass's rejects wait in a spool: if duplicates are found, the second pass
        // writes every reject again with the duplicates among them, in file order.
        let spool_file = match self.rejects {
            Some(_) => Some(tempfile::tempfile().map_err(temp)?),
            None => None,
        };
        let main = match &spool_file {
            Some(f) => {
                let spool = RejectWriter::without_header(Box::new(f.try_clone().map_err(temp)?) as Box<dyn Write + 'a>);
                self.rejects.replace(spool)
            }
            None => None,
        };
        let parsed = read(self);
        let spool = match main {
            Some(main) => self.rejects.replace(main),
            None => None,
        };
        let digest = match digest {
            Content::Known(d) => d,
            Content::OnRead(cell) => {
                // A reader that stopped before the end (on an error) left the hash unfinished.
                let d = match cell.get() {
                    Some(d) => *d,
                    None => match hash_file(path) {
                        Ok(d) => d.0,
                        Err(e) => {
                            self.current = None;
                            return Err(e);
                        }
                    },
                };
                if !self.seen_content.insert(d) {
                    self.current = None;
                    return Ok(self.push_skipped(path, format, d));
                }
                d
            }
        };
        let parsed = parsed.and_then(|mut rec| {
            let current = self.current.as_mut().expect("set above");
            let entries = std::mem::replace(&mut current.entries, Sorter::new(0));
            let all_accepted = current.rejected_entries == 0;
            let resolution =
                crate::dedup::resolve(entries, self.known.runs(), self.config.dedup_memory / 4, all_accepted)
                    .map_err(temp)?;
            if resolution.duplicate_count > 0 {
                rec = self.confirm(path, rec, resolution.duplicates, read)?;
            } else if let (Some(main), Some(spool), Some(mut spool_file)) = (&mut self.rejects, spool, spool_file) {
                let rejects_error = |source| IngestError::RejectFile { path: path.to_owned(), source };
                spool.into_inner().map_err(rejects_error)?;
                spool_file.seek(std::io::SeekFrom::Start(0)).map_err(temp)?;
                main.append_rows(BufReader::new(spool_file)).map_err(rejects_error)?;
            }
            self.known.add(resolution.seen).map_err(temp)?;
            Ok((rec, resolution.kept))
        });
        match parsed {
            Ok((rec, kept)) => self.finish_file(path, format, digest, rec, kept),
            Err(e) => {
                // The file contributes nothing; the ingestor stays usable for the next one.
                self.current = None;
                Err(e)
            }
        }
    }

    /// The confirming pass: `read` reads the file again and the duplicates (sequence numbers in
    /// file order) are taken out, every reject written with them. Returns the corrected
    /// reconciliation.
    fn confirm(
        &mut self,
        path: &Path,
        rec: Reconciliation,
        duplicates: crate::dedup::Merge<u64>,
        read: &mut dyn FnMut(&mut Ingestor<'a>) -> Result<Reconciliation, IngestError>,
    ) -> Result<Reconciliation, IngestError> {
        let temp = |source| IngestError::TempFile { path: path.to_owned(), source };
        let current = self.current.as_mut().expect("a file is being read");
        current.seq = 0;
        // The responses kept are written again without the duplicates.
        current.responses = ResponseSpill::new(self.config.keep_responses).map_err(temp)?;
        self.confirm = Some(Confirm { duplicates, rec });
        let replayed = read(self);
        let confirm = self.confirm.take().expect("set above");
        replayed?;
        if let Some(left) = confirm.duplicates.peek() {
            return Err(IngestError::Unreconciled {
                path: path.to_owned(),
                why: format!(
                    "the duplicate check named response {} of the file, which a second reading did not find",
                    left >> 1
                ),
            });
        }
        check_balance(path, &confirm.rec)?;
        Ok(confirm.rec)
    }

    /// Reads one input into `current`, returning its reconciliation once it balances.
    fn parse_input(
        &mut self,
        path: &Path,
        plan: Plan<'_>,
        input: Box<dyn Read + Send + '_>,
    ) -> Result<Reconciliation, IngestError> {
        let format = plan.format;
        // Lone CRs (a classic Mac export, or CR rows after an LF header) are read as LFs by every
        // reader, so their lines are counted, `max_record_lines` sees a quote that swallows rows,
        // and the parallel splitter can cut the file into chunks (`rows::LoneCrAsLf`). The file's
        // hash is of its own bytes, taken before this.
        let input: Box<dyn Read + Send + '_> = Box::new(crate::rows::LoneCrAsLf::new(input));
        let reconciliation = match (format, plan.mapping) {
            (Format::Csv, mapping) => {
                let mapping = mapping.cloned().unwrap_or_else(Mapping::native);
                let threads = match self.config.threads {
                    0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
                    n => n,
                };
                // The confirming pass reads sequentially: it runs only on files with duplicates.
                if threads > 1 && self.confirm.is_none() {
                    self.drain_csv_parallel(path, input, mapping, threads)?
                } else {
                    self.drain_csv_sequential(path, input, mapping)?
                }
            }
            (Format::Jsonl, _) => {
                let mut src = JsonlSource::new(path, input, self.registry);
                self.drain(path, &mut src)?
            }
            (Format::TouchpointsV2 | Format::TouchpointsResponses, _) => {
                let named = self.detail_override.clone();
                let mut context = self.detail_context();
                // A detail with a blank survey_type takes its scale from its responses, so the file
                // is read twice: once for question_1's values, once to parse. Only then is it held
                // in memory (response files are per detail and quarter, so small).
                let upload_detail = named.clone().unwrap_or_else(|| crate::touchpoints::upload_stem(path));
                let input: Box<dyn Read + Send + '_> = if context.needs_inference(&upload_detail, format) {
                    let mut bytes = Vec::new();
                    let mut input = input;
                    input
                        .read_to_end(&mut bytes)
                        .map_err(|source| IngestError::Io { path: path.to_owned(), source })?;
                    context.inferred = crate::touchpoints::infer_scales(path, &bytes, &upload_detail)?;
                    Box::new(std::io::Cursor::new(bytes))
                } else {
                    input
                };
                let mut src = crate::touchpoints::TouchpointsV2Source::new(path, input, named, context)?;
                src.limit_record_lines(self.config.max_record_lines);
                let mut rec = self.drain(path, &mut src)?;
                rec.redactions = owned_counts(src.redactions());
                rec.warnings = owned_counts(src.warnings());
                rec
            }
            (Format::TouchpointsV1, _) => {
                let mut src = crate::touchpoints::TouchpointsV1Source::new(path, input, self.registry)?;
                self.know_records(|d, from| src.know(std::iter::once(d), from));
                src.limit_record_lines(self.config.max_record_lines);
                let mut rec = self.drain(path, &mut src)?;
                // Each row is its group's collection detail too, so a v1 export alone round-trips.
                self.contribution().details.extend(src.take_details());
                rec.warnings = owned_counts(src.warnings());
                self.noted(src.take_notices(), src.take_findings());
                rec
            }
            (Format::TouchpointsV1Json, _) => {
                let mut src = crate::published_cx::JsonApiSource::new(path, input, self.registry)?;
                self.know_records(|d, from| src.know(std::iter::once(d), from));
                let mut rec = self.drain(path, &mut src)?;
                self.contribution().details.extend(src.take_details());
                rec.warnings = owned_counts(&src.warnings());
                self.noted(src.take_notices(), src.take_findings());
                rec
            }
            (Format::TouchpointsV1Long, _) => {
                let mut src = crate::published_cx::LongSource::new(path, input, self.registry)?;
                self.know_records(|d, from| src.know(std::iter::once(d), from));
                src.limit_record_lines(self.config.max_record_lines);
                let mut rec = self.drain(path, &mut src)?;
                self.contribution().details.extend(src.take_details());
                rec.warnings = owned_counts(&src.warnings());
                self.noted(src.take_notices(), src.take_findings());
                rec
            }
            (Format::Dap, _) => {
                let mut src = crate::series::DapSource::new(path, input)?;
                self.drain(path, &mut src)?
            }
            (Format::Benchmark, _) => {
                let mut src = crate::series::BenchmarkSource::new(path, input)?;
                self.drain(path, &mut src)?
            }
            (Format::TouchpointsDetails, _) => {
                let read = read_details(path, input, self.registry)?;
                for r in &read.rejections {
                    self.on_reject(path, r)?;
                }
                self.contribution().details.extend(read.details);
                self.rejected_details.extend(read.rejected_ids);
                let mut rec = read.reconciliation;
                read.produced.record_into(&mut rec);
                check_balance(path, &rec)?;
                rec
            }
            (Format::Counts, _) => {
                let mut src = crate::counts::CountsSource::new(path, input, self.registry)?;
                self.drain(path, &mut src)?
            }
            (Format::PerformanceGov, _) => {
                let mut src = crate::published::PublishedSource::new(path, input, self.registry)?;
                src.limit_record_lines(self.config.max_record_lines);
                self.drain(path, &mut src)?
            }
            // Not respondent-level: read whole beside the counts (crate::balanced).
            (Format::Fevs | Format::FevsIndex | Format::BusinessResults | Format::SiteScanning, _) => {
                let read = crate::balanced::read_balanced(path, format, input, self.registry, &self.config.balanced)?;
                for r in &read.rejections {
                    self.on_reject(path, r)?;
                }
                self.current.as_mut().expect("a file is being read").balanced = read.part;
                read.reconciliation
            }
        };
        Ok(reconciliation)
    }

    /// Merges the file read into `current` into the result.
    fn finish_file(
        &mut self,
        path: &Path,
        format: Format,
        digest: [u8; 32],
        reconciliation: Reconciliation,
        fingerprints: Run,
    ) -> Result<&FileReport, IngestError> {
        let sha256 = fedcx_model::Digest(digest);
        let done = self.current.take().expect("a file is being read");
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut plausibility = crate::plausibility::check(&name, &done.contribution.counts);
        plausibility.extend(done.findings);
        self.result.total.merge(&done.contribution);
        let responses = done
            .responses
            .map(ResponseSpill::finish)
            .transpose()
            .map_err(|source| IngestError::TempFile { path: path.to_owned(), source })?;
        self.result.per_file.push(FileData {
            report_index: self.result.files.len(),
            contribution: done.contribution,
            path: path.to_owned(),
            fingerprints: (fingerprints.len() > 0).then_some(fingerprints),
            responses,
            balanced: done.balanced,
        });
        self.result.reconciliation.merge(&reconciliation);
        self.result.files.push(FileReport {
            path: path.to_owned(),
            format,
            sha256,
            skipped_same_content: false,
            reconciliation,
            plausibility,
            notices: done.notices,
        });
        Ok(self.result.files.last().expect("just pushed"))
    }

    /// Stops the ingest once its groups (this file's and the earlier files') pass the limit.
    fn check_groups(&mut self, path: &Path) -> Result<(), IngestError> {
        let here = self.current.as_ref().map_or(0, |c| c.contribution.counts.len());
        let groups = here + self.result.total.counts.len();
        if groups > self.config.max_groups {
            return Err(IngestError::TooManyGroups { path: path.to_owned(), limit: self.config.max_groups });
        }
        Ok(())
    }

    /// Keeps a reader's notices and findings for the file's report.
    fn noted(&mut self, notices: Vec<crate::reconcile::Notice>, findings: Vec<crate::plausibility::Finding>) {
        let current = self.current.as_mut().expect("a file is being read");
        current.notices = notices;
        current.findings = findings;
    }

    /// What the file being read contributes.
    fn contribution(&mut self) -> &mut Contribution {
        &mut self.current.as_mut().expect("a file is being read").contribution
    }

    /// Reads a respondent-level CSV on this thread, response by response.
    fn drain_csv_sequential(
        &mut self,
        path: &Path,
        input: Box<dyn Read + Send + '_>,
        mapping: Mapping,
    ) -> Result<Reconciliation, IngestError> {
        let mut src = MappedCsvSource::new(path, input, mapping, self.registry)?;
        src.limit_record_lines(self.config.max_record_lines);
        let mut rec = self.drain(path, &mut src)?;
        rec.redactions = owned_counts(src.redactions());
        rec.warnings = owned_counts(src.warnings());
        Ok(rec)
    }

    /// Reads a respondent-level CSV with parsing spread over `threads` workers; the items come back
    /// in file order, so the result is the one a sequential read gives.
    fn drain_csv_parallel(
        &mut self,
        path: &Path,
        mut input: Box<dyn Read + Send + '_>,
        mapping: Mapping,
        threads: usize,
    ) -> Result<Reconciliation, IngestError> {
        let io = |source| IngestError::Io { path: path.to_owned(), source };
        // The header is read here, up to the newline that ends its last record (empty lines before
        // it are skipped, as the csv parser skips them), so the rest of the stream is left whole
        // for the splitter. A survey tool's export may have more than one header row: the records
        // that could be header rows are read ahead, and those that are not go back before the rest.
        let ahead = crate::mapped::read_records(&mut input, mapping.max_header_records()).map_err(io)?;
        let cells: Vec<Vec<String>> = ahead.records.iter().map(|(_, c)| c.clone()).collect();
        let header_records = mapping.header_record_count(&cells).min(ahead.records.len()).max(1);
        let mut head = Vec::new();
        let mut rest = Vec::new();
        for (i, (bytes, _)) in ahead.records.into_iter().enumerate() {
            if i < header_records {
                head.extend(bytes);
            } else {
                rest.extend(bytes);
            }
        }
        rest.extend(ahead.leftover);
        let input: Box<dyn Read + Send + '_> = Box::new(std::io::Cursor::new(rest).chain(input));
        let (parser, header, head_produced) =
            MappedCsvSource::new(path, head.as_slice(), mapping, self.registry)?.into_parts();
        let config = crate::parallel::ParallelConfig {
            threads,
            chunk_bytes: self.chunk_bytes,
            max_record_lines: self.config.max_record_lines,
            keep_responses: self.config.keep_responses.any(),
            max_groups: self.config.max_groups,
        };
        let (mut rec, counts) = crate::parallel::read(path, input, &parser, (header, head_produced), config, |src| {
            use crate::parallel::Item;
            let mut rec = Reconciliation::default();
            while let Some(item) = src.next_item()? {
                match item {
                    Item::Accepted { fp, response } => {
                        self.accepted_response(path, &mut rec, fp, response.as_deref())?
                    }
                    Item::BadTimestamp { fp, rejection } => self.rejected_response(path, &mut rec, fp, &rejection)?,
                    Item::Rejected(rej) => match rej.reason {
                        Refusal::Exclude(why) => rec.exclude(why),
                        Refusal::Reject(why) => {
                            rec.reject(why);
                            self.on_reject(path, &rej)?;
                        }
                    },
                }
            }
            src.produced().record_into(&mut rec);
            check_balance(path, &rec)?;
            rec.redactions = owned_counts(&src.notes().redactions);
            rec.warnings = owned_counts(&src.notes().warnings);
            Ok(rec)
        })?;
        // The workers counted; their counts are a monoid, merged here in any order.
        self.contribution().counts.merge(&counts);
        self.check_groups(path)?;
        rec.redactions.retain(|_, v| *v > 0);
        rec.warnings.retain(|_, v| *v > 0);
        Ok(rec)
    }

    /// Accounts for a response accepted and counted: its fingerprint and place go to the duplicate
    /// check, and the response itself, when responses are kept, to their temporary file.
    fn accepted_response(
        &mut self,
        path: &Path,
        rec: &mut Reconciliation,
        fp: u128,
        response: Option<&SurveyResponse>,
    ) -> Result<(), IngestError> {
        let temp = |source| IngestError::TempFile { path: path.to_owned(), source };
        rec.accept();
        let current = self.current.as_mut().expect("a file is being read");
        let seq = current.next_seq();
        current.entries.push(Entry::new(fp, seq, false)).map_err(temp)?;
        if let (Some(spill), Some(r)) = (&mut current.responses, response) {
            spill.write(r).map_err(temp)?;
        }
        Ok(())
    }

    /// Accounts for a response read but rejected for its timestamp: it is not counted, but its
    /// fingerprint still makes later copies duplicates.
    fn rejected_response(
        &mut self,
        path: &Path,
        rec: &mut Reconciliation,
        fp: u128,
        rejection: &Rejection,
    ) -> Result<(), IngestError> {
        let current = self.current.as_mut().expect("a file is being read");
        let seq = current.next_seq();
        current.rejected_entries += 1;
        current
            .entries
            .push(Entry::new(fp, seq, true))
            .map_err(|source| IngestError::TempFile { path: path.to_owned(), source })?;
        rec.refuse(rejection.reason);
        self.on_reject(path, rejection)
    }

    /// Runs any source to its end, accounting for each item, and checks that what the source
    /// produced (records, counted where the parser makes them; lines, counted from the bytes)
    /// balances what was classified here. Duplicates are found when the file ends (see
    /// [`crate::dedup`]); during the confirming pass this replays the source to take them out.
    pub(crate) fn drain<S: ResponseSource<Error = IngestError> + Counted>(
        &mut self,
        path: &Path,
        source: &mut S,
    ) -> Result<Reconciliation, IngestError> {
        if self.confirm.is_some() {
            return self.replay(path, source);
        }
        let mut rec = Reconciliation::default();
        while let Some(item) = source.next_item()? {
            match item {
                SourceItem::Response(line, r) => {
                    let fp = response_fingerprint(&r);
                    // The quarter was checked by the source, so this cannot fail for an accepted row.
                    match self.contribution().counts.add_response(&r) {
                        Ok(()) => {
                            self.check_groups(path)?;
                            self.accepted_response(path, &mut rec, fp, Some(&r))?
                        }
                        Err(e) => self.rejected_response(path, &mut rec, fp, &bad_timestamp(line, &r, &e))?,
                    }
                }
                SourceItem::Counts(key, tally) => {
                    rec.accept();
                    self.contribution().counts.add_tally(&key, &tally);
                    self.check_groups(path)?;
                }
                // A survey tool's preview, test or spam response: read, not a respondent's answer.
                // Counted apart, never a reject (nor a failure under --strict).
                SourceItem::Duplicate(dup) => {
                    rec.duplicate();
                    self.write_reject(path, &dup)?;
                }
                SourceItem::Rejected(rej) => match rej.reason {
                    Refusal::Exclude(why) => rec.exclude(why),
                    Refusal::Reject(why) => {
                        rec.reject(why);
                        self.on_reject(path, &rej)?;
                    }
                },
                SourceItem::Benchmark(p) => {
                    rec.accept();
                    self.contribution().benchmarks.push(p);
                }
                SourceItem::WebVisits(v) => {
                    rec.accept();
                    let visits = self.contribution().web_traffic.entry((v.domain, v.month)).or_default();
                    *visits = visits.saturating_add(v.visits);
                }
                SourceItem::PublishedMeans(p) => {
                    rec.accept();
                    self.contribution().published.push(*p);
                }
            }
        }
        source.produced().record_into(&mut rec);
        check_balance(path, &rec)?;
        Ok(rec)
    }

    /// The confirming pass over a source: the same items in the same order as the first pass,
    /// of which the duplicates are taken out of the counts and the reconciliation, and every
    /// reject is written again, the duplicates among them in file order. Nothing else changes.
    fn replay<S: ResponseSource<Error = IngestError>>(
        &mut self,
        path: &Path,
        source: &mut S,
    ) -> Result<Reconciliation, IngestError> {
        let temp = |source| IngestError::TempFile { path: path.to_owned(), source };
        while let Some(item) = source.next_item()? {
            match item {
                SourceItem::Response(line, r) => {
                    let current = self.current.as_mut().expect("a file is being read");
                    let confirm = self.confirm.as_mut().expect("replaying");
                    let seq = current.next_seq();
                    let Some(tagged) = confirm.duplicates.peek().filter(|t| t >> 1 == seq) else {
                        match r.fiscal_quarter() {
                            Err(e) => self.write_reject(path, &bad_timestamp(line, &r, &e))?,
                            Ok(_) => {
                                if let Some(spill) = &mut current.responses {
                                    spill.write(&r).map_err(temp)?;
                                }
                            }
                        }
                        continue;
                    };
                    confirm.duplicates.next_record().map_err(temp)?;
                    if Entry::tagged_accepted(tagged) {
                        current.contribution.counts.remove_response(&r).map_err(|e| IngestError::Unreconciled {
                            path: path.to_owned(),
                            why: format!("line {line}: duplicate response {} could not be taken out: {e}", r.id),
                        })?;
                        confirm.rec.accepted -= 1;
                    } else {
                        confirm.rec.rejected -= 1;
                        if let Some(n) = confirm.rec.rejected_by_reason.get_mut(&RejectReason::BadTimestamp) {
                            *n -= 1;
                            if *n == 0 {
                                confirm.rec.rejected_by_reason.remove(&RejectReason::BadTimestamp);
                            }
                        }
                    }
                    confirm.rec.duplicate();
                    let dup = Rejection {
                        line,
                        field: Some("response_id".into()),
                        raw: r.id.to_string(),
                        reason: RejectReason::DuplicateResponseId.into(),
                        detail: "this response id was already ingested; the first one is kept".into(),
                    };
                    self.write_reject(path, &dup)?;
                }
                SourceItem::Rejected(rej) => match rej.reason {
                    Refusal::Exclude(_) => {}
                    Refusal::Reject(_) => self.write_reject(path, &rej)?,
                },
                SourceItem::Duplicate(dup) => self.write_reject(path, &dup)?,
                SourceItem::Counts(..)
                | SourceItem::Benchmark(_)
                | SourceItem::WebVisits(_)
                | SourceItem::PublishedMeans(_) => {}
            }
        }
        Ok(Reconciliation::default())
    }

    /// Hands a version-1 reader the records ingested before: the store's (with their files) and
    /// those of the files read earlier in this ingest.
    fn know_records(&self, mut know: impl FnMut(&CollectionDetail, &str)) {
        for (d, from) in self.known_details.iter().zip(&self.known_from) {
            know(d, &format!("{from} (in the store)"));
        }
        for d in &self.result.total.details {
            know(d, "a file read earlier in this ingest");
        }
    }

    /// The collection details response files can name: every detail known or accepted so far (a
    /// later row replaces an earlier one with the same id), and the ids of rejected ones.
    fn detail_context(&self) -> crate::touchpoints::DetailContext {
        let accepted = self
            .known_details
            .iter()
            .chain(&self.result.total.details)
            .chain(self.current.iter().flat_map(|c| &c.contribution.details))
            .map(|d| (d.id.to_string(), d.clone()))
            .collect();
        crate::touchpoints::DetailContext {
            accepted,
            rejected: self.rejected_details.clone(),
            inferred: Default::default(),
        }
    }

    fn on_reject(&mut self, path: &Path, rej: &Rejection) -> Result<(), IngestError> {
        if self.config.fail_on_reject {
            let safe = crate::reconcile::sanitize(rej);
            return Err(IngestError::RejectedRow {
                path: path.to_owned(),
                line: safe.line,
                field: safe.field,
                reason: safe.reason,
                detail: safe.detail,
            });
        }
        self.write_reject(path, rej)
    }

    fn write_reject(&mut self, path: &Path, rej: &Rejection) -> Result<(), IngestError> {
        if let Some(w) = &mut self.rejects {
            w.write(path, rej).map_err(|source| IngestError::RejectFile { path: path.to_owned(), source })?;
        }
        Ok(())
    }

    /// Finishes, flushing the reject file.
    pub fn finish(mut self) -> Result<IngestResult, IngestError> {
        debug_assert!(self.current.is_none(), "a file's contribution is merged when the file ends");
        if let Some(w) = &mut self.rejects {
            w.flush().map_err(|source| IngestError::RejectFile { path: PathBuf::from("rejects"), source })?;
        }
        Ok(self.result)
    }
}

/// The fingerprint duplicates are found by (128-bit xxh3): a response id is unique within its
/// service and fiscal quarter, and a Touchpoints `external_id` only within its collection detail
/// (which fixes both). A 0x1f separator keeps `1`+`23` apart from `12`+`3`. The store keeps these
/// fingerprints, so a corrected re-export cannot double count across commands.
pub fn response_fingerprint(r: &SurveyResponse) -> u128 {
    fingerprint(r.detail.as_ref(), &r.service, r.fiscal_quarter().ok(), r.id.as_str())
}

/// [`response_fingerprint`] from a response's parts, for a reader that counts without making the
/// response: the one place the fingerprint's bytes are laid out.
pub(crate) fn fingerprint(
    detail: Option<&fedcx_model::DetailId>,
    service: &fedcx_model::ServiceId,
    quarter: Option<fedcx_model::FiscalQuarter>,
    id: &str,
) -> u128 {
    // The bytes are laid out in a buffer on the stack and hashed at once: xxh3's one-shot hash of
    // the same bytes equals its streaming one, and is faster on inputs this short. Ids are at
    // most 128 bytes, so the bytes always fit; the streaming hash is kept for the impossible rest.
    let mut buf = [0u8; 320];
    let mut len = 0;
    fingerprint_bytes(detail, service, quarter, id, &mut |bytes| {
        if let Some(to) = buf.get_mut(len..len + bytes.len()) {
            to.copy_from_slice(bytes);
        }
        len += bytes.len();
    });
    match buf.get(..len) {
        Some(bytes) => xxhash_rust::xxh3::xxh3_128(bytes),
        None => streaming_fingerprint(detail, service, quarter, id),
    }
}

/// The bytes a [`fingerprint`] hashes, piece by piece: the one place they are laid out.
fn fingerprint_bytes(
    detail: Option<&fedcx_model::DetailId>,
    service: &fedcx_model::ServiceId,
    quarter: Option<fedcx_model::FiscalQuarter>,
    id: &str,
    put: &mut dyn FnMut(&[u8]),
) {
    match detail {
        Some(d) => {
            put(b"detail\x1f");
            put(d.as_str().as_bytes());
        }
        None => {
            put(service.as_str().as_bytes());
            put(&[0x1f]);
            // The bytes of `FiscalQuarter::compact` (`FY2024Q1`): the store keeps these
            // fingerprints, so they must not change.
            if let Some(q) = quarter {
                put(b"FY");
                put(decimal(q.year(), &mut [0; 5]));
                put(&[b'Q', b'0' + q.quarter().number()]);
            }
        }
    }
    put(&[0x1f]);
    put(id.as_bytes());
}

/// A fiscal year's digits (`2024`) in `out`, without the formatting machinery or an allocation.
fn decimal(year: u16, out: &mut [u8; 5]) -> &[u8] {
    // A u16 has at most five digits, so `i` stays in bounds.
    let mut i = out.len();
    let mut y = year;
    while let Some(slot) = i.checked_sub(1).and_then(|j| out.get_mut(j)) {
        i -= 1;
        *slot = b'0' + (y % 10) as u8;
        y /= 10;
        if y == 0 {
            break;
        }
    }
    &out[i..]
}

/// [`fingerprint`] hashed as a stream, for bytes that would not fit its buffer.
fn streaming_fingerprint(
    detail: Option<&fedcx_model::DetailId>,
    service: &fedcx_model::ServiceId,
    quarter: Option<fedcx_model::FiscalQuarter>,
    id: &str,
) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    fingerprint_bytes(detail, service, quarter, id, &mut |bytes| h.update(bytes));
    h.digest128()
}

/// The rejection of a response whose timestamp has no fiscal quarter (the source checks the
/// quarter, so an accepted row does not meet this).
pub(crate) fn bad_timestamp(line: u64, r: &SurveyResponse, e: &fedcx_model::fiscal::FiscalError) -> Rejection {
    Rejection {
        line,
        field: Some("submitted_at".into()),
        raw: r.submitted_at.to_rfc3339(),
        reason: RejectReason::BadTimestamp.into(),
        detail: e.to_string(),
    }
}

/// Fails unless read = accepted + rejected + duplicates + excluded (with `read` counted by the
/// source) and every physical line is accounted for.
fn check_balance(path: &Path, rec: &Reconciliation) -> Result<(), IngestError> {
    match rec.imbalance() {
        None => Ok(()),
        Some(why) => Err(IngestError::Unreconciled { path: path.to_owned(), why }),
    }
}

/// SHA-256 of a file's bytes.
pub fn hash_file(path: &Path) -> Result<fedcx_model::Digest, IngestError> {
    let io = |source| IngestError::Io { path: path.to_owned(), source };
    let digest = Arc::new(OnceLock::new());
    let mut file = HashOnRead::new(File::open(path).map_err(io)?, Arc::clone(&digest));
    std::io::copy(&mut file, &mut std::io::sink()).map_err(io)?;
    // `copy` reads to the end, where the digest is set.
    digest.get().map(|d| fedcx_model::Digest(*d)).ok_or_else(|| io(std::io::ErrorKind::UnexpectedEof.into()))
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = r.read(&mut buf[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

/// A source's counts by kind (redactions, warnings), keyed for a [`Reconciliation`].
fn owned_counts(counts: &std::collections::BTreeMap<&'static str, u64>) -> std::collections::BTreeMap<String, u64> {
    counts.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

/// Reconciliation numbers as the summary JSON writes them.
pub fn summary_json(result: &IngestResult) -> serde_json::Value {
    let r = &result.reconciliation;
    serde_json::json!({
        "read": r.read,
        "accepted": r.accepted,
        "rejected": r.rejected,
        "duplicates": r.duplicates,
        "excluded": r.excluded,
        "rejected_by_reason": r.rejected_by_reason,
        "excluded_by_reason": r.excluded_by_reason,
        "redactions": r.redactions,
        "warnings": r.warnings,
        "groups": result.total.counts.len(),
        "respondents_counted": result.total.counts.respondents(),
        "files": result.files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Everything an ingest produced that a reader could see, as comparable values.
    fn run(bytes: &[u8], threads: usize, chunk: usize) -> (String, String, String) {
        run_with(bytes, threads, chunk, DEFAULT_DEDUP_MEMORY)
    }

    /// [`run`] with the duplicate check's memory budget.
    fn run_with(bytes: &[u8], threads: usize, chunk: usize, dedup_memory: usize) -> (String, String, String) {
        run_keeping(bytes, threads, chunk, dedup_memory, KeepResponses::Spilled)
    }

    /// [`run`] without keeping responses: workers then count rows they read into borrowed fields
    /// (`RowParser::parse_fields`) instead of making responses.
    fn run_counting(bytes: &[u8], threads: usize, chunk: usize) -> (String, String, String) {
        run_keeping(bytes, threads, chunk, DEFAULT_DEDUP_MEMORY, KeepResponses::No)
    }

    fn run_keeping(
        bytes: &[u8],
        threads: usize,
        chunk: usize,
        dedup_memory: usize,
        keep: KeepResponses,
    ) -> (String, String, String) {
        let registry = Registry::bundled();
        let mut rejects = Vec::new();
        let result = {
            let config = IngestConfig { threads, keep_responses: keep, dedup_memory, ..IngestConfig::default() };
            let mut ing = Ingestor::builder(&registry, config)
                .chunk_bytes(chunk)
                .rejects(Box::new(&mut rejects), Path::new("r.csv"))
                .build()
                .unwrap();
            ing.ingest_bytes(Path::new("in.csv"), bytes, &Reader::Format(Format::Csv)).unwrap();
            ing.finish().unwrap()
        };
        let responses: Vec<String> = result.responses().map(|r| r.unwrap().id.to_string()).collect();
        (
            serde_json::to_string(&summary_json(&result)).unwrap(),
            format!("{}{:?}", serde_json::to_string(&result.total.counts).unwrap(), responses),
            String::from_utf8(rejects).unwrap(),
        )
    }

    /// Past `max_groups` the ingest stops with `TooManyGroups`, on one thread and on several (each
    /// worker checks its own groups per chunk, so none grows without bound); at the limit it reads.
    #[test]
    fn groups_past_the_limit_stop_the_ingest_on_any_number_of_threads() {
        let registry = Registry::bundled();
        let header = crate::mapped::NATIVE_HEADER;
        let mut text = format!("{}\n", header.join(","));
        let mut n = 0;
        for year in 2019..2023 {
            for month in [1, 4, 7, 10] {
                for channel in ["website", "phone", "in_person", "email", "mobile_app"] {
                    n += 1;
                    text.push_str(&format!(
                        "G{n},{year}-{month:02}-15T12:00:00Z,treasury-irs-file-return,{channel},post_interaction,v1,,4,4,4,4,4,4,4{}\n",
                        ",".repeat(header.len() - 14)
                    ));
                }
            }
        }
        // 4 years x 4 quarters x 5 channels.
        for (threads, chunk) in [(1, 1 << 20), (2, 256)] {
            let run = |max_groups| {
                let config = IngestConfig { threads, max_groups, ..IngestConfig::default() };
                let mut ing = Ingestor::builder(&registry, config).chunk_bytes(chunk).build().unwrap();
                ing.ingest_bytes(Path::new("g.csv"), text.as_bytes(), &Reader::Format(Format::Csv)).map(|_| ())
            };
            assert!(run(80).is_ok(), "{threads} thread(s): 80 groups are within a limit of 80");
            let err = run(20).unwrap_err();
            assert!(matches!(err, IngestError::TooManyGroups { limit: 20, .. }), "{threads} thread(s): {err}");
        }
    }

    /// The fingerprint is xxh3-128 over `service 0x1f FYyyyyQq 0x1f id` (or `detail 0x1f id 0x1f
    /// id`): the bytes are spelt out here, apart from the code, because stores keep fingerprints
    /// and a change would make every stored response new again.
    #[test]
    fn fingerprints_are_stable() {
        let bytes = row(7, "", "website");
        let text = format!("{HEADER}\n{bytes}\n");
        let registry = Registry::bundled();
        let config = IngestConfig { keep_responses: KeepResponses::InMemory, ..IngestConfig::default() };
        let mut ing = Ingestor::new(&registry, config);
        ing.ingest_bytes(Path::new("f.csv"), text.as_bytes(), &Reader::Format(Format::Csv)).unwrap();
        let result = ing.finish().unwrap();
        let r = result.responses().next().unwrap().unwrap();
        // 2023-01-15 is in FY2023 Q2.
        let want = xxhash_rust::xxh3::xxh3_128(b"treasury-irs-file-return\x1fFY2023Q2\x1fR7");
        assert_eq!(response_fingerprint(&r), want);
        assert_eq!(result.per_file[0].fingerprints().map(Result::unwrap).collect::<Vec<_>>(), [want]);
    }

    proptest! {
        /// The one-shot fingerprint equals the streaming hash of the same bytes, whatever the lengths
        /// (ids near and past the buffer's size included) and years.
        #[test]
        fn one_shot_fingerprint_equals_the_streaming_one(
            id in "[ -~]{0,400}",
            year in fedcx_model::fiscal::MIN_FISCAL_YEAR..=fedcx_model::fiscal::MAX_FISCAL_YEAR,
            q in 1u8..=4,
            detail in prop::option::of("[0-9]{1,12}"),
        ) {
            let service = fedcx_model::ServiceId::new("treasury-irs-file-return").unwrap();
            let quarter = fedcx_model::FiscalQuarter::new(year, fedcx_model::fiscal::Quarter::from_number(q).unwrap()).unwrap();
            let detail = detail.map(|d| fedcx_model::DetailId::new(&d).unwrap());
            prop_assert_eq!(
                fingerprint(detail.as_ref(), &service, Some(quarter), &id),
                streaming_fingerprint(detail.as_ref(), &service, Some(quarter), &id)
            );
            prop_assert_eq!(
                fingerprint(None, &service, None, &id),
                streaming_fingerprint(None, &service, None, &id)
            );
            let (mut out, want) = ([0; 5], year.to_string());
            prop_assert_eq!(decimal(year, &mut out), want.as_bytes());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// The `csv_lines` fuzz target's invariant on stable: whatever the line ends (LF, CRLF,
        /// lone CR first or later, mixed), one and two threads give the same ingest, and every
        /// physical line is accounted for, every lone CR counted as a line end.
        #[test]
        fn any_line_ends_give_the_same_ingest_and_count_every_line(
            tokens in prop::collection::vec(
                prop_oneof![
                    Just(row(7, "", "website")),
                    Just(row(8, "\"a\rb\"", "website")),
                    Just("\n".to_owned()),
                    Just("\r".to_owned()),
                    Just("\r\n".to_owned()),
                    Just(",".to_owned()),
                    Just("\"".to_owned()),
                ],
                0..30,
            ),
            first_end in prop::sample::select(vec!["\n", "\r", "\r\n"]),
        ) {
            let bytes = format!("{HEADER}{first_end}{}", tokens.concat()).into_bytes();
            let registry = Registry::bundled();
            let ingest = |threads| {
                let mut ing = Ingestor::new(&registry, IngestConfig { threads, max_record_lines: 3, ..IngestConfig::default() });
                ing.ingest_bytes(Path::new("in.csv"), &bytes, &Reader::Format(Format::Csv)).ok()?;
                Some(ing.finish().unwrap().reconciliation)
            };
            let one = ingest(1);
            prop_assert_eq!(&ingest(2), &one);
            if let Some(r) = one {
                prop_assert!(r.balances(), "{:?}", r);
                let lone_cr = |i: usize| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
                // Every lone CR ends a line, wherever it is (not only when the first line end is one).
                let ends = |i: usize| bytes[i] == b'\n' || lone_cr(i);
                let newlines = (0..bytes.len()).filter(|&i| ends(i)).count() as u64;
                let lines = newlines + u64::from(!bytes.is_empty() && !ends(bytes.len() - 1));
                prop_assert_eq!(r.lines.physical, lines, "{:?}", r);
            }
        }
    }

    /// A byte order mark in the middle of a file is a character of the first field, on any number
    /// of threads: a row starting with one, with a quoted comment (read by the csv parser) or
    /// without (split directly), keeps it, so `\u{feff}R100` is not a duplicate of `R100`.
    #[test]
    fn a_bom_in_the_middle_of_a_file_is_read_alike_on_any_number_of_threads() {
        let mut text = format!("{HEADER}\n");
        for id in 0..20 {
            text.push_str(&row(id, "", "website"));
            text.push('\n');
        }
        text.push_str(&format!("\u{feff}{}\n", row(100, "\"a \"\"q\"\" b\"", "website")));
        text.push_str(&format!("\u{feff}{}\n", row(101, "", "website")));
        text.push_str(&format!("{}\n", row(100, "", "website")));
        let bytes = text.into_bytes();
        let one = run(&bytes, 1, 1 << 20);
        let summary: serde_json::Value = serde_json::from_str(&one.0).unwrap();
        assert_eq!((summary["accepted"].as_u64(), summary["duplicates"].as_u64()), (Some(23), Some(0)), "{summary}");
        for chunk in [64, 300, 1 << 20] {
            assert_eq!(run(&bytes, 2, chunk), one, "chunk {chunk}");
            assert_eq!(run_counting(&bytes, 2, chunk), run_counting(&bytes, 1, 1 << 20), "chunk {chunk}");
        }
    }

    /// Lines ending with a lone CR (Excel's "CSV (Macintosh)") are read row by row, on any number
    /// of threads, with their line numbers: they are read as LFs (`rows::LoneCrAsLf`). Before, the
    /// header read swallowed the whole file and no row was read. The same holds for a survey
    /// tool's export with three header rows.
    #[test]
    fn lone_cr_line_ends_read_every_row() {
        let mut text = format!("{HEADER}\r");
        for id in 0..40 {
            // Row 10 (line 12) names no channel fedcx knows.
            text.push_str(&row(id, "", if id == 10 { "nope" } else { "website" }));
            text.push('\r');
        }
        let bytes = text.into_bytes();
        let one = run(&bytes, 1, 1 << 20);
        assert_eq!(run(&bytes, 2, 64), one);
        let summary: serde_json::Value = serde_json::from_str(&one.0).unwrap();
        assert_eq!((summary["accepted"].as_u64(), summary["rejected"].as_u64()), (Some(39), Some(1)), "{summary}");
        assert!(
            one.2.lines().nth(1).is_some_and(|l| l.starts_with("in.csv,12,channel,nope,unknown_channel")),
            "{}",
            one.2
        );

        let registry = Registry::bundled();
        let accepted = |bytes: &[u8], threads| {
            let mut mapping = Mapping::preset("qualtrics").unwrap();
            mapping.constants.insert("service_id".into(), "dos-ca-passport-renewal".into());
            mapping.constants.insert("channel".into(), "website".into());
            let mut ing = Ingestor::new(&registry, IngestConfig { threads, ..IngestConfig::default() });
            ing.ingest_bytes(Path::new("q.csv"), bytes, &Reader::Mapped(mapping)).unwrap().reconciliation.accepted
        };
        let lf =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tools/qualtrics-3row.csv")).unwrap();
        let cr: Vec<u8> = String::from_utf8(lf.clone()).unwrap().replace("\r\n", "\n").replace('\n', "\r").into_bytes();
        let want = accepted(&lf, 1);
        assert!(want > 0);
        assert_eq!((accepted(&cr, 1), accepted(&cr, 2)), (want, want));
    }

    /// A response rejected after it was read (its date has no fiscal quarter) still makes later
    /// copies duplicates, but its fingerprint is not one a store keeps: the file's fingerprints
    /// are those of the accepted responses only, not every fingerprint seen.
    #[test]
    fn fingerprints_kept_leave_out_responses_rejected_after_reading() {
        struct Items(std::vec::IntoIter<SourceItem>, u64);
        impl ResponseSource for Items {
            type Error = IngestError;
            fn next_item(&mut self) -> Result<Option<SourceItem>, IngestError> {
                Ok(self.0.next())
            }
        }
        impl Counted for Items {
            fn produced(&self) -> crate::rows::Produced {
                crate::rows::Produced { records: self.1, lines: self.1, record_lines: self.1, ..Default::default() }
            }
        }
        let registry = Registry::bundled();
        let text = format!("{HEADER}\n{}\n", row(1, "", "website"));
        let config = IngestConfig { keep_responses: KeepResponses::InMemory, ..IngestConfig::default() };
        let mut ing = Ingestor::new(&registry, config);
        ing.ingest_bytes(Path::new("f.csv"), text.as_bytes(), &Reader::Format(Format::Csv)).unwrap();
        let good = ing.finish().unwrap().responses().next().unwrap().unwrap();
        let mut old = good.clone();
        old.id = fedcx_model::ResponseId::new("R2").unwrap();
        // FY1985 is before the first fiscal year fedcx knows (1990).
        old.submitted_at = chrono::DateTime::parse_from_rfc3339("1985-01-15T10:00:00-05:00").unwrap();
        let again = old.clone();
        let items = vec![
            SourceItem::Response(2, Box::new(old.clone())),
            SourceItem::Response(3, Box::new(good.clone())),
            SourceItem::Response(4, Box::new(again)),
        ];
        let mut ing = Ingestor::new(&registry, IngestConfig::default());
        let report = ing
            .ingest_source(Path::new("custom"), fedcx_model::Digest([7; 32]), Format::Jsonl, &mut || {
                Ok(Items(items.clone().into_iter(), 3))
            })
            .unwrap();
        let rec = &report.reconciliation;
        assert_eq!((rec.accepted, rec.duplicates), (1, 1), "{rec:?}");
        let result = ing.finish().unwrap();
        let kept: Vec<u128> = result.per_file[0].fingerprints().map(Result::unwrap).collect();
        assert_eq!(kept, [response_fingerprint(&good)]);
    }

    const HEADER: &str = "response_id,submitted_at,service_id,channel,transaction_point,survey_version,survey_type,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,question_1,positive_effectiveness,positive_ease,positive_efficiency,positive_transparency,positive_humanity,positive_employee,positive_other,negative_effectiveness,negative_ease,negative_efficiency,negative_transparency,negative_humanity,negative_employee,negative_other,comment";

    fn row(id: u32, comment: &str, channel: &str) -> String {
        format!("R{id},2023-01-15T10:00:00-05:00,treasury-irs-file-return,{channel},post_interaction,v1,,5,4,3,2,1,n/a,,,,,,,,,,,,,,,,,,,,,{comment}")
    }

    #[test]
    fn the_nasty_fixture_reads_the_same_on_any_number_of_threads() {
        let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/nasty.csv")).unwrap();
        let one = run(&bytes, 1, 1 << 20);
        let counting = run_counting(&bytes, 1, 1 << 20);
        // Counting without keeping responses gives the same summary, counts and rejects.
        assert_eq!((&counting.0, &counting.2), (&one.0, &one.2));
        assert!(one.1.starts_with(&counting.1[..counting.1.len() - 2]), "{} / {}", one.1, counting.1);
        for chunk in [1, 7, 64, 300] {
            assert_eq!(run(&bytes, 2, chunk), one, "chunk {chunk}");
            assert_eq!(run(&bytes, 3, chunk), one, "chunk {chunk}");
            assert_eq!(run_counting(&bytes, 2, chunk), counting, "chunk {chunk}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(60))]

        #[test]
        fn parallel_reading_equals_sequential(
            rows in prop::collection::vec((0u32..30, prop_oneof![Just(""), Just("\"a, \n quoted\r\n comment\""), Just("\"x\"\"y\"")], prop_oneof![Just("website"), Just("nope")]), 0..80),
            crlf in any::<bool>(),
            chunk in 1usize..400,
        ) {
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut text = format!("{HEADER}{eol}");
            for (id, comment, channel) in &rows {
                text.push_str(&row(*id, comment, channel));
                text.push_str(eol);
            }
            let bytes = text.into_bytes();
            prop_assert_eq!(run(&bytes, 2, chunk), run(&bytes, 1, 1 << 20));
            prop_assert_eq!(run_counting(&bytes, 2, chunk), run_counting(&bytes, 1, 1 << 20));
        }

        /// A duplicate check squeezed into a budget of a few entries (so it spills sorted runs to
        /// disk and merges them) finds exactly what an in-memory set of ids finds: each id's first
        /// valid row is kept, every later valid row with that id is a duplicate, and a rejected
        /// row is a reject whatever its id. Rows far apart are planted by repeating the ids.
        #[test]
        fn a_tiny_duplicate_budget_gives_the_same_ingest(
            rows in prop::collection::vec((0u32..40, prop_oneof![Just("website"), Just("nope")]), 0..300),
            far in prop::collection::vec(0usize..300, 0..10),
            threads in 1usize..3,
        ) {
            let mut rows = rows;
            // Copies of early rows appended at the end: duplicates far from their first.
            for i in far {
                if let Some(r) = rows.get(i % rows.len().max(1)).cloned() {
                    rows.push(r);
                }
            }
            let mut text = format!("{HEADER}\n");
            for (id, channel) in &rows {
                text.push_str(&row(*id, "", channel));
                text.push('\n');
            }
            let bytes = text.into_bytes();
            let small = run_with(&bytes, threads, 512, 2 * Entry::SIZE_IN_MEMORY);
            prop_assert_eq!(&small, &run(&bytes, 1, 1 << 20));
            // The reference: an exact set of the ids of valid rows.
            let mut seen = HashSet::new();
            let mut want = (0u64, 0u64, 0u64);
            for (id, channel) in &rows {
                match *channel {
                    "website" if seen.insert(*id) => want.0 += 1,
                    "website" => want.1 += 1,
                    _ => want.2 += 1,
                }
            }
            let summary: serde_json::Value = serde_json::from_str(&small.0).unwrap();
            let got = (
                summary["accepted"].as_u64().unwrap(),
                summary["duplicates"].as_u64().unwrap(),
                summary["rejected"].as_u64().unwrap(),
            );
            prop_assert_eq!(got, want);
            // Duplicates are taken out of the counts too: one respondent counted per accepted row.
            prop_assert_eq!(summary["respondents_counted"].as_u64(), Some(want.0));
        }
    }
}
