//! Reading CSV rows with what every CSV format here needs: the line each row starts on, a UTF-8 BOM
//! removed, a field count checked against the header, and fields checked for UTF-8 (a record at
//! once when it is valid, field by field when not), so a bad byte rejects one row instead of
//! failing the file. `ChunkRows` reads a chunk of a large file with the same results, splitting
//! plain lines itself and leaving the rest to the csv parser.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use fedcx_model::traits::Rejection;

use crate::error::IngestError;
use crate::reconcile::{clip, RejectReason};

/// A CSV file being read row by row.
#[derive(Debug)]
pub struct CsvRows<R: Read> {
    path: PathBuf,
    reader: csv::Reader<LineCounter<R>>,
    header: Arc<[String]>,
    record: Held,
    /// The line the record last read starts on and the lines it covers, when it is a row.
    current: Option<(u64, u64)>,
    /// Lines before the input's first byte (non-zero for a chunk cut from the middle of a file).
    line_offset: u64,
    /// What has been read so far, counted here where records come out of the parser.
    produced: Produced,
    /// The last physical line (relative to this input) that a record or the header covered.
    covered_until: u64,
    /// A record covering more lines than this is rejected: an unbalanced quote swallowed them.
    max_record_lines: u64,
}

/// What replaces a comment that is not valid UTF-8.
pub const INVALID_COMMENT: &str = "[COMMENT REMOVED: NOT VALID UTF-8]";

/// The default for [`CsvRows::set_max_record_lines`]: a survey comment rarely has more than a few
/// paragraphs, and a stray quote that swallows the rest of a file spans far more.
pub const DEFAULT_MAX_RECORD_LINES: u64 = 50;

/// One data row, borrowed from the reader until the next call.
#[derive(Debug)]
pub struct Row<'a> {
    /// The line the row starts on, from 1 (the header is line 1).
    pub line: u64,
    /// The physical lines the row covers (more than 1 when a quoted field holds line breaks).
    pub lines: u64,
    max_lines: u64,
    cells: Cells<'a>,
    header: &'a [String],
}

/// Where a row's fields are.
#[derive(Debug, Clone, Copy)]
enum Cells<'a> {
    /// A record the csv parser read, and the same record as text when every field is valid
    /// UTF-8 (checked once per record, most often by one ASCII test over all its bytes), so
    /// fields are not checked one by one.
    Csv(&'a csv::ByteRecord, Option<&'a csv::StringRecord>),
    /// The fields of a line without quotes or carriage returns, valid UTF-8 ([`ChunkRows`]).
    Line(&'a [&'a str]),
}

impl<'a> Cells<'a> {
    fn len(&self) -> usize {
        match self {
            Cells::Csv(record, _) => record.len(),
            Cells::Line(fields) => fields.len(),
        }
    }

    /// Field `i`'s bytes, `None` past the last field.
    fn bytes(&self, i: usize) -> Option<&'a [u8]> {
        match *self {
            Cells::Csv(record, _) => record.get(i),
            Cells::Line(fields) => fields.get(i).map(|f| f.as_bytes()),
        }
    }

    /// Field `i` as text, `None` past the last field, an error when it is not UTF-8.
    #[inline]
    fn text(&self, i: usize) -> Option<Result<&'a str, std::str::Utf8Error>> {
        match *self {
            Cells::Csv(_, Some(text)) => text.get(i).map(Ok),
            Cells::Csv(record, None) => record.get(i).map(std::str::from_utf8),
            Cells::Line(fields) => fields.get(i).copied().map(Ok),
        }
    }
}

/// The record last read, as text when every field is valid UTF-8, else as bytes. The buffers
/// rotate between the two forms (and a spare), so reading row after row allocates nothing.
#[derive(Debug, Default)]
struct Held {
    /// The record as bytes: what the parser reads into, and what is kept when it is not UTF-8.
    bytes: csv::ByteRecord,
    /// The record as text, when it is valid UTF-8 (then `bytes` is empty).
    text: Option<csv::StringRecord>,
    /// An empty record's buffers, to leave in `bytes` while the record is held as text.
    spare: Option<csv::ByteRecord>,
}

impl Held {
    /// The buffer to read the next record into.
    fn read_target(&mut self) -> &mut csv::ByteRecord {
        if let Some(t) = self.text.take() {
            let spare = std::mem::replace(&mut self.bytes, t.into_byte_record());
            self.spare = Some(spare);
        }
        &mut self.bytes
    }

    /// Keeps the record just read as text, when every field is valid UTF-8.
    fn settle(&mut self) {
        let spare = self.spare.take().unwrap_or_default();
        match csv::StringRecord::from_byte_record(std::mem::replace(&mut self.bytes, spare)) {
            Ok(t) => self.text = Some(t),
            Err(e) => self.spare = Some(std::mem::replace(&mut self.bytes, e.into_byte_record())),
        }
    }

    fn bytes(&self) -> &csv::ByteRecord {
        match &self.text {
            Some(t) => t.as_byte_record(),
            None => &self.bytes,
        }
    }
}

impl<R: Read> CsvRows<R> {
    /// Reads the header row. An empty input is an error naming what the header should be.
    pub fn open(path: &Path, input: R, expected_header: &str) -> Result<CsvRows<R>, IngestError> {
        let mut reader =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(LineCounter::new(input));
        let mut record = csv::ByteRecord::new();
        let got = reader.read_byte_record(&mut record).map_err(|e| csv_error(path, e))?;
        if !got || record.iter().all(|f| f.is_empty()) {
            return Err(IngestError::Empty { path: path.to_owned(), expected: expected_header.to_owned() });
        }
        let end = reader.position().byte();
        let end_line = reader.get_mut().line_of_end(end);
        if reader.get_ref().unterminated_at_eof(end) {
            return Err(IngestError::UnterminatedQuote {
                path: path.to_owned(),
                line: 1,
                lines: reader.get_ref().lines(),
            });
        }
        let mut header = Vec::with_capacity(record.len());
        for (i, field) in record.iter().enumerate() {
            let field = if i == 0 { field.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(field) } else { field };
            let text = std::str::from_utf8(field).map_err(|_| IngestError::BadHeader {
                path: path.to_owned(),
                format: "csv",
                why: format!("column {} is not valid UTF-8", i + 1),
            })?;
            header.push(text.trim().to_owned());
        }
        let produced = Produced { header_lines: end_line, ..Produced::default() };
        Ok(CsvRows {
            path: path.to_owned(),
            reader,
            header: header.into(),
            record: Held { bytes: record, ..Held::default() },
            current: None,
            line_offset: 0,
            produced,
            covered_until: end_line,
            max_record_lines: DEFAULT_MAX_RECORD_LINES,
        })
    }

