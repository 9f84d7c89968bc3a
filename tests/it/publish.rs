//! `admin publish`: the page, the data files and the feed; change notes; nothing-changed;
//! dry runs; refusing directories it does not own; atomic under kills; byte-reproducible.
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::Instant;

use serde_json::Value;

use crate::testenv::{bytes, seed_names, TestEnv, EPOCH};

/// Every file in a published directory, by name.
pub fn published_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The published text files by name.
pub fn read_site(dir: &Path) -> BTreeMap<String, String> {
    published_files(dir).into_iter().map(|(k, v)| (k, String::from_utf8(v).unwrap())).collect()
}

fn updates_section(index: &str) -> &str {
    let at = index.find("Updates to this page").expect("history section");
    &index[at..]
}

fn history_entries(index: &str) -> usize {
    updates_section(index).matches("<li>").count()
}

#[test]
fn a_fresh_site_lists_45_forces_none_linked_first_published() {
    let env = TestEnv::init();
    let out = env.ok(&["publish"]);
    assert!(out.contains("published major publication 1"), "{out}");
    let site = read_site(&env.path("publish"));
    let names: Vec<&String> = site.keys().collect();
    assert_eq!(names, crate::testenv::SITE_FILES);
    let index = &site["index.html"];
    assert!(index.contains("<html lang=\"en-GB\">"));
    assert!(index.contains("<h1>Use of Force Data</h1>"));
    assert!(index.contains("Police are charged with maintaining order and keeping people safe."));
    assert!(index.contains("as this project continues as regular practice."));
    for name in seed_names() {
        let escaped = name.replace('&', "&amp;");
        assert!(
            index
                .contains(&format!("{escaped} <span class=\"unavailable\">(no link to its data yet)</span>")),
            "{name}"
        );
    }
    // listed without a link, and without claiming the force publishes no data
    assert_eq!(index.matches("no link to its data yet").count(), 45);
    assert!(!index.contains("not yet available"));
    assert!(!index.contains("href=\"#\""), "no placeholder links");
    assert!(!index.contains("<script"), "no JavaScript");
    let updates = updates_section(index);
    assert!(
        updates.contains("Published <time datetime=\"2025-11-24T16:00:00Z\">24 November 2025</time>"),
        "{updates}"
    );
    assert!(updates.contains("Last updated <time datetime=\"2025-11-24T16:00:00Z\">24 November 2025</time>"));
    assert!(updates.contains("First published."));
    assert_eq!(history_entries(index), 1);

    // forces.json and forces.csv agree with list --json
    let list = env.json(&["list", "--json"]);
    let json: Value = serde_json::from_str(&site["forces.json"]).unwrap();
    let listed: Vec<(Value, Value, Value)> = list["forces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["slug"].clone(), f["name"].clone(), f["url"].clone()))
        .collect();
    let published: Vec<(Value, Value, Value)> = json["forces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["slug"].clone(), f["name"].clone(), f["url"].clone()))
        .collect();
    assert_eq!(listed, published);
    let mut csv = csv::Reader::from_reader(site["forces.csv"].as_bytes());
    assert_eq!(csv.headers().unwrap(), vec!["slug", "name", "url", "notes", "data_to"]);
    let rows: Vec<(Value, Value, Value)> = csv
        .records()
        .map(|r| {
            let r = r.unwrap();
            let url = if r[2].is_empty() { Value::Null } else { Value::from(&r[2]) };
            (Value::from(&r[0]), Value::from(&r[1]), url)
        })
        .collect();
    assert_eq!(listed, rows);

    // the feed is well-formed Atom with one entry
    let feed = roxmltree::Document::parse(&site["feed.atom"]).expect("feed.atom is XML");
    let root = feed.root_element();
    assert_eq!(root.tag_name().name(), "feed");
    assert_eq!(root.tag_name().namespace(), Some("http://www.w3.org/2005/Atom"));
    for required in ["id", "title", "updated", "author"] {
        assert!(root.children().any(|c| c.tag_name().name() == required), "feed lacks <{required}>");
    }
    let entries: Vec<_> = root.children().filter(|c| c.tag_name().name() == "entry").collect();
    assert_eq!(entries.len(), 1);
    for required in ["id", "title", "updated"] {
        assert!(entries[0].children().any(|c| c.tag_name().name() == required), "entry lacks <{required}>");
    }

    let pubs = env.json(&["publications", "--json"]);
    let first = &pubs["publications"][0];
    assert_eq!(first["id"], 1);
    assert_eq!(first["major"], true);
    assert_eq!(first["note"], "First published.");
    assert_eq!(first["changes"], serde_json::json!([1, 46]));
    assert_eq!(first["sha256"].as_str().unwrap().len(), 64);
    let last = &env.changes()[0];
    assert_eq!(last["action"], "publish");
    assert_eq!(last["after"]["sha256"], first["sha256"]);
}

#[test]
fn new_links_get_one_history_entry_naming_both_and_a_republish_changes_nothing() {
    let env = TestEnv::init();
    env.ok(&["publish"]);
    env.set_epoch(EPOCH + 86_400);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/use-of-force"]);
    env.ok(&["set-url", "essex-police", "https://www.essex.police.uk/uof?a=1&b=2"]);
    let out = env.ok(&["publish"]);
    assert!(out.contains("Added links for Essex Police and Kent Police."), "{out}");
    let index = read_site(&env.path("publish"))["index.html"].clone();
    assert!(index.contains("<a href=\"https://www.kent.police.uk/use-of-force\">Kent Police</a>"));
    assert!(index.contains("<a href=\"https://www.essex.police.uk/uof?a=1&amp;b=2\">Essex Police</a>"));
    assert_eq!(history_entries(&index), 2);
    assert!(updates_section(&index)
        .contains("Last updated <time datetime=\"2025-11-25T16:00:00Z\">25 November 2025</time>"));
    assert!(updates_section(&index).contains("Published <time datetime=\"2025-11-24T16:00:00Z\">"));
    let newest = updates_section(&index).find("Added links for Essex Police and Kent Police.").unwrap();
    assert!(newest < updates_section(&index).find("First published.").unwrap(), "newest first");

    // again: nothing changed, nothing written, nothing recorded
    let files = published_files(&env.path("publish"));
    let mtime = std::fs::metadata(env.path("publish/index.html")).unwrap().modified().unwrap();
    let changes = env.change_count();
    env.set_epoch(EPOCH + 2 * 86_400);
    let out = env.ok(&["publish"]);
    assert!(out.contains("nothing to publish"), "{out}");
    assert_eq!(published_files(&env.path("publish")), files);
    assert_eq!(std::fs::metadata(env.path("publish/index.html")).unwrap().modified().unwrap(), mtime);
    assert_eq!(env.change_count(), changes);
    assert_eq!(env.json(&["publications", "--json"])["publications"].as_array().unwrap().len(), 2);
}

#[test]
fn a_minor_publication_updates_the_page_but_not_its_history() {
    let env = TestEnv::init();
    env.ok(&["publish"]);
    env.set_epoch(EPOCH + 86_400);
    env.ok(&["rename-force", "kent-police", "Kent Police Service"]);
    let out = env.ok(&["publish", "--minor"]);
    assert!(out.contains("minor publication 2"), "{out}");
    let index = read_site(&env.path("publish"))["index.html"].clone();
    assert!(index.contains("Kent Police Service"));
    assert_eq!(history_entries(&index), 1);
    assert!(
        updates_section(&index).contains("Last updated <time datetime=\"2025-11-24T16:00:00Z\">"),
        "kept"
    );
    let feed = read_site(&env.path("publish"))["feed.atom"].clone();
    assert_eq!(feed.matches("<entry>").count(), 1);
    let pubs = env.json(&["publications", "--json"]);
    assert_eq!(pubs["publications"][0]["major"], false);
}

#[test]
fn a_major_publication_takes_its_note_from_m() {
    let env = TestEnv::init();
    env.ok(&["publish"]);
    env.ok(&["retire-force", "wiltshire-police"]);
    env.ok(&["publish", "-m", "Wiltshire <merged> & \"moved\"."]);
    let index = read_site(&env.path("publish"))["index.html"].clone();
    assert!(updates_section(&index).contains("Wiltshire &lt;merged&gt; &amp; &quot;moved&quot;."));
    assert!(!index.contains("Wiltshire Police"));
    assert_eq!(index.matches("<li id=\"force-").count(), 44);
}

#[test]
fn the_automatic_note_names_every_kind_of_public_change() {
    let env = TestEnv::init();
    env.ok(&["set-url", "dorset-police", "https://www.dorset.police.uk/old"]);
    env.ok(&["publish"]);
    env.ok(&["add-force", "Isle of Man Constabulary"]);
    env.ok(&["rename-force", "kent-police", "Kent Police Service"]);
    env.ok(&["retire-force", "wiltshire-police"]);
    env.ok(&["set-url", "dorset-police", "https://www.dorset.police.uk/new"]);
    env.ok(&["set-url", "surrey-police", "https://www.surrey.police.uk/uof"]);
    env.ok(&["clear-url", "surrey-police"]);
    let out = env.ok(&["publish", "--dry-run"]);
    assert!(
        out.contains("note: Added Isle of Man Constabulary. Removed Wiltshire Police. Renamed Kent Police to Kent Police Service. Updated link for Dorset Police."),
        "{out}"
    );
}

#[test]
fn a_dry_run_writes_nothing() {
    let env = TestEnv::init();
    let out = env.ok(&["publish", "--dry-run"]);
    assert!(out.contains("would publish major publication 1") && out.contains("First published."), "{out}");
    assert!(!env.path("publish").exists());
    assert_eq!(env.change_count(), 46);
    env.ok(&["publish"]);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    let db = bytes(&env.db);
    let files = published_files(&env.path("publish"));
    let out = env.ok(&["publish", "--dry-run"]);
    assert!(out.contains("Added link for Kent Police."), "{out}");
    assert_eq!(published_files(&env.path("publish")), files);
    assert_eq!(bytes(&env.db), db);
}

#[test]
fn publishing_is_byte_reproducible() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["note", "add", "--public", "--force", "kent-police", "A caveat."]);
    let copy = env.path("copy.db");
    std::fs::copy(&env.db, &copy).unwrap();
    env.ok(&["publish", "--out", "one"]);
    env.ok(&["--db", copy.to_str().unwrap(), "publish", "--out", "two"]);
    assert_eq!(published_files(&env.path("one")), published_files(&env.path("two")));
}

