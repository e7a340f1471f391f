//! The 18 delivery channels of GSA Touchpoints, each knowing whether it is digital.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How a customer reached a service. Identifiers are Touchpoints' own (`website`, `in_person`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Use of a computer, not further specified.
    Computer,
    /// Use of a mobile device, not further specified.
    Mobile,
    /// E-mail.
    Email,
    /// An automated chat agent.
    Chatbot,
    /// A telephone call answered by a person.
    Phone,
    /// A telephone line answered by a recorded or automated system.
    AutomatedPhone,
    /// A visit to an office.
    InPerson,
    /// A paper form.
    Paper,
    /// Letters sent by post.
    PostalMail,
    /// Fax.
    Fax,
    /// A self-service terminal in a public place.
    SelfServiceKiosk,
    /// Any other channel that is not digital.
    OtherNonDigital,
    /// A website.
    Website,
    /// A mobile application.
    MobileApp,
    /// A chat with a person.
    LiveChat,
    /// SMS or text messages.
    SmsTextMessages,
    /// Social media.
    SocialMedia,
    /// Any other digital channel.
    OtherDigital,
    /// Several channels reported together. Touchpoints offered `mixed` for version-1 reporting
    /// from August 2021 (commit 4757a80d) until August 2022 (66685cec); rows of that time keep it.
    /// It is neither digital nor assisted, so the digital-versus-assisted comparison leaves it out.
    Mixed,
    /// No channel given: a published version-1 record whose `channel` is blank (five of GSA's
    /// FY2021-23 copy of performance.gov's data). Kept, so its answers still count for the service,
    /// but on neither side of the digital-versus-assisted comparison. Never read from text a user
    /// wrote except its own identifier `not_reported`: a reader maps a blank channel to it with a
    /// warning.
    NotReported,
}

/// Text that names none of the channels.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a channel (expected one of: {list})", list = Channel::ALL.map(Channel::as_str).join(", "))]
pub struct UnknownChannel(pub String);

impl Channel {
    /// The 18 channels Touchpoints offers today (version 2 accepts only these), in its order.
    pub const CURRENT: [Channel; 18] = [
        Channel::Computer,
        Channel::Mobile,
        Channel::Email,
        Channel::Chatbot,
        Channel::Phone,
        Channel::AutomatedPhone,
        Channel::InPerson,
        Channel::Paper,
        Channel::PostalMail,
        Channel::Fax,
        Channel::SelfServiceKiosk,
        Channel::OtherNonDigital,
        Channel::Website,
        Channel::MobileApp,
        Channel::LiveChat,
        Channel::SmsTextMessages,
        Channel::SocialMedia,
        Channel::OtherDigital,
    ];

    /// Every channel: the current ones, then the retired `mixed`, then `not_reported`.
    pub const ALL: [Channel; 20] = {
        let mut all = [Channel::Mixed; 20];
        all[19] = Channel::NotReported;
        let mut i = 0;
        while i < Channel::CURRENT.len() {
            all[i] = Channel::CURRENT[i];
            i += 1;
        }
        all
    };

