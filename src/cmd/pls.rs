//! `fedcx pls`: estimates a PLS path model on a numeric CSV (a stable, scriptable interface).

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use fedcx_index::pls::{self, presets, BootstrapConfig, Interval, ModelSpec, PathModel, PlsConfig, PlsFit, Scheme};
use serde_json::{json, Map, Value};

/// Arguments of `fedcx pls`.
#[derive(clap::Args)]
pub struct Args {
    /// The data: a CSV with a header; the columns the model names must be numeric.
    #[arg(long, value_name = "FILE.csv")]
    data: PathBuf,
    /// The model: `[[latent]]` tables (name, indicators, mode "A" or "B") and `[[path]]` tables (from, to).
    #[arg(long, value_name = "MODEL.toml", required_unless_present = "preset", conflicts_with = "preset")]
    model: Option<PathBuf>,
    /// A preset model instead of a file: acsi-federal, a11 or ecsi.
    #[arg(long)]
    preset: Option<String>,
    /// The inner weighting scheme.
    #[arg(long, default_value = "path", value_parser = parse_scheme)]
    scheme: Scheme,
    /// Bootstrap resamples for standard errors and percentile intervals (0 for none).
    #[arg(long, default_value_t = 0)]
    bootstrap: usize,
    /// The bootstrap's random seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Report the ACSI-style 0-100 index of this latent (presets name one).
    #[arg(long, value_name = "LATENT")]
    index: Option<String>,
    /// The answer scale of the index latent's indicators, as MIN:MAX (e.g. 1:10).
    #[arg(long, value_name = "MIN:MAX", value_parser = parse_scale)]
    scale: Option<(f64, f64)>,
    /// Convergence tolerance: stop once no standardised outer weight changes by this much (finite, above 0).
    #[arg(long, default_value_t = PlsConfig::default().tolerance, value_parser = parse_tolerance)]
    tolerance: f64,
    /// The most iterations (at least 1).
    #[arg(long, default_value_t = PlsConfig::default().max_iterations, value_parser = parse_max_iterations)]
    max_iterations: usize,
    /// Report the estimates even if the algorithm did not converge (otherwise that is an error).
    #[arg(long)]
    allow_nonconvergence: bool,
    /// Output: json (one object, for scripts) or table (for people).
    #[arg(long, default_value = "table", value_parser = ["json", "table"])]
    format: String,
}

fn parse_scheme(s: &str) -> Result<Scheme, String> {
    s.parse::<Scheme>().map_err(|e| e.to_string())
}

fn parse_scale(s: &str) -> Result<(f64, f64), String> {
    let (a, b) = s.split_once(':').ok_or_else(|| format!("{s:?} is not MIN:MAX"))?;
    let min: f64 = a.trim().parse().map_err(|_| format!("{a:?} is not a number"))?;
    let max: f64 = b.trim().parse().map_err(|_| format!("{b:?} is not a number"))?;
    pls::check_scale_bounds((min, max)).map_err(|e| e.to_string())?;
    Ok((min, max))
}

fn parse_tolerance(s: &str) -> Result<f64, String> {
    let t: f64 = s.trim().parse().map_err(|_| format!("{s:?} is not a number"))?;
    PlsConfig { tolerance: t, ..PlsConfig::default() }.validate().map_err(|e| e.to_string())?;
    Ok(t)
}

fn parse_max_iterations(s: &str) -> Result<usize, String> {
    let n: usize = s.trim().parse().map_err(|_| format!("{s:?} is not a whole number"))?;
    PlsConfig { max_iterations: n, ..PlsConfig::default() }.validate().map_err(|e| e.to_string())?;
    Ok(n)
}

