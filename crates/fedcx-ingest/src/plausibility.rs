//! Plausibility checks on what one file contributed: patterns that real survey data does not
//! produce and that a misread export does (a blank read as "not offered" makes an indicator 100%;
//! a wrong column makes every answer the same; a stray date puts rows in another quarter). They
//! are warnings, printed and written to the summary, never rejections: the rows are valid one by
//! one, and only a person can say whether the file is wrong.

use serde::Serialize;

use fedcx_model::survey::{Indicator, Polarity, V1_QUESTION_COUNT};
use fedcx_model::{FiscalQuarter, ResponseCounts};

/// Below this many answers a share of 0% or 100% is unremarkable.
pub const MIN_ANSWERS: u64 = 30;

/// One implausible pattern in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// A stable code: `indicator_always_selected`, `indicator_never_selected`,
    /// `every_box_ticked`, `answers_all_identical`, `quarter_outlier`, `quarter_not_in_file_name`.
    pub kind: &'static str,
    /// What was seen, naming the service, channel, quarter, question and the numbers.
    pub message: String,
}

/// Checks a file's counts. `file_name` is the file's name, for the quarter it may state.
pub fn check(file_name: &str, counts: &ResponseCounts) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut by_quarter: std::collections::BTreeMap<FiscalQuarter, u64> = Default::default();
    for (k, t) in counts.iter() {
        *by_quarter.entry(k.quarter).or_default() += t.respondents();
        let group = format!("{} / {} / {}", k.service, k.channel, k.quarter);
        for p in Polarity::ALL {
            let mut all_ticked = true;
            let mut offered_any = false;
            for ind in Indicator::ALL {
                let it = t.v2.indicator(p, ind);
                if it.offered < MIN_ANSWERS {
                    all_ticked = false;
                    continue;
                }
                offered_any = true;
                all_ticked &= it.selected == it.offered;
                let (kind, word) = match it.selected {
                    s if s == it.offered => ("indicator_always_selected", "every one"),
                    0 => ("indicator_never_selected", "none"),
                    _ => continue,
                };
                out.push(Finding {
                    kind,
                    message: format!(
                        "{group}: {} was selected by {word} of the {} respondents offered it ({} of {}); \
                         check how the export writes an unticked box",
                        ind.column(p),
                        it.offered,
                        it.selected,
                        it.offered
                    ),
                });
            }
            if all_ticked && offered_any {
                out.push(Finding {
                    kind: "every_box_ticked",
                    message: format!("{group}: every respondent who saw the {p:?} follow-up ticked every box"),
                });
            }
        }
        let mut same = |question: String, points: &[u64]| {
            let n: u64 = points.iter().sum();
            if n >= MIN_ANSWERS && points.contains(&n) {
                out.push(Finding {
                    kind: "answers_all_identical",
                    message: format!("{group}: all {n} answers to {question} are the same; check the column mapped"),
                });
            }
        };
        same("question_1 (trust, thumbs)".to_owned(), &t.v2.thumbs);
        same("question_1 (trust, 5-point)".to_owned(), &t.v2.likert);
        for q in 0..V1_QUESTION_COUNT {
            same(format!("q{}", q + 1), &t.v1.scores[q]);
        }
    }
    let total: u64 = by_quarter.values().sum();
    if let Some((&main, &n_main)) = by_quarter.iter().max_by_key(|(_, n)| **n) {
        for (&q, &n) in &by_quarter {
            // A few rows far from the rest are a stray date; an even split is a multi-quarter file.
            if q != main && n * 20 < total {
                out.push(Finding {
                    kind: "quarter_outlier",
                    message: format!("{n} respondents are in {q}, while {n_main} of {total} are in {main}"),
                });
            }
        }
        if let Some(named) = quarter_in_name(file_name) {
            if !by_quarter.contains_key(&named) {
                out.push(Finding {
                    kind: "quarter_not_in_file_name",
                    message: format!("the file's name says {named}, but none of its {total} respondents are in it"),
                });
            }
        }
    }
    out
}

