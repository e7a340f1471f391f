//! The employee leg of the balanced scorecard: OPM's Federal Employee Viewpoint Survey (FEVS).
//!
//! FEVS names agencies by a two-letter code (`TR` Treasury, `HS` Homeland Security, `SZ` Social
//! Security) and, in the years its public release data file (PRDF) carries a `LEVEL1` column, their
//! first-level sub-agencies by a four-character code starting with the agency's (`TR93` IRS, `HS01`
//! USCIS). These codes are FEVS's own: they are not OPM's workforce-data sub-element codes, so a
//! provider is joined to FEVS only through the registry's curated crosswalk ([`FevsLink`]), never by
//! code alone.
//!
//! This module holds the codes ([`FevsAgency`], [`FevsSubAgency`], [`SurveyYear`]), the per-year map
//! of which questions make each index ([`ItemMap`], [`item_map`]), the weighted answer counts every
//! index is computed from ([`FevsCounts`], a commutative monoid like [`crate::ResponseCounts`]), and
//! the results ([`FevsResult`]) with "not measured" as an explicit state ([`Measured`]), never 0.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Text that is not a valid FEVS code or year.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a valid {kind}: {why}")]
pub struct InvalidFevsCode {
    /// What was expected.
    pub kind: &'static str,
    /// The text given.
    pub value: String,
    /// What is wrong with it.
    pub why: &'static str,
}

/// A FEVS agency code: two uppercase ASCII letters (`TR`, `HS`, `SZ`; `XX` is OPM's pool of small
/// agencies, not an agency).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FevsAgency([u8; 2]);

impl FevsAgency {
    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII letters, checked in `from_str`.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl FromStr for FevsAgency {
    type Err = InvalidFevsCode;
    fn from_str(s: &str) -> Result<FevsAgency, InvalidFevsCode> {
        let b = s.trim().as_bytes();
        if b.len() != 2 || !b.iter().all(u8::is_ascii_uppercase) {
            return Err(InvalidFevsCode {
                kind: "FEVS agency code",
                value: s.to_owned(),
                why: "expected two uppercase letters, e.g. TR or HS",
            });
        }
        Ok(FevsAgency([b[0], b[1]]))
    }
}

/// A FEVS first-level sub-agency code (`LEVEL1`): four uppercase letters or digits, the first two
/// its agency's code (`TR93`, `HS01`, `VA02`). OPM writes `..ZZ` for "all other" units of an agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FevsSubAgency([u8; 4]);

impl FevsSubAgency {
    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("????")
    }

    /// The agency it belongs to (its first two characters).
    pub fn agency(&self) -> FevsAgency {
        FevsAgency([self.0[0], self.0[1]])
    }
}

impl FromStr for FevsSubAgency {
    type Err = InvalidFevsCode;
    fn from_str(s: &str) -> Result<FevsSubAgency, InvalidFevsCode> {
        let b = s.trim().as_bytes();
        let fail = |why| Err(InvalidFevsCode { kind: "FEVS sub-agency code (LEVEL1)", value: s.to_owned(), why });
        if b.len() != 4 || !b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
            return fail("expected four uppercase letters or digits, e.g. TR93");
        }
        if !b[..2].iter().all(u8::is_ascii_uppercase) {
            return fail("expected the agency's two-letter code first, e.g. TR93");
        }
        Ok(FevsSubAgency([b[0], b[1], b[2], b[3]]))
    }
}

/// A FEVS survey year (the calendar year the survey was fielded; FEVS has run under that name
/// since 2010, as the Federal Human Capital Survey from 2002).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct SurveyYear(u16);

impl SurveyYear {
    /// The first year accepted: the Federal Human Capital Survey's first.
    pub const FIRST: u16 = 2002;
    /// The last year accepted; later text is almost surely a misplaced column.
    pub const LAST: u16 = 2100;

    /// A year from 2002 to 2100.
    pub fn new(year: u16) -> Result<SurveyYear, InvalidFevsCode> {
        if (Self::FIRST..=Self::LAST).contains(&year) {
            Ok(SurveyYear(year))
        } else {
            Err(InvalidFevsCode {
                kind: "FEVS survey year",
                value: year.to_string(),
                why: "expected a year from 2002 (the first Federal Human Capital Survey) to 2100",
            })
        }
    }

    /// The year as a number.
    pub fn get(self) -> u16 {
        self.0
    }
}

