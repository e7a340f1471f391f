//! One customer's answers to an A-11 survey.
//!
//! Answers are checked when made: a [`SurveyResponse`] that exists obeys its survey version's rules.
//! Code downstream never re-checks them.

use std::fmt;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::channel::Channel;
use crate::fiscal::{FiscalError, FiscalQuarter};
use crate::ids::{DetailId, ResponseId, ServiceId};
use crate::org::TransactionPoint;
use crate::survey::{Indicator, Polarity, SurveyVersion, TrustScale, INDICATOR_COUNT, V1_QUESTION_COUNT};

/// A point on the 5-point agreement scale: 1 strongly disagree to 5 strongly agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Likert(u8);

/// A number that is not a point on the 5-point scale.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not on the 5-point scale (expected 1 to 5)")]
pub struct LikertOutOfRange(pub i64);

impl Likert {
    /// The scale point `value` (1 to 5).
    pub fn new(value: u8) -> Result<Likert, LikertOutOfRange> {
        if (1..=5).contains(&value) {
            Ok(Likert(value))
        } else {
            Err(LikertOutOfRange(value.into()))
        }
    }

    /// The value, 1 to 5.
    pub fn value(self) -> u8 {
        self.0
    }

    /// Its position in count arrays, 0 to 4.
    pub fn index(self) -> usize {
        usize::from(self.0 - 1)
    }

    /// Agree or strongly agree (4 or 5).
    pub fn agrees(self) -> bool {
        self.0 >= 4
    }

    /// Disagree or strongly disagree (1 or 2).
    pub fn disagrees(self) -> bool {
        self.0 <= 2
    }
}

impl From<Likert> for u8 {
    fn from(l: Likert) -> u8 {
        l.0
    }
}

impl TryFrom<u8> for Likert {
    type Error = LikertOutOfRange;
    fn try_from(v: u8) -> Result<Likert, LikertOutOfRange> {
        Likert::new(v)
    }
}

impl fmt::Display for Likert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A version-1 answer to one question that was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum V1Answer {
    /// A point on the scale.
    Score(Likert),
    /// The respondent chose "not applicable".
    #[serde(with = "na_marker")]
    NotApplicable,
}

mod na_marker {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("n/a")
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<(), D::Error> {
        let text = String::deserialize(d)?;
        if text.eq_ignore_ascii_case("n/a") {
            Ok(())
        } else {
            Err(serde::de::Error::custom(format!("expected a score 1-5 or \"n/a\", got {text:?}")))
        }
    }
}

/// A version-1 respondent's answers to q1..q11; `None` where the question was not asked or skipped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "V1AnswersRepr", into = "V1AnswersRepr")]
pub struct V1Answers {
    answers: [Option<V1Answer>; V1_QUESTION_COUNT],
}

#[derive(Serialize, Deserialize)]
struct V1AnswersRepr {
    q: Vec<Option<V1Answer>>,
}

/// Why a set of answers breaks its survey version's rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AnswerError {
    /// A version-1 response where no question was answered.
    #[error("no version-1 question was answered")]
    NoV1Answer,
    /// A version-1 answer list longer than q1..q11.
    #[error("{0} version-1 answers given, at most {V1_QUESTION_COUNT} allowed")]
    TooManyV1Answers(usize),
    /// The trust answer does not fit the survey type (e.g. 3 on a thumbs scale).
    #[error("{value} is not a {scale} answer")]
    TrustOutOfScale {
        /// The survey type.
        scale: TrustScale,
        /// The value given.
        value: i64,
    },
    /// An indicator selected under the polarity the trust answer did not lead to, e.g. a
    /// "what went well" choice after a thumbs down.
    #[error("{column} is selected, but the trust answer {trust} does not show that question")]
    IndicatorAgainstTrust {
        /// The response-upload column, e.g. `positive_ease`.
        column: String,
        /// The trust answer.
        trust: TrustAnswer,
    },
}

