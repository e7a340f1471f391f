//! A path model: latent variables, each measured by a block of indicator columns, and the directed
//! paths between them. Checked once when made, so the estimator can rely on it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::PlsError;

/// How a block's indicators relate to its latent variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Mode {
    /// Reflective: the indicators reflect the latent (weights from covariances).
    A,
    /// Formative: the indicators form the latent (weights from a multiple regression).
    B,
}

/// How inner weights are computed from the current latent scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// The sign of the correlation between adjacent latents.
    Centroid,
    /// The correlation between adjacent latents.
    Factorial,
    /// Regression coefficients for predecessors, correlations for successors.
    Path,
}

/// Text that names no scheme.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an inner weighting scheme (expected path, centroid or factorial)")]
pub struct UnknownScheme(pub String);

impl std::str::FromStr for Scheme {
    type Err = UnknownScheme;
    fn from_str(s: &str) -> Result<Scheme, UnknownScheme> {
        match s.trim().to_ascii_lowercase().as_str() {
            "centroid" => Ok(Scheme::Centroid),
            "factorial" => Ok(Scheme::Factorial),
            "path" => Ok(Scheme::Path),
            _ => Err(UnknownScheme(s.to_owned())),
        }
    }
}

/// One latent variable as written in a model file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatentSpec {
    /// Its name.
    pub name: String,
    /// The columns that measure it.
    pub indicators: Vec<String>,
    /// Reflective (A) or formative (B).
    pub mode: Mode,
}

/// One path as written in a model file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathSpec {
    /// The latent the path starts at.
    pub from: String,
    /// The latent it points to.
    pub to: String,
}

/// A model as written in a model file (`[[latent]]` and `[[path]]` tables).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// The latent variables.
    #[serde(rename = "latent")]
    pub latents: Vec<LatentSpec>,
    /// The paths.
    #[serde(default, rename = "path")]
    pub paths: Vec<PathSpec>,
}

/// A checked path model. Latents are indexed in the order given; indicators are numbered block by
/// block in that order, which is also the column order the estimator expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathModel {
    latents: Vec<LatentSpec>,
    /// (from, to) latent indices, in the order given.
    paths: Vec<(usize, usize)>,
    /// Start of each block in the indicator numbering, plus the total at the end.
    offsets: Vec<usize>,
    /// Per latent, the latents with a path into it (computed once: the estimator asks every iteration).
    predecessors: Vec<Vec<usize>>,
    /// Per latent, the latents it has a path into.
    successors: Vec<Vec<usize>>,
}

impl PathModel {
    /// Checks a model: names unique, blocks non-empty and disjoint, paths between known latents, no
    /// path twice, and no cycle. Every problem is reported.
    pub fn new(spec: ModelSpec) -> Result<PathModel, PlsError> {
        let mut problems = Vec::new();
        if spec.latents.is_empty() {
            problems.push("the model has no latent variable".to_owned());
        }
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
        for (i, l) in spec.latents.iter().enumerate() {
            if index.insert(l.name.as_str(), i).is_some() {
                problems.push(format!("latent {:?} is defined twice", l.name));
            }
            if l.indicators.is_empty() {
                problems.push(format!("latent {:?} has no indicators", l.name));
            }
            for ind in &l.indicators {
                if let Some(first) = owner.insert(ind.as_str(), l.name.as_str()) {
                    problems.push(format!("indicator {ind:?} is in both {first:?} and {:?}", l.name));
                }
            }
        }
        let mut paths = Vec::new();
        for p in &spec.paths {
            match (index.get(p.from.as_str()), index.get(p.to.as_str())) {
                (Some(&f), Some(&t)) if f == t => {
                    problems.push(format!("path {} -> {} points to itself", p.from, p.to))
                }
                (Some(&f), Some(&t)) => {
                    if paths.contains(&(f, t)) {
                        problems.push(format!("path {} -> {} is given twice", p.from, p.to));
                    } else {
                        paths.push((f, t));
                    }
                }
                (f, t) => {
                    for (name, found) in [(&p.from, f), (&p.to, t)] {
                        if found.is_none() {
                            problems.push(format!("path {} -> {} names unknown latent {name:?}", p.from, p.to));
                        }
                    }
                }
            }
        }
        if problems.is_empty() {
            if let Some(cycle) = find_cycle(spec.latents.len(), &paths) {
                let names: Vec<&str> = cycle.iter().map(|&i| spec.latents[i].name.as_str()).collect();
                problems.push(format!("the paths form a cycle: {}", names.join(" -> ")));
            }
        }
        if !problems.is_empty() {
            return Err(PlsError::InvalidModel(problems));
        }
        let mut offsets = Vec::with_capacity(spec.latents.len() + 1);
        let mut total = 0;
        for l in &spec.latents {
            offsets.push(total);
            total += l.indicators.len();
        }
        offsets.push(total);
        let k = spec.latents.len();
        let predecessors = (0..k).map(|t| paths.iter().filter(|p| p.1 == t).map(|p| p.0).collect()).collect();
        let successors = (0..k).map(|f| paths.iter().filter(|p| p.0 == f).map(|p| p.1).collect()).collect();
        Ok(PathModel { latents: spec.latents, paths, offsets, predecessors, successors })
    }

