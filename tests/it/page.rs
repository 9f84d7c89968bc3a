//! The page's own words (`admin page show|set|link`) and how current each force's data is
//! (`admin review --data-to`), through the binary: every rule, every output they reach, and
//! `audit verify` after each kind of change.
use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::testenv::{bytes, TestEnv, EPOCH};

const DAY: i64 = 86_400;

fn verified(env: &TestEnv) {
    let out = env.ok(&["audit", "verify"]);
    assert!(out.contains("live tables match the log"), "{out}");
}

fn page(env: &TestEnv) -> Value {
    env.json(&["page", "show", "--json"])
}

fn site(env: &TestEnv, dir: &str) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(env.path(dir)).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        files.insert(name, std::fs::read_to_string(entry.path()).unwrap_or_default());
    }
    files
}

/// The JSON inside the page's `<script type="application/ld+json">`.
fn json_ld(index: &str) -> Value {
    let start = index.find("<script type=\"application/ld+json\">").expect("a JSON-LD script") + 35;
    let end = start + index[start..].find("</script>").unwrap();
    serde_json::from_str(&index[start..end]).expect("the JSON-LD is JSON")
}

#[test]
fn page_show_gives_the_seed_text_in_the_documented_shape() {
    let env = TestEnv::init();
    let page = page(&env);
    let keys: Vec<&String> = page.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["base_url", "contact", "heading", "intro", "licence", "links", "publisher"]);
    assert_eq!(page["heading"], "Use of Force Data");
    assert_eq!(page["intro"].as_array().unwrap().len(), 3);
    assert!(page["intro"][2].as_str().unwrap().starts_with("Below lists the use of force data links"));
    assert_eq!((&page["publisher"], &page["links"]), (&Value::Null, &json!([])));
    let text = env.ok(&["page", "show"]);
    assert!(
        text.contains("heading:    Use of Force Data") && text.contains("Introduction (3 paragraphs)"),
        "{text}"
    );
}

#[test]
fn every_field_is_set_with_one_audited_change_and_verify_passes_after_each() {
    let env = TestEnv::init();
    std::fs::write(
        env.path("intro.txt"),
        "First paragraph,\r\nstill the first.\n\n\n  Second paragraph.  \n",
    )
    .unwrap();
    let steps: [(&[&str], &str); 6] = [
        (&["page", "set", "heading", "Police use of force data", "-m", "plainer"], "set the page's heading"),
        (&["page", "set", "intro", "--file", "intro.txt"], "set the page's intro"),
        (&["page", "set", "publisher", "Home Office"], "set the page's publisher"),
        (&["page", "set", "contact", "uof@example.gov.uk"], "set the page's contact"),
        (&["page", "set", "licence", "Open Government Licence v3.0"], "set the page's licence"),
        (&["page", "set", "base-url", "https://www.example.gov.uk/use-of-force"], "set the page's base-url"),
    ];
    for (i, (args, said)) in steps.iter().enumerate() {
        let out = env.ok(args);
        assert_eq!(out.trim(), format!("{said} (change {})", 47 + i), "{args:?}");
        verified(&env);
    }
    let page = page(&env);
    assert_eq!(page["heading"], "Police use of force data");
    assert_eq!(page["intro"], json!(["First paragraph,\nstill the first.", "Second paragraph."]));
    assert_eq!(page["publisher"], "Home Office");
    assert_eq!(page["contact"], "uof@example.gov.uk");
    assert_eq!(page["licence"], "Open Government Licence v3.0");
    assert_eq!(
        page["base_url"], "https://www.example.gov.uk/use-of-force/",
        "a directory address ends with /"
    );

    let changes = env.json(&["history", "--action", "set-page", "--json"])["changes"].clone();
    assert_eq!(changes.as_array().unwrap().len(), 6);
    let heading = &changes[5];
    assert_eq!(heading["before"]["heading"], "Use of Force Data");
    assert_eq!(heading["after"]["heading"], "Police use of force data");
    assert_eq!(heading["message"], "plainer");
    let table = env.ok(&["history", "--action", "set-page"]);
    assert!(table.contains("publisher nothing to \"Home Office\""), "{table}");
    assert!(table.contains("heading \"Use of Force Data\" to \"Police use of force data\""), "{table}");

    // the same value again changes nothing and records nothing
    let out = env.ok(&["page", "set", "publisher", "  Home Office "]);
    assert!(out.contains("nothing to change"), "{out}");
    assert_eq!(env.change_count(), 52);
}