impl V1Answers {
    /// Answers for q1..q11 in order; at least one must be given.
    pub fn new(answers: [Option<V1Answer>; V1_QUESTION_COUNT]) -> Result<V1Answers, AnswerError> {
        if answers.iter().all(Option::is_none) {
            return Err(AnswerError::NoV1Answer);
        }
        Ok(V1Answers { answers })
    }

    /// The answer to question index `i` (0 for q1).
    pub fn get(&self, i: usize) -> Option<V1Answer> {
        self.answers.get(i).copied().flatten()
    }

    /// All eleven answers.
    pub fn as_array(&self) -> &[Option<V1Answer>; V1_QUESTION_COUNT] {
        &self.answers
    }
}

impl TryFrom<V1AnswersRepr> for V1Answers {
    type Error = AnswerError;
    fn try_from(r: V1AnswersRepr) -> Result<V1Answers, AnswerError> {
        if r.q.len() > V1_QUESTION_COUNT {
            return Err(AnswerError::TooManyV1Answers(r.q.len()));
        }
        let mut answers = [None; V1_QUESTION_COUNT];
        answers[..r.q.len()].copy_from_slice(&r.q);
        V1Answers::new(answers)
    }
}

impl From<V1Answers> for V1AnswersRepr {
    fn from(a: V1Answers) -> V1AnswersRepr {
        let last = a.answers.iter().rposition(Option::is_some).map_or(0, |i| i + 1);
        V1AnswersRepr { q: a.answers[..last].to_vec() }
    }
}

/// The answer to the version-2 trust question, on its survey's scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "scale", content = "value", rename_all = "snake_case")]
pub enum TrustAnswer {
    /// Thumbs up (`true`, written 1) or down (`false`, written 0).
    ThumbsUpDown(bool),
    /// A point on the 5-point agreement scale.
    LikertScale(Likert),
}

impl TrustAnswer {
    /// Reads Touchpoints' `question_1` value on the given scale (thumbs: 1 up, 0 down; Likert: 1-5).
    pub fn from_value(scale: TrustScale, value: i64) -> Result<TrustAnswer, AnswerError> {
        let out_of_scale = || AnswerError::TrustOutOfScale { scale, value };
        match scale {
            TrustScale::ThumbsUpDown => match value {
                0 => Ok(TrustAnswer::ThumbsUpDown(false)),
                1 => Ok(TrustAnswer::ThumbsUpDown(true)),
                _ => Err(out_of_scale()),
            },
            TrustScale::LikertScale => {
                let v = u8::try_from(value).map_err(|_| out_of_scale())?;
                Likert::new(v).map(TrustAnswer::LikertScale).map_err(|_| out_of_scale())
            }
        }
    }

    /// The survey type it was given on.
    pub fn scale(self) -> TrustScale {
        match self {
            TrustAnswer::ThumbsUpDown(_) => TrustScale::ThumbsUpDown,
            TrustAnswer::LikertScale(_) => TrustScale::LikertScale,
        }
    }

    /// The value as Touchpoints writes it in `question_1`.
    pub fn value(self) -> u8 {
        match self {
            TrustAnswer::ThumbsUpDown(up) => u8::from(up),
            TrustAnswer::LikertScale(l) => l.value(),
        }
    }

    /// Which follow-up question the form shows: "what went well" after thumbs up or 4-5,
    /// "what didn't go so well" after thumbs down or 1-3.
    pub fn follow_up(self) -> Polarity {
        let positive = match self {
            TrustAnswer::ThumbsUpDown(up) => up,
            TrustAnswer::LikertScale(l) => l.agrees(),
        };
        if positive {
            Polarity::Positive
        } else {
            Polarity::Negative
        }
    }

    /// Counts as agreeing: thumbs up, or 4-5.
    pub fn agrees(self) -> bool {
        match self {
            TrustAnswer::ThumbsUpDown(up) => up,
            TrustAnswer::LikertScale(l) => l.agrees(),
        }
    }

    /// Counts as disagreeing: thumbs down, or 1-2. A Likert 3 is neither.
    pub fn disagrees(self) -> bool {
        match self {
            TrustAnswer::ThumbsUpDown(up) => !up,
            TrustAnswer::LikertScale(l) => l.disagrees(),
        }
    }
}

