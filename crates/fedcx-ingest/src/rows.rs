//! Reading CSV rows with what every CSV format here needs: the line each row starts on, a UTF-8 BOM
//! removed, a field count checked against the header, and fields checked for UTF-8 one by one, so a
//! bad byte rejects one row instead of failing the file.

use std::io::Read;
use std::path::{Path, PathBuf};

use fedcx_model::traits::Rejection;

use crate::error::IngestError;
use crate::reconcile::{clip, reason};

/// A CSV file being read row by row.
#[derive(Debug)]
pub struct CsvRows<R: Read> {
    path: PathBuf,
    reader: csv::Reader<LineCounter<R>>,
    header: Vec<String>,
    record: csv::ByteRecord,
    /// Lines before the input's first byte (non-zero for a chunk cut from the middle of a file).
    line_offset: u64,
}

/// One data row, borrowed from the reader until the next call.
#[derive(Debug)]
pub struct Row<'a> {
    /// The line the row starts on, from 1 (the header is line 1).
    pub line: u64,
    record: &'a csv::ByteRecord,
    header: &'a [String],
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
        Ok(CsvRows { path: path.to_owned(), reader, header, record, line_offset: 0 })
    }

    /// Reads a chunk of a file that starts on a record boundary at line `first_line`, with the
    /// header already read from the file's start.
    pub fn chunk(path: &Path, input: R, header: Vec<String>, first_line: u64) -> CsvRows<R> {
        let reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(LineCounter::new(input));
        CsvRows { path: path.to_owned(), reader, header, record: csv::ByteRecord::new(), line_offset: first_line - 1 }
    }

    /// The header's columns, trimmed.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next data row. Rows whose every field is empty (blank lines) are skipped, not counted.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, IngestError> {
        loop {
            let got = self.reader.read_byte_record(&mut self.record).map_err(|e| csv_error(&self.path, e))?;
            if !got {
                return Ok(None);
            }
            if self.record.iter().all(|f| f.is_empty()) {
                continue;
            }
            let end = self.reader.position().byte();
            let end_line = self.reader.get_mut().line_of_end(end);
            let inner: u64 = self.record.iter().map(|f| f.iter().filter(|&&b| b == b'\n').count() as u64).sum();
            let line = end_line - inner + self.line_offset;
            return Ok(Some(Row { line, record: &self.record, header: &self.header }));
        }
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
                found: self.header.clone(),
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

impl Row<'_> {
    /// Checks that the row has as many fields as the header.
    pub fn check_width(&self) -> Result<(), Rejection> {
        if self.record.len() == self.header.len() {
            return Ok(());
        }
        let raw: Vec<String> = self.record.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
        Err(Rejection {
            line: self.line,
            field: None,
            raw: clip(&raw.join(",")),
            reason: reason::WRONG_FIELD_COUNT,
            detail: format!("expected {} fields as in the header, found {}", self.header.len(), self.record.len()),
        })
    }

    /// Field `i` as text, trimmed. Invalid UTF-8 is a rejection naming the column.
    pub fn get(&self, i: usize) -> Result<&str, Rejection> {
        let bytes = self.record.get(i).unwrap_or_default();
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.trim()),
            Err(e) => Err(Rejection {
                line: self.line,
                field: Some(self.header.get(i).cloned().unwrap_or_default()),
                raw: clip(&String::from_utf8_lossy(bytes)),
                reason: reason::INVALID_UTF8,
                detail: format!("field is not valid UTF-8 (bad byte at offset {})", e.valid_up_to()),
            }),
        }
    }

    /// A rejection of field `i` for `reason`.
    pub fn reject(&self, i: usize, reason: &'static str, detail: impl Into<String>) -> Rejection {
        let raw = self.record.get(i).map(String::from_utf8_lossy).unwrap_or_default();
        Rejection {
            line: self.line,
            field: Some(self.header.get(i).cloned().unwrap_or_default()),
            raw: clip(&raw),
            reason,
            detail: detail.into(),
        }
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.record.len()
    }

    /// Whether the row has no fields.
    pub fn is_empty(&self) -> bool {
        self.record.is_empty()
    }
}

/// Counts the newlines that pass through it, so a row's line can be told from its byte offset.
/// The csv crate's own record positions point into the previous row's terminator and differ between
/// CRLF and LF files, so fedcx does not use them.
#[derive(Debug)]
pub struct LineCounter<R> {
    inner: R,
    offset: u64,
    /// Offsets of newlines read but not yet passed by a query, oldest first.
    pending: std::collections::VecDeque<u64>,
    /// Newlines before the front of `pending`.
    counted: u64,
}

impl<R> LineCounter<R> {
    fn new(inner: R) -> LineCounter<R> {
        LineCounter { inner, offset: 0, pending: std::collections::VecDeque::new(), counted: 0 }
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

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (i, &b) in buf[..n].iter().enumerate() {
            if b == b'\n' {
                self.pending.push_back(self.offset + i as u64);
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

fn csv_error(path: &Path, e: csv::Error) -> IngestError {
    match e.into_kind() {
        csv::ErrorKind::Io(source) => IngestError::Io { path: path.to_owned(), source },
        other => IngestError::Io { path: path.to_owned(), source: std::io::Error::other(format!("{other:?}")) },
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
                .map_err(|rej| rej.reason.to_owned());
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