/// Runs the command.
pub fn run(args: &Args) -> Result<()> {
    let (spec, preset_index) = match (&args.model, &args.preset) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", super::shown(path)))?;
            let spec: ModelSpec =
                toml::from_str(&text).with_context(|| format!("{}: not a valid model file", super::shown(path)))?;
            (spec, None)
        }
        (None, Some(name)) => {
            let p = presets::by_name(name).with_context(|| {
                let names: Vec<&str> = presets::all().iter().map(|p| p.name).collect();
                format!("no preset {name:?} (presets: {})", names.join(", "))
            })?;
            (p.spec, Some((p.index_latent, p.scale)))
        }
        (None, None) => bail!("give --model or --preset"),
    };
    let model = PathModel::new(spec)?;
    let wanted: Vec<&str> = model.indicators().collect();
    let file = std::fs::File::open(&args.data).with_context(|| format!("cannot open {}", super::shown(&args.data)))?;
    let columns = fedcx_ingest::table::read_numeric_columns(&args.data, std::io::BufReader::new(file), &wanted)?;
    let data = pls::prepare_data(&model, &columns)?;
    let config = PlsConfig { scheme: args.scheme, tolerance: args.tolerance, max_iterations: args.max_iterations };
    let fit = pls::estimate(&model, &data.matrix, &config)?;
    if !fit.converged {
        let what = format!(
            "the PLS algorithm did not converge within {} iteration(s): in the last one the {} was {:e}, not below the tolerance {:e}",
            fit.iterations,
            pls::CONVERGENCE_CRITERION,
            fit.last_change,
            config.tolerance
        );
        if !args.allow_nonconvergence {
            bail!("{what}; raise --max-iterations, or pass --allow-nonconvergence to see the unconverged estimates");
        }
        eprintln!("{} {what}; the estimates below are not converged", super::label("warning"));
    }
    let index = match (&args.index, preset_index) {
        (Some(name), _) => {
            let scale =
                args.scale.or(preset_index.map(|p| p.1)).context("--index needs --scale MIN:MAX, the answer scale")?;
            Some((model.latent_index(name).with_context(|| format!("the model has no latent {name:?}"))?, scale))
        }
        (None, Some((name, scale))) => {
            Some((model.latent_index(name).expect("presets name their own latents"), args.scale.unwrap_or(scale)))
        }
        (None, None) => None,
    };
    if let Some((k, scale)) = index {
        pls::check_scale(&model, &data, k, scale).with_context(|| {
            format!(
                "{}: the index of {} needs every answer within the scale {}:{}",
                args.data.display(),
                model.latents()[k].name,
                scale.0,
                scale.1
            )
        })?;
    }
    let boot = if args.bootstrap > 0 {
        let b = BootstrapConfig { resamples: args.bootstrap, seed: args.seed, index_of: index, ..Default::default() };
        Some(pls::bootstrap(&model, &data.matrix, &config, &b)?)
    } else {
        None
    };
    let report = to_json(&model, &fit, &data, &config, index, boot.as_ref());
    if args.format == "json" {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&model, &fit, &report);
    }
    Ok(())
}

fn by_latent(model: &PathModel, values: &[f64]) -> Value {
    let names: Vec<&str> = model.indicators().collect();
    let mut out = Map::new();
    for (k, l) in model.latents().iter().enumerate() {
        let block: Map<String, Value> = model.block(k).map(|j| (names[j].to_owned(), json!(values[j]))).collect();
        out.insert(l.name.clone(), Value::Object(block));
    }
    Value::Object(out)
}

fn per_latent(model: &PathModel, values: &[Option<f64>]) -> Value {
    Value::Object(model.latents().iter().zip(values).map(|(l, v)| (l.name.clone(), json!(v))).collect())
}

fn interval_json(iv: &Interval) -> Value {
    json!({"se": iv.se, "lo": iv.lo, "hi": iv.hi})
}

fn to_json(
    model: &PathModel,
    fit: &PlsFit,
    data: &pls::PlsData,
    config: &PlsConfig,
    index: Option<(usize, (f64, f64))>,
    boot: Option<&pls::BootstrapResult>,
) -> Value {
    let paths: Map<String, Value> =
        model.paths().iter().zip(&fit.path_coefficients).map(|(&p, v)| (model.path_label(p), json!(v))).collect();
    let r2: Map<String, Value> =
        model.latents().iter().zip(&fit.r_squared).filter_map(|(l, r)| r.map(|r| (l.name.clone(), json!(r)))).collect();
    let mut out = json!({
        "converged": fit.converged,
        "iterations": fit.iterations,
        "convergence": {
            "criterion": pls::CONVERGENCE_CRITERION,
            "tolerance": config.tolerance,
            "max_iterations": config.max_iterations,
            "iterations": fit.iterations,
            "last_change": fit.last_change,
            "converged": fit.converged,
        },
        "scheme": format!("{:?}", config.scheme).to_lowercase(),
        "rows_used": data.matrix.nrows(),
        "rows_dropped": data.dropped_rows,
        "outer_weights": by_latent(model, &fit.outer_weights),
        "loadings": by_latent(model, &fit.loadings),
        "path_coefficients": paths,
        "r_squared": r2,
        "quality": {
            "cronbach_alpha": per_latent(model, &fit.quality.cronbach_alpha),
            "dillon_goldstein_rho": per_latent(model, &fit.quality.dillon_goldstein_rho),
            "ave": per_latent(model, &fit.quality.ave),
            "communality": by_latent(model, &fit.quality.communality),
            "redundancy": by_latent(model, &fit.quality.redundancy),
            "gof": fit.quality.gof,
        },
    });
    if let Some((k, scale)) = index {
        let mut idx = json!({
            "latent": model.latents()[k].name,
            "scale": [scale.0, scale.1],
            "value": pls::acsi_index(model, fit, k, scale),
        });
        if let Some(b) = boot {
            idx["bootstrap"] = b.index.as_ref().map_or(Value::Null, interval_json);
        }
        out["index"] = idx;
    }
    if let Some(b) = boot {
        let failures: Vec<Value> =
            b.failures.iter().map(|(reason, count)| json!({"reason": reason, "count": count})).collect();
        out["bootstrap_resamples"] = json!({
            "requested": b.requested,
            "succeeded": b.succeeded,
            "failed": b.failed,
            "failures": failures,
            "required": b.required,
            "intervals": if b.unavailable.is_some() { "unavailable" } else { "available" },
            "unavailable_reason": b.unavailable,
        });
    }
    if boot.is_some_and(|b| b.unavailable.is_some()) {
        // No numbers that could be read as intervals: the keys are there, with null.
        out["bootstrap"] = Value::Null;
        out["bootstrap_outer_weights"] = Value::Null;
        out["bootstrap_loadings"] = Value::Null;
    } else if let Some(b) = boot {
        let paths: Map<String, Value> = model
            .paths()
            .iter()
            .zip(&b.path_coefficients)
            .map(|(&p, iv)| (model.path_label(p), interval_json(iv)))
            .collect();
        out["bootstrap"] = Value::Object(paths);
        let names: Vec<&str> = model.indicators().collect();
        let nest = |ivs: &[Interval]| -> Value {
            let mut m = Map::new();
            for (k, l) in model.latents().iter().enumerate() {
                let block: Map<String, Value> =
                    model.block(k).map(|j| (names[j].to_owned(), interval_json(&ivs[j]))).collect();
                m.insert(l.name.clone(), Value::Object(block));
            }
            Value::Object(m)
        };
        out["bootstrap_outer_weights"] = nest(&b.outer_weights);
        out["bootstrap_loadings"] = nest(&b.loadings);
    }
    out
}

