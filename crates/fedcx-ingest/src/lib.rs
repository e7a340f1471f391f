//! Streaming readers for the files agencies actually have: Touchpoints exports, generic survey CSVs
//! with a mapping file, JSON Lines, Digital Analytics Program reports and benchmark series. Every row
//! is accounted for: accepted, or rejected with its file, line, field and reason.
