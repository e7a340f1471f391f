//! The federal fiscal calendar: a fiscal year starts on 1 October of the previous calendar year.
//!
//! FY2024 Q1 is October to December 2023, Q2 January to March 2024, Q3 April to June 2024 and Q4
//! July to September 2024.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The earliest fiscal year fedcx accepts; A-11 Section 280 data collection started in FY2019,
/// and earlier years are allowed only so historic benchmark series fit.
pub const MIN_FISCAL_YEAR: u16 = 1990;
/// The latest fiscal year fedcx accepts; a year beyond it is almost surely a typing error.
pub const MAX_FISCAL_YEAR: u16 = 2199;

/// A quarter of a fiscal year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Quarter {
    /// October to December.
    Q1,
    /// January to March.
    Q2,
    /// April to June.
    Q3,
    /// July to September.
    Q4,
}

impl Quarter {
    /// All quarters in order.
    pub const ALL: [Quarter; 4] = [Quarter::Q1, Quarter::Q2, Quarter::Q3, Quarter::Q4];

    /// The quarter's number, 1 to 4.
    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    /// The quarter with this number.
    pub fn from_number(n: u8) -> Result<Quarter, FiscalError> {
        match n {
            1 => Ok(Quarter::Q1),
            2 => Ok(Quarter::Q2),
            3 => Ok(Quarter::Q3),
            4 => Ok(Quarter::Q4),
            _ => Err(FiscalError::QuarterOutOfRange(n.into())),
        }
    }
}

/// One quarter of one federal fiscal year. Orders chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FiscalQuarter {
    year: u16,
    quarter: Quarter,
}

/// Why a fiscal year or quarter could not be made or parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FiscalError {
    /// A quarter number other than 1 to 4.
    #[error("quarter {0} is not a fiscal quarter (expected 1 to 4)")]
    QuarterOutOfRange(i64),
    /// A fiscal year outside the range fedcx accepts.
    #[error("fiscal year {0} is outside {MIN_FISCAL_YEAR}..={MAX_FISCAL_YEAR}")]
    YearOutOfRange(i64),
    /// Text that is not a fiscal quarter in any accepted form.
    #[error("{0:?} is not a fiscal quarter (expected forms like \"FY2024 Q1\", \"FY2024Q1\" or \"2024Q1\")")]
    Unparseable(String),
    /// A date that falls outside the fiscal years fedcx accepts.
    #[error("date {0} falls outside fiscal years {MIN_FISCAL_YEAR}..={MAX_FISCAL_YEAR}")]
    DateOutOfRange(NaiveDate),
    /// Text that is not a calendar month `YYYY-MM`.
    #[error("{0:?} is not a month (expected YYYY-MM, e.g. 2025-01)")]
    BadMonth(String),
}

/// A calendar month, e.g. 2025-01: the period web-analytics visits are counted by. Written
/// `YYYY-MM`; ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: u16,
    month: u8,
}

impl Month {
    /// The month holding `date`.
    pub fn of(date: NaiveDate) -> Result<Month, FiscalError> {
        let year = u16::try_from(date.year()).map_err(|_| FiscalError::DateOutOfRange(date))?;
        let month = u8::try_from(date.month()).expect("a month number is 1 to 12");
        Ok(Month { year, month })
    }

