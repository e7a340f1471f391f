//! Fuzzes the Touchpoints version-1 reporting-record reader.
#![no_main]

use fedcx_model::traits::ResponseSource;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let registry = fedcx_model::Registry::bundled();
    let path = std::path::Path::new("v1.csv");
    if let Ok(mut src) = fedcx_ingest::touchpoints::TouchpointsV1Source::new(path, data, &registry) {
        while let Ok(Some(_)) = src.next_item() {}
    }
});
