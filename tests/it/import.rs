//! Spreadsheets as people have them (SPEC section 16): `.xlsx`, `.ods`, and CSV with `,` `;` or
//! tab, headers in any case with the usual synonyms; `&` and `and` one name; every problem of a
//! file named at once, with the file and the right line; the site's own files import back.
use std::io::Write;

use crate::testenv::{bytes, TestEnv};

fn write(env: &TestEnv, name: &str, body: impl AsRef<[u8]>) -> String {
    std::fs::write(env.path(name), body).unwrap();
    name.to_owned()
}

fn url_of(env: &TestEnv, slug: &str) -> serde_json::Value {
    env.json(&["show", slug, "--json"])["force"]["url"].clone()
}

/// An `.xlsx` written by a spreadsheet library: one sheet, `rows` of text from A1.
pub fn xlsx(rows: &[&[&str]], more: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Forces").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    more(sheet);
    book.save_to_buffer().unwrap()
}

/// A minimal `.ods` (OpenDocument spreadsheet): the `mimetype` member first and stored, then
/// `content.xml` holding `table` (the rows of one `table:table`).
pub fn ods(table: &str) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    zip.start_file("META-INF/manifest.xml", SimpleFileOptions::default()).unwrap();
    zip.write_all(
        br#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
    )
    .unwrap();
    zip.start_file("content.xml", SimpleFileOptions::default()).unwrap();
    write!(
        zip,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Forces">{table}</table:table></office:spreadsheet></office:body></office:document-content>"#
    )
    .unwrap();
    zip.finish().unwrap().into_inner()
}

