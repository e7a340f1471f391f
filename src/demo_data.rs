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
