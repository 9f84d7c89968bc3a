//! What goes public (SPEC section 16): `approve`, `publish --dry-run`, `status` and `admin serve`
//! show the public difference from the last publication, and a dry run is refused as the real
//! publish is.
use crate::editor::{get, serve};
use crate::testenv::{assert_error_shape, TestEnv, EPOCH};

const OLD: &str = "https://www.staffordshire.police.uk/old-uof";
const NEW: &str = "https://www.staffordshire.police.uk/use-of-force";
const LINE: &str = "Staffordshire Police (staffordshire-police): link https://www.staffordshire.police.uk/old-uof → https://www.staffordshire.police.uk/use-of-force";

/// alice (admin) and bob (publisher), Staffordshire's old link published.
fn team() -> TestEnv {
    let env = TestEnv::init();
    env.ok(&["--editor", "alice", "editor", "add", "alice", "--role", "admin"]);
    env.ok(&["--editor", "alice", "editor", "add", "bob", "--role", "publisher"]);
    env.ok(&["--editor", "alice", "editor", "add", "carol"]);
    env.ok(&["--editor", "alice", "set-url", "staffordshire-police", OLD]);
    env.ok(&["--editor", "alice", "publish", "--without-approval", "-m", "first"]);
    env
}

fn as_(env: &TestEnv, who: &str, args: &[&str]) -> String {
    env.ok(&[&["--editor", who][..], args].concat())
}

#[test]
fn approve_dry_run_and_status_show_the_old_and_new_link() {
    let env = team();
    as_(&env, "bob", &["set-url", "staffordshire-police", NEW]);
    let status = as_(&env, "alice", &["status"]);
    assert!(status.contains("Goes public:\n  1 force\n  ") && status.contains(LINE), "{status}");
    let approve = as_(&env, "alice", &["approve"]);
    assert!(approve.contains("what goes public:\n") && approve.contains(LINE), "{approve}");
    let dry = as_(&env, "bob", &["publish", "--dry-run"]);
    assert!(dry.contains("approved by alice") && dry.contains(LINE), "{dry}");
    // the JSON of status carries it too, old and new
    let json = env.json(&["status", "--json"]);
    let force = &json["goes_public"]["forces"][0];
    assert_eq!((force["url"]["before"].as_str(), force["url"]["after"].as_str()), (Some(OLD), Some(NEW)));
    // and once published, nothing goes public any more
    as_(&env, "bob", &["publish"]);
    assert!(!as_(&env, "alice", &["status"]).contains("Goes public"));
}

#[test]
fn the_page_text_is_shown_as_a_word_difference() {
    let env = team();
    as_(&env, "bob", &["page", "set", "heading", "Use of Force Data for England and Wales"]);
    as_(&env, "bob", &["page", "set", "base-url", "https://www.example.gov.uk/uof/"]);
    let approve = as_(&env, "alice", &["approve"]);
    assert!(approve.contains("  page heading: Use of Force Data {+for England and Wales+}\n"), "{approve}");
    assert!(approve.contains("  page page's address: {+https://www.example.gov.uk/uof/+}\n"), "{approve}");
    as_(&env, "alice", &["page", "set", "heading", "Use of Force Figures for England and Wales"]);
    let dry = as_(&env, "bob", &["publish", "--dry-run", "--without-approval", "-m", "checked"]);
    assert!(dry.contains("page heading: Use of Force [-Data-] {+Figures for England and Wales+}"), "{dry}");
    // the public history names the page's address in words the public knows
    assert!(dry.contains("Updated the heading and page's address."), "{dry}");
    assert!(!dry.contains("base URL"), "{dry}");
}

/// The dry run and the real publish, as `who`: the same exit code and the same stderr.
fn refused_alike(env: &TestEnv, who: &str, extra: &[&str], code: i32) -> String {
    let before = env.json(&["history", "--json"]);
    let dry = env.fails(&[&["--editor", who, "publish", "--dry-run"][..], extra].concat(), code);
    let real = env.fails(&[&["--editor", who, "publish"][..], extra].concat(), code);
    assert_eq!(dry, real, "the dry run and the real publish say different things");
    assert_eq!(env.json(&["history", "--json"]), before, "a refused publish changed something");
    dry
}

