//! Proportions and their intervals: the Wilson score interval for one share, Newcombe's hybrid score
//! interval for the difference of two, and the pooled two-proportion z-test.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// A share with its 95% Wilson score interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Share {
    /// Successes.
    pub count: u64,
    /// Trials (the denominator).
    pub n: u64,
    /// count / n.
    pub value: f64,
    /// Lower end of the 95% interval.
    pub lo: f64,
    /// Upper end of the 95% interval.
    pub hi: f64,
}

impl Share {
    /// The share `count / n` with its Wilson interval, or `None` when `n` is 0.
    pub fn wilson(count: u64, n: u64) -> Option<Share> {
        let (lo, hi) = wilson_interval(count, n, Z95)?;
        Some(Share { count, n, value: count as f64 / n as f64, lo, hi })
    }
}

/// The Wilson score interval for `count` successes in `n` trials at normal quantile `z`.
pub fn wilson_interval(count: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    if n == 0 || count > n {
        return None;
    }
    let n_f = n as f64;
    let p = count as f64 / n_f;
    let z2 = z * z;
    let denom = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denom;
    let half = z * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / denom;
    // At p = 0 or 1 the interval touches the bound exactly; rounding must not move it off.
    let lo = if count == 0 { 0.0 } else { (centre - half).max(0.0) };
    let hi = if count == n { 1.0 } else { (centre + half).min(1.0) };
    Some((lo, hi))
}

/// The difference of two shares, `b - a`, with its 95% interval and a test of equality.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Difference {
    /// b.value - a.value.
    pub value: f64,
    /// Lower end of Newcombe's hybrid score 95% interval.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// The pooled two-proportion z statistic.
    pub z: f64,
    /// Its two-sided p-value.
    pub p_value: f64,
}

/// Compares two shares: the change from `a` to `b`.
///
/// The interval is Newcombe's (1998) method 10, built from the two Wilson intervals, which keeps its
/// coverage near 0 and 1 where the simple Wald interval does not. The p-value is from the pooled
/// z-test, the test A-11 analysts and most statistics packages report (`prop.test` without continuity
/// correction gives the same p-value).
pub fn difference(a: &Share, b: &Share) -> Difference {
    let d = b.value - a.value;
    let lo = d - ((b.value - b.lo).powi(2) + (a.hi - a.value).powi(2)).sqrt();
    let hi = d + ((b.hi - b.value).powi(2) + (a.value - a.lo).powi(2)).sqrt();
    let (na, nb) = (a.n as f64, b.n as f64);
    let pooled = (a.count + b.count) as f64 / (na + nb);
    let se = (pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb)).sqrt();
    let (z, p_value) = if se > 0.0 {
        let z = d / se;
        (z, 2.0 * (1.0 - standard_normal().cdf(z.abs())))
    } else {
        // Both shares are 0 or both are 1: no evidence of any difference.
        (0.0, 1.0)
    };
    Difference { value: d, lo, hi, z, p_value }
}

fn standard_normal() -> Normal {
    Normal::new(0.0, 1.0).expect("the standard normal is valid")
}

/// The normal quantile for a two-sided interval of the given confidence (e.g. 0.95).
pub fn z_for_confidence(confidence: f64) -> f64 {
    standard_normal().inverse_cdf(0.5 + confidence / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// Newcombe (1998), "Two-sided confidence intervals for the single proportion: comparison of
    /// seven methods", Statistics in Medicine 17, Table I, method 3 (score interval without continuity
    /// correction), published to 4 decimals.
    #[test]
    fn wilson_matches_newcombe_1998_table_1() {
        let cases =
            [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)];
        for (x, n, lo, hi) in cases {
            let s = Share::wilson(x, n).unwrap();
            assert!(close(s.lo, lo, 5e-5) && close(s.hi, hi, 5e-5), "{x}/{n}: {s:?}");
        }
    }

    /// Newcombe (1998), "Interval estimation for the difference between independent proportions:
    /// comparison of eleven methods", Statistics in Medicine 17, Table II, method 10; each case was
    /// also checked with statsmodels 0.14 `confint_proportions_2indep(..., method='newcomb')`.
    #[test]
    fn difference_matches_newcombe_1998_table_2() {
        let cases = [
            ((56, 70), (48, 80), 0.0524, 0.3339),
            ((9, 10), (3, 10), 0.1705, 0.8090),
            ((6, 7), (2, 7), 0.0582, 0.8062),
            ((5, 56), (0, 29), -0.0381, 0.1926),
        ];
        for ((x1, n1), (x2, n2), lo, hi) in cases {
            // Newcombe reports p1 - p2, so the first sample is `b` here.
            let d = difference(&Share::wilson(x2, n2).unwrap(), &Share::wilson(x1, n1).unwrap());
            assert!(close(d.lo, lo, 5e-5) && close(d.hi, hi, 5e-5), "{x1}/{n1} - {x2}/{n2}: {d:?}");
        }
    }

    /// Checked against scipy 1.x: `chi2_contingency([[56, 14], [48, 32]], correction=False)` gives
    /// chi2 = 7.023411371237456 and p = 0.008045081368196585 (the same as R's
    /// `prop.test(c(56, 48), c(70, 80), correct = FALSE)`); z squared is chi2.
    #[test]
    fn pooled_z_test_matches_an_independent_chi_square() {
        let d = difference(&Share::wilson(48, 80).unwrap(), &Share::wilson(56, 70).unwrap());
        assert!(close(d.z * d.z, 7.023411371237456, 1e-9), "{d:?}");
        assert!(close(d.p_value, 0.008045081368196585, 1e-9), "{d:?}");
    }

    #[test]
    fn degenerate_cases() {
        assert_eq!(Share::wilson(0, 0), None);
        assert_eq!(Share::wilson(3, 2), None);
        let all = Share::wilson(10, 10).unwrap();
        assert_eq!(all.hi, 1.0);
        let d = difference(&all, &all);
        assert_eq!((d.z, d.p_value), (0.0, 1.0));
        assert!(close(z_for_confidence(0.95), Z95, 1e-9));
    }
}
