//! The ingest driver: runs a file through its source, drops duplicate response ids, writes rejects,
//! adds accepted rows to the counts and keeps the reconciliation that proves no row was lost.

use std::collections::HashSet;
use std::fs::File;
use std::hash::BuildHasherDefault;
use std::io::{BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};

use fedcx_model::traits::{Rejection, ResponseSource, SourceItem};
use fedcx_model::{BenchmarkPoint, CollectionDetail, PublishedMeans, Registry, ResponseCounts, SurveyResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

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
    /// Keep accepted responses in memory (for PLS or conversion), not only their counts.
    pub keep_responses: bool,
    /// Worker threads for parsing respondent-level CSV: 0 for one per core, 1 to read on the
    /// calling thread only. The results are the same either way.
    pub threads: usize,
    /// A CSV record covering more physical lines than this is rejected (an unbalanced quote
    /// swallowed the rows on them) instead of being read as one row with a huge field.
    pub max_record_lines: u64,
    /// What the balanced-measures files need (the FEVS survey year).
    pub balanced: crate::balanced::BalancedOptions,
}

impl Default for IngestConfig {
    fn default() -> IngestConfig {
        IngestConfig {
            fail_on_reject: false,
            keep_responses: false,
            threads: 0,
            max_record_lines: DEFAULT_MAX_RECORD_LINES,
            balanced: crate::balanced::BalancedOptions::default(),
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
}

/// Everything an ingest produced.
#[derive(Debug, Default)]
pub struct IngestResult {
    /// Counts of every accepted response and every already-aggregated record.
    pub counts: ResponseCounts,
    /// Collection details read.
    pub details: Vec<CollectionDetail>,
    /// Accepted responses, when [`IngestConfig::keep_responses`] was set.
    pub responses: Vec<SurveyResponse>,
    /// Published benchmark series values.
    pub benchmarks: Vec<BenchmarkPoint>,
    /// Web visits per (domain, month `YYYY-MM`).
    pub web_traffic: std::collections::BTreeMap<(String, fedcx_model::Month), u64>,
    /// Figures performance.gov published (FY2019-20 means on the 1-5 scale, volumes).
    pub published: Vec<PublishedMeans>,
    /// Per file.
    pub files: Vec<FileReport>,
    /// What each ingested (not skipped) file contributed, in the order of `files`' non-skipped entries.
    pub per_file: Vec<FileData>,
    /// All files together.
    pub reconciliation: Reconciliation,
}

/// What one file contributed: kept apart so a store can trace every count to its file.
#[derive(Debug, Clone, Default)]
pub struct FileData {
    /// The file's report.
    pub report_index: usize,
    /// Its counts.
    pub counts: ResponseCounts,
    /// Its collection details.
    pub details: Vec<CollectionDetail>,
    /// Its benchmark values.
    pub benchmarks: Vec<BenchmarkPoint>,
    /// Its web visits per (domain, month).
    pub web_traffic: std::collections::BTreeMap<(String, fedcx_model::Month), u64>,
    /// Its performance.gov figures.
    pub published: Vec<PublishedMeans>,
    /// Its accepted responses, when [`IngestConfig::keep_responses`] was set.
    pub responses: Vec<SurveyResponse>,
    /// The [`response_fingerprint`] of each accepted response, for the store's duplicate check.
    pub fingerprints: Vec<u128>,
    /// What a balanced-measures file (FEVS, business results, Site Scanning) gave.
    pub balanced: Option<fedcx_model::BalancedPart>,
}

/// Ingests files one after another into one set of counts.
pub struct Ingestor<'a> {
    registry: &'a Registry,
    config: IngestConfig,
    seen_ids: SeenIds,
    seen_content: HashSet<[u8; 32]>,
    rejects: Option<RejectWriter<Box<dyn Write + 'a>>>,
    detail_override: Option<String>,
    /// Rejected collection-detail rows by id (`file:line: field: why`), for the responses naming them.
    rejected_details: std::collections::BTreeMap<String, String>,
    /// Collection details ingested earlier (from the store): context for uploads, not new data.
    known_details: Vec<CollectionDetail>,
    /// What the file being read contributes; merged into `result` when it is done.
    current: FileData,
    /// Chunk size of parallel CSV reading (small in tests, to cut files into many chunks).
    chunk_bytes: usize,
    result: IngestResult,
}

impl std::fmt::Debug for Ingestor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ingestor").field("config", &self.config).field("files", &self.result.files.len()).finish()
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

impl<'a> Ingestor<'a> {
    /// An ingestor checking services against `registry`.
    pub fn new(registry: &'a Registry, config: IngestConfig) -> Ingestor<'a> {
        Ingestor {
            registry,
            config,
            seen_ids: SeenIds::default(),
            seen_content: HashSet::new(),
            rejects: None,
            detail_override: None,
            rejected_details: Default::default(),
            known_details: Vec::new(),
            current: FileData::default(),
            chunk_bytes: crate::parallel::CHUNK_BYTES,
            result: IngestResult::default(),
        }
    }

    /// Writes every rejected row (and every duplicate) to `out` as CSV.
    pub fn write_rejects_to(&mut self, out: Box<dyn Write + 'a>, path: &Path) -> Result<(), IngestError> {
        let w = RejectWriter::new(out).map_err(|source| IngestError::RejectFile { path: path.to_owned(), source })?;
        self.rejects = Some(w);
        Ok(())
    }

    /// Treats content with this digest as already ingested, e.g. because a store holds it: a file
    /// with that content is skipped like a repeat within this ingest, after hashing it once.
    pub fn mark_ingested(&mut self, digest: fedcx_model::Digest) {
        self.seen_content.insert(digest.0);
    }

    /// The collection detail whose context (service, channel, quarter, survey type) Touchpoints
    /// version-2 uploads take. Without it, an upload's file name (`<detail id>.csv`) names its detail.
    pub fn set_detail(&mut self, id: Option<String>) {
        self.detail_override = id;
    }

    /// Ingests a file from disk. `wrap` may wrap the reader (e.g. with a progress bar).
    pub fn ingest_path(
        &mut self,
        path: &Path,
        reader: &Reader,
        wrap: &mut dyn FnMut(Box<dyn Read + Send>) -> Box<dyn Read + Send>,
    ) -> Result<&FileReport, IngestError> {
        let io = |source| IngestError::Io { path: path.to_owned(), source };
        // A pipe, a FIFO or standard input can be read only once: it is hashed while it is parsed.
        if path == Path::new("-") {
            return self.ingest_stream(path, Box::new(std::io::stdin()), reader, wrap);
        }
        if !std::fs::metadata(path).map_err(io)?.is_file() {
            let input = Box::new(File::open(path).map_err(io)?);
            return self.ingest_stream(path, input, reader, wrap);
        }
        let digest = hash_file(path)?.0;
        let mut head = [0u8; 4096];
        let n = read_up_to(&mut File::open(path).map_err(io)?, &mut head).map_err(io)?;
        let input: Box<dyn Read + Send> = Box::new(BufReader::with_capacity(1 << 16, File::open(path).map_err(io)?));
        self.ingest_input(path, digest, &head[..n], wrap(input), reader)
    }

    /// Ingests bytes already in memory (such as the bundled demo data); `label` names them in messages.
    pub fn ingest_bytes(&mut self, label: &Path, bytes: &[u8], reader: &Reader) -> Result<&FileReport, IngestError> {
        let digest: [u8; 32] = Sha256::digest(bytes).into();
        let head = &bytes[..bytes.len().min(4096)];
        self.ingest_input(label, digest, head, Box::new(bytes), reader)
    }

    /// Reads an input that can be read only once, hashing it on the way; a repeat of content already
    /// ingested is found only at its end, and then its contribution and its rejects are dropped.
    fn ingest_stream(
        &mut self,
        path: &Path,
        mut input: Box<dyn Read + Send>,
        reader: &Reader,
        wrap: &mut dyn FnMut(Box<dyn Read + Send>) -> Box<dyn Read + Send>,
    ) -> Result<&FileReport, IngestError> {
        let io = |source| IngestError::Io { path: path.to_owned(), source };
        let mut head = vec![0u8; 4096];
        let n = read_up_to(&mut input, &mut head).map_err(io)?;
        head.truncate(n);
        let hasher = std::sync::Arc::new(std::sync::Mutex::new(Sha256::new()));
        let whole: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(head.clone()).chain(input));
        let hashing = Box::new(HashingReader { inner: whole, hasher: std::sync::Arc::clone(&hasher) });
        let plan = self.plan(path, &head, reader)?;
        let format = plan.format;
        // This input's rejects wait in an unnamed temporary file until it is known to be new.
        let mut spool_file = tempfile::tempfile().map_err(io)?;
        let spool = RejectWriter::without_header(Box::new(spool_file.try_clone().map_err(io)?) as Box<dyn Write + 'a>);
        let main = self.rejects.replace(spool);
        let parsed = self.parse_input(path, plan, wrap(hashing));
        let spool = std::mem::replace(&mut self.rejects, main).expect("the spool was put in place above");
        let reconciliation = parsed?;
        let digest: [u8; 32] = match std::sync::Arc::try_unwrap(hasher) {
            Ok(m) => m.into_inner().unwrap_or_else(|e| e.into_inner()).finalize().into(),
            Err(_) => unreachable!("the reader holding the hasher was consumed by the parse"),
        };
        if !self.seen_content.insert(digest) {
            self.current = FileData::default();
            return Ok(self.push_skipped(path, format, digest));
        }
        if let Some(main) = &mut self.rejects {
            let rejects_error = |source| IngestError::RejectFile { path: path.to_owned(), source };
            spool.into_inner().map_err(rejects_error)?;
            spool_file.seek(std::io::SeekFrom::Start(0)).map_err(io)?;
            main.append_rows(std::io::BufReader::new(spool_file)).map_err(rejects_error)?;
        }
        self.finish_file(path, format, digest, reconciliation)
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
        });
        self.result.files.last().expect("just pushed")
    }

