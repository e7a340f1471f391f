//! Fuzzes mapping-file parsing and format detection, which read user-supplied text and headers.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("m.toml");
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = fedcx_ingest::Mapping::from_toml_str(path, text);
    }
    let _ = fedcx_ingest::Format::detect(path, data);
});
