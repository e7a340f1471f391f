//! Content hashes: the SHA-256 of an ingested file, compared and stored as bytes, written as hex.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A SHA-256 digest. It is the content's identity: a file with the same digest was already
/// ingested. Written as 64 lowercase hex digits; read back from that form only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest(pub [u8; 32]);

/// Text that is not 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a SHA-256 digest (expected 64 hex digits)")]
pub struct BadDigest(pub String);

/// Bytes as lowercase hex, the one encoder fedcx uses.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

impl Digest {
    /// The short form reject files carry for a row's content: `sha256:` and the first 8 bytes.
    pub fn short(&self) -> String {
        format!("sha256:{}", hex(&self.0[..8]))
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex(&self.0))
    }
}

impl FromStr for Digest {
    type Err = BadDigest;
    fn from_str(s: &str) -> Result<Digest, BadDigest> {
        let t = s.trim().as_bytes();
        if t.len() != 64 {
            return Err(BadDigest(s.to_owned()));
        }
        let nibble = |c: u8| -> Option<u8> { (c as char).to_digit(16).and_then(|d| u8::try_from(d).ok()) };
        let mut out = [0u8; 32];
        for (i, pair) in t.chunks(2).enumerate() {
            let (Some(hi), Some(lo)) = (nibble(pair[0]), nibble(pair[1])) else {
                return Err(BadDigest(s.to_owned()));
            };
            out[i] = hi << 4 | lo;
        }
        Ok(Digest(out))
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Digest, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_anything_else() {
        let d = Digest(std::array::from_fn(|i| (i * 37) as u8));
        let text = d.to_string();
        assert_eq!(text.len(), 64);
        assert_eq!(text.parse::<Digest>().unwrap(), d);
        assert_eq!(text.to_uppercase().parse::<Digest>().unwrap(), d);
        assert!(text[..63].parse::<Digest>().is_err());
        assert!(format!("{}g", &text[..63]).parse::<Digest>().is_err());
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
        assert_eq!(d.short(), format!("sha256:{}", &text[..16]));
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(serde_json::from_str::<Digest>(&json).unwrap(), d);
    }
}
