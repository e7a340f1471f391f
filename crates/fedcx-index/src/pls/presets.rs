//! Preset path models: the ACSI federal-government model and the A-11 driver model.

use super::model::{LatentSpec, Mode, ModelSpec, PathSpec};

/// A preset: its model, the latent whose ACSI-style index is reported, and the answer scale.
#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    /// Its name on the command line.
    pub name: &'static str,
    /// What it is for.
    pub description: &'static str,
    /// The model.
    pub spec: ModelSpec,
    /// The latent whose 0-100 index is reported.
    pub index_latent: &'static str,
    /// The answer scale (min, max) of its indicators.
    pub scale: (f64, f64),
}

fn latent(name: &str, indicators: &[&str]) -> LatentSpec {
    LatentSpec {
        name: name.to_owned(),
        indicators: indicators.iter().map(|s| (*s).to_owned()).collect(),
        mode: Mode::A,
    }
}

fn path(from: &str, to: &str) -> PathSpec {
    PathSpec { from: from.to_owned(), to: to.to_owned() }
}

/// The ACSI model for federal government services: customer expectations and perceived quality
/// drive satisfaction (the ACSI), which drives complaints and trust. Columns: EXPECT1-2, QUAL1-3
/// (information, process, customer service), ACSI1-3 (overall satisfaction, expectations met,
/// closeness to ideal), COMPLAINT, TRUST1-2, each on a 1-10 scale.
pub fn acsi_federal() -> Preset {
    Preset {
        name: "acsi-federal",
        description:
            "ACSI federal-government model: expectations, perceived quality -> satisfaction -> complaints, trust",
        spec: ModelSpec {
            latents: vec![
                latent("Expectations", &["EXPECT1", "EXPECT2"]),
                latent("Quality", &["QUAL1", "QUAL2", "QUAL3"]),
                latent("Satisfaction", &["ACSI1", "ACSI2", "ACSI3"]),
                latent("Complaints", &["COMPLAINT"]),
                latent("Trust", &["TRUST1", "TRUST2"]),
            ],
            paths: vec![
                path("Expectations", "Quality"),
                path("Expectations", "Satisfaction"),
                path("Quality", "Satisfaction"),
                path("Satisfaction", "Complaints"),
                path("Satisfaction", "Trust"),
                path("Complaints", "Trust"),
            ],
        },
        index_latent: "Satisfaction",
        scale: (1.0, 10.0),
    }
}

/// The A-11 version-1 model on fedcx's native columns: the drivers q3-q6 (effectiveness, ease,
/// efficiency, equity/transparency) measure perceived quality, which predicts satisfaction (q1) and
/// trust (q2). q7 (employee helpfulness) is left out: self-service channels answer it "not
/// applicable", so including it would drop most digital respondents by listwise deletion.
pub fn a11() -> Preset {
    Preset {
        name: "a11",
        description: "A-11 driver model: q3-q6 -> perceived quality -> satisfaction (q1) -> trust (q2)",
        spec: ModelSpec {
            latents: vec![
                latent("Quality", &["q3", "q4", "q5", "q6"]),
                latent("Satisfaction", &["q1"]),
                latent("Trust", &["q2"]),
            ],
            paths: vec![path("Quality", "Satisfaction"), path("Quality", "Trust"), path("Satisfaction", "Trust")],
        },
        index_latent: "Satisfaction",
        scale: (1.0, 5.0),
    }
}

/// The ECSI mobile-phone model of Tenenhaus et al. (2005), on the `mobi` data's columns.
pub fn ecsi_mobi() -> Preset {
    Preset {
        name: "ecsi",
        description: "ECSI mobile-phone model (Tenenhaus et al. 2005) on the mobi data's columns",
        spec: ModelSpec {
            latents: vec![
                latent("Image", &["IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"]),
                latent("Expectation", &["CUEX1", "CUEX2", "CUEX3"]),
                latent("Quality", &["PERQ1", "PERQ2", "PERQ3", "PERQ4", "PERQ5", "PERQ6", "PERQ7"]),
                latent("Value", &["PERV1", "PERV2"]),
                latent("Satisfaction", &["CUSA1", "CUSA2", "CUSA3"]),
                latent("Complaints", &["CUSCO"]),
                latent("Loyalty", &["CUSL1", "CUSL2", "CUSL3"]),
            ],
            paths: vec![
                path("Image", "Expectation"),
                path("Image", "Satisfaction"),
                path("Image", "Loyalty"),
                path("Expectation", "Quality"),
                path("Expectation", "Value"),
                path("Expectation", "Satisfaction"),
                path("Quality", "Value"),
                path("Quality", "Satisfaction"),
                path("Value", "Satisfaction"),
                path("Satisfaction", "Complaints"),
                path("Satisfaction", "Loyalty"),
                path("Complaints", "Loyalty"),
            ],
        },
        index_latent: "Satisfaction",
        scale: (1.0, 10.0),
    }
}

/// Every preset.
pub fn all() -> Vec<Preset> {
    vec![acsi_federal(), a11(), ecsi_mobi()]
}

/// A preset by name.
pub fn by_name(name: &str) -> Option<Preset> {
    all().into_iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pls::PathModel;

    #[test]
    fn presets_are_valid_models() {
        for p in all() {
            let m = PathModel::new(p.spec.clone()).unwrap_or_else(|e| panic!("{}: {e}", p.name));
            assert!(m.latent_index(p.index_latent).is_some(), "{}", p.name);
        }
    }
}