impl TryFrom<u16> for SurveyYear {
    type Error = InvalidFevsCode;
    fn try_from(y: u16) -> Result<SurveyYear, InvalidFevsCode> {
        SurveyYear::new(y)
    }
}

impl From<SurveyYear> for u16 {
    fn from(y: SurveyYear) -> u16 {
        y.0
    }
}

macro_rules! code_text {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl TryFrom<String> for $t {
            type Error = InvalidFevsCode;
            fn try_from(s: String) -> Result<$t, InvalidFevsCode> {
                s.parse()
            }
        }
        impl From<$t> for String {
            fn from(c: $t) -> String {
                c.as_str().to_owned()
            }
        }
    };
}
code_text!(FevsAgency);
code_text!(FevsSubAgency);

impl fmt::Display for SurveyYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The unit a FEVS result is for: a whole agency or one of its first-level sub-agencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FevsUnit {
    /// A whole agency (`AGENCY`).
    Agency(FevsAgency),
    /// A first-level sub-agency (`LEVEL1`).
    SubAgency(FevsSubAgency),
}

impl fmt::Display for FevsUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FevsUnit::Agency(a) => a.fmt(f),
            FevsUnit::SubAgency(s) => s.fmt(f),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The registry's crosswalk
// ---------------------------------------------------------------------------------------------

/// What FEVS has for a provider over a span of survey years, as the registry's curator judged it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FevsMatch {
    /// FEVS publishes the provider itself: a whole agency (SSA is `SZ`).
    Agency(FevsAgency),
    /// FEVS publishes the provider as a first-level sub-agency (IRS is `TR93`).
    SubAgency(FevsSubAgency),
    /// FEVS does not publish the provider's own unit in these years; the value shown is its parent
    /// agency's, and the scorecard must say so.
    ParentAgency(FevsAgency),
    /// FEVS has no value for the provider in these years (its agency did not take part, or the
    /// provider spans agencies): the scorecard says "not measured".
    NotSurveyed,
}

impl FevsMatch {
    /// The unit whose results stand for the provider, if any.
    pub fn unit(&self) -> Option<FevsUnit> {
        match self {
            FevsMatch::Agency(a) | FevsMatch::ParentAgency(a) => Some(FevsUnit::Agency(*a)),
            FevsMatch::SubAgency(s) => Some(FevsUnit::SubAgency(*s)),
            FevsMatch::NotSurveyed => None,
        }
    }

    /// Whether the value shown is a parent agency's, not the provider's own.
    pub fn is_parent(&self) -> bool {
        match self {
            FevsMatch::ParentAgency(_) => true,
            FevsMatch::Agency(_) | FevsMatch::SubAgency(_) | FevsMatch::NotSurveyed => false,
        }
    }
}

/// One entry of a provider's FEVS crosswalk: the FEVS unit that stands for it from `from` to `to`
/// (survey years, both included), and where that comes from. In the registry's TOML:
///
/// ```toml
/// [[provider.fevs]]
/// from = 2019
/// to = 2019
/// unit = { sub_agency = "TR93" }
/// source = "..."
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FevsLink {
    /// The first survey year the entry holds for.
    pub from: SurveyYear,
    /// The last survey year it holds for.
    pub to: SurveyYear,
    /// The unit (or its absence).
    pub unit: FevsMatch,
    /// Where the code and years come from: a codebook, a report, a repository path and commit.
    pub source: String,
}

impl FevsLink {
    /// Whether the entry covers `year`.
    pub fn covers(&self, year: SurveyYear) -> bool {
        self.from <= year && year <= self.to
    }
}

/// The entry of a crosswalk that covers `year`; `None` when the curator recorded nothing for that
/// year, which the scorecard shows as "not measured" too.
pub fn link_for(links: &[FevsLink], year: SurveyYear) -> Option<&FevsLink> {
    links.iter().find(|l| l.covers(year))
}

