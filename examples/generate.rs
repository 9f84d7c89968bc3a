//! A large database for the benchmarks, written through the library's own audited operations so
//! that `admin audit verify` passes on it.
//!
//! ```sh
//! cargo run --release --example generate -- OUT.db --forces 100000 --changes 1000000 --publications 10000
//! ```
//!
//! What it writes, in `Db::write` transactions of `--batch` operations (10,000 by default):
//!
//! - the page text and the 45 forces of the seed (`init` changes), then `add-force` changes up
//!   to `--forces` forces ("Force 000046 Constabulary", …);
//! - then, until the log holds `--changes` changes, a fixed pseudo-random mix of operations on
//!   random forces: 85 % `set-url` (alternating between two URLs), 5 % `rename-force`
//!   (alternating between two names), 6 % `review`, 3 % `add-note` (one in five public), 1 %
//!   `retire-force`/`restore-force`;
//! - every `changes / publications` changes, a publication *record*: the row `admin publish`
//!   inserts into `publications` and its `publish` change, through the same
//!   `publish::record`, with every other one major. Rendering the site of 100,000 forces
//!   10,000 times would take hours, so these records carry synthetic sha256 values
//!   (`sha256("synthetic publication N")`) and `publish --from-publication` cannot rebuild them;
//! - last, one real `admin publish` (`publish::publish`) into a temporary directory, so the
//!   newest publication is true to the content.
//!
//! Change times start at 2024-01-01T00:00:00Z and advance one minute per change.
//!
//! `--signed-by-key FILE` (an unencrypted OpenSSH ed25519 private key, with its public half in
//! `FILE.pub`, as `ssh-keygen -t ed25519 -N "" -f FILE` makes them) makes a database of signed
//! changes: right after the `init` changes, the five generated editors are registered with that
//! public key (`alice` first, adding herself; all five as `admin`, so any of them may record a
//! publication), and every later change is made with `Actor.signer = Signer::File(FILE)`, so the
//! gate signs it as `admin` would. The last publication is then made `--without-approval` (five
//! editors can publish). Only the 46 `init` changes are unsigned.
use std::path::PathBuf;
use std::time::Instant;

use admin::audit::{hex, Action};
use admin::db::{changes, publications, Db};
use admin::directory::{self, Actor};
use admin::model::{ForceStatus, Publication};
use admin::publish;
use anyhow::{bail, Context, Result};
use chrono::{Duration, TimeZone, Utc};
use sha2::{Digest, Sha256};

struct Args {
    out: PathBuf,
    forces: u64,
    changes: u64,
    publications: u64,
    batch: u64,
    signed_by_key: Option<PathBuf>,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        out: PathBuf::new(),
        forces: 100_000,
        changes: 1_000_000,
        publications: 10_000,
        batch: 10_000,
        signed_by_key: None,
    };
    let mut it = std::env::args().skip(1);
    let mut out = None;
    while let Some(arg) = it.next() {
        let mut number = |name: &str| -> Result<u64> {
            it.next().with_context(|| format!("{name} needs a number"))?.parse().context(name.to_owned())
        };
        match arg.as_str() {
            "--forces" => args.forces = number("--forces")?,
            "--changes" => args.changes = number("--changes")?,
            "--publications" => args.publications = number("--publications")?,
            "--batch" => args.batch = number("--batch")?.max(1),
            "--signed-by-key" => {
                args.signed_by_key = Some(PathBuf::from(it.next().context("--signed-by-key needs a file")?))
            }
            _ if arg.starts_with('-') => bail!("unknown option {arg}"),
            _ => out = Some(PathBuf::from(arg)),
        }
    }
    args.out =
        out.context("usage: generate OUT.db [--forces N] [--changes N] [--publications N] [--batch N] [--signed-by-key FILE]")?;
    if args.forces < 45 || args.changes < args.forces + args.publications + EDITORS.len() as u64 + 1 {
        bail!("need --forces >= 45 and --changes >= forces + publications + 1");
    }
    Ok(args)
}

