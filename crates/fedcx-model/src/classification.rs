//! Which channels count as digital: an explicit, configurable classification of the 18 channels.
//!
//! "How digital is a service" depends on where the line is drawn, and the two definitions in use
//! draw it differently. fedcx's own ([`ChannelClassification::fedcx`], the one
//! [`Channel::is_digital`] has always used) counts every channel where the customer works a screen,
//! the self-service kiosk included. GSA Touchpoints' `Service#available_digitally?`
//! ([`ChannelClassification::touchpoints`]) counts only `computer`, `mobile`, `email` and `chatbot`
//! (GSA/touchpoints `app/models/service.rb:144-149` @ 4933e27d2000fcab9473f70edbbe9c4bf716a0f3,
//! added in commit 66db7e67 of 2022-08-09): not the kiosk, and, because the
//! method was not updated when the channel list grew in October 2022 (718bc58a), not `website`,
//! `mobile_app`, `live_chat`, `sms_text_messages`, `social_media` or `other_digital` either. A
//! report states which classification it used; a user may give their own as a small TOML table
//! ([`ChannelClassification::from_toml_str`]).
//!
//! Version 1's retired `mixed` is on neither side under every classification: it is several
//! channels reported together, so it cannot be called digital or assisted.

use std::fmt;

use serde::Deserialize;

use crate::channel::{Channel, Delivery};

/// A named split of the 18 current channels into digital and assisted ([`Delivery`]); `mixed` is
/// always [`Delivery::Mixed`]. Built only by the constructors here, so every current channel has
/// exactly one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelClassification {
    name: String,
    source: String,
    /// Whether `Channel::CURRENT[i]` is digital.
    digital: [bool; 18],
}

/// Why a classification table could not be used. Every problem is listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClassificationError {
    /// The text is not TOML of the expected form.
    #[error("the channel classification is not valid: {0}")]
    Syntax(String),
    /// The table parsed, but channels are missing, unknown or on both sides.
    #[error("the channel classification has {} problem(s):\n  {}", .0.len(), .0.join("\n  "))]
    Inconsistent(Vec<String>),
}

/// The TOML form: `name`, an optional `source`, and the `digital` and `assisted` lists of channel
/// identifiers, which together name each of the 18 current channels exactly once.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassificationFile {
    name: String,
    #[serde(default)]
    source: String,
    digital: Vec<String>,
    assisted: Vec<String>,
}

impl ChannelClassification {
    /// fedcx's classification, the one [`Channel::is_digital`] uses: every channel with a screen on
    /// the customer's side is digital, the self-service kiosk and live chat included.
    pub fn fedcx() -> ChannelClassification {
        ChannelClassification::from_predicate(
            "fedcx",
            "fedcx-model channel.rs Channel::is_digital: a channel is digital when the customer works a \
             digital interface (kiosk and live chat included)",
            Channel::is_digital,
        )
    }

    /// GSA Touchpoints' `Service#available_digitally?`, taken literally: `computer`, `mobile`,
    /// `email` and `chatbot` are digital, every other channel is not (see the module's note).
    pub fn touchpoints() -> ChannelClassification {
        ChannelClassification::from_predicate(
            "touchpoints",
            "GSA/touchpoints app/models/service.rb:144-149 (Service#available_digitally?) @ \
             4933e27d2000fcab9473f70edbbe9c4bf716a0f3",
            |c| matches!(c, Channel::Computer | Channel::Mobile | Channel::Email | Channel::Chatbot),
        )
    }

    fn from_predicate(name: &str, source: &str, is_digital: impl Fn(Channel) -> bool) -> ChannelClassification {
        ChannelClassification {
            name: name.to_owned(),
            source: source.to_owned(),
            digital: Channel::CURRENT.map(is_digital),
        }
    }

    /// Reads a classification from its TOML form, for example
    ///
    /// ```toml
    /// name = "kiosk-assisted"
    /// source = "our CX office, 2026"
    /// digital = ["computer", "mobile", "email", "chatbot", "website", "mobile_app", "live_chat",
    ///            "sms_text_messages", "social_media", "other_digital"]
    /// assisted = ["phone", "automated_phone", "in_person", "paper", "postal_mail", "fax",
    ///             "self_service_kiosk", "other_non_digital"]
    /// ```
    ///
    /// Each of the 18 current channels must be named exactly once; `mixed` may not be named (it is
    /// on neither side). Listing both sides, rather than the digital ones alone, keeps a channel
    /// from landing on the assisted side by being forgotten.
    pub fn from_toml_str(text: &str) -> Result<ChannelClassification, ClassificationError> {
        let file: ClassificationFile = toml::from_str(text).map_err(|e| ClassificationError::Syntax(e.to_string()))?;
        let mut side: [Option<bool>; 18] = [None; 18];
        let mut problems = Vec::new();
        if file.name.trim().is_empty() {
            problems.push("name is empty".to_owned());
        }
        for (list, digital) in [(&file.digital, true), (&file.assisted, false)] {
            let list_name = if digital { "digital" } else { "assisted" };
            for text in list {
                let channel = match text.parse::<Channel>() {
                    Ok(c) => c,
                    Err(e) => {
                        problems.push(format!("{list_name}: {e}"));
                        continue;
                    }
                };
                let Some(i) = Channel::CURRENT.iter().position(|&c| c == channel) else {
                    problems.push(format!(
                        "{list_name}: \"{channel}\" is several channels reported together (version 1) and is on \
                         neither side; leave it out"
                    ));
                    continue;
                };
                match side[i] {
                    None => side[i] = Some(digital),
                    Some(_) => problems.push(format!("\"{channel}\" is listed more than once")),
                }
            }
        }
        let missing: Vec<&str> =
            Channel::CURRENT.iter().zip(&side).filter(|(_, s)| s.is_none()).map(|(c, _)| c.as_str()).collect();
        if !missing.is_empty() {
            problems.push(format!("channel(s) on neither side: {}", missing.join(", ")));
        }
        if !problems.is_empty() {
            return Err(ClassificationError::Inconsistent(problems));
        }
        Ok(ChannelClassification {
            name: file.name.trim().to_owned(),
            source: file.source.trim().to_owned(),
            digital: side.map(|s| s == Some(true)),
        })
    }