#[test]
fn a_dry_run_is_refused_as_the_real_publish_is() {
    let env = team();
    as_(&env, "alice", &["set-url", "staffordshire-police", NEW]);
    // not approved
    let err = refused_alike(&env, "bob", &[], 2);
    assert!(err.contains("this content has not been approved"), "{err}");
    // an editor may not publish at all
    let err = refused_alike(&env, "carol", &[], 2);
    assert!(err.contains("carol is an editor; `publish` needs the publisher role"), "{err}");
    // once approved, both go ahead
    as_(&env, "bob", &["approve"]);
    assert!(as_(&env, "alice", &["publish", "--dry-run"]).contains("would publish major publication 2"));
    let publications = env.json(&["publications", "--json"])["publications"].as_array().unwrap().len();
    assert_eq!(publications, 1, "the dry run recorded nothing");
}

#[test]
fn a_dry_run_with_a_broken_link_is_refused_as_the_real_one_is() {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("listen");
    let port = server.server_addr().to_ip().expect("an IP address").port();
    let answering = std::thread::spawn(move || {
        for request in server.incoming_requests().take(4) {
            let _ = request.respond(tiny_http::Response::from_string("gone").with_status_code(404));
        }
    });
    let env = TestEnv::init();
    env.ok(&["publish"]);
    let url = format!("http://127.0.0.1:{port}/uof");
    env.ok(&["set-url", "kent-police", &url, "--allow-http"]);
    assert_eq!(
        env.run(&["check-links", "--allow-private", "--force", "kent-police"]).code,
        1,
        "the link is broken"
    );
    let err = refused_alike(&env, "alice", &[], 1);
    assert!(err.contains("a link is broken: Kent Police"), "{err}");
    assert!(err.contains("--allow-broken"), "{err}");
    let dry = env.ok(&["publish", "--dry-run", "--allow-broken"]);
    assert!(dry.contains(&format!("Kent Police (kent-police): link none → {url}")), "{dry}");
    drop(answering);
}

#[test]
fn the_serve_page_shows_the_difference_escaped() {
    let env = team();
    let hostile = "<script>alert(\"x\")</script> 'quoted' & more";
    as_(&env, "bob", &["set-url", "staffordshire-police", NEW]);
    as_(&env, "bob", &["note", "add", "--force", "kent-police", "--public", hostile]);
    as_(&env, "bob", &["rename-force", "essex-police", "Essex <b>Police</b> \"Service\""]);
    let server = serve(&env);
    let (code, index) = get(&server.1, "/");
    assert_eq!(code, 200);
    assert!(index.contains("<a href=\"/difference.html\">"), "the preview links to it");
    let (code, page) = get(&server.1, "/difference.html");
    assert_eq!(code, 200);
    assert!(
        page.contains(&format!("<del><span class=\"visually-hidden\">removed: </span>{OLD}</del>")),
        "{page}"
    );
    assert!(
        page.contains(&format!("<ins><span class=\"visually-hidden\">added: </span>{NEW}</ins>")),
        "{page}"
    );
    assert!(
        page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &#39;quoted&#39; &amp; more"),
        "the note is escaped: {page}"
    );
    assert!(page.contains("Essex &lt;b&gt;Police&lt;/b&gt; &quot;Service&quot;"), "{page}");
    assert!(!page.contains("<script>") && !page.contains("<b>"), "markup got through");
    assert!(page.contains("<iframe src=\"/\" title=\"The page as it will be published\">"), "{page}");
    drop(server);
}

#[test]
fn control_characters_in_a_note_are_shown_escaped_in_the_terminal() {
    let env = team();
    as_(
        &env,
        "bob",
        &["note", "add", "--force", "kent-police", "--public", "line one\nline two \"q\" <script>"],
    );
    let approve = as_(&env, "alice", &["approve"]);
    assert!(
        approve.contains(
            "Kent Police (kent-police): public note added \"line one\\nline two \"q\" <script>\"\n"
        ),
        "{approve}"
    );
}