    /// Its first day.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year.into(), self.month.into(), 1).expect("a checked month has a first day")
    }

    /// The fiscal quarter it falls in.
    pub fn fiscal_quarter(self) -> Result<FiscalQuarter, FiscalError> {
        FiscalQuarter::from_date(self.first_day())
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = FiscalError;
    fn from_str(s: &str) -> Result<Month, FiscalError> {
        let bad = || FiscalError::BadMonth(s.to_owned());
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let date = NaiveDate::from_ymd_opt(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?, 1);
        Month::of(date.ok_or_else(bad)?)
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Month, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl FiscalQuarter {
    /// The quarter `quarter` of fiscal year `year`.
    pub fn new(year: u16, quarter: Quarter) -> Result<FiscalQuarter, FiscalError> {
        if !(MIN_FISCAL_YEAR..=MAX_FISCAL_YEAR).contains(&year) {
            return Err(FiscalError::YearOutOfRange(year.into()));
        }
        Ok(FiscalQuarter { year, quarter })
    }

    /// The fiscal quarter that contains `date`.
    pub fn from_date(date: NaiveDate) -> Result<FiscalQuarter, FiscalError> {
        let month = date.month();
        // October to December belong to the next fiscal year's first quarter.
        let (year, quarter) = match month {
            10..=12 => (date.year() + 1, Quarter::Q1),
            1..=3 => (date.year(), Quarter::Q2),
            4..=6 => (date.year(), Quarter::Q3),
            _ => (date.year(), Quarter::Q4),
        };
        let year = u16::try_from(year).map_err(|_| FiscalError::DateOutOfRange(date))?;
        FiscalQuarter::new(year, quarter).map_err(|_| FiscalError::DateOutOfRange(date))
    }

    /// The fiscal year, e.g. 2024 for FY2024.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The quarter within the fiscal year.
    pub fn quarter(self) -> Quarter {
        self.quarter
    }

    /// The first day of the quarter.
    pub fn start_date(self) -> NaiveDate {
        let (year, month) = self.start_year_month();
        NaiveDate::from_ymd_opt(year, month, 1).expect("the first of a month always exists")
    }

    /// The last day of the quarter.
    pub fn end_date(self) -> NaiveDate {
        self.next_unbounded().start_date().pred_opt().expect("a quarter start always has a day before it")
    }

    /// Its three calendar months, in order.
    pub fn months(self) -> [Month; 3] {
        let first = Month::of(self.start_date()).expect("a quarter's start is in range");
        let later = |n| Month::of(self.start_date() + chrono::Months::new(n)).expect("a quarter's months are in range");
        [first, later(1), later(2)]
    }

    /// Whether `date` falls within this quarter.
    pub fn contains(self, date: NaiveDate) -> bool {
        self.start_date() <= date && date <= self.end_date()
    }

    /// The quarter after this one, or `None` past the last accepted fiscal year.
    pub fn next(self) -> Option<FiscalQuarter> {
        let n = self.next_unbounded();
        (n.year <= MAX_FISCAL_YEAR).then_some(n)
    }

    /// The quarter before this one, or `None` before the first accepted fiscal year.
    pub fn prev(self) -> Option<FiscalQuarter> {
        match self.quarter {
            Quarter::Q1 if self.year == MIN_FISCAL_YEAR => None,
            Quarter::Q1 => Some(FiscalQuarter { year: self.year - 1, quarter: Quarter::Q4 }),
            q => Some(FiscalQuarter {
                year: self.year,
                quarter: Quarter::from_number(q.number() - 1).expect("2..=4 minus one is a quarter"),
            }),
        }
    }

    /// The `n` quarters that end with this one, oldest first (fewer at the calendar's start).
    pub fn trailing(self, n: usize) -> Vec<FiscalQuarter> {
        let mut out = Vec::with_capacity(n);
        let mut cur = Some(self);
        while let Some(q) = cur {
            if out.len() == n {
                break;
            }
            out.push(q);
            cur = q.prev();
        }
        out.reverse();
        out
    }

    /// A compact form for file and directory names: `FY2024Q1`.
    pub fn compact(self) -> String {
        format!("FY{}Q{}", self.year, self.quarter.number())
    }

    fn next_unbounded(self) -> FiscalQuarter {
        match self.quarter {
            Quarter::Q4 => FiscalQuarter { year: self.year + 1, quarter: Quarter::Q1 },
            q => FiscalQuarter {
                year: self.year,
                quarter: Quarter::from_number(q.number() + 1).expect("1..=3 plus one is a quarter"),
            },
        }
    }

    fn start_year_month(self) -> (i32, u32) {
        let year = i32::from(self.year);
        match self.quarter {
            Quarter::Q1 => (year - 1, 10),
            Quarter::Q2 => (year, 1),
            Quarter::Q3 => (year, 4),
            Quarter::Q4 => (year, 7),
        }
    }
}

impl fmt::Display for FiscalQuarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FY{} Q{}", self.year, self.quarter.number())
    }
}

impl FromStr for FiscalQuarter {
    type Err = FiscalError;

    /// Accepts "FY2024 Q1", "FY2024Q1", "fy2024-q1", "2024Q1" and "2024 Q1".
    fn from_str(s: &str) -> Result<FiscalQuarter, FiscalError> {
        let unparseable = || FiscalError::Unparseable(s.to_owned());
        let upper = s.trim().to_ascii_uppercase();
        let rest = upper.strip_prefix("FY").unwrap_or(&upper);
        let (year_text, quarter_text) = rest.split_once('Q').ok_or_else(unparseable)?;
        let year_text = year_text.trim_end_matches([' ', '-', '_']);
        if year_text.len() != 4 || !year_text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(unparseable());
        }
        if quarter_text.len() != 1 || !quarter_text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(unparseable());
        }
        let year: u16 = year_text.parse().map_err(|_| unparseable())?;
        let quarter = Quarter::from_number(quarter_text.parse().map_err(|_| unparseable())?)?;
        FiscalQuarter::new(year, quarter)
    }
}

impl Serialize for FiscalQuarter {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.compact())
    }
}