    /// The stable identifier, as Touchpoints writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Computer => "computer",
            Channel::Mobile => "mobile",
            Channel::Email => "email",
            Channel::Chatbot => "chatbot",
            Channel::Phone => "phone",
            Channel::AutomatedPhone => "automated_phone",
            Channel::InPerson => "in_person",
            Channel::Paper => "paper",
            Channel::PostalMail => "postal_mail",
            Channel::Fax => "fax",
            Channel::SelfServiceKiosk => "self_service_kiosk",
            Channel::OtherNonDigital => "other_non_digital",
            Channel::Website => "website",
            Channel::MobileApp => "mobile_app",
            Channel::LiveChat => "live_chat",
            Channel::SmsTextMessages => "sms_text_messages",
            Channel::SocialMedia => "social_media",
            Channel::OtherDigital => "other_digital",
            Channel::Mixed => "mixed",
            Channel::NotReported => "not_reported",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Channel::Computer => "Computer",
            Channel::Mobile => "Mobile",
            Channel::Email => "Email",
            Channel::Chatbot => "Chatbot",
            Channel::Phone => "Phone",
            Channel::AutomatedPhone => "Automated phone",
            Channel::InPerson => "In person",
            Channel::Paper => "Paper",
            Channel::PostalMail => "Postal mail",
            Channel::Fax => "Fax",
            Channel::SelfServiceKiosk => "Self-service kiosk",
            Channel::OtherNonDigital => "Other non-digital",
            Channel::Website => "Website",
            Channel::MobileApp => "Mobile app",
            Channel::LiveChat => "Live chat",
            Channel::SmsTextMessages => "SMS / text messages",
            Channel::SocialMedia => "Social media",
            Channel::OtherDigital => "Other digital",
            Channel::Mixed => "Mixed (several channels)",
            Channel::NotReported => "Channel not reported",
        }
    }

    /// Whether the customer is served through a digital interface rather than by a person, on paper
    /// or by voice. A self-service kiosk counts as digital: the customer works a screen, not a clerk.
    /// Live chat counts as digital because the customer's side of it is a web or app interface.
    /// This is fedcx's default classification; [`crate::ChannelClassification`] makes it explicit
    /// and offers Touchpoints' own (and a user's) instead.
    pub fn is_digital(self) -> bool {
        matches!(
            self,
            Channel::Computer
                | Channel::Mobile
                | Channel::Email
                | Channel::Chatbot
                | Channel::SelfServiceKiosk
                | Channel::Website
                | Channel::MobileApp
                | Channel::LiveChat
                | Channel::SmsTextMessages
                | Channel::SocialMedia
                | Channel::OtherDigital
        )
    }

    /// Which side of the digital / assisted comparison the channel is on.
    pub fn delivery(self) -> Delivery {
        match self {
            Channel::Mixed => Delivery::Mixed,
            Channel::NotReported => Delivery::Unknown,
            c if c.is_digital() => Delivery::Digital,
            _ => Delivery::Assisted,
        }
    }
}

/// The two sides of the digital-versus-assisted comparison reports make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Channels where the customer works a digital interface.
    Digital,
    /// Channels with a person, paper or voice in the loop.
    Assisted,
    /// Several channels reported together (version-1 `mixed`): on neither side.
    Mixed,
    /// No channel reported (`not_reported`): on neither side.
    Unknown,
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Channel {
    type Err = UnknownChannel;

    /// Accepts the identifier in any letter case, with spaces or hyphens for underscores.
    fn from_str(s: &str) -> Result<Channel, UnknownChannel> {
        let wanted = s.trim();
        Channel::ALL
            .into_iter()
            .find(|c| {
                let id = c.as_str();
                id.len() == wanted.len()
                    && id.bytes().zip(wanted.bytes()).all(|(a, b)| {
                        let b = b.to_ascii_lowercase();
                        a == b || (a == b'_' && (b == b' ' || b == b'-'))
                    })
            })
            .ok_or_else(|| UnknownChannel(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eighteen_distinct_identifiers_round_trip() {
        let mut ids: Vec<&str> = Channel::ALL.iter().map(|c| c.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 20);
        for c in Channel::ALL {
            assert_eq!(c.as_str().parse::<Channel>().unwrap(), c);
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert_eq!(serde_json::from_str::<Channel>(&json).unwrap(), c);
        }
    }

    #[test]
    fn lenient_spelling_is_accepted_but_unknown_names_are_not() {
        assert_eq!("In Person".parse::<Channel>().unwrap(), Channel::InPerson);
        assert_eq!("mobile-app".parse::<Channel>().unwrap(), Channel::MobileApp);
        let err = "carrier pigeon".parse::<Channel>().unwrap_err().to_string();
        assert!(err.starts_with("\"carrier pigeon\" is not a channel (expected one of: computer,"), "{err}");
    }

    #[test]
    fn digital_split() {
        let digital: Vec<&str> = Channel::ALL.iter().filter(|c| c.is_digital()).map(|c| c.as_str()).collect();
        assert_eq!(
            digital,
            [
                "computer",
                "mobile",
                "email",
                "chatbot",
                "self_service_kiosk",
                "website",
                "mobile_app",
                "live_chat",
                "sms_text_messages",
                "social_media",
                "other_digital"
            ]
        );
        assert_eq!(Channel::Phone.delivery(), Delivery::Assisted);
        assert_eq!(Channel::Website.delivery(), Delivery::Digital);
        assert_eq!(Channel::Mixed.delivery(), Delivery::Mixed);
        assert_eq!(Channel::NotReported.delivery(), Delivery::Unknown);
        assert!(!Channel::CURRENT.contains(&Channel::Mixed));
    }
}
