//! Redaction of personal data from free text before it is stored or reported.
//!
//! Catches e-mail addresses, payment card numbers, Medicare beneficiary identifiers, passport
//! numbers, USCIS A-numbers, dates of birth, street addresses, IP addresses, Social Security
//! numbers and US phone numbers in their common written forms. It is deliberately greedy: a false
//! redaction costs a few words of a comment, a missed one leaks a customer's identity into a
//! report. It is not greedy about ordinary numbers (form numbers, durations, years, versions,
//! money, case numbers, visit dates), because comments full of placeholders are useless to the
//! people who read them.
//!
//! Full-width forms (U+FF01..U+FF5E, and the ideographic space U+3000) are read as their ASCII
//! equivalents for matching, so `１２３-４５-６７８９` is caught; the text around a redaction is
//! returned as it was written.
//!
//! This runs on every comment of millions of responses, so the patterns are compiled once, one
//! pass over the bytes (digit count, longest digit run, digits joined by separators, '@', ':')
//! decides which kinds could match at all and the others' patterns are not run (a comment with
//! fewer than 2 digits and no '@' runs at most the address check), and a text where nothing
//! matches costs no allocation beyond the returned copy.
//!
//! Known limits: street names written all in lower case ("123 main st") are not caught, so that
//! "in 2 days the court" is left alone; 7-digit local phone numbers and unbroken card numbers of
//! other lengths than 15 and 16 are not caught; a date of birth needs a keyword (DOB, born, birth,
//! birthday) within three words.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

use regex::bytes::Regex;

/// A kind of personal data and the placeholder that replaces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PiiKind {
    /// An e-mail address.
    Email,
    /// A Social Security number.
    Ssn,
    /// A phone number.
    Phone,
    /// A payment card number: 15 or 16 digits (or 4-4-4-4-3) with a card's leading digits that pass
    /// the Luhn check.
    Card,
    /// A street address or post office box.
    Address,
    /// A date of birth: a date next to a word such as DOB, born or birthday.
    DateOfBirth,
    /// A US passport number: 9 digits, or a letter and 8 digits, next to the word "passport".
    Passport,
    /// A USCIS alien registration number (A-number): "A" and 8 or 9 digits.
    ANumber,
    /// A Medicare Beneficiary Identifier (MBI), the 11-character Medicare number.
    MedicareId,
    /// An IPv4 or IPv6 address.
    IpAddress,
}

impl PiiKind {
    /// Every kind, in declaration order (not the order they are matched in).
    pub const ALL: [PiiKind; 10] = [
        PiiKind::Email,
        PiiKind::Ssn,
        PiiKind::Phone,
        PiiKind::Card,
        PiiKind::Address,
        PiiKind::DateOfBirth,
        PiiKind::Passport,
        PiiKind::ANumber,
        PiiKind::MedicareId,
        PiiKind::IpAddress,
    ];

    /// The stable name used when counting redactions.
    pub fn as_str(self) -> &'static str {
        match self {
            PiiKind::Email => "email",
            PiiKind::Ssn => "ssn",
            PiiKind::Phone => "phone",
            PiiKind::Card => "card",
            PiiKind::Address => "address",
            PiiKind::DateOfBirth => "date_of_birth",
            PiiKind::Passport => "passport",
            PiiKind::ANumber => "a_number",
            PiiKind::MedicareId => "medicare_id",
            PiiKind::IpAddress => "ip_address",
        }
    }

    /// The text that replaces a redacted item, such as `[REDACTED CARD]`.
    pub fn placeholder(self) -> &'static str {
        match self {
            PiiKind::Email => "[REDACTED EMAIL]",
            PiiKind::Ssn => "[REDACTED SSN]",
            PiiKind::Phone => "[REDACTED PHONE]",
            PiiKind::Card => "[REDACTED CARD]",
            PiiKind::Address => "[REDACTED ADDRESS]",
            PiiKind::DateOfBirth => "[REDACTED DATE OF BIRTH]",
            PiiKind::Passport => "[REDACTED PASSPORT]",
            PiiKind::ANumber => "[REDACTED A-NUMBER]",
            PiiKind::MedicareId => "[REDACTED MEDICARE ID]",
            PiiKind::IpAddress => "[REDACTED IP ADDRESS]",
        }
    }
}

/// The compiled patterns. Each is a candidate finder; the scan functions below check what a
/// regular expression cannot say (Luhn, never-issued SSN ranges, whole digit runs, IPv6 syntax).
#[derive(Debug)]
struct Patterns {
    email: Regex,
    ipv6: Regex,
    ipv4: Regex,
    card: Regex,
    mbi: Regex,
    passport: Regex,
    a_number: Regex,
    dob: Regex,
    address: Regex,
    ssn_keyword: Regex,
    ssn_grouped: Regex,
    nine_or_more_digits: Regex,
    phone: Regex,
}

/// Month names and abbreviations, for written dates of birth.
const MONTH: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?";

