#!/usr/bin/env python3
"""Rebuilds performance.gov's `omb_cx_reporting_collections.json` (the JSON:API document Touchpoints
serves) from GSA's flattened copy of it, for fedcx's test fixtures. Run by hand; not part of the build.

    python3 scripts/published_json_from_csv.py MERGED.csv > OUT.json [--ids 1,2,3]

Why this is the served document, field by field (GSA/touchpoints @ 3319fe54, the parent of 14127a5e
which removed version 1):
- config/initializers/active_model_serializers.rb:3-4: adapter :json_api, key_transform :unaltered, so
  the document is {"data": [{"id": "<id as string>", "type": "omb_cx_reporting_collections",
  "attributes": {...}}]}; the adapter moves `id` out of the attributes; no top-level links or meta
  (app/controllers/api/v1/omb_cx_reporting_collections_controller.rb:10-12 renders the whole
  relation, ordered by id, unpaged); spec/controllers/api/v1/omb_cx_reporting_collections_controller_spec.rb
  checks data[].type == "omb_cx_reporting_collections" and data[].id as a string.
- app/serializers/omb_cx_reporting_collection_serializer.rb:4-104: the attributes, in this order.
- db/schema.rb:467-549: counts and volumes are integers (volumes nullable), texts strings;
  collection_year / collection_quarter are the collection's `year` / `quarter`, strings
  (db/schema.rb:57-58; delegated, app/models/omb_cx_reporting_collection.rb:378-380).
- q*_point_scale is (points / total).round(2), a float; with no answers 0.0/0 is NaN, which Rails'
  JSON encoder writes as null. omb_control_number / federal_register_url return placeholders when nil
  (omb_cx_reporting_collection.rb:27-33), so they are never null.
- Timestamps: ActiveSupport's JSON encoding, ISO 8601 with milliseconds, as the flattened file has them.
The flattened file (GSA/HISP-CX-Data mergedcxdata-2023-05-21.csv @ e9b2def2, written by pandas from
this document, DATA_PREP_IM_HISP_CX.ipynb) turned integers that had a null in their column into
floats (`9707552.0`); they are turned back here.
"""
import csv
import json
import sys

ATTRIBUTES = (
    ["organization_id", "organization_name", "organization_abbreviation", "service_provider_id",
     "service_provider_name", "collection_id", "collection_name", "collection_year", "collection_quarter",
     "service_provided", "transaction_point", "channel", "volume_of_customers",
     "volume_of_customers_provided_survey_opportunity", "volume_of_respondents", "omb_control_number",
     "federal_register_url"]
    + [f"q{q}_{part}" for q in range(1, 12) for part in ["text", "1", "2", "3", "4", "5", "point_scale"]]
    + ["created_at", "updated_at", "operational_metrics", "service_id", "service_name", "service_slug"]
)
INTEGERS = {"organization_id", "service_provider_id", "collection_id", "service_id", "volume_of_customers",
            "volume_of_customers_provided_survey_opportunity", "volume_of_respondents"} | {
    f"q{q}_{k}" for q in range(1, 12) for k in range(1, 6)}
FLOATS = {f"q{q}_point_scale" for q in range(1, 12)}


NEVER_NULL = {"omb_control_number", "federal_register_url"}


def typed(name, cell):
    if cell == "":
        # The placeholder methods never return nil, so an empty cell was an empty string.
        return "" if name in NEVER_NULL else None
    if name in INTEGERS:
        f = float(cell)
        assert f == int(f), (name, cell)
        return int(f)
    if name in FLOATS:
        return float(cell)
    return cell


def main():
    path = sys.argv[1]
    wanted = None
    if len(sys.argv) > 3 and sys.argv[2] == "--ids":
        wanted = set(sys.argv[3].split(","))
    data = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if wanted is not None and row["id"] not in wanted:
                continue
            attributes = {name: typed(name, row["attributes_" + name]) for name in ATTRIBUTES}
            data.append({"id": row["id"], "type": row["type"], "attributes": attributes})
    data.sort(key=lambda d: int(d["id"]))
    json.dump({"data": data}, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