    /// The classification's name (`fedcx`, `touchpoints`, or a table's `name`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the classification comes from, for a report's sources.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Which side of the comparison a channel is on; `mixed` is always [`Delivery::Mixed`] and
    /// `not_reported` [`Delivery::Unknown`].
    pub fn delivery(&self, channel: Channel) -> Delivery {
        match Channel::CURRENT.iter().position(|&c| c == channel) {
            Some(i) if self.digital[i] => Delivery::Digital,
            Some(_) => Delivery::Assisted,
            None => channel.delivery(),
        }
    }

    /// Whether a channel is digital under this classification (`mixed` never is).
    pub fn is_digital(&self, channel: Channel) -> bool {
        self.delivery(channel) == Delivery::Digital
    }

    /// The digital channels, in Touchpoints' order.
    pub fn digital_channels(&self) -> impl Iterator<Item = Channel> + '_ {
        Channel::CURRENT.into_iter().zip(self.digital).filter(|(_, d)| *d).map(|(c, _)| c)
    }

    /// Writes the classification in the TOML form [`ChannelClassification::from_toml_str`] reads.
    pub fn to_toml_string(&self) -> String {
        let list = |digital: bool| {
            Channel::CURRENT
                .into_iter()
                .zip(self.digital)
                .filter(|(_, d)| *d == digital)
                .map(|(c, _)| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "name = {:?}\nsource = {:?}\ndigital = [{}]\nassisted = [{}]\n",
            self.name,
            self.source,
            list(true),
            list(false)
        )
    }
}

impl Default for ChannelClassification {
    /// fedcx's own classification.
    fn default() -> ChannelClassification {
        ChannelClassification::fedcx()
    }
}

impl fmt::Display for ChannelClassification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digital(c: &ChannelClassification) -> Vec<&'static str> {
        c.digital_channels().map(Channel::as_str).collect()
    }

    #[test]
    fn fedcx_default_is_what_channel_is_digital_says() {
        let c = ChannelClassification::default();
        assert_eq!(c.name(), "fedcx");
        for ch in Channel::ALL {
            assert_eq!(c.delivery(ch), ch.delivery(), "{ch}");
        }
        assert!(c.is_digital(Channel::SelfServiceKiosk));
    }

    #[test]
    fn touchpoints_counts_exactly_the_four_channels_of_available_digitally() {
        // app/models/service.rb:144-149 @ 4933e27d: computer || mobile || email || chatbot.
        let c = ChannelClassification::touchpoints();
        assert_eq!(digital(&c), ["computer", "mobile", "email", "chatbot"]);
        assert_eq!(c.delivery(Channel::SelfServiceKiosk), Delivery::Assisted);
        assert_eq!(c.delivery(Channel::Website), Delivery::Assisted);
        assert_eq!(c.delivery(Channel::Mixed), Delivery::Mixed);
    }

    #[test]
    fn toml_round_trips_and_names_every_problem() {
        for c in [ChannelClassification::fedcx(), ChannelClassification::touchpoints()] {
            assert_eq!(ChannelClassification::from_toml_str(&c.to_toml_string()).unwrap(), c);
        }
        let text = "name = \"mine\"\ndigital = [\"website\", \"Mobile App\", \"mixed\", \"pigeon\"]\n\
                    assisted = [\"phone\", \"website\"]\n";
        let err = ChannelClassification::from_toml_str(text).unwrap_err().to_string();
        assert!(err.contains("\"pigeon\" is not a channel"), "{err}");
        assert!(err.contains("\"mixed\" is several channels"), "{err}");
        assert!(err.contains("\"website\" is listed more than once"), "{err}");
        assert!(err.contains("on neither side: computer, mobile, email, chatbot, automated_phone,"), "{err}");
        assert!(matches!(ChannelClassification::from_toml_str("name = 1"), Err(ClassificationError::Syntax(_))));
    }
}
