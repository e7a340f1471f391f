//! Fuzzes the Touchpoints collection-detail export reader; read = accepted + rejected must hold.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Parsed once: parsing the registry on every input would make the fuzzer a hundred times slower.
static REGISTRY: std::sync::LazyLock<fedcx_model::Registry> = std::sync::LazyLock::new(fedcx_model::Registry::bundled);

fuzz_target!(|data: &[u8]| {
    let registry = &*REGISTRY;
    if let Ok(read) = fedcx_ingest::details::read_details(std::path::Path::new("d.csv"), data, registry) {
        assert!(read.reconciliation.balances());
        assert_eq!(read.details.len() as u64, read.reconciliation.accepted);
        assert_eq!(read.rejections.len() as u64, read.reconciliation.rejected);
    }
});