    /// Rejects records that cover more physical lines than `n` (at least 1).
    pub fn set_max_record_lines(&mut self, n: u64) {
        self.max_record_lines = n.max(1);
    }

    /// What has been read so far (final once [`CsvRows::next_row`] returned `None`).
    pub fn produced(&self) -> Produced {
        let c = self.reader.get_ref();
        Produced { lines: c.lines(), blank_lines: self.produced.blank_lines + c.blank_lines, ..self.produced }
    }

    /// Reads a chunk of a file that starts on a record boundary at line `first_line`, with the
    /// header already read from the file's start.
    pub fn chunk(path: &Path, input: R, header: Arc<[String]>, first_line: u64, max_record_lines: u64) -> CsvRows<R> {
        let reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(LineCounter::new(input));
        CsvRows {
            path: path.to_owned(),
            reader,
            header,
            record: Held::default(),
            current: None,
            line_offset: first_line - 1,
            produced: Produced::default(),
            covered_until: 0,
            max_record_lines: max_record_lines.max(1),
        }
    }

    /// The header's columns, trimmed.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The next data row. Rows whose every field is empty (`,,,`) are counted as blank lines, not
    /// rows. A quoted field still open at the end of the input is an error naming the line where
    /// its record starts: everything after the stray quote would otherwise vanish into one field.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, IngestError> {
        Ok(if self.advance()? { self.row() } else { None })
    }

    /// Reads the next data row, to be had from [`CsvRows::row`]; `false` at the end of the input.
    fn advance(&mut self) -> Result<bool, IngestError> {
        self.current = None;
        loop {
            let got = self.reader.read_byte_record(self.record.read_target()).map_err(|e| csv_error(&self.path, e))?;
            if !got {
                return Ok(false);
            }
            let record = self.record.bytes();
            let end = self.reader.position().byte();
            let end_line = self.reader.get_mut().line_of_end(end);
            // The fields' bytes lie end to end in one buffer, so their line breaks are counted at once.
            let inner = memchr::memchr_iter(b'\n', record.as_slice()).count() as u64;
            let start_line = end_line - inner;
            // Lines this record covers that nothing before covered (records never overlap except on
            // a line whose breaks are lone carriage returns, which csv reads as several records).
            let new_lines = (end_line + 1).saturating_sub(start_line.max(self.covered_until + 1));
            self.covered_until = self.covered_until.max(end_line);
            if self.reader.get_ref().unterminated_at_eof(end) {
                // Everything to the end of the input is this record, so its line breaks are the
                // input's last ones (the terminator logic above does not apply to it).
                let c = self.reader.get_ref();
                let start = 1 + c.newlines - inner;
                return Err(IngestError::UnterminatedQuote {
                    path: self.path.clone(),
                    line: start + self.line_offset,
                    lines: c.lines() + 1 - start,
                });
            }
            // Every field is empty exactly when their bytes, end to end, are.
            if record.as_slice().is_empty() {
                self.produced.blank_lines += new_lines;
                continue;
            }
            self.produced.records += 1;
            self.produced.record_lines += new_lines;
            self.record.settle();
            self.current = Some((start_line + self.line_offset, end_line - start_line + 1));
            return Ok(true);
        }
    }

    /// The row [`CsvRows::advance`] read last.
    fn row(&self) -> Option<Row<'_>> {
        let (line, lines) = self.current?;
        Some(Row {
            line,
            lines,
            max_lines: self.max_record_lines,
            cells: Cells::Csv(self.record.bytes(), self.record.text.as_ref()),
            header: &self.header,
        })
    }

    /// Finds each named column (case-insensitively), or fails listing every missing one.
    pub fn require(&self, format: &'static str, names: &[&str]) -> Result<Vec<usize>, IngestError> {
        let mut found = Vec::with_capacity(names.len());
        let mut missing = Vec::new();
        for name in names {
            match self.find(name) {
                Some(i) => found.push(i),
                None => missing.push((*name).to_owned()),
            }
        }
        if !missing.is_empty() {
            return Err(IngestError::MissingColumns {
                path: self.path.clone(),
                format,
                missing,
                found: self.header.to_vec(),
            });
        }
        Ok(found)
    }

    /// The position of a column, found case-insensitively.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h.eq_ignore_ascii_case(name))
    }

    /// Fails if a column name appears twice, since a value could then be read from either.
    pub fn forbid_duplicate_columns(&self, format: &'static str) -> Result<(), IngestError> {
        for (i, h) in self.header.iter().enumerate() {
            if !h.is_empty() && self.header[..i].iter().any(|g| g.eq_ignore_ascii_case(h)) {
                return Err(IngestError::BadHeader {
                    path: self.path.clone(),
                    format,
                    why: format!("column {h:?} appears twice"),
                });
            }
        }
        Ok(())
    }
}

/// The rows of a chunk of whole records in memory (see [`crate::parallel`]), with the same rows,
/// lines, errors and [`Produced`] as [`CsvRows::chunk`] over the same bytes, found faster.
///
/// A line without a quote or a carriage return, and valid UTF-8, is one record whose fields are
/// the stretches between its commas: that is how the csv crate reads such a line (in its default
/// dialect a quote or a CR is what can make a record differ from a line), so such lines are
/// split here with a byte search. A line with either byte starts a stretch read by the csv parser
/// itself ([`CsvRows::chunk`]), up to the first record boundary after it ([`QuoteState`]), so
/// quoted fields, embedded line breaks and CR line ends are read exactly as before. Most lines of
/// a survey export have no quote, and the parser's state machine and its per-field UTF-8 checks
/// were the largest cost of an ingest.
pub(crate) struct ChunkRows<'c> {
    path: &'c Path,
    bytes: &'c [u8],
    /// Where the next line starts.
    pos: usize,
    /// The line (from 1, in the whole file) that starts at `pos`.
    line: u64,
    header: Arc<[String]>,
    max_record_lines: u64,
    /// The fields of the line last split.
    fields: Vec<&'c str>,
    /// A stretch the csv parser is reading, while it has rows.
    stretch: Option<CsvRows<std::io::Chain<&'static [u8], &'c [u8]>>>,
    /// What the lines split here and the finished stretches produced.
    produced: Produced,
}

