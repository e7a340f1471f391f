"""The ingest benchmark's peers: the same GROUP BY fedcx computes, in DuckDB or polars.

Usage: ingest_peers.py duckdb|polars FILE.csv; prints JSON with the number of result groups and the
total of counted question answers (q1..q11 and question_1), for cross-checking against fedcx.
Counts per service, channel, fiscal quarter (from the local date of submitted_at), question and answer,
over every answer column (the version-1 questions, the trust question and the 14 indicators).
"""
import json
import sys

QUESTIONS = [f"q{i}" for i in range(1, 12)] + ["question_1"]
INDICATORS = [f"{p}_{i}" for p in ("positive", "negative")
              for i in ("effectiveness", "ease", "efficiency", "transparency", "humanity", "employee", "other")]
ANSWERS = QUESTIONS + INDICATORS


def duckdb_counts(path):
    import duckdb
    cols = ", ".join(ANSWERS)
    sql = f"""
        WITH r AS (
            SELECT service_id, channel,
                   CAST(substr(submitted_at, 1, 4) AS INTEGER)
                       + CASE WHEN CAST(substr(submitted_at, 6, 2) AS INTEGER) >= 10 THEN 1 ELSE 0 END AS fy,
                   ((CAST(substr(submitted_at, 6, 2) AS INTEGER) + 2) % 12) // 3 + 1 AS fq,
                   {cols}
            FROM read_csv('{path}', header = true, all_varchar = true)
        )
        SELECT service_id, channel, fy, fq, question, answer, count(*) AS n
        FROM (UNPIVOT r ON {cols} INTO NAME question VALUE answer)
        WHERE answer IS NOT NULL AND answer <> ''
        GROUP BY ALL
    """
    con = duckdb.connect()
    con.execute(f"SET threads TO {2}")
    rows = con.execute(sql).fetchall()
    qs = set(QUESTIONS)
    return len(rows), sum(r[6] for r in rows if r[4] in qs)


def polars_counts(path):
    import polars as pl
    month = pl.col("submitted_at").str.slice(5, 2).cast(pl.Int32)
    year = pl.col("submitted_at").str.slice(0, 4).cast(pl.Int32)
    lf = (
        pl.scan_csv(path, infer_schema=False)
        .select(["service_id", "channel", "submitted_at"] + ANSWERS)
        .with_columns(fy=year + (month >= 10).cast(pl.Int32), fq=((month + 2) % 12) // 3 + 1)
        .drop("submitted_at")
        .unpivot(index=["service_id", "channel", "fy", "fq"], on=ANSWERS, variable_name="question", value_name="answer")
        .filter(pl.col("answer").is_not_null() & (pl.col("answer") != ""))
        .group_by(["service_id", "channel", "fy", "fq", "question", "answer"])
        .len()
    )
    df = lf.collect(engine="streaming")
    return df.height, int(df.filter(pl.col("question").is_in(QUESTIONS))["len"].sum())


def main():
    tool, path = sys.argv[1], sys.argv[2]
    groups, answers = duckdb_counts(path) if tool == "duckdb" else polars_counts(path)
    print(json.dumps({"groups": groups, "question_answers": answers}))


if __name__ == "__main__":
    main()
