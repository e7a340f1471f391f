//! The scale a version-1 question was asked on, read from the wording an agency gave it.
//!
//! Version 1 reported every question in five columns (`q*_1` .. `q*_5`), but agencies asked some
//! questions on other scales and binned the answers into those columns: FAFSA's 10-point
//! satisfaction and likelihood questions, USPTO's "(1=strongly disagree, 10=strongly agree)",
//! Medicare's "(yes or no)". Counting such a question as the A-11 5-point agreement scale would put
//! a 10-point answer of 4 among the agreeing. So the wording is read for what it says about its
//! scale; a question whose wording says nothing is the A-11 statement it is meant to be (5-point),
//! and one whose wording talks of a scale fedcx cannot read is flagged, never guessed silently.
//!
//! The wordings recognised are those of performance.gov's published FY2021-23 data
//! (tests/fixtures/performance-gov-cx/question-scales.tsv lists every distinct question text there
//! with the reading this module gives it).

use std::sync::LazyLock;

use fedcx_model::records::QuestionScale;
use regex::Regex;

/// What a question's wording says about its scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleReading {
    /// The wording states its scale (`1 to 10`, `10-point`, `5 = strongly agree`, `(yes or no)`,
    /// `Partly`).
    Stated(QuestionScale),
    /// Nothing about a scale: the plain A-11 agreement statement (`I am satisfied with …`), read
    /// as the 5-point scale the record's columns are.
    Unstated,
    /// The wording speaks of a scale fedcx cannot read (a 7-point scale, "rate … from poor to
    /// excellent" without its points): counted as 5-point, as the record's columns are, with a
    /// warning, since it may not be.
    Unclear,
}

impl ScaleReading {
    /// The scale the question's counts are taken to be on.
    pub fn scale(self) -> QuestionScale {
        match self {
            ScaleReading::Stated(s) => s,
            ScaleReading::Unstated | ScaleReading::Unclear => QuestionScale::FivePoint,
        }
    }

    /// A short name for tables and tests: `5-point`, `10-point`, `yes/no`, `3-point`, `unstated`
    /// (read as 5-point) or `unclear` (read as 5-point, warned).
    pub fn name(self) -> &'static str {
        match self {
            ScaleReading::Stated(QuestionScale::FivePoint) => "5-point",
            ScaleReading::Stated(QuestionScale::TenPoint) => "10-point",
            ScaleReading::Stated(QuestionScale::YesNo) => "yes/no",
            ScaleReading::Stated(QuestionScale::ThreePoint) => "3-point",
            ScaleReading::Unstated => "unstated",
            ScaleReading::Unclear => "unclear",
        }
    }
}

/// `N = …`: a point of the scale given its meaning (`1=strongly disagree, 10=strongly agree`).
static POINT_MEANS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:^|[^\d.])(\d{1,2})\s*["']?\s*(?:=|means\b|being\b|is\b)"#).expect("a fixed pattern")
});
/// `1 to 10`, `0-10`, `1 through 5`, and the published typo `10 to 10`; not `1-800`.
static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d])(0|1|10)\s*(?:to|-|–|—|through)\s*(\d{1,2})(?:[^\d]|$)").expect("a fixed pattern")
});
/// `10-point`, `5 point`, `a 10 point scale`.
static N_POINT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[^\d])(\d{1,2})\s*-?\s*points?\b").expect("a fixed pattern"));
/// Scales spelt out.
static WORD_POINT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(three|five|seven|ten|eleven)[\s-]*points?\b").expect("a fixed pattern"));
/// A yes/no question: `(yes or no)`, `yes/no`, `(y/n)`.
static YES_NO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\byes\s*(?:or|/)\s*no\b|\bno\s*(?:or|/)\s*yes\b|\(\s*y\s*/\s*n\s*\)").expect("a fixed pattern")
});
/// Words that speak of a scale (`on a scale`, `rate`, `how likely`) without saying which.
static SCALE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bscale\b|\brat(?:e|ing)\b|\bhow likely\b|\bpoints?\s+scale\b|\bstars?\b|\bnet promoter\b")
        .expect("a fixed pattern")
});