    /// The latents, in model order.
    pub fn latents(&self) -> &[LatentSpec] {
        &self.latents
    }

    /// The paths as (from, to) latent indices.
    pub fn paths(&self) -> &[(usize, usize)] {
        &self.paths
    }

    /// Every indicator, block by block: the column order of the data matrix.
    pub fn indicators(&self) -> impl Iterator<Item = &str> {
        self.latents.iter().flat_map(|l| l.indicators.iter().map(String::as_str))
    }

    /// The number of indicators.
    pub fn indicator_count(&self) -> usize {
        *self.offsets.last().expect("offsets always has a total")
    }

    /// The column range of block `k`.
    pub fn block(&self, k: usize) -> std::ops::Range<usize> {
        self.offsets[k]..self.offsets[k + 1]
    }

    /// The latents with a path into `k`.
    pub fn predecessors(&self, k: usize) -> &[usize] {
        &self.predecessors[k]
    }

    /// The latents `k` has a path into.
    pub fn successors(&self, k: usize) -> &[usize] {
        &self.successors[k]
    }

    /// The latent's index by name.
    pub fn latent_index(&self, name: &str) -> Option<usize> {
        self.latents.iter().position(|l| l.name == name)
    }

    /// The path's label, `FROM->TO`.
    pub fn path_label(&self, (from, to): (usize, usize)) -> String {
        format!("{}->{}", self.latents[from].name, self.latents[to].name)
    }
}

/// A cycle among the paths, if any (by depth-first search).
fn find_cycle(n: usize, paths: &[(usize, usize)]) -> Option<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        Open,
        Done,
    }
    fn visit(v: usize, paths: &[(usize, usize)], state: &mut [State], stack: &mut Vec<usize>) -> Option<Vec<usize>> {
        state[v] = State::Open;
        stack.push(v);
        for &(f, t) in paths {
            if f != v {
                continue;
            }
            match state[t] {
                State::Open => {
                    let start = stack.iter().position(|&x| x == t).expect("an open node is on the stack");
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(t);
                    return Some(cycle);
                }
                State::New => {
                    if let Some(c) = visit(t, paths, state, stack) {
                        return Some(c);
                    }
                }
                State::Done => {}
            }
        }
        stack.pop();
        state[v] = State::Done;
        None
    }
    let mut state = vec![State::New; n];
    for v in 0..n {
        if state[v] == State::New {
            if let Some(c) = visit(v, paths, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> ModelSpec {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn the_documented_model_file_form_parses() {
        let m = PathModel::new(spec(
            r#"
            [[latent]]
            name = "Image"
            indicators = ["IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"]
            mode = "A"          # "A" reflective, "B" formative

            [[latent]]
            name = "Expectation"
            indicators = ["CUEX1", "CUEX2", "CUEX3"]
            mode = "A"

            [[path]]
            from = "Image"
            to = "Expectation"
            "#,
        ))
        .unwrap();
        assert_eq!(m.indicator_count(), 8);
        assert_eq!(m.block(1), 5..8);
        assert_eq!(m.predecessors(1), [0]);
        assert_eq!(m.path_label((0, 1)), "Image->Expectation");
    }

    #[test]
    fn every_problem_is_listed() {
        let err = PathModel::new(spec(
            r#"
            [[latent]]
            name = "A"
            indicators = ["x1", "x2"]
            mode = "A"
            [[latent]]
            name = "A"
            indicators = ["x2"]
            mode = "B"
            [[latent]]
            name = "C"
            indicators = []
            mode = "A"
            [[path]]
            from = "A"
            to = "Z"
            "#,
        ))
        .unwrap_err();
        let PlsError::InvalidModel(p) = err else { panic!("{err}") };
        assert_eq!(
            p,
            [
                "latent \"A\" is defined twice",
                "indicator \"x2\" is in both \"A\" and \"A\"",
                "latent \"C\" has no indicators",
                "path A -> Z names unknown latent \"Z\"",
            ]
        );
    }

    #[test]
    fn cycles_are_refused() {
        let err = PathModel::new(spec(
            r#"
            [[latent]]
            name = "A"
            indicators = ["a"]
            mode = "A"
            [[latent]]
            name = "B"
            indicators = ["b"]
            mode = "A"
            [[latent]]
            name = "C"
            indicators = ["c"]
            mode = "A"
            [[path]]
            from = "A"
            to = "B"
            [[path]]
            from = "B"
            to = "C"
            [[path]]
            from = "C"
            to = "A"
            "#,
        ))
        .unwrap_err();
        assert_eq!(err.to_string(), "invalid path model:\n  the paths form a cycle: A -> B -> C -> A");
    }

    #[test]
    fn unknown_modes_and_fields_are_syntax_errors() {
        assert!(toml::from_str::<ModelSpec>("[[latent]]\nname='A'\nindicators=['a']\nmode='C'").is_err());
        assert!(toml::from_str::<ModelSpec>("[[latent]]\nname='A'\nindicators=['a']\nmode='A'\nweight=1").is_err());
    }
}
