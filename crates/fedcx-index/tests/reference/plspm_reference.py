"""Writes the PLS-PM conformance fixtures with the Python plspm package (an independent implementation).

Run from crates/fedcx-index with plspm 0.5.7 installed (see tests/fixtures/README.md).
"""
import json
import numpy as np
import pandas as pd
import plspm
import plspm.config as c
from plspm.plspm import Plspm
from plspm.scheme import Scheme
from plspm.mode import Mode
from plspm.scale import Scale

ECSI_BLOCKS = {
    "Image": ["IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"],
    "Expectation": ["CUEX1", "CUEX2", "CUEX3"],
    "Quality": ["PERQ1", "PERQ2", "PERQ3", "PERQ4", "PERQ5", "PERQ6", "PERQ7"],
    "Value": ["PERV1", "PERV2"],
    "Satisfaction": ["CUSA1", "CUSA2", "CUSA3"],
    "Complaints": ["CUSCO"],
    "Loyalty": ["CUSL1", "CUSL2", "CUSL3"],
}
ECSI_PATHS = [
    ("Image", "Expectation"), ("Image", "Satisfaction"), ("Image", "Loyalty"),
    ("Expectation", "Quality"), ("Expectation", "Value"), ("Expectation", "Satisfaction"),
    ("Quality", "Value"), ("Quality", "Satisfaction"), ("Value", "Satisfaction"),
    ("Satisfaction", "Complaints"), ("Satisfaction", "Loyalty"), ("Complaints", "Loyalty"),
]
# The reduced mobi model of plspm's own seminr regression test (tests/test_regression_seminr.py,
# test_paths, in the plspm 0.5.7 sdist): Quality is formative (Mode B), path scheme.
MODEB_BLOCKS = {
    "Expectation": ["CUEX1", "CUEX2", "CUEX3"],
    "Quality": ["PERQ1", "PERQ2", "PERQ3", "PERQ4", "PERQ5", "PERQ6", "PERQ7"],
    "Loyalty": ["CUSL1", "CUSL2", "CUSL3"],
    "Image": ["IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"],
    "Complaints": ["CUSCO"],
}
MODEB_MODES = {"Quality": Mode.B}
MODEB_PATHS = [("Expectation", "Loyalty"), ("Quality", "Loyalty"), ("Image", "Expectation"), ("Complaints", "Loyalty")]
RUSSETT_BLOCKS = {"AGRI": ["gini", "farm", "rent"], "IND": ["gnpr", "labo"], "POLINS": ["inst", "ecks", "death", "demo"]}
RUSSETT_PATHS = [("AGRI", "POLINS"), ("IND", "POLINS")]


def fit(data, blocks, paths, scheme, modes=None):
    structure = c.Structure()
    for src, dst in paths:
        structure.add_path([src], [dst])
    config = c.Config(structure.path(), default_scale=Scale.NUM)
    for lv, mvs in blocks.items():
        config.add_lv(lv, (modes or {}).get(lv, Mode.A), *[c.MV(m) for m in mvs])
    return Plspm(data, config, scheme, iterations=300, tolerance=1e-10)


def num(v):
    """A float, or None (JSON null) where plspm reports NaN (e.g. alpha of a one-indicator block)."""
    v = float(v)
    return None if np.isnan(v) else v


def result(name, data, blocks, paths, scheme, modes=None):
    m = fit(data, blocks, paths, scheme, modes)
    outer = m.outer_model()
    path = m.path_coefficients()
    inner = m.inner_summary()
    uni = m.unidimensionality()
    out = {
        "generated_by": f"plspm {plspm.__version__ if hasattr(plspm, '__version__') else '0.5.7'}, numpy {np.__version__}, pandas {pd.__version__}; default_scale=Scale.NUM, tolerance 1e-10",
        "data": name,
        "scheme": scheme.name.lower(),
        "outer_weights": {lv: {mv: float(outer.loc[mv, "weight"]) for mv in mvs} for lv, mvs in blocks.items()},
        "loadings": {lv: {mv: float(outer.loc[mv, "loading"]) for mv in mvs} for lv, mvs in blocks.items()},
        "communality": {lv: {mv: float(outer.loc[mv, "communality"]) for mv in mvs} for lv, mvs in blocks.items()},
        "redundancy": {lv: {mv: float(outer.loc[mv, "redundancy"]) for mv in mvs} for lv, mvs in blocks.items()},
        "path_coefficients": {f"{s}->{d}": float(path.loc[d, s]) for s, d in paths},
        "r_squared": {lv: float(inner.loc[lv, "r_squared"]) for lv in blocks if inner.loc[lv, "type"] == "Endogenous"},
        "ave": {lv: num(inner.loc[lv, "ave"]) for lv in blocks},
        "cronbach_alpha": {lv: num(uni.loc[lv, "cronbach_alpha"]) for lv in blocks},
        "dillon_goldstein_rho": {lv: num(uni.loc[lv, "dillon_goldstein_rho"]) for lv in blocks},
        "gof": float(m.goodness_of_fit()),
    }
    if modes:
        out["modes"] = {lv: modes.get(lv, Mode.A).name for lv in blocks}
    if "Satisfaction" in blocks:
        # The ACSI index of Satisfaction by hand from the reference weights: unstandardised weights
        # w_i = standardised weight / sd(x_i), normalised to sum to 1; index = 100 sum w_i (mean_i - 1) / 9.
        mvs = blocks["Satisfaction"]
        std_w = np.array([out["outer_weights"]["Satisfaction"][mv] for mv in mvs])
        sd = data[mvs].std(ddof=1).to_numpy()
        w = std_w / sd
        w = w / w.sum()
        means = data[mvs].mean().to_numpy()
        out["acsi_index_satisfaction"] = float(100 * np.sum(w * (means - 1) / 9))
    return out


def main():
    mobi = pd.read_csv("tests/fixtures/ecsi_mobi.csv", index_col=0)
    for scheme in (Scheme.CENTROID, Scheme.FACTORIAL, Scheme.PATH):
        r = result("ecsi_mobi", mobi, ECSI_BLOCKS, ECSI_PATHS, scheme)
        with open(f"tests/fixtures/plspm_ecsi_{r['scheme']}.json", "w") as f:
            json.dump(r, f, indent=2, sort_keys=True, allow_nan=False)
    r = result("ecsi_mobi", mobi, MODEB_BLOCKS, MODEB_PATHS, Scheme.PATH, MODEB_MODES)
    with open("tests/fixtures/plspm_mobi_modeb_path.json", "w") as f:
        json.dump(r, f, indent=2, sort_keys=True, allow_nan=False)
    russett = pd.read_csv("tests/fixtures/russett.csv", index_col=0)
    r = result("russett", russett, RUSSETT_BLOCKS, RUSSETT_PATHS, Scheme.CENTROID)
    with open("tests/fixtures/plspm_russett_centroid.json", "w") as f:
        json.dump(r, f, indent=2, sort_keys=True, allow_nan=False)


if __name__ == "__main__":
    main()
