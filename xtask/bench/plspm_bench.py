"""Times the Python plspm package's fit on the same data fedcx fits (called by `cargo xtask bench pls`).

Usage: plspm_bench.py ecsi MOBI_CSV | a11 NATIVE_CSV; prints one JSON object with the best and median
in-process fit time (seconds) over repeated runs, timed around the Plspm(...) call only.
"""
import json
import sys
import time

import numpy as np
import pandas as pd
import plspm.config as c
from plspm.mode import Mode
from plspm.plspm import Plspm
from plspm.scale import Scale
from plspm.scheme import Scheme

ECSI = (
    {
        "Image": ["IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"],
        "Expectation": ["CUEX1", "CUEX2", "CUEX3"],
        "Quality": ["PERQ1", "PERQ2", "PERQ3", "PERQ4", "PERQ5", "PERQ6", "PERQ7"],
        "Value": ["PERV1", "PERV2"],
        "Satisfaction": ["CUSA1", "CUSA2", "CUSA3"],
        "Complaints": ["CUSCO"],
        "Loyalty": ["CUSL1", "CUSL2", "CUSL3"],
    },
    [("Image", "Expectation"), ("Image", "Satisfaction"), ("Image", "Loyalty"), ("Expectation", "Quality"),
     ("Expectation", "Value"), ("Expectation", "Satisfaction"), ("Quality", "Value"), ("Quality", "Satisfaction"),
     ("Value", "Satisfaction"), ("Satisfaction", "Complaints"), ("Satisfaction", "Loyalty"), ("Complaints", "Loyalty")],
)
A11 = (
    {"Quality": ["q3", "q4", "q5", "q6"], "Satisfaction": ["q1"], "Trust": ["q2"]},
    [("Quality", "Satisfaction"), ("Quality", "Trust"), ("Satisfaction", "Trust")],
)


def config(blocks, paths):
    s = c.Structure()
    for a, b in paths:
        s.add_path([a], [b])
    cfg = c.Config(s.path(), default_scale=Scale.NUM)
    for lv, mvs in blocks.items():
        cfg.add_lv(lv, Mode.A, *[c.MV(m) for m in mvs])
    return cfg


def main():
    kind, path = sys.argv[1], sys.argv[2]
    if kind == "ecsi":
        data = pd.read_csv(path, index_col=0)
        blocks, paths = ECSI
        scheme = Scheme.CENTROID
    else:
        cols = ["q1", "q2", "q3", "q4", "q5", "q6"]
        data = pd.read_csv(path, usecols=cols, na_values=["n/a"]).dropna()
        blocks, paths = A11
        scheme = Scheme.PATH
    cfg = config(blocks, paths)
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        Plspm(data, cfg, scheme)
        times.append(time.perf_counter() - t)
    print(json.dumps({"rows": len(data), "runs": runs, "best_s": min(times), "median_s": float(np.median(times))}))


if __name__ == "__main__":
    main()
