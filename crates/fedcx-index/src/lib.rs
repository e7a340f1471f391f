//! The satisfaction-index engine: A-11 driver scores with confidence intervals computed from counts,
//! and an ACSI-style index estimated by PLS path modeling with bootstrap intervals. Pure computation:
//! no IO, no file formats.