fn print_table(model: &PathModel, fit: &PlsFit, report: &Value) {
    println!(
        "PLS path model: {} scheme, {} rows used ({} dropped for missing values), {} after {} iteration(s)",
        report["scheme"].as_str().unwrap_or(""),
        report["rows_used"],
        report["rows_dropped"],
        if fit.converged { "converged" } else { "NOT converged" },
        fit.iterations
    );
    if !fit.converged {
        println!("WARNING: not converged; the estimates below are the last iteration's, not a solution");
    }
    if let Some(b) = report.get("bootstrap_resamples") {
        println!("Bootstrap: {} of {} resamples succeeded, {} failed", b["succeeded"], b["requested"], b["failed"]);
        for f in b["failures"].as_array().into_iter().flatten() {
            println!("  {} failed: {}", f["count"], f["reason"].as_str().unwrap_or(""));
        }
        if let Some(why) = b["unavailable_reason"].as_str() {
            println!("  intervals unavailable: {why}");
        }
    }
    let boot = report.get("bootstrap");
    println!("\nPath coefficients");
    for (&p, v) in model.paths().iter().zip(&fit.path_coefficients) {
        let label = model.path_label(p);
        match boot.and_then(|b| b.get(&label)) {
            Some(iv) => println!(
                "  {label:<32} {v:>8.4}   se {:.4}   95% [{:.4}, {:.4}]",
                iv["se"].as_f64().unwrap_or(f64::NAN),
                iv["lo"].as_f64().unwrap_or(f64::NAN),
                iv["hi"].as_f64().unwrap_or(f64::NAN)
            ),
            None => println!("  {label:<32} {v:>8.4}"),
        }
    }
    println!("\nLatent variables");
    println!("  {:<16} {:>8} {:>8} {:>8} {:>8}", "latent", "R2", "alpha", "DG rho", "AVE");
    let fmt = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.4}"));
    for (k, l) in model.latents().iter().enumerate() {
        println!(
            "  {:<16} {:>8} {:>8} {:>8} {:>8}",
            l.name,
            fmt(fit.r_squared[k]),
            fmt(fit.quality.cronbach_alpha[k]),
            fmt(fit.quality.dillon_goldstein_rho[k]),
            fmt(fit.quality.ave[k])
        );
    }
    println!("\nOuter model");
    println!("  {:<16} {:<12} {:>8} {:>8}", "latent", "indicator", "weight", "loading");
    let names: Vec<&str> = model.indicators().collect();
    for (k, l) in model.latents().iter().enumerate() {
        for j in model.block(k) {
            println!("  {:<16} {:<12} {:>8.4} {:>8.4}", l.name, names[j], fit.outer_weights[j], fit.loadings[j]);
        }
    }
    if let Some(gof) = fit.quality.gof {
        println!("\nGoodness of fit: {gof:.4}");
    }
    if let Some(idx) = report.get("index") {
        let bounds = match idx.get("bootstrap") {
            Some(Value::Null) => "  95% interval unavailable (see Bootstrap above)".to_owned(),
            Some(b) => format!(
                "  95% [{:.1}, {:.1}]",
                b["lo"].as_f64().unwrap_or(f64::NAN),
                b["hi"].as_f64().unwrap_or(f64::NAN)
            ),
            None => String::new(),
        };
        println!(
            "ACSI-style index of {}: {:.1} (0-100){bounds}",
            idx["latent"].as_str().unwrap_or(""),
            idx["value"].as_f64().unwrap_or(f64::NAN)
        );
    }
}