/// Reads what a question's wording says about its scale.
///
/// ```
/// use fedcx_ingest::scales::{read_scale, ScaleReading};
/// use fedcx_model::records::QuestionScale;
///
/// let uspto = "Please rate your confidence in USPTO as a result of this customer service experience.  \
///              (1=not at all confident, 10=very confident)";
/// assert_eq!(read_scale(uspto), ScaleReading::Stated(QuestionScale::TenPoint));
/// assert_eq!(read_scale("I am satisfied with the service I received."), ScaleReading::Unstated);
/// assert_eq!(read_scale("Would you give the 1-800 MEDICARE number to a friend (yes or no)"),
///            ScaleReading::Stated(QuestionScale::YesNo));
/// ```
pub fn read_scale(text: &str) -> ScaleReading {
    // Curly quotes and case do not change what a wording says.
    let t: String = text
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201c}' | '\u{201d}' => '"',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    let mut points: Vec<u32> = Vec::new();
    for c in N_POINT.captures_iter(&t) {
        points.extend(c[1].parse::<u32>().ok());
    }
    for c in WORD_POINT.captures_iter(&t) {
        points.push(match &c[1] {
            "three" => 3,
            "five" => 5,
            "seven" => 7,
            "ten" => 10,
            _ => 11,
        });
    }
    if t.contains("net promoter") {
        points.push(10);
    }
    for c in RANGE.captures_iter(&t) {
        let (from, to): (u32, u32) = (c[1].parse().unwrap_or(0), c[2].parse().unwrap_or(0));
        // `1-800 MEDICARE` is a phone number, not a scale; `10 to 10` is a typo for 1 to 10.
        if to <= 11 && (from < to || (from == 10 && to == 10)) {
            points.push(to);
        }
    }
    let meanings: Vec<u32> =
        POINT_MEANS.captures_iter(&t).filter_map(|c| c[1].parse().ok()).filter(|&n| n <= 11).collect();
    // A scale whose points are given meanings is as wide as its widest point (`1=…, 10=…`).
    if let Some(&widest) = meanings.iter().max() {
        if meanings.len() >= 2 || widest >= 3 {
            points.push(widest);
        }
    }
    let yes_no = YES_NO.is_match(&t);
    let partly = t.contains("partly");
    let widest = points.iter().copied().max();
    match widest {
        // 0-10 (11 points) and 1-10 are the same binned likelihood scales.
        Some(10 | 11) => ScaleReading::Stated(QuestionScale::TenPoint),
        Some(5) => ScaleReading::Stated(QuestionScale::FivePoint),
        Some(3) => ScaleReading::Stated(QuestionScale::ThreePoint),
        Some(_) => ScaleReading::Unclear,
        None if partly => ScaleReading::Stated(QuestionScale::ThreePoint),
        None if yes_no => ScaleReading::Stated(QuestionScale::YesNo),
        None if SCALE_WORDS.is_match(&t) => ScaleReading::Unclear,
        None => ScaleReading::Unstated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, want: &str) {
        assert_eq!(read_scale(text).name(), want, "{text:?}");
    }

    #[test]
    fn wordings_of_each_scale() {
        check("My need was addressed. (1 = No, 2 = Partly, 3 = Yes)", "3-point");
        check("Was your issue resolved? Yes, Partly or No", "3-point");
        check("Would you recommend 1-800-MEDICARE to a friend (yes or no)", "yes/no");
        check("I was satisfied (1 = strongly disagree, 3 = neutral, 5 = strongly agree)", "5-point");
        check("My need was addressed.", "unstated");
        check("On a scale of 1 to 10, how likely are you to recommend us?", "10-point");
        check("(1=strongly disagree, 10=strongly agree, or don't know)", "10-point");
        check("(1 = strongly disagree, 10 = strongly agree)", "10-point");
        check("Using a 10-point scale on which '1' means 'very dissatisfied'", "10-point");
        check("Use a 10 point scale", "10-point");
        check("On a scale of 10 to 10, with 10 being extremely likely", "10-point");
        check("On a scale from 0-10", "10-point");
        check("How likely are you to recommend (Net Promoter Score)", "10-point");
        check("Rate us on a five-point scale", "5-point");
        check("On a scale of 1 to 7, how easy was it?", "unclear");
        check("How would you rate the service overall?", "unclear");
        check("Call 1-800-772-1213 if you need help.", "unstated");
        check("I have an easily accessible point of contact.", "unstated");
    }
}

/// Every distinct question wording of performance.gov's published records and the scale fedcx
/// reads in it, against a reviewed golden table (`question-scales.tsv` beside the fixture; rewrite
/// with UPDATE_GOLDEN=1 and review the diff by hand).
#[cfg(test)]
mod published_wordings {
    use super::*;

    const MERGED: &str = include_str!("../tests/fixtures/performance-gov-cx/mergedcxdata-2023-05-21.csv");
    const GOLDEN: &str = "tests/fixtures/performance-gov-cx/question-scales.tsv";

    #[test]
    fn every_published_wording_has_its_scale() {
        let mut rd = csv::Reader::from_reader(MERGED.as_bytes());
        let header = rd.headers().unwrap().clone();
        let texts: Vec<usize> = (0..header.len())
            .filter(|&i| header[i].starts_with("attributes_q") && header[i].ends_with("_text"))
            .collect();
        assert_eq!(texts.len(), 11);
        let mut wordings = std::collections::BTreeSet::new();
        for row in rd.records() {
            let row = row.unwrap();
            for &i in &texts {
                let t = row[i].trim();
                if !t.is_empty() {
                    // One line per wording in the table: line breaks and tabs as spaces.
                    wordings.insert(t.split_whitespace().collect::<Vec<_>>().join(" "));
                }
            }
        }
        let table: String = wordings.iter().map(|w| format!("{}\t{w}\n", read_scale(w).name())).collect();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, format!("scale\twording\n{table}")).unwrap();
        }
        let golden = std::fs::read_to_string(&path).expect("the golden table; run with UPDATE_GOLDEN=1");
        let golden = golden.strip_prefix("scale\twording\n").unwrap();
        for (want, got) in golden.lines().zip(table.lines()) {
            assert_eq!(got, want);
        }
        assert_eq!(golden.lines().count(), table.lines().count());
    }
}
