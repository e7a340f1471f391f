//! Counts of answers per (service, channel, fiscal quarter): what every statistic is computed from.
//!
//! [`Tally`] and [`ResponseCounts`] are commutative monoids under `merge`, with `default()` as the
//! identity. That is what lets counts be made in parallel, on several machines or in another engine,
//! and merged exactly: the result never depends on how the responses were split or in what order
//! the parts arrive.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::channel::Channel;
use crate::fiscal::FiscalQuarter;
use crate::ids::ServiceId;
use crate::response::{Answers, IndicatorState, Likert, SurveyResponse, TrustAnswer, V1Answer};
use crate::survey::{Polarity, INDICATOR_COUNT, V1_QUESTION_COUNT};

/// The largest count fedcx accepts from any input: 2^53, the largest integer that every consumer
/// of its outputs (JSON readers, spreadsheets, SQLite's signed 64-bit integers after sums) keeps
/// exactly. No real survey or volume comes near it, so a larger value is a corrupt or hostile file.
pub const MAX_COUNT: u64 = 1 << 53;

/// The group counts are kept for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct GroupKey {
    /// The service.
    pub service: ServiceId,
    /// The channel.
    pub channel: Channel,
    /// The fiscal quarter.
    pub quarter: FiscalQuarter,
}

/// Counts at each point of a 5-point scale, index 0 for 1.
pub type ScaleCounts = [u64; 5];

/// Version-1 counts: per question, how many answered each scale point and how many said N/A.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct V1Tally {
    /// Respondents counted.
    pub respondents: u64,
    /// Per question (index 0 for q1), the count at each scale point.
    pub scores: [ScaleCounts; V1_QUESTION_COUNT],
    /// Per question, how many answered "not applicable".
    pub not_applicable: [u64; V1_QUESTION_COUNT],
}

/// How often one indicator was selected, among the respondents it was offered to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorTally {
    /// Respondents who were shown the question with this indicator on the form.
    pub offered: u64,
    /// Of those, how many selected it.
    pub selected: u64,
}

impl IndicatorTally {
    fn merge(&mut self, other: &IndicatorTally) {
        self.offered = self.offered.saturating_add(other.offered);
        self.selected = self.selected.saturating_add(other.selected);
    }
}

/// Version-2 counts: trust answers by scale point, and each indicator by polarity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct V2Tally {
    /// Respondents counted.
    pub respondents: u64,
    /// Thumbs answers: index 0 down, 1 up.
    pub thumbs: [u64; 2],
    /// 5-point answers, index 0 for 1.
    pub likert: ScaleCounts,
    /// Per polarity (0 positive, 1 negative) and indicator, offered and selected counts.
    pub indicators: [[IndicatorTally; INDICATOR_COUNT]; 2],
}

impl V2Tally {
    /// The tally for one indicator under one polarity.
    pub fn indicator(&self, polarity: Polarity, indicator: crate::survey::Indicator) -> IndicatorTally {
        self.indicators[polarity.index()][indicator.index()]
    }
}

/// All counts for one group: both survey versions, since a group's quarter may hold either.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Version-1 counts.
    pub v1: V1Tally,
    /// Version-2 counts.
    pub v2: V2Tally,
}

impl Tally {
    /// Adds one response's answers.
    pub fn add(&mut self, answers: &Answers) {
        match answers {
            Answers::V1(a) => {
                self.v1.respondents += 1;
                for (i, answer) in a.as_array().iter().enumerate() {
                    match answer {
                        Some(V1Answer::Score(l)) => self.v1.scores[i][l.index()] += 1,
                        Some(V1Answer::NotApplicable) => self.v1.not_applicable[i] += 1,
                        None => {}
                    }
                }
            }
            Answers::V2(a) => {
                self.v2.respondents += 1;
                match a.trust() {
                    TrustAnswer::ThumbsUpDown(up) => self.v2.thumbs[usize::from(up)] += 1,
                    TrustAnswer::LikertScale(l) => self.v2.likert[l.index()] += 1,
                }
                // Only the follow-up question the form showed counts as offered.
                let shown = a.trust().follow_up();
                let tallies = &mut self.v2.indicators[shown.index()];
                for (tally, state) in tallies.iter_mut().zip(a.indicators(shown)) {
                    if state.offered() {
                        tally.offered += 1;
                    }
                    if *state == IndicatorState::Selected {
                        tally.selected += 1;
                    }
                }
            }
        }
    }