    fn ingest_input(
        &mut self,
        path: &Path,
        digest: [u8; 32],
        head: &[u8],
        input: Box<dyn Read + Send + '_>,
        reader: &Reader,
    ) -> Result<&FileReport, IngestError> {
        let plan = self.plan(path, head, reader)?;
        if !self.seen_content.insert(digest) {
            return Ok(self.push_skipped(path, plan.format, digest));
        }
        let reconciliation = self.parse_input(path, plan, input)?;
        self.finish_file(path, plan.format, digest, reconciliation)
    }

    /// Reads one input into `current`, returning its reconciliation once it balances.
    fn parse_input(
        &mut self,
        path: &Path,
        plan: Plan<'_>,
        input: Box<dyn Read + Send + '_>,
    ) -> Result<Reconciliation, IngestError> {
        let format = plan.format;
        let reconciliation = match (format, plan.mapping) {
            (Format::Csv, mapping) => {
                let mapping = mapping.cloned().unwrap_or_else(Mapping::native);
                let threads = match self.config.threads {
                    0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
                    n => n,
                };
                if threads > 1 {
                    self.drain_csv_parallel(path, input, mapping, threads)?
                } else {
                    let mut src = MappedCsvSource::new(path, input, mapping, self.registry)?;
                    src.limit_record_lines(self.config.max_record_lines);
                    let mut rec = self.drain(path, &mut src)?;
                    rec.redactions = owned_counts(src.redactions());
                    rec.warnings = owned_counts(src.warnings());
                    rec
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
                let mut rec = self.drain(path, &mut src)?;
                // Each row is its group's collection detail too, so a v1 export alone round-trips.
                self.current.details.extend(src.take_details());
                rec.warnings = owned_counts(src.warnings());
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
                self.current.details.extend(read.details);
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
                self.current.balanced = read.part;
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
    ) -> Result<&FileReport, IngestError> {
        let sha256 = fedcx_model::Digest(digest);
        let mut done = std::mem::take(&mut self.current);
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let plausibility = crate::plausibility::check(&name, &done.counts);
        self.result.counts.merge(&done.counts);
        self.result.details.extend(done.details.iter().cloned());
        self.result.benchmarks.extend(done.benchmarks.iter().cloned());
        self.result.published.extend(done.published.iter().cloned());
        for (k, v) in &done.web_traffic {
            *self.result.web_traffic.entry(k.clone()).or_default() += v;
        }
        self.result.responses.extend(done.responses.iter().cloned());
        done.report_index = self.result.files.len();
        self.result.per_file.push(done);
        self.result.reconciliation.merge(&reconciliation);
        self.result.files.push(FileReport {
            path: path.to_owned(),
            format,
            sha256,
            skipped_same_content: false,
            reconciliation,
            plausibility,
        });
        Ok(self.result.files.last().expect("just pushed"))
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
        let cells: Vec<Vec<String>> = ahead.iter().map(|(_, c)| c.clone()).collect();
        let header_records = mapping.header_record_count(&cells).min(ahead.len()).max(1);
        let mut head = Vec::new();
        let mut rest = Vec::new();
        for (i, (bytes, _)) in ahead.into_iter().enumerate() {
            if i < header_records {
                head.extend(bytes);
            } else {
                rest.extend(bytes);
            }
        }
        let input: Box<dyn Read + Send + '_> = Box::new(std::io::Cursor::new(rest).chain(input));
        let (parser, header, head_produced) =
            MappedCsvSource::new(path, head.as_slice(), mapping, self.registry)?.into_parts();
        let config = crate::parallel::ParallelConfig {
            threads,
            chunk_bytes: self.chunk_bytes,
            max_record_lines: self.config.max_record_lines,
        };
        let mut rec = crate::parallel::read(path, input, &parser, (header, head_produced), config, |src| {
            let mut rec = self.drain(path, src)?;
            rec.redactions = owned_counts(&src.notes().redactions);
            rec.warnings = owned_counts(&src.notes().warnings);
            Ok(rec)
        })?;
        rec.redactions.retain(|_, v| *v > 0);
        rec.warnings.retain(|_, v| *v > 0);
        Ok(rec)
    }

    /// Sets the chunk size of parallel reading; tests use tiny chunks to put many boundaries in a file.
    #[cfg(test)]
    pub(crate) fn set_chunk_bytes(&mut self, n: usize) {
        self.chunk_bytes = n;
    }

    /// Runs any source to its end, accounting for each item, and checks that what the source
    /// produced (records, counted where the parser makes them; lines, counted from the bytes)
    /// balances what was classified here.
    pub fn drain<S: ResponseSource<Error = IngestError> + Counted>(
        &mut self,
        path: &Path,
        source: &mut S,
    ) -> Result<Reconciliation, IngestError> {
        let mut rec = Reconciliation::default();
        while let Some(item) = source.next_item()? {
            match item {
                SourceItem::Response(line, r) => {
                    if !self.seen_ids.insert(&r) {
                        rec.duplicate();
                        let dup = Rejection {
                            line,
                            field: Some("response_id".into()),
                            raw: r.id.to_string(),
                            reason: RejectReason::DuplicateResponseId.into(),
                            detail: "this response id was already ingested; the first one is kept".into(),
                        };
                        self.write_reject(path, &dup)?;
                        continue;
                    }
                    // The quarter was checked by the source, so this cannot fail for an accepted row.
                    if let Err(e) = self.current.counts.add_response(&r) {
                        let rej = Rejection {
                            line,
                            field: Some("submitted_at".into()),
                            raw: r.submitted_at.to_rfc3339(),
                            reason: RejectReason::BadTimestamp.into(),
                            detail: e.to_string(),
                        };
                        rec.reject(RejectReason::BadTimestamp);
                        self.on_reject(path, &rej)?;
                        continue;
                    }
                    rec.accept();
                    self.current.fingerprints.push(response_fingerprint(&r));
                    if self.config.keep_responses {
                        self.current.responses.push(*r);
                    }
                }
                SourceItem::Counts(key, tally) => {
                    rec.accept();
                    self.current.counts.add_tally(&key, &tally);
                }
                // A survey tool's preview, test or spam response: read, not a respondent's answer.
                // Counted apart, never a reject (nor a failure under --strict).
                SourceItem::Rejected(rej) => match rej.reason {
                    Refusal::Exclude(why) => rec.exclude(why),
                    Refusal::Reject(why) => {
                        rec.reject(why);
                        self.on_reject(path, &rej)?;
                    }
                },
                SourceItem::Benchmark(p) => {
                    rec.accept();
                    self.current.benchmarks.push(p);
                }
                SourceItem::WebVisits(v) => {
                    rec.accept();
                    *self.current.web_traffic.entry((v.domain, v.month)).or_default() += v.visits;
                }
                SourceItem::PublishedMeans(p) => {
                    rec.accept();
                    self.current.published.push(*p);
                }
            }
        }
        source.produced().record_into(&mut rec);
        check_balance(path, &rec)?;
        Ok(rec)
    }

    /// Responses ingested before (their [`response_fingerprint`]s, from the store): a response seen
    /// again counts as a duplicate, so a re-export cannot double count across commands.
    pub fn know_responses(&mut self, fingerprints: impl IntoIterator<Item = u128>) {
        self.seen_ids.extend(fingerprints);
    }

    /// Collection details ingested before (kept in the store), so an upload can be ingested after
    /// its detail export without giving that export again. They are context, not new data.
    pub fn know_details(&mut self, details: Vec<CollectionDetail>) {
        self.known_details = details;
    }

    /// The collection details response files can name: every detail known or accepted so far (a
    /// later row replaces an earlier one with the same id), and the ids of rejected ones.
    fn detail_context(&self) -> crate::touchpoints::DetailContext {
        let accepted = self
            .known_details
            .iter()
            .chain(&self.result.details)
            .chain(&self.current.details)
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
        debug_assert!(self.current.counts.is_empty(), "a file's contribution is merged when the file ends");
        if let Some(w) = &mut self.rejects {
            w.flush().map_err(|source| IngestError::RejectFile { path: PathBuf::from("rejects"), source })?;
        }
        Ok(self.result)
    }
}

/// The response ids seen so far, kept as 128-bit xxh3 fingerprints rather than the ids themselves:
/// 16 bytes an id whatever its length, no allocation, and no second hash over the key. Two different
/// ids collide with probability about n^2 / 2^129 (below 1e-24 for ten million responses), a risk
/// far below that of a disk error, so the set is exact for every practical purpose.
#[derive(Debug, Default)]
struct SeenIds(HashSet<u128, BuildHasherDefault<FingerprintHasher>>);

impl SeenIds {
    /// Records a response; false when it was already seen. See [`response_fingerprint`].
    fn insert(&mut self, r: &SurveyResponse) -> bool {
        self.0.insert(response_fingerprint(r))
    }
}

/// The fingerprint duplicates are found by (128-bit xxh3): a response id is unique within its
/// service and fiscal quarter, and a Touchpoints `external_id` only within its collection detail
/// (which fixes both). A 0x1f separator keeps `1`+`23` apart from `12`+`3`. The store keeps these
/// fingerprints, so a corrected re-export cannot double count across commands.
pub fn response_fingerprint(r: &SurveyResponse) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    match &r.detail {
        Some(d) => {
            h.update(b"detail\x1f");
            h.update(d.as_str().as_bytes());
        }
        None => {
            h.update(r.service.as_str().as_bytes());
            h.update(&[0x1f]);
            let q = r.fiscal_quarter().map(|q| q.compact()).unwrap_or_default();
            h.update(q.as_bytes());
        }
    }
    h.update(&[0x1f]);
    h.update(r.id.as_str().as_bytes());
    h.digest128()
}

impl SeenIds {
    fn extend(&mut self, fps: impl IntoIterator<Item = u128>) {
        self.0.extend(fps);
    }
}

/// The fingerprints are already uniformly distributed, so the set's hash is their low 64 bits.
#[derive(Debug, Default)]
struct FingerprintHasher(u64);

impl std::hash::Hasher for FingerprintHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only u128 keys are hashed (through write_u128); this keeps any other use correct anyway.
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 = self.0.rotate_left(29) ^ u64::from_le_bytes(b);
        }
    }

    fn write_u128(&mut self, v: u128) {
        self.0 = v as u64;
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

/// Hashes what passes through it; shared so the hash can be read after the reader was consumed.
struct HashingReader {
    inner: Box<dyn Read + Send>,
    hasher: std::sync::Arc<std::sync::Mutex<Sha256>>,
}

impl Read for HashingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.lock().unwrap_or_else(|e| e.into_inner()).update(&buf[..n]);
        Ok(n)
    }
}

