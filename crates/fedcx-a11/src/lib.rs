//! The OMB Circular A-11 Section 280 report generator: the quarterly CX data-collection records in
//! GSA Touchpoints' exact layouts, and human reports (Markdown, HTML, JSON) built from counts and the
//! index engine's results. It never re-reads raw input files.
