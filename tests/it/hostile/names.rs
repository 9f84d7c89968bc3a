//! Names that render alike are one name (NFKC, case folding, white space), hidden characters are
//! refused in names and editor names by code point, and text XML cannot carry is refused on the
//! way in and dropped on the way out.
use super::refused;
use crate::testenv::TestEnv;

/// What a user can see of the directory and its log: unchanged by a refused command.
fn state(env: &TestEnv) -> (String, String) {
    (env.ok(&["export", "--format", "json"]), env.ok(&["history", "--json"]))
}

#[test]
fn names_that_render_alike_are_one_name() {
    let env = TestEnv::init();
    env.ok(&["add-force", "Café Police", "--slug", "cafe-police"]); // NFC é
    let before = state(&env);
    let alike = [
        // the examples
        "Kent  Police",
        "Kent\u{00A0}Police",
        "\u{FF2B}\u{FF45}\u{FF4E}\u{FF54} \u{FF30}\u{FF4F}\u{FF4C}\u{FF49}\u{FF43}\u{FF45}", // fullwidth
        "\u{1D40A}\u{1D41E}\u{1D427}\u{1D42D} \u{1D40F}\u{1D428}\u{1D425}\u{1D422}\u{1D41C}\u{1D41E}", // bold
        "Cafe\u{0301} Police",                                                               // NFD é
        // more of the class
        "\u{3000}Kent\u{2003}\u{2003}Police", // ideographic and em spaces
        "Kent\u{202F}Police",                 // narrow no-break space
        "\u{24C0}ent Police",                 // circled K
        "\u{1D542}\u{1D556}\u{1D55F}\u{1D565} Police", // double-struck
        "KENT POLICE",
        "CAFÉ POLICE",
        "Ess\u{0435}x Police\u{FE0F}", // refused as hidden before it is compared
    ];
    for name in alike {
        let err = refused(&env, &["add-force", name, "--slug", "look-alike"]);
        assert!(err.contains("already exists") || err.contains("U+"), "{name:?}: {err}");
        let err = refused(&env, &["rename-force", "essex-police", name]);
        assert!(err.contains("already exists") || err.contains("U+"), "{name:?}: {err}");
    }
    assert_eq!(state(&env), before, "a refused look-alike changed the directory or its log");
    // and a look-alike finds the force it looks like
    let shown = env.json(&["show", "\u{FF2B}\u{FF25}\u{FF2E}\u{FF34}  POLICE", "--json"]);
    assert_eq!(shown["force"]["slug"], "kent-police");
}

#[test]
fn hidden_characters_in_names_and_editor_names_are_refused_by_code_point() {
    let env = TestEnv::init();
    let before = state(&env);
    for (name, point) in [
        ("Kent Police\u{034F}", "U+034F"), // combining grapheme joiner: the example
        ("Kent\u{061C}Police", "U+061C"),  // Arabic letter mark
        ("Kent\u{200E}Police", "U+200E"),  // left-to-right mark
        ("Kent Police\u{FE0F}", "U+FE0F"), // variation selector
        ("Kent Police\u{E0041}", "U+E0041"), // tag
        ("Kent\u{00AD}Police", "U+00AD"),  // soft hyphen
        ("Kent\u{2060}Police", "U+2060"),  // word joiner
        ("\u{115F}Kent Police", "U+115F"), // Hangul filler
        ("Kent Police\u{E0100}", "U+E0100"), // variation selector supplement
    ] {
        let err = refused(&env, &["add-force", name, "--slug", "hidden"]);
        assert!(err.contains(point), "{name:?}: {err}");
        // two "alice"s that differ invisibly: the example, and more
        let editor = name.replace("Kent", "alice").replace(" Police", "");
        let err = refused(&env, &["--editor", &editor, "set-url", "kent-police", "https://example.org/"]);
        assert!(err.contains(point) && err.contains("editor"), "{editor:?}: {err}");
    }
    assert_eq!(state(&env), before);
}

#[test]
fn text_xml_cannot_carry_is_refused_in_names_notes_and_messages() {
    let env = TestEnv::init();
    let before = state(&env);
    for (text, point) in [
        ("Kent \u{FFFE} Police", "U+FFFE"), // the example
        ("Kent \u{FFFF} Police", "U+FFFF"),
        ("Kent \u{FDD0} Police", "U+FDD0"),
        ("Kent \u{1FFFE} Police", "U+1FFFE"),
        ("Kent \u{10FFFF} Police", "U+10FFFF"),
    ] {
        assert!(refused(&env, &["add-force", text, "--slug", "nonchar"]).contains(point), "{text:?}");
        assert!(refused(&env, &["note", "add", "--public", text]).contains(point));
        assert!(
            refused(&env, &["set-url", "kent-police", "https://example.org/", "-m", text]).contains(point)
        );
        assert!(refused(&env, &["publish", "-m", text]).contains(point));
    }
    assert_eq!(state(&env), before);
    assert!(!env.path("publish").exists());
}

/// Databases written before the rule may hold such text: the feed drops it and stays
/// well-formed.
#[test]
fn the_feed_stays_well_formed_when_stored_text_holds_what_xml_cannot_carry() {
    // an older database, from before such text was refused and before its page text was in
    // the log: the upgrade records the text as it stands, so the log holds it too
    let env = TestEnv::init();
    crate::testenv::behind_the_log(
        &env.sql(),
        "DELETE FROM changes WHERE entity = 'page';
         DELETE FROM meta;
         UPDATE page SET value = 'Use \u{FFFE}of \u{1}Force\u{FDD0} Data\u{FFFF}' WHERE key = 'heading'",
    );
    env.ok(&["audit", "verify"]);
    env.ok(&["publish"]);
    let feed = std::fs::read_to_string(env.path("publish/feed.atom")).unwrap();
    let doc = roxmltree::Document::parse(&feed).expect("the feed is well-formed");
    let title = doc.descendants().find(|n| n.has_tag_name("title")).and_then(|n| n.text());
    assert_eq!(title, Some("Use of Force Data"));
}
