#!/usr/bin/env python3
"""Independent reference for docs/public-data.md: government-wide satisfaction and trust, % agree, per
fiscal quarter, computed straight from performance.gov's published CX counts (GSA/HISP-CX-Data
mergedcxdata-2023-05-21.csv @ e9b2def2), without fedcx.

Run by hand (not in CI; the Rust build and tests never depend on Python):

    python3 scripts/public_data_reference.py crates/fedcx-ingest/tests/fixtures/performance-gov-cx/mergedcxdata-2023-05-21.csv

Only the standard library is used. The rules, written independently of fedcx's code:
- q1 is satisfaction and q2 trust in every version-1 record (A-11 Section 280, FY2019-23).
- A question whose wording says it was asked on a 10-point (or 0-10) scale is left out: its five
  columns are not the 5-point agreement scale. A yes/no question counts "yes" (column 5) as
  agreeing and "no" (column 1) as not. Every other question is the 5-point scale.
- % agree = (column 4 + column 5) / (sum of the five columns), summed over every record of the
  quarter; counts are whole numbers even where the file writes them as 12.0.
"""
import csv
import re
import sys
from collections import defaultdict

TEN = re.compile(r"10\s*-?\s*point|\b[01]\s*to\s*10\b|\b10\s*to\s*10\b|\b10\s*=|\b[01]\s*-\s*10\b", re.I)
YES_NO = re.compile(r"\byes\s*(or|/)\s*no\b", re.I)


def scale(text):
    if TEN.search(text or ""):
        return "10-point"
    if YES_NO.search(text or ""):
        return "yes/no"
    return "5-point"


def whole(cell):
    cell = (cell or "").strip()
    if not cell:
        return 0
    f = float(cell)
    assert f == int(f), cell
    return int(f)


def main(path):
    agree = defaultdict(lambda: [0, 0])  # (quarter, q) -> [agree, answers]
    left_out = defaultdict(int)
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            quarter = f"FY{row['attributes_collection_year']} Q{row['attributes_collection_quarter']}"
            for q in (1, 2):
                counts = [whole(row[f"attributes_q{q}_{k}"]) for k in range(1, 6)]
                s = scale(row[f"attributes_q{q}_text"])
                if s == "10-point":
                    left_out[(quarter, q)] += sum(counts)
                    continue
                a = agree[(quarter, q)]
                a[0] += counts[3] + counts[4]
                a[1] += sum(counts)
    print("| quarter | satisfaction % agree | agree / answers | trust % agree | agree / answers | left out (10-point) sat / trust |")
    print("|---|---|---|---|---|---|")
    for quarter in sorted({k[0] for k in agree}, key=lambda s: (int(s[2:6]), s[-1])):
        sat, tru = agree[(quarter, 1)], agree[(quarter, 2)]
        print(
            f"| {quarter} | {100 * sat[0] / sat[1]:.1f} | {sat[0]:,} / {sat[1]:,} | {100 * tru[0] / tru[1]:.1f} "
            f"| {tru[0]:,} / {tru[1]:,} "
            f"| {left_out[(quarter, 1)]:,} / {left_out[(quarter, 2)]:,} |"
        )


if __name__ == "__main__":
    main(sys.argv[1])
