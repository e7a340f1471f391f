//! What the report reads beside the A-11 counts for its "Balanced measures" and "Digital adoption"
//! sections: employee survey counts (FEVS), agencies' business results and website scans. The
//! store keeps them per ingested file and hands them back together as [`BalancedInputs`]; the
//! report puts them beside the customer scores.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::business::BusinessMeasure;
use crate::fevs::FevsCounts;
use crate::website::SiteScan;

/// One Site Scanning snapshot: the sites scanned, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteSnapshot {
    /// The latest scan date among its rows: the snapshot's date.
    pub taken: NaiveDate,
    /// Where it came from, as shown to the user (the ingested file's path).
    pub source: String,
    /// The accepted rows.
    pub scans: Vec<SiteScan>,
}

/// Everything beside the A-11 counts that the balanced scorecard and the digital-adoption section
/// read. Each part may be empty: the report then says the measure was not given, never zero.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BalancedInputs {
    /// FEVS weighted counts, one per survey year (files of the same year merged).
    pub fevs: Vec<FevsCounts>,
    /// Business results, every service and quarter ingested.
    pub business: Vec<BusinessMeasure>,
    /// Site Scanning snapshots, oldest first.
    pub site_snapshots: Vec<SiteSnapshot>,
}

/// What one ingested file adds to [`BalancedInputs`]: the store keeps it per file, so forgetting
/// the file takes exactly this out again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BalancedPart {
    /// A FEVS respondent-level file's weighted counts (one survey year).
    Fevs(FevsCounts),
    /// A business-results file's accepted measures, in file order.
    Business(Vec<BusinessMeasure>),
    /// A Site Scanning snapshot.
    SiteSnapshot(SiteSnapshot),
}

impl BalancedInputs {
    /// Whether nothing was given.
    pub fn is_empty(&self) -> bool {
        self.fevs.is_empty() && self.business.is_empty() && self.site_snapshots.is_empty()
    }