    /// This tally less `other`, or `None` when `other` holds a count this one does not (the
    /// checked inverse of [`Tally::merge`]).
    pub fn checked_sub(&self, other: &Tally) -> Option<Tally> {
        fn sub_scale(a: &ScaleCounts, b: &ScaleCounts) -> Option<ScaleCounts> {
            let mut out = [0; 5];
            for (o, (x, y)) in out.iter_mut().zip(a.iter().zip(b)) {
                *o = x.checked_sub(*y)?;
            }
            Some(out)
        }
        let mut out = self.clone();
        out.v1.respondents = self.v1.respondents.checked_sub(other.v1.respondents)?;
        for i in 0..V1_QUESTION_COUNT {
            out.v1.scores[i] = sub_scale(&self.v1.scores[i], &other.v1.scores[i])?;
            out.v1.not_applicable[i] = self.v1.not_applicable[i].checked_sub(other.v1.not_applicable[i])?;
        }
        out.v2.respondents = self.v2.respondents.checked_sub(other.v2.respondents)?;
        for i in 0..2 {
            out.v2.thumbs[i] = self.v2.thumbs[i].checked_sub(other.v2.thumbs[i])?;
        }
        out.v2.likert = sub_scale(&self.v2.likert, &other.v2.likert)?;
        for (mine, theirs) in out.v2.indicators.iter_mut().flatten().zip(other.v2.indicators.iter().flatten()) {
            mine.offered = mine.offered.checked_sub(theirs.offered)?;
            mine.selected = mine.selected.checked_sub(theirs.selected)?;
        }
        Some(out)
    }

    /// Adds another tally into this one. Associative and commutative; `Tally::default()` is the identity.
    ///
    /// Sums stop at `u64::MAX` rather than wrap (saturating addition of counts is still associative
    /// and commutative), so a hostile input can make a count too large, never small again: every
    /// count above [`MAX_COUNT`] is refused where counts leave fedcx (ingest, the store).
    pub fn merge(&mut self, other: &Tally) {
        self.v1.respondents = self.v1.respondents.saturating_add(other.v1.respondents);
        for (mine, theirs) in self.v1.scores.iter_mut().zip(&other.v1.scores) {
            add_scale(mine, theirs);
        }
        for (mine, theirs) in self.v1.not_applicable.iter_mut().zip(&other.v1.not_applicable) {
            *mine = mine.saturating_add(*theirs);
        }
        self.v2.respondents = self.v2.respondents.saturating_add(other.v2.respondents);
        self.v2.thumbs[0] = self.v2.thumbs[0].saturating_add(other.v2.thumbs[0]);
        self.v2.thumbs[1] = self.v2.thumbs[1].saturating_add(other.v2.thumbs[1]);
        add_scale(&mut self.v2.likert, &other.v2.likert);
        for (mine, theirs) in self.v2.indicators.iter_mut().zip(&other.v2.indicators) {
            for (m, t) in mine.iter_mut().zip(theirs) {
                m.merge(t);
            }
        }
    }

    /// Respondents of either version (at most `u64::MAX`, see [`Tally::merge`]).
    pub fn respondents(&self) -> u64 {
        self.v1.respondents.saturating_add(self.v2.respondents)
    }

    /// Whether nothing has been counted.
    pub fn is_empty(&self) -> bool {
        *self == Tally::default()
    }
}

/// One non-zero count of a tally in long form: which item (`q3`, `trust_thumbs`, `positive_ease`,
/// `respondents`), which point of it (`4`, `na`, `up`, `selected`, `v1`) and how many. This is the
/// columnar form counts are stored and exported in; [`Tally::cells`] and [`Tally::add_cell`] convert
/// losslessly, and summing cells is merging tallies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Cell {
    /// The item.
    pub item: String,
    /// The point of the item.
    pub point: String,
    /// The count.
    pub n: u64,
}

