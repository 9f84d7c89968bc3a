//! Signed publications and a history anyone can check (SPEC section 18): a site passes
//! `admin audit verify-site` and the recipe of `docs/checking-the-site.md` (its commands run as
//! written, with sha256sum, ssh-keygen and python3), and each kind of damage fails both, named.
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::signing::{keygen, pubkey, signed};
use crate::testenv::{assert_error_shape, TestEnv, EPOCH};

/// A team of three with keys: alice (admin), bob and carol (publishers). Publication 1 and 2
/// are approved by carol and published by bob; then bob's key is replaced, and publication 3 is
/// signed with the new one. `old` is a copy of the site after publication 1.
struct Team {
    env: TestEnv,
    bob_old: PathBuf,
    bob: PathBuf,
}

fn team() -> Team {
    let env = TestEnv::init();
    let alice = keygen(&env, "alice_key");
    let bob_old = keygen(&env, "bob_old_key");
    let bob = keygen(&env, "bob_key");
    let carol = keygen(&env, "carol_key");
    let mut t = EPOCH;
    let mut at = |env: &TestEnv| {
        t += 60;
        env.set_epoch(t);
    };
    signed(&env, "alice", &alice, &["editor", "add", "alice", "--role", "admin", "--key", &pubkey(&alice)]);
    for (who, key) in [("bob", &bob_old), ("carol", &carol)] {
        signed(&env, "alice", &alice, &["editor", "add", who, "--role", "publisher", "--key", &pubkey(key)]);
    }
    at(&env);
    signed(&env, "carol", &carol, &["approve"]);
    signed(&env, "bob", &bob_old, &["publish", "--out", "site"]);
    copy_dir(&env.path("site"), &env.path("old"));
    at(&env);
    signed(&env, "bob", &bob_old, &["set-url", "kent-police", "https://kent.example/uof", "-m", "found"]);
    signed(&env, "carol", &carol, &["approve"]);
    signed(&env, "bob", &bob_old, &["publish", "--out", "site"]);
    at(&env);
    signed(&env, "alice", &alice, &["editor", "set-key", "bob", &pubkey(&bob)]);
    at(&env);
    signed(&env, "alice", &alice, &["note", "add", "--force", "essex-police", "an internal remark"]);
    signed(&env, "alice", &alice, &["rename-force", "essex-police", "Essex Constabulary", "-m", "renamed"]);
    signed(&env, "carol", &carol, &["approve"]);
    signed(&env, "bob", &bob, &["publish", "--out", "site"]);
    Team { env, bob_old, bob }
}

fn copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// The commands of `docs/checking-the-site.md`, as written.
fn recipe() -> String {
    let doc = include_str!("../../docs/checking-the-site.md");
    let mut script = String::new();
    let mut inside = false;
    for line in doc.lines() {
        match (inside, line) {
            (false, "```sh") => inside = true,
            (true, "```") => inside = false,
            (true, line) => {
                script.push_str(line);
                script.push('\n');
            }
            _ => {}
        }
    }
    assert!(script.contains("ssh-keygen -Y verify") && script.contains("sha256sum"), "{script}");
    script
}

/// Run the recipe in `site` (with `older` as OLDER): (exit code, stdout and stderr).
fn run_recipe(site: &Path, older: Option<&Path>) -> (i32, String) {
    let mut cmd = Command::new("bash");
    cmd.arg("-c").arg(recipe()).current_dir(site).env_clear().env("PATH", std::env::var("PATH").unwrap());
    if let Some(older) = older {
        cmd.env("OLDER", older);
    }
    let out = cmd.output().expect("bash");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

fn verify_site(env: &TestEnv, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["audit", "verify-site"];
    all.extend_from_slice(args);
    let run = env.run(&all);
    (run.code, run.stdout, run.stderr)
}

/// Both checks fail on `case`, each naming `what` (every piece of it).
fn both_fail(env: &TestEnv, case: &str, older: Option<&str>, what: &[&str]) {
    let site = env.path(case);
    let mut args = vec![site.to_str().unwrap()];
    let older_path = older.map(|o| env.path(o));
    if let Some(o) = &older_path {
        args.extend(["--since", o.to_str().unwrap()]);
    }
    let (code, _, stderr) = verify_site(env, &args);
    assert_eq!(code, 1, "verify-site passed {case}: {stderr}");
    assert_error_shape(&stderr);
    for w in what {
        assert!(stderr.contains(w), "verify-site on {case} does not say {w:?}:\n{stderr}");
    }
    let (code, text) = run_recipe(&site, older_path.as_deref());
    assert_ne!(code, 0, "the recipe passed {case}:\n{text}");
    assert!(text.contains("FAIL:"), "the recipe does not say FAIL on {case}:\n{text}");
    let fail = text.lines().filter(|l| l.contains("FAIL")).collect::<Vec<_>>().join("\n");
    for w in what {
        assert!(text.contains(w), "the recipe on {case} does not say {w:?}:\n{fail}\n---\n{text}");
    }
}

fn records(site: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(site.join("publications.json")).unwrap()).unwrap()
}

