//! Drivers of trust (version 2): for each "what went well" / "what didn't go well" indicator, how
//! the trust answer of the respondents who selected it differs from that of the respondents who
//! were offered it and did not.
//!
//! The measure is the mean 5-point trust answer, so only 5-point answers enter. Thumbs answers
//! cannot: Touchpoints' form shows the "went well" boxes only after a thumbs up and the "didn't go
//! well" boxes only after a thumbs down, so within the respondents offered an indicator every
//! thumbs answer is the same. The difference of means has a Welch (unequal-variance) normal 95%
//! interval; both groups need `min` respondents, the report's suppression rule.
//!
//! The respondents offered an indicator are those whose trust answer showed its question: 4-5 the
//! "went well" boxes, 1-3 the "didn't go well" ones. Counting the others as "not selected" (their
//! boxes were never on their screen) put every 4-5 answer in each negative box's not-selected group
//! and every 1-3 answer in each positive one's, so each box measured the gap between the two sides
//! of the trust answer, about 2 points on the demo data, instead of its own association (issue 21).

use fedcx_model::survey::{Indicator, Polarity};
#[cfg(doc)]
use fedcx_model::V2Answers;
use fedcx_model::{Answers, IndicatorState, SurveyResponse, TrustAnswer};
use serde::Serialize;

/// One indicator's association with trust.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriverEffect {
    /// "went well" (positive) or "didn't go well" (negative).
    pub polarity: Polarity,
    /// The indicator.
    pub indicator: Indicator,
    /// Respondents offered it who selected it, and their mean trust (1-5).
    pub selected: (u64, f64),
    /// Respondents offered it who did not, and their mean trust.
    pub not_selected: (u64, f64),
    /// selected mean minus not-selected mean, in points of the 5-point scale.
    pub difference: f64,
    /// Its Welch 95% interval.
    pub interval: (f64, f64),
}

/// Running sums for a mean and variance.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    n: u64,
    sum: f64,
    sum_sq: f64,
}

impl Sums {
    fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        self.sum_sq += x * x;
    }

    fn mean(&self) -> f64 {
        self.sum / self.n as f64
    }

    /// The sample variance (n - 1 in the denominator).
    fn variance(&self) -> f64 {
        let n = self.n as f64;
        ((self.sum_sq - self.sum * self.sum / n) / (n - 1.0)).max(0.0)
    }
}