/// What is wrong with a provider's crosswalk: spans that end before they start, spans that
/// overlap (a year would have two units), empty sources. One message per problem.
pub fn crosswalk_problems(provider: &str, links: &[FevsLink]) -> Vec<String> {
    let mut problems = Vec::new();
    for l in links {
        if l.from > l.to {
            problems.push(format!(
                "provider {provider}: FEVS crosswalk entry ends ({}) before it starts ({})",
                l.to, l.from
            ));
        }
        if l.source.trim().is_empty() {
            problems.push(format!("provider {provider}: FEVS crosswalk entry {}-{} names no source", l.from, l.to));
        }
    }
    for (i, a) in links.iter().enumerate() {
        for b in &links[i + 1..] {
            if a.from <= b.to && b.from <= a.to {
                problems.push(format!(
                    "provider {provider}: FEVS crosswalk entries {}-{} and {}-{} overlap",
                    a.from, a.to, b.from, b.to
                ));
            }
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// The per-year item map
// ---------------------------------------------------------------------------------------------

/// A FEVS question number (`Q12` is 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ItemNumber(pub u16);

impl fmt::Display for ItemNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Q{}", self.0)
    }
}

/// The three subindices of the Employee Engagement Index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subindex {
    /// Employees' views of their agency's senior leaders.
    LeadersLead,
    /// Employees' views of their immediate supervisor.
    Supervisors,
    /// Employees' feelings of motivation and competency in their work.
    IntrinsicWorkExperience,
}

impl Subindex {
    /// The three, in OPM's order.
    pub const ALL: [Subindex; 3] = [Subindex::LeadersLead, Subindex::Supervisors, Subindex::IntrinsicWorkExperience];

    /// OPM's name for it.
    pub fn label(self) -> &'static str {
        match self {
            Subindex::LeadersLead => "Leaders Lead",
            Subindex::Supervisors => "Supervisors",
            Subindex::IntrinsicWorkExperience => "Intrinsic Work Experience",
        }
    }
}

/// Which questions make each index in one survey year. Item numbers move almost every year (the
/// 2020 survey was cut to 38 core items), so each year has its own map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemMap {
    /// The survey year.
    pub year: SurveyYear,
    /// Leaders Lead (5 items).
    pub leaders_lead: [ItemNumber; 5],
    /// Supervisors (5 items).
    pub supervisors: [ItemNumber; 5],
    /// Intrinsic Work Experience (5 items).
    pub intrinsic_work_experience: [ItemNumber; 5],
    /// Global Satisfaction Index (4 items: recommend the organization, job, pay, organization).
    pub global_satisfaction: [ItemNumber; 4],
    /// Where the map comes from.
    pub source: &'static str,
}

impl ItemMap {
    /// The items of one subindex.
    pub fn subindex(&self, s: Subindex) -> &[ItemNumber; 5] {
        match s {
            Subindex::LeadersLead => &self.leaders_lead,
            Subindex::Supervisors => &self.supervisors,
            Subindex::IntrinsicWorkExperience => &self.intrinsic_work_experience,
        }
    }

    /// Every item any index of the year uses (19), in no particular order.
    pub fn all_items(&self) -> impl Iterator<Item = ItemNumber> + '_ {
        self.leaders_lead
            .iter()
            .chain(&self.supervisors)
            .chain(&self.intrinsic_work_experience)
            .chain(&self.global_satisfaction)
            .copied()
    }
}

const fn q<const N: usize>(n: [u16; N]) -> [ItemNumber; N] {
    let mut out = [ItemNumber(0); N];
    let mut i = 0;
    while i < N {
        out[i] = ItemNumber(n[i]);
        i += 1;
    }
    out
}

/// Where the 2019-2024 maps come from. OPM's own documents: the 2023 OPM FEVS Indices and
/// Dimensions Guide (shipped in `2023_opm_fevs_prdf_revised.zip`,
/// https://www.opm.gov/media/knpbcml4/2023_opm_fevs_prdf_revised.zip) and each year's PRDF codebook
/// (https://www.opm.gov/fevs/reports/data-files/); items were matched to the guide's wordings in
/// each year's codebook. Read from the matched table in rhoekstr/federal-workforce-explorer
/// `docs/FEVS-EXPLORATION.md` @ 7f59f54439dee220e22b0f6b733eff2b37f18a03 (section 3.1 "Index
/// items by year"), whose author reproduced OPM's published
/// unrounded agency EEI and GSI for 2020-2023 with these maps (max difference 0.00 points). The
/// 2019 map cannot be checked that way (OPM's index spreadsheets start at 2020); its governmentwide
/// EEI from the 2019 PRDF, 68.5, matches OPM's published 2019 headline of 68.
const MAP_SOURCE: &str = "OPM FEVS 2023 Indices and Dimensions Guide and the 2019-2024 PRDF codebooks \
     (opm.gov/fevs/reports/data-files), items matched by wording as tabulated in \
     rhoekstr/federal-workforce-explorer docs/FEVS-EXPLORATION.md @ 7f59f54439dee220e22b0f6b733eff2b37f18a03 section 3.1";