impl fmt::Display for TrustAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustAnswer::ThumbsUpDown(true) => f.write_str("thumbs up"),
            TrustAnswer::ThumbsUpDown(false) => f.write_str("thumbs down"),
            TrustAnswer::LikertScale(l) => write!(f, "{l} on the 5-point scale"),
        }
    }
}

/// One indicator cell of the response upload: 1, 0 or `null`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorState {
    /// On the form and chosen (1).
    Selected,
    /// On the form, not chosen (0).
    NotSelected,
    /// Not on the form (`null`).
    #[default]
    NotOffered,
}

impl IndicatorState {
    /// Whether the form offered it.
    pub fn offered(self) -> bool {
        self != IndicatorState::NotOffered
    }
}

/// The seven indicator cells under one polarity, in [`Indicator::ALL`] order.
pub type IndicatorStates = [IndicatorState; INDICATOR_COUNT];

/// A version-2 respondent's answers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "V2AnswersRepr", into = "V2AnswersRepr")]
pub struct V2Answers {
    trust: TrustAnswer,
    indicators: [IndicatorStates; 2],
}

#[derive(Serialize, Deserialize)]
struct V2AnswersRepr {
    trust: TrustAnswer,
    positive: IndicatorStates,
    negative: IndicatorStates,
}

impl V2Answers {
    /// Checks that no indicator is selected under the question the trust answer did not show, and
    /// records every box of that question as not offered, whatever the source wrote for it.
    ///
    /// The form shows one follow-up, by the trust answer: "What went well?" after 4-5 or a thumbs
    /// up, "What didn't go so well?" after 1-3 or a thumbs down. A respondent was never offered the
    /// other question's boxes, so a `0` written there (as exports that write every box of the form
    /// do) is not a "not selected": counted as one, every respondent of the other side would join
    /// the not-selected group of each box, and its share and its driver of trust would compare the
    /// two sides of the trust answer instead of the box (issue 21).
    pub fn new(
        trust: TrustAnswer,
        positive: IndicatorStates,
        negative: IndicatorStates,
    ) -> Result<V2Answers, AnswerError> {
        let mut indicators = [positive, negative];
        let hidden = match trust.follow_up() {
            Polarity::Positive => Polarity::Negative,
            Polarity::Negative => Polarity::Positive,
        };
        let states = &mut indicators[hidden.index()];
        if let Some(i) = states.iter().position(|s| *s == IndicatorState::Selected) {
            return Err(AnswerError::IndicatorAgainstTrust { column: Indicator::ALL[i].column(hidden), trust });
        }
        *states = [IndicatorState::NotOffered; INDICATOR_COUNT];
        Ok(V2Answers { trust, indicators })
    }

    /// The trust answer.
    pub fn trust(&self) -> TrustAnswer {
        self.trust
    }

    /// The indicator cells under `polarity`.
    pub fn indicators(&self, polarity: Polarity) -> &IndicatorStates {
        &self.indicators[polarity.index()]
    }
}

impl TryFrom<V2AnswersRepr> for V2Answers {
    type Error = AnswerError;
    fn try_from(r: V2AnswersRepr) -> Result<V2Answers, AnswerError> {
        V2Answers::new(r.trust, r.positive, r.negative)
    }
}

impl From<V2Answers> for V2AnswersRepr {
    fn from(a: V2Answers) -> V2AnswersRepr {
        let [positive, negative] = a.indicators;
        V2AnswersRepr { trust: a.trust, positive, negative }
    }
}

/// A respondent's answers, in the form of the survey version they answered.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "version")]
pub enum Answers {
    /// Version 1 (FY2019-FY2023).
    #[serde(rename = "v1")]
    V1(V1Answers),
    /// Version 2 (FY2024 on).
    #[serde(rename = "v2")]
    V2(V2Answers),
}

