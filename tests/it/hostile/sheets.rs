//! Hostile spreadsheets: an archive that unpacks to gigabytes, a sheet whose repeated rows spread
//! over billions of cells, formulas, `javascript:` URLs and NUL bytes in cells, an empty sheet, a
//! zip that is no spreadsheet. Each is refused (exit 2) with one `error:` line naming the file,
//! in bounded time and memory, and nothing changes.
use std::io::Write;

use super::refused;
use crate::import::{ods, ods_row, xlsx};
use crate::testenv::TestEnv;

fn file(env: &TestEnv, name: &str, body: &[u8]) -> String {
    std::fs::write(env.path(name), body).unwrap();
    name.to_owned()
}

#[test]
fn an_archive_that_unpacks_past_the_limit_is_refused_before_it_is_read() {
    let env = TestEnv::init();
    // a real workbook, with a member of 80 MiB of spaces: about 80 KB packed
    let book = xlsx(&[&["name", "url"], &["Kent Police", "https://kent.example.org/"]], |_| {});
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        out.raw_copy_file(archive.by_index(i).unwrap()).unwrap();
    }
    let options = zip::write::SimpleFileOptions::default().compression_level(Some(1)).large_file(true);
    out.start_file("xl/media/padding.bin", options).unwrap();
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..80 {
        out.write_all(&chunk).unwrap();
    }
    let bomb = out.finish().unwrap().into_inner();
    assert!(bomb.len() < 2 << 20, "{} bytes", bomb.len());
    let err = refused(&env, &["import", &file(&env, "bomb.xlsx", &bomb)]);
    assert!(
        err.starts_with("error: `bomb.xlsx` unpacks to more than 67108864 bytes, the most an import unpacks"),
        "{err}"
    );
}

#[test]
fn an_ods_whose_repeated_rows_spread_too_far_is_refused() {
    let env = TestEnv::init();
    // a filled row repeated a million times, 16,384 columns wide: 17 billion cells, in 1 KB
    let table = [
        ods_row(&["name", "url"]),
        r#"<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>"#.to_owned(),
    ]
    .concat();
    let err = refused(&env, &["import", &file(&env, "wide.ods", &ods(&table))]);
    assert!(err.contains("`wide.ods` has sheets that spread over more than 1000000 cells"), "{err}");
}

#[test]
fn formulas_scripts_nul_bytes_and_odd_cells_are_refused_by_row() {
    let env = TestEnv::init();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "dde.xlsx",
            xlsx(&[&["name", "url"]], |s| {
                s.write_string(1, 0, "Kent Police").unwrap();
                s.write_formula(1, 1, "=cmd|' /C calc'!A0").unwrap();
            }),
            "row 2: the url is a formula",
        ),
        (
            "js.xlsx",
            xlsx(&[&["name", "url"], &["Kent Police", "javascript:alert(document.cookie)"]], |_| {}),
            "row 2: the URL \"javascript:alert(document.cookie)\" uses the \"javascript\" scheme",
        ),
        ("nul.xlsx", xlsx(&[&["name", "url"], &["Kent\0Police", "https://k.example.org/"]], |_| {}), "row 2: "),
        (
            "script.ods",
            ods(&[ods_row(&["slug", "name"]), ods_row(&["kent-police", "Kent <script>\u{202E}"])].concat()),
            "row 2: ",
        ),
        (
            "number.ods",
            ods(&[
                ods_row(&["name", "url"]),
                r#"<table:table-row><table:table-cell office:value-type="float" office:value="42"><text:p>42</text:p></table:table-cell><table:table-cell office:value-type="date" office:date-value="2025-03-31"><text:p>31/03/2025</text:p></table:table-cell></table:table-row>"#.to_owned(),
            ]
            .concat()),
            "row 2: the name is a number (42), not text",
        ),
        (
            "formula.ods",
            ods(&[
                ods_row(&["name", "url"]),
                r#"<table:table-row><table:table-cell office:value-type="string"><text:p>Kent Police</text:p></table:table-cell><table:table-cell table:formula="of:=HYPERLINK(&quot;https://evil.example/&quot;)" office:value-type="string"><text:p>https://evil.example/</text:p></table:table-cell></table:table-row>"#.to_owned(),
            ]
            .concat()),
            "row 2: the url is a formula (\"=HYPERLINK(",
        ),
        ("empty.xlsx", xlsx(&[], |_| {}), "`empty.xlsx` has nothing in its first sheet (\"Forces\")"),
        ("empty.ods", ods(""), "`empty.ods` has nothing in its first sheet (\"Forces\")"),
        ("header-only.xlsx", xlsx(&[&["Name", "URL", "Fax"]], |_| {}), "row 1: unknown column \"Fax\""),
        ("other.zip", {
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            zip.start_file("readme.txt", zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(b"hello").unwrap();
            zip.finish().unwrap().into_inner()
        }, "`other.zip` is a zip archive, but not an .xlsx or .ods spreadsheet"),
        ("torn.xlsx", xlsx(&[&["name"]], |_| {})[..300].to_vec(), "`torn.xlsx` is not a readable zip archive"),
    ];
    for (name, body, wants) in cases {
        let err = refused(&env, &["import", &file(&env, name, &body)]);
        assert!(err.contains(wants), "{name}: {err}");
        assert!(err.contains(&format!("`{name}`")), "{name}: the error names the file: {err}");
    }
    // a directory named like a spreadsheet
    std::fs::create_dir(env.path("dir.xlsx")).unwrap();
    assert!(refused(&env, &["import", "dir.xlsx"]).contains("`dir.xlsx` is a directory"));
}