/// The maps fedcx knows, by year. 2025 had no survey.
pub const ITEM_MAPS: [ItemMap; 6] = [
    // 2019: the 71-item instrument used since 2012 (EEI items 3,4,6,11,12 / 47-52 / 53-61).
    ItemMap {
        year: SurveyYear(2019),
        leaders_lead: q([53, 54, 56, 60, 61]),
        supervisors: q([47, 48, 49, 51, 52]),
        intrinsic_work_experience: q([3, 4, 6, 11, 12]),
        global_satisfaction: q([40, 69, 70, 71]),
        source: MAP_SOURCE,
    },
    // 2020: the shortened pandemic instrument (38 core items plus COVID-19 items).
    ItemMap {
        year: SurveyYear(2020),
        leaders_lead: q([26, 27, 28, 30, 31]),
        supervisors: q([21, 22, 23, 24, 25]),
        intrinsic_work_experience: q([2, 3, 4, 6, 7]),
        global_satisfaction: q([17, 36, 37, 38]),
        source: MAP_SOURCE,
    },
    ItemMap {
        year: SurveyYear(2021),
        leaders_lead: q([32, 33, 34, 36, 37]),
        supervisors: q([27, 28, 29, 30, 31]),
        intrinsic_work_experience: q([2, 3, 4, 6, 7]),
        global_satisfaction: q([23, 42, 43, 44]),
        source: MAP_SOURCE,
    },
    ItemMap {
        year: SurveyYear(2022),
        leaders_lead: q([55, 56, 57, 59, 60]),
        supervisors: q([46, 48, 49, 50, 52]),
        intrinsic_work_experience: q([2, 3, 4, 6, 7]),
        global_satisfaction: q([43, 68, 69, 70]),
        source: MAP_SOURCE,
    },
    ItemMap {
        year: SurveyYear(2023),
        leaders_lead: q([57, 58, 59, 61, 62]),
        supervisors: q([48, 50, 51, 52, 54]),
        intrinsic_work_experience: q([2, 3, 4, 6, 7]),
        global_satisfaction: q([46, 70, 71, 72]),
        source: MAP_SOURCE,
    },
    ItemMap {
        year: SurveyYear(2024),
        leaders_lead: q([57, 58, 59, 61, 62]),
        supervisors: q([48, 50, 51, 52, 54]),
        intrinsic_work_experience: q([2, 3, 4, 6, 7]),
        global_satisfaction: q([46, 70, 71, 72]),
        source: MAP_SOURCE,
    },
];

/// The item map of a survey year, if fedcx has one.
pub fn item_map(year: SurveyYear) -> Option<&'static ItemMap> {
    ITEM_MAPS.iter().find(|m| m.year == year)
}

// ---------------------------------------------------------------------------------------------
// Weighted counts
// ---------------------------------------------------------------------------------------------

/// The weighted answers to one item in one unit: the sum of `POSTWT` over respondents giving each
/// answer, with "don't know / no basis to judge" (`X`) and blanks kept apart (they are excluded from
/// percent positive, but counted so every respondent is accounted for).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct WeightedItem {
    /// Weighted answers 1 to 5 (index 0 is answer 1).
    pub by_answer: [f64; 5],
    /// Weighted `X` answers.
    pub dont_know: f64,
    /// Weighted blanks.
    pub blank: f64,
    /// Respondents who answered 1 to 5 (unweighted), for minimum-size rules.
    pub answered: u64,
}

impl WeightedItem {
    /// Adds one respondent's answer with weight `w`.
    pub fn add(&mut self, answer: FevsAnswer, w: f64) {
        match answer {
            FevsAnswer::Scale(a) => {
                self.by_answer[usize::from(a.get() - 1)] += w;
                self.answered += 1;
            }
            FevsAnswer::DontKnow => self.dont_know += w,
            FevsAnswer::Blank => self.blank += w,
        }
    }