#[test]
fn an_empty_value_clears_an_optional_field_but_never_the_heading_or_introduction() {
    let env = TestEnv::init();
    env.ok(&["page", "set", "contact", "uof@example.gov.uk"]);
    assert_eq!(env.ok(&["page", "set", "contact", ""]).trim(), "cleared the page's contact (change 48)");
    assert_eq!(page(&env)["contact"], Value::Null);
    let change = &env.changes()[0];
    assert_eq!(change["after"].get("contact"), None, "an unset field is left out of the record");
    let count = env.change_count();
    for key in ["heading", "intro"] {
        let err = env.fails(&["page", "set", key, "  "], 2);
        assert!(err.contains("cannot be empty"), "{err}");
    }
    assert_eq!(env.change_count(), count);
    verified(&env);
}

#[test]
fn bad_page_text_is_refused_with_one_error_and_changes_nothing() {
    let env = TestEnv::init();
    std::fs::create_dir(env.path("adir")).unwrap();
    std::fs::write(env.path("huge.txt"), "a".repeat(1024 * 1024 + 1)).unwrap();
    std::fs::write(env.path("latin1.txt"), b"caf\xe9").unwrap();
    let long_heading = "x".repeat(201);
    let long_paragraph = "é".repeat(5001);
    let many = vec!["p"; 21].join("\n\n");
    let long_title = "t".repeat(201);
    let before = bytes(&env.db);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["page", "set", "heading", &long_heading], "201 characters long; the most is 200"),
        (vec!["page", "set", "heading", "two\nlines"], "line break"),
        (vec!["page", "set", "publisher", "Home\u{7}Office"], "control character (U+0007)"),
        (vec!["page", "set", "licence", "OGL\u{202E}"], "invisible formatting character"),
        (vec!["page", "set", "contact", "a\u{FFFF}b"], "noncharacter"),
        (
            vec!["page", "set", "intro", &long_paragraph],
            "paragraph 1 is 5001 characters long; the most is 5000",
        ),
        (vec!["page", "set", "intro", &many], "21 paragraphs; the most is 20"),
        (vec!["page", "set", "intro", "tab\there"], "control character (U+0009)"),
        (vec!["page", "set", "base-url", "http://www.example.gov.uk/"], "is not https"),
        (vec!["page", "set", "base-url", "javascript:alert(1)"], "only https is allowed"),
        (vec!["page", "set", "base-url", "https://www.example.gov.uk/?q=1"], "query or fragment"),
        (vec!["page", "set", "intro", "--file", "adir"], "is a directory"),
        (vec!["page", "set", "intro", "--file", "huge.txt"], "is over 1048576 bytes"),
        (vec!["page", "set", "intro", "--file", "latin1.txt"], "not valid UTF-8"),
        (vec!["page", "set", "intro", "--file", "missing.txt"], "cannot read `missing.txt`"),
        (vec!["page", "link", "add", &long_title, "https://www.gov.uk/"], "link title is 201 characters"),
        (vec!["page", "link", "add", "Stats", "ftp://www.gov.uk/"], "only https is allowed"),
        (vec!["page", "link", "add", " ", "https://www.gov.uk/"], "the link title is empty"),
        (vec!["page", "link", "remove", "Nothing"], "no related link titled \"Nothing\""),
    ];
    for (args, want) in cases {
        let err = env.fails(&args, 2);
        assert!(err.contains(want), "{args:?}: {err}");
    }
    // usage errors: an unknown key, a value and --file together, neither
    for args in [
        &["page", "set", "footer", "x"][..],
        &["page", "set", "heading", "x", "--file", "a"],
        &["page", "set", "heading"],
    ] {
        assert_eq!(env.run(args).code, 2, "{args:?}");
    }
    assert_eq!(bytes(&env.db), before, "nothing was written");
    verified(&env);
}

#[test]
fn the_introduction_reads_from_standard_input() {
    let env = TestEnv::init();
    let run =
        env.shell("printf 'New first.\\n\\nNew second.\\n' | $ADMIN page set intro --file - -m 'reworded'");
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(page(&env)["intro"], json!(["New first.", "New second."]));
    let run = env.shell("head -c 1048577 /dev/zero | tr '\\0' a | $ADMIN page set intro --file -");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("standard input is over"), "{}", run.stderr);
}

