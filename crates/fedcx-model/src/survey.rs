//! The A-11 Section 280 standard survey, both versions, as data.
//!
//! Version 1 (FY2019-FY2023) asks seven agreement questions, one per driver, plus up to four
//! optional ones. Version 2 (FY2024 on) asks one trust question, then which aspects went well or not.
//! A later revision is added as a new [`SurveyVersion`] variant with its own answer type, so data
//! recorded under an earlier version keeps its meaning.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::fiscal::FiscalQuarter;

/// A version of the A-11 standard survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum SurveyVersion {
    /// Seven 5-point agreement questions (FY2019-FY2023).
    #[serde(rename = "v1")]
    V1,
    /// The trust question and "what went well / didn't go so well" indicators (FY2024 on).
    #[serde(rename = "v2")]
    V2,
}

impl SurveyVersion {
    /// The first fiscal year of version 2.
    pub const V2_FIRST_FISCAL_YEAR: u16 = 2024;

    /// The version OMB required in the given quarter.
    pub fn for_quarter(quarter: FiscalQuarter) -> SurveyVersion {
        if quarter.year() >= Self::V2_FIRST_FISCAL_YEAR {
            SurveyVersion::V2
        } else {
            SurveyVersion::V1
        }
    }

    /// The stable identifier, `v1` or `v2`.
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyVersion::V1 => "v1",
            SurveyVersion::V2 => "v2",
        }
    }
}

impl fmt::Display for SurveyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Text that names no survey version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a survey version (expected v1 or v2)")]
pub struct UnknownSurveyVersion(pub String);

impl FromStr for SurveyVersion {
    type Err = UnknownSurveyVersion;
    /// `v1`, `1`, `v2` or `2`, in any letter case (compared without allocating: every row of an
    /// export is read with it).
    fn from_str(s: &str) -> Result<SurveyVersion, UnknownSurveyVersion> {
        let t = s.trim();
        let is = |word: &str| t.eq_ignore_ascii_case(word);
        if is("v1") || t == "1" {
            Ok(SurveyVersion::V1)
        } else if is("v2") || t == "2" {
            Ok(SurveyVersion::V2)
        } else {
            Err(UnknownSurveyVersion(s.to_owned()))
        }
    }
}

/// What a question measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Driver {
    /// Overall satisfaction with the service.
    Satisfaction,
    /// Trust or confidence in the agency.
    Trust,
    /// Whether the need was met.
    Effectiveness,
    /// How easy it was.
    Ease,
    /// How quick it was.
    Efficiency,
    /// Fair treatment and openness (version 1 calls it equity / transparency).
    Transparency,
    /// Being treated with respect and empathy (version 2 only).
    Humanity,
    /// Whether employees helped.
    Employee,
    /// Anything else, including provider-defined extra questions.
    Other,
}

impl Driver {
    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Driver::Satisfaction => "Satisfaction",
            Driver::Trust => "Trust / confidence",
            Driver::Effectiveness => "Effectiveness / quality",
            Driver::Ease => "Ease / simplicity",
            Driver::Efficiency => "Efficiency / speed",
            Driver::Transparency => "Equity / transparency",
            Driver::Humanity => "Humanity",
            Driver::Employee => "Employee helpfulness",
            Driver::Other => "Other",
        }
    }
}

/// The number of version-1 questions that carry counts (q1..q11).
pub const V1_QUESTION_COUNT: usize = 11;

/// A numbered version-1 question, q1 to q11.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct V1Question(u8);

/// A question number outside 1 to 11.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("question {0} is not a version-1 question (expected 1 to 11)")]
pub struct V1QuestionOutOfRange(pub u8);

impl V1Question {
    /// The seven standard questions and the four optional ones, in order.
    pub fn all() -> impl Iterator<Item = V1Question> {
        (1..=V1_QUESTION_COUNT as u8).map(V1Question)
    }

    /// The question numbered `n` (1 to 11).
    pub fn new(n: u8) -> Result<V1Question, V1QuestionOutOfRange> {
        if (1..=V1_QUESTION_COUNT as u8).contains(&n) {
            Ok(V1Question(n))
        } else {
            Err(V1QuestionOutOfRange(n))
        }
    }

