//! Property test: on random files mixing good rows, bad fields, duplicates, short and long rows and
//! random bytes, every row read is accepted, rejected or a duplicate, the reject file has a line for
//! each reject and duplicate, and the counts hold exactly the accepted responses.

use std::path::Path;

use fedcx_ingest::{IngestConfig, IngestError, Ingestor, Reader, NATIVE_HEADER};
use fedcx_model::Registry;
use proptest::prelude::*;

fn good_v1(id: u32) -> String {
    format!("R{id},2023-01-15T10:00:00-05:00,treasury-irs-file-return,website,post_interaction,v1,,5,4,3,2,1,n/a,,,,,,,,,,,,,,,,,,,,,ok")
}

fn good_v2(id: u32) -> String {
    format!("R{id},2024-02-01T09:00:00-05:00,ssa-replacement-card,in_person,post_interaction,v2,thumbs_up_down,,,,,,,,,,,,1,1,0,null,null,null,null,null,0,0,null,null,null,null,null,")
}

/// One line of a test file, from a menu of good and bad shapes.
fn arb_line() -> impl Strategy<Value = String> {
    let id = 0u32..40; // a small id space makes duplicates common
    prop_oneof![
        id.clone().prop_map(good_v1),
        id.clone().prop_map(good_v2),
        id.clone().prop_map(|i| good_v1(i).replace("website", "telegraph")),
        id.clone().prop_map(|i| good_v1(i).replace("treasury-irs-file-return", "nope")),
        id.clone().prop_map(|i| good_v1(i).replace("2023-01-15", "2023-02-31")),
        id.clone().prop_map(|i| good_v1(i).replace(",5,4,", ",9,4,")),
        id.clone().prop_map(|i| good_v2(i).replace(",,1,1,", ",,0,1,")),
        id.clone().prop_map(|i| good_v2(i).replace(",,1,1,", ",,,1,")),
        id.clone().prop_map(|i| format!("{},extra", good_v1(i))),
        id.prop_map(|i| good_v1(i).split(',').take(5).collect::<Vec<_>>().join(",")),
        "[a-z0-9,\"]{0,40}",
        Just(String::new()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_row_is_accounted_for(lines in prop::collection::vec(arb_line(), 0..60), crlf in any::<bool>(), junk in prop::collection::vec(any::<u8>(), 0..8)) {
        let registry = Registry::bundled();
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut bytes = NATIVE_HEADER.join(",").into_bytes();
        bytes.extend_from_slice(eol.as_bytes());
        for l in &lines {
            bytes.extend_from_slice(l.as_bytes());
            bytes.extend_from_slice(eol.as_bytes());
        }
        bytes.extend_from_slice(&junk);
        let mut rejects = Vec::new();
        let result = {
            let mut ing = Ingestor::builder(&registry, IngestConfig::default())
                .rejects(Box::new(&mut rejects), Path::new("rejects.csv"))
                .build()
                .unwrap();
            match ing.ingest_bytes(Path::new("random.csv"), &bytes, &Reader::Format(fedcx_ingest::Format::Csv)) {
                Ok(_) => {}
                // A quote left open at the end swallows everything after it: the whole file is
                // refused, never read as one huge field.
                Err(IngestError::UnterminatedQuote { .. }) => return Ok(()),
                Err(e) => return Err(TestCaseError::fail(e.to_string())),
            }
            ing.finish().unwrap()
        };
        let r = &result.reconciliation;
        prop_assert!(r.balances(), "{r:?}");
        // `read` must equal what an independent parser (the csv crate on its own) finds: data
        // records, less those with no value at all.
        let records = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(bytes.as_slice())
            .byte_records()
            .filter(|r| r.as_ref().map_or(true, |r| !r.iter().all(|f| f.is_empty())))
            .count() as u64;
        prop_assert_eq!(r.read, records);
        // And the physical lines must be the file's, counted from its bytes here: an LF, or a CR
        // not followed by one, ends a line, as the csv parser ends records.
        let ends = |i: usize| bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
        let newlines = (0..bytes.len()).filter(|&i| ends(i)).count() as u64;
        let lines = newlines + u64::from(!bytes.is_empty() && !ends(bytes.len() - 1));
        prop_assert_eq!(r.lines.physical, lines);
        prop_assert_eq!(r.accepted, result.total.counts.respondents());
        let reject_rows = csv::Reader::from_reader(rejects.as_slice()).records().count() as u64;
        prop_assert_eq!(reject_rows, r.rejected + r.duplicates);
    }
}
