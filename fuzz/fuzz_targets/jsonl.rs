//! Fuzzes the JSON Lines reader.
#![no_main]

use fedcx_model::traits::ResponseSource;
use libfuzzer_sys::fuzz_target;

/// Parsed once: parsing the registry on every input would make the fuzzer a hundred times slower.
static REGISTRY: std::sync::LazyLock<fedcx_model::Registry> = std::sync::LazyLock::new(fedcx_model::Registry::bundled);

fuzz_target!(|data: &[u8]| {
    let registry = &*REGISTRY;
    let mut src = fedcx_ingest::jsonl::JsonlSource::new(std::path::Path::new("f.jsonl"), data, registry);
    while let Ok(Some(_)) = src.next_item() {}
});
