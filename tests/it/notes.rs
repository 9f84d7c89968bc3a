//! Review notes and reviews: internal unless public, open until resolved, and the schedule.
use proptest::prelude::*;
use serde_json::Value;

use crate::publish::{published_files, read_site};
use crate::testenv::{TestEnv, EPOCH};

#[test]
fn notes_round_trip_unchanged_through_note_list_json() {
    let env = TestEnv::init();
    let texts = [
        "<script>alert(\"x\")</script>",
        "He said \"comparable\"\nbut 2019 is missing\n\tindented",
        "Ünïcödé — ‘quotes’ 🚓 العربية",
    ];
    for text in texts {
        env.ok(&["note", "add", "--force", "kent-police", text]);
    }
    env.ok(&["note", "add", "--public", "Figures before 2020 are not comparable."]);
    let notes = env.json(&["note", "list", "--json"]);
    let notes = notes["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 4);
    for (note, text) in notes.iter().zip(texts) {
        assert_eq!(note["text"], text);
        assert_eq!(note["force"], "kent-police");
        assert_eq!(note["public"], false);
        assert_eq!(note["status"], "open");
        assert_eq!(note["editor"], "alice");
        assert!(note["at"].is_string() && note["id"].is_i64());
    }
    assert_eq!(notes[3]["force"], Value::Null);
    assert_eq!(notes[3]["public"], true);
    let human = env.ok(&["note", "list"]);
    assert!(human.contains("\\n"), "a newline in a note never breaks the table row: {human}");
}

#[test]
fn resolving_a_note_is_audited_and_hides_it_from_open_lists() {
    let env = TestEnv::init();
    env.ok(&["note", "add", "--force", "essex-police", "check this"]);
    let id = env.json(&["note", "list", "--json"])["notes"][0]["id"].as_i64().unwrap().to_string();
    let before = env.change_count();
    env.ok(&["note", "resolve", &id, "-m", "checked"]);
    assert_eq!(env.change_count(), before + 1);
    let last = &env.changes()[0];
    assert_eq!(last["action"], "resolve-note");
    assert_eq!(last["before"]["status"], "open");
    assert_eq!(last["after"]["status"], "resolved");
    assert_eq!(last["message"], "checked");
    assert_eq!(env.json(&["note", "list", "--json"])["notes"], serde_json::json!([]));
    assert_eq!(env.json(&["note", "list", "--all", "--json"])["notes"][0]["status"], "resolved");
    assert!(env.ok(&["note", "resolve", &id]).contains("already resolved"));
    assert_eq!(env.change_count(), before + 1);
    let list = env.json(&["list", "--json"]);
    let essex =
        list["forces"].as_array().unwrap().iter().find(|f| f["slug"] == "essex-police").unwrap().clone();
    assert_eq!(essex["open_notes"], 0);
}

#[test]
fn note_list_filters_by_force() {
    let env = TestEnv::init();
    env.ok(&["note", "add", "--force", "kent-police", "a"]);
    env.ok(&["note", "add", "--force", "essex-police", "b"]);
    env.ok(&["note", "add", "c"]);
    let kent = env.json(&["note", "list", "--force", "Kent Police", "--json"]);
    assert_eq!(kent["notes"].as_array().unwrap().len(), 1);
    assert_eq!(kent["notes"][0]["text"], "a");
    env.fails(&["note", "list", "--force", "atlantis"], 2);
    env.fails(&["note", "add", "--force", "atlantis", "x"], 2);
}

#[test]
fn public_notes_are_caveats_and_internal_notes_never_reach_the_site() {
    let env = TestEnv::init();
    env.ok(&["note", "add", "--force", "kent-police", "--public", "Kent counts each tactic <separately>."]);
    env.ok(&["note", "add", "--public", "Line one\nLine \"two\""]);
    env.ok(&["note", "add", "--force", "kent-police", "INTERNAL: ring the Kent data team"]);
    env.ok(&["publish"]);
    let site = read_site(&env.path("publish"));
    let index = &site["index.html"];
    assert!(index.contains("Kent counts each tactic &lt;separately&gt;."), "force caveat shown escaped");
    assert!(index.contains("Line one<br>Line &quot;two&quot;"), "newlines become line breaks");
    for (name, text) in &site {
        assert!(!text.contains("INTERNAL"), "{name} leaks an internal note");
        assert!(!text.contains("alice"), "{name} leaks the editor's name");
    }
    let json: Value = serde_json::from_str(&site["forces.json"]).unwrap();
    let kent =
        json["forces"].as_array().unwrap().iter().find(|f| f["slug"] == "kent-police").unwrap().clone();
    assert_eq!(kent["notes"][0], "Kent counts each tactic <separately>.");
    assert_eq!(json["notes"][0], "Line one\nLine \"two\"");
    assert!(site["forces.csv"].contains("Kent counts each tactic <separately>."));

    // resolving the public note removes it at the next publication, which says so
    let id =
        env.json(&["note", "list", "--force", "kent-police", "--json"])["notes"][0]["id"].as_i64().unwrap();
    env.ok(&["note", "resolve", &id.to_string()]);
    let out = env.ok(&["publish"]);
    assert!(out.contains("Removed a note on Kent Police."), "{out}");
    let site = read_site(&env.path("publish"));
    assert!(!site["index.html"].contains("separately"));
}

#[test]
fn internal_notes_alone_publish_nothing() {
    let env = TestEnv::init();
    env.ok(&["publish"]);
    env.ok(&["note", "add", "--force", "kent-police", "internal only"]);
    env.ok(&["review", "kent-police"]);
    let out = env.ok(&["publish"]);
    assert!(out.contains("nothing to publish"), "{out}");
}

#[test]
fn due_lists_unreviewed_forces_then_the_oldest_reviews() {
    let env = TestEnv::init();
    env.ok(&["review", "kent-police", "-m", "fine"]);
    env.set_epoch(EPOCH + 3600);
    env.ok(&["review", "essex-police"]);
    env.ok(&["retire-force", "wiltshire-police"]);
    let due = env.json(&["due", "--json"]);
    let slugs: Vec<&str> =
        due["forces"].as_array().unwrap().iter().map(|f| f["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs.len(), 42, "45 less two reviewed and one retired");
    assert!(
        !slugs.contains(&"kent-police")
            && !slugs.contains(&"essex-police")
            && !slugs.contains(&"wiltshire-police")
    );
    assert!(due["forces"].as_array().unwrap().iter().all(|f| f["last_reviewed"].is_null()));

    env.set_epoch(EPOCH + 93 * 86_400);
    let due = env.json(&["due", "--json"]);
    let forces = due["forces"].as_array().unwrap();
    assert_eq!(forces.len(), 44);
    let tail: Vec<&str> = forces[42..].iter().map(|f| f["slug"].as_str().unwrap()).collect();
    assert_eq!(tail, ["kent-police", "essex-police"], "never reviewed first, then oldest review first");
    assert_eq!(forces[42]["last_reviewed"], "2025-11-24T16:00:00Z");

    let due = env.json(&["due", "--days", "200", "--json"]);
    assert_eq!(due["forces"].as_array().unwrap().len(), 42);
    let list = env.json(&["list", "--json"]);
    let kent =
        list["forces"].as_array().unwrap().iter().find(|f| f["slug"] == "kent-police").unwrap().clone();
    assert_eq!(kent["last_reviewed"], "2025-11-24T16:00:00Z");
    let change = &env.changes()[2];
    assert_eq!(change["action"], "review");
}

/// Text an editor might type: markup, quotes, newlines, unicode, and the force names themselves,
/// after a marker word made of `kind` and a number and closed by `q`, so that no marker is a
/// prefix of another and internal and public notes never share one.
fn note_text(kind: &'static str) -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "<script>alert(1)</script>",
        "<b>bold</b>",
        "\"quoted\"",
        "it's",
        "a & b",
        "Kent Police",
        "Essex Police",
        "\n",
        "\t",
        "🚓",
        "ü",
        "=HYPERLINK(\"x\")",
        "data",
        " ",
    ]);
    (prop::collection::vec(pieces, 1..8), 0u32..1_000_000)
        .prop_map(move |(parts, n)| format!("z{kind}{n}q {}", parts.concat()).trim().to_owned())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    /// Random internal notes never appear in any published file; random public notes appear,
    /// escaped, exactly once in the page, where they belong.
    #[test]
    fn internal_notes_never_publish_and_public_ones_appear_once(
        internal in prop::collection::vec(note_text("i"), 1..4),
        public in prop::collection::vec(note_text("p"), 1..4),
    ) {
        let env = TestEnv::init();
        for text in &internal {
            env.ok(&["note", "add", "--force", "kent-police", text]);
        }
        for text in &public {
            env.ok(&["note", "add", "--public", "--force", "essex-police", text]);
        }
        env.ok(&["publish"]);
        let files = published_files(&env.path("publish"));
        for text in &internal {
            let marker = text.split_whitespace().next().unwrap();
            for (name, bytes) in &files {
                let body = String::from_utf8_lossy(bytes);
                prop_assert!(!body.contains(marker), "{} leaks internal note {:?}", name, text);
            }
        }
        let index = String::from_utf8_lossy(&files["index.html"]).into_owned();
        let essex_at = index.find("id=\"force-essex-police\"").unwrap();
        let essex_end = essex_at + index[essex_at..].find("</li>").unwrap();
        for text in &public {
            let escaped = html_escape(text).replace('\n', "<br>");
            prop_assert_eq!(index.matches(&escaped).count(), 1, "public note {:?} not shown once", text);
            let at = index.find(&escaped).unwrap();
            prop_assert!(at > essex_at && at < essex_end, "public note is not under its force");
        }
        prop_assert!(!index.contains("<script>"));
    }
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