impl Answers {
    /// The survey version.
    pub fn version(&self) -> SurveyVersion {
        match self {
            Answers::V1(_) => SurveyVersion::V1,
            Answers::V2(_) => SurveyVersion::V2,
        }
    }
}

/// One customer's response to an A-11 survey, after one transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyResponse {
    /// The identifier the source system gave it.
    pub id: ResponseId,
    /// The service the customer used.
    pub service: ServiceId,
    /// The channel they used it through.
    pub channel: Channel,
    /// When in their journey the survey was offered.
    pub transaction_point: TransactionPoint,
    /// When they submitted it, with the offset of the time zone it was recorded in.
    pub submitted_at: DateTime<FixedOffset>,
    /// Their answers.
    pub answers: Answers,
    /// Free-text comment, already redacted of personal data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The Touchpoints collection detail the response was uploaded under, where the input named one
    /// (so records route it back to that detail, not to any detail of the same service and channel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<DetailId>,
    /// Whether fedcx made `id` up because the input left it blank (Touchpoints' `external_id` is
    /// optional); records then write the id back blank, as it was given, rather than invent one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub id_generated: bool,
}

impl SurveyResponse {
    /// The fiscal quarter of the local date it was submitted on.
    pub fn fiscal_quarter(&self) -> Result<FiscalQuarter, FiscalError> {
        FiscalQuarter::from_date(self.submitted_at.date_naive())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn likert(v: u8) -> Likert {
        Likert::new(v).unwrap()
    }

    fn states(selected: &[usize], offered: usize) -> IndicatorStates {
        let mut s = [IndicatorState::NotOffered; INDICATOR_COUNT];
        for (i, cell) in s.iter_mut().enumerate().take(offered) {
            *cell = if selected.contains(&i) { IndicatorState::Selected } else { IndicatorState::NotSelected };
        }
        s
    }

    /// Issue 21: the demo data (and any export writing every box of the form) has 0 under the
    /// question the trust answer hid; read as "not selected", those boxes counted as offered to
    /// respondents who never saw them. They are not offered, on either side.
    #[test]
    fn the_hidden_follow_ups_boxes_are_not_offered() {
        let all_zero = states(&[], INDICATOR_COUNT);
        let a = V2Answers::new(TrustAnswer::LikertScale(likert(5)), states(&[1], INDICATOR_COUNT), all_zero).unwrap();
        assert_eq!(a.indicators(Polarity::Positive), &states(&[1], INDICATOR_COUNT));
        assert_eq!(a.indicators(Polarity::Negative), &[IndicatorState::NotOffered; INDICATOR_COUNT]);
        let a = V2Answers::new(TrustAnswer::LikertScale(likert(3)), all_zero, states(&[0], INDICATOR_COUNT)).unwrap();
        assert_eq!(a.indicators(Polarity::Positive), &[IndicatorState::NotOffered; INDICATOR_COUNT]);
        assert_eq!(a.indicators(Polarity::Negative), &states(&[0], INDICATOR_COUNT));
        let a = V2Answers::new(TrustAnswer::ThumbsUpDown(false), all_zero, all_zero).unwrap();
        assert_eq!(a.indicators(Polarity::Positive), &[IndicatorState::NotOffered; INDICATOR_COUNT]);
        // A ticked box there is still refused, and read back from JSON the rule holds too.
        assert!(V2Answers::new(TrustAnswer::LikertScale(likert(5)), all_zero, states(&[2], 3)).is_err());
        let json = r#"{"trust":{"scale":"likert_scale","value":4},"positive":["not_selected","not_selected","not_selected","not_selected","not_selected","not_selected","not_selected"],"negative":["not_selected","not_selected","not_selected","not_selected","not_selected","not_selected","not_selected"]}"#;
        let a: V2Answers = serde_json::from_str(json).unwrap();
        assert_eq!(a.indicators(Polarity::Negative), &[IndicatorState::NotOffered; INDICATOR_COUNT]);
    }

    #[test]
    fn likert_bounds_and_classes() {
        assert!(Likert::new(0).is_err());
        assert!(Likert::new(6).is_err());
        let classes: Vec<(bool, bool)> = (1..=5).map(|v| (likert(v).agrees(), likert(v).disagrees())).collect();
        assert_eq!(classes, [(false, true), (false, true), (false, false), (true, false), (true, false)]);
    }

    #[test]
    fn trust_scales() {
        assert_eq!(TrustAnswer::from_value(TrustScale::ThumbsUpDown, 1).unwrap(), TrustAnswer::ThumbsUpDown(true));
        assert!(TrustAnswer::from_value(TrustScale::ThumbsUpDown, 3).is_err());
        assert!(TrustAnswer::from_value(TrustScale::LikertScale, 0).is_err());
        assert!(TrustAnswer::from_value(TrustScale::LikertScale, 300).is_err());
        assert_eq!(TrustAnswer::from_value(TrustScale::LikertScale, 3).unwrap().follow_up(), Polarity::Negative);
        assert_eq!(TrustAnswer::from_value(TrustScale::LikertScale, 4).unwrap().follow_up(), Polarity::Positive);
    }

    #[test]
    fn a_positive_indicator_after_thumbs_down_is_refused() {
        let down = TrustAnswer::ThumbsUpDown(false);
        let err = V2Answers::new(down, states(&[1], 7), states(&[], 7)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "positive_ease is selected, but the trust answer thumbs down does not show that question"
        );
        assert!(V2Answers::new(down, states(&[], 7), states(&[0, 2], 7)).is_ok());
        let three = TrustAnswer::LikertScale(likert(3));
        assert!(V2Answers::new(three, states(&[0], 2), states(&[], 2)).is_err());
    }

    #[test]
    fn an_empty_version_one_response_is_refused() {
        assert_eq!(V1Answers::new([None; 11]).unwrap_err(), AnswerError::NoV1Answer);
    }

    #[test]
    fn serde_round_trip_of_both_versions() {
        let mut q = [None; 11];
        q[0] = Some(V1Answer::Score(likert(5)));
        q[6] = Some(V1Answer::NotApplicable);
        let v1 = SurveyResponse {
            id: ResponseId::new("R-1").unwrap(),
            service: ServiceId::new("irs-file-return").unwrap(),
            channel: Channel::Website,
            transaction_point: TransactionPoint::PostInteraction,
            submitted_at: DateTime::parse_from_rfc3339("2023-09-30T23:30:00-04:00").unwrap(),
            answers: Answers::V1(V1Answers::new(q).unwrap()),
            comment: Some("fine".into()),
            detail: None,
            id_generated: false,
        };
        let json = serde_json::to_string(&v1).unwrap();
        assert!(json.contains(r#""answers":{"version":"v1","q":[5,null,null,null,null,null,"n/a"]}"#), "{json}");
        assert_eq!(serde_json::from_str::<SurveyResponse>(&json).unwrap(), v1);
        // Submitted late on 30 September Eastern time: still FY2023 Q4, although UTC is in October.
        assert_eq!(v1.fiscal_quarter().unwrap().to_string(), "FY2023 Q4");

        let v2 = SurveyResponse {
            answers: Answers::V2(
                V2Answers::new(TrustAnswer::ThumbsUpDown(true), states(&[0], 7), states(&[], 7)).unwrap(),
            ),
            comment: None,
            ..v1
        };
        let json = serde_json::to_string(&v2).unwrap();
        assert_eq!(serde_json::from_str::<SurveyResponse>(&json).unwrap(), v2);
    }

    #[test]
    fn deserialising_enforces_the_rules() {
        let bad = r#"{"version":"v2","trust":{"scale":"thumbs_up_down","value":false},
            "positive":["selected","not_offered","not_offered","not_offered","not_offered","not_offered","not_offered"],
            "negative":["not_selected","not_selected","not_offered","not_offered","not_offered","not_offered","not_offered"]}"#;
        let err = serde_json::from_str::<Answers>(bad).unwrap_err().to_string();
        assert!(err.contains("positive_effectiveness is selected"), "{err}");
    }
}
