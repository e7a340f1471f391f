//! Loading a channel classification from a user's file.

use fedcx_model::{Channel, ChannelClassification, Delivery};

#[test]
fn a_classification_file_is_read_and_its_problems_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("kiosk-assisted.toml");
    // fedcx's default with the self-service kiosk moved to the assisted side.
    std::fs::write(
        &good,
        "name = \"kiosk-assisted\"\nsource = \"test\"\n\
         digital = [\"computer\", \"mobile\", \"email\", \"chatbot\", \"website\", \"mobile_app\", \"live_chat\", \
         \"sms_text_messages\", \"social_media\", \"other_digital\"]\n\
         assisted = [\"phone\", \"automated_phone\", \"in_person\", \"paper\", \"postal_mail\", \"fax\", \
         \"self_service_kiosk\", \"other_non_digital\"]\n",
    )
    .unwrap();
    let c = fedcx_ingest::load_channel_classification(&good).unwrap();
    assert_eq!(c.name(), "kiosk-assisted");
    assert_eq!(c.delivery(Channel::SelfServiceKiosk), Delivery::Assisted);
    let differs: Vec<Channel> =
        Channel::ALL.into_iter().filter(|&ch| c.delivery(ch) != ChannelClassification::fedcx().delivery(ch)).collect();
    assert_eq!(differs, [Channel::SelfServiceKiosk]);

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "name = \"x\"\ndigital = [\"website\"]\nassisted = []\n").unwrap();
    let err = fedcx_ingest::load_channel_classification(&bad).unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}: 1 problem(s):", bad.display())), "{err}");
    assert!(err.contains("channel(s) on neither side: computer, mobile,"), "{err}");
}