#[test]
fn related_links_are_added_and_removed_by_title() {
    let env = TestEnv::init();
    let stats = "https://www.gov.uk/government/collections/police-use-of-force-statistics";
    env.ok(&["page", "link", "add", "Police use of force statistics", stats]);
    env.ok(&[
        "page",
        "link",
        "add",
        "Home Office",
        "https://www.gov.uk/government/organisations/home-office",
    ]);
    assert_eq!(page(&env)["links"][0], json!({"title": "Police use of force statistics", "url": stats}));
    let err =
        env.fails(&["page", "link", "add", "POLICE USE OF FORCE STATISTICS", "https://www.gov.uk/x"], 2);
    assert!(err.contains("already has a related link") && err.contains("hint: remove it first"), "{err}");
    assert!(env
        .ok(&["page", "link", "add", "Police use of force statistics", stats])
        .contains("nothing to change"));
    let err = env.fails(&["page", "link", "remove", "Statistics"], 2);
    assert!(
        err.contains("its related links are \"Police use of force statistics\", \"Home Office\""),
        "{err}"
    );
    env.ok(&["page", "link", "remove", "home office"]);
    assert_eq!(page(&env)["links"].as_array().unwrap().len(), 1);
    let history = env.ok(&["history", "--limit", "2"]);
    assert!(history.contains("related link \"Home Office\" removed"), "{history}");
    assert!(history.contains("related link \"Home Office\" added"), "{history}");
    verified(&env);
}

#[test]
fn a_page_change_is_reverted_and_as_of_shows_the_text_as_it_was() {
    let env = TestEnv::init();
    env.set_epoch(EPOCH + DAY);
    env.ok(&["page", "set", "heading", "Use of force: the data"]); // change 47
    env.set_epoch(EPOCH + 2 * DAY);
    env.ok(&["page", "set", "publisher", "Home Office"]); // change 48
    env.set_epoch(EPOCH + 3 * DAY);
    let out = env.ok(&["revert", "47", "-m", "the old heading was better"]);
    assert!(out.contains("change 49"), "{out}");
    verified(&env);
    let now = page(&env);
    assert_eq!(now["heading"], "Use of Force Data", "the heading is back");
    assert_eq!(now["publisher"], "Home Office", "the later change to another field stays");
    let history = env.ok(&["history", "--limit", "1"]);
    assert!(history.contains("heading \"Use of force: the data\" to \"Use of Force Data\""), "{history}");

    // --as-of rebuilds the page from the log
    let then = env.json(&["page", "show", "--json", "--as-of", "2025-11-26T00:00:00Z"]);
    assert_eq!((&then["heading"], &then["publisher"]), (&json!("Use of force: the data"), &Value::Null));
    assert_eq!(then["as_of"], "2025-11-26T00:00:00Z");
    let before = env.ok(&["page", "show", "--as-of", "2025-11-24T16:00:00Z"]);
    assert!(before.contains("heading:    Use of Force Data") && before.contains("publisher:  -"), "{before}");
    env.fails(&["page", "show", "--as-of", "last week"], 2);

    // a later change to the same field blocks the revert
    env.set_epoch(EPOCH + 4 * DAY);
    env.ok(&["page", "set", "publisher", "Ministry of Justice"]);
    let err = env.fails(&["revert", "48"], 2);
    assert!(err.contains("changed the publisher since"), "{err}");
    // the starting text cannot be reverted
    let err = env.fails(&["revert", "46"], 2);
    assert!(err.contains("admin page set"), "{err}");
}

