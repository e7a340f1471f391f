//! The ingest driver: runs a file through its source, drops duplicate response ids, writes rejects,
//! adds accepted rows to the counts and keeps the reconciliation that proves no row was lost.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use fedcx_model::traits::{Rejection, ResponseSource, SourceItem};
use fedcx_model::{BenchmarkPoint, CollectionDetail, Registry, ResponseCounts, ResponseId, SurveyResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::details::read_details;
use crate::error::IngestError;
use crate::format::Format;
use crate::jsonl::JsonlSource;
use crate::mapped::{MappedCsvSource, Mapping};
use crate::reconcile::{reason, Reconciliation, RejectWriter};

/// How strict an ingest is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestConfig {
    /// Stop with an error at the first rejected row instead of counting it.
    pub fail_on_reject: bool,
    /// Keep accepted responses in memory (for PLS or conversion), not only their counts.
    pub keep_responses: bool,
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileReport {
    /// The file.
    pub path: PathBuf,
    /// The format it was read as.
    pub format: &'static str,
    /// SHA-256 of its bytes, in hex.
    pub sha256: String,
    /// Whether it was skipped because a file with the same content was already ingested.
    pub skipped_same_content: bool,
    /// Its reconciliation.
    pub reconciliation: Reconciliation,
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
    pub web_traffic: std::collections::BTreeMap<(String, String), u64>,
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
    pub web_traffic: std::collections::BTreeMap<(String, String), u64>,
}

/// Ingests files one after another into one set of counts.
pub struct Ingestor<'a> {
    registry: &'a Registry,
    config: IngestConfig,
    seen_ids: HashSet<ResponseId>,
    seen_content: HashSet<[u8; 32]>,
    rejects: Option<RejectWriter<Box<dyn Write + 'a>>>,
    detail_override: Option<String>,
    /// What the file being read contributes; merged into `result` when it is done.
    current: FileData,
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
    /// A respondent-level CSV with this mapping.
    Mapped(Mapping),
}