/// The staged files are synced through one io_uring where the kernel allows it, else on a
/// thread each (`UOF_NO_IO_URING`, read by debug builds, takes that way): the same site either way.
#[test]
fn the_site_is_the_same_whichever_way_its_files_are_synced() {
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    let copy = env.path("copy.db");
    std::fs::copy(&env.db, &copy).unwrap();
    env.ok(&["publish", "--out", "ring"]);
    env.set_var("UOF_NO_IO_URING", "1");
    env.ok(&["--db", copy.to_str().unwrap(), "publish", "--out", "threads"]);
    let ring = published_files(&env.path("ring"));
    assert!(ring.contains_key("index.html") && ring.contains_key("forces.json"), "{:?}", ring.keys());
    assert_eq!(ring, published_files(&env.path("threads")));
    for site in ["ring", "threads"] {
        env.ok(&["audit", "verify-site", site]);
    }
}

#[test]
fn the_repository_publish_directory_is_the_fresh_seed_site() {
    // `publish/` in the repository is the site published from a fresh `admin init`. Its
    // manifest names no real database (the id is all zeros), so no database's `admin publish`
    // replaces it without --replace-site. Regenerate it after a deliberate change to the page:
    //   UOF_REGENERATE=1 cargo test --locked --test it publish::the_repository_publish_directory
    // (that writes only the repository's publish/, never a live site).
    let env = TestEnv::init();
    env.ok(&["publish", "--out", "site"]);
    let mut fresh = published_files(&env.path("site"));
    let manifest = String::from_utf8(fresh[".uof-admin-manifest.json"].clone()).unwrap();
    let id = serde_json::from_str::<serde_json::Value>(&manifest).unwrap()["database_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 32, "a database id is 128 random bits in hex: {manifest}");
    let anonymous = manifest.replace(&id, &"0".repeat(32));
    fresh.insert(".uof-admin-manifest.json".to_owned(), anonymous.into_bytes());
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("publish");
    if std::env::var_os("UOF_REGENERATE").is_some() {
        let _ = std::fs::remove_dir_all(&repo);
        std::fs::create_dir_all(&repo).unwrap();
        for (name, body) in &fresh {
            std::fs::write(repo.join(name), body).unwrap();
        }
    }
    let committed = published_files(&repo);
    let names: std::collections::BTreeSet<&String> = fresh.keys().chain(committed.keys()).collect();
    let stale: Vec<&&String> = names.iter().filter(|k| fresh.get(**k) != committed.get(**k)).collect();
    assert!(
        stale.is_empty(),
        "publish/ is stale in {stale:?}: regenerate it with UOF_REGENERATE=1 cargo test --locked --test it publish::the_repository_publish_directory"
    );
}

#[test]
fn an_out_directory_holding_other_files_is_refused() {
    let env = TestEnv::init();
    let out = env.path("www");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("precious.txt"), "keep me").unwrap();
    let err = env.fails(&["publish", "--out", "www"], 1);
    assert!(err.contains("precious.txt") && err.contains("deletes nothing"), "{err}");
    assert_eq!(std::fs::read_to_string(out.join("precious.txt")).unwrap(), "keep me");
    assert_eq!(env.change_count(), 46, "nothing recorded");

    std::fs::write(env.path("afile"), "x").unwrap();
    env.fails(&["publish", "--out", "afile"], 2);

    // an empty directory is fine, and then it is ours
    std::fs::create_dir(env.path("empty")).unwrap();
    env.ok(&["publish", "--out", "empty"]);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["publish", "--out", "empty"]);
    std::fs::write(env.path("empty/extra.html"), "x").unwrap();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof2"]);
    let err = env.fails(&["publish", "--out", "empty"], 1);
    assert!(err.contains("extra.html"), "{err}");
    assert_eq!(std::fs::read_to_string(env.path("empty/extra.html")).unwrap(), "x");
}