/// The drivers of trust among `responses`, largest absolute difference first. Indicators with
/// fewer than `min` respondents in either group are left out.
pub fn trust_drivers(responses: &[SurveyResponse], min: u64) -> Vec<DriverEffect> {
    let mut sums = [[[Sums::default(); 2]; fedcx_model::survey::INDICATOR_COUNT]; 2];
    for r in responses {
        let Answers::V2(a) = &r.answers else { continue };
        let TrustAnswer::LikertScale(l) = a.trust() else { continue };
        let x = f64::from(l.value());
        // Only the follow-up question the trust answer showed was offered ([`V2Answers::new`]
        // records the other's boxes as not offered as well).
        let p = a.trust().follow_up();
        for (i, state) in a.indicators(p).iter().enumerate() {
            match state {
                IndicatorState::Selected => sums[p.index()][i][0].add(x),
                IndicatorState::NotSelected => sums[p.index()][i][1].add(x),
                IndicatorState::NotOffered => {}
            }
        }
    }
    let min = min.max(2);
    let mut out = Vec::new();
    for p in Polarity::ALL {
        for ind in Indicator::ALL {
            let [sel, not] = sums[p.index()][ind.index()];
            if sel.n < min || not.n < min {
                continue;
            }
            let difference = sel.mean() - not.mean();
            let se = (sel.variance() / sel.n as f64 + not.variance() / not.n as f64).sqrt();
            let half = crate::stats::Z95 * se;
            out.push(DriverEffect {
                polarity: p,
                indicator: ind,
                selected: (sel.n, sel.mean()),
                not_selected: (not.n, not.mean()),
                difference,
                interval: (difference - half, difference + half),
            });
        }
    }
    out.sort_by(|a, b| b.difference.abs().total_cmp(&a.difference.abs()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use fedcx_model::{Channel, IndicatorStates, Likert, ResponseId, ServiceId, TransactionPoint, V2Answers};

    fn likert(v: u8, ease: IndicatorState) -> SurveyResponse {
        let mut pos: IndicatorStates = [IndicatorState::NotOffered; 7];
        let neg: IndicatorStates = [IndicatorState::NotOffered; 7];
        pos[Indicator::Ease.index()] = ease;
        SurveyResponse {
            id: ResponseId::new(&format!("r{v}{ease:?}{}", rand_id())).unwrap(),
            service: ServiceId::new("irs-file").unwrap(),
            channel: Channel::Website,
            transaction_point: TransactionPoint::PostInteraction,
            submitted_at: chrono::DateTime::parse_from_rfc3339("2025-02-01T12:00:00-05:00").unwrap(),
            answers: Answers::V2(V2Answers::new(TrustAnswer::LikertScale(Likert::new(v).unwrap()), pos, neg).unwrap()),
            comment: None,
            detail: None,
            id_generated: false,
        }
    }

    fn rand_id() -> u64 {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        N.fetch_add(1, Ordering::Relaxed)
    }

    /// A respondent of the fixture tests/fixtures/drivers/display-logic.csv: `trust`, and the ease
    /// box of each follow-up, written as that file (and the demo data) writes every box of the
    /// form: 0 or 1, the hidden question's boxes 0 too.
    fn shown(trust: u8, positive_ease: u8, negative_ease: u8) -> SurveyResponse {
        let state = |v| if v == 1 { IndicatorState::Selected } else { IndicatorState::NotSelected };
        let mut pos: IndicatorStates = [IndicatorState::NotSelected; 7];
        let mut neg: IndicatorStates = [IndicatorState::NotSelected; 7];
        pos[Indicator::Ease.index()] = state(positive_ease);
        neg[Indicator::Ease.index()] = state(negative_ease);
        let mut r = likert(trust, IndicatorState::NotOffered);
        r.answers =
            Answers::V2(V2Answers::new(TrustAnswer::LikertScale(Likert::new(trust).unwrap()), pos, neg).unwrap());
        r
    }

    /// Issue 21: a 5-point survey with display logic. Trust 4-5 shows "What went well?", 1-3 "What
    /// didn't go so well?"; the hidden question's boxes are written 0. By hand, offered = shown:
    ///
    /// - positive_ease, offered to the six 4-5 answers: selected {5, 5, 4}, mean 14/3 = 4.6667;
    ///   not selected {5, 4, 4}, mean 13/3 = 4.3333; difference 1/3. Variances: each group
    ///   ((1/3)^2 + (1/3)^2 + (2/3)^2) / 2 = 1/3; se = sqrt(1/9 + 1/9) = 0.471405; half-width
    ///   1.959964 x 0.471405 = 0.923936.
    /// - negative_ease, offered to the five 1-3 answers: selected {1, 2}, mean 1.5; not selected
    ///   {3, 2, 3}, mean 8/3 = 2.6667; difference -7/6 = -1.1667. Variances 0.5 and 1/3; se =
    ///   sqrt(0.5/2 + (1/3)/3) = sqrt(13/36) = 0.600925; half-width 1.177792.
    ///
    /// Before the fix the hidden 0s were "not selected": positive_ease's not-selected group was
    /// {5, 4, 4} and the five 1-3 answers, 8 at mean 24/8 = 3.0 (difference 1.6667), and
    /// negative_ease's was {3, 2, 3} and the six 4-5 answers, 9 at mean 35/9 = 3.889 (difference
    /// -2.389, ranked first): the symptom seen on the demo data.
    #[test]
    fn only_the_follow_up_shown_is_offered() {
        let rs = vec![
            shown(5, 1, 0),
            shown(5, 1, 0),
            shown(4, 1, 0),
            shown(5, 0, 0),
            shown(4, 0, 0),
            shown(4, 0, 0),
            shown(1, 0, 1),
            shown(2, 0, 1),
            shown(3, 0, 0),
            shown(2, 0, 0),
            shown(3, 0, 0),
        ];
        let d = trust_drivers(&rs, 2);
        assert_eq!(d.len(), 2, "{d:?}");
        let (neg, pos) = (&d[0], &d[1]);
        assert_eq!((neg.polarity, neg.indicator), (Polarity::Negative, Indicator::Ease));
        assert_eq!((neg.selected.0, neg.not_selected.0), (2, 3));
        assert!((neg.selected.1 - 1.5).abs() < 1e-12 && (neg.not_selected.1 - 8.0 / 3.0).abs() < 1e-12, "{neg:?}");
        assert!((neg.difference + 7.0 / 6.0).abs() < 1e-12, "{neg:?}");
        let half = 1.959_963_984_540_054 * (13.0f64 / 36.0).sqrt();
        assert!((half - 1.177_792).abs() < 1e-6 && (neg.interval.1 - (-7.0 / 6.0 + half)).abs() < 1e-12);
        assert_eq!((pos.polarity, pos.indicator), (Polarity::Positive, Indicator::Ease));
        assert_eq!((pos.selected.0, pos.not_selected.0), (3, 3));
        assert!((pos.selected.1 - 14.0 / 3.0).abs() < 1e-12 && (pos.not_selected.1 - 13.0 / 3.0).abs() < 1e-12);
        assert!((pos.difference - 1.0 / 3.0).abs() < 1e-12, "{pos:?}");
        let half = 1.959_963_984_540_054 * (2.0f64 / 9.0).sqrt();
        assert!((half - 0.923_936).abs() < 1e-6 && (pos.interval.0 - (1.0 / 3.0 - half)).abs() < 1e-12);
    }

    /// Hand computation. Selected: 15 fives and 5 fours, mean 4.75, variance
    /// (15 x 0.25^2 + 5 x 0.75^2) / 19 = 3.75 / 19. Not selected: 10 fives and 10 fours, mean 4.5,
    /// variance 20 x 0.25 / 19 = 5 / 19. Difference 0.25; standard error
    /// sqrt((3.75/19)/20 + (5/19)/20) = sqrt(8.75 / 380) = 0.151745...; half-width
    /// 1.959964 x 0.151745 = 0.297414; interval [-0.047414, 0.547414].
    #[test]
    fn a_driver_matches_the_hand_computation() {
        let mut rs = Vec::new();
        rs.extend((0..15).map(|_| likert(5, IndicatorState::Selected)));
        rs.extend((0..5).map(|_| likert(4, IndicatorState::Selected)));
        rs.extend((0..10).map(|_| likert(5, IndicatorState::NotSelected)));
        rs.extend((0..10).map(|_| likert(4, IndicatorState::NotSelected)));
        let d = trust_drivers(&rs, 20);
        assert_eq!(d.len(), 1);
        let e = &d[0];
        assert_eq!((e.polarity, e.indicator), (Polarity::Positive, Indicator::Ease));
        assert_eq!(e.selected.0, 20);
        assert!((e.selected.1 - 4.75).abs() < 1e-12 && (e.not_selected.1 - 4.5).abs() < 1e-12);
        assert!((e.difference - 0.25).abs() < 1e-12);
        let half = 1.959_963_984_540_054 * (8.75f64 / 380.0).sqrt();
        assert!((e.interval.0 - (0.25 - half)).abs() < 1e-12, "{:?}", e.interval);
        assert!((half - 0.297_414).abs() < 1e-6, "{half}");
        // Below the minimum in one group: left out.
        assert!(trust_drivers(&rs, 21).is_empty());
    }
}