/// A cell name that no tally field has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{item:?} / {point:?} is not a count fedcx keeps (items: respondents, q1..q11, trust_thumbs, trust_likert, positive_*/negative_* indicators)")]
pub struct UnknownCell {
    /// The item given.
    pub item: String,
    /// The point given.
    pub point: String,
}

impl Tally {
    /// The tally's non-zero counts in long form, in a fixed order.
    pub fn cells(&self) -> Vec<Cell> {
        let mut out = Vec::new();
        let mut push = |item: String, point: &str, n: u64| {
            if n > 0 {
                out.push(Cell { item, point: point.to_owned(), n });
            }
        };
        push("respondents".into(), "v1", self.v1.respondents);
        push("respondents".into(), "v2", self.v2.respondents);
        for q in 0..V1_QUESTION_COUNT {
            for (k, n) in self.v1.scores[q].iter().enumerate() {
                push(format!("q{}", q + 1), SCALE_POINTS[k], *n);
            }
            push(format!("q{}", q + 1), "na", self.v1.not_applicable[q]);
        }
        push("trust_thumbs".into(), "down", self.v2.thumbs[0]);
        push("trust_thumbs".into(), "up", self.v2.thumbs[1]);
        for (k, n) in self.v2.likert.iter().enumerate() {
            push("trust_likert".into(), SCALE_POINTS[k], *n);
        }
        for p in Polarity::ALL {
            for ind in crate::survey::Indicator::ALL {
                let t = self.v2.indicators[p.index()][ind.index()];
                push(ind.column(p), "offered", t.offered);
                push(ind.column(p), "selected", t.selected);
            }
        }
        out
    }

    /// Adds one long-form count to the tally.
    pub fn add_cell(&mut self, item: &str, point: &str, n: u64) -> Result<(), UnknownCell> {
        let unknown = || UnknownCell { item: item.to_owned(), point: point.to_owned() };
        let scale = |point: &str| SCALE_POINTS.iter().position(|p| *p == point);
        let slot: &mut u64 = match item {
            "respondents" => match point {
                "v1" => &mut self.v1.respondents,
                "v2" => &mut self.v2.respondents,
                _ => return Err(unknown()),
            },
            "trust_thumbs" => match point {
                "down" => &mut self.v2.thumbs[0],
                "up" => &mut self.v2.thumbs[1],
                _ => return Err(unknown()),
            },
            "trust_likert" => &mut self.v2.likert[scale(point).ok_or_else(unknown)?],
            q if q.starts_with('q') => {
                let i: usize =
                    q[1..].parse().ok().filter(|i| (1..=V1_QUESTION_COUNT).contains(i)).ok_or_else(unknown)?;
                if point == "na" {
                    &mut self.v1.not_applicable[i - 1]
                } else {
                    &mut self.v1.scores[i - 1][scale(point).ok_or_else(unknown)?]
                }
            }
            other => {
                let (p, ind) = Polarity::ALL
                    .into_iter()
                    .flat_map(|p| crate::survey::Indicator::ALL.into_iter().map(move |i| (p, i)))
                    .find(|(p, i)| i.column(*p) == other)
                    .ok_or_else(unknown)?;
                let t = &mut self.v2.indicators[p.index()][ind.index()];
                match point {
                    "offered" => &mut t.offered,
                    "selected" => &mut t.selected,
                    _ => return Err(unknown()),
                }
            }
        };
        // As in `merge`: too large stays too large.
        *slot = slot.saturating_add(n);
        Ok(())
    }
}

/// The points of the 5-point scale as cell names.
const SCALE_POINTS: [&str; 5] = ["1", "2", "3", "4", "5"];

fn add_scale(mine: &mut ScaleCounts, theirs: &ScaleCounts) {
    for (m, t) in mine.iter_mut().zip(theirs) {
        *m = m.saturating_add(*t);
    }
}

/// Counts for many groups.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ResponseCounts {
    #[serde(with = "groups_as_list")]
    groups: BTreeMap<GroupKey, Tally>,
}

