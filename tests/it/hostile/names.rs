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
        // the issue's examples
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
        ("Kent Police\u{034F}", "U+034F"), // combining grapheme joiner: the issue's example
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
        // two "alice"s that differ invisibly: the issue's example, and more
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
        ("Kent \u{FFFE} Police", "U+FFFE"), // the issue's example
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

// Look-alikes within one alphabet (SPEC section 17): the Unicode confusable skeleton, and the
// letters Unicode's identifier profile allows.

/// `add-force NAME` and `rename-force essex-police NAME` are refused (exit 2, nothing changed)
/// as the force `slug` named `name`; returns the add-force error.
fn refused_as(env: &TestEnv, alike: &str, name: &str, slug: &str) -> String {
    let want = format!("a force named \"{name}\" already exists ({slug})");
    let err = refused(env, &["add-force", alike, "--slug", "look-alike"]);
    assert!(err.contains(&want), "{alike:?}: {err}");
    let renamed = refused(env, &["rename-force", "essex-police", alike]);
    assert!(renamed.contains(&want), "rename to {alike:?}: {renamed}");
    err
}

#[test]
fn letters_and_digits_posing_as_others_are_the_force_they_pose_as() {
    let env = TestEnv::init();
    env.ok(&["add-force", "KEA", "--slug", "kea"]);
    env.ok(&["add-force", "Essex", "--slug", "essex"]);
    let before = state(&env);
    for (alike, point) in [
        // the review's examples
        ("Kent PoIice", "U+0049"), // capital I for l
        ("Kent Polıce", "U+0131"), // dotless ı
        ("Kent Poɩice", "U+0269"), // Latin iota: a letter of Kabiyé, so it reads as the i it is
        ("Kent P0lice", "U+0030"), // zero for o
        // more of the class: digits, capitals, other letters taken for l, i and o
        ("Kent Po1ice", "U+0031"),
        ("KENT P0LICE", "U+0030"),
        ("kent pol1ce", "U+0031"),
        ("Kent Po|ice", "U+007C"),
        ("Kent Po\u{01C0}ice", "U+01C0"), // dental click
    ] {
        let err = refused_as(&env, alike, "Kent Police", "kent-police");
        assert!(err.contains(point), "the hint names the letter that poses: {err}");
    }
    // a name of Cyrillic or Greek letters throughout, each posing as a Latin one
    refused_as(&env, "\u{0415}\u{0455}\u{0455}\u{0435}\u{0445}", "Essex", "essex"); // Еѕѕех
    refused_as(&env, "\u{039A}\u{0395}\u{0391}", "KEA", "kea"); // Greek ΚΕΑ
    refused_as(&env, "\u{041A}\u{0415}\u{0410}", "KEA", "kea"); // Cyrillic КЕА
                                                                // two letters for one: rn for m
    refused_as(&env, "Curnbria Constabulary", "Cumbria Constabulary", "cumbria-constabulary");
    refused_as(&env, "Durharn Constabulary", "Durham Constabulary", "durham-constabulary");
    refused_as(&env, "Harnpshire Constabulary", "Hampshire Constabulary", "hampshire-constabulary");
    refused_as(&env, "Rnerseyside Police", "Merseyside Police", "merseyside-police");
    // Greek or Cyrillic letters within a Latin name are refused for mixing alphabets, as before
    for alike in ["Kent P\u{03BF}lice", "K\u{0435}nt Police", "Kent Pol\u{0456}ce", "Kent Po\u{0399}ice"] {
        let err = refused(&env, &["add-force", alike, "--slug", "look-alike"]);
        assert!(err.contains("different alphabets"), "{alike:?}: {err}");
    }
    assert_eq!(state(&env), before, "a refused look-alike changed the directory or its log");
    // a look-alike finds the force it reads as
    assert_eq!(env.json(&["show", "Kent P0lice", "--json"])["force"]["slug"], "kent-police");
}

#[test]
fn letters_outside_the_identifier_profile_are_refused_by_code_point() {
    let env = TestEnv::init();
    let before = state(&env);
    for (name, point) in [
        ("\u{1D0B}ent Police", "U+1D0B"), // small capital K: the review's example
        ("Heddlu \u{1D0B}ent", "U+1D0B"),
        ("Kent Po\u{029F}ice", "U+029F"),   // small capital L
        ("Police \u{0280}egion", "U+0280"), // small capital R
        ("Kent Police \u{0138}", "U+0138"), // kra
        ("Kent Police \u{2167}", "U+2167"), // Roman numeral eight
        ("Kent \u{A4D7}olice", "U+A4D7"),   // Lisu letter
    ] {
        let err = refused(&env, &["add-force", name, "--slug", "odd-letter"]);
        assert!(err.contains(point) && err.contains("force name"), "{name:?}: {err}");
        let err = refused(&env, &["rename-force", "essex-police", name]);
        assert!(err.contains(point), "rename to {name:?}: {err}");
    }
    assert_eq!(state(&env), before);
    // the letters of living languages, and a name's punctuation, are names
    for (name, slug) in [
        ("Heddlu Gwasanaeth Ŵyr a Ŷnys Môn", "welsh"),
        ("Gwŷr Ẃ Ẁ Ẅ", "welsh-accents"),
        ("Garda Síochána na hÉireann", "irish"),
        ("Poileas Alba: Àird nan Òban", "gaelic"),
        ("Gendarmerie de l’Œuvre, Noël", "french"),
        ("Polizei Straße Übersee", "german"),
        ("Policja Łódź Żółć", "polish"),
        ("St. Mary’s & O'Neill (North) Police", "punctuation"),
    ] {
        env.ok(&["add-force", name, "--slug", slug]);
    }
}