#[test]
fn page_changes_are_something_to_publish_and_the_note_says_what_changed() {
    let env = TestEnv::init();
    env.ok(&["publish"]);
    env.set_epoch(EPOCH + DAY);
    env.ok(&["page", "set", "intro", "One new paragraph."]);
    let dry = env.ok(&["publish", "--dry-run"]);
    assert!(dry.contains("note: Updated the introduction."), "{dry}");
    env.ok(&["publish"]);
    env.ok(&["page", "set", "publisher", "Home Office"]);
    env.ok(&["page", "set", "contact", "uof@example.gov.uk"]);
    let dry = env.ok(&["publish", "--dry-run"]);
    assert!(dry.contains("note: Updated the publisher and contact."), "{dry}");
    env.ok(&["page", "set", "licence", "Open Government Licence v3.0"]);
    env.ok(&["page", "link", "add", "Police use of force statistics", "https://www.gov.uk/stats"]);
    let out = env.ok(&["publish"]);
    assert!(out.contains("note: Updated the publisher, contact, licence and related links."), "{out}");
    let index = std::fs::read_to_string(env.path("publish/index.html")).unwrap();
    assert!(index.contains("<dt>From:</dt>\n<dd>Home Office</dd>"), "publisher");
    assert!(
        index.contains(
            "<dt>Contact:</dt>\n<dd><a href=\"mailto:uof@example.gov.uk\">uof@example.gov.uk</a></dd>"
        ),
        "contact"
    );
    assert!(index.contains("<dt>Licence:</dt>\n<dd>Open Government Licence v3.0</dd>"), "licence");
    assert!(index.contains("<h2 id=\"related\">Related content</h2>"), "related links");
    assert!(index.contains("<a href=\"https://www.gov.uk/stats\">Police use of force statistics</a>"));
    // a heading-only change is public too
    env.ok(&["page", "set", "heading", "Police use of force data"]);
    assert!(env.ok(&["publish"]).contains("note: Updated the heading."));
    // and no base URL: no canonical link, no structured data, no sitemap
    assert!(!index.contains("rel=\"canonical\"") && !index.contains("<script"));
    assert!(!env.path("publish/sitemap.xml").exists());
    verified(&env);
}

#[test]
fn a_base_url_gives_a_canonical_link_a_sitemap_json_ld_and_absolute_feed_links() {
    let env = TestEnv::init();
    env.ok(&[
        "add-force",
        "</script><script>alert(1)</script> & Co Police",
        "--slug",
        "hostile",
        "--url",
        "https://hostile.example.org/a?b=<c>&d",
    ]);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    env.ok(&["set-url", "dorset-police", "https://www.dorset.police.uk/uof"]);
    env.ok(&["retire-force", "dorset-police"]);
    env.ok(&["review", "kent-police", "--data-to", "2025-09"]);
    env.ok(&["page", "set", "base-url", "https://www.example.gov.uk/use-of-force/"]);
    env.ok(&["page", "set", "publisher", "Home Office"]);
    env.ok(&["publish", "--out", "site"]);
    env.set_epoch(EPOCH + DAY);
    env.ok(&["note", "add", "--public", "A caveat for everyone."]);
    env.ok(&["publish", "--out", "site"]);
    let files = site(&env, "site");
    let index = &files["index.html"];
    assert!(index.contains("<link rel=\"canonical\" href=\"https://www.example.gov.uk/use-of-force/\">"));
    assert!(!index.contains("</script><script>alert"), "the force's name cannot close the script element");

    let ld = json_ld(index);
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "DataCatalog");
    assert_eq!(ld["url"], "https://www.example.gov.uk/use-of-force/");
    assert_eq!(ld["publisher"]["name"], "Home Office");
    let datasets = ld["dataset"].as_array().unwrap();
    assert_eq!(datasets.len(), 3, "one per linked active force (retired Dorset left out)");
    assert!(datasets.iter().all(|d| d["@type"] == "Dataset"));
    let names: Vec<&str> = datasets.iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "</script><script>alert(1)</script> & Co Police: use of force data",
            "Essex Police: use of force data",
            "Kent Police: use of force data"
        ]
    );
    assert_eq!(datasets[2]["url"], "https://www.kent.police.uk/uof");
    assert_eq!(datasets[2]["temporalCoverage"], "../2025-09-30");
    assert_eq!(datasets[0]["url"], "https://hostile.example.org/a?b=%3Cc%3E&d");

    let sitemap = roxmltree::Document::parse(&files["sitemap.xml"]).expect("sitemap.xml is well-formed");
    let root = sitemap.root_element();
    assert_eq!(root.tag_name().namespace(), Some("http://www.sitemaps.org/schemas/sitemap/0.9"));
    let locs: Vec<&str> =
        root.descendants().filter(|n| n.has_tag_name("loc")).filter_map(|n| n.text()).collect();
    assert_eq!(
        locs,
        [
            "https://www.example.gov.uk/use-of-force/",
            "https://www.example.gov.uk/use-of-force/forces.json",
            "https://www.example.gov.uk/use-of-force/forces.csv",
            "https://www.example.gov.uk/use-of-force/feed.atom"
        ]
    );

    let feed = roxmltree::Document::parse(&files["feed.atom"]).expect("feed.atom is XML");
    let hrefs: Vec<&str> =
        feed.descendants().filter(|n| n.has_tag_name("link")).filter_map(|n| n.attribute("href")).collect();
    assert_eq!(hrefs.len(), 4, "the feed's two links and one per entry");
    assert!(hrefs.iter().all(|h| h.starts_with("https://www.example.gov.uk/use-of-force/")), "{hrefs:?}");
    assert!(hrefs.contains(&"https://www.example.gov.uk/use-of-force/feed.atom"));
    let entries: Vec<_> = feed.descendants().filter(|n| n.has_tag_name("entry")).collect();
    let child = |entry: &roxmltree::Node, name: &str| {
        entry.children().find(|c| c.has_tag_name(name)).and_then(|c| c.text()).unwrap_or_default().to_owned()
    };
    assert_eq!(child(&entries[0], "title"), "Update 2 of 25 November 2025, 16:00 UTC");
    assert_eq!(child(&entries[0], "summary"), "Added a note on the data as a whole.");
    for entry in &entries {
        assert!(child(entry, "title").len() <= 50 && child(entry, "title") != child(entry, "summary"));
        assert!(child(entry, "id").starts_with("urn:uuid:"));
    }
    assert_eq!(
        feed.descendants()
            .find(|n| n.has_tag_name("author"))
            .and_then(|a| a.first_element_child())
            .and_then(|n| n.text()),
        Some("Home Office")
    );

    // a past publication re-renders byte for byte, sitemap and all
    env.ok(&["publish", "--from-publication", "1", "--out", "first"]);
    assert!(env.path("first/sitemap.xml").exists());

    // the manifest owns the sitemap: clearing the base URL removes it with the next publication
    env.ok(&["page", "set", "base-url", ""]);
    env.ok(&["publish", "--out", "site"]);
    assert!(!env.path("site/sitemap.xml").exists());
    let index = std::fs::read_to_string(env.path("site/index.html")).unwrap();
    assert!(!index.contains("canonical") && !index.contains("<script"));
    verified(&env);
}