impl<'c> ChunkRows<'c> {
    /// The rows of `bytes`, which start on a record boundary at line `first_line`.
    pub(crate) fn new(
        path: &'c Path,
        bytes: &'c [u8],
        header: Arc<[String]>,
        first_line: u64,
        max_record_lines: u64,
    ) -> ChunkRows<'c> {
        ChunkRows {
            path,
            bytes,
            pos: 0,
            line: first_line,
            header,
            max_record_lines: max_record_lines.max(1),
            fields: Vec::new(),
            stretch: None,
            produced: Produced::default(),
        }
    }

    /// What has been read so far (final once [`ChunkRows::next_row`] returned `None`).
    pub(crate) fn produced(&self) -> Produced {
        let mut p = self.produced;
        if let Some(s) = &self.stretch {
            p.merge(&s.produced());
        }
        p
    }

    /// The next data row, as [`CsvRows::next_row`] gives it.
    pub(crate) fn next_row(&mut self) -> Result<Option<Row<'_>>, IngestError> {
        loop {
            if let Some(stretch) = &mut self.stretch {
                if stretch.advance()? {
                    break;
                }
                self.produced.merge(&stretch.produced());
                self.stretch = None;
            }
            if self.pos >= self.bytes.len() {
                return Ok(None);
            }
            let rest = &self.bytes[self.pos..];
            let (len, terminated) = memchr::memchr(b'\n', rest).map_or((rest.len(), false), |k| (k, true));
            let line = &rest[..len];
            // A CR that ends the line is part of a CRLF line end, which csv reads as LF.
            let content = line.strip_suffix(b"\r").unwrap_or(line);
            let split = match (std::str::from_utf8(content), memchr::memchr2(b'"', b'\r', content)) {
                (Ok(text), None) => {
                    split_plain(text, &mut self.fields);
                    true
                }
                (Ok(text), Some(_)) if memchr::memchr(b'\r', content).is_none() => split_line(text, &mut self.fields),
                _ => false,
            };
            if !split {
                // The csv parser reads from here to a record boundary: the last one in the next
                // STRETCH_BYTES (a parser is costly to make), or the first after them.
                let window = &rest[..rest.len().min(STRETCH_BYTES)];
                let end = match crate::parallel::scan(window, &mut QuoteState::StartRecord) {
                    Some(k) => k + 1,
                    None => first_boundary(rest),
                };
                let stretch = &rest[..end];
                let first_line = self.line;
                self.line += memchr::memchr_iter(b'\n', stretch).count() as u64;
                self.pos += end;
                // The csv parser drops a UTF-8 BOM that starts its input, as it should at the start
                // of a file; in the middle of one a BOM is a character of the first field (as the
                // whole file's parser reads it), so a stretch starting with one gets a BOM more to drop.
                let bom: &'static [u8] = if stretch.starts_with(UTF8_BOM) { UTF8_BOM } else { b"" };
                self.stretch = Some(CsvRows::chunk(
                    self.path,
                    bom.chain(stretch),
                    Arc::clone(&self.header),
                    first_line,
                    self.max_record_lines,
                ));
                continue;
            }
            self.pos += len + usize::from(terminated);
            self.produced.lines += 1;
            // A record whose every field is empty is counted as blank (as is an empty line, which
            // csv skips), as [`CsvRows::next_row`] counts it.
            if self.fields.iter().all(|f| f.is_empty()) {
                self.produced.blank_lines += 1;
                self.line += 1;
                continue;
            }
            self.produced.records += 1;
            self.produced.record_lines += 1;
            self.line += 1;
            return Ok(Some(Row {
                line: self.line - 1,
                lines: 1,
                max_lines: self.max_record_lines,
                cells: Cells::Line(&self.fields),
                header: &self.header,
            }));
        }
        Ok(self.stretch.as_ref().and_then(CsvRows::row))
    }
}

/// The UTF-8 byte order mark.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// How far past a line it cannot split [`ChunkRows`] lets the csv parser read.
const STRETCH_BYTES: usize = 16 << 10;

/// Splits one line (without its line end, valid UTF-8, without CR) into `fields` as the csv crate
/// would, when it is simple: unquoted fields without quotes, and quoted fields that start right
/// after a comma (or at the start), hold no doubled quote and end with a quote followed by a comma
/// (or the line's end). Returns `false`, leaving the line to the csv parser, for anything else: a
/// doubled quote (csv unescapes it), a quote inside an unquoted field or text after a closing
/// quote (csv keeps them as they are), or a quoted field the line does not close (it holds a line
/// break).
fn split_line<'c>(text: &'c str, fields: &mut Vec<&'c str>) -> bool {
    fields.clear();
    let b = text.as_bytes();
    let mut i = 0;
    loop {
        if b.get(i) == Some(&b'"') {
            let Some(k) = memchr::memchr(b'"', &b[i + 1..]) else { return false };
            let close = i + 1 + k;
            match b.get(close + 1) {
                None | Some(b',') => {}
                Some(_) => return false,
            }
            // Quotes and commas are ASCII, so these bounds are character boundaries.
            let Some(f) = text.get(i + 1..close) else { return false };
            fields.push(f);
            if close + 1 == b.len() {
                return true;
            }
            i = close + 2;
        } else {
            let end = comma_or_end(&b[i..]) + i;
            let Some(f) = text.get(i..end) else { return false };
            if memchr::memchr(b'"', f.as_bytes()).is_some() {
                return false;
            }
            fields.push(f);
            if end == b.len() {
                return true;
            }
            i = end + 1;
        }
    }
}

/// Splits a line without quotes or CR (valid UTF-8, without its line end) at its commas.
fn split_plain<'c>(text: &'c str, fields: &mut Vec<&'c str>) {
    fields.clear();
    let mut rest = text;
    loop {
        let end = comma_or_end(rest.as_bytes());
        // A comma is ASCII, so `end` is a character boundary and `split_at_checked` succeeds.
        match rest.split_at_checked(end) {
            Some((field, tail)) => {
                fields.push(field);
                match tail.get(1..) {
                    Some(after) => rest = after,
                    None => return,
                }
            }
            None => {
                fields.push(rest);
                return;
            }
        }
    }
}

/// The offset of the first comma in `bytes`, or its length. Fields are short, so a plain loop
/// beats a vectorised search that must be set up for each field.
fn comma_or_end(bytes: &[u8]) -> usize {
    bytes.iter().position(|&c| c == b',').unwrap_or(bytes.len())
}