/// A date in the forms people write: 01/02/1980, 1/2/80, 1980-01-02, January 2, 1980, 2nd of Jan 1980.
const DATE: &str = r"(?:[0-9]{1,2}[/.-][0-9]{1,2}[/.-](?:[0-9]{4}|[0-9]{2})|[0-9]{4}[/.-][0-9]{1,2}[/.-][0-9]{1,2}|MONTH\s+[0-9]{1,2}(?:st|nd|rd|th)?,?\s+[0-9]{4}|[0-9]{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?MONTH,?\s+[0-9]{4})\b";

/// Up to three words between a keyword and the value it introduces ("passport number is",
/// "born on the"), but never across a sentence end, so a keyword in one sentence does not reach a
/// number in the next.
const GAP: &str = r"[\s:#=(,-]*(?:(?:[a-z']+|no\.|nr\.|num\.)[\s:#=(,-]+){0,3}?";

/// The digits of an A-number: 8 or 9 of them, unbroken or grouped as 123-456-789 / 12-345-678.
const A_DIGITS: &str = r"(?:[0-9]{9}|[0-9]{8}|[0-9]{3}[- ][0-9]{3}[- ][0-9]{3}|[0-9]{2}[- ][0-9]{3}[- ][0-9]{3})";

/// An IPv4 octet, 0 to 255.
const OCTET: &str = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";

/// Letters allowed in an MBI: A-Z without S, L, O, I, B and Z (CMS leaves them out so they are
/// not mistaken for digits).
const MBI_LETTER: &str = "[AC-HJKMNP-RT-Y]";

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        // ASCII mode throughout: after full-width folding everything we look for is ASCII, and
        // Unicode word boundaries would make the regex engine leave its fast DFA on non-ASCII text.
        let re = |p: &str| {
            let p = p.replace("MONTH", MONTH).replace("DATE", &DATE.replace("MONTH", MONTH));
            let p = p.replace("GAP", GAP).replace("A_DIGITS", A_DIGITS).replace("OCTET", OCTET);
            let p = p.replace("MBIL", MBI_LETTER);
            Regex::new(&format!("(?-u){p}")).expect("redaction patterns are fixed and valid")
        };
        Patterns {
            email: re(r"(?i)[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}"),
            // Loose on purpose: the candidate is parsed as an IPv6 address afterwards.
            ipv6: re(r"(?i)[0-9a-f]*:[0-9a-f]*:[0-9a-f:.]*"),
            ipv4: re(r"\b(?:OCTET\.){3}OCTET\b"),
            // Runs of 4 or more digits joined by single spaces or dashes; the layout and the Luhn
            // check are applied in code. Groups shorter than 4 never occur on cards.
            card: re(r"[0-9]{4,}(?:[ -][0-9]{4,})*"),
            mbi: re(r"(?i)\b[1-9]MBIL[0-9AC-HJKMNP-RT-Y][0-9][- ]?MBIL[0-9AC-HJKMNP-RT-Y][0-9][- ]?MBIL{2}[0-9]{2}\b"),
            passport: re(
                r"(?i)\bpassports?\bGAP([a-z][0-9]{8}|[0-9]{9})\b|\b([a-z][0-9]{8}|[0-9]{9})\b[\s,)(-]+(?:[a-z']+[\s,]+){0,3}?passports?\b",
            ),
            // A capital A, or a lower-case one written against the digits (a123456789): "a 12345678"
            // is too likely to be ordinary English to count without a keyword.
            a_number: re(
                r"\b(A[-# ]?A_DIGITS|a[0-9]{8,9})\b|(?i:\b(?:a-?(?:number|no\.?|#)|alien\s+(?:registration\s+)?(?:number|no\.?|#)|uscis\s+(?:number|no\.?|#))[\s:#]*)(A?-?A_DIGITS)\b",
            ),
            dob: re(
                r"(?i)\b(?:d\.?o\.?b|born|birth(?:day|date)?|b-?day)\b\.?GAP(DATE)|\b(DATE)[\s,:()-]+(?:[a-z']+[\s,]+){0,3}?(?:birthday|birth\s*date|date\s+of\s+birth|d\.?o\.?b)\b",
            ),
            // House number, optional direction, one to four capitalised name words (or an ordinal
            // such as 5th), a street suffix, optional direction and unit; or a PO box. Name words
            // must be capitalised: "waited 2 days the court" is not an address.
            address: re(
                r"\b[0-9]{1,6}[A-Za-z]?\s+(?:(?:[NSEW]|NE|NW|SE|SW|North|South|East|West)\.?\s+)?(?:(?:[A-Z][A-Za-z'-]*|[0-9]{1,3}(?:st|nd|rd|th))\s+){1,4}(?i:st|street|ave|avenue|av|rd|road|blvd|boulevard|dr|drive|ln|lane|ct|court|way|pl|place|ter|terrace|pkwy|parkway|hwy|highway|cir|circle|sq|square|trl|trail|pike|loop)\b\.?(?:\s+(?:NE|NW|SE|SW|N|S|E|W)\b\.?)?(?:,?\s+(?:(?i:apt|apartment|suite|ste|unit|rm|room|fl|floor)\.?\s*#?\s*|#\s*)(?:[0-9][0-9A-Za-z-]{0,5}|[A-Za-z](?:-?[0-9]{1,5})?)\b)?|(?i:\bp\.?\s?o\.?\s*box|\bpost\s+office\s+box)\s+#?[0-9]{1,8}\b",
            ),
            // The keyword is redacted with the number, as it always was ("SSN: 123456789").
            ssn_keyword: re(r"(?i)\b(?:ssn|social security(?: number)?)[:#\s]*[0-9]{9}\b"),
            ssn_grouped: re(r"\b[0-9]{3}[- .][0-9]{2}[- .][0-9]{4}\b"),
            nine_or_more_digits: re(r"[0-9]{9,}"),
            phone: re(
                r"\+1[0-9]{10}\b|(?:\+?1[ .\-]?)?(?:\([0-9]{3}\)\s?|\b[0-9]{3}[ .\-])[0-9]{3}[ .\-][0-9]{4}\b|\b[0-9]{10}\b",
            ),
        }
    })
}