    /// Its number, 1 to 11.
    pub fn number(self) -> u8 {
        self.0
    }

    /// Its position in arrays of answers, 0 to 10.
    pub fn index(self) -> usize {
        usize::from(self.0 - 1)
    }

    /// The standard definition of this question.
    pub fn definition(self) -> &'static V1QuestionDef {
        &V1_QUESTIONS[self.index()]
    }
}

impl From<V1Question> for u8 {
    fn from(q: V1Question) -> u8 {
        q.0
    }
}

impl TryFrom<u8> for V1Question {
    type Error = V1QuestionOutOfRange;
    fn try_from(n: u8) -> Result<V1Question, V1QuestionOutOfRange> {
        V1Question::new(n)
    }
}

impl fmt::Display for V1Question {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "q{}", self.0)
    }
}

/// One version-1 question: its driver, standard wording and the allowed alternative wordings.
/// `[Service]`, `[Agency]` and `[population]` are placeholders the provider fills in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct V1QuestionDef {
    /// Its number, 1 to 11.
    pub number: u8,
    /// What it measures.
    pub driver: Driver,
    /// The standard wording.
    pub wording: &'static str,
    /// Other wordings A-11 allows for the same question.
    pub alternatives: &'static [&'static str],
    /// Whether every version-1 survey must ask it.
    pub required: bool,
    /// Whether it is one of the seven standard questions (q8-q11 are provider-defined).
    pub standard: bool,
}

const OPTIONAL_WORDING: &str = "[Optional question defined by the service provider]";

/// Version 1's questions, q1 to q11.
pub static V1_QUESTIONS: [V1QuestionDef; V1_QUESTION_COUNT] = [
    V1QuestionDef {
        number: 1,
        driver: Driver::Satisfaction,
        wording: "I am satisfied with the service I received from [Service].",
        alternatives: &[],
        required: true,
        standard: true,
    },
    V1QuestionDef {
        number: 2,
        driver: Driver::Trust,
        wording: "This interaction increased my confidence in [Service].",
        alternatives: &["I trust [Agency] to fulfill our country's commitment to [population]."],
        required: true,
        standard: true,
    },
    V1QuestionDef {
        number: 3,
        driver: Driver::Effectiveness,
        wording: "My need was addressed.",
        alternatives: &["My issue was resolved.", "I found what I was looking for."],
        required: false,
        standard: true,
    },
    V1QuestionDef {
        number: 4,
        driver: Driver::Ease,
        wording: "It was easy to complete what I needed to do.",
        alternatives: &[],
        required: false,
        standard: true,
    },
    V1QuestionDef {
        number: 5,
        driver: Driver::Efficiency,
        wording: "It took a reasonable amount of time to do what I needed to do.",
        alternatives: &[],
        required: false,
        standard: true,
    },
    V1QuestionDef {
        number: 6,
        driver: Driver::Transparency,
        wording: "I was treated fairly.",
        alternatives: &[],
        required: false,
        standard: true,
    },
    V1QuestionDef {
        number: 7,
        driver: Driver::Employee,
        wording: "Employees I interacted with were helpful.",
        alternatives: &[],
        required: false,
        standard: true,
    },
    V1QuestionDef {
        number: 8,
        driver: Driver::Other,
        wording: OPTIONAL_WORDING,
        alternatives: &[],
        required: false,
        standard: false,
    },
    V1QuestionDef {
        number: 9,
        driver: Driver::Other,
        wording: OPTIONAL_WORDING,
        alternatives: &[],
        required: false,
        standard: false,
    },
    V1QuestionDef {
        number: 10,
        driver: Driver::Other,
        wording: OPTIONAL_WORDING,
        alternatives: &[],
        required: false,
        standard: false,
    },
    V1QuestionDef {
        number: 11,
        driver: Driver::Other,
        wording: OPTIONAL_WORDING,
        alternatives: &[],
        required: false,
        standard: false,
    },
];

