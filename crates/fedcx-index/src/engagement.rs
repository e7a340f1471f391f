//! OPM's Employee Engagement Index (EEI) and Global Satisfaction Index (GSI) from FEVS weighted
//! answer counts, as OPM computes them: for each item the weighted share answering 4 or 5 among
//! those answering 1 to 5 (`X` "do not know" and blanks excluded from both sums), unrounded; each
//! subindex the mean of its five items; the EEI the mean of its three subindices; the GSI the mean of
//! its four items. Pure computation over [`FevsCounts`].
//!
//! A unit with no answer from 1 to 5 to some item of an index gets [`Measured::NotMeasured`] for
//! that index, naming the item: an average over fewer items would not be OPM's index.

use fedcx_model::fevs::{
    item_map, Engagement, FevsCounts, FevsResult, FevsUnit, ItemMap, ItemNumber, Measured, NotMeasured, Percent,
    Subindex,
};

/// The mean percent positive of `items` in `unit`, or the first item nobody answered.
fn mean_positive(counts: &FevsCounts, unit: &FevsUnit, items: &[ItemNumber]) -> Result<f64, NotMeasured> {
    let mut sum = 0.0;
    for &item in items {
        let p = counts.item(unit, item).and_then(|c| c.percent_positive()).ok_or(NotMeasured::NoAnswers(item))?;
        sum += p;
    }
    Ok(sum / items.len() as f64)
}

/// A mean of finite shares from 0 to 100 is one too, up to float dust, which is clamped.
fn percent(v: f64) -> Option<Percent> {
    Percent::new(v.clamp(0.0, 100.0))
}

/// `v` as a measured percentage; a non-finite value (weights summing past f64) is not measured.
fn measured(v: Result<f64, NotMeasured>, first: ItemNumber) -> Measured<Percent> {
    match v.map(percent) {
        Ok(Some(p)) => Measured::Value(p),
        Ok(None) => Measured::NotMeasured(NotMeasured::NoAnswers(first)),
        Err(why) => Measured::NotMeasured(why),
    }
}

/// One subindex of a unit.
pub fn subindex(counts: &FevsCounts, unit: &FevsUnit, map: &ItemMap, s: Subindex) -> Measured<Percent> {
    let items = map.subindex(s);
    measured(mean_positive(counts, unit, items), items[0])
}

/// The EEI and its subindices of a unit, with the year's item map.
pub fn engagement(counts: &FevsCounts, unit: &FevsUnit, map: &ItemMap) -> Measured<Engagement> {
    let mut values = [0.0; 3];
    for (v, s) in values.iter_mut().zip(Subindex::ALL) {
        match mean_positive(counts, unit, map.subindex(s)) {
            Ok(x) => *v = x,
            Err(why) => return Measured::NotMeasured(why),
        }
    }
    let [leaders, supervisors, intrinsic] = values;
    let all = (
        percent((leaders + supervisors + intrinsic) / 3.0),
        percent(leaders),
        percent(supervisors),
        percent(intrinsic),
    );
    match all {
        (Some(eei), Some(leaders_lead), Some(supervisors), Some(intrinsic_work_experience)) => {
            Measured::Value(Engagement { eei, leaders_lead, supervisors, intrinsic_work_experience })
        }
        _ => Measured::NotMeasured(NotMeasured::NoAnswers(map.leaders_lead[0])),
    }
}

/// The GSI of a unit, with the year's item map.
pub fn global_satisfaction(counts: &FevsCounts, unit: &FevsUnit, map: &ItemMap) -> Measured<Percent> {
    measured(mean_positive(counts, unit, &map.global_satisfaction), map.global_satisfaction[0])
}

