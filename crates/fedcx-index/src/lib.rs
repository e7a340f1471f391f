//! The satisfaction-index engine: A-11 driver scores with confidence intervals computed from counts
//! ([`scores`], [`stats`]), and an ACSI-style index estimated by PLS path modeling with bootstrap
//! intervals ([`pls`]), and the drivers of trust from respondent-level answers ([`drivers`]). Pure
//! computation: no IO, no file formats.

pub mod a11_index;
pub mod drivers;
pub mod pls;
pub mod scores;
pub mod stats;