    /// Adds another part's counts.
    pub fn merge(&mut self, other: &WeightedItem) {
        for (a, b) in self.by_answer.iter_mut().zip(other.by_answer) {
            *a += b;
        }
        self.dont_know += other.dont_know;
        self.blank += other.blank;
        self.answered += other.answered;
    }

    /// The weighted share (0-100) answering 4 or 5 among those answering 1 to 5; `None` when no one
    /// did (or the weights sum to zero).
    pub fn percent_positive(&self) -> Option<f64> {
        let total: f64 = self.by_answer.iter().sum();
        if self.answered == 0 || total <= 0.0 {
            return None;
        }
        Some(100.0 * (self.by_answer[3] + self.by_answer[4]) / total).filter(|p| p.is_finite())
    }
}

/// A point of the FEVS 1-5 scale (1 strongly disagree / very dissatisfied ... 5 strongly agree /
/// very satisfied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FevsPoint(u8);

impl FevsPoint {
    /// A point from 1 to 5.
    pub fn new(p: u8) -> Option<FevsPoint> {
        (1..=5).contains(&p).then_some(FevsPoint(p))
    }

    /// The point as a number.
    pub fn get(self) -> u8 {
        self.0
    }
}

/// One respondent's answer to one item as the PRDF writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FevsAnswer {
    /// 1 to 5.
    Scale(FevsPoint),
    /// `X`: do not know / no basis to judge.
    DontKnow,
    /// Not answered (or masked by OPM).
    Blank,
}

/// The weighted answer counts of one survey year, per unit and item: what the PRDF reader makes and
/// every index is computed from. A commutative monoid under [`FevsCounts::merge`] (up to
/// floating-point rounding of the weight sums).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FevsCounts {
    /// The survey year (given by the caller: PRDF files carry no year column).
    pub year: SurveyYear,
    /// Per unit and item.
    #[serde(with = "units_as_list")]
    pub items: BTreeMap<FevsUnit, BTreeMap<ItemNumber, WeightedItem>>,
    /// Respondents and their summed weight per unit.
    #[serde(with = "units_as_list")]
    pub respondents: BTreeMap<FevsUnit, (u64, f64)>,
}

/// A map keyed by [`FevsUnit`] as a list of `[unit, value]` pairs: a unit is an enum, which JSON
/// cannot take as an object key (the store keeps counts as JSON). A unit listed twice is refused.
mod units_as_list {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::FevsUnit;

    pub fn serialize<S: Serializer, V: Serialize>(map: &BTreeMap<FevsUnit, V>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter())
    }

    pub fn deserialize<'de, D: Deserializer<'de>, V: Deserialize<'de>>(
        d: D,
    ) -> Result<BTreeMap<FevsUnit, V>, D::Error> {
        let pairs: Vec<(FevsUnit, V)> = Vec::deserialize(d)?;
        let n = pairs.len();
        let map: BTreeMap<FevsUnit, V> = pairs.into_iter().collect();
        if map.len() != n {
            return Err(serde::de::Error::custom("a FEVS unit is listed twice"));
        }
        Ok(map)
    }
}

impl FevsCounts {
    /// No counts for `year`.
    pub fn new(year: SurveyYear) -> FevsCounts {
        FevsCounts { year, items: BTreeMap::new(), respondents: BTreeMap::new() }
    }

    /// The counts of one unit's item.
    pub fn item(&self, unit: &FevsUnit, item: ItemNumber) -> Option<&WeightedItem> {
        self.items.get(unit).and_then(|m| m.get(&item))
    }

    /// The units counted.
    pub fn units(&self) -> impl Iterator<Item = &FevsUnit> {
        self.respondents.keys()
    }

    /// Adds another part of the same year's counts.
    pub fn merge(&mut self, other: &FevsCounts) -> Result<(), YearMismatch> {
        if self.year != other.year {
            return Err(YearMismatch { left: self.year, right: other.year });
        }
        for (unit, items) in &other.items {
            let mine = self.items.entry(*unit).or_default();
            for (item, c) in items {
                mine.entry(*item).or_default().merge(c);
            }
        }
        for (unit, (n, w)) in &other.respondents {
            let e = self.respondents.entry(*unit).or_insert((0, 0.0));
            e.0 += n;
            e.1 += w;
        }
        Ok(())
    }
}

/// Counts of two survey years cannot be merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot merge FEVS counts of {left} with counts of {right}")]
pub struct YearMismatch {
    /// This side's year.
    pub left: SurveyYear,
    /// The other side's.
    pub right: SurveyYear,
}

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

