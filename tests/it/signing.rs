//! Signed changes (SPEC section 11), with keys made by `ssh-keygen -t ed25519` and signatures
//! checked both by `admin audit verify` and by `ssh-keygen -Y verify` against the printed
//! allowed_signers file. `.ci/run` installs openssh-client; without ssh-keygen these tests fail
//! rather than pass unchecked.
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::testenv::{TestEnv, EPOCH};

pub fn keygen(env: &TestEnv, name: &str) -> PathBuf {
    let path = env.path(name);
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&path)
        .output()
        .expect("ssh-keygen is installed (apt-get install openssh-client)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    path
}

pub fn pubkey(path: &Path) -> String {
    format!("{}.pub", path.display())
}

/// `admin` as `who`, signing with `key`.
pub fn signed(env: &TestEnv, who: &str, key: &Path, args: &[&str]) -> String {
    let mut all = vec!["--editor", who, "--signing-key", key.to_str().unwrap()];
    all.extend_from_slice(args);
    env.ok(&all)
}

/// `admin` as `who` signing with `key`, expected to fail with `code`; returns stderr.
fn refused_signing(env: &TestEnv, who: &str, key: &str, args: &[&str], code: i32) -> String {
    let mut all = vec!["--editor", who, "--signing-key", key];
    all.extend_from_slice(args);
    env.fails(&all, code)
}

/// A team whose admin alice and editor bob have keys.
fn keyed_team() -> (TestEnv, PathBuf, PathBuf) {
    let env = TestEnv::init();
    let alice = keygen(&env, "alice_key");
    let bob = keygen(&env, "bob_key");
    // alice registers herself with her first key: that change is signed with it
    signed(&env, "alice", &alice, &["editor", "add", "alice", "--role", "admin", "--key", &pubkey(&alice)]);
    signed(&env, "alice", &alice, &["editor", "add", "bob", "--key", &pubkey(&bob)]);
    (env, alice, bob)
}

/// `ssh-keygen -Y verify` of one change with the allowed_signers file admin prints.
fn ssh_keygen_verifies(env: &TestEnv, id: i64, signer: &str, at: Option<&str>) -> (bool, String) {
    std::fs::write(env.path("allowed_signers"), env.ok(&["editor", "allowed-signers"])).unwrap();
    let canonical =
        env.command().args(["audit", "canonical", "--signed", &id.to_string()]).output().unwrap().stdout;
    let change = env.changes().into_iter().find(|c| c["id"] == id).unwrap();
    let signature = change["signature"].as_str().expect("the change is signed");
    std::fs::write(env.path("change.sig"), signature).unwrap();
    let mut cmd = Command::new("ssh-keygen");
    cmd.args(["-Y", "verify", "-f"])
        .arg(env.path("allowed_signers"))
        .args(["-I", signer, "-n", "uof-admin", "-s"])
        .arg(env.path("change.sig"));
    if let Some(at) = at {
        cmd.arg(format!("-Overify-time={at}"));
    }
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&canonical).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    )
}

