//! `transfer::parse` on arbitrary bytes as JSON, as CSV and sniffed: never panics; a file it
//! accepts whole (every record gives every field) exports (JSON and CSV) to files that parse
//! back to the same records. A record that leaves fields out keeps its slug and what it gave.
#![no_main]
use admin::transfer::{parse, to_csv, to_json, Format, Record};
use libfuzzer_sys::fuzz_target;

fn records(bytes: &[u8], format: Option<Format>) -> Vec<Record> {
    let parsed = parse(bytes, format, true).unwrap_or_else(|e| panic!("an export does not import: {e:#}"));
    parsed.entries.iter().map(|e| e.complete().expect("an export gives every field")).collect()
}

fuzz_target!(|data: &[u8]| {
    for format in [None, Some(Format::Json), Some(Format::Csv)] {
        let Ok(parsed) = parse(data, format, true) else { continue };
        let Some(complete) = parsed.entries.iter().map(|e| e.complete()).collect::<Option<Vec<_>>>() else {
            continue;
        };
        let json = to_json(&complete).expect("export as JSON");
        assert_eq!(records(&json, None), complete, "JSON round trip");
        assert_eq!(records(&json, Some(Format::Json)), complete);
        let csv = to_csv(&complete).expect("export as CSV");
        assert_eq!(records(&csv, None), complete, "CSV round trip");
    }
});