#[test]
fn a_force_the_public_never_saw_is_added_not_restored() {
    let env = TestEnv::init();
    env.ok(&["add-force", "Isle of Man Constabulary", "-m", "crown dependency"]);
    env.ok(&["retire-force", "isle-of-man-constabulary", "-m", "not in scope after all"]);
    env.ok(&["publish"]);
    env.set_epoch(EPOCH + 60);
    env.ok(&["restore-force", "isle-of-man-constabulary", "-m", "in scope again"]);
    let dry = env.ok(&["publish", "--dry-run"]);
    assert!(dry.contains("Isle of Man Constabulary (isle-of-man-constabulary): added"), "{dry}");
    let out = env.ok(&["publish"]);
    assert!(out.contains("note: Added Isle of Man Constabulary."), "{out}");
    assert!(!out.contains("Restored"), "{out}");
    // retired while public, then back: restored
    env.set_epoch(EPOCH + 120);
    env.ok(&["retire-force", "isle-of-man-constabulary"]);
    env.ok(&["publish"]);
    env.set_epoch(EPOCH + 180);
    env.ok(&["restore-force", "isle-of-man-constabulary"]);
    assert!(env.ok(&["publish"]).contains("note: Restored Isle of Man Constabulary."));
    // added and retired between two publications: nothing to say
    env.set_epoch(EPOCH + 240);
    env.ok(&["add-force", "States of Jersey Police"]);
    env.ok(&["retire-force", "states-of-jersey-police"]);
    assert!(env.ok(&["publish"]).contains("nothing to publish"));
}

#[test]
fn two_updates_on_one_day_are_two_feed_entries() {
    let env = TestEnv::init();
    env.ok(&["publish"]);
    env.set_epoch(EPOCH + 3600);
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    env.ok(&["publish"]);
    env.set_epoch(EPOCH + 7200);
    env.ok(&["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    env.ok(&["publish"]);
    let feed = std::fs::read_to_string(env.path("publish").join("feed.atom")).unwrap();
    let doc = roxmltree::Document::parse(&feed).expect("feed.atom is XML");
    let entries: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("entry")).collect();
    let child = |entry: &roxmltree::Node, name: &str| {
        entry.children().find(|c| c.has_tag_name(name)).and_then(|c| c.text()).unwrap_or_default().to_owned()
    };
    let titles: Vec<String> = entries.iter().map(|e| child(e, "title")).collect();
    assert_eq!(
        titles,
        [
            "Update 3 of 24 November 2025, 18:00 UTC",
            "Update 2 of 24 November 2025, 17:00 UTC",
            "Update 1 of 24 November 2025, 16:00 UTC"
        ]
    );
    let mut ids: Vec<String> = entries.iter().map(|e| child(e, "id")).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "each entry has its own id");
}

#[test]
fn status_counts_what_goes_public_and_lists_a_screenful_of_forces() {
    let env = TestEnv::init();
    env.ok(&["publish"]);
    let forces = env.json(&["list", "--json"]);
    let slugs: Vec<String> = forces["forces"]
        .as_array()
        .unwrap()
        .iter()
        .take(14)
        .map(|f| f["slug"].as_str().unwrap().to_owned())
        .collect();
    for slug in &slugs {
        env.ok(&["set-url", slug, &format!("https://www.example.police.uk/{slug}/uof")]);
    }
    let status = env.ok(&["status"]);
    assert!(status.contains("Goes public:\n  14 forces\n"), "{status}");
    assert!(status.contains("  … and 2 more\n"), "{status}");
    assert_eq!(status.matches("): link none → https://www.example.police.uk/").count(), 12, "{status}");
    let dry = env.ok(&["publish", "--dry-run"]);
    assert_eq!(dry.matches("): link none → https://www.example.police.uk/").count(), 14, "{dry}");
}

#[test]
fn a_dry_run_into_a_place_no_lock_can_be_made_fails_as_the_real_one_does() {
    let env = TestEnv::init();
    let dry = env.run(&["publish", "--out", "/proc/self/x", "--dry-run"]);
    let real = env.run(&["publish", "--out", "/proc/self/x"]);
    assert_eq!((dry.code, real.code), (1, 1), "{}{}", dry.stderr, real.stderr);
    // the same words (`/proc/self` is each process's own)
    let words = |stderr: &str| stderr.split('/').next().unwrap_or_default().to_owned();
    assert_eq!(words(&dry.stderr), words(&real.stderr));
    assert_error_shape(&dry.stderr);
    assert!(
        dry.stderr.contains("cannot make its lock file") && dry.stderr.contains("no file can be made there"),
        "{}",
        dry.stderr
    );
    assert_eq!(env.change_count(), 46, "nothing recorded");
}