/// JSON objects need string keys, so groups are written as a list of `{key, tally}` pairs.
mod groups_as_list {
    use super::*;
    use serde::{Deserializer, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Entry {
        #[serde(flatten)]
        key: GroupKey,
        tally: Tally,
    }

    pub fn serialize<S: Serializer>(groups: &BTreeMap<GroupKey, Tally>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(groups.iter().map(|(k, t)| Entry { key: k.clone(), tally: t.clone() }))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<GroupKey, Tally>, D::Error> {
        let entries = Vec::<Entry>::deserialize(d)?;
        let mut out = BTreeMap::new();
        for e in entries {
            out.entry(e.key).or_insert_with(Tally::default).merge(&e.tally);
        }
        Ok(out)
    }
}

/// Why counts could not be changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CountsError {
    /// A response to take out was not in the counts.
    #[error("the response is not in the counts it is taken out of")]
    NotCounted,
}

impl ResponseCounts {
    /// Adds one response to its group. The response's quarter is that of its local submission date.
    pub fn add_response(&mut self, response: &SurveyResponse) -> Result<(), crate::fiscal::FiscalError> {
        let key = GroupKey {
            service: response.service.clone(),
            channel: response.channel,
            quarter: response.fiscal_quarter()?,
        };
        self.groups.entry(key).or_default().add(&response.answers);
        Ok(())
    }

    /// Takes one response, added before, out of its group again: the inverse of
    /// [`ResponseCounts::add_response`], for a response found to be a duplicate only after it was
    /// counted. A group left with nothing is removed, so the result equals never having added it.
    /// Fails, changing nothing, when the response's answers are not all in its group's counts.
    pub fn remove_response(&mut self, response: &SurveyResponse) -> Result<(), CountsError> {
        let key = GroupKey {
            service: response.service.clone(),
            channel: response.channel,
            quarter: response.fiscal_quarter().map_err(|_| CountsError::NotCounted)?,
        };
        let mut one = Tally::default();
        one.add(&response.answers);
        let tally = self.groups.get_mut(&key).ok_or(CountsError::NotCounted)?;
        *tally = tally.checked_sub(&one).ok_or(CountsError::NotCounted)?;
        if *tally == Tally::default() {
            self.groups.remove(&key);
        }
        Ok(())
    }

    /// Adds a tally to a group.
    pub fn add_tally(&mut self, key: &GroupKey, tally: &Tally) {
        match self.groups.get_mut(key) {
            Some(t) => t.merge(tally),
            None => {
                self.groups.insert(key.clone(), tally.clone());
            }
        }
    }

    /// Adds all of another set of counts into this one. Associative and commutative;
    /// `ResponseCounts::default()` is the identity.
    pub fn merge(&mut self, other: &ResponseCounts) {
        for (k, t) in &other.groups {
            self.add_tally(k, t);
        }
    }

    /// The groups, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&GroupKey, &Tally)> {
        self.groups.iter()
    }

    /// The tally of one group.
    pub fn get(&self, key: &GroupKey) -> Option<&Tally> {
        self.groups.get(key)
    }

    /// The number of groups.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether there are no groups.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Respondents over all groups (at most `u64::MAX`, see [`Tally::merge`]).
    pub fn respondents(&self) -> u64 {
        self.groups.values().map(Tally::respondents).fold(0, u64::saturating_add)
    }

    /// The quarters that have any counts, in order.
    pub fn quarters(&self) -> Vec<FiscalQuarter> {
        let mut q: Vec<FiscalQuarter> = self.groups.keys().map(|k| k.quarter).collect();
        q.sort_unstable();
        q.dedup();
        q
    }

    /// The sum of the tallies of every group that `keep` accepts.
    pub fn sum_where(&self, mut keep: impl FnMut(&GroupKey) -> bool) -> Tally {
        let mut total = Tally::default();
        for (k, t) in &self.groups {
            if keep(k) {
                total.merge(t);
            }
        }
        total
    }
}

