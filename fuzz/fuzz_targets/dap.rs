//! Fuzzes the Digital Analytics Program report reader.
#![no_main]

use fedcx_model::traits::ResponseSource;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(mut src) = fedcx_ingest::series::DapSource::new(std::path::Path::new("d.json"), data) {
        while let Ok(Some(_)) = src.next_item() {}
    }
});
