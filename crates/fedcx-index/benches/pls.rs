//! Criterion benchmarks of the PLS estimator and bootstrap on the ECSI mobile-phone data, and of
//! the estimator's scaling with the number of rows on simulated A-11 data.

use std::collections::BTreeMap;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use fedcx_index::pls::{self, presets, BootstrapConfig, PathModel, PlsConfig, Scheme};
use nalgebra::DMatrix;
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};

fn ecsi() -> (PathModel, DMatrix<f64>) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ecsi_mobi.csv");
    let mut r = csv::Reader::from_path(path).expect("the ECSI fixture");
    let header: Vec<String> = r.headers().expect("a header").iter().map(str::to_owned).collect();
    let mut cols: BTreeMap<String, Vec<Option<f64>>> = header[1..].iter().map(|h| (h.clone(), Vec::new())).collect();
    for rec in r.records() {
        let rec = rec.expect("a record");
        for (h, v) in header[1..].iter().zip(rec.iter().skip(1)) {
            cols.get_mut(h).expect("known column").push(v.parse().ok());
        }
    }
    let model = PathModel::new(presets::ecsi_mobi().spec).expect("a valid preset");
    let data = pls::prepare_data(&model, &cols).expect("complete data");
    (model, data.matrix)
}

/// A-11 shaped data: one latent per respondent drives q1-q6 on a 1-5 scale.
fn a11_data(n: usize) -> (PathModel, DMatrix<f64>) {
    let model = PathModel::new(presets::a11().spec).expect("a valid preset");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let mut m = DMatrix::zeros(n, 6);
    for i in 0..n {
        let theta: f64 = StandardNormal.sample(&mut rng);
        for j in 0..6 {
            let e: f64 = StandardNormal.sample(&mut rng);
            m[(i, j)] = (3.5 + 0.9 * theta + 0.6 * e).round().clamp(1.0, 5.0);
        }
    }
    (model, m)
}

fn bench(c: &mut Criterion) {
    let (model, data) = ecsi();
    let mut g = c.benchmark_group("ecsi");
    for scheme in [Scheme::Centroid, Scheme::Factorial, Scheme::Path] {
        let config = PlsConfig { scheme, ..PlsConfig::default() };
        g.bench_function(BenchmarkId::new("fit", format!("{scheme:?}").to_lowercase()), |b| {
            b.iter(|| pls::estimate(&model, &data, &config).expect("fits"))
        });
    }
    g.sample_size(10);
    let boot = BootstrapConfig { resamples: 1000, seed: 1, index_of: None, ..BootstrapConfig::default() };
    g.bench_function("bootstrap_1000", |b| {
        b.iter(|| pls::bootstrap(&model, &data, &PlsConfig::default(), &boot).expect("bootstraps"))
    });
    g.finish();

    let mut g = c.benchmark_group("a11_rows");
    g.sample_size(10);
    for n in [10_000usize, 100_000, 1_000_000] {
        let (model, data) = a11_data(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::new("fit", n), |b| {
            b.iter(|| pls::estimate(&model, &data, &PlsConfig::default()).expect("fits"))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
