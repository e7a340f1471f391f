//! Stable string identifiers for organizations, service providers, services and responses.
//!
//! Identifiers are slugs (`irs`, `irs-file-return`): lowercase ASCII letters, digits and hyphens,
//! starting with a letter or digit. They are checked once, when made, so code that holds one never
//! re-validates it.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Text that is not a valid identifier of the named kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a valid {kind}: {why}")]
pub struct InvalidId {
    /// What kind of identifier was expected.
    pub kind: &'static str,
    /// The text given.
    pub value: String,
    /// What is wrong with it.
    pub why: &'static str,
}

/// The longest identifier accepted; longer text is almost surely a misplaced column.
pub const MAX_ID_LEN: usize = 128;

fn check_slug(kind: &'static str, value: &str) -> Result<(), InvalidId> {
    let fail = |why| Err(InvalidId { kind, value: value.to_owned(), why });
    if value.is_empty() {
        return fail("it is empty");
    }
    if value.len() > MAX_ID_LEN {
        return fail("it is longer than 128 characters");
    }
    if !value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return fail("only lowercase letters, digits and '-' are allowed");
    }
    if value.starts_with('-') || value.ends_with('-') {
        return fail("it must not start or end with '-'");
    }
    Ok(())
}

/// A collection detail's id names its response-upload file (`responses/{id}.csv`), so it must never
/// carry a path: Touchpoints' ids are integers, and fedcx's own are slugs. Anything else (dots,
/// slashes, spaces, `..`) is refused where the id is read, long before any path is built.
/// Digits alone are a slug, so one check serves both.
fn check_detail_id(value: &str) -> Result<(), InvalidId> {
    check_slug("collection detail id", value).map_err(|e| InvalidId {
        why: if e.why == "only lowercase letters, digits and '-' are allowed" {
            "expected a Touchpoints id (digits) or a slug (lowercase letters, digits and '-')"
        } else {
            e.why
        },
        ..e
    })
}

fn check_response_id(value: &str) -> Result<(), InvalidId> {
    let fail = |why| Err(InvalidId { kind: "response id", value: value.to_owned(), why });
    if value.trim().is_empty() {
        return fail("it is empty");
    }
    if value.len() > MAX_ID_LEN {
        return fail("it is longer than 128 characters");
    }
    if value.chars().any(char::is_control) {
        return fail("it contains a control character");
    }
    Ok(())
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal, $check:expr) => {
        $(#[$doc])*
        ///
        /// Cheap to clone: the text is shared.
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Arc<str>);

        impl $name {
            /// Checks `value` and makes the identifier.
            pub fn new(value: &str) -> Result<$name, InvalidId> {
                ($check)(value)?;
                Ok($name(Arc::from(value)))
            }

            /// Whether `value` would make an identifier ([`Self::new`]'s check), without making
            /// it: for a reader that only counts, so that a row allocates nothing.
            pub fn check(value: &str) -> Result<(), InvalidId> {
                ($check)(value)
            }

            /// The identifier's text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;
            fn from_str(s: &str) -> Result<$name, InvalidId> {
                $name::new(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                $name::new(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_id!(
    /// A department or agency, e.g. `treasury`.
    OrganizationId,
    "organization id",
    |v| check_slug("organization id", v)
);
string_id!(
    /// A High Impact Service Provider, e.g. `irs`.
    ProviderSlug,
    "service provider slug",
    |v| check_slug("service provider slug", v)
);
string_id!(
    /// A service of a provider, e.g. `irs-file-return`.
    ServiceId,
    "service id",
    |v| check_slug("service id", v)
);
string_id!(
    /// A collection detail: Touchpoints' integer id (`4711`) or a slug. Never a path (see
    /// `check_detail_id`), since it names the detail's response-upload file.
    DetailId,
    "collection detail id",
    check_detail_id
);
string_id!(
    /// A survey response's identifier as the source system gave it (Touchpoints' `external_id`).
    /// Any text without control characters is allowed, since it comes from other systems.
    ResponseId,
    "response id",
    check_response_id
);

impl DetailId {
    /// The id fedcx gives a record it merged from several details (or wrote with none):
    /// `{service}-{channel}-fy2022q3`, a slug, so the records fedcx writes read back in.
    pub fn of_group(service: &ServiceId, channel: crate::Channel, quarter: crate::FiscalQuarter) -> DetailId {
        let text = format!("{service}-{channel}-{}", quarter.compact());
        let mut slug: String = text
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
            .take(MAX_ID_LEN)
            .collect();
        while slug.ends_with('-') {
            slug.pop();
        }
        DetailId::new(&slug).expect("a service id (a slug) and letters and digits make a slug")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_ids_are_detail_ids() {
        let service = ServiceId::new("doc-uspto-patent-application").unwrap();
        let q: crate::FiscalQuarter = "FY2022Q3".parse().unwrap();
        let id = DetailId::of_group(&service, crate::Channel::AutomatedPhone, q);
        assert_eq!(id.as_str(), "doc-uspto-patent-application-automated-phone-fy2022q3");
        let long = ServiceId::new(&"a".repeat(MAX_ID_LEN)).unwrap();
        assert_eq!(DetailId::of_group(&long, crate::Channel::Phone, q).as_str().len(), MAX_ID_LEN);
    }

    fn check_slug_case(text: &str, ok: bool) {
        assert_eq!(ServiceId::new(text).is_ok(), ok, "{text:?}");
    }

    #[test]
    fn slugs() {
        for good in ["irs", "irs-file-return", "usda-fsa", "a", "ssa2"] {
            check_slug_case(good, true);
        }
        for bad in ["", "IRS", "irs file", "-irs", "irs-", "irs_return", "é", &"a".repeat(129)] {
            check_slug_case(bad, false);
        }
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let err = ServiceId::new("IRS").unwrap_err().to_string();
        assert_eq!(err, "\"IRS\" is not a valid service id: only lowercase letters, digits and '-' are allowed");
    }

    #[test]
    fn detail_ids_are_digits_or_slugs_never_paths() {
        for good in ["1", "4711", "dhs-cbp-1", "a"] {
            assert!(DetailId::new(good).is_ok(), "{good:?}");
        }
        for bad in [
            "",
            "../../../PWNED",
            "..",
            "a/b",
            "a\\b",
            "/etc/passwd",
            "C:x",
            "a.csv",
            "A1",
            "a b",
            "1\n",
            &"1".repeat(129),
        ] {
            assert!(DetailId::new(bad).is_err(), "{bad:?}");
        }
        let err = DetailId::new("../x").unwrap_err().to_string();
        assert!(err.contains("expected a Touchpoints id (digits) or a slug"), "{err}");
    }

    #[test]
    fn response_ids_are_lenient_but_not_empty() {
        assert!(ResponseId::new("R_1a2B3c-4").is_ok());
        assert!(ResponseId::new("  ").is_err());
        assert!(ResponseId::new("a\nb").is_err());
    }

    #[test]
    fn serde_round_trip_validates() {
        let id = ServiceId::new("irs-file-return").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<ServiceId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<ServiceId>("\"Bad Id\"").is_err());
    }
}
