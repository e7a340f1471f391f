//! Numeric tables for model estimation: named columns of numbers, read from CSV.
//!
//! Only the columns asked for are read; the rest are ignored. A cell that is empty, `NA`, `n/a` or
//! `null` is missing (estimators decide what to do with missing values). Any other cell that is not
//! a number is an error naming the file, line and column: a model must not be fitted on data that
//! was silently altered.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use crate::error::IngestError;
use crate::rows::CsvRows;

/// Named columns of numbers; `None` marks a missing value.
pub type NumericColumns = BTreeMap<String, Vec<Option<f64>>>;

/// Reads the `wanted` columns of a CSV as numbers.
pub fn read_numeric_columns<R: Read>(path: &Path, input: R, wanted: &[&str]) -> Result<NumericColumns, IngestError> {
    let mut rows = CsvRows::open(path, input, &wanted.join(","))?;
    rows.forbid_duplicate_columns("numeric table")?;
    let positions = rows.require("numeric table", wanted)?;
    let mut out: NumericColumns = wanted.iter().map(|w| ((*w).to_owned(), Vec::new())).collect();
    while let Some(row) = rows.next_row()? {
        let bad = |r: fedcx_model::traits::Rejection| IngestError::RejectedRow {
            path: path.to_owned(),
            line: row.line,
            field: r.field,
            reason: r.reason,
            detail: r.detail,
        };
        row.check_width().map_err(bad)?;
        for (name, &i) in wanted.iter().zip(&positions) {
            let text = row.get(i).map_err(bad)?;
            let value = if is_missing(text) {
                None
            } else {
                Some(text.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| IngestError::NotNumeric {
                    path: path.to_owned(),
                    line: row.line,
                    column: (*name).to_owned(),
                    value: text.to_owned(),
                })?)
            };
            out.get_mut(*name).expect("every wanted column has an entry").push(value);
        }
    }
    Ok(out)
}

fn is_missing(text: &str) -> bool {
    text.is_empty() || ["na", "n/a", "null", "nan"].iter().any(|m| text.eq_ignore_ascii_case(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wanted_columns_with_missing_values() {
        let data = b"id,a,b,c\n1,1.5,NA,x\n2,,3,y\n";
        let cols = read_numeric_columns(Path::new("t.csv"), &data[..], &["a", "b"]).unwrap();
        assert_eq!(cols["a"], [Some(1.5), None]);
        assert_eq!(cols["b"], [None, Some(3.0)]);
        assert!(!cols.contains_key("c"));
    }

    #[test]
    fn a_non_numeric_cell_names_its_line_and_column() {
        let data = b"a,b\n1,2\n3,four\n";
        let err = read_numeric_columns(Path::new("t.csv"), &data[..], &["a", "b"]).unwrap_err().to_string();
        assert_eq!(err, "t.csv:3: column b must be numeric, found \"four\"");
    }

    #[test]
    fn a_missing_column_is_named() {
        let err = read_numeric_columns(Path::new("t.csv"), &b"a\n1\n"[..], &["a", "b"]).unwrap_err().to_string();
        assert!(err.contains("lacks required column(s) b"), "{err}");
    }
}