/// The length of the first stretch of `bytes` (which starts a record) that ends on a record
/// boundary: through the first newline outside a quoted field, or all of `bytes`.
fn first_boundary(bytes: &[u8]) -> usize {
    let mut state = QuoteState::StartRecord;
    for (i, &b) in bytes.iter().enumerate() {
        state = state.step(b);
        if b == b'\n' && state == QuoteState::StartRecord {
            return i + 1;
        }
    }
    bytes.len()
}

impl<'a> Row<'a> {
    /// A row made from a record that did not come out of a CSV file: a JSON record's attributes
    /// or a long-form row turned into the columns of the layout a reader knows (its `header`).
    /// It checks, reads and rejects as a parsed row does, naming `line` and `header`'s columns.
    pub fn of_record(
        line: u64,
        record: &'a csv::ByteRecord,
        text: &'a csv::StringRecord,
        header: &'a [String],
    ) -> Row<'a> {
        Row { line, lines: 1, max_lines: u64::MAX, cells: Cells::Csv(record, Some(text)), header }
    }
}

impl Row<'_> {
    /// Checks that the row has as many fields as the header and does not span more physical lines
    /// than allowed. A row-level rejection never carries the row's text (it may hold anything a
    /// respondent typed): its `raw` is a hash of the row, so the row can still be found.
    pub fn check_width(&self) -> Result<(), Rejection> {
        if self.lines > self.max_lines {
            return Err(Rejection {
                line: self.line,
                field: None,
                raw: self.fingerprint(),
                reason: RejectReason::RecordTooLong.into(),
                detail: format!(
                    "the record covers lines {}-{} ({} lines, more than the limit of {}): an unbalanced quote \
                     probably swallowed the rows on those lines; fix the quote and ingest the file again",
                    self.line,
                    self.line + self.lines - 1,
                    self.lines,
                    self.max_lines
                ),
            });
        }
        if self.cells.len() == self.header.len() {
            return Ok(());
        }
        Err(Rejection {
            line: self.line,
            field: None,
            raw: self.fingerprint(),
            reason: RejectReason::WrongFieldCount.into(),
            detail: format!("expected {} fields as in the header, found {}", self.header.len(), self.cells.len()),
        })
    }

    /// `sha256:` and the first 16 hex digits of the row's fields' SHA-256: identifies the row
    /// without repeating its text.
    pub fn fingerprint(&self) -> String {
        use sha2::Digest as _;
        let mut h = sha2::Sha256::new();
        for i in 0..self.cells.len() {
            if i > 0 {
                h.update(b",");
            }
            h.update(self.cells.bytes(i).unwrap_or_default());
        }
        crate::reconcile::short_hash(&h.finalize())
    }

    /// Field `i` as text, trimmed. Invalid UTF-8 is a rejection naming the column.
    #[inline]
    pub fn get(&self, i: usize) -> Result<&str, Rejection> {
        if let Cells::Line(fields) = self.cells {
            return Ok(trim(fields.get(i).copied().unwrap_or_default()));
        }
        self.get_untrimmed(i).map(trim)
    }

    /// Field `i` exactly as written, surrounding whitespace included: for free text that is
    /// carried back to the system it came from (Touchpoints' `operational_metrics`, question texts).
    #[inline]
    pub fn get_untrimmed(&self, i: usize) -> Result<&str, Rejection> {
        match self.cells.text(i) {
            None => Ok(""),
            Some(Ok(s)) => Ok(s),
            Some(Err(e)) => Err(self.not_utf8(i, e)),
        }
    }

    /// The rejection of field `i`, which is not UTF-8: out of line, so that reading a good field
    /// stays small enough to inline.
    #[cold]
    #[inline(never)]
    fn not_utf8(&self, i: usize, e: std::str::Utf8Error) -> Rejection {
        Rejection {
            line: self.line,
            field: Some(self.header.get(i).cloned().unwrap_or_default()),
            raw: clip(&String::from_utf8_lossy(self.cells.bytes(i).unwrap_or_default())),
            reason: RejectReason::InvalidUtf8.into(),
            detail: format!("field is not valid UTF-8 (bad byte at offset {})", e.valid_up_to()),
        }
    }

    /// Field `i` as free text for storing: empty (or the text `null`, as Touchpoints writes an
    /// absent answer) is `None`; personal data is redacted and counted by kind in `redactions`. A
    /// comment that is not valid UTF-8 is replaced whole by a placeholder and counted as
    /// `invalid_utf8_comment`: the response's answers are still good, and a half-decoded comment
    /// could hide personal data from the redaction patterns.
    pub fn free_text(
        &self,
        i: usize,
        redactions: &mut std::collections::BTreeMap<&'static str, u64>,
    ) -> Option<String> {
        let Ok(text) = self.cells.text(i).unwrap_or(Ok("")) else {
            *redactions.entry("invalid_utf8_comment").or_default() += 1;
            return Some(INVALID_COMMENT.to_owned());
        };
        let text = text.trim();
        if text.is_empty() || text.eq_ignore_ascii_case("null") {
            return None;
        }
        let red = crate::redact::redact(text);
        for (k, n) in red.counts {
            *redactions.entry(k).or_default() += n;
        }
        Some(red.text)
    }

    /// Field `i` as a count: `None` when empty; a rejection when it is not a whole number, or when
    /// it is above [`fedcx_model::MAX_COUNT`] (it would overflow sums and the store's integers).
    pub fn count(&self, i: usize) -> Result<Option<u64>, Rejection> {
        let t = self.get(i)?;
        if t.is_empty() {
            return Ok(None);
        }
        let n: u64 =
            t.parse().map_err(|_| self.reject(i, RejectReason::BadCount, "expected a whole number, 0 or more"))?;
        if n > fedcx_model::MAX_COUNT {
            return Err(self.reject(
                i,
                RejectReason::CountTooLarge,
                format!("{n} is above {}, the largest count fedcx accepts", fedcx_model::MAX_COUNT),
            ));
        }
        Ok(Some(n))
    }

    /// A rejection of field `i` for `reason`.
    pub fn reject(&self, i: usize, reason: impl Into<fedcx_model::Refusal>, detail: impl Into<String>) -> Rejection {
        let raw = self.cells.bytes(i).map(String::from_utf8_lossy).unwrap_or_default();
        Rejection {
            line: self.line,
            field: Some(self.header.get(i).cloned().unwrap_or_default()),
            raw: clip(&raw),
            reason: reason.into(),
            detail: detail.into(),
        }
    }

    /// The header's name for column `i` (empty past the header's end).
    pub fn column_name(&self, i: usize) -> &str {
        self.header.get(i).map_or("", String::as_str)
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether the row has no fields.
    pub fn is_empty(&self) -> bool {
        self.cells.len() == 0
    }
}

