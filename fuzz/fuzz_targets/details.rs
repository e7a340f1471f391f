//! Fuzzes the Touchpoints collection-detail export reader; read = accepted + rejected must hold.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let registry = fedcx_model::Registry::bundled();
    if let Ok(read) = fedcx_ingest::details::read_details(std::path::Path::new("d.csv"), data, &registry) {
        assert!(read.reconciliation.balances());
        assert_eq!(read.details.len() as u64, read.reconciliation.accepted);
        assert_eq!(read.rejections.len() as u64, read.reconciliation.rejected);
    }
});