/// A value or the explicit reason there is none. FEVS results are never shown as 0 for "no data".
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measured<T> {
    /// The value.
    Value(T),
    /// Why there is none.
    NotMeasured(NotMeasured),
}

impl<T> Measured<T> {
    /// The value, if measured.
    pub fn value(&self) -> Option<&T> {
        match self {
            Measured::Value(v) => Some(v),
            Measured::NotMeasured(_) => None,
        }
    }
}

/// Why a FEVS value is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotMeasured {
    /// The unit took no part in the survey that year (VA in the 2019-2023 respondent files).
    NotSurveyed,
    /// The registry's crosswalk records no FEVS unit for the provider that year.
    NoCrosswalk,
    /// fedcx has no item map for the year.
    NoItemMap,
    /// An item of the index had no answer from 1 to 5 in the unit.
    NoAnswers(ItemNumber),
    /// The published table left the cell empty (below OPM's reporting threshold, or not asked).
    NotPublished,
}

impl fmt::Display for NotMeasured {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotMeasured::NotSurveyed => f.write_str("not measured: not in the survey that year"),
            NotMeasured::NoCrosswalk => f.write_str("not measured: no FEVS unit in the registry's crosswalk"),
            NotMeasured::NoItemMap => f.write_str("not measured: no item map for the year"),
            NotMeasured::NoAnswers(q) => write!(f, "not measured: no answers to {q}"),
            NotMeasured::NotPublished => f.write_str("not measured: not published"),
        }
    }
}

/// A percentage from 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Percent(f64);

impl Percent {
    /// A finite value from 0 to 100.
    pub fn new(v: f64) -> Option<Percent> {
        (v.is_finite() && (0.0..=100.0).contains(&v)).then_some(Percent(v))
    }

    /// The value.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for Percent {
    type Error = InvalidFevsCode;
    fn try_from(v: f64) -> Result<Percent, InvalidFevsCode> {
        Percent::new(v).ok_or(InvalidFevsCode { kind: "percentage", value: v.to_string(), why: "expected 0 to 100" })
    }
}

impl From<Percent> for f64 {
    fn from(p: Percent) -> f64 {
        p.0
    }
}

/// The Employee Engagement Index and its three subindices, unrounded.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Engagement {
    /// The index: the mean of the three subindices.
    pub eei: Percent,
    /// Leaders Lead.
    pub leaders_lead: Percent,
    /// Supervisors.
    pub supervisors: Percent,
    /// Intrinsic Work Experience.
    pub intrinsic_work_experience: Percent,
}