#[test]
fn cells_far_to_the_right_make_no_wide_rows() {
    let env = TestEnv::init();
    // a header and rows that each reach the sheet's last column (XFD): laid out whole, 16,384
    // cells a row; a row's cell past the header's columns is its problem
    let book = xlsx(&[&["name", "url"], &["Kent Police", "https://kent.example.org/"]], |s| {
        for r in 1..2000 {
            s.write_string(r, 16_383, "x").unwrap();
        }
    });
    let run = env.run(&["import", &file(&env, "far.xlsx", &book)]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: `far.xlsx` row 2: a cell right of the 2 columns the header names\n"),
        "{}",
        run.stderr.lines().next().unwrap_or_default()
    );
    assert!(
        run.stderr.contains("error: 1999 problems in `far.xlsx`; nothing was imported"),
        "{}",
        run.stderr.lines().last().unwrap_or_default()
    );
}

/// An `.xlsx` as some writers make it: its text without `xml:space="preserve"`, so that a reader
/// keeps none of a cell's leading and trailing spaces.
fn without_preserve(book: Vec<u8>) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).unwrap();
        let name = member.name().unwrap().to_string();
        let mut body = String::new();
        std::io::Read::read_to_string(&mut member, &mut body).unwrap();
        out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(body.replace(" xml:space=\"preserve\"", "").as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The issue's example (a URL cell of spaces in an .xlsx removed the link, while the same as CSV
/// or .ods was refused) and its class: each white-space-only cell, and an empty one, has one
/// outcome in every format import reads.
#[test]
fn a_url_cell_of_white_space_has_one_outcome_in_every_format() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    let db = crate::testenv::bytes(&env.db);
    for cell in ["   ", " ", "\t", "\u{A0}", "\u{3000}", " \u{A0}\t", ""] {
        let sheet = |s: &mut rust_xlsxwriter::Worksheet| {
            s.write_string(1, 0, "Kent Police").unwrap();
            // an empty cell is no cell, as a spreadsheet keeps it
            if !cell.is_empty() {
                s.write_string(1, 1, cell).unwrap();
            }
        };
        let ods_url = if cell.is_empty() {
            "<table:table-cell/>".to_owned()
        } else {
            format!(
                r#"<table:table-cell office:value-type="string"><text:p>{cell}</text:p></table:table-cell>"#
            )
        };
        const KENT: &str =
            r#"<table:table-cell office:value-type="string"><text:p>Kent Police</text:p></table:table-cell>"#;
        let json = serde_json::json!({"forces": [{"name": "Kent Police", "url": cell}]}).to_string();
        let files: Vec<(&str, Vec<u8>)> = vec![
            ("w.csv", format!("name,url\nKent Police,{cell}\n").into_bytes()),
            // a tab in a TSV cell is quoted, or it is a separator
            ("w.tsv", format!("name\turl\nKent Police\t\"{cell}\"\n").into_bytes()),
            ("w.json", json.into_bytes()),
            ("w.xlsx", xlsx(&[&["name", "url"]], sheet)),
            ("w-plain.xlsx", without_preserve(xlsx(&[&["name", "url"]], sheet))),
            (
                "w.ods",
                ods(&[
                    ods_row(&["name", "url"]),
                    format!("<table:table-row>{KENT}{ods_url}</table:table-row>"),
                ]
                .concat()),
            ),
        ];
        let mut outcomes = Vec::new();
        for (name, body) in files {
            let run = env.run(&["import", &file(&env, name, &body), "--dry-run"]);
            let outcome = match run.code {
                0 if run.stdout.contains("would change kent-police: URL removed") => "removes the URL",
                2 if run.stderr.contains("the URL is only white space (") => "refused as white space",
                _ => "something else",
            };
            assert_eq!(crate::testenv::bytes(&env.db), db, "{name} {cell:?} changed the database");
            outcomes.push((name, outcome, run.stdout + &run.stderr));
        }
        let wants = if cell.is_empty() { "removes the URL" } else { "refused as white space" };
        for (name, outcome, output) in &outcomes {
            assert_eq!(*outcome, wants, "{name} with a URL cell {cell:?}:\n{output}");
        }
    }
    assert_eq!(
        env.json(&["show", "kent-police", "--json"])["force"]["url"],
        "https://www.kent.police.uk/uof"
    );
}
