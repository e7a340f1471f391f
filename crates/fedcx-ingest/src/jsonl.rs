//! JSON Lines: one [`SurveyResponse`] per line in the model's own serde form.

use crate::rows::{Counted, Produced};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use fedcx_model::traits::{Rejection, ResponseSource, SourceItem};
use fedcx_model::{Registry, SurveyResponse};

use crate::error::IngestError;
use crate::reconcile::{clip, RejectReason};
use crate::redact::redact;

/// Reads JSON Lines, one response per line. Blank lines are skipped, not counted.
#[derive(Debug)]
pub struct JsonlSource<'a, R: Read> {
    path: PathBuf,
    input: BufReader<R>,
    registry: &'a Registry,
    line: u64,
    buf: Vec<u8>,
    produced: Produced,
}

impl<'a, R: Read> JsonlSource<'a, R> {
    /// Reads `input`, checking services against `registry`.
    pub fn new(path: &Path, input: R, registry: &'a Registry) -> JsonlSource<'a, R> {
        JsonlSource {
            path: path.to_owned(),
            input: BufReader::new(input),
            registry,
            line: 0,
            buf: Vec::new(),
            produced: Produced::default(),
        }
    }

    fn parse(&self, bytes: &[u8]) -> Result<SurveyResponse, Rejection> {
        let reject = |reason: RejectReason, field: Option<&str>, detail: String| Rejection {
            line: self.line,
            field: field.map(str::to_owned),
            raw: clip(&String::from_utf8_lossy(bytes)),
            reason: reason.into(),
            detail,
        };
        let text = std::str::from_utf8(bytes).map_err(|e| reject(RejectReason::InvalidUtf8, None, e.to_string()))?;
        let mut r: SurveyResponse =
            serde_json::from_str(text).map_err(|e| reject(RejectReason::BadJson, None, e.to_string()))?;
        if self.registry.service(&r.service).is_none() {
            return Err(reject(
                RejectReason::UnknownService,
                Some("service"),
                format!("{} is not a service in the registry", r.service),
            ));
        }
        if let Err(e) = r.fiscal_quarter() {
            return Err(reject(RejectReason::BadTimestamp, Some("submitted_at"), e.to_string()));
        }
        // Comments are redacted again: a JSON file may come from a tool that never did.
        if let Some(c) = &r.comment {
            r.comment = Some(redact(c).text);
        }
        Ok(r)
    }
}

impl<R: Read> Counted for JsonlSource<'_, R> {
    fn produced(&self) -> Produced {
        self.produced
    }
}

impl<R: Read> ResponseSource for JsonlSource<'_, R> {
    type Error = IngestError;

    fn next_item(&mut self) -> Result<Option<SourceItem>, IngestError> {
        loop {
            self.buf.clear();
            let n = self
                .input
                .read_until(b'\n', &mut self.buf)
                .map_err(|source| IngestError::Io { path: self.path.clone(), source })?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            self.produced.lines += 1;
            let mut bytes = self.buf.as_slice();
            if self.line == 1 {
                bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            }
            let bytes = bytes.trim_ascii();
            if bytes.is_empty() {
                self.produced.blank_lines += 1;
                continue;
            }
            self.produced.records += 1;
            self.produced.record_lines += 1;
            return Ok(Some(match self.parse(bytes) {
                Ok(r) => SourceItem::Response(self.line, Box::new(r)),
                Err(rej) => SourceItem::Rejected(rej),
            }));
        }
    }
}