/// Version 1's two unnumbered free-text questions.
pub const V1_FREE_TEXT_QUESTIONS: [&str; 2] =
    ["Any additional feedback on your scores above?", "Any additional feedback for [Service]?"];

/// The most questions a version-1 survey may have.
pub const V1_MAX_QUESTIONS: usize = 15;

/// The labels of the 5-point agreement scale, from 1 to 5.
pub const AGREEMENT_LABELS: [&str; 5] = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"];

/// How the version-2 trust question is answered (Touchpoints' `survey_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrustScale {
    /// Thumbs up (1) or down (0).
    ThumbsUpDown,
    /// The 5-point agreement scale.
    LikertScale,
}

impl TrustScale {
    /// The stable identifier, as Touchpoints writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            TrustScale::ThumbsUpDown => "thumbs_up_down",
            TrustScale::LikertScale => "likert_scale",
        }
    }
}

impl fmt::Display for TrustScale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Text that names no survey type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a survey type (expected thumbs_up_down or likert_scale)")]
pub struct UnknownTrustScale(pub String);

impl FromStr for TrustScale {
    type Err = UnknownTrustScale;
    /// `thumbs_up_down` or `likert_scale`, in any letter case (compared without allocating).
    fn from_str(s: &str) -> Result<TrustScale, UnknownTrustScale> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("thumbs_up_down") {
            Ok(TrustScale::ThumbsUpDown)
        } else if t.eq_ignore_ascii_case("likert_scale") {
            Ok(TrustScale::LikertScale)
        } else {
            Err(UnknownTrustScale(s.to_owned()))
        }
    }
}

/// The version-2 trust question's standard wording; the agency may supply its own text.
pub const V2_TRUST_WORDING: &str =
    "Based on my experience with [Service], I trust [Agency] to deliver on their mission for the American public.";
/// The version-2 "what went well" question (question_2).
pub const V2_WENT_WELL_WORDING: &str = "What went well?";
/// The version-2 "what didn't go so well" question (question_3).
pub const V2_WENT_BADLY_WORDING: &str = "What didn't go so well?";
/// The version-2 free-text question (question_4).
pub const V2_COMMENT_WORDING: &str = "Additional comments";

/// An aspect of the experience a version-2 respondent can say went well or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// The need was met.
    Effectiveness,
    /// It was easy.
    Ease,
    /// It was quick.
    Efficiency,
    /// The process was clear.
    Transparency,
    /// The customer was treated with respect.
    Humanity,
    /// Employees helped.
    Employee,
    /// Something else.
    Other,
}

/// Whether an indicator was chosen under "what went well" or "what didn't go so well".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    /// Under "What went well?" (question_2), shown after a positive trust answer.
    Positive,
    /// Under "What didn't go so well?" (question_3), shown after a negative trust answer.
    Negative,
}

impl Polarity {
    /// Both polarities, positive first.
    pub const ALL: [Polarity; 2] = [Polarity::Positive, Polarity::Negative];

    /// The prefix of the response CSV columns, `positive` or `negative`.
    pub fn as_str(self) -> &'static str {
        match self {
            Polarity::Positive => "positive",
            Polarity::Negative => "negative",
        }
    }

    /// Its position in arrays, 0 for positive and 1 for negative.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The number of version-2 indicators.
pub const INDICATOR_COUNT: usize = 7;

impl Indicator {
    /// All indicators, in Touchpoints' column order.
    pub const ALL: [Indicator; INDICATOR_COUNT] = [
        Indicator::Effectiveness,
        Indicator::Ease,
        Indicator::Efficiency,
        Indicator::Transparency,
        Indicator::Humanity,
        Indicator::Employee,
        Indicator::Other,
    ];