#[test]
fn review_data_to_shows_in_lists_show_the_site_and_status() {
    let env = TestEnv::init(); // the clock: 24 November 2025
    let out = env.ok(&["review", "kent-police", "--data-to", "2025-09", "-m", "Q2 figures up"]);
    assert_eq!(out.trim(), "recorded a review of kent-police, its data up to 2025-09-30 (change 47)");
    verified(&env);
    env.ok(&["review", "essex-police", "--data-to", "2025-06-15"]);
    env.ok(&["review", "essex-police"]); // a later review that does not say keeps the date
    env.ok(&["review", "dorset-police", "--data-to", "2024-02"]);
    verified(&env);

    let change = &env.json(&["history", "--force", "essex-police", "--json"])["changes"][0];
    assert_eq!(
        change["after"],
        json!({"force": "essex-police", "at": "2025-11-24T16:00:00Z"}),
        "no data_to key"
    );
    assert!(env.ok(&["history", "--force", "kent-police"]).contains("reviewed; data up to 2025-09-30"));

    let list = env.json(&["list", "--json"]);
    let data_to = |slug: &str| {
        list["forces"].as_array().unwrap().iter().find(|f| f["slug"] == slug).unwrap()["data_to"].clone()
    };
    assert_eq!(data_to("kent-police"), "2025-09-30");
    assert_eq!(data_to("essex-police"), "2025-06-15");
    assert_eq!(data_to("dorset-police"), "2024-02-29");
    assert_eq!(data_to("cumbria-constabulary"), Value::Null);
    let shown = env.json(&["show", "kent-police", "--json"]);
    assert_eq!(shown["force"]["data_to"], "2025-09-30");
    assert_eq!(shown["reviews"][0]["data_to"], "2025-09-30");
    let text = env.ok(&["show", "kent-police"]);
    assert!(text.contains("  data up to:    2025-09-30\n"), "{text}");
    assert!(text.contains("by alice, data up to 2025-09-30: Q2 figures up"), "{text}");
    assert_eq!(
        env.json(&["list", "--json", "--as-of", "2025-11-25"])["forces"],
        list["forces"],
        "replayed alike"
    );

    // status: data ending over 183 days ago (before 25 May 2025) is stale; none recorded is not
    let status = env.json(&["status", "--json"]);
    let stale: Vec<&str> =
        status["stale_data"].as_array().unwrap().iter().map(|s| s["slug"].as_str().unwrap()).collect();
    assert_eq!(stale, ["dorset-police"]);
    let text = env.ok(&["status"]);
    assert!(
        text.contains("Stale data:   1") && text.contains("Dorset Police (data up to 2024-02-29)"),
        "{text}"
    );
    env.set_epoch(EPOCH + 30 * DAY);
    let status = env.json(&["status", "--json"]);
    assert_eq!(status["stale_data"].as_array().unwrap().len(), 2, "a month on, Essex's June data is too old");

    env.ok(&["publish"]);
    let files = site(&env, "publish");
    let json: Value = serde_json::from_str(&files["forces.json"]).unwrap();
    let kent = json["forces"].as_array().unwrap().iter().find(|f| f["slug"] == "kent-police").unwrap();
    assert_eq!(kent["data_to"], "2025-09-30");
    let cumbria =
        json["forces"].as_array().unwrap().iter().find(|f| f["slug"] == "cumbria-constabulary").unwrap();
    assert_eq!(cumbria["data_to"], Value::Null);
    let mut csv = csv::Reader::from_reader(files["forces.csv"].as_bytes());
    assert_eq!(csv.headers().unwrap().iter().next_back(), Some("data_to"));
    let kent_row = csv.records().map(Result::unwrap).find(|r| &r[0] == "kent-police").unwrap();
    assert_eq!(&kent_row[4], "2025-09-30");
    let index = &files["index.html"];
    assert!(index.contains("Data up to <time datetime=\"2025-09-30\">September 2025</time>"));
    assert!(index.contains("Data up to <time datetime=\"2025-06-15\">15 June 2025</time>"));

    // a new data_to is something to publish
    env.ok(&["review", "kent-police", "--data-to", "2025-10"]);
    let dry = env.ok(&["publish", "--dry-run"]);
    assert!(dry.contains("note: Updated how current the data is for Kent Police."), "{dry}");
}