#[test]
fn hostile_names_urls_and_notes_render_inert() {
    let env = TestEnv::init();
    env.ok(&[
        "add-force",
        "<script>alert(1)</script> Police",
        "--slug",
        "script-police",
        "--url",
        "https://example.org/\"><script>alert(2)</script>",
    ]);
    env.ok(&["add-force", "<img src=x onerror=alert(3)> Constabulary", "--slug", "img-constabulary"]);
    env.ok(&["rename-force", "kent-police", "Kent \"Quoted\" & 'Apostrophe' Police"]);
    env.ok(&["note", "add", "--public", "--force", "essex-police", "</li></ul><script>alert(4)</script>"]);
    env.ok(&["publish", "-m", "<script>alert(5)</script>"]);
    let site = read_site(&env.path("publish"));
    let index = &site["index.html"];
    assert!(!index.contains("<script"), "script injected");
    assert!(!index.contains("<img"), "markup injected");
    assert!(index.contains("&lt;script&gt;alert(1)&lt;/script&gt; Police"));
    assert!(index.contains("href=\"https://example.org/%22%3E%3Cscript%3Ealert(2)%3C/script%3E\""));
    assert!(index.contains("Kent &quot;Quoted&quot; &amp; &#39;Apostrophe&#39; Police"));
    assert!(index.contains("&lt;/li&gt;&lt;/ul&gt;&lt;script&gt;alert(4)"));
    assert!(!site["feed.atom"].contains("<script"));
    roxmltree::Document::parse(&site["feed.atom"]).expect("feed stays well-formed");
    let json: Value = serde_json::from_str(&site["forces.json"]).unwrap();
    assert!(json["forces"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["name"] == "<script>alert(1)</script> Police"));
}