/// xorshift64*: a fixed sequence, so every run makes the same database.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const EDITORS: [&str; 5] = ["alice", "bob", "carol", "dev", "erin"];

fn generated_name(i: u64, alternate: bool) -> String {
    format!("Force {i:06} {}", if alternate { "Police Service" } else { "Constabulary" })
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let started = Instant::now();
    let seed = admin::seed::builtin()?;
    let mut db = Db::create(&args.out)?;
    let epoch = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).single().context("epoch")?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    // the public half of the signing key, read (and checked) before anything is written
    let public_key = match &args.signed_by_key {
        Some(file) => {
            let mut public = file.clone().into_os_string();
            public.push(".pub");
            let text = std::fs::read_to_string(&public)
                .with_context(|| format!("cannot read {}", PathBuf::from(&public).display()))?;
            Some(admin::sign::public_key(&text)?)
        }
        None => None,
    };
    let signer = args.signed_by_key.clone().map(admin::sign::Signer::File);
    // one minute per change: the actor of the change about to be number `n`
    let actor_for = |n: u64, rng: &mut Rng| Actor {
        editor: EDITORS[rng.below(EDITORS.len() as u64) as usize].to_owned(),
        at: admin::clock::stamp(epoch + Duration::minutes(n as i64)),
        message: if rng.below(4) == 0 { Some(format!("generated change {n}")) } else { None },
        signer: signer.clone(),
    };

    // the seed's forces, as `admin init` adds them
    let mut slugs: Vec<String> = Vec::with_capacity(args.forces as usize);
    db.write(|tx| {
        for name in &seed.forces {
            let n = changes::last_id(tx)? as u64 + 1;
            let (force, _) =
                directory::add_force(tx, &actor_for(n, &mut rng), Action::Init, name, None, None)?;
            slugs.push(force.slug);
        }
        let n = changes::last_id(tx)? as u64 + 1;
        let page = admin::state::Page {
            heading: seed.heading.clone(),
            intro: seed.intro.clone(),
            ..Default::default()
        };
        directory::set_page(tx, &actor_for(n, &mut rng), Action::Init, page)?;
        // signed: the editors, each with the key, alice (the first, an admin) adding them all
        if let Some(key) = &public_key {
            for name in EDITORS {
                let n = changes::last_id(tx)? as u64 + 1;
                let actor = Actor { editor: EDITORS[0].to_owned(), ..actor_for(n, &mut rng) };
                admin::editors::add(tx, &actor, name, admin::editors::Role::Admin, Some(key.clone()))?;
            }
        }
        Ok(())
    })?;

    let last_real_publication = 1; // the final `publish`
    let synthetic = args.publications.saturating_sub(last_real_publication);
    let every = (args.changes / args.publications.max(1)).max(2);
    let mut published = 0u64;
    let mut pub_number = 0u64;

    loop {
        let done = db.write(|tx| {
            for _ in 0..args.batch {
                let last = changes::last_id(tx)? as u64;
                if last + 1 >= args.changes {
                    return Ok(true);
                }
                let n = last + 1;
                if pub_number < synthetic && n.is_multiple_of(every) {
                    pub_number += 1;
                    record_publication(tx, &actor_for(n, &mut rng), pub_number, published)?;
                    published = n - 1;
                    continue;
                }
                let actor = actor_for(n, &mut rng);
                if (slugs.len() as u64) < args.forces {
                    let i = slugs.len() as u64 + 1;
                    let (force, _) = directory::add_force(
                        tx,
                        &actor,
                        Action::AddForce,
                        &generated_name(i, false),
                        None,
                        None,
                    )?;
                    slugs.push(force.slug);
                    continue;
                }
                let slug = &slugs[rng.below(slugs.len() as u64) as usize];
                let roll = rng.below(100);
                if roll < 85 {
                    let force = directory::resolve(tx, slug)?;
                    let a = format!("https://www.example.police.uk/{slug}/use-of-force");
                    let url = if force.url.as_deref() == Some(a.as_str()) {
                        format!("https://www.example.police.uk/{slug}/use-of-force-data")
                    } else {
                        a
                    };
                    directory::set_url(tx, &actor, slug, Some(url))?;
                } else if roll < 90 {
                    let force = directory::resolve(tx, slug)?;
                    let i: u64 = force
                        .slug
                        .strip_prefix("force-")
                        .and_then(|s| s.get(..6))
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(0);
                    let new_name = if i == 0 {
                        // a seed force: toggle a suffix
                        match force.name.strip_suffix(" (renamed)") {
                            Some(base) => base.to_owned(),
                            None => format!("{} (renamed)", force.name),
                        }
                    } else {
                        generated_name(i, force.name.ends_with("Constabulary"))
                    };
                    directory::rename(tx, &actor, slug, &new_name)?;
                } else if roll < 96 {
                    directory::review(tx, &actor, slug, None)?;
                } else if roll < 99 {
                    let public = rng.below(5) == 0;
                    directory::add_note(tx, &actor, Some(slug), &format!("Generated note {n}."), public)?;
                } else {
                    let force = directory::resolve(tx, slug)?;
                    let status = match force.status {
                        ForceStatus::Active => ForceStatus::Retired,
                        ForceStatus::Retired => ForceStatus::Active,
                    };
                    directory::set_status(tx, &actor, slug, status)?;
                }
            }
            Ok(false)
        })?;
        let last = db.read(|tx| changes::last_id(tx))?;
        eprintln!("{last} changes, {:.0} s", started.elapsed().as_secs_f64());
        if done {
            break;
        }
    }

    // the newest publication is a real one
    let out = tempfile::tempdir()?;
    let n = db.read(|tx| changes::last_id(tx))? as u64 + 1;
    let options = publish::Options {
        out: out.path().join("site"),
        note: Some("Generated publication.".to_owned()),
        minor: false,
        dry_run: false,
        allow_broken: true,
        replace_site: false,
        // five editors can publish a signed database: no second check there
        without_approval: public_key.as_ref().map(|_| "Generated publication.".to_owned()),
        scheduled: None,
    };
    let actor = actor_for(n, &mut rng);
    let author = admin::gate::Author {
        editor: actor.editor,
        message: None,
        clock: admin::clock::Clock::fixed(epoch + Duration::minutes(n as i64)),
        signer: actor.signer,
    };
    publish::publish(&mut db, &author, &options)?;
    let (changes_n, pubs, forces) = db.read(|tx| {
        Ok((
            changes::last_id(tx)?,
            publications::last(tx)?.map_or(0, |p| p.id),
            admin::db::forces::count(tx)?,
        ))
    })?;
    eprintln!(
        "wrote {}: {forces} forces, {changes_n} changes, {pubs} publications in {:.0} s",
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// What `admin publish` records, without rendering: the publication row and its change.
fn record_publication(
    tx: &rusqlite::Connection,
    actor: &Actor,
    number: u64,
    covered_from: u64,
) -> Result<()> {
    let last_change = changes::last_id(tx)?;
    let synthetic = hex(&Sha256::digest(format!("synthetic publication {number}").as_bytes()));
    let publication = Publication {
        id: number as i64,
        at: actor.at.clone(),
        editor: actor.editor.clone(),
        note: format!("Generated publication {number}."),
        major: number % 2 == 1,
        sha256: synthetic.clone(),
        changes: vec![covered_from as i64 + 1, last_change],
        content_sha256: synthetic,
        first_change: covered_from as i64 + 1,
        last_change,
        head_hash: changes::head(tx)?.map(|h| h.hash),
        approved_by: None,
        // a database of five signed admins needs the second check: generated, without one
        without_approval: Some("Generated publication.".to_owned()),
        change: 0,
    };
    publish::record(tx, actor, &publication, None, None, None)?;
    Ok(())
}