/// Reads a CSV whose lines end with a lone CR, as Excel's "CSV (Macintosh)" writes them, as if
/// they ended with LF; every other byte (CRLFs and LFs included) passes through unchanged. Any lone
/// CR becomes an LF, wherever it is in the file (an LF header with CR rows too). The csv parser reads both
/// as the end of a record, so the rows are the same; what changes is that lines are counted (line
/// numbers in messages, the line account) and large files cut into chunks at LFs, and that a line
/// break inside a quoted field comes out as an LF.
pub(crate) struct LoneCrAsLf<R> {
    inner: R,
    /// Bytes read from `inner` and not yet handed out; `start` is the next to hand out.
    buf: Vec<u8>,
    start: usize,
    eof: bool,
}

impl<R: Read> LoneCrAsLf<R> {
    /// Wraps `inner`.
    pub(crate) fn new(inner: R) -> LoneCrAsLf<R> {
        LoneCrAsLf { inner, buf: Vec::new(), start: 0, eof: false }
    }

    /// Reads more from `inner` after what is left in the buffer; sets `eof` at its end.
    fn fill(&mut self) -> std::io::Result<()> {
        self.buf.drain(..self.start);
        self.start = 0;
        let old = self.buf.len();
        self.buf.resize(old + (64 << 10), 0);
        let n = loop {
            match self.inner.read(&mut self.buf[old..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(e);
                }
            }
        };
        self.buf.truncate(old + n);
        self.eof = n == 0;
        Ok(())
    }
}

impl<R: Read> Read for LoneCrAsLf<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        // Every lone CR is translated, wherever it is: an LF header followed by CR rows (a file
        // edited on two systems) would otherwise have its rows' lines go uncounted, and a quote
        // opened in one row could swallow hundreds of them past `max_record_lines` unseen.
        // A CR at the end of what was read needs the next byte to tell a CRLF from a lone CR,
        // so it waits for the next read.
        let end = loop {
            let end = match self.buf.last() {
                Some(b'\r') if !self.eof => self.buf.len() - 1,
                _ => self.buf.len(),
            };
            if self.start < end || self.eof {
                break end;
            }
            self.fill()?;
        };
        let n = out.len().min(end - self.start);
        out[..n].copy_from_slice(&self.buf[self.start..self.start + n]);
        for i in memchr::memchr_iter(b'\r', &self.buf[self.start..self.start + n]) {
            if self.buf.get(self.start + i + 1) != Some(&b'\n') {
                out[i] = b'\n';
            }
        }
        self.start += n;
        Ok(n)
    }
}

/// Counts the newlines that pass through it, so a row's line can be told from its byte offset.
/// The csv crate's own record positions point into the previous row's terminator and differ between
/// CRLF and LF files, so fedcx does not use them.
///
/// It also follows the quoting as the csv crate reads it (`QuoteState`), to count blank lines
/// and to tell whether the input ended inside a quoted field.
#[derive(Debug)]
pub struct LineCounter<R> {
    inner: R,
    offset: u64,
    /// Offsets of newlines read but not yet passed by a query, oldest first.
    pending: std::collections::VecDeque<u64>,
    /// Newlines before the front of `pending`.
    counted: u64,
    /// Every newline read.
    newlines: u64,
    state: QuoteState,
    /// Whether the current physical line has a byte other than `\r` outside a quoted field.
    line_has_content: bool,
    /// Whether the last byte read was a newline (or nothing was read).
    at_line_start: bool,
    /// Empty lines between records, which the csv crate skips without a record.
    blank_lines: u64,
    /// Set at the end of the input: whether it ended inside a quoted field.
    eof_in_quotes: Option<bool>,
}

impl<R> LineCounter<R> {
    fn new(inner: R) -> LineCounter<R> {
        LineCounter {
            inner,
            offset: 0,
            pending: std::collections::VecDeque::new(),
            counted: 0,
            newlines: 0,
            state: QuoteState::StartRecord,
            line_has_content: false,
            at_line_start: true,
            blank_lines: 0,
            eof_in_quotes: None,
        }
    }

    /// Physical lines: newlines, plus a last line without one.
    fn lines(&self) -> u64 {
        self.newlines + u64::from(!self.at_line_start)
    }

    /// Whether a record ending at byte `end` is the input's last and ends inside a quoted field.
    fn unterminated_at_eof(&self, end: u64) -> bool {
        self.eof_in_quotes == Some(true) && end >= self.offset
    }

    /// The line (from 1) on which a record whose bytes end just before `end` ends. A newline at
    /// `end - 1` is the record's own terminator, already consumed, and does not start a new line.
    fn line_of_end(&mut self, end: u64) -> u64 {
        let mut last = None;
        while let Some(&o) = self.pending.front() {
            if o >= end {
                break;
            }
            self.pending.pop_front();
            self.counted += 1;
            last = Some(o);
        }
        let terminator_consumed = end > 0 && last == Some(end - 1);
        1 + self.counted - u64::from(terminator_consumed)
    }
}

impl<R> LineCounter<R> {
    /// Accounts for one byte at `offset`.
    #[inline]
    fn step(&mut self, b: u8, offset: u64) {
        let before = self.state;
        self.state = before.step(b);
        if b == b'\n' {
            self.pending.push_back(offset);
            self.newlines += 1;
            if before == QuoteState::StartRecord && !self.line_has_content {
                self.blank_lines += 1;
            }
            self.line_has_content = false;
            self.at_line_start = true;
        } else {
            self.at_line_start = false;
            if b != b'\r' {
                self.line_has_content = true;
            }
        }
    }