#[test]
fn no_editor_name_or_internal_note_reaches_any_published_file() {
    let env = TestEnv::init();
    env.set_editor("Zebedee Secretname");
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof", "-m", "private reason xyzzy"]);
    env.ok(&["note", "add", "--force", "kent-police", "internal plugh"]);
    env.ok(&["publish"]);
    for (name, body) in read_site(&env.path("publish")) {
        for secret in ["Zebedee", "Secretname", "xyzzy", "plugh"] {
            assert!(!body.contains(secret), "{name} contains {secret}");
        }
    }
}

#[test]
fn a_kill_at_any_moment_leaves_one_whole_recorded_site() {
    let env = TestEnv::init();
    env.ok(&["publish"]);
    // how long a whole publish takes here, so the kills can be spread across all of it
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/timed"]);
    let started = Instant::now();
    env.ok(&["publish"]);
    let whole = started.elapsed();
    // A kill before staging or after the swap leaves no trace; one in between leaves a
    // temporary site beside `publish`, or a recorded publication not yet swapped in. Each such
    // kill is kept as (round, new temporary directories, not swapped in); the loop goes on past
    // its first rounds until one kill has landed mid-publish.
    let mut interrupted = Vec::new();
    let mut round = 0u32;
    while round < 16 || (interrupted.is_empty() && round < 200) {
        env.ok(&["set-url", "kent-police", &format!("https://www.kent.police.uk/round-{round}")]);
        let temps_before = publish_temps(&env);
        let mut child = env.command().args(["publish"]).stdout(Stdio::null()).spawn().unwrap();
        // 5% to 125% of a whole publish, in a scattered order
        std::thread::sleep(whole * (1 + (round * 7) % 25) / 20);
        let _ = child.kill();
        let status = child.wait().unwrap();
        let (on_disk, recorded) = assert_site_is_a_recorded_publication(&env);
        let new_temps: Vec<String> =
            publish_temps(&env).into_iter().filter(|t| !temps_before.contains(t)).collect();
        let not_swapped_in = on_disk != recorded[0];
        if !new_temps.is_empty() || not_swapped_in {
            assert_eq!(status.code(), None, "round {round}: a publish that exited left {new_temps:?}");
            interrupted.push((round, new_temps, not_swapped_in));
        }
        // the next publish completes what the kill interrupted, and the log stays whole
        env.ok(&["publish"]);
        let (on_disk, recorded) = assert_site_is_a_recorded_publication(&env);
        assert_eq!(on_disk, recorded[0], "round {round}: the newest publication is not the site");
        let index = read_site(&env.path("publish"))["index.html"].clone();
        assert!(index.contains(&format!("round-{round}\"")), "round {round}: the site is not up to date");
        assert!(env.ok(&["audit", "verify"]).contains("intact"), "round {round}");
        round += 1;
    }
    eprintln!(
        "{} of {round} kills (publish takes {whole:?}) landed mid-publish: {interrupted:?}",
        interrupted.len()
    );
    assert!(!interrupted.is_empty(), "no kill in {round} rounds landed while a publish was under way");
}