#[test]
fn signed_changes_verify_with_admin_and_with_ssh_keygen() {
    let (env, _alice, bob) = keyed_team();
    let out = signed(&env, "bob", &bob, &["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    assert!(out.contains("(change 49)"), "{out}");
    let change = &env.changes()[0];
    let signature = change["signature"].as_str().unwrap();
    assert!(signature.starts_with("-----BEGIN SSH SIGNATURE-----\n"), "{signature}");
    // the canonical bytes are exactly what the hash covers
    let canonical = env.command().args(["audit", "canonical", "49"]).output().unwrap().stdout;
    let previous =
        env.changes().into_iter().find(|c| c["id"] == 48).unwrap()["hash"].as_str().unwrap().to_owned();
    let mut hasher = Sha256::new();
    hasher.update(previous.as_bytes());
    hasher.update(&canonical);
    assert_eq!(format!("{:x}", hasher.finalize()), change["hash"].as_str().unwrap());
    // what the signature covers: this database's id and the previous hash, then those bytes
    let signed = env.command().args(["audit", "canonical", "--signed", "49"]).output().unwrap().stdout;
    let id: String =
        env.sql().query_row("SELECT value FROM meta WHERE key = 'database_id'", [], |r| r.get(0)).unwrap();
    let mut expected = format!("uof-admin change v2\ndatabase {id}\nprevious {previous}\n").into_bytes();
    expected.extend_from_slice(&canonical);
    assert_eq!(signed, expected);
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
    let (ok, out) = ssh_keygen_verifies(&env, 49, "bob", None);
    assert!(ok && out.contains("Good \"uof-admin\" signature for bob"), "{out}");
    // ssh-keygen itself refuses the signature for another principal
    let (ok, _) = ssh_keygen_verifies(&env, 49, "alice", None);
    assert!(!ok);
    let list = env.json(&["editor", "list", "--json"]);
    assert!(list["editors"][1]["key"].as_str().unwrap().starts_with("SHA256:"), "{list}");
    // unkeyed changes carry no signature: `init`'s
    assert_eq!(env.changes().last().unwrap()["signature"], Value::Null);
}

#[test]
fn a_keyed_editor_without_their_key_or_with_another_key_is_refused() {
    let (env, alice, bob) = keyed_team();
    let before = env.json(&["history", "--json"]);
    let err = env.fails(&["--editor", "bob", "set-url", "kent-police", "https://www.kent.police.uk/uof"], 2);
    assert!(err.contains("bob must sign their changes, and no signing key was given"), "{err}");
    assert!(err.contains("hint: pass --signing-key FILE (or set UOF_SIGNING_KEY)"), "{err}");
    let err = refused_signing(
        &env,
        "bob",
        alice.to_str().unwrap(),
        &["set-url", "kent-police", "https://x.example/"],
        2,
    );
    assert!(err.contains("is not bob's registered key"), "{err}");
    let err = env.fails(
        &["--editor", "bob", "--signing-key", &pubkey(&bob), "set-url", "kent-police", "https://x.example/"],
        2,
    );
    assert!(err.contains("is not an OpenSSH private key"), "{err}");
    let err = env.fails(
        &["--editor", "bob", "--signing-key", "missing_key", "set-url", "kent-police", "https://x.example/"],
        2,
    );
    assert!(err.contains("cannot read the signing key `missing_key`"), "{err}");
    // the environment variable works as the flag does
    let run = env
        .command()
        .env("UOF_SIGNING_KEY", &alice)
        .args(["--editor", "bob", "set-url", "kent-police", "https://x.example/"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("is not bob's registered key"));
    assert_eq!(env.json(&["history", "--json"]), before, "nothing changed");
    // a key that is not ed25519 is not registered
    let rsa = env.path("rsa_key");
    Command::new("ssh-keygen")
        .args(["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f"])
        .arg(&rsa)
        .output()
        .unwrap();
    let mut args = vec![
        "--editor",
        "alice",
        "--signing-key",
        alice.to_str().unwrap(),
        "editor",
        "add",
        "carol",
        "--key",
    ];
    let rsa_pub = pubkey(&rsa);
    args.push(&rsa_pub);
    let err = env.fails(&args, 2);
    assert!(err.contains("not ed25519"), "{err}");
}

#[test]
fn a_change_added_behind_the_tools_back_in_a_keyed_editors_name_fails_verify() {
    let (env, _alice, bob) = keyed_team();
    signed(&env, "bob", &bob, &["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    // a forger with the database file appends a change in bob's name: a valid chain link, no
    // signature (and the table row to match, so only the signature gives it away)
    let conn = env.sql();
    let (prev, last): (String, i64) = conn
        .query_row("SELECT hash, id FROM changes ORDER BY id DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let before = r#"{"name":"Kent Police","slug":"kent-police","status":"active","url":"https://www.kent.police.uk/uof"}"#;
    let after =
        r#"{"name":"Kent Police","slug":"kent-police","status":"active","url":"https://evil.example.com/"}"#;
    let body = format!(
        r#"{{"action":"set-url","after":{after},"at":"2025-11-24T16:00:00Z","before":{before},"editor":"bob","entity":"force","force":"kent-police","id":{},"message":null}}"#,
        last + 1
    );
    let hash = format!("{:x}", Sha256::digest(format!("{prev}{body}").as_bytes()));
    conn.execute(
        "INSERT INTO changes (id, at, editor, action, entity, force, before, after, message, hash) VALUES (?1, '2025-11-24T16:00:00Z', 'bob', 'set-url', 'force', 'kent-police', ?2, ?3, NULL, ?4)",
        rusqlite::params![last + 1, before, after, hash],
    )
    .unwrap();
    conn.execute("UPDATE forces SET url = 'https://evil.example.com/' WHERE slug = 'kent-police'", [])
        .unwrap();
    drop(conn);
    let err = env.fails(&["audit", "verify"], 1);
    assert!(
        err.contains(&format!(
            "failed at change {}: it has no signature, but bob signs with the key SHA256:",
            last + 1
        )),
        "{err}"
    );
    // a signature copied from another change does not fit this one
    let other = env.changes().into_iter().find(|c| c["id"] == last).unwrap()["signature"]
        .as_str()
        .unwrap()
        .to_owned();
    let conn = env.sql();
    conn.execute_batch("DROP TRIGGER changes_no_update;").unwrap();
    conn.execute("UPDATE changes SET signature = ?1 WHERE id = ?2", rusqlite::params![other, last + 1])
        .unwrap();
    let err = env.fails(&["audit", "verify"], 1);
    assert!(
        err.contains(&format!("failed at change {}: the signature does not match for bob's key", last + 1)),
        "{err}"
    );
}

#[test]
fn a_rotated_key_leaves_earlier_changes_valid() {
    let (env, alice, bob) = keyed_team();
    signed(&env, "bob", &bob, &["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    let bob2 = keygen(&env, "bob_key_2");
    env.set_epoch(EPOCH + 3600);
    let out = signed(&env, "alice", &alice, &["editor", "set-key", "bob", &pubkey(&bob2)]);
    assert!(out.contains("bob's key is now SHA256:"), "{out}");
    env.set_epoch(EPOCH + 7200);
    let err = refused_signing(
        &env,
        "bob",
        bob.to_str().unwrap(),
        &["set-url", "essex-police", "https://www.essex.police.uk/uof"],
        2,
    );
    assert!(err.contains("is not bob's registered key"), "{err}");
    signed(&env, "bob", &bob2, &["set-url", "essex-police", "https://www.essex.police.uk/uof"]);
    assert!(env.ok(&["audit", "verify"]).contains("intact"), "old and new signatures verify");
    let signers = env.ok(&["editor", "allowed-signers"]);
    let bob_lines: Vec<&str> = signers.lines().filter(|l| l.starts_with("bob ")).collect();
    assert_eq!(bob_lines.len(), 2, "{signers}");
    assert!(
        signers.contains("valid-after=\"20251124160000Z\",valid-before=\"20251124170000Z\""),
        "{signers}"
    );
    // ssh-keygen verifies the old change at its own time, and the new one now
    let (ok, out) = ssh_keygen_verifies(&env, 49, "bob", Some("20251124160000Z"));
    assert!(ok, "{out}");
    let (ok, out) = ssh_keygen_verifies(&env, 51, "bob", None);
    assert!(ok, "{out}");
}

#[test]
fn ssh_agent_signs_when_no_key_file_is_given() {
    let (env, _alice, bob) = keyed_team();
    let socket = env.path("agent.sock");
    let agent = Command::new("ssh-agent").arg("-D").arg("-a").arg(&socket).stdout(Stdio::null()).spawn();
    let mut agent = agent.expect("ssh-agent is installed (openssh-client)");
    for _ in 0..100 {
        if socket.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let added = Command::new("ssh-add").env("SSH_AUTH_SOCK", &socket).arg(&bob).output().unwrap();
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let run = env
        .command()
        .env("SSH_AUTH_SOCK", &socket)
        .args(["--editor", "bob", "set-url", "kent-police", "https://www.kent.police.uk/uof"])
        .output()
        .unwrap();
    let _ = agent.kill();
    let _ = agent.wait();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(env.changes()[0]["signature"].as_str().is_some());
    assert!(env.ok(&["audit", "verify"]).contains("intact"));
    let (ok, out) = ssh_keygen_verifies(&env, 49, "bob", None);
    assert!(ok, "{out}");
}

#[test]
fn a_key_removed_by_a_forged_change_still_binds_its_editor() {
    let (env, _alice, bob) = keyed_team();
    signed(&env, "bob", &bob, &["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    // a forger strips bob's key in a change of their own, then writes as bob unsigned
    let before = env.json(&["editor", "list", "--json"]);
    assert_eq!(before["editors"][1]["name"], "bob");
    let id = crate::testenv::forge_change(
        &env,
        "mallory",
        "set-key",
        "editor",
        None,
        Some(serde_json::json!({"name": "bob", "role": "editor", "status": "active", "key": "x"})),
        Some(serde_json::json!({"name": "bob", "role": "editor", "status": "active"})),
    );
    let err = env.fails(&["audit", "verify"], 1);
    assert!(err.contains(&format!("failed at change {id}")), "{err}");
    // and a signature nobody's key required is not accepted as decoration either
    let env = TestEnv::init();
    env.ok(&["set-url", "kent-police", "https://www.kent.police.uk/uof"]);
    let conn = env.sql();
    conn.execute_batch("DROP TRIGGER changes_no_update;").unwrap();
    conn.execute("UPDATE changes SET signature = 'junk' WHERE id = 47", []).unwrap();
    let err = env.fails(&["audit", "verify"], 1);
    assert!(
        err.contains(
            "failed at change 47: it carries a signature, but alice had no key registered to make one"
        ),
        "{err}"
    );
}

#[test]
fn two_editors_cannot_share_a_key() {
    let (env, alice, bob) = keyed_team();
    let err = env.fails(
        &[
            "--editor",
            "alice",
            "--signing-key",
            alice.to_str().unwrap(),
            "editor",
            "add",
            "carol",
            "--key",
            &pubkey(&bob),
        ],
        2,
    );
    assert!(err.contains("that key is already bob's: a key must name one editor"), "{err}");
}
