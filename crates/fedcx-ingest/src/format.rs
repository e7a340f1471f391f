//! Telling the input formats apart from a file's first bytes.

use std::path::Path;

pub use fedcx_model::format::{Format, UnknownFormat};
use fedcx_model::records::{DETAIL_EXPORT_COLUMNS, RESPONSE_UPLOAD_COLUMNS};

use crate::error::IngestError;
use crate::mapped::NATIVE_HEADER;

/// Tells the format from the file's first bytes. Only formats with an unmistakable header are
/// detected; a generic export needs `--format csv --mapping`.
pub fn detect(path: &Path, head: &[u8]) -> Result<Format, IngestError> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = String::from_utf8_lossy(head);
    let first_line = text.lines().next().unwrap_or("").trim();
    if first_line.starts_with('{') && first_line.contains("\"answers\"") {
        return Ok(Format::Jsonl);
    }
    let trimmed = text.trim_start();
    // Before the analytics rule, which a JSON:API document's `"data"` would also match.
    if (trimmed.starts_with('{') || trimmed.starts_with('[')) && text.contains(crate::v1::RECORD_TYPE) {
        return Ok(Format::TouchpointsV1Json);
    }
    if (trimmed.starts_with('{') || trimmed.starts_with('['))
        && (text.contains("\"visits\"") || text.contains("\"data\""))
    {
        return Ok(Format::Dap);
    }
    let columns: Vec<String> = first_line.split(',').map(|c| c.trim().trim_matches('"').to_ascii_lowercase()).collect();
    let has_all = |wanted: &[&str]| wanted.iter().all(|w| columns.iter().any(|c| c == w));
    if has_all(&NATIVE_HEADER[..7]) {
        return Ok(Format::Csv);
    }
    if has_all(&RESPONSE_UPLOAD_COLUMNS) {
        if has_all(&[crate::touchpoints::RESPONSES_DETAIL_COLUMN]) {
            return Ok(Format::TouchpointsResponses);
        }
        return Ok(Format::TouchpointsV2);
    }
    if has_all(&["collection_year", "collection_quarter", "q1_1"])
        || has_all(&["attributes_collection_year", "attributes_collection_quarter", "attributes_q1_1"])
    {
        return Ok(Format::TouchpointsV1);
    }
    if has_all(&crate::published_cx::LONG_SIGNATURE) {
        return Ok(Format::TouchpointsV1Long);
    }
    if columns == crate::counts::COUNTS_HEADER {
        return Ok(Format::Counts);
    }
    // A benchmark file may carry more columns after these (the bundled ACSI series has its sources).
    if columns.len() >= 3 && columns.iter().zip(crate::series::BENCHMARK_HEADER).all(|(c, w)| c == w) {
        return Ok(Format::Benchmark);
    }
    if crate::published::Layout::of_header(&columns).is_some() {
        return Ok(Format::PerformanceGov);
    }
    if has_all(&DETAIL_EXPORT_COLUMNS[..1]) && has_all(&["cx_collection_id", "volume_of_respondents"]) {
        return Ok(Format::TouchpointsDetails);
    }
    // The balanced-measures inputs come last, the loosest (the index table's "a column naming the
    // agency and a year column") last of all, so no earlier format's file is taken for one.
    if crate::business::looks_like_business_results(&columns) {
        return Ok(Format::BusinessResults);
    }
    if crate::site_scan::looks_like_site_scan(&columns) {
        return Ok(Format::SiteScanning);
    }
    // The FEVS helpers read the header as written (case kept), not lower-cased.
    let raw: Vec<&str> = first_line.split(',').map(|c| c.trim().trim_matches('"')).collect();
    if crate::fevs::looks_like_prdf(&raw) {
        return Ok(Format::Fevs);
    }
    if crate::fevs::looks_like_index_table(&raw) {
        return Ok(Format::FevsIndex);
    }
    let shown: String = first_line.chars().take(120).collect();
    Err(IngestError::UndetectableFormat {
        path: path.to_owned(),
        header: shown,
        candidates: Format::ALL.iter().map(|f| f.as_str()).collect(),
        // A survey tool's own export is no format of its own: a mapping reads it, and the error
        // names the one that does.
        tool: crate::mapped::Tool::of_header(&columns),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect_text(head: &str) -> Result<Format, String> {
        detect(Path::new("f"), head.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn detects_each_format_from_its_header() {
        assert_eq!(detect_text(&NATIVE_HEADER.join(",")), Ok(Format::Csv));
        assert_eq!(detect_text(&format!("\u{feff}{}\r\n", NATIVE_HEADER.join(","))), Ok(Format::Csv));
        assert_eq!(detect_text(&DETAIL_EXPORT_COLUMNS.join(",")), Ok(Format::TouchpointsDetails));
        assert_eq!(detect_text("{\"id\":\"1\",\"answers\":{}}\n"), Ok(Format::Jsonl));
        assert_eq!(detect_text(&RESPONSE_UPLOAD_COLUMNS.join(",")), Ok(Format::TouchpointsV2));
        // CxResponse.to_csv (GSA/touchpoints app/models/cx_response.rb:12-33 @ 4933e27d).
        let export = "cx_collection_detail_id,cx_collection_detail_upload_id,question_1,positive_effectiveness,positive_ease,positive_efficiency,positive_transparency,positive_humanity,positive_employee,positive_other,negative_effectiveness,negative_ease,negative_efficiency,negative_transparency,negative_humanity,negative_employee,negative_other,question_4,job_id,external_id";
        assert_eq!(detect_text(export), Ok(Format::TouchpointsResponses));
        // The upload check compares the sorted header, so any order (and a BOM) is an upload.
        let mut shuffled = RESPONSE_UPLOAD_COLUMNS.to_vec();
        shuffled.reverse();
        assert_eq!(detect_text(&format!("\u{feff}{}", shuffled.join(","))), Ok(Format::TouchpointsV2));
        assert_eq!(
            detect_text("id,collection_id,collection_year,collection_quarter,service_id,q1_1,q1_2"),
            Ok(Format::TouchpointsV1)
        );
        assert_eq!(
            detect_text("{\"name\":\"domain\",\"data\":[{\"date\":\"2024-01-01\",\"visits\":1}]}"),
            Ok(Format::Dap)
        );
        // performance.gov's published copies (tests/fixtures/performance-gov-cx/, GSA/HISP-CX-Data
        // @ e9b2def2): the JSON:API document, its flattened CSV and the long per-question CSV.
        let fixtures = format!("{}/tests/fixtures/performance-gov-cx", env!("CARGO_MANIFEST_DIR"));
        for (name, want) in [
            ("omb_cx_reporting_collections.json", Format::TouchpointsV1Json),
            ("mergedcxdata-2023-05-21.csv", Format::TouchpointsV1),
            (crate::published_cx::LONG_FIXTURE_NAME, Format::TouchpointsV1Long),
        ] {
            let bytes = std::fs::read(format!("{fixtures}/{name}")).unwrap();
            assert_eq!(detect(Path::new(name), &bytes[..bytes.len().min(4096)]).ok(), Some(want), "{name}");
        }
        assert_eq!(detect_text("series,year,value\nacsi,2021,63.4"), Ok(Format::Benchmark));
        assert_eq!(detect_text("series,year,value,status,source,note\n"), Ok(Format::Benchmark));
        // performance.gov's three layouts (tests/fixtures/performance-gov/).
        assert_eq!(
            detect_text("hisp_service_id,year,quarter,touchpoint,surveys_offered_count,response_count,satisfied,trust,effective,easy,efficient,transparent,employee"),
            Ok(Format::PerformanceGov)
        );
        assert_eq!(
            detect_text("hisp,service,year,quarter,question,average_score,description"),
            Ok(Format::PerformanceGov)
        );
        assert_eq!(
            detect_text("hisp,service,year,quarter,universe,surveyed,respondents,response_rate"),
            Ok(Format::PerformanceGov)
        );
        // The balanced-measures inputs, from their fixtures' headers (tests/fixtures/{fevs,
        // business,site-scanning}/ in this crate).
        let prdf = "AGENCY,LEVEL1,DSUPER,DSEX,DMINORITY,DEDUC,DFEDTEN,DLEAVING,Q1,Q2,Q3,Q4,Q71,POSTWT,RandomID";
        assert_eq!(detect_text(prdf), Ok(Format::Fevs));
        assert_eq!(
            detect_text("Agency,percentage_2020,percentage_2021,percentage_2022,percentage_2023"),
            Ok(Format::FevsIndex)
        );
        assert_eq!(detect_text("service_id,fy,quarter,metric,value,unit,source"), Ok(Format::BusinessResults));
        for name in ["current_layout_2026_08.csv", "ssa_full_rows_2025_01_16.csv", "ssa_rows_key_columns.csv"] {
            let path = format!("{}/tests/fixtures/site-scanning/{name}", env!("CARGO_MANIFEST_DIR"));
            let bytes = std::fs::read(&path).unwrap();
            assert_eq!(
                detect(Path::new(&path), &bytes[..bytes.len().min(4096)]).ok(),
                Some(Format::SiteScanning),
                "{name}"
            );
        }
        let fixtures = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
        for (name, want) in [
            ("fevs/prdf-2019-layout.csv", Format::Fevs),
            ("fevs/eei-by-agency.csv", Format::FevsIndex),
            ("business/business-results.csv", Format::BusinessResults),
        ] {
            let bytes = std::fs::read(format!("{fixtures}/{name}")).unwrap();
            assert_eq!(detect(Path::new(name), &bytes[..bytes.len().min(4096)]).ok(), Some(want), "{name}");
        }
    }

    /// Issue 21: a Qualtrics export (qualtrics-3row.csv's header) was only "cannot tell the
    /// format", with the formats to pass; it is named, with the mapping and command that read it.
    #[test]
    fn a_survey_tools_export_is_named_with_the_command_that_reads_it() {
        let head =
            "StartDate,EndDate,Status,IPAddress,Progress,Duration (in seconds),Finished,RecordedDate,ResponseId,\
                    DistributionChannel,UserLanguage,Q1,Q2_1\n";
        let err = detect(Path::new("export.csv"), head.as_bytes()).unwrap_err().to_string();
        assert!(
            err.contains(
                "it is a Qualtrics export (its header has StartDate, EndDate, Status, Finished, ResponseId), which fedcx \
                 reads through a mapping: `fedcx ingest export.csv --mapping qualtrics --service ID --channel CHANNEL`"
            ),
            "{err}"
        );
        assert!(err.contains("`fedcx template mapping --tool qualtrics export.csv`"), "{err}");
        assert!(!err.contains("pass --format"), "{err}");
        let sm = "Respondent ID,Collector ID,Start Date,End Date,IP Address,\"I trust, the agency\"\n";
        let err = detect(Path::new("sm.csv"), sm.as_bytes()).unwrap_err().to_string();
        assert!(err.contains("it is a SurveyMonkey export") && err.contains("--mapping surveymonkey"), "{err}");
    }

    #[test]
    fn an_unknown_header_names_the_candidates() {
        let err = detect_text("foo,bar\n1,2").unwrap_err();
        assert!(err.contains("cannot tell the file's format from its header \"foo,bar\""), "{err}");
        assert!(
            err.contains(
                "touchpoints-v2, touchpoints-responses, touchpoints-v1, touchpoints-v1-json, touchpoints-v1-long, csv, \
                 jsonl, dap, benchmark, touchpoints-details"
            ),
            "{err}"
        );
    }
}
