//! Fuzzes the JSON Lines reader.
#![no_main]

use fedcx_model::traits::ResponseSource;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let registry = fedcx_model::Registry::bundled();
    let mut src = fedcx_ingest::jsonl::JsonlSource::new(std::path::Path::new("f.jsonl"), data, &registry);
    while let Ok(Some(_)) = src.next_item() {}
});
