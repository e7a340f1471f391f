//! Association across providers: how one per-provider measure (customer trust, say) goes with
//! another (employee engagement), as Pearson's correlation with a 95% interval and Spearman's rank
//! correlation.
//!
//! One point is one provider, so the sample is small (a few dozen HISPs at most) and the result is
//! an association across agencies, not an effect within one: agencies that engage their staff may
//! differ in many other ways. The interval is Fisher's: z = atanh(r) is close to normal with
//! standard error 1/sqrt(n - 3), so the interval is tanh(z -/+ 1.96/sqrt(n - 3)). With fewer than
//! four providers that error is undefined or absurdly wide, so fewer than four is its own outcome,
//! [`Association::NotEnoughProviders`], never a number. A measure that does not vary across the
//! providers has no correlation either ([`Association::NoVariation`]).

use serde::Serialize;

use crate::stats::Z95;

/// The fewest providers a correlation is estimated from.
pub const MIN_PROVIDERS: usize = 4;

/// A correlation across providers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Correlation {
    /// Providers (points).
    pub n: usize,
    /// Pearson's r, -1 to 1.
    pub pearson: f64,
    /// Its 95% interval (Fisher z), lower end.
    pub lo: f64,
    /// Its 95% interval (Fisher z), upper end.
    pub hi: f64,
    /// Spearman's rank correlation (Pearson's r of the ranks, ties given their average rank).
    pub spearman: f64,
}

/// What a correlation across providers came to.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Association {
    /// Fewer than [`MIN_PROVIDERS`] providers have both measures.
    NotEnoughProviders {
        /// How many have.
        n: usize,
    },
    /// One of the measures is the same for every provider, so nothing can go with it.
    NoVariation {
        /// Providers.
        n: usize,
    },
    /// The correlation.
    Estimated(Correlation),
}

/// A point that is not a pair of finite numbers.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("point {index} is ({x}, {y}): both measures must be finite numbers (leave out a provider without one)")]
pub struct NotFinite {
    /// The point's position in the input.
    pub index: usize,
    /// Its first measure.
    pub x: f64,
    /// Its second measure.
    pub y: f64,
}

/// The association between the two measures of `points`, one `(x, y)` per provider. Providers
/// without one of the measures are left out by the caller (and counted by it): a missing value is
/// not a number to correlate.
pub fn associate(points: &[(f64, f64)]) -> Result<Association, NotFinite> {
    if let Some((index, &(x, y))) = points.iter().enumerate().find(|(_, (x, y))| !x.is_finite() || !y.is_finite()) {
        return Err(NotFinite { index, x, y });
    }
    let n = points.len();
    if n < MIN_PROVIDERS {
        return Ok(Association::NotEnoughProviders { n });
    }
    let Some(pearson) = pearson(points.iter().copied()) else { return Ok(Association::NoVariation { n }) };
    let xs = ranks(points.iter().map(|p| p.0));
    let ys = ranks(points.iter().map(|p| p.1));
    let spearman = pearson_r_unchecked(xs.iter().copied().zip(ys.iter().copied()));
    let z = pearson.atanh();
    let half = Z95 / ((n - 3) as f64).sqrt();
    Ok(Association::Estimated(Correlation {
        n,
        pearson,
        // r = +/-1 gives an infinite z and an interval of that single value, as it should.
        lo: (z - half).tanh(),
        hi: (z + half).tanh(),
        spearman,
    }))
}