/// The fiscal quarter a file name states, as `FY2024Q1`, `fy2024-q1`, `FY24Q1` or `2024Q1`.
pub fn quarter_in_name(name: &str) -> Option<FiscalQuarter> {
    let lower = name.to_ascii_lowercase();
    let b = lower.as_bytes();
    for (i, _) in lower.match_indices('q') {
        let Some(&digit) = b.get(i + 1) else { continue };
        if !(b'1'..=b'4').contains(&digit) || b.get(i + 2).is_some_and(u8::is_ascii_digit) {
            continue;
        }
        // Digits just before the q, skipping one separator.
        let mut end = i;
        if end > 0 && matches!(b[end - 1], b'-' | b'_' | b' ') {
            end -= 1;
        }
        let start = (0..end).rev().take_while(|&j| b[j].is_ascii_digit()).last()?;
        let year: u16 = match &lower[start..end] {
            y if y.len() == 4 => y.parse().ok()?,
            y if y.len() == 2 => 2000 + y.parse::<u16>().ok()?,
            _ => continue,
        };
        let quarter = fedcx_model::Quarter::from_number(digit - b'0').ok()?;
        return FiscalQuarter::new(year, quarter).ok();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use fedcx_model::{Channel, GroupKey, ServiceId, Tally};

    fn key(q: &str) -> GroupKey {
        GroupKey {
            service: ServiceId::new("irs-file").unwrap(),
            channel: Channel::Website,
            quarter: q.parse().unwrap(),
        }
    }

    #[test]
    fn quarters_in_file_names() {
        assert_eq!(quarter_in_name("irs_FY2024Q1_export.csv").unwrap().to_string(), "FY2024 Q1");
        assert_eq!(quarter_in_name("fy24-q3.csv").unwrap().to_string(), "FY2024 Q3");
        assert_eq!(quarter_in_name("2023_q4.csv").unwrap().to_string(), "FY2023 Q4");
        assert_eq!(quarter_in_name("qualtrics.csv"), None);
        assert_eq!(quarter_in_name("q5.csv"), None);
        assert_eq!(quarter_in_name("5101.csv"), None);
    }

    #[test]
    fn a_blank_read_as_not_offered_shows_as_an_indicator_everyone_selected() {
        let mut t = Tally::default();
        t.v2.respondents = 40;
        t.v2.thumbs = [10, 30];
        let ease = &mut t.v2.indicators[0][Indicator::Ease.index()];
        ease.offered = 30;
        ease.selected = 30;
        let counts: ResponseCounts = [(key("FY2024 Q1"), t.clone())].into_iter().collect();
        let found = check("FY2024Q1.csv", &counts);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, "indicator_always_selected");
        assert!(found[0].message.contains("positive_ease was selected by every one of the 30 respondents offered it"));
        // 29 of 30 is data, not a misread.
        t.v2.indicators[0][Indicator::Ease.index()].selected = 29;
        let counts: ResponseCounts = [(key("FY2024 Q1"), t)].into_iter().collect();
        assert!(check("x.csv", &counts).is_empty());
    }

    #[test]
    fn identical_answers_and_stray_quarters_are_named() {
        let mut t = Tally::default();
        t.v2.respondents = 50;
        t.v2.likert = [0, 0, 0, 50, 0];
        let mut stray = Tally::default();
        stray.v2.respondents = 2;
        stray.v2.likert = [0, 0, 1, 1, 0];
        let counts: ResponseCounts = [(key("FY2024 Q1"), t), (key("FY2023 Q4"), stray)].into_iter().collect();
        let kinds: Vec<&str> = check("FY2024Q2.csv", &counts).iter().map(|f| f.kind).collect();
        assert_eq!(kinds, ["answers_all_identical", "quarter_outlier", "quarter_not_in_file_name"]);
    }
}