/// The temporary directories beside `publish` (`.publish.tmp-…`), by name.
fn publish_temps(env: &TestEnv) -> Vec<String> {
    std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".publish.tmp-"))
        .collect()
}

/// The site on disk is exactly one recorded publication: its files match its manifest and
/// the manifest's sha256 is a recorded publication's. Returns that sha256 and every recorded
/// publication's, newest first.
pub fn assert_site_is_a_recorded_publication(env: &TestEnv) -> (String, Vec<String>) {
    let dir = env.path("publish");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join(".uof-admin-manifest.json")).unwrap()).unwrap();
    let mut listing = String::new();
    let mut files: Vec<&Value> = manifest["files"].as_array().unwrap().iter().collect();
    files.sort_by_key(|f| f["path"].as_str().unwrap().to_owned());
    for file in &files {
        let path = file["path"].as_str().unwrap();
        let body = std::fs::read(dir.join(path)).unwrap();
        let sha = sha256_hex(&body);
        assert_eq!(sha, file["sha256"].as_str().unwrap(), "{path} does not match the manifest");
        listing.push_str(&format!("{sha}  {path}\n"));
    }
    assert_eq!(sha256_hex(listing.as_bytes()), manifest["sha256"].as_str().unwrap());
    let on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(on_disk.len(), files.len() + 1, "stray files in the site: {on_disk:?}");
    let pubs = env.json(&["publications", "--json"]);
    let recorded: Vec<String> = pubs["publications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sha256"].as_str().unwrap().to_owned())
        .collect();
    let site_sha = manifest["sha256"].as_str().unwrap().to_owned();
    assert!(recorded.contains(&site_sha), "the site is not a recorded publication");
    (site_sha, recorded)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