fn write_records(site: &Path, value: &Value) {
    std::fs::write(site.join("publications.json"), serde_json::to_vec_pretty(value).unwrap()).unwrap();
}

/// A record's signed bytes, as the recipe makes them (python3's sorted, compact JSON).
fn signed_bytes(env: &TestEnv, record: &Value) -> Vec<u8> {
    let mut child = Command::new("python3")
        .args(["-c", "import json,sys; r=json.load(sys.stdin); r.pop('signatures'); sys.stdout.buffer.write(json.dumps(r, sort_keys=True, separators=(',',':'), ensure_ascii=False).encode())"])
        .current_dir(env.dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(record.to_string().as_bytes()).unwrap();
    child.wait_with_output().unwrap().stdout
}

/// Sign `record` (its signatures replaced) with `key`, as a publisher would with ssh-keygen.
fn resign(env: &TestEnv, record: &mut Value, key: &Path) {
    let bytes = env.path("forged-record");
    std::fs::write(&bytes, signed_bytes(env, record)).unwrap();
    let _ = std::fs::remove_file(env.path("forged-record.sig"));
    let out = Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", "uof-admin-publication", "-f"])
        .arg(key)
        .arg(&bytes)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let signature = std::fs::read_to_string(env.path("forged-record.sig")).unwrap();
    record["signatures"] = serde_json::json!([{"signer": "bob", "signature": signature}]);
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_published_site_passes_both_checks_and_says_who_signed_it() {
    let team = team();
    let env = &team.env;
    let site = env.path("site");
    let (code, stdout, stderr) =
        verify_site(env, &[site.to_str().unwrap(), "--since", env.path("old").to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("3 records, the newest publication 3 (signed by bob)"), "{stdout}");
    assert!(stdout.contains("extends `") && stdout.contains("its 1 record is unchanged"), "{stdout}");
    let (code, text) = run_recipe(&site, Some(&env.path("old")));
    assert_eq!(code, 0, "{text}");
    for line in [
        "ok: every file is the one the newest record lists",
        "ok: 3 records, each naming the one before it",
        "ok: publication 3: record-3 signed by bob",
        "ok: publication 2: approval-2 signed by carol",
        "ok: history.json rebuilds all 3 publications",
        "ok: extends the older copy",
    ] {
        assert!(text.contains(line), "the recipe does not say {line:?}:\n{text}");
    }
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        index.contains("About this page: publication 3, signed by bob. <a href=\"checking.txt\">"),
        "{index}"
    );
    assert_eq!(
        std::fs::read_to_string(site.join("checking.txt")).unwrap(),
        include_str!("../../docs/checking-the-site.md")
    );
    // nothing internal: the internal note, editors' messages
    for file in std::fs::read_dir(&site).unwrap() {
        let text = std::fs::read_to_string(file.unwrap().path()).unwrap_or_default();
        assert!(!text.contains("an internal remark") && !text.contains("\"found\""), "{text}");
    }
    let history: Value = serde_json::from_slice(&std::fs::read(site.join("history.json")).unwrap()).unwrap();
    let third = &history["publications"][2]["forces"][0];
    assert_eq!(third["slug"], "essex-police");
    assert_eq!(third["renamed"], serde_json::json!(["Essex Police", "Essex Constabulary"]));
}

#[test]
fn an_edited_file_a_rewritten_record_and_a_dropped_one_fail_both_checks() {
    let team = team();
    let env = &team.env;
    copy_dir(&env.path("site"), &env.path("edited"));
    let csv = env.path("edited").join("forces.csv");
    let mut bytes = std::fs::read(&csv).unwrap();
    bytes.extend_from_slice(b"evil,Evil,https://evil.example/\n");
    std::fs::write(&csv, bytes).unwrap();
    both_fail(env, "edited", None, &["forces.csv"]);

    copy_dir(&env.path("site"), &env.path("rewritten"));
    let mut value = records(&env.path("rewritten"));
    value["publications"][1]["note"] = "Nothing changed.".into();
    write_records(&env.path("rewritten"), &value);
    both_fail(
        env,
        "rewritten",
        None,
        &["publication 3's record says the record before it", "a record was rewritten"],
    );

    copy_dir(&env.path("site"), &env.path("dropped"));
    let mut value = records(&env.path("dropped"));
    value["publications"].as_array_mut().unwrap().remove(1);
    write_records(&env.path("dropped"), &value);
    both_fail(env, "dropped", None, &["from publication 1 to publication 3", "a record is missing"]);
}

#[test]
fn a_key_out_of_its_time_and_an_approver_who_did_not_approve_fail_both_checks() {
    let team = team();
    let env = &team.env;
    // publication 3 signed again with the key bob had before it
    copy_dir(&env.path("site"), &env.path("old-key"));
    let mut value = records(&env.path("old-key"));
    resign(env, &mut value["publications"][2], &team.bob_old);
    write_records(&env.path("old-key"), &value);
    both_fail(env, "old-key", None, &["publication 3", "signature by bob"]);
    let (_, _, stderr) = verify_site(env, &[env.path("old-key").to_str().unwrap()]);
    assert!(stderr.contains("a key allowed_signers gives bob only from"), "{stderr}");

    // bob names alice as the approver and signs that with his own valid key
    copy_dir(&env.path("site"), &env.path("approver"));
    let mut value = records(&env.path("approver"));
    value["publications"][2]["approver"] = "alice".into();
    resign(env, &mut value["publications"][2], &team.bob);
    write_records(&env.path("approver"), &value);
    both_fail(env, "approver", None, &["publication 3 names alice as its approver", "carol's"]);
}

#[test]
fn a_history_that_rebuilds_another_directory_and_a_copy_that_does_not_extend_fail_both_checks() {
    let team = team();
    let env = &team.env;
    // a publisher who rewrites history.json and signs the record that lists it
    copy_dir(&env.path("site"), &env.path("history"));
    let path = env.path("history").join("history.json");
    let text =
        std::fs::read_to_string(&path).unwrap().replace("https://kent.example/uof", "https://evil.example/");
    std::fs::write(&path, &text).unwrap();
    let mut value = records(&env.path("history"));
    value["publications"][2]["files"]["history.json"] = sha256_hex(text.as_bytes()).into();
    resign(env, &mut value["publications"][2], &team.bob);
    write_records(&env.path("history"), &value);
    both_fail(env, "history", None, &["history.json rebuilds publication 2's directory"]);

    // an older copy whose record 1 differs from the newer site's
    copy_dir(&env.path("old"), &env.path("older"));
    let mut value = records(&env.path("older"));
    value["publications"][0]["note"] = "Published first.".into();
    write_records(&env.path("older"), &value);
    both_fail(env, "site", Some("older"), &["does not extend", "publication 1's record was rewritten"]);
}

#[test]
fn verify_site_reads_a_site_over_http_and_refuses_links_in_a_directory() {
    let team = team();
    let env = &team.env;
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let served = env.path("served");
    copy_dir(&env.path("site"), &served);
    let handle = std::thread::spawn(move || {
        for request in server.incoming_requests().take(40) {
            let name = request.url().trim_start_matches('/').to_owned();
            let response = match std::fs::read(served.join(&name)) {
                Ok(bytes) if !name.is_empty() && !name.contains('/') => tiny_http::Response::from_data(bytes),
                _ => tiny_http::Response::from_data(Vec::new()).with_status_code(404),
            };
            let _ = request.respond(response);
        }
    });
    let url = format!("http://127.0.0.1:{port}/");
    let (code, stdout, stderr) = verify_site(env, &[&url]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("the newest publication 3"), "{stdout}");
    std::fs::write(env.path("served").join("feed.atom"), "<feed/>").unwrap();
    let (code, _, stderr) = verify_site(env, &[&url]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(&format!("{url}feed.atom")) && stderr.contains("changed after it was published"),
        "{stderr}"
    );
    drop(handle);

    // a link in place of a file is refused by name, never followed
    copy_dir(&env.path("site"), &env.path("linked"));
    let linked = env.path("linked");
    std::fs::remove_file(linked.join("forces.json")).unwrap();
    std::os::unix::fs::symlink(env.path("site").join("forces.json"), linked.join("forces.json")).unwrap();
    let (code, _, stderr) = verify_site(env, &[linked.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert_error_shape(&stderr);
    assert!(stderr.contains("forces.json"), "{stderr}");
    let (code, _, stderr) = verify_site(env, &[env.path("nowhere").to_str().unwrap()]);
    assert_eq!(code, 2, "a path that names nothing is bad input: {stderr}");
    assert_error_shape(&stderr);
}

#[test]
fn an_unsigned_publication_says_so() {
    let env = TestEnv::init();
    env.ok(&["publish", "--out", "site"]);
    let index = std::fs::read_to_string(env.path("site").join("index.html")).unwrap();
    assert!(index.contains("About this page: publication 1, unsigned."), "{index}");
    let value = records(&env.path("site"));
    assert_eq!(value["publications"][0]["signatures"], serde_json::json!([]));
    let (code, stdout, stderr) = verify_site(&env, &[env.path("site").to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("(unsigned)"), "{stdout}");
    let (code, text) = run_recipe(&env.path("site"), None);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("note: publication 1 is unsigned"), "{text}");
}

#[test]
fn a_repaired_site_and_a_past_publication_carry_their_records_as_published() {
    let team = team();
    let env = &team.env;
    let site = env.path("site");
    let before = std::fs::read(site.join("publications.json")).unwrap();
    let history = std::fs::read(site.join("history.json")).unwrap();
    std::fs::remove_file(site.join("publications.json")).unwrap();
    std::fs::write(site.join("history.json"), b"{}").unwrap();
    let out = signed(env, "bob", &team.bob, &["publish", "--out", "site"]);
    assert!(out.contains("rewrote"), "{out}");
    assert_eq!(
        std::fs::read(site.join("publications.json")).unwrap(),
        before,
        "the records come back as they were signed"
    );
    assert_eq!(std::fs::read(site.join("history.json")).unwrap(), history);
    // publication 2 rebuilt from the log passes on its own, and the live site extends it
    env.ok(&["publish", "--from-publication", "2", "--out", "p2"]);
    let (code, stdout, stderr) = verify_site(env, &[env.path("p2").to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("the newest publication 2 (signed by bob)"), "{stdout}");
    let (code, stdout, stderr) =
        verify_site(env, &[site.to_str().unwrap(), "--since", env.path("p2").to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("its 2 records are unchanged"), "{stdout}");
    let (code, _, stderr) =
        verify_site(env, &[env.path("p2").to_str().unwrap(), "--since", site.to_str().unwrap()]);
    assert_eq!(code, 1, "an older site does not extend a newer one: {stderr}");
    assert!(stderr.contains("it has no publication 3"), "{stderr}");
}

/// Publication 3 with its signature removed and index.html edited, its record's sha256 made to
/// match: bob held a key then, so the record must carry his signature.
#[test]
fn a_record_whose_signature_was_removed_fails_both_checks_where_its_publisher_held_a_key() {
    let team = team();
    let env = &team.env;
    copy_dir(&env.path("site"), &env.path("stripped"));
    let index = env.path("stripped").join("index.html");
    let text = std::fs::read_to_string(&index).unwrap().replace("Kent", "K<script>x</script>ent");
    std::fs::write(&index, &text).unwrap();
    let mut value = records(&env.path("stripped"));
    value["publications"][2]["files"]["index.html"] = sha256_hex(text.as_bytes()).into();
    value["publications"][2]["signatures"] = serde_json::json!([]);
    write_records(&env.path("stripped"), &value);
    both_fail(
        env,
        "stripped",
        None,
        &[
            "publication 3 is unsigned, but allowed_signers gives its publisher bob a key",
            "signature was removed",
        ],
    );
}

#[test]
fn a_record_carrying_the_same_signature_twice_fails_both_checks() {
    let team = team();
    let env = &team.env;
    copy_dir(&env.path("site"), &env.path("twice"));
    let mut value = records(&env.path("twice"));
    let signature = value["publications"][2]["signatures"][0].clone();
    value["publications"][2]["signatures"].as_array_mut().unwrap().push(signature);
    write_records(&env.path("twice"), &value);
    both_fail(env, "twice", None, &["publication 3 carries a signature by bob twice"]);
}

/// A reader keeps a copy after publication 3; bob publishes 4. Someone holding bob's retired key
/// then gives it back its validity in allowed_signers, edits index.html and signs publication 4
/// with it: the site alone cannot show it, the copy (which ends that key) can.
#[test]
fn a_newer_site_that_changes_a_key_of_an_older_copy_fails_both_checks() {
    let team = team();
    let env = &team.env;
    copy_dir(&env.path("site"), &env.path("copy3"));
    env.set_epoch(EPOCH + 600);
    signed(env, "bob", &team.bob, &["set-url", "kent-police", "https://kent.example/uof2", "-m", "moved"]);
    signed(env, "carol", &env.path("carol_key"), &["approve"]);
    signed(env, "bob", &team.bob, &["publish", "--out", "site"]);
    let (code, stdout, stderr) = verify_site(
        env,
        &[env.path("site").to_str().unwrap(), "--since", env.path("copy3").to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("the newest publication 4 (signed by bob)"), "{stdout}");

    copy_dir(&env.path("site"), &env.path("revived"));
    let path = env.path("revived").join("allowed_signers");
    let retired = pubkey_text(&team.bob_old);
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text.lines().find(|l| l.contains(&retired)).unwrap().to_owned();
    let until = line.find(",valid-before=").expect("the retired key has an end");
    let revived_line = format!("{}{}", &line[..until], &line[line.rfind('"').unwrap() + 1..]);
    let revived = text.replace(&line, &revived_line);
    std::fs::write(&path, &revived).unwrap();
    let index = env.path("revived").join("index.html");
    let page = std::fs::read_to_string(&index).unwrap().replace("Kent", "Kent <b>(moved)</b>");
    std::fs::write(&index, &page).unwrap();
    let mut value = records(&env.path("revived"));
    value["publications"][3]["files"]["allowed_signers"] = sha256_hex(revived.as_bytes()).into();
    value["publications"][3]["files"]["index.html"] = sha256_hex(page.as_bytes()).into();
    resign(env, &mut value["publications"][3], &team.bob_old);
    write_records(&env.path("revived"), &value);
    // the site alone agrees with itself (what docs/checking-the-site.md says it cannot tell)
    let (code, _, stderr) = verify_site(env, &[env.path("revived").to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    both_fail(
        env,
        "revived",
        Some("copy3"),
        &["does not keep bob's key", "a key was removed or its times changed"],
    );
}

/// The key (type and base64) in an OpenSSH public key file.
fn pubkey_text(key: &Path) -> String {
    let text = std::fs::read_to_string(format!("{}.pub", key.display())).unwrap();
    text.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
}

#[test]
fn verify_site_says_a_file_given_for_a_site_or_an_older_copy_is_not_a_directory() {
    let env = TestEnv::init();
    env.ok(&["publish", "--out", "site"]);
    std::fs::write(env.path("afile"), "x").unwrap();
    let afile = env.path("afile");
    let site = env.path("site");
    for args in
        [vec![afile.to_str().unwrap()], vec![site.to_str().unwrap(), "--since", afile.to_str().unwrap()]]
    {
        let (code, _, stderr) = verify_site(&env, &args);
        assert_eq!(code, 1, "{stderr}");
        assert_error_shape(&stderr);
        assert!(stderr.contains("afile` is a file, not a directory"), "{stderr}");
        assert!(!stderr.contains("regular file"), "{stderr}");
    }
}
