#!/usr/bin/env python3
"""Writes a native-layout CSV with one response in each of many distinct service x channel x quarter
groups, to measure fedcx's memory per group (docs/benchmarks.md). Run by hand; stdlib only.

    fedcx hisps --json > hisps.json
    python3 scripts/many_groups.py hisps.json REPEATS > groups.csv

REPEATS = 1 gives 39,240 groups with the bundled registry (109 services x 18 channels x 20
quarters, FY2019-FY2023); each repeat adds 20 more quarters (5 years later).
"""
import json
import sys

CHANNELS = ["website", "phone", "in_person", "email", "mobile_app", "live_chat", "postal_mail", "computer",
            "mobile", "paper", "fax", "chatbot", "sms_text_messages", "social_media", "other_digital",
            "other_non_digital", "self_service_kiosk", "automated_phone"]
HEADER = open("data/demo/responses.csv").readline().strip()


def main(hisps, repeats):
    services = [s["id"] for p in json.load(open(hisps)) for s in p["services"]]
    cols = HEADER.split(",")
    out = sys.stdout
    out.write(HEADER + "\n")
    n = 0
    for rep in range(repeats):
        for y in range(2019 + 5 * rep, 2024 + 5 * rep):
            for m in (1, 4, 7, 10):
                for s in services:
                    for c in CHANNELS:
                        n += 1
                        row = [""] * len(cols)
                        row[:6] = [f"G{n}", f"{y}-{m:02d}-15T12:00:00Z", s, c, "post_interaction", "v1"]
                        row[7:14] = ["4"] * 7
                        out.write(",".join(row) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