/// One unit's FEVS results for one year.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FevsResult {
    /// The unit.
    pub unit: FevsUnit,
    /// The survey year.
    pub year: SurveyYear,
    /// The Employee Engagement Index.
    pub engagement: Measured<Engagement>,
    /// The Global Satisfaction Index.
    pub global_satisfaction: Measured<Percent>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_checked() {
        assert_eq!("TR".parse::<FevsAgency>().unwrap().as_str(), "TR");
        assert!("tr".parse::<FevsAgency>().is_err());
        assert!("TRE".parse::<FevsAgency>().is_err());
        let irs: FevsSubAgency = "TR93".parse().unwrap();
        assert_eq!(irs.agency(), "TR".parse().unwrap());
        assert_eq!("HSZZ".parse::<FevsSubAgency>().unwrap().as_str(), "HSZZ");
        assert!("9393".parse::<FevsSubAgency>().is_err());
        assert!("TR9".parse::<FevsSubAgency>().is_err());
        assert!(SurveyYear::new(2001).is_err());
        assert!(SurveyYear::new(2024).is_ok());
    }

    #[test]
    fn every_map_has_distinct_items_and_its_own_year() {
        for m in &ITEM_MAPS {
            let mut all: Vec<ItemNumber> = m.all_items().collect();
            assert_eq!(all.len(), 19);
            all.sort_unstable();
            all.dedup();
            assert_eq!(all.len(), 19, "{} repeats an item", m.year);
            assert!(item_map(m.year).is_some());
        }
        assert!(item_map(SurveyYear::new(2025).unwrap()).is_none(), "no survey in 2025");
    }

    #[test]
    fn crosswalk_overlaps_and_reversals_are_reported() {
        let link = |from, to| FevsLink {
            from: SurveyYear::new(from).unwrap(),
            to: SurveyYear::new(to).unwrap(),
            unit: FevsMatch::NotSurveyed,
            source: "s".into(),
        };
        assert!(crosswalk_problems("p", &[link(2019, 2019), link(2020, 2024)]).is_empty());
        assert_eq!(crosswalk_problems("p", &[link(2019, 2021), link(2021, 2024)]).len(), 1);
        assert_eq!(crosswalk_problems("p", &[link(2022, 2020)]).len(), 1);
    }

    #[test]
    fn crosswalk_reads_from_toml() {
        #[derive(Deserialize)]
        struct W {
            fevs: Vec<FevsLink>,
        }
        let w: W = toml::from_str(
            r#"
            [[fevs]]
            from = 2019
            to = 2019
            unit = { sub_agency = "TR93" }
            source = "codebook"
            [[fevs]]
            from = 2020
            to = 2023
            unit = { parent_agency = "TR" }
            source = "codebook"
            [[fevs]]
            from = 2024
            to = 2024
            unit = "not_surveyed"
            source = "codebook"
            "#,
        )
        .unwrap();
        let y = |y| SurveyYear::new(y).unwrap();
        assert_eq!(link_for(&w.fevs, y(2019)).unwrap().unit.unit(), Some(FevsUnit::SubAgency("TR93".parse().unwrap())));
        assert!(link_for(&w.fevs, y(2021)).unwrap().unit.is_parent());
        assert_eq!(link_for(&w.fevs, y(2024)).unwrap().unit, FevsMatch::NotSurveyed);
        assert!(link_for(&w.fevs, y(2018)).is_none());
        assert!(toml::from_str::<W>(
            "[[fevs]]\nfrom = 2019\nto = 2019\nunit = { sub_agency = \"tr93\" }\nsource = \"s\""
        )
        .is_err());
    }

    #[test]
    fn the_bundled_registry_maps_hisps_to_fevs_units() {
        let r = crate::Registry::bundled();
        let y = |y| SurveyYear::new(y).unwrap();
        let p = |s: &str| r.provider_by_str(s).unwrap();
        let at = |s: &str, year| link_for(&p(s).fevs, y(year)).map(|l| l.unit);
        assert_eq!(at("treasury-irs", 2019), Some(FevsMatch::SubAgency("TR93".parse().unwrap())));
        assert_eq!(at("treasury-irs", 2021), Some(FevsMatch::ParentAgency("TR".parse().unwrap())));
        assert_eq!(at("ssa", 2022), Some(FevsMatch::Agency("SZ".parse().unwrap())));
        assert_eq!(at("va-vha", 2021), Some(FevsMatch::NotSurveyed));
        assert_eq!(at("dhs-uscis", 2024), Some(FevsMatch::SubAgency("HS01".parse().unwrap())));
        // Interagency: no single FEVS unit, so nothing is recorded and the scorecard says "not measured".
        assert_eq!(at("recreation-gov", 2022), None);
        // Every other provider has a unit (or an explicit "not surveyed") for every year with an item map.
        for prov in r.providers().filter(|p| p.slug.as_str() != "recreation-gov") {
            for m in &ITEM_MAPS {
                assert!(link_for(&prov.fevs, m.year).is_some(), "{} has no FEVS entry for {}", prov.slug, m.year);
            }
        }
    }

    #[test]
    fn a_registry_with_overlapping_fevs_years_is_refused() {
        let mut text = crate::Registry::bundled().to_toml_string();
        text = text.replacen("from = 2020\nto = 2023", "from = 2019\nto = 2023", 1);
        let err = crate::Registry::from_toml_str(&text).unwrap_err().to_string();
        assert!(err.contains("overlap"), "{err}");
    }

    #[test]
    fn percent_positive_excludes_dont_know_and_blank() {
        let mut c = WeightedItem::default();
        c.add(FevsAnswer::Scale(FevsPoint::new(5).unwrap()), 2.0);
        c.add(FevsAnswer::Scale(FevsPoint::new(2).unwrap()), 2.0);
        c.add(FevsAnswer::DontKnow, 10.0);
        c.add(FevsAnswer::Blank, 10.0);
        assert_eq!(c.percent_positive(), Some(50.0));
        assert_eq!(WeightedItem::default().percent_positive(), None);
    }
}