impl<'a> Ingestor<'a> {
    /// An ingestor checking services against `registry`.
    pub fn new(registry: &'a Registry, config: IngestConfig) -> Ingestor<'a> {
        Ingestor {
            registry,
            config,
            seen_ids: HashSet::new(),
            seen_content: HashSet::new(),
            rejects: None,
            detail_override: None,
            current: FileData::default(),
            result: IngestResult::default(),
        }
    }

    /// Writes every rejected row (and every duplicate) to `out` as CSV.
    pub fn write_rejects_to(&mut self, out: Box<dyn Write + 'a>, path: &Path) -> Result<(), IngestError> {
        let w = RejectWriter::new(out).map_err(|source| IngestError::RejectFile { path: path.to_owned(), source })?;
        self.rejects = Some(w);
        Ok(())
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
        wrap: &mut dyn FnMut(Box<dyn Read>) -> Box<dyn Read>,
    ) -> Result<&FileReport, IngestError> {
        let io = |source| IngestError::Io { path: path.to_owned(), source };
        let digest = hash_file(path)?;
        let mut head = [0u8; 4096];
        let n = read_up_to(&mut File::open(path).map_err(io)?, &mut head).map_err(io)?;
        let input: Box<dyn Read> = Box::new(BufReader::with_capacity(1 << 16, File::open(path).map_err(io)?));
        self.ingest_input(path, digest, &head[..n], wrap(input), reader)
    }

    /// Ingests bytes already in memory (such as the bundled demo data); `label` names them in messages.
    pub fn ingest_bytes(&mut self, label: &Path, bytes: &[u8], reader: &Reader) -> Result<&FileReport, IngestError> {
        let digest: [u8; 32] = Sha256::digest(bytes).into();
        let head = &bytes[..bytes.len().min(4096)];
        self.ingest_input(label, digest, head, Box::new(bytes), reader)
    }

    fn ingest_input(
        &mut self,
        path: &Path,
        digest: [u8; 32],
        head: &[u8],
        input: Box<dyn Read + '_>,
        reader: &Reader,
    ) -> Result<&FileReport, IngestError> {
        let sha256 = hex(&digest);
        let format = match reader {
            Reader::Detect => Format::detect(path, head)?,
            Reader::Format(f) => *f,
            Reader::Mapped(_) => Format::Csv,
        };
        if !self.seen_content.insert(digest) {
            self.result.files.push(FileReport {
                path: path.to_owned(),
                format: format.as_str(),
                sha256,
                skipped_same_content: true,
                reconciliation: Reconciliation::default(),
            });
            return Ok(self.result.files.last().expect("just pushed"));
        }
        let reconciliation = match (format, reader) {
            (Format::Csv, reader) => {
                let mapping = match reader {
                    Reader::Mapped(m) => m.clone(),
                    _ => Mapping::native(),
                };
                let mut src = MappedCsvSource::new(path, input, mapping, self.registry)?;
                let mut rec = self.drain(path, &mut src)?;
                rec.redactions = src.redactions().iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
                rec
            }
            (Format::Jsonl, _) => {
                let mut src = JsonlSource::new(path, input, self.registry);
                self.drain(path, &mut src)?
            }
            (Format::TouchpointsV2, _) => {
                let detail = self.detail_for(path)?;
                let mut src = crate::touchpoints::TouchpointsV2Source::new(path, input, detail)?;
                let mut rec = self.drain(path, &mut src)?;
                rec.redactions = src.redactions().iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
                rec
            }
            (Format::TouchpointsV1, _) => {
                let mut src = crate::touchpoints::TouchpointsV1Source::new(path, input, self.registry)?;
                self.drain(path, &mut src)?
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
                read.reconciliation
            }
            (Format::Counts, _) => {
                let mut src = crate::counts::CountsSource::new(path, input, self.registry)?;
                self.drain(path, &mut src)?
            }
        };
        let mut done = std::mem::take(&mut self.current);
        self.result.counts.merge(&done.counts);
        self.result.details.extend(done.details.iter().cloned());
        self.result.benchmarks.extend(done.benchmarks.iter().cloned());
        for (k, v) in &done.web_traffic {
            *self.result.web_traffic.entry(k.clone()).or_default() += v;
        }
        done.report_index = self.result.files.len();
        self.result.per_file.push(done);
        self.result.reconciliation.merge(&reconciliation);
        self.result.files.push(FileReport {
            path: path.to_owned(),
            format: format.as_str(),
            sha256,
            skipped_same_content: false,
            reconciliation,
        });
        Ok(self.result.files.last().expect("just pushed"))
    }

    /// Runs any source to its end, accounting for each item.
    pub fn drain<S: ResponseSource<Error = IngestError>>(
        &mut self,
        path: &Path,
        source: &mut S,
    ) -> Result<Reconciliation, IngestError> {
        let mut rec = Reconciliation::default();
        while let Some(item) = source.next_item()? {
            match item {
                SourceItem::Response(line, r) => {
                    if !self.seen_ids.insert(r.id.clone()) {
                        rec.duplicate();
                        let dup = Rejection {
                            line,
                            field: Some("response_id".into()),
                            raw: r.id.to_string(),
                            reason: reason::DUPLICATE_RESPONSE_ID,
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
                            reason: reason::BAD_TIMESTAMP,
                            detail: e.to_string(),
                        };
                        rec.reject(rej.reason);
                        self.on_reject(path, &rej)?;
                        continue;
                    }
                    rec.accept();
                    if self.config.keep_responses {
                        self.result.responses.push(*r);
                    }
                }
                SourceItem::Counts(key, tally) => {
                    rec.accept();
                    self.current.counts.add_tally(&key, &tally);
                }
                SourceItem::Rejected(rej) => {
                    rec.reject(rej.reason);
                    self.on_reject(path, &rej)?;
                }
                SourceItem::Benchmark(p) => {
                    rec.accept();
                    self.current.benchmarks.push(p);
                }
                SourceItem::WebVisits(v) => {
                    rec.accept();
                    *self.current.web_traffic.entry((v.domain, v.month)).or_default() += v.visits;
                }
                _ => {}
            }
        }
        Ok(rec)
    }

    fn detail_for(&self, path: &Path) -> Result<CollectionDetail, IngestError> {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let id = self.detail_override.as_deref().unwrap_or(stem);
        self.result.details.iter().chain(&self.current.details).find(|d| d.id == id).cloned().ok_or_else(|| {
            IngestError::MissingContext {
                path: path.to_owned(),
                format: "touchpoints-v2",
                what: format!(
                "its collection detail {id:?} (service, channel, quarter, survey type): ingest the collection-detail \
                 export first, in the same command, and name the upload <detail id>.csv or pass --detail ID"
            ),
            }
        })
    }

    fn on_reject(&mut self, path: &Path, rej: &Rejection) -> Result<(), IngestError> {
        if self.config.fail_on_reject {
            return Err(IngestError::RejectedRow {
                path: path.to_owned(),
                line: rej.line,
                field: rej.field.clone(),
                reason: rej.reason,
                detail: rej.detail.clone(),
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

/// SHA-256 of a file's bytes.
pub fn hash_file(path: &Path) -> Result<[u8; 32], IngestError> {
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
    Ok(hasher.finalize().into())
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

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Reconciliation numbers as the summary JSON writes them.
pub fn summary_json(result: &IngestResult) -> serde_json::Value {
    let r = &result.reconciliation;
    serde_json::json!({
        "read": r.read,
        "accepted": r.accepted,
        "rejected": r.rejected,
        "duplicates": r.duplicates,
        "rejected_by_reason": r.rejected_by_reason,
        "redactions": r.redactions,
        "groups": result.counts.len(),
        "respondents_counted": result.counts.respondents(),
        "files": result.files,
    })
}

/// Counts per reason, sorted by count then name, for printing.
pub fn reasons_by_count(r: &Reconciliation) -> Vec<(&str, u64)> {
    let mut v: Vec<(&str, u64)> = r.rejected_by_reason.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v
}