/// Both indices for every unit in the counts, agencies and sub-agencies, in unit order. Without an
/// item map for the counts' year every index is [`NotMeasured::NoItemMap`].
pub fn results(counts: &FevsCounts) -> Vec<FevsResult> {
    let map = item_map(counts.year);
    counts
        .units()
        .map(|unit| match map {
            Some(map) => FevsResult {
                unit: *unit,
                year: counts.year,
                engagement: engagement(counts, unit, map),
                global_satisfaction: global_satisfaction(counts, unit, map),
            },
            None => FevsResult {
                unit: *unit,
                year: counts.year,
                engagement: Measured::NotMeasured(NotMeasured::NoItemMap),
                global_satisfaction: Measured::NotMeasured(NotMeasured::NoItemMap),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use fedcx_model::fevs::{FevsAgency, FevsAnswer, FevsPoint, SurveyYear, WeightedItem};
    use proptest::prelude::*;

    fn year(y: u16) -> SurveyYear {
        SurveyYear::new(y).unwrap()
    }

    fn agency(code: &str) -> FevsUnit {
        FevsUnit::Agency(code.parse::<FevsAgency>().unwrap())
    }

    /// Counts whose item `q` has exactly `pct` percent positive: weight `pct` on answer 5, `100 - pct`
    /// on answer 1, and 1000 on `X` and on blank, which must not count.
    fn with_percents(y: u16, unit: FevsUnit, items: &[(u16, f64)]) -> FevsCounts {
        let mut c = FevsCounts::new(year(y));
        for &(q, pct) in items {
            let w = c.items.entry(unit).or_default().entry(ItemNumber(q)).or_default();
            w.add(FevsAnswer::Scale(FevsPoint::new(5).unwrap()), pct);
            w.add(FevsAnswer::Scale(FevsPoint::new(1).unwrap()), 100.0 - pct);
            w.add(FevsAnswer::DontKnow, 1000.0);
            w.add(FevsAnswer::Blank, 1000.0);
        }
        c.respondents.insert(unit, (1, 1.0));
        c
    }

    /// Every item of each subindex at that subindex's value.
    fn with_subindices(y: u16, unit: FevsUnit, [ll, sup, iwe]: [f64; 3]) -> FevsCounts {
        let map = item_map(year(y)).unwrap();
        let mut items = Vec::new();
        items.extend(map.leaders_lead.iter().map(|q| (q.0, ll)));
        items.extend(map.supervisors.iter().map(|q| (q.0, sup)));
        items.extend(map.intrinsic_work_experience.iter().map(|q| (q.0, iwe)));
        with_percents(y, unit, &items)
    }

    fn eei(c: &FevsCounts, unit: &FevsUnit) -> Engagement {
        *engagement(c, unit, item_map(c.year).unwrap()).value().unwrap()
    }

    /// OPM's published 2020 agency EEIs, as whole percentages: FEDweek, "Survey shows range of
    /// engagement scores among agencies" (https://www.fedweek.com/federal-managers-daily-report/
    /// survey-shows-range-of-engagement-scores-among-agencies/), reporting OPM's 2020 FEVS results:
    /// governmentwide 72; HHS 76, Treasury 75, DHS 66, Agriculture 69, Justice 69 (over 75,000
    /// employees); NASA 87, GSA 83, SSA 68, Interior 69 (10,000-75,000).
    ///
    /// Input: each agency's three 2020 subindex values, unrounded, from rhoekstr/federal-workforce-
    /// explorer data/reference/fevs/fevs_agency_year.csv @ f8385828f231bc1cbb6edf3230661a7ebe4ccf3f
    /// (columns eei_leaders, eei_supervisors, eei_intrinsic), computed there from the 2020 PRDF and
    /// reported equal to OPM's unrounded published values (docs/FEVS-EXPLORATION.md section 5). Every
    /// item of a subindex is set to the subindex's value, so the check is of the averaging into the
    /// EEI and OPM's rounding.
    #[test]
    fn reproduces_opm_published_2020_agency_eei() {
        let cases: [(&str, [f64; 3], f64); 10] = [
            ("ZZ", [61.57, 80.23, 75.54], 72.0), // governmentwide (the CSV's ALL row)
            ("HE", [67.55, 81.95, 79.95], 76.0),
            ("TR", [65.46, 82.99, 76.53], 75.0),
            ("HS", [53.78, 76.57, 69.05], 66.0),
            ("AG", [54.55, 79.29, 73.8], 69.0),
            ("DJ", [56.55, 77.18, 72.67], 69.0),
            ("NN", [80.69, 91.32, 87.77], 87.0),
            ("GS", [78.07, 89.0, 83.24], 83.0),
            ("SZ", [58.97, 74.51, 71.6], 68.0),
            ("IN", [52.58, 79.98, 75.74], 69.0),
        ];
        for (code, subs, published) in cases {
            let unit = agency(code);
            let e = eei(&with_subindices(2020, unit, subs), &unit);
            assert_eq!(e.eei.get().round(), published, "{code}: EEI {}", e.eei.get());
            assert!((e.leaders_lead.get() - subs[0]).abs() < 1e-9);
        }
    }

    /// OPM's 2023 Governmentwide Management Report, "A Message from the Director" (2023 OPM FEVS,
    /// opm.gov/fevs; OPM press release 2023-11-06, https://www.opm.gov/news/releases/2023/11/
    /// release-largest-government-employee-survey-in-the-world-highlights-increasingly-resilient-
    /// and-engaged-federal-workforce/): EEI 71 in 2022 and 72 in 2023; Leaders Lead 59 -> 61;
    /// Intrinsic Work Experience 73 -> 74. Input: the governmentwide (ALL) subindices of the same
    /// rhoekstr CSV @ f8385828f231bc1cbb6edf3230661a7ebe4ccf3f: 2022 59.23, 79.73, 72.68 (mean
    /// 70.547); 2023 61.21, 80.18, 73.82 (mean 71.737).
    #[test]
    fn reproduces_opm_published_2022_and_2023_governmentwide_eei() {
        let unit = agency("ZZ");
        let e22 = eei(&with_subindices(2022, unit, [59.23, 79.73, 72.68]), &unit);
        assert_eq!(
            (e22.eei.get().round(), e22.leaders_lead.get().round(), e22.intrinsic_work_experience.get().round()),
            (71.0, 59.0, 73.0)
        );
        assert!((e22.eei.get() - 70.5466667).abs() < 1e-6);
        let e23 = eei(&with_subindices(2023, unit, [61.21, 80.18, 73.82]), &unit);
        assert_eq!(
            (e23.eei.get().round(), e23.leaders_lead.get().round(), e23.intrinsic_work_experience.get().round()),
            (72.0, 61.0, 74.0)
        );
    }

    /// The GSI from its four items' percent positive. DHS 2022: recommend (Q43) 55.41, job (Q68)
    /// 59.04, pay (Q69) 50.42, organization (Q70) 51.46, from the rhoekstr CSV @
    /// f8385828f231bc1cbb6edf3230661a7ebe4ccf3f (pp_recommend, pp_job_sat, pp_pay_sat, pp_org_sat);
    /// mean 216.33 / 4 = 54.0825; OPM's published 2022 DHS GSI is 54.1 (2024 GS report spreadsheet,
    /// as quoted in that repository's docs/FEVS-EXPLORATION.md section 5). Treasury 2019 (Q40, Q69,
    /// Q70, Q71): 66.9, 68.85, 61.04, 60.85 -> 257.64 / 4 = 64.41, the CSV's own gsi (another
    /// implementation).
    #[test]
    fn gsi_from_item_values_matches_published_dhs_2022_and_treasury_2019() {
        let hs = agency("HS");
        let c = with_percents(2022, hs, &[(43, 55.41), (68, 59.04), (69, 50.42), (70, 51.46)]);
        let g = global_satisfaction(&c, &hs, item_map(year(2022)).unwrap());
        let g = g.value().unwrap().get();
        assert!((g - 54.0825).abs() < 1e-9, "{g}");
        assert_eq!((g * 10.0).round() / 10.0, 54.1);
        let tr = agency("TR");
        let c = with_percents(2019, tr, &[(40, 66.9), (69, 68.85), (70, 61.04), (71, 60.85)]);
        let g = global_satisfaction(&c, &tr, item_map(year(2019)).unwrap()).value().unwrap().get();
        assert!((g - 64.41).abs() < 1e-9, "{g}");
    }

    /// A hand computation from weighted answers, 2019 map. Every item of Leaders Lead: weights
    /// 1.5 on 5, 0.5 on 4, 2.0 on 2, 3.0 on X -> (1.5 + 0.5) / (1.5 + 0.5 + 2.0) = 50%. Supervisors:
    /// 3.0 on 4, 1.0 on 3 -> 75%. Intrinsic: 2.0 on 5 -> 100%. EEI = (50 + 75 + 100) / 3 = 75.
    /// Leaders Lead's Q61 left without answers but one X makes it "not measured: no answers to Q61".
    #[test]
    fn hand_computed_weighted_eei_and_missing_item() {
        let unit = agency("TR");
        let map = item_map(year(2019)).unwrap();
        let mut c = FevsCounts::new(year(2019));
        let p = |n| FevsAnswer::Scale(FevsPoint::new(n).unwrap());
        {
            let items = c.items.entry(unit).or_default();
            for q in map.leaders_lead {
                let w = items.entry(q).or_default();
                w.add(p(5), 1.5);
                w.add(p(4), 0.5);
                w.add(p(2), 2.0);
                w.add(FevsAnswer::DontKnow, 3.0);
            }
            for q in map.supervisors {
                let w = items.entry(q).or_default();
                w.add(p(4), 3.0);
                w.add(p(3), 1.0);
            }
            for q in map.intrinsic_work_experience {
                items.entry(q).or_default().add(p(5), 2.0);
            }
        }
        c.respondents.insert(unit, (4, 7.0));
        let e = eei(&c, &unit);
        assert_eq!(
            (e.eei.get(), e.leaders_lead.get(), e.supervisors.get(), e.intrinsic_work_experience.get()),
            (75.0, 50.0, 75.0, 100.0)
        );
        // GSI items were never counted: not measured, naming the first.
        assert_eq!(global_satisfaction(&c, &unit, map), Measured::NotMeasured(NotMeasured::NoAnswers(ItemNumber(40))));
        let mut only_x = WeightedItem::default();
        only_x.add(FevsAnswer::DontKnow, 1.0);
        c.items.get_mut(&unit).unwrap().insert(ItemNumber(61), only_x);
        assert_eq!(engagement(&c, &unit, map), Measured::NotMeasured(NotMeasured::NoAnswers(ItemNumber(61))));
        let r = results(&c);
        assert_eq!(r.len(), 1);
        let mut c25 = FevsCounts::new(year(2025));
        c25.respondents.insert(unit, (1, 1.0));
        assert_eq!(results(&c25)[0].engagement, Measured::NotMeasured(NotMeasured::NoItemMap));
    }

    proptest! {
        /// The EEI lies between its smallest and largest subindex, and scaling every weight by the
        /// same factor changes nothing (weights only matter relative to each other).
        #[test]
        fn eei_is_a_mean_and_scale_free(
            answers in proptest::collection::vec((0usize..15, 1u8..=5, 0.01f64..50.0), 15..200),
            scale in 0.1f64..100.0,
        ) {
            let unit = agency("TR");
            let map = item_map(year(2023)).unwrap();
            let items: Vec<ItemNumber> = map.leaders_lead.iter().chain(&map.supervisors).chain(&map.intrinsic_work_experience).copied().collect();
            let mut a = FevsCounts::new(year(2023));
            let mut b = FevsCounts::new(year(2023));
            // One answer to every item first, so every item is measured.
            for (i, q) in items.iter().enumerate() {
                let pt = FevsAnswer::Scale(FevsPoint::new((i % 5) as u8 + 1).unwrap());
                a.items.entry(unit).or_default().entry(*q).or_default().add(pt, 1.0);
                b.items.entry(unit).or_default().entry(*q).or_default().add(pt, scale);
            }
            for (i, pt, w) in answers {
                let pt = FevsAnswer::Scale(FevsPoint::new(pt).unwrap());
                a.items.entry(unit).or_default().entry(items[i]).or_default().add(pt, w);
                b.items.entry(unit).or_default().entry(items[i]).or_default().add(pt, w * scale);
            }
            let ea = eei(&a, &unit);
            let eb = eei(&b, &unit);
            let subs = [ea.leaders_lead.get(), ea.supervisors.get(), ea.intrinsic_work_experience.get()];
            let lo = subs.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = subs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            prop_assert!(lo - 1e-9 <= ea.eei.get() && ea.eei.get() <= hi + 1e-9);
            prop_assert!((ea.eei.get() - eb.eei.get()).abs() < 1e-9);
        }
    }
}