/// One kind's scan: the spans it finds in the (partly masked) text.
type Scan = fn(&Patterns, &[u8], &mut Vec<Range<usize>>);

/// A kind, what a text must show before it is worth scanning for it, and how to scan.
struct Rule {
    kind: PiiKind,
    /// A necessary condition for a match, from the text's shape; most comments fail it for most
    /// kinds, which skips that kind's regular expressions altogether.
    worth_scanning: fn(&Shape, &[u8]) -> bool,
    scan: Scan,
}

/// What one pass over the bytes tells about which kinds could possibly match.
#[derive(Debug, Default)]
struct Shape {
    /// ASCII digits.
    digits: usize,
    /// Longest run of consecutive digits.
    max_run: usize,
    /// Digits joined to the next digit by one of `-./ ` (123-45, 01/02, 198.51, 4111 1111).
    joined: usize,
    /// Digits joined to the next digit by a space or dash only, as card groups are.
    joined_card: usize,
    /// Digits joined to the next digit by a dot (IPv4).
    joined_dot: usize,
    /// Digits directly followed by a letter (the start of an MBI: 1EG4...).
    digit_letter: usize,
    colons: usize,
    at: bool,
    /// A 'b' or 'B': every date-of-birth keyword has one (DOB, born, birth, b-day).
    b: bool,
}

impl Shape {
    fn of(hay: &[u8]) -> Shape {
        let mut s = Shape::default();
        let mut run = 0;
        for (i, &c) in hay.iter().enumerate() {
            if c.is_ascii_digit() {
                s.digits += 1;
                run += 1;
                s.max_run = s.max_run.max(run);
                let next = hay.get(i + 1).copied().unwrap_or(0);
                let after = hay.get(i + 2).copied().unwrap_or(0);
                if after.is_ascii_digit() && matches!(next, b'-' | b'.' | b'/' | b' ') {
                    s.joined += 1;
                    s.joined_card += usize::from(matches!(next, b'-' | b' '));
                    s.joined_dot += usize::from(next == b'.');
                }
                s.digit_letter += usize::from(next.is_ascii_alphabetic());
            } else {
                run = 0;
                match c {
                    b':' => s.colons += 1,
                    b'@' => s.at = true,
                    b'b' | b'B' => s.b = true,
                    _ => {}
                }
            }
        }
        s
    }
}