/// An `.ods` row of text cells.
pub fn ods_row(cells: &[&str]) -> String {
    let cells: String = cells
        .iter()
        .map(|c| {
            let c = c.replace('&', "&amp;").replace('<', "&lt;");
            format!(r#"<table:table-cell office:value-type="string"><text:p>{c}</text:p></table:table-cell>"#)
        })
        .collect();
    format!("<table:table-row>{cells}</table:table-row>")
}

#[test]
fn headers_in_any_case_with_their_synonyms_and_any_separator_are_read() {
    let env = TestEnv::init();
    let cases = [
        // the issue's headers
        (
            "force.csv",
            "Force,URL\nKent Police,https://kent.example.org/\n",
            "kent-police",
            "https://kent.example.org/",
        ),
        (
            "name.csv",
            "Name,URL\nEssex Police,https://essex.example.org/\n",
            "essex-police",
            "https://essex.example.org/",
        ),
        // `;` (a spreadsheet saved where `,` is the decimal point), a BOM, CRLF, spaces about headers
        (
            "semi.csv",
            "\u{feff} Force Name ; Web  Address \r\nGwent Police;https://gwent.example.org/\r\n",
            "gwent-police",
            "https://gwent.example.org/",
        ),
        (
            "tab.tsv",
            "SLUG\tlink\tStatus\ndorset-police\thttps://dorset.example.org/\tActive\n",
            "dorset-police",
            "https://dorset.example.org/",
        ),
        (
            "data.csv",
            "police_force,data-url\nCleveland Police,https://cleveland.example.org/\n",
            "cleveland-police",
            "https://cleveland.example.org/",
        ),
        (
            "website.txt",
            "Force;Website\nDurham Constabulary;https://durham.example.org/\n",
            "durham-constabulary",
            "https://durham.example.org/",
        ),
    ];
    for (file, body, slug, url) in cases {
        let out = env.ok(&["import", &write(&env, file, body)]);
        assert!(out.starts_with(&format!("changed {slug}: URL set to {url}")), "{file}: {out}");
        assert_eq!(url_of(&env, slug), url, "{file}");
    }
    // still strict: a column it does not know is refused by name, with the names it knows
    let err = env
        .fails(&["import", &write(&env, "x.csv", "Force;Homepage URL\nKent Police;https://k.example/\n")], 2);
    assert!(
        err.starts_with(
            "error: `x.csv` line 1: unknown column \"Homepage URL\"; the columns are slug; name (or force"
        ),
        "{err}"
    );
    // a file of `name;url` once read as one column "name;url"
    let out =
        env.ok(&["import", &write(&env, "old.csv", "name;url\nKent Police;https://kent.example.org/2\n")]);
    assert!(out.starts_with("changed kent-police"), "{out}");
}

#[test]
fn an_ampersand_and_the_word_and_make_one_name() {
    let env = TestEnv::init();
    // the seed spells one force with `and`, another with `&`: each is found spelt the other way
    let file = write(
        &env,
        "amp.csv",
        "Force,URL\nAvon & Somerset Constabulary,https://avon.example.org/\nDevon and Cornwall Police,https://devon.example.org/\n",
    );
    let out = env.ok(&["import", &file]);
    assert!(
        out.contains("changed avon-and-somerset-constabulary: URL set to https://avon.example.org/"),
        "{out}"
    );
    assert!(
        out.contains("changed devon-and-cornwall-police: URL set to https://devon.example.org/"),
        "{out}"
    );
    let avon = env.json(&["show", "avon-and-somerset-constabulary", "--json"]);
    assert_eq!(avon["force"]["name"], "Avon and Somerset Constabulary", "found by name, never renamed");
    // within one file, the two spellings are one name
    let db = bytes(&env.db);
    let file =
        write(&env, "twice.csv", "slug,name\nnew-a,Hants & Dorset Police\nnew-b,Hants and Dorset Police\n");
    let err = env.fails(&["import", &file], 2);
    assert!(
        err.contains("`twice.csv` line 3: the name \"Hants and Dorset Police\" is also on line 2, as \"Hants & Dorset Police\""),
        "{err}"
    );
    assert_eq!(bytes(&env.db), db);
}

#[test]
fn every_problem_of_a_file_is_named_at_once_with_the_file_and_its_line() {
    let env = TestEnv::init();
    let db = bytes(&env.db);
    // CRLF line ends and a quoted cell over two lines: lines are counted as an editor shows them
    let body = "slug,name,url,status\r\n\
                kent-police,Kent Police,https://kent.example.org/,active\r\n\
                essex-police,\"Essex\r\nPolice\",,active\r\n\
                gwent-police,Gwent Police,javascript:alert(1),active\r\n\
                dorset-police,Dorset Police,,deleted\r\n\
                new-force,,https://new.example.org/,active\r\n";
    let run = env.run(&["import", &write(&env, "forces.csv", body)]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "error: `forces.csv` line 3: the force name \"Essex\\r\\nPolice\" contains a control character (U+000D)\n\
         error: `forces.csv` line 5: the URL \"javascript:alert(1)\" uses the \"javascript\" scheme; only https is allowed\n\
         hint: give the force's web address, starting https://\n\
         error: `forces.csv` line 6: the status \"deleted\" is neither active nor retired\n\
         error: `forces.csv` line 7: the force name is empty\n\
         hint: give the force's full name, e.g. \"Kent Police\"\n\
         error: 4 problems in `forces.csv`; nothing was imported\n\
         hint: fix each line named above, then import the file again\n"
    );
    assert_eq!(bytes(&env.db), db, "nothing changed, not even Kent's good row");

    // the problems the database finds (a name that is no force's) come with the file's own,
    // in line order, each naming the file
    let body = "Name,URL\nDorest Police,https://x.example.org/\nKent Police,http://kent.example.org/\nNowhere Constabulary,https://y.example.org/\n";
    let run = env.run(&["import", &write(&env, "links.csv", body)]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let lines: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(lines.len(), 4, "{}", run.stderr);
    assert_eq!(lines[0], "error: `links.csv` line 2: no force \"Dorest Police\"");
    assert!(run.stderr.contains("hint: did you mean `dorset-police` (Dorset Police)?"), "{}", run.stderr);
    assert!(lines[1].starts_with("error: `links.csv` line 3: the URL"), "{}", run.stderr);
    assert!(run.stderr.contains("--allow-http"), "{}", run.stderr);
    assert_eq!(lines[2], "error: `links.csv` line 4: no force \"Nowhere Constabulary\"");
    assert_eq!(lines[3], "error: 3 problems in `links.csv`; nothing was imported");
    assert_eq!(bytes(&env.db), db);

    // one problem is one error line, as before, and names the file
    let err = env
        .fails(&["import", &write(&env, "one.csv", "name,url\nDorest Police,https://x.example.org/\n")], 2);
    assert_eq!(err, "error: `one.csv` line 2: no force \"Dorest Police\"\nhint: did you mean `dorset-police` (Dorset Police)?\n");
    // JSON records are named by number, every one
    let json = r#"{"forces": [{"slug": "kent-police", "url": "ftp://x"}, {"slug": "essex-police"}, {"slug": "Bad Slug"}]}"#;
    let run = env.run(&["import", &write(&env, "f.json", json)]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("error: `f.json` record 1: "), "{}", run.stderr);
    assert!(run.stderr.contains("error: `f.json` record 3: "), "{}", run.stderr);
    assert!(run.stderr.contains("error: 2 problems in `f.json`"), "{}", run.stderr);
    // a CSV line with more cells than the header has columns
    let err = env.fails(&["import", &write(&env, "wide.csv", "slug,url\r\nkent-police,,x\r\n")], 2);
    assert!(err.contains("`wide.csv` line 2: 3 cells, but the header names 2 columns"), "{err}");
    assert_eq!(bytes(&env.db), db);
}

#[test]
fn the_sites_own_forces_csv_and_forces_json_import_back_unchanged() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&[
        "add-force",
        "=Formula & Friends Constabulary",
        "--slug",
        "formula-friends",
        "--url",
        "https://ff.example.org/",
    ]);
    env.ok(&["note", "add", "--force", "kent-police", "--public", "two lines,\nwith a comma"]);
    env.ok(&["publish", "--out", "site"]);
    let count = env.change_count();
    for file in ["site/forces.csv", "site/forces.json"] {
        let out = env.ok(&["import", file]);
        assert_eq!(
            out,
            format!(
                "nothing to change: the forces in `{file}` already match the database\n\
                 status not in the file: left as it is for every force\n\
                 notes, data_to in the file: read, not imported (import changes slug, name, url and status)\n"
            )
        );
        assert_eq!(env.change_count(), count, "{file} changed something");
    }
    // into a fresh database, each makes the same directory
    let want = env.ok(&["export"]);
    for file in ["forces.csv", "forces.json"] {
        let fresh = TestEnv::init();
        std::fs::copy(env.path(&format!("site/{file}")), fresh.path(file)).unwrap();
        let out = fresh.ok(&["import", file]);
        assert!(out.contains("imported `"), "{out}");
        assert_eq!(fresh.ok(&["export"]), want, "{file}");
        assert!(fresh.ok(&["audit", "verify"]).contains("live tables match the log"));
    }
}

