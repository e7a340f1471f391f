//! Redaction of personal data from free text before it is stored or reported.
//!
//! Catches Social Security numbers, e-mail addresses and US phone numbers in their common written
//! forms. It is deliberately greedy: a false redaction costs a few words of a comment, a missed one
//! leaks a customer's identity into a report.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::Regex;

/// A kind of personal data and the placeholder that replaces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PiiKind {
    /// An e-mail address.
    Email,
    /// A Social Security number.
    Ssn,
    /// A phone number.
    Phone,
}

impl PiiKind {
    /// The stable name used when counting redactions.
    pub fn as_str(self) -> &'static str {
        match self {
            PiiKind::Email => "email",
            PiiKind::Ssn => "ssn",
            PiiKind::Phone => "phone",
        }
    }

    fn placeholder(self) -> &'static str {
        match self {
            PiiKind::Email => "[REDACTED EMAIL]",
            PiiKind::Ssn => "[REDACTED SSN]",
            PiiKind::Phone => "[REDACTED PHONE]",
        }
    }
}

fn patterns() -> &'static [(PiiKind, Regex); 3] {
    static PATTERNS: OnceLock<[(PiiKind, Regex); 3]> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let re = |p: &str| Regex::new(p).expect("redaction patterns are fixed and valid");
        [
            // E-mail first, so digits inside an address are not taken for a phone number.
            (PiiKind::Email, re(r"(?i)[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}")),
            // SSNs before phones: 123-45-6789 would otherwise be half-matched as a phone.
            (
                PiiKind::Ssn,
                re(r"\b\d{3}[- .]\d{2}[- .]\d{4}\b|\b(?:SSN|ssn|social security(?: number)?)[:#\s]*\d{9}\b"),
            ),
            (PiiKind::Phone, re(r"(?:\+?1[ .\-]?)?(?:\(\d{3}\)\s?|\b\d{3}[ .\-])\d{3}[ .\-]\d{4}\b|\b\d{10}\b")),
        ]
    })
}

/// Text with personal data replaced, and what was replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    /// The redacted text.
    pub text: String,
    /// How many of each kind were replaced.
    pub counts: BTreeMap<&'static str, u64>,
}

/// Replaces e-mail addresses, SSNs and phone numbers in `text`.
pub fn redact(text: &str) -> Redacted {
    let mut counts = BTreeMap::new();
    let mut current = std::borrow::Cow::Borrowed(text);
    for (kind, re) in patterns() {
        let n = re.find_iter(&current).count() as u64;
        if n > 0 {
            counts.insert(kind.as_str(), n);
            current = std::borrow::Cow::Owned(re.replace_all(&current, kind.placeholder()).into_owned());
        }
    }
    Redacted { text: current.into_owned(), counts }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str, kinds: &[(&str, u64)]) {
        let r = redact(input);
        assert_eq!(r.text, expected, "{input}");
        let got: Vec<(&str, u64)> = r.counts.into_iter().collect();
        assert_eq!(got, kinds, "{input}");
    }

    #[test]
    fn redacts_each_kind() {
        check("my ssn is 123-45-6789 thanks", "my ssn is [REDACTED SSN] thanks", &[("ssn", 1)]);
        check("SSN: 123456789", "[REDACTED SSN]", &[("ssn", 1)]);
        check("mail jane.doe+x@agency.gov now", "mail [REDACTED EMAIL] now", &[("email", 1)]);
        check("call (202) 555-0143 or 202.555.0199", "call [REDACTED PHONE] or [REDACTED PHONE]", &[("phone", 2)]);
        check("+1 202-555-0143", "[REDACTED PHONE]", &[("phone", 1)]);
        check("call 2025550143", "call [REDACTED PHONE]", &[("phone", 1)]);
    }

    #[test]
    fn leaves_ordinary_text_alone() {
        check("Waited 45 minutes, form 1040 was fine in 2024.", "Waited 45 minutes, form 1040 was fine in 2024.", &[]);
        check("", "", &[]);
    }

    #[test]
    fn mixed_kinds_are_all_counted() {
        check(
            "a@b.co 123-45-6789 555-123-4567",
            "[REDACTED EMAIL] [REDACTED SSN] [REDACTED PHONE]",
            &[("email", 1), ("phone", 1), ("ssn", 1)],
        );
    }
}
