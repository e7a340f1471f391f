//! The bundled demo data, compiled into the binary so `fedcx demo` works from any directory.
//! Regenerate it with `cargo xtask demo-data`.

/// Respondent-level responses in fedcx's native CSV layout.
pub const RESPONSES: &[u8] = include_bytes!("../data/demo/responses.csv");
/// Touchpoints collection-detail export with the volumes of each survey and channel.
pub const DETAILS: &[u8] = include_bytes!("../data/demo/cx_collection_details.csv");
/// The names the bundled files are reported under.
pub const RESPONSES_NAME: &str = "data/demo/responses.csv";
/// See [`RESPONSES_NAME`].
pub const DETAILS_NAME: &str = "data/demo/cx_collection_details.csv";

/// SYNTHETIC FEVS respondent rows in OPM's PRDF layout, one file per survey year: (year, name,
/// bytes). The files carry no year (as OPM's do not), so the year is given with each.
pub const FEVS: [(u16, &str, &[u8]); 2] = [
    (2023, "data/demo/fevs-prdf-2023-SYNTHETIC.csv", include_bytes!("../data/demo/fevs-prdf-2023-SYNTHETIC.csv")),
    (2024, "data/demo/fevs-prdf-2024-SYNTHETIC.csv", include_bytes!("../data/demo/fevs-prdf-2024-SYNTHETIC.csv")),
];
/// SYNTHETIC business results (wait and processing times) for every demo service and quarter:
/// (name, bytes).
pub const BUSINESS: (&str, &[u8]) =
    ("data/demo/business-results-SYNTHETIC.csv", include_bytes!("../data/demo/business-results-SYNTHETIC.csv"));
/// Two SYNTHETIC GSA Site Scanning snapshots (current layout) of the HISPs' domains, oldest first:
/// (name, bytes).
pub const SITE_SCANS: [(&str, &[u8]); 2] = [
    (
        "data/demo/site-scanning-2025-02-03-SYNTHETIC.csv",
        include_bytes!("../data/demo/site-scanning-2025-02-03-SYNTHETIC.csv"),
    ),
    (
        "data/demo/site-scanning-2025-08-04-SYNTHETIC.csv",
        include_bytes!("../data/demo/site-scanning-2025-08-04-SYNTHETIC.csv"),
    ),
];