impl FromIterator<(GroupKey, Tally)> for ResponseCounts {
    fn from_iter<I: IntoIterator<Item = (GroupKey, Tally)>>(iter: I) -> ResponseCounts {
        let mut out = ResponseCounts::default();
        for (k, t) in iter {
            out.add_tally(&k, &t);
        }
        out
    }
}

impl Likert {
    /// The mean of a scale's counts, or `None` when there are none.
    pub fn mean_of(counts: &ScaleCounts) -> Option<f64> {
        let n: u64 = counts.iter().sum();
        if n == 0 {
            return None;
        }
        let weighted: u64 = counts.iter().zip(1u64..).map(|(c, k)| c * k).sum();
        Some(weighted as f64 / n as f64)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::response::{V1Answers, V2Answers};
    use crate::survey::Indicator;
    use proptest::prelude::*;

    pub(crate) fn arb_tally() -> impl Strategy<Value = Tally> {
        let small = || 0u64..1000;
        (
            (small(), prop::array::uniform11(prop::array::uniform5(small())), prop::array::uniform11(small())),
            (
                small(),
                prop::array::uniform2(small()),
                prop::array::uniform5(small()),
                prop::array::uniform2(prop::array::uniform7((small(), small()))),
            ),
        )
            .prop_map(|((r1, scores, na), (r2, thumbs, likert, ind))| Tally {
                v1: V1Tally { respondents: r1, scores, not_applicable: na },
                v2: V2Tally {
                    respondents: r2,
                    thumbs,
                    likert,
                    indicators: ind.map(|row| row.map(|(o, s)| IndicatorTally { offered: o, selected: s })),
                },
            })
    }

    fn arb_key() -> impl Strategy<Value = GroupKey> {
        (0usize..3, 0usize..18, 2022u16..2026, 1u8..=4).prop_map(|(s, c, y, q)| GroupKey {
            service: ServiceId::new(["irs-file", "ssa-apply", "va-claim"][s]).unwrap(),
            channel: Channel::ALL[c],
            quarter: FiscalQuarter::new(y, crate::fiscal::Quarter::from_number(q).unwrap()).unwrap(),
        })
    }

    fn arb_counts() -> impl Strategy<Value = ResponseCounts> {
        prop::collection::vec((arb_key(), arb_tally()), 0..6).prop_map(|v| v.into_iter().collect())
    }

    fn merged<T: Clone>(a: &T, b: &T, merge: fn(&mut T, &T)) -> T {
        let mut out = a.clone();
        merge(&mut out, b);
        out
    }

    proptest! {
        #[test]
        fn tally_merge_is_associative(a in arb_tally(), b in arb_tally(), c in arb_tally()) {
            let left = merged(&merged(&a, &b, Tally::merge), &c, Tally::merge);
            let right = merged(&a, &merged(&b, &c, Tally::merge), Tally::merge);
            prop_assert_eq!(left, right);
        }

        #[test]
        fn tally_merge_is_commutative(a in arb_tally(), b in arb_tally()) {
            prop_assert_eq!(merged(&a, &b, Tally::merge), merged(&b, &a, Tally::merge));
        }

        /// Subtraction undoes a merge, and refuses to take out what is not there.
        #[test]
        fn tally_checked_sub_inverts_merge(a in arb_tally(), b in arb_tally()) {
            let sum = merged(&a, &b, Tally::merge);
            prop_assert_eq!(sum.checked_sub(&b), Some(a.clone()));
            let mut more = b.clone();
            more.v2.respondents += sum.v2.respondents + 1;
            prop_assert_eq!(sum.checked_sub(&more), None);
        }

        #[test]
        fn tally_identity(a in arb_tally()) {
            prop_assert_eq!(merged(&a, &Tally::default(), Tally::merge), a.clone());
            prop_assert_eq!(merged(&Tally::default(), &a, Tally::merge), a);
        }

        #[test]
        fn counts_merge_is_associative(a in arb_counts(), b in arb_counts(), c in arb_counts()) {
            let left = merged(&merged(&a, &b, ResponseCounts::merge), &c, ResponseCounts::merge);
            let right = merged(&a, &merged(&b, &c, ResponseCounts::merge), ResponseCounts::merge);
            prop_assert_eq!(left, right);
        }

        #[test]
        fn counts_merge_is_commutative(a in arb_counts(), b in arb_counts()) {
            prop_assert_eq!(merged(&a, &b, ResponseCounts::merge), merged(&b, &a, ResponseCounts::merge));
        }

        #[test]
        fn counts_identity(a in arb_counts()) {
            prop_assert_eq!(merged(&a, &ResponseCounts::default(), ResponseCounts::merge), a.clone());
            prop_assert_eq!(merged(&ResponseCounts::default(), &a, ResponseCounts::merge), a);
        }

        #[test]
        fn respondents_add_up_under_merge(a in arb_counts(), b in arb_counts()) {
            let m = merged(&a, &b, ResponseCounts::merge);
            prop_assert_eq!(m.respondents(), a.respondents() + b.respondents());
        }

        #[test]
        fn cells_round_trip(a in arb_tally()) {
            let mut back = Tally::default();
            for c in a.cells() {
                back.add_cell(&c.item, &c.point, c.n).unwrap();
            }
            prop_assert_eq!(back, a);
        }

        #[test]
        fn summing_cells_is_merging(a in arb_tally(), b in arb_tally()) {
            let mut sum = Tally::default();
            for c in a.cells().into_iter().chain(b.cells()) {
                sum.add_cell(&c.item, &c.point, c.n).unwrap();
            }
            prop_assert_eq!(sum, merged(&a, &b, Tally::merge));
        }

        #[test]
        fn serde_round_trip(a in arb_counts()) {
            let json = serde_json::to_string(&a).unwrap();
            prop_assert_eq!(serde_json::from_str::<ResponseCounts>(&json).unwrap(), a);
        }
    }

    #[test]
    fn adding_responses_counts_the_shown_follow_up_only() {
        let l = |v| Likert::new(v).unwrap();
        let mut t = Tally::default();
        let mut q = [None; 11];
        q[0] = Some(V1Answer::Score(l(4)));
        q[1] = Some(V1Answer::NotApplicable);
        t.add(&Answers::V1(V1Answers::new(q).unwrap()));
        assert_eq!(t.v1.scores[0], [0, 0, 0, 1, 0]);
        assert_eq!(t.v1.not_applicable[1], 1);

        let mut pos = [IndicatorState::NotOffered; 7];
        pos[0] = IndicatorState::Selected;
        pos[1] = IndicatorState::NotSelected;
        let neg = [IndicatorState::NotSelected; 7];
        t.add(&Answers::V2(V2Answers::new(TrustAnswer::ThumbsUpDown(true), pos, neg).unwrap()));
        assert_eq!(t.v2.thumbs, [0, 1]);
        assert_eq!(
            t.v2.indicator(Polarity::Positive, Indicator::Effectiveness),
            IndicatorTally { offered: 1, selected: 1 }
        );
        assert_eq!(t.v2.indicator(Polarity::Positive, Indicator::Ease), IndicatorTally { offered: 1, selected: 0 });
        assert_eq!(t.v2.indicator(Polarity::Positive, Indicator::Other), IndicatorTally::default());
        // The negative question was not shown after a thumbs up, so nothing was offered there.
        assert_eq!(t.v2.indicator(Polarity::Negative, Indicator::Ease), IndicatorTally::default());
        assert_eq!(t.respondents(), 2);
    }

    #[test]
    fn unknown_cells_are_refused() {
        let mut t = Tally::default();
        for (item, point) in
            [("q12", "1"), ("q1", "6"), ("trust_thumbs", "sideways"), ("positive_mood", "offered"), ("x", "y")]
        {
            assert!(t.add_cell(item, point, 1).is_err(), "{item}/{point}");
        }
        assert!(t.is_empty());
    }

    #[test]
    fn mean_of_counts() {
        assert_eq!(Likert::mean_of(&[0; 5]), None);
        assert_eq!(Likert::mean_of(&[1, 0, 0, 0, 1]), Some(3.0));
        assert_eq!(Likert::mean_of(&[0, 0, 0, 3, 1]), Some(4.25));
    }
}