    /// The stable identifier, as it appears in column names (`positive_<id>`).
    pub fn as_str(self) -> &'static str {
        match self {
            Indicator::Effectiveness => "effectiveness",
            Indicator::Ease => "ease",
            Indicator::Efficiency => "efficiency",
            Indicator::Transparency => "transparency",
            Indicator::Humanity => "humanity",
            Indicator::Employee => "employee",
            Indicator::Other => "other",
        }
    }

    /// Its position in arrays, 0 to 6.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether every version-2 survey must offer it.
    pub fn required(self) -> bool {
        matches!(self, Indicator::Effectiveness | Indicator::Ease)
    }

    /// The driver it speaks to.
    pub fn driver(self) -> Driver {
        match self {
            Indicator::Effectiveness => Driver::Effectiveness,
            Indicator::Ease => Driver::Ease,
            Indicator::Efficiency => Driver::Efficiency,
            Indicator::Transparency => Driver::Transparency,
            Indicator::Humanity => Driver::Humanity,
            Indicator::Employee => Driver::Employee,
            Indicator::Other => Driver::Other,
        }
    }

    /// The response-upload column for this indicator under `polarity`, e.g. `positive_ease`.
    pub fn column(self, polarity: Polarity) -> String {
        format!("{}_{}", polarity.as_str(), self.as_str())
    }
}

impl fmt::Display for Indicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_follows_the_fiscal_year() {
        let v = |s: &str| SurveyVersion::for_quarter(s.parse().unwrap());
        assert_eq!(v("FY2019 Q1"), SurveyVersion::V1);
        assert_eq!(v("FY2023 Q4"), SurveyVersion::V1);
        assert_eq!(v("FY2024 Q1"), SurveyVersion::V2);
        assert_eq!(v("FY2030 Q2"), SurveyVersion::V2);
    }

    #[test]
    fn version_one_has_seven_standard_questions_with_their_drivers() {
        let standard: Vec<(u8, Driver)> =
            V1_QUESTIONS.iter().filter(|q| q.standard).map(|q| (q.number, q.driver)).collect();
        assert_eq!(
            standard,
            [
                (1, Driver::Satisfaction),
                (2, Driver::Trust),
                (3, Driver::Effectiveness),
                (4, Driver::Ease),
                (5, Driver::Efficiency),
                (6, Driver::Transparency),
                (7, Driver::Employee)
            ]
        );
        let required: Vec<u8> = V1_QUESTIONS.iter().filter(|q| q.required).map(|q| q.number).collect();
        assert_eq!(required, [1, 2]);
        for (i, q) in V1_QUESTIONS.iter().enumerate() {
            assert_eq!(usize::from(q.number), i + 1);
            assert_eq!(V1Question::new(q.number).unwrap().definition(), q);
        }
        assert_eq!(V1_QUESTIONS[2].alternatives, ["My issue was resolved.", "I found what I was looking for."]);
    }

    #[test]
    fn version_one_question_numbers_are_bounded() {
        assert!(V1Question::new(0).is_err());
        assert!(V1Question::new(12).is_err());
        assert_eq!(V1Question::new(11).unwrap().index(), 10);
        assert_eq!(V1Question::new(3).unwrap().to_string(), "q3");
    }

    #[test]
    fn version_two_indicators_match_the_upload_columns() {
        let columns: Vec<String> =
            Polarity::ALL.iter().flat_map(|&p| Indicator::ALL.iter().map(move |i| i.column(p))).collect();
        assert_eq!(columns.len(), 14);
        assert_eq!(columns[0], "positive_effectiveness");
        assert_eq!(columns[6], "positive_other");
        assert_eq!(columns[13], "negative_other");
        let required: Vec<Indicator> = Indicator::ALL.into_iter().filter(|i| i.required()).collect();
        assert_eq!(required, [Indicator::Effectiveness, Indicator::Ease]);
    }

    #[test]
    fn survey_types_and_versions_parse() {
        assert_eq!("thumbs_up_down".parse::<TrustScale>().unwrap(), TrustScale::ThumbsUpDown);
        assert_eq!("likert_scale".parse::<TrustScale>().unwrap(), TrustScale::LikertScale);
        assert!("stars".parse::<TrustScale>().is_err());
        assert_eq!("V2".parse::<SurveyVersion>().unwrap(), SurveyVersion::V2);
        assert!("v3".parse::<SurveyVersion>().is_err());
    }
}
