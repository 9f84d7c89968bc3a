//! The hot paths, measured with divan: `cargo bench --bench hot_paths`.
//!
//! - `chain_hash`: sealing N changes one after another (canonical JSON + sha256 each);
//! - `canonical_json`: one force change's body;
//! - `render_seed_site`: the whole site of a fresh `init` (index.html, forces.json, forces.csv,
//!   feed.atom), through `publish::preview`, which reads the content and renders every file;
//! - `replay_as_of`: `list --as-of` on a database of the 45 seed forces and 20,000 changes,
//!   made once in a temporary directory;
//! - `verify_database`: `audit verify` (`verify::database`: the chain, each change's `before`,
//!   the publications, and the live tables against the replayed log) on that same database;
//! - `sign_change` / `verify_signature`: signing one change's canonical JSON with a key file
//!   (reading the key included, as the gate does) and checking that SSHSIG signature, as
//!   `audit verify` does for each signed change (a key made by `ssh-keygen -t ed25519`; skipped
//!   when ssh-keygen is not installed).
use std::sync::OnceLock;

use admin::audit::{body, canonical_json, Action};
use admin::db::{changes, Db};
use admin::directory::{self, Actor};
use admin::gate::NewChange;

fn main() {
    divan::main();
}

fn force_change(i: usize) -> NewChange {
    let before = admin::model::Force {
        id: 27,
        slug: "kent-police".into(),
        name: "Kent Police".into(),
        url: None,
        status: admin::model::ForceStatus::Active,
    };
    let after = admin::model::Force {
        url: Some(format!("https://www.kent.police.uk/use-of-force/{i}")),
        ..before.clone()
    };
    NewChange {
        at: "2026-11-25T12:00:00Z".into(),
        editor: "alice".into(),
        action: Action::SetUrl,
        event: admin::event::Event::Force { before: Some(before), after },
        message: Some("found on their site".into()),
        reverts: None,
        signer: None,
    }
}

#[divan::bench(args = [100, 1000])]
fn chain_hash(bencher: divan::Bencher, n: usize) {
    bencher.with_inputs(|| (0..n).map(force_change).collect::<Vec<_>>()).bench_values(|changes| {
        let mut prev = String::new();
        for (i, change) in changes.into_iter().enumerate() {
            prev = change.seal(i as i64 + 1, &prev).hash;
        }
        prev
    });
}

#[divan::bench]
fn canonical_json_of_a_change(bencher: divan::Bencher) {
    let value = body(&force_change(1).seal(1, ""));
    bencher.bench(|| canonical_json(divan::black_box(&value)));
}

struct Fixture {
    _dir: tempfile::TempDir,
    seed: Db,
    mid: Db,
}

fn actor(n: u64) -> Actor {
    let at = chrono::DateTime::from_timestamp(1_700_000_000 + n as i64 * 60, 0).unwrap_or_default();
    Actor { editor: "bench".into(), at: admin::clock::stamp(at), message: None, signer: None }
}

fn init(path: &std::path::Path) -> (Db, Vec<String>) {
    let seed = admin::seed::builtin().unwrap();
    let mut db = Db::create(path).unwrap();
    let slugs = db
        .write(|tx| {
            let mut slugs = Vec::new();
            for (i, name) in seed.forces.iter().enumerate() {
                slugs
                    .push(directory::add_force(tx, &actor(i as u64), Action::Init, name, None, None)?.0.slug);
            }
            let page = admin::state::Page {
                heading: seed.heading.clone(),
                intro: seed.intro.clone(),
                ..Default::default()
            };
            directory::set_page(tx, &actor(seed.forces.len() as u64), Action::Init, page)?;
            Ok(slugs)
        })
        .unwrap();
    (db, slugs)
}

fn fixture() -> &'static std::sync::Mutex<Fixture> {
    static FIXTURE: OnceLock<std::sync::Mutex<Fixture>> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let (seed, _) = init(&dir.path().join("seed.db"));
        let (mut mid, slugs) = init(&dir.path().join("mid.db"));
        mid.write(|tx| {
            for n in 0..20_000u64 {
                let slug = &slugs[(n * 7 % slugs.len() as u64) as usize];
                let actor = actor(45 + n);
                match n % 10 {
                    0 => {
                        directory::review(tx, &actor, slug, None)?;
                    }
                    1 => {
                        directory::add_note(tx, &actor, Some(slug), &format!("note {n}"), n % 3 == 0)?;
                    }
                    _ => {
                        directory::set_url(
                            tx,
                            &actor,
                            slug,
                            Some(format!("https://example.police.uk/{slug}/{n}")),
                        )?;
                    }
                }
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(mid.read(|tx| changes::last_id(tx)).unwrap(), 20_046);
        std::sync::Mutex::new(Fixture { _dir: dir, seed, mid })
    })
}

#[divan::bench]
fn render_seed_site(bencher: divan::Bencher) {
    let mut fixture = fixture().lock().unwrap();
    bencher
        .bench_local(|| fixture.seed.read(|tx| admin::publish::preview(tx, "2026-11-25T12:00:00Z")).unwrap());
}

#[divan::bench]
fn replay_as_of(bencher: divan::Bencher) {
    let mut fixture = fixture().lock().unwrap();
    // the middle of the 20,046 changes (45 forces and the page, then 20,000)
    let at = admin::clock::stamp(chrono::DateTime::from_timestamp(1_700_000_000 + 10_000 * 60, 0).unwrap());
    bencher.bench_local(|| {
        let entries = fixture.mid.read(|tx| admin::replay::list_as_of(tx, &at, false)).unwrap();
        assert_eq!(entries.len(), 45);
        entries
    });
}

#[divan::bench]
fn verify_database(bencher: divan::Bencher) {
    let mut fixture = fixture().lock().unwrap();
    bencher.bench_local(|| {
        let report = fixture.mid.read(|tx| admin::verify::database(tx)).unwrap();
        assert!(report.problem.is_none());
        report.checked
    });
}

struct Keyed {
    _dir: tempfile::TempDir,
    key: std::path::PathBuf,
    public: String,
    message: Vec<u8>,
    signature: String,
}

/// A key made by `ssh-keygen`, and one change signed with it; None without ssh-keygen.
fn keyed() -> Option<&'static Keyed> {
    static KEYED: OnceLock<Option<Keyed>> = OnceLock::new();
    KEYED
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let key = dir.path().join("key");
            let made = std::process::Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                .arg(&key)
                .status()
                .ok()?;
            assert!(made.success());
            let public =
                admin::sign::public_key(&std::fs::read_to_string(dir.path().join("key.pub")).unwrap())
                    .unwrap();
            let message = admin::audit::canonical_body(&force_change(1).seal(1, ""));
            let parsed = ssh_key::PublicKey::from_openssh(&public).unwrap();
            let signature = admin::sign::Signer::File(key.clone()).sign("alice", &parsed, &message).unwrap();
            Some(Keyed { _dir: dir, key, public, message, signature })
        })
        .as_ref()
}

#[divan::bench]
fn sign_change(bencher: divan::Bencher) {
    let Some(keyed) = keyed() else { return };
    let signer = admin::sign::Signer::File(keyed.key.clone());
    let public = ssh_key::PublicKey::from_openssh(&keyed.public).unwrap();
    bencher.bench(|| signer.sign("alice", &public, divan::black_box(&keyed.message)).unwrap());
}

#[divan::bench]
fn verify_signature(bencher: divan::Bencher) {
    let Some(keyed) = keyed() else { return };
    bencher.bench(|| {
        admin::sign::verify(&keyed.public, divan::black_box(&keyed.message), &keyed.signature).unwrap()
    });
}