#[test]
fn editor_names_that_read_alike_are_one_editor() {
    let env = TestEnv::init();
    env.ok(&["editor", "add", "bob", "--role", "admin"]);
    env.set_editor("bob");
    for alike in ["b\u{03BF}b", "b\u{043E}b", "b0b", "BOB", "\u{042C}ob", "b\u{043E}\u{042C}"] {
        let err = refused(&env, &["editor", "add", alike, "--role", "editor"]);
        assert!(err.contains("already registered as \"bob\""), "{alike:?}: {err}");
    }
    for (name, point) in [("\u{1D0B}ate", "U+1D0B"), ("a\u{029F}ice", "U+029F"), ("\u{0138}im", "U+0138")] {
        let err = refused(&env, &["editor", "add", name, "--role", "editor"]);
        assert!(err.contains(point) && err.contains("editor name"), "{name:?}: {err}");
        // and as the editor making a change
        let err = refused(&env, &["--editor", name, "set-url", "kent-police", "https://example.org/"]);
        assert!(err.contains(point), "--editor {name:?}: {err}");
    }
    env.ok(&["editor", "add", "siân.ŵyn", "--role", "editor"]);
}

#[test]
fn an_import_of_a_look_alike_name_is_refused_naming_the_force_and_line() {
    let env = TestEnv::init();
    let before = state(&env);
    let write = |name: &str, body: &str| {
        let path = env.path(name);
        std::fs::write(&path, body).unwrap();
        path.display().to_string()
    };
    let file = write("alike.csv", "slug,name,url,status\nkent-p0lice,Kent P0lice,,active\n");
    let err = refused(&env, &["import", &file]);
    assert!(
        err.contains("line 2") && err.contains("a force named \"Kent Police\" already exists (kent-police)"),
        "{err}"
    );
    let file = write("odd.csv", "slug,name\nk-ent,\u{1D0B}ent Police\n");
    let err = refused(&env, &["import", &file]);
    assert!(err.contains("line 2") && err.contains("U+1D0B"), "{err}");
    // two rows of one file that read alike
    let file = write("twice.csv", "slug,name\nnew-one,Isle Police\nnew-two,lsle Police\n");
    let err = refused(&env, &["import", &file]);
    assert!(err.contains("line 3") && err.contains("line 2"), "{err}");
    let file = write("alike.json", r#"{"forces": [{"slug": "kent-poiice", "name": "Kent PoIice"}]}"#);
    let err = refused(&env, &["import", &file]);
    assert!(err.contains("already exists (kent-police)"), "{err}");
    assert_eq!(state(&env), before);
}

/// A database an older admin wrote, which took "Kent PoIice" beside Kent Police: it opens,
/// verifies, `status` names the pair, and a third look-alike is still refused.
#[test]
fn a_look_alike_pair_in_an_older_database_is_reported_by_status_not_fatal() {
    let env = TestEnv::init();
    // the add-force an older admin logged, and its row, with the schema as it was before V13
    // (and the migrations after it)
    let after =
        serde_json::json!({"name": "Kent PoIice", "slug": "kent-poiice", "status": "active", "url": null});
    let change = crate::testenv::forge_change(
        &env,
        "alice",
        "add-force",
        "force",
        Some("kent-poiice"),
        None,
        Some(after),
    );
    env.sql()
        .execute_batch(&format!(
            "INSERT INTO forces (id, slug, name, name_key, look_key, status, change_id)
             VALUES (46, 'kent-poiice', 'Kent PoIice', 'kent poiice', '', 'active', {change});
             DROP INDEX forces_look_key;
             ALTER TABLE forces DROP COLUMN look_key;
             DROP TABLE settings;
             ALTER TABLE link_checks DROP COLUMN failing_since;
             DROP TABLE checkpoints;
             DELETE FROM refinery_schema_history WHERE version >= 13;"
        ))
        .unwrap();
    let status = env.ok(&["status"]);
    assert!(
        status.contains(
            "Look-alikes:  \"Kent Police\" (kent-police) and \"Kent PoIice\" (kent-poiice) read as one name"
        ),
        "{status}"
    );
    let json = env.json(&["status", "--json"]);
    assert_eq!(json["look_alikes"][0]["first"]["slug"], "kent-police");
    assert_eq!(json["look_alikes"][0]["second"]["slug"], "kent-poiice");
    env.ok(&["audit", "verify"]);
    // each is found by its own name; a third look-alike is refused naming the first
    assert_eq!(env.json(&["show", "Kent PoIice", "--json"])["force"]["slug"], "kent-poiice");
    refused_as(&env, "Kent P0lice", "Kent Police", "kent-police");
    // renaming one away ends the report
    env.ok(&["rename-force", "kent-poiice", "Kent County Police"]);
    assert!(!env.ok(&["status"]).contains("Look-alikes"));
    env.ok(&["audit", "verify"]);
}

#[test]
fn an_accent_that_cannot_be_seen_is_refused_by_code_point() {
    let env = TestEnv::init();
    env.ok(&["--editor", "alice", "editor", "add", "alice", "--role", "admin"]);
    env.ok(&["--editor", "alice", "editor", "add", "dick"]);
    let before = env.json(&["list", "--json", "--all"]);
    for (name, point) in [
        // a dot above on a dotless or dotted i reads as i: "Kent Police" again
        ("Kent Pol\u{0131}\u{0307}ce", "U+0307"),
        ("Kent Poli\u{0307}ce", "U+0307"),
        ("Xyz Pol\u{0131}\u{0307}ce", "U+0307"),
        ("Xyz Polij\u{0307}e", "U+0307"),
        // the same accent twice, and more accents than a letter carries
        ("Xyz Police\u{0300}\u{0300}", "U+0300"),
        ("Xyz Polic\u{0065}\u{0301}\u{0301}", "U+0301"),
        ("Xyz Po\u{0301}\u{0300}\u{0302}\u{0303}\u{0304}lice", "U+0304"),
    ] {
        let err = env.fails(&["--editor", "alice", "add-force", name, "--slug", "xyz"], 2);
        assert!(err.contains(point) && err.contains("accent") || err.contains("dot above"), "{name}: {err}");
        let err = env.fails(&["--editor", "alice", "rename-force", "surrey-police", name], 2);
        assert!(err.contains(point), "{name}: {err}");
    }
    for editor in ["d\u{0131}\u{0307}ck", "di\u{0307}ck", "bo\u{0300}\u{0300}b"] {
        let err = env.fails(&["--editor", "alice", "editor", "add", editor], 2);
        assert!(err.contains("U+03"), "{editor}: {err}");
    }
    assert_eq!(env.json(&["list", "--json", "--all"]), before);
    // a letter with its own dot, and accents of living languages, stay allowed
    env.ok(&["--editor", "alice", "add-force", "\u{0130}stanbul Police", "--slug", "istanbul"]);
    env.ok(&["--editor", "alice", "add-force", "Heddlu \u{0175}\u{0177}\u{00e2}", "--slug", "heddlu"]);
}

#[test]
fn editor_names_mixing_alphabets_are_refused_as_force_names_are() {
    let env = TestEnv::init();
    env.ok(&["--editor", "alice", "editor", "add", "alice", "--role", "admin"]);
    for editor in ["\u{0431}ob", "\u{0432}ob", "al\u{0456}ce2", "\u{03b1}lex"] {
        let err = env.fails(&["--editor", "alice", "editor", "add", editor], 2);
        assert!(err.contains("mixes letters from different alphabets"), "{editor}: {err}");
    }
}

#[test]
fn a_slug_keeps_the_letters_under_their_accents_and_a_message_its_apostrophes() {
    let env = TestEnv::init();
    for (name, slug) in [
        ("Ynys M\u{00f4}n Heddlu", "ynys-mon-heddlu"),
        ("Policja \u{0141}\u{00f3}d\u{017a}", "policja-lodz"),
        ("Polic\u{00ed}a Espa\u{00f1}ola", "policia-espanola"),
        ("Gendarmerie S\u{00e9}curit\u{00e9}", "gendarmerie-securite"),
        ("Stra\u{00df}e Polizei", "strasse-polizei"),
        ("Heddlu \u{0174}yr", "heddlu-wyr"),
    ] {
        let out = env.ok(&["add-force", name]);
        assert!(
            out.lines().any(|l| l.trim() == slug || l.contains(&format!("as `{slug}`"))),
            "{name}: {out}"
        );
    }
    // an apostrophe in a quoted name is shown as it is, not as \'
    let out = env.ok(&["rename-force", "kent-police", "O'Brien's Constabulary"]);
    assert!(out.contains("\"O'Brien's Constabulary\"") && !out.contains("\\'"), "{out}");
    // a look-alike within one import file names both rows' names
    let file = env.path("alike.csv");
    std::fs::write(&file, "slug,name\na-force,Kent PoIice Service\nb-force,Kent Police Service\n").unwrap();
    let err = env.fails(&["import", file.to_str().unwrap()], 2);
    assert!(
        err.contains(
            "line 3: the name \"Kent Police Service\" is also on line 2, as \"Kent PoIice Service\""
        ),
        "{err}"
    );
}
