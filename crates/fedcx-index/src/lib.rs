//! The satisfaction-index engine: A-11 driver scores with confidence intervals computed from counts
//! ([`scores`], [`stats`]), and an ACSI-style index estimated by PLS path modeling with bootstrap
//! intervals ([`pls`]), the drivers of trust from respondent-level answers ([`drivers`]), the
//! digital share of transactions from collection-detail volumes ([`digital`]), correlations
//! across providers with their intervals ([`association`]), OPM's employee engagement and global
//! satisfaction indices from FEVS weighted counts ([`engagement`]), and websites scored against
//! the IDEA criteria per provider ([`websites`]); the balanced scorecard and digital adoption per HISP
//! put them together ([`scorecard`]). Pure computation: no IO, no file formats.
//!
//! # Example
//!
//! ```
//! use fedcx_index::stats::Share;
//!
//! // 80 of 100 respondents agreed: the share with its 95% Wilson score interval.
//! let share = Share::wilson(80, 100).unwrap();
//! assert_eq!(share.value, 0.8);
//! assert!(share.lo < 0.8 && 0.8 < share.hi);
//! assert!(share.lo > 0.7 && share.hi < 0.9);
//!
//! // No respondents, no share.
//! assert!(Share::wilson(0, 0).is_none());
//! ```

#![warn(missing_docs)]

pub mod a11_index;
pub mod association;
pub mod digital;
pub mod drivers;
pub mod engagement;
pub mod pls;
pub mod scorecard;
pub mod scores;
pub mod stats;
pub mod websites;