impl<'de> Deserialize<'de> for FiscalQuarter {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_read_write_and_fall_in_quarters() {
        let m: Month = "2024-10".parse().unwrap();
        assert_eq!(m.to_string(), "2024-10");
        assert_eq!(m.fiscal_quarter().unwrap().to_string(), "FY2025 Q1");
        for bad in ["2024-13", "2024-1", "24-01", "2024/01", "", "2024-00"] {
            assert!(bad.parse::<Month>().is_err(), "{bad}");
        }
        let q: FiscalQuarter = "FY2025 Q1".parse().unwrap();
        assert_eq!(q.months().map(|m| m.to_string()), ["2024-10", "2024-11", "2024-12"]);
        let q: FiscalQuarter = "FY2025 Q2".parse().unwrap();
        assert_eq!(q.months().map(|m| m.to_string()), ["2025-01", "2025-02", "2025-03"]);
        assert!("2024-12".parse::<Month>().unwrap() < "2025-01".parse::<Month>().unwrap());
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"2024-10\"");
    }
    use proptest::prelude::*;

    fn fq(text: &str) -> FiscalQuarter {
        text.parse().unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn quarter_boundaries_follow_the_federal_calendar() {
        let check = |d: NaiveDate, expected: &str| {
            assert_eq!(FiscalQuarter::from_date(d).unwrap().to_string(), expected, "{d}");
        };
        check(date(2023, 9, 30), "FY2023 Q4");
        check(date(2023, 10, 1), "FY2024 Q1");
        check(date(2023, 12, 31), "FY2024 Q1");
        check(date(2024, 1, 1), "FY2024 Q2");
        check(date(2024, 3, 31), "FY2024 Q2");
        check(date(2024, 4, 1), "FY2024 Q3");
        check(date(2024, 6, 30), "FY2024 Q3");
        check(date(2024, 7, 1), "FY2024 Q4");
        check(date(2024, 9, 30), "FY2024 Q4");
    }

    #[test]
    fn start_and_end_dates() {
        let q = fq("FY2024 Q1");
        assert_eq!(q.start_date(), date(2023, 10, 1));
        assert_eq!(q.end_date(), date(2023, 12, 31));
        assert_eq!(fq("FY2024 Q2").end_date(), date(2024, 3, 31));
        assert_eq!(fq("FY2024 Q4").end_date(), date(2024, 9, 30));
    }

    #[test]
    fn parses_every_documented_form() {
        for text in ["FY2024 Q1", "FY2024Q1", "fy2024q1", "2024Q1", "2024 Q1", "FY2024-Q1", " FY2024 Q1 "] {
            assert_eq!(fq(text), FiscalQuarter::new(2024, Quarter::Q1).unwrap(), "{text}");
        }
    }

    #[test]
    fn rejects_malformed_text_with_a_clear_error() {
        for text in ["", "FY2024", "2024Q5", "2024Q0", "FY24 Q1", "Q1 2024", "2024Q12", "FY20x4 Q1"] {
            let err = text.parse::<FiscalQuarter>().unwrap_err();
            assert!(matches!(err, FiscalError::Unparseable(_) | FiscalError::QuarterOutOfRange(_)), "{text}: {err}");
        }
        assert_eq!(
            "2024Q5".parse::<FiscalQuarter>().unwrap_err().to_string(),
            "quarter 5 is not a fiscal quarter (expected 1 to 4)"
        );
    }

    #[test]
    fn next_and_prev_cross_year_boundaries() {
        assert_eq!(fq("FY2024 Q4").next().unwrap(), fq("FY2025 Q1"));
        assert_eq!(fq("FY2025 Q1").prev().unwrap(), fq("FY2024 Q4"));
        assert_eq!(fq("FY1990 Q1").prev(), None);
        assert_eq!(fq("FY2199 Q4").next(), None);
    }

    #[test]
    fn trailing_quarters_are_oldest_first() {
        let got: Vec<String> = fq("FY2025 Q2").trailing(3).iter().map(|q| q.to_string()).collect();
        assert_eq!(got, ["FY2024 Q4", "FY2025 Q1", "FY2025 Q2"]);
    }

    #[test]
    fn serde_uses_the_compact_form() {
        let q = fq("FY2025 Q3");
        let json = serde_json::to_string(&q).unwrap();
        assert_eq!(json, "\"FY2025Q3\"");
        assert_eq!(serde_json::from_str::<FiscalQuarter>(&json).unwrap(), q);
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        // Every day from 1 October 1989 (FY1990) to 30 September 2199 (FY2199).
        let first = date(1989, 10, 1);
        let last = date(2199, 9, 30);
        let span = (last - first).num_days();
        (0..=span).prop_map(move |d| first + chrono::Duration::days(d))
    }

    proptest! {
        #[test]
        fn a_date_lies_within_its_own_quarter(d in any_date()) {
            let q = FiscalQuarter::from_date(d).unwrap();
            prop_assert!(q.contains(d));
            prop_assert_eq!(FiscalQuarter::from_date(q.start_date()).unwrap(), q);
            prop_assert_eq!(FiscalQuarter::from_date(q.end_date()).unwrap(), q);
        }

        #[test]
        fn display_parse_round_trip(d in any_date()) {
            let q = FiscalQuarter::from_date(d).unwrap();
            prop_assert_eq!(q.to_string().parse::<FiscalQuarter>().unwrap(), q);
            prop_assert_eq!(q.compact().parse::<FiscalQuarter>().unwrap(), q);
        }

        #[test]
        fn next_is_the_day_after_the_end(d in any_date()) {
            let q = FiscalQuarter::from_date(d).unwrap();
            if let Some(n) = q.next() {
                prop_assert!(n > q);
                prop_assert_eq!(n.start_date(), q.end_date().succ_opt().unwrap());
                prop_assert_eq!(n.prev(), Some(q));
            }
        }
    }
}