#[test]
fn bad_data_to_dates_are_refused_and_record_nothing() {
    let env = TestEnv::init(); // 24 November 2025
    let before = bytes(&env.db);
    for (date, want) in [
        ("2025-11", "after today"),
        ("2025-11-25", "after today"),
        ("2031-01-01", "after today"),
        ("2025-13", "there is no month 13"),
        ("2025-02-30", "February 2025 has 28 days"),
        ("September 2025", "not understood"),
        ("1999-12", "before 2000"),
        ("", "not understood"),
    ] {
        let err = env.fails(&["review", "kent-police", "--data-to", date], 2);
        assert!(err.contains(want), "{date}: {err}");
    }
    env.fails(&["review", "no-such-force", "--data-to", "2025-09"], 2);
    assert_eq!(bytes(&env.db), before);
    env.ok(&["review", "kent-police", "--data-to", "2025-11-24"]);
}

#[test]
fn verify_names_a_page_field_or_data_to_changed_behind_the_tools_back() {
    let env = TestEnv::init();
    env.ok(&["page", "set", "publisher", "Home Office"]);
    env.ok(&["review", "kent-police", "--data-to", "2025-09"]);
    verified(&env);
    env.sql().execute("UPDATE reviews SET data_to = '2025-10-31'", []).unwrap();
    let err = env.fails(&["audit", "verify"], 1);
    assert!(err.contains("table reviews, review 48, field data_to"), "{err}");
    env.fails(&["publish"], 1);
    env.sql().execute("UPDATE reviews SET data_to = '2025-09-30'", []).unwrap();
    verified(&env);
    env.sql().execute("UPDATE page SET value = 'Someone else' WHERE key = 'publisher'", []).unwrap();
    let err = env.fails(&["audit", "verify"], 1);
    assert!(err.contains("table page") && err.contains("field publisher"), "{err}");
    let err = env.fails(&["publish"], 1);
    assert!(err.contains("do not match the audit log"), "{err}");
}
