//! Fuzzes the native (mapped) CSV reader: any bytes either fail the file cleanly or yield one
//! outcome per row, never a panic.
#![no_main]

use fedcx_model::traits::ResponseSource;
use libfuzzer_sys::fuzz_target;

/// Parsed once: parsing the registry on every input would make the fuzzer a hundred times slower.
static REGISTRY: std::sync::LazyLock<fedcx_model::Registry> = std::sync::LazyLock::new(fedcx_model::Registry::bundled);

fuzz_target!(|data: &[u8]| {
    let registry = &*REGISTRY;
    let path = std::path::Path::new("fuzz.csv");
    if let Ok(mut src) = fedcx_ingest::mapped::MappedCsvSource::new(path, data, fedcx_ingest::Mapping::native(), registry) {
        while let Ok(Some(_)) = src.next_item() {}
    }
});