    /// Accounts for a non-empty stretch of bytes holding no quote and no carriage return, starting
    /// at `offset`: as [`LineCounter::step`] on each byte would, with `memchr` for the newlines.
    /// Inside a quoted field nothing changes the state and no line is blank; outside one, a byte
    /// moves to a state that depends on that byte alone, and a line is blank only when its
    /// newline follows another newline (or starts the stretch on a blank line at a record's start).
    fn plain(&mut self, bytes: &[u8], offset: u64) {
        let quoted = self.state == QuoteState::InQuoted;
        for p in memchr::memchr_iter(b'\n', bytes) {
            self.pending.push_back(offset + p as u64);
            self.newlines += 1;
            let blank = !quoted
                && if p == 0 {
                    self.state == QuoteState::StartRecord && !self.line_has_content
                } else {
                    bytes[p - 1] == b'\n'
                };
            if blank {
                self.blank_lines += 1;
            }
        }
        let last = bytes[bytes.len() - 1];
        if !quoted {
            self.state = QuoteState::InField.step(last);
        }
        self.at_line_start = last == b'\n';
        self.line_has_content = last != b'\n';
    }
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = self.inner.read(buf)?;
        // The csv crate reads nothing at all from an input whose first read gives exactly a UTF-8
        // BOM (3 bytes), as a pipe or a chain of readers may: the first read is topped up to more.
        if self.offset == 0 {
            while n > 0 && n <= UTF8_BOM.len() && n < buf.len() {
                match self.inner.read(&mut buf[n..]) {
                    Ok(0) => break,
                    Ok(m) => n += m,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        }
        if n == 0 && !buf.is_empty() && self.eof_in_quotes.is_none() {
            // A last line of carriage returns only, outside any record, is blank too.
            if !self.at_line_start && !self.line_has_content && self.state == QuoteState::StartRecord {
                self.blank_lines += 1;
            }
            self.eof_in_quotes = Some(self.state.in_quotes());
        }
        let bytes = &buf[..n];
        let mut i = 0;
        while i < n {
            // Stretches without quotes or carriage returns are taken whole; those two bytes, one
            // at a time. The result is the same as stepping every byte (property-tested).
            let special = memchr::memchr2(b'"', b'\r', &bytes[i..]).map_or(n, |k| i + k);
            if special > i {
                self.plain(&bytes[i..special], self.offset + i as u64);
                i = special;
            }
            if i < n {
                self.step(bytes[i], self.offset + i as u64);
                i += 1;
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// Where the csv crate's reader is within quoting, byte by byte, for its default dialect (`,`
/// delimiter, `"` quote doubled to escape, CR, LF or CRLF ending a record, empty lines skipped).
/// The parallel splitter cuts records and the line counter finds unterminated quotes with it, so
/// both agree with the parser exactly; a plain quote-parity count does not (a quote inside an
/// unquoted field, as in `5" tall`, is a literal character to csv).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum QuoteState {
    /// Before a record's first byte (empty lines are skipped here).
    #[default]
    StartRecord,
    /// After a delimiter.
    StartField,
    /// Inside an unquoted field.
    InField,
    /// Inside a quoted field.
    InQuoted,
    /// A quote inside a quoted field: it closes the field or, doubled, escapes a quote.
    QuoteInQuoted,
}

impl QuoteState {
    /// The state after byte `b`.
    #[inline]
    pub(crate) fn step(self, b: u8) -> QuoteState {
        use QuoteState::*;
        match (self, b) {
            (InQuoted, b'"') => QuoteInQuoted,
            (InQuoted, _) => InQuoted,
            (QuoteInQuoted, b'"') => InQuoted,
            (_, b'\n' | b'\r') => StartRecord,
            (StartRecord | StartField, b'"') => InQuoted,
            (_, b',') => StartField,
            (_, _) => InField,
        }
    }

    /// Whether a line break here is part of a field rather than the end of a record.
    pub(crate) fn in_quotes(self) -> bool {
        self == QuoteState::InQuoted
    }
}

/// A source that can say what it read, counted independently of how it classified each record.
pub trait Counted {
    /// What was read so far (final at the end of the input).
    fn produced(&self) -> Produced;

    /// Rejects records covering more than `n` physical lines, for sources that read CSV.
    fn limit_record_lines(&mut self, n: u64) {
        let _ = n;
    }
}

/// What a CSV input held, counted where records come out of the parser and lines out of the bytes,
/// independently of how each record was then classified.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Produced {
    /// Data records (rows) the parser produced.
    pub records: u64,
    /// Physical lines in the input, from its bytes.
    pub lines: u64,
    /// Lines of the header.
    pub header_lines: u64,
    /// Empty lines, and lines of records with no value at all.
    pub blank_lines: u64,
    /// Lines covered by data records (a record with a two-line comment covers two).
    pub record_lines: u64,
}

impl Produced {
    /// Hands `read` and the line account to a reconciliation, apart from its classification.
    pub fn record_into(&self, rec: &mut fedcx_model::Reconciliation) {
        let lines = fedcx_model::LineAccount {
            physical: self.lines,
            header: self.header_lines,
            blank: self.blank_lines,
            in_rows: self.record_lines,
        };
        rec.set_read(self.records, lines);
    }

    /// Whether every physical line is the header's, blank, or a record's.
    pub fn lines_balance(&self) -> bool {
        self.lines == self.header_lines + self.blank_lines + self.record_lines
    }

    /// Adds the counts of another part of the same input.
    pub fn merge(&mut self, other: &Produced) {
        self.records += other.records;
        self.lines += other.lines;
        self.header_lines += other.header_lines;
        self.blank_lines += other.blank_lines;
        self.record_lines += other.record_lines;
    }
}

fn csv_error(path: &Path, e: csv::Error) -> IngestError {
    match e.into_kind() {
        csv::ErrorKind::Io(source) => IngestError::Io { path: path.to_owned(), source },
        other => IngestError::Io { path: path.to_owned(), source: std::io::Error::other(format!("{other:?}")) },
    }
}

#[cfg(test)]
mod line_counter_tests {
    use super::*;
    use proptest::prelude::*;

    /// What the counter knows after reading `bytes` in reads of `chunk` bytes, by `read` or, as
    /// the reference, by stepping every byte.
    fn counted(bytes: &[u8], chunk: usize, bytewise: bool) -> (Vec<u64>, u64, u64, QuoteState, bool, bool) {
        let mut buf = vec![0u8; chunk];
        let mut c = LineCounter::new(if bytewise { &[][..] } else { bytes });
        if bytewise {
            for (i, &b) in bytes.iter().enumerate() {
                c.step(b, i as u64);
            }
        }
        // Reads to the end (all of the input, or only its end for the reference).
        while c.read(&mut buf).unwrap() > 0 {}
        let pending: Vec<u64> = c.pending.iter().copied().collect();
        (pending, c.newlines, c.blank_lines, c.state, c.line_has_content, c.at_line_start)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Taking stretches without quotes or carriage returns whole counts the same lines, blank
        /// lines and quoting state as stepping every byte, however the input is cut into reads.
        #[test]
        fn stretches_count_like_single_bytes(
            bytes in prop::collection::vec(prop::sample::select(vec![b'a', b',', b'"', b'\n', b'\r', b' ']), 0..200),
            chunk in 1usize..50,
        ) {
            let fast = counted(&bytes, chunk, false);
            let slow = counted(&bytes, chunk, true);
            prop_assert_eq!(fast, slow);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(input: &[u8]) -> Vec<(u64, Result<Vec<String>, String>)> {
        let mut r = CsvRows::open(Path::new("t.csv"), input, "a,b").unwrap();
        let mut out = Vec::new();
        while let Some(row) = r.next_row().unwrap() {
            let fields = row
                .check_width()
                .and_then(|_| (0..row.len()).map(|i| row.get(i).map(str::to_owned)).collect::<Result<Vec<_>, _>>())
                .map_err(|rej| rej.reason.code().to_owned());
            out.push((row.line, fields));
        }
        out
    }

    #[test]
    fn bom_crlf_embedded_newlines_and_blank_trailing_lines() {
        let input = b"\xEF\xBB\xBFa,b\r\n1,\"two\r\nlines\"\r\n3,4\r\n\r\n\r\n";
        let r = CsvRows::open(Path::new("t.csv"), &input[..], "a,b").unwrap();
        assert_eq!(r.header(), ["a", "b"]);
        assert_eq!(
            rows(input),
            [(2, Ok(vec!["1".into(), "two\r\nlines".into()])), (4, Ok(vec!["3".into(), "4".into()]))]
        );
    }

    #[test]
    fn line_numbers_with_blank_lines_and_lf_endings() {
        let got: Vec<u64> = rows(b"a,b\n\n\n5,6\n7,8").into_iter().map(|r| r.0).collect();
        assert_eq!(got, [4, 5]);
        let got: Vec<u64> = rows(b"a,b\n1,2\n\n3,\"x\ny\"\n5,6\n").into_iter().map(|r| r.0).collect();
        assert_eq!(got, [2, 4, 6]);
        let got: Vec<u64> = rows(b"a,b\r\n\r\n1,2\r\n3,4").into_iter().map(|r| r.0).collect();
        assert_eq!(got, [3, 4]);
    }

    #[test]
    fn bad_width_and_bad_utf8_reject_one_row_only() {
        let input = b"a,b\n1\n1,2,3\n\xFF,2\n5,6\n";
        let got: Vec<(u64, Result<Vec<String>, String>)> = rows(input);
        assert_eq!(got[0], (2, Err("wrong_field_count".into())));
        assert_eq!(got[1], (3, Err("wrong_field_count".into())));
        assert_eq!(got[2], (4, Err("invalid_utf8".into())));
        assert_eq!(got[3], (5, Ok(vec!["5".into(), "6".into()])));
    }

    #[test]
    fn empty_input_is_a_clear_error() {
        let err = CsvRows::open(Path::new("e.csv"), &b""[..], "a,b").unwrap_err().to_string();
        assert_eq!(err, "e.csv: the file is empty (expected a header row: a,b)");
        assert!(CsvRows::open(Path::new("e.csv"), &b"\n\n"[..], "a,b").is_err());
    }

    #[test]
    fn missing_columns_are_all_named() {
        let r = CsvRows::open(Path::new("m.csv"), &b"a,c\n"[..], "a,b").unwrap();
        let err = r.require("test", &["a", "b", "d"]).unwrap_err().to_string();
        assert_eq!(err, "m.csv: the header lacks required column(s) b, d for format test (header has: a, c)");
    }
}

/// An answer cell as a whole number: `5`, or `5.0` as spreadsheets re-save whole numbers. The one
/// reading of answer codes every reader shares (Touchpoints uploads and mapped exports alike), so
/// the same cell never means a number to one reader and an error to another.
#[inline]
pub fn whole_number(text: &str) -> Option<i64> {
    // One digit is by far the most common answer cell: read without the general parser.
    if let [d @ b'0'..=b'9'] = text.as_bytes() {
        return Some(i64::from(d - b'0'));
    }
    let t = trim(text);
    t.parse::<i64>().ok().or_else(|| t.strip_suffix(".0").and_then(|w| w.parse::<i64>().ok()))
}

/// `str::trim`, answered at once when the text neither starts nor ends with whitespace, as almost
/// every cell does: an ASCII byte that is not whitespace at each end is a character that is not
/// whitespace, so `str::trim` would return the text unchanged.
#[inline]
pub(crate) fn trim(text: &str) -> &str {
    // The ASCII characters with Unicode's White_Space property: tab, LF, VT, FF, CR and space.
    let plain = |b: u8| b.is_ascii() && !matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ');
    match text.as_bytes() {
        [] => text,
        [first, .., last] if plain(*first) && plain(*last) => text,
        [only] if plain(*only) => text,
        _ => text.trim(),
    }
}

#[cfg(test)]
mod whole_number_tests {
    use super::whole_number;

    #[test]
    fn whole_numbers_as_written_and_as_spreadsheets_resave_them() {
        assert_eq!(whole_number("5"), Some(5));
        assert_eq!(whole_number(" 5.0 "), Some(5));
        assert_eq!(whole_number("0"), Some(0));
        assert_eq!(whole_number("4.5"), None);
        assert_eq!(whole_number("5.00"), None);
        assert_eq!(whole_number(""), None);
        assert_eq!(whole_number("null"), None);
    }
}

#[cfg(test)]
mod chunk_rows_tests {
    use super::*;
    use proptest::prelude::*;

    /// What a reader gives, row by row, in a form to compare: each row's line, lines and fields
    /// (text, or the rejection's reason and detail), then the error or the end, and what was produced.
    fn rows_of(bytes: &[u8], fast: bool) -> (Vec<String>, String, Produced) {
        let header: Arc<[String]> = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()].into();
        let path = Path::new("t.csv");
        let mut out = Vec::new();
        let show = |row: &Row<'_>| {
            let cells: Vec<String> = (0..row.len() + 1)
                .map(|i| match row.get_untrimmed(i) {
                    Ok(t) => format!("{t:?}"),
                    Err(r) => format!("<{} {} {}>", r.reason.code(), r.detail, r.raw),
                })
                .collect();
            format!(
                "line {} lines {} width {:?} {}",
                row.line,
                row.lines,
                row.check_width().err().map(|r| r.detail),
                cells.join("|")
            )
        };
        // The two readers lend rows the same way but share no trait, so one loop serves both.
        macro_rules! drain {
            ($rows:expr) => {{
                let mut rows = $rows;
                let end = loop {
                    match rows.next_row() {
                        Ok(Some(row)) => out.push(show(&row)),
                        Ok(None) => break "end".to_owned(),
                        Err(e) => break e.to_string(),
                    }
                };
                (out, end, rows.produced())
            }};
        }
        if fast {
            drain!(ChunkRows::new(path, bytes, header, 7, 3))
        } else {
            // A chunk is the middle of a file, where a BOM is a character: the parser, which drops
            // one that starts its input, is given one more.
            let bom: &[u8] = if bytes.starts_with(UTF8_BOM) { UTF8_BOM } else { b"" };
            drain!(CsvRows::chunk(path, bom.chain(bytes), header, 7, 3))
        }
    }

    #[test]
    fn lines_it_splits_itself_read_as_the_csv_parser_reads_them() {
        let cases: &[&[u8]] = &[
            b"1,2,3\n4,5,6\n",
            b"1,2,3\r\n4,5,6\r\n",
            b"1,2,\"three, with a comma\"\n\"x\",,\n",
            b"1,2,\"two\nlines\"\n4,5,6",
            b"1,\"a \"\"quote\"\"\",3\n",
            b"1,5\" tall,3\n",
            b"1,\"ab\"cd,3\n",
            b"\n\n,,\n\"\",\"\",\"\"\n1,2,3\n",
            b"1,2\r3,4\n",
            b"1,2,\xff\n1,\xc3\xa9,3\n",
            b"1,\"open\n\n\n\n\n",
            b"1,2,3\n\xEF\xBB\xBF1,\"a\"\"b\",3\n\xEF\xBB\xBF4,5,6\n",
            b"\xEF\xBB\xBF1,2,3\n",
            b"\xEF\xBB\xBF1,\"a\"\"b\",3\n",
        ];
        for bytes in cases {
            assert_eq!(rows_of(bytes, true), rows_of(bytes, false), "{:?}", String::from_utf8_lossy(bytes));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The fast reader gives the same rows, fields, errors and line account as the csv
        /// parser on any bytes, quotes, CRs and bad UTF-8 included.
        #[test]
        fn chunk_rows_equal_the_csv_parser(
            tokens in prop::collection::vec(
                prop::sample::select(vec![
                    &b"a"[..], b"1", b",", b",", b"\"", b"\n", b"\n", b"\r", b" ", b"\t", b"\0", b"\xc3\xa9",
                    b"\xff", b"\xEF\xBB\xBF",
                ]),
                0..120,
            ),
        ) {
            let bytes = tokens.concat();
            prop_assert_eq!(rows_of(&bytes, true), rows_of(&bytes, false));
        }
    }
}

/// For tests: gives its bytes `.1` at a time, as a pipe or a chain of readers may.
#[cfg(test)]
struct Trickle<'a>(&'a [u8], usize);

#[cfg(test)]
impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.1.min(out.len()).min(self.0.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

#[cfg(test)]
mod lone_cr_tests {
    use super::*;
    use proptest::prelude::*;

    /// The reference: the whole input at once.
    fn reference(bytes: &[u8]) -> Vec<u8> {
        (0..bytes.len())
            .map(|i| if bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n') { b'\n' } else { bytes[i] })
            .collect()
    }

    fn through(bytes: &[u8], feed: usize, take: usize) -> Vec<u8> {
        let mut r = LoneCrAsLf::new(Trickle(bytes, feed.max(1)));
        let mut out = Vec::new();
        let mut buf = vec![0u8; take.max(1)];
        loop {
            let n = r.read(&mut buf).unwrap();
            if n == 0 {
                return out;
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    #[test]
    fn mac_lines_become_lf_and_others_pass_unchanged() {
        assert_eq!(through(b"a,b\rc,d\r", 3, 2), b"a,b\nc,d\n");
        // A lone CR after CRLF or LF lines is a line end too (issue 21: CR rows after an LF header).
        assert_eq!(through(b"a,b\r\nc,d\re\r\n", 1, 1), b"a,b\r\nc,d\ne\r\n");
        assert_eq!(through(b"a,b\nc\rd\n", 64, 64), b"a,b\nc\nd\n");
        assert_eq!(through(b"a,b\r\nc,d\r\n", 1, 3), b"a,b\r\nc,d\r\n", "CRLF passes unchanged");
        assert_eq!(through(b"a,b\r\"x\ry\"\r\n", 2, 5), b"a,b\n\"x\ny\"\r\n");
        assert_eq!(through(b"no line end", 4, 4), b"no line end");
        assert_eq!(through(b"a\r", 1, 1), b"a\n");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Read in any pieces, the output is the whole input turned at once.
        #[test]
        fn any_pieces_give_the_whole_input_turned_at_once(
            bytes in prop::collection::vec(prop::sample::select(vec![b'a', b',', b'"', b'\r', b'\n']), 0..200),
            feed in 1usize..9,
            take in 1usize..9,
        ) {
            prop_assert_eq!(through(&bytes, feed, take), reference(&bytes));
        }
    }
}

#[cfg(test)]
mod short_first_read_tests {
    use super::*;

    /// The csv crate alone reads no record from a BOM file whose first read is the 3-byte BOM;
    /// through `LineCounter` every read size gives both rows.
    #[test]
    fn a_first_read_of_just_the_bom_loses_no_row() {
        let input = &b"\xEF\xBB\xBFa,b\n1,2\n3,4\n"[..];
        let plain = |k| {
            let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(Trickle(input, k));
            let mut rec = csv::ByteRecord::new();
            let mut n = 0;
            while r.read_byte_record(&mut rec).unwrap() {
                n += 1;
            }
            n
        };
        assert_eq!(plain(3), 0, "the csv crate's behaviour this guards against has changed");
        for k in 1..8 {
            let mut rows = CsvRows::open(Path::new("t.csv"), Trickle(input, k), "a,b").unwrap();
            assert_eq!(rows.header(), ["a", "b"], "read size {k}");
            let mut got = Vec::new();
            while let Some(row) = rows.next_row().unwrap() {
                got.push((row.line, row.get(0).unwrap().to_owned()));
            }
            assert_eq!(got, [(2, "1".to_owned()), (3, "3".to_owned())], "read size {k}");
        }
    }
}
