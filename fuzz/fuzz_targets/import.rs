//! `transfer::parse` on arbitrary bytes as JSON, as CSV and sniffed: never panics; a file it
//! accepts exports (JSON and CSV) to files that parse back to the same records.
#![no_main]
use admin::transfer::{parse, to_csv, to_json, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for format in [None, Some(Format::Json), Some(Format::Csv)] {
        let Ok(records) = parse(data, format) else { continue };
        let json = to_json(&records).expect("export as JSON");
        assert_eq!(parse(&json, None).expect("the JSON export imports"), records, "JSON round trip");
        assert_eq!(parse(&json, Some(Format::Json)).expect("the JSON export imports"), records);
        let csv = to_csv(&records).expect("export as CSV");
        let back = parse(&csv, None).unwrap_or_else(|e| panic!("the CSV export does not import: {e:#}"));
        assert_eq!(back, records, "CSV round trip");
    }
});