#[test]
fn an_xlsx_written_by_a_spreadsheet_library_is_read() {
    let env = TestEnv::init();
    let book = xlsx(
        &[
            &["Force", "Web address"],
            &["Kent Police", "https://kent.example.org/"],
            &["Avon & Somerset Constabulary", "https://avon.example.org/"],
        ],
        |_| {},
    );
    // known by its content, not its name
    let out = env.ok(&["import", &write(&env, "links.dat", &book)]);
    assert!(
        out.starts_with(
            "changed kent-police: URL set to https://kent.example.org/ (change 47)\n\
         changed avon-and-somerset-constabulary: URL set to https://avon.example.org/ (change 48)\n\
         imported `links.dat`: 2 forces changed\n"
        ),
        "{out}"
    );
    assert_eq!(url_of(&env, "avon-and-somerset-constabulary"), "https://avon.example.org/");

    // its problems are named by row, all at once
    let db = bytes(&env.db);
    let book =
        xlsx(&[&["slug", "url", "status"], &["kent-police", "javascript:alert(1)", "active"]], |sheet| {
            sheet.write_string(2, 0, "essex-police").unwrap();
            sheet.write_formula(2, 1, "=HYPERLINK(\"https://evil.example/\",\"Click\")").unwrap();
            sheet.write_string(3, 0, "gwent-police").unwrap();
            sheet.write_number(3, 2, 5).unwrap();
            let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 3, 31).unwrap();
            let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
            sheet.write_string(5, 0, "dorset-police").unwrap();
            sheet.write_datetime_with_format(5, 1, &date, &format).unwrap();
        });
    let run = env.run(&["import", &write(&env, "book.xlsx", &book)]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let errors: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert!(
        errors[0].starts_with("error: `book.xlsx` row 2: the URL \"javascript:alert(1)\""),
        "{}",
        run.stderr
    );
    assert_eq!(
        errors[1],
        "error: `book.xlsx` row 3: the url is a formula (\"=HYPERLINK(\\\"https://evil.example/\\\",\\\"Click\\\")\"); import reads values, not formulas"
    );
    assert_eq!(errors[2], "error: `book.xlsx` row 4: the status is a number (5), not text");
    assert!(errors[3].starts_with("error: `book.xlsx` row 6: the url is a date or time ("), "{}", run.stderr);
    assert_eq!(errors[4], "error: 4 problems in `book.xlsx`; nothing was imported");
    assert_eq!(bytes(&env.db), db);
}