/// Pearson's r, or `None` when either measure has no variation.
fn pearson(points: impl Iterator<Item = (f64, f64)> + Clone) -> Option<f64> {
    let (n, sx, sy) = points.clone().fold((0.0, 0.0, 0.0), |(n, sx, sy), (x, y)| (n + 1.0, sx + x, sy + y));
    let (mx, my) = (sx / n, sy / n);
    // Deviations from the means, not raw sums of squares, so large values (visits in millions)
    // keep their precision.
    let (sxx, syy, sxy) = points.fold((0.0, 0.0, 0.0), |(sxx, syy, sxy), (x, y)| {
        let (dx, dy) = (x - mx, y - my);
        (sxx + dx * dx, syy + dy * dy, sxy + dx * dy)
    });
    if sxx == 0.0 || syy == 0.0 {
        return None;
    }
    Some((sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// Pearson's r of ranks, which vary whenever the values they rank do.
fn pearson_r_unchecked(points: impl Iterator<Item = (f64, f64)> + Clone) -> f64 {
    pearson(points).unwrap_or(0.0)
}

/// Ranks from 1, ties given the average of the ranks they span.
fn ranks(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let values: Vec<f64> = values.collect();
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        // Positions i..=j (0-based) hold ranks i+1..=j+1; their average is (i + j) / 2 + 1.
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = rank;
        }
        i = j + 1;
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values from scipy 1.17.1 / numpy 2.4.6 (Python 3.11), computed with this script
    // (never run by the tests):
    //
    //     import numpy as np
    //     from scipy import stats
    //     x = np.array([72.1, 65.4, 70.3, 61.8, 68.9, 74.5, 63.2, 66.7, 69.4, 71.0])
    //     y = np.array([78.0, 70.5, 74.2, 69.9, 71.3, 80.1, 72.6, 68.4, 75.5, 73.9])
    //     p = stats.pearsonr(x, y); ci = p.confidence_interval(0.95)
    //     s = stats.spearmanr(x, y)
    //     print(repr(p.statistic), repr(ci.low), repr(ci.high), repr(s.statistic))
    //     x2 = np.array([1.0, 2.0, 2.0, 3.0, 5.0]); y2 = np.array([9.0, 7.0, 8.0, 8.0, 1.0])
    //     (same calls)
    //     x3 = np.array([3.0, 1.0, 4.0, 1.5]); y3 = np.array([2.0, 0.5, 3.5, 2.5])
    //     (same calls)
    //
    // Output:
    //     0.7987979817947762 0.3403474771738922 0.9504173641591117 0.8303030303030302
    //     -0.9142763390492008 -0.9944136191155454 -0.16554167474252804 -0.7631578947368421
    //     0.7867957924694431 -0.7148337717671251 0.995275882221102 0.7999999999999999
    //
    // scipy's pearsonr confidence_interval is the Fisher z interval with its own normal quantile.

    fn estimated(points: &[(f64, f64)]) -> Correlation {
        match associate(points).unwrap() {
            Association::Estimated(c) => c,
            other => panic!("expected an estimate, got {other:?}"),
        }
    }

    fn zip(x: &[f64], y: &[f64]) -> Vec<(f64, f64)> {
        x.iter().copied().zip(y.iter().copied()).collect()
    }

    fn assert_close(got: f64, want: f64) {
        assert!((got - want).abs() < 1e-12, "got {got}, want {want}");
    }

    #[test]
    fn ten_providers_match_scipy() {
        let x = [72.1, 65.4, 70.3, 61.8, 68.9, 74.5, 63.2, 66.7, 69.4, 71.0];
        let y = [78.0, 70.5, 74.2, 69.9, 71.3, 80.1, 72.6, 68.4, 75.5, 73.9];
        let c = estimated(&zip(&x, &y));
        assert_eq!(c.n, 10);
        assert_close(c.pearson, 0.7987979817947762);
        assert_close(c.lo, 0.3403474771738922);
        assert_close(c.hi, 0.9504173641591117);
        assert_close(c.spearman, 0.8303030303030302);
    }

    #[test]
    fn ties_and_a_negative_association_match_scipy() {
        let c = estimated(&zip(&[1.0, 2.0, 2.0, 3.0, 5.0], &[9.0, 7.0, 8.0, 8.0, 1.0]));
        assert_close(c.pearson, -0.9142763390492008);
        assert_close(c.lo, -0.9944136191155454);
        assert_close(c.hi, -0.16554167474252804);
        assert_close(c.spearman, -0.7631578947368421);
    }

    #[test]
    fn four_providers_is_the_smallest_estimate() {
        let c = estimated(&zip(&[3.0, 1.0, 4.0, 1.5], &[2.0, 0.5, 3.5, 2.5]));
        assert_close(c.pearson, 0.7867957924694431);
        assert_close(c.lo, -0.7148337717671251);
        assert_close(c.hi, 0.995275882221102);
        assert_close(c.spearman, 0.7999999999999999);
        let three = zip(&[3.0, 1.0, 4.0], &[2.0, 0.5, 3.5]);
        assert_eq!(associate(&three).unwrap(), Association::NotEnoughProviders { n: 3 });
        assert_eq!(associate(&[]).unwrap(), Association::NotEnoughProviders { n: 0 });
    }

    #[test]
    fn constant_measures_and_bad_numbers_are_outcomes_not_numbers() {
        let flat = zip(&[1.0, 2.0, 3.0, 4.0], &[5.0, 5.0, 5.0, 5.0]);
        assert_eq!(associate(&flat).unwrap(), Association::NoVariation { n: 4 });
        let err = associate(&[(1.0, 2.0), (f64::NAN, 1.0)]).unwrap_err();
        assert_eq!(err.index, 1);
        assert!(err.to_string().starts_with("point 1 is (NaN, 1)"), "{err}");
        // A perfect line: r = 1 and an interval of that single value.
        let c = estimated(&zip(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 4.0, 6.0, 8.0, 10.0]));
        assert_eq!((c.pearson, c.lo, c.hi, c.spearman), (1.0, 1.0, 1.0, 1.0));
    }

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks([10.0, 20.0, 20.0, 5.0, 20.0].into_iter()), [2.0, 4.0, 4.0, 1.0, 4.0]);
    }

    proptest::proptest! {
        /// r and rho lie in [-1, 1], the interval holds r, and swapping the measures changes nothing.
        #[test]
        fn bounds_and_symmetry(points in proptest::collection::vec((-1e6f64..1e6, -1e6f64..1e6), 4..40)) {
            if let Association::Estimated(c) = associate(&points).unwrap() {
                proptest::prop_assert!((-1.0..=1.0).contains(&c.pearson) && (-1.0..=1.0).contains(&c.spearman));
                proptest::prop_assert!(c.lo <= c.pearson && c.pearson <= c.hi);
                let swapped: Vec<(f64, f64)> = points.iter().map(|&(x, y)| (y, x)).collect();
                let Association::Estimated(s) = associate(&swapped).unwrap() else {
                    return Err(proptest::test_runner::TestCaseError::fail("swap lost the estimate"));
                };
                proptest::prop_assert!((s.pearson - c.pearson).abs() < 1e-12);
                proptest::prop_assert!((s.spearman - c.spearman).abs() < 1e-12);
            }
        }
    }
}
