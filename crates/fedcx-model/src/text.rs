//! Rules for text that leaves fedcx in a file meant for people, shared by every crate that writes
//! one (the reject file in fedcx-ingest, the records and reports in fedcx-a11), so they cannot
//! disagree.

use std::borrow::Cow;

/// Neutralises a cell that a spreadsheet would run as a formula (the OWASP CSV-injection rule): a
/// value starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading apostrophe. Plain
/// negative numbers are left alone, since they are data and not formulas.
pub fn neutralise_formula(cell: &str) -> Cow<'_, str> {
    let risky = matches!(cell.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'));
    if risky && !(cell.starts_with('-') && cell[1..].parse::<f64>().is_ok()) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        for (input, expected) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1+1", "'+1+1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("-12.5", "-12.5"),
            ("-1+cmd", "'-1+cmd"),
            ("plain", "plain"),
            ("", ""),
        ] {
            assert_eq!(neutralise_formula(input), expected, "{input:?}");
        }
    }
}