#[test]
fn an_ods_is_read() {
    let env = TestEnv::init();
    let table = [
        ods_row(&["Name", "Link"]),
        ods_row(&["Gwent Police", "https://gwent.example.org/"]),
        // LibreOffice's own way of ending a sheet: a million empty rows, a thousand empty cells
        r#"<table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#.to_owned(),
    ]
    .concat();
    let out = env.ok(&["import", &write(&env, "links.ods", ods(&table))]);
    assert!(out.starts_with("changed gwent-police: URL set to https://gwent.example.org/"), "{out}");
    assert_eq!(url_of(&env, "gwent-police"), "https://gwent.example.org/");
    // a whitespace-only URL is refused as `set-url` refuses it
    let table = [ods_row(&["Name", "Link"]), ods_row(&["Gwent Police", "\u{a0}"])].concat();
    let err = env.fails(&["import", &write(&env, "space.ods", ods(&table))], 2);
    assert!(err.contains("`space.ods` row 2: the URL is only white space (U+00A0)"), "{err}");
}

/// The issue's example: a sheet naming `Met` or `PSNI` was refused as "no force", though `admin
/// show met` knows them. The common short names name their force; a prefix or a single word
/// does not (a bulk change takes only what is explicit), and gets a did-you-mean.
#[test]
fn common_short_names_name_their_force_and_prefixes_get_a_did_you_mean() {
    let env = TestEnv::init();
    let file = write(
        &env,
        "short.csv",
        "Force,URL\nMet,https://met.example.org/\nPSNI,https://psni.example.org/\nbtp,https://btp.example.org/\n",
    );
    let out = env.ok(&["import", &file]);
    assert!(out.contains("changed metropolitan-police-service: "), "{out}");
    assert!(out.contains("changed police-service-of-northern-ireland: "), "{out}");
    assert_eq!(url_of(&env, "metropolitan-police-service"), "https://met.example.org/");
    assert_eq!(url_of(&env, "police-service-of-northern-ireland"), "https://psni.example.org/");
    assert_eq!(url_of(&env, "british-transport-police"), "https://btp.example.org/");
    let db = bytes(&env.db);
    for (name, wants) in [
        // a prefix and a word: `admin show` takes them, import suggests them
        ("Kent", "hint: did you mean `kent-police` (Kent Police)?"),
        ("Yorkshire", "hint: did you mean one of `"),
        // a slip: the tool's own did-you-mean
        ("Kent Polise", "hint: did you mean `kent-police` (Kent Police)?"),
        ("Metropolitan Polce Service", "hint: did you mean `metropolitan-police-service`"),
    ] {
        let file = write(&env, "unknown.csv", format!("name,url\n{name},https://x.example.org/\n"));
        let err = env.fails(&["import", &file], 2);
        assert!(err.contains(&format!("line 2: no force \"{name}\"")), "{name}: {err}");
        assert!(err.contains(wants), "{name}: {err}");
        assert_eq!(bytes(&env.db), db, "{name} changed the database");
    }
}

/// The issue's example: re-importing the site's own `forces.csv` over unpublished changes set
/// the URLs back to the published ones without a word. It still does (that is restoring a
/// publication), but a warning names what it undoes.
#[test]
fn a_published_site_file_imported_over_unpublished_changes_says_what_it_undoes() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["publish", "--out", "site"]);
    // nothing pending: no warning
    for file in ["site/forces.csv", "site/forces.json"] {
        let run = env.run(&["import", file]);
        assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{file}");
    }
    env.ok(&["set-url", "kent-police", "https://kent.example.org/new"]);
    env.ok(&["set-url", "essex-police", "https://essex.example.org/"]);
    let ids: Vec<i64> = env.json(&["history", "--json", "--limit", "2"])["changes"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["id"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(ids.len(), 2, "{ids:?}");
    for file in ["site/forces.csv", "site/forces.json"] {
        let run = env.run(&["import", file, "--dry-run"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stderr.starts_with(&format!(
                "warning: `{file}` is a published site file: importing it would undo 2 unpublished changes"
            )),
            "{file}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("to essex-police, kent-police\n"), "{}", run.stderr);
        for id in &ids {
            assert!(run.stderr.contains(&id.to_string()), "{id}: {}", run.stderr);
        }
        assert!(run.stdout.contains("would change kent-police: "), "{}", run.stdout);
    }
    // an export is no site file: the same change, no warning
    env.ok(&["set-url", "kent-police", "https://kent.example.org/newer"]);
    let export = write(&env, "export.csv", env.ok(&["export", "--format", "csv"]));
    env.ok(&["set-url", "kent-police", "https://kent.example.org/newest"]);
    let run = env.run(&["import", &export, "--dry-run"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{}", run.stdout);
    // the import itself: warned, and done
    let run = env.run(&["import", "site/forces.csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("is a published site file: importing it undoes 4 unpublished changes"),
        "{}",
        run.stderr
    );
    assert_eq!(url_of(&env, "kent-police"), "https://www.kent.police.uk/uof");
    assert_eq!(url_of(&env, "essex-police"), serde_json::Value::Null);
}