/// SHA-256 of a file's bytes.
pub fn hash_file(path: &Path) -> Result<fedcx_model::Digest, IngestError> {
    let io = |source| IngestError::Io { path: path.to_owned(), source };
    let mut file = File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(fedcx_model::Digest(hasher.finalize().into()))
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
        "groups": result.counts.len(),
        "respondents_counted": result.counts.respondents(),
        "files": result.files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Everything an ingest produced that a reader could see, as comparable values.
    fn run(bytes: &[u8], threads: usize, chunk: usize) -> (String, String, String) {
        let registry = Registry::bundled();
        let mut rejects = Vec::new();
        let result = {
            let mut ing =
                Ingestor::new(&registry, IngestConfig { threads, keep_responses: true, ..IngestConfig::default() });
            ing.set_chunk_bytes(chunk);
            ing.write_rejects_to(Box::new(&mut rejects), Path::new("r.csv")).unwrap();
            ing.ingest_bytes(Path::new("in.csv"), bytes, &Reader::Format(Format::Csv)).unwrap();
            ing.finish().unwrap()
        };
        let responses: Vec<String> = result.responses.iter().map(|r| r.id.to_string()).collect();
        (
            serde_json::to_string(&summary_json(&result)).unwrap(),
            format!("{}{:?}", serde_json::to_string(&result.counts).unwrap(), responses),
            String::from_utf8(rejects).unwrap(),
        )
    }

    const HEADER: &str = "response_id,submitted_at,service_id,channel,transaction_point,survey_version,survey_type,q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,question_1,positive_effectiveness,positive_ease,positive_efficiency,positive_transparency,positive_humanity,positive_employee,positive_other,negative_effectiveness,negative_ease,negative_efficiency,negative_transparency,negative_humanity,negative_employee,negative_other,comment";

    fn row(id: u32, comment: &str, channel: &str) -> String {
        format!("R{id},2023-01-15T10:00:00-05:00,treasury-irs-file-return,{channel},post_interaction,v1,,5,4,3,2,1,n/a,,,,,,,,,,,,,,,,,,,,,{comment}")
    }

    #[test]
    fn the_nasty_fixture_reads_the_same_on_any_number_of_threads() {
        let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/nasty.csv")).unwrap();
        let one = run(&bytes, 1, 1 << 20);
        for chunk in [1, 7, 64, 300] {
            assert_eq!(run(&bytes, 2, chunk), one, "chunk {chunk}");
            assert_eq!(run(&bytes, 3, chunk), one, "chunk {chunk}");
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
        }
    }
}