/// Whether a street address could start here: a number (perhaps with a letter, 12B), space, then a
/// capital or a digit (123 Main, 4567 N., 100 5th); or the words "PO box".
fn could_be_address(hay: &[u8]) -> bool {
    let street = (0..hay.len()).any(|i| {
        if !hay[i].is_ascii_digit() {
            return false;
        }
        let mut j = i + 1;
        if hay.get(j).is_some_and(|b| b.is_ascii_alphabetic()) {
            j += 1;
        }
        if !hay.get(j).is_some_and(|b| b.is_ascii_whitespace()) {
            return false;
        }
        while hay.get(j).is_some_and(|b| b.is_ascii_whitespace()) {
            j += 1;
        }
        hay.get(j).is_some_and(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    });
    street || hay.windows(3).any(|w| w.eq_ignore_ascii_case(b"box"))
}

/// The rules in the order they run. Each rule's matches are masked before the next runs, so an
/// earlier rule wins the characters it takes:
/// - e-mail first: digits and dots in an address would otherwise be read as phones, IPs or SSNs;
/// - IP addresses next: dotted quads would otherwise give dotted SSNs or phones a partial match;
/// - cards, then MBIs, before SSNs and phones: a card number holds 9- and 10-digit stretches and an
///   MBI several digits, and a half-matched card would leave the rest of its digits readable;
/// - passports before A-numbers (A12345678 next to "passport" is a passport) and both before SSNs
///   (their 9 digits would otherwise be counted as an SSN);
/// - dates of birth and addresses before SSNs and phones, which are the widest digit patterns;
/// - SSNs before phones: 123-45-6789 would otherwise be half-matched as a phone.
const RULES: [Rule; 10] = [
    Rule { kind: PiiKind::Email, worth_scanning: |s, _| s.at, scan: scan_email },
    Rule { kind: PiiKind::IpAddress, worth_scanning: |s, _| s.colons >= 2 || s.joined_dot >= 3, scan: scan_ip },
    Rule {
        kind: PiiKind::Card,
        worth_scanning: |s, _| s.digits >= 15 && (s.max_run >= 15 || s.joined_card >= 2),
        scan: scan_cards,
    },
    Rule { kind: PiiKind::MedicareId, worth_scanning: |s, _| s.digits >= 5 && s.digit_letter >= 1, scan: scan_mbi },
    Rule { kind: PiiKind::Passport, worth_scanning: |s, _| s.max_run >= 8, scan: scan_passport },
    Rule { kind: PiiKind::ANumber, worth_scanning: |s, _| s.max_run >= 8 || s.joined_card >= 2, scan: scan_a_number },
    Rule {
        kind: PiiKind::DateOfBirth,
        worth_scanning: |s, _| s.b && (s.max_run >= 4 || s.joined >= 2),
        scan: scan_dob,
    },
    Rule {
        kind: PiiKind::Address,
        worth_scanning: |s, hay| s.digits >= 1 && could_be_address(hay),
        scan: scan_address,
    },
    Rule { kind: PiiKind::Ssn, worth_scanning: |s, _| s.max_run >= 9 || s.joined >= 2, scan: scan_ssn },
    Rule {
        kind: PiiKind::Phone,
        worth_scanning: |s, _| s.digits >= 10 && (s.max_run >= 10 || s.joined >= 1),
        scan: scan_phone,
    },
];

/// What replaces matched bytes while later rules run: not a digit, letter, space or separator, so
/// nothing can match across or into a redacted span.
const MASK: u8 = 0;

fn scan_email(p: &Patterns, hay: &[u8], out: &mut Vec<Range<usize>>) {
    out.extend(p.email.find_iter(hay).map(|m| m.range()));
}

fn scan_mbi(p: &Patterns, hay: &[u8], out: &mut Vec<Range<usize>>) {
    out.extend(p.mbi.find_iter(hay).map(|m| m.range()));
}

fn scan_phone(p: &Patterns, hay: &[u8], out: &mut Vec<Range<usize>>) {
    out.extend(p.phone.find_iter(hay).map(|m| m.range()));
}

/// The first capture group that took part in each match: the value next to a keyword, without the
/// keyword, which is harmless and tells the reader what was removed.
fn scan_value_groups(re: &Regex, hay: &[u8], out: &mut Vec<Range<usize>>) {
    // is_match first: captures_iter allocates, and most texts have no match at all.
    if !re.is_match(hay) {
        return;
    }
    for caps in re.captures_iter(hay) {
        if let Some(m) = caps.iter().skip(1).flatten().next() {
            out.push(m.range());
        }
    }
}

fn scan_passport(p: &Patterns, hay: &[u8], out: &mut Vec<Range<usize>>) {
    scan_value_groups(&p.passport, hay, out);
}

fn scan_a_number(p: &Patterns, hay: &[u8], out: &mut Vec<Range<usize>>) {
    scan_value_groups(&p.a_number, hay, out);
}

fn scan_dob(p: &Patterns, hay: &[u8], out: &mut Vec<Range<usize>>) {
    scan_value_groups(&p.dob, hay, out);
}

fn overlaps(spans: &[Range<usize>], r: &Range<usize>) -> bool {
    spans.iter().any(|s| s.start < r.end && r.start < s.end)
}

/// Whether the number at `r` continues to its left or right as a decimal or a grouped number
/// ("1.192.0.2.1", "0.123456789", "123456789,000"): then it is part of something else.
fn continues_number(hay: &[u8], r: &Range<usize>, separators: &[u8]) -> bool {
    let left = r.start >= 2 && separators.contains(&hay[r.start - 1]) && hay[r.start - 2].is_ascii_digit();
    let right = hay.get(r.end).is_some_and(|b| separators.contains(b))
        && hay.get(r.end + 1).is_some_and(|b| b.is_ascii_digit());
    left || right
}

fn scan_ip(p: &Patterns, hay: &[u8], out: &mut Vec<Range<usize>>) {
    // IPv6 first, so the IPv4 tail of ::ffff:192.0.2.1 is not taken on its own.
    let start = out.len();
    for m in p.ipv6.find_iter(hay) {
        let mut r = m.range();
        // A candidate glued to a word ("xcafe::1") is not an address written on its own.
        if r.start > 0 && hay[r.start - 1].is_ascii_alphanumeric() {
            continue;
        }
        // A sentence may end right after the address.
        while r.end > r.start && hay[r.end - 1] == b'.' {
            r.end -= 1;
        }
        if hay.get(r.end).is_some_and(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        let text = std::str::from_utf8(&hay[r.clone()]).unwrap_or("");
        // "::" and "::1" parse, but are punctuation or loopback, nobody's address: at least two
        // groups are required.
        let groups = text.split(':').filter(|g| !g.is_empty()).count();
        if groups >= 2 && text.parse::<std::net::Ipv6Addr>().is_ok() {
            out.push(r);
        }
    }
    for m in p.ipv4.find_iter(hay) {
        let r = m.range();
        // 1.2.3.4.5 is a version or an outline number, not an address; so is "version 2.0.0.1".
        if !continues_number(hay, &r, b".")
            && !word_before_is(hay, r.start, &["version", "ver", "build", "release", "firmware"])
            && !overlaps(&out[start..], &r)
        {
            out.push(r);
        }
    }
}

/// Card layouts as digit-group lengths, longest first: 4-4-4-4-3 (19 digits), 4-4-4-4 and the
/// American Express 4-6-5. An unbroken run of 15 or 16 digits is also a card.
const CARD_LAYOUTS: [&[usize]; 3] = [&[4, 4, 4, 4, 3], &[4, 4, 4, 4], &[4, 6, 5]];

fn scan_cards(p: &Patterns, hay: &[u8], out: &mut Vec<Range<usize>>) {
    for m in p.card.find_iter(hay) {
        let cand = m.range();
        if hay[cand.clone()].iter().filter(|b| b.is_ascii_digit()).count() < 15 {
            continue;
        }
        // The candidate may join a card to neighbouring numbers ("2024 4111 1111 1111 1111"), so
        // every group is tried as the start of a card.
        let mut groups = Vec::new();
        let mut start = cand.start;
        for i in cand.clone() {
            if !hay[i].is_ascii_digit() {
                groups.push(start..i);
                start = i + 1;
            }
        }
        groups.push(start..cand.end);
        let mut i = 0;
        while i < groups.len() {
            match card_at(hay, &groups[i..]) {
                Some(n) => {
                    out.push(groups[i].start..groups[i + n - 1].end);
                    i += n;
                }
                None => i += 1,
            }
        }
    }
}

/// Whether a number starts like a card: 3 (American Express, Diners, JCB), 4 (Visa), 5 (Mastercard),
/// 6 (Discover, UnionPay) or Mastercard's 2221-2720. This keeps a year in front of a card
/// ("in 2024 6011 ...") out of it, and ordinary 16-digit references starting 0, 1, 7, 8 or 9 safe.
fn card_prefix(hay: &[u8], start: usize) -> bool {
    match hay[start] {
        b'3'..=b'6' => true,
        b'2' => {
            let four = hay[start..start + 4].iter().fold(0u32, |n, &b| n * 10 + u32::from(b - b'0'));
            (2221..=2720).contains(&four)
        }
        _ => false,
    }
}

/// How many of `groups` form a card starting at the first, if they do.
fn card_at(hay: &[u8], groups: &[Range<usize>]) -> Option<usize> {
    // Every group is at least 4 digits long (the candidate pattern says so).
    if !card_prefix(hay, groups[0].start) {
        return None;
    }
    if (15..=16).contains(&groups[0].len()) && luhn(hay, &groups[..1]) {
        return Some(1);
    }
    CARD_LAYOUTS.iter().find_map(|layout| {
        let fits = groups.len() >= layout.len() && groups.iter().zip(layout.iter()).all(|(g, &n)| g.len() == n);
        (fits && luhn(hay, &groups[..layout.len()])).then_some(layout.len())
    })
}

/// The Luhn check every card number passes (and 9 in 10 random numbers fail). All zeros pass the
/// arithmetic but are no card.
fn luhn(hay: &[u8], groups: &[Range<usize>]) -> bool {
    let digits = groups.iter().rev().flat_map(|g| hay[g.clone()].iter().rev());
    let (mut sum, mut any) = (0u32, false);
    for (i, &b) in digits.enumerate() {
        let mut d = u32::from(b - b'0');
        any |= d != 0;
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    any && sum % 10 == 0
}

/// Whether the word before `at` (skipping spaces and a '.' or ':') is one of `words`, ignoring case.
fn word_before_is(hay: &[u8], at: usize, words: &[&str]) -> bool {
    let mut end = at;
    while end > 0 && matches!(hay[end - 1], b' ' | b'.' | b':') {
        end -= 1;
    }
    let start = hay[..end].iter().rposition(|b| !b.is_ascii_alphabetic()).map_or(0, |i| i + 1);
    let word = &hay[start..end];
    words.iter().any(|w| w.as_bytes().eq_ignore_ascii_case(word))
}

/// Counted things that Title Case text puts between a number and a street word ("3 Hours Way too
/// long", "2 Kids Drive me crazy", "4 Days Road trip"); no street is named after them.
const NOT_STREET_NAMES: [&str; 24] = [
    "days",
    "hours",
    "minutes",
    "weeks",
    "months",
    "years",
    "times",
    "kids",
    "children",
    "people",
    "calls",
    "forms",
    "sons",
    "daughters",
    "agents",
    "dollars",
    "pages",
    "letters",
    "visits",
    "trips",
    "steps",
    "emails",
    "more",
    "the",
];

/// Years that read like house numbers after "in", "since" and the like ("in 2024 Supreme Court").
fn year_after_preposition(hay: &[u8], r: &Range<usize>) -> bool {
    let number: &[u8] =
        &hay[r.start..hay[r.clone()].iter().position(|b| !b.is_ascii_digit()).map_or(r.end, |n| r.start + n)];
    let year_like = number.len() == 4 && (number.starts_with(b"19") || number.starts_with(b"20"));
    if !year_like {
        return false;
    }
    let before = &hay[..r.start];
    let before = before.strip_suffix(b" ").unwrap_or(before);
    let word_start = before.iter().rposition(|b| !b.is_ascii_alphabetic()).map_or(0, |i| i + 1);
    let word = before[word_start..].to_ascii_lowercase();
    ["in", "since", "of", "by", "the", "until", "from", "during", "before", "after", "fy"]
        .iter()
        .any(|w| w.as_bytes() == word.as_slice())
}

/// Whether the first word after the house number is a counted thing, not a street name.
fn counted_not_street(hay: &[u8], r: &Range<usize>) -> bool {
    let m = &hay[r.clone()];
    let Some(start) = m.iter().position(|b| b.is_ascii_whitespace()) else { return false };
    let rest = &m[start..];
    let Some(w0) = rest.iter().position(|b| b.is_ascii_alphabetic()) else { return false };
    let w1 = rest[w0..].iter().position(|b| !b.is_ascii_alphabetic()).map_or(rest.len(), |n| w0 + n);
    NOT_STREET_NAMES.iter().any(|w| w.as_bytes().eq_ignore_ascii_case(&rest[w0..w1]))
}

fn scan_address(p: &Patterns, hay: &[u8], out: &mut Vec<Range<usize>>) {
    for m in p.address.find_iter(hay) {
        let r = m.range();
        if !year_after_preposition(hay, &r) && !counted_not_street(hay, &r) {
            out.push(r);
        }
    }
}

/// Whether nine SSN digits are in a range the SSA has never issued: area 000, 666 or 900-999,
/// group 00, or serial 0000. Those are test and placeholder values, not anyone's number.
fn never_issued_ssn(digits: &[u8]) -> bool {
    let (area, group, serial) = (&digits[0..3], &digits[3..5], &digits[5..9]);
    area == b"000" || area == b"666" || area[0] == b'9' || group == b"00" || serial == b"0000"
}

fn scan_ssn(p: &Patterns, hay: &[u8], out: &mut Vec<Range<usize>>) {
    let start = out.len();
    for m in p.ssn_keyword.find_iter(hay) {
        let r = m.range();
        if !never_issued_ssn(&hay[r.end - 9..r.end]) {
            out.push(r);
        }
    }
    for m in p.ssn_grouped.find_iter(hay) {
        let r = m.range();
        let s = &hay[r.clone()];
        let digits = [s[0], s[1], s[2], s[4], s[5], s[7], s[8], s[9], s[10]];
        if !never_issued_ssn(&digits) && !continues_number(hay, &r, b"-.") && !overlaps(&out[start..], &r) {
            out.push(r);
        }
    }
    // A bare 9-digit run, whole: 10 digits are a phone, 8 a case number, 16 a card.
    for m in p.nine_or_more_digits.find_iter(hay) {
        let r = m.range();
        let money = r.start > 0 && hay[r.start - 1] == b'$';
        if r.len() == 9
            && !money
            && !never_issued_ssn(&hay[r.clone()])
            && !continues_number(hay, &r, b".,")
            && !overlaps(&out[start..], &r)
        {
            out.push(r);
        }
    }
}

/// Folds full-width forms (U+FF01..U+FF5E) and the ideographic space to ASCII so the patterns see
/// `123-45-6789` in `１２３－４５－６７８９`. Returns the folded bytes and, for each of them (and
/// the end), the offset in `text` it came from; `None` when there is nothing to fold.
fn fold_full_width(text: &str) -> Option<(Vec<u8>, Vec<usize>)> {
    fn fold(c: char) -> Option<u8> {
        match c {
            // The block mirrors ASCII 0x21..0x7E at a fixed distance.
            '\u{FF01}'..='\u{FF5E}' => u8::try_from(u32::from(c) - 0xFEE0).ok(),
            '\u{3000}' => Some(b' '),
            _ => None,
        }
    }
    // Every folded character starts with byte 0xEF or 0xE3; most texts have neither.
    if !text.bytes().any(|b| b == 0xEF || b == 0xE3) || !text.chars().any(|c| fold(c).is_some()) {
        return None;
    }
    let mut bytes = Vec::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len() + 1);
    for (i, c) in text.char_indices() {
        match fold(c) {
            Some(a) => {
                bytes.push(a);
                origin.push(i);
            }
            None => {
                bytes.extend_from_slice(&text.as_bytes()[i..i + c.len_utf8()]);
                origin.extend(i..i + c.len_utf8());
            }
        }
    }
    origin.push(text.len());
    Some((bytes, origin))
}

/// Text with personal data replaced, and what was replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    /// The redacted text.
    pub text: String,
    /// How many of each kind were replaced, by [`PiiKind::as_str`] name.
    pub counts: BTreeMap<&'static str, u64>,
}

/// Replaces the personal data of every [`PiiKind`] in `text` with its placeholder.
pub fn redact(text: &str) -> Redacted {
    redact_with(text, true)
}

/// [`redact`], with the shape checks that skip kinds switchable off so a test can show they never
/// change the result.
fn redact_with(text: &str, skip_by_shape: bool) -> Redacted {
    let folded = fold_full_width(text);
    let (hay, origin): (&[u8], Option<&[usize]>) = match &folded {
        Some((bytes, origin)) => (bytes, Some(origin)),
        None => (text.as_bytes(), None),
    };
    let shape = Shape::of(hay);
    // Copied only once something is found, to mask it from the later rules.
    let mut work: Cow<[u8]> = Cow::Borrowed(hay);
    let mut found: Vec<(Range<usize>, PiiKind)> = Vec::new();
    let mut spans = Vec::new();
    let pats = patterns();
    for rule in &RULES {
        if skip_by_shape && !(rule.worth_scanning)(&shape, &work) {
            continue;
        }
        (rule.scan)(pats, &work, &mut spans);
        if spans.is_empty() {
            continue;
        }
        let masked = work.to_mut();
        for r in spans.drain(..) {
            masked[r.clone()].fill(MASK);
            found.push((r, rule.kind));
        }
    }
    let mut counts = BTreeMap::new();
    if found.is_empty() {
        return Redacted { text: text.to_owned(), counts };
    }
    found.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (r, kind) in found {
        let (mut start, mut end) = match origin {
            Some(o) => (o[r.start], o[r.end]),
            None => (r.start, r.end),
        };
        // Spans start and end on ASCII, but a slip must widen a redaction, never split a character.
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let start = start.max(at);
        out.push_str(&text[at..start]);
        out.push_str(kind.placeholder());
        at = end.max(at);
        *counts.entry(kind.as_str()).or_insert(0) += 1;
    }
    out.push_str(&text[at..]);
    Redacted { text: out, counts }
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

    #[test]
    fn cards_in_every_layout_and_only_when_luhn_passes() {
        check("card 4111 1111 1111 1111 declined", "card [REDACTED CARD] declined", &[("card", 1)]);
        check("card 4111111111111111", "card [REDACTED CARD]", &[("card", 1)]);
        check("mc 5500-0000-0000-0004.", "mc [REDACTED CARD].", &[("card", 1)]);
        check("amex 3782 822463 10005 and 378282246310005", "amex [REDACTED CARD] and [REDACTED CARD]", &[("card", 2)]);
        check("in 2024 6011 1111 1111 1117 was charged", "in 2024 [REDACTED CARD] was charged", &[("card", 1)]);
        // Luhn fails: a 16-digit reference number, not a card.
        check("ref 4111111111111112", "ref 4111111111111112", &[]);
        check("ref 0000 0000 0000 0000", "ref 0000 0000 0000 0000", &[]);
    }

    #[test]
    fn medicare_ids_with_and_without_dashes() {
        check("MBI 1EG4-TE5-MK73 on file", "MBI [REDACTED MEDICARE ID] on file", &[("medicare_id", 1)]);
        check("medicare 1EG4TE5MK73", "medicare [REDACTED MEDICARE ID]", &[("medicare_id", 1)]);
        check("my number is 1eg4-te5-mk73", "my number is [REDACTED MEDICARE ID]", &[("medicare_id", 1)]);
        // S, L, O, I, B and Z are never used, so this is not an MBI.
        check("code 1SG4-TE5-MK73", "code 1SG4-TE5-MK73", &[]);
    }

    #[test]
    fn passports_need_the_keyword() {
        check("passport C12345678 expired", "passport [REDACTED PASSPORT] expired", &[("passport", 1)]);
        check("Passport number is 987654321.", "Passport number is [REDACTED PASSPORT].", &[("passport", 1)]);
        check("X12345678 is my passport", "[REDACTED PASSPORT] is my passport", &[("passport", 1)]);
        check("passport renewal case 12345678", "passport renewal case 12345678", &[]);
    }

    #[test]
    fn a_numbers_in_their_written_forms() {
        check("my A123456789 card", "my [REDACTED A-NUMBER] card", &[("a_number", 1)]);
        check("A-123-456-789", "[REDACTED A-NUMBER]", &[("a_number", 1)]);
        check("A# 12345678 pending", "A# [REDACTED A-NUMBER] pending", &[("a_number", 1)]);
        check("alien number: 098765432", "alien number: [REDACTED A-NUMBER]", &[("a_number", 1)]);
        check("the A-11 survey", "the A-11 survey", &[]);
    }

    #[test]
    fn dates_of_birth_only_next_to_a_keyword() {
        check("DOB 01/02/1980", "DOB [REDACTED DATE OF BIRTH]", &[("date_of_birth", 1)]);
        check("born 1980-01-02 in Ohio", "born [REDACTED DATE OF BIRTH] in Ohio", &[("date_of_birth", 1)]);
        check("date of birth: January 2, 1980", "date of birth: [REDACTED DATE OF BIRTH]", &[("date_of_birth", 1)]);
        check("1/2/80 is my birthday", "[REDACTED DATE OF BIRTH] is my birthday", &[("date_of_birth", 1)]);
        check("on 01/02/2024 I visited", "on 01/02/2024 I visited", &[]);
        check("I was born here. On 01/02/2024 I visited", "I was born here. On 01/02/2024 I visited", &[]);
    }

    #[test]
    fn street_addresses_and_po_boxes() {
        check("I live at 123 Main St now", "I live at [REDACTED ADDRESS] now", &[("address", 1)]);
        check("4567 N. Oak Avenue Apt 5, Springfield", "[REDACTED ADDRESS], Springfield", &[("address", 1)]);
        check("send to PO Box 1234", "send to [REDACTED ADDRESS]", &[("address", 1)]);
        check("since 2024 Supreme Court rules apply", "since 2024 Supreme Court rules apply", &[]);
        check("call center 3 times", "call center 3 times", &[]);
    }

    #[test]
    fn ip_addresses_v4_and_v6() {
        check("from 192.0.2.44 today", "from [REDACTED IP ADDRESS] today", &[("ip_address", 1)]);
        check("ip 2001:db8::8a2e:370:7334.", "ip [REDACTED IP ADDRESS].", &[("ip_address", 1)]);
        check("::ffff:198.51.100.7", "[REDACTED IP ADDRESS]", &[("ip_address", 1)]);
        check("version 1.2.3 and 1.2.3.4.5", "version 1.2.3 and 1.2.3.4.5", &[]);
        check("at 10:30:45 and 256.1.1.1", "at 10:30:45 and 256.1.1.1", &[]);
    }

    #[test]
    fn bare_ssns_outside_never_issued_ranges() {
        check("my social is 123456789", "my social is [REDACTED SSN]", &[("ssn", 1)]);
        check("000-12-3456 or 900-12-3456 or 666123456", "000-12-3456 or 900-12-3456 or 666123456", &[]);
        check("123-00-4567 123450000", "123-00-4567 123450000", &[]);
        check("case 12345678 and ref 12345678901", "case 12345678 and ref 12345678901", &[]);
    }

    #[test]
    fn full_width_forms_are_caught_and_the_rest_kept() {
        check("番号は１２３-４５-６７８９です", "番号は[REDACTED SSN]です", &[("ssn", 1)]);
        check("ＳＳＮ：１２３４５６７８９", "[REDACTED SSN]", &[("ssn", 1)]);
        check("ｃａｌｌ　（２０２）５５５－０１４３", "ｃａｌｌ　[REDACTED PHONE]", &[("phone", 1)]);
        check("ｆｏｒｍ　１０４０", "ｆｏｒｍ　１０４０", &[]);
    }

    /// The shape checks only skip work: on every corpus line and every example above, redacting
    /// with them gives what redacting without them gives.
    #[test]
    fn shape_checks_never_change_the_result() {
        let data = include_str!("../tests/data/pii_corpus.csv");
        let mut reader = csv::Reader::from_reader(data.as_bytes());
        let mut texts: Vec<String> = reader.records().map(|r| r.expect("valid CSV")[1].to_owned()).collect();
        texts.extend(
            ["SSN: 123456789", "+12025550111", "(202)555-0143", "100 5th Ave", "P.O. Box 9", "1EG4TE5MK73", "::1"]
                .map(String::from),
        );
        for t in &texts {
            assert_eq!(redact_with(t, true), redact_with(t, false), "{t}");
        }
    }

    /// Runs the corpus in tests/data/pii_corpus.csv: every positive must get its kind's
    /// placeholder (recall 100% for every kind) and no negative may change.
    #[test]
    fn corpus_has_full_recall_and_no_false_positives() {
        let data = include_str!("../tests/data/pii_corpus.csv");
        let mut reader = csv::Reader::from_reader(data.as_bytes());
        let mut recall: BTreeMap<&'static str, (u64, u64)> =
            PiiKind::ALL.iter().map(|k| (k.as_str(), (0, 0))).collect();
        let (mut negatives, mut false_positives) = (0u64, 0u64);
        let mut failures = Vec::new();
        for record in reader.records() {
            let record = record.expect("the corpus is valid CSV");
            let line = record.position().map_or(0, |p| p.line());
            let (kind, text, expect) = (&record[0], &record[1], &record[2]);
            let out = redact(text).text;
            match expect {
                "redact" => {
                    let kind = PiiKind::ALL
                        .into_iter()
                        .find(|k| k.as_str() == kind)
                        .unwrap_or_else(|| panic!("line {line}: unknown kind {kind:?}"));
                    let entry = recall.get_mut(kind.as_str()).expect("every kind is counted");
                    entry.1 += 1;
                    if out.contains(kind.placeholder()) {
                        entry.0 += 1;
                    } else {
                        failures.push(format!("line {line}: {} missed: {text:?} -> {out:?}", kind.as_str()));
                    }
                }
                "keep" => {
                    assert_eq!(kind, "none", "line {line}: negatives have kind none");
                    negatives += 1;
                    if out != text {
                        false_positives += 1;
                        failures.push(format!("line {line}: false positive: {text:?} -> {out:?}"));
                    }
                }
                other => panic!("line {line}: expect is redact or keep, not {other:?}"),
            }
        }
        let summary: Vec<String> = recall.iter().map(|(k, (hit, n))| format!("{k} {hit}/{n}")).collect();
        let positives: u64 = recall.values().map(|(_, n)| n).sum();
        assert!(
            positives >= 120 && negatives >= 80 && recall.values().all(|(_, n)| *n >= 5),
            "the corpus is too small: {positives} positives, {negatives} negatives; {}",
            summary.join(", ")
        );
        assert!(
            failures.is_empty(),
            "recall {}; false positives {false_positives} of {negatives}; failing lines:\n{}",
            summary.join(", "),
            failures.join("\n")
        );
    }
}