    /// Puts files' parts together, in the order they were ingested: FEVS counts of the same year
    /// merged (one [`FevsCounts`] per year, years ascending); every measure, except that when two
    /// files give the same service, quarter and metric the *later* file's value wins (a corrected
    /// file ingested after the first replaces its number, as `ingest --replace` would; the earlier
    /// value is dropped, never averaged or double counted), kept in the order first given;
    /// snapshots oldest first (by `taken`, then source).
    pub fn from_parts<I: IntoIterator<Item = BalancedPart>>(parts: I) -> BalancedInputs {
        let mut fevs: std::collections::BTreeMap<crate::fevs::SurveyYear, FevsCounts> = Default::default();
        let mut business: Vec<BusinessMeasure> = Vec::new();
        let mut at: std::collections::HashMap<(crate::ServiceId, crate::FiscalQuarter, crate::Metric), usize> =
            Default::default();
        let mut site_snapshots = Vec::new();
        for part in parts {
            match part {
                BalancedPart::Fevs(counts) => match fevs.entry(counts.year) {
                    std::collections::btree_map::Entry::Vacant(v) => {
                        v.insert(counts);
                    }
                    std::collections::btree_map::Entry::Occupied(mut o) => {
                        // Same year by construction of the map, so the merge cannot refuse.
                        let _ = o.get_mut().merge(&counts);
                    }
                },
                BalancedPart::Business(measures) => {
                    for m in measures {
                        let key = (m.service().clone(), m.quarter(), m.metric().clone());
                        match at.get(&key) {
                            Some(&i) => business[i] = m,
                            None => {
                                at.insert(key, business.len());
                                business.push(m);
                            }
                        }
                    }
                }
                BalancedPart::SiteSnapshot(s) => site_snapshots.push(s),
            }
        }
        site_snapshots.sort_by(|a: &SiteSnapshot, b: &SiteSnapshot| (a.taken, &a.source).cmp(&(b.taken, &b.source)));
        BalancedInputs { fevs: fevs.into_values().collect(), business, site_snapshots }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fevs::{FevsUnit, ItemNumber, SurveyYear, WeightedItem};
    use crate::{FiscalQuarter, Metric, ServiceId, Unit};

    fn fevs(year: u16, agency: &str, weight: f64) -> FevsCounts {
        let mut c = FevsCounts::new(SurveyYear::new(year).unwrap());
        let unit = FevsUnit::Agency(agency.parse().unwrap());
        let item = WeightedItem { by_answer: [0.0, 0.0, 0.0, weight, 0.0], answered: 1, ..WeightedItem::default() };
        c.items.entry(unit).or_default().insert(ItemNumber(3), item);
        c.respondents.insert(unit, (1, weight));
        c
    }

    fn measure(quarter: &str, value: f64) -> BusinessMeasure {
        BusinessMeasure::new(
            ServiceId::new("ssa-replacement-card").unwrap(),
            quarter.parse::<FiscalQuarter>().unwrap(),
            Metric::WaitTime,
            value,
            Unit::Minutes,
            "test",
        )
        .unwrap()
    }

    fn snapshot(taken: &str, source: &str) -> SiteSnapshot {
        SiteSnapshot { taken: taken.parse().unwrap(), source: source.into(), scans: Vec::new() }
    }

    #[test]
    fn parts_merge_by_year_later_measures_win_and_snapshots_sort_oldest_first() {
        let b = BalancedInputs::from_parts([
            BalancedPart::Fevs(fevs(2024, "TR", 2.0)),
            BalancedPart::SiteSnapshot(snapshot("2025-08-04", "b.csv")),
            BalancedPart::Fevs(fevs(2023, "TR", 1.0)),
            BalancedPart::Business(vec![measure("FY2025 Q1", 10.0), measure("FY2025 Q2", 11.0)]),
            BalancedPart::Fevs(fevs(2024, "TR", 3.0)),
            BalancedPart::Business(vec![measure("FY2025 Q1", 9.5)]),
            BalancedPart::SiteSnapshot(snapshot("2025-02-03", "a.csv")),
        ]);
        assert_eq!(b.fevs.iter().map(|c| c.year.get()).collect::<Vec<_>>(), [2023, 2024]);
        let tr = FevsUnit::Agency("TR".parse().unwrap());
        // 2024: two files, weights 2 + 3 = 5 for one respondent each.
        assert_eq!(b.fevs[1].respondents[&tr], (2, 5.0));
        assert_eq!(b.fevs[1].item(&tr, ItemNumber(3)).unwrap().by_answer[3], 5.0);
        // FY2025 Q1 given twice: the later file's 9.5 replaces 10.0, in the first one's place.
        assert_eq!(b.business, [measure("FY2025 Q1", 9.5), measure("FY2025 Q2", 11.0)]);
        assert_eq!(b.site_snapshots, [snapshot("2025-02-03", "a.csv"), snapshot("2025-08-04", "b.csv")]);
    }

    #[test]
    fn balanced_inputs_round_trip_through_json() {
        let b = BalancedInputs::from_parts([
            BalancedPart::Fevs(fevs(2024, "SZ", 1.5)),
            BalancedPart::Business(vec![measure("FY2025 Q1", 10.0)]),
            BalancedPart::SiteSnapshot(snapshot("2025-02-03", "a.csv")),
        ]);
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(serde_json::from_str::<BalancedInputs>(&json).unwrap(), b);
        // A unit listed twice is refused, not silently merged or dropped.
        let unit = r#"{"agency":"SZ"}"#;
        let twice = format!(r#"{{"year":2024,"items":[],"respondents":[[{unit},[1,1.0]],[{unit},[1,2.0]]]}}"#);
        let err = serde_json::from_str::<FevsCounts>(&twice).unwrap_err().to_string();
        assert!(err.contains("listed twice"), "{err}");
    }
}
