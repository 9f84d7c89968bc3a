//! The files a publication adds to its page and data files so that anyone can check it
//! (SPEC section 18): `history.json`, `allowed_signers`, `checking.txt` (how to check the site,
//! `docs/checking-the-site.md`) and `publications.json`, whose newest record lists the sha256 of
//! every other file. A new publication's record is signed here, by the publisher's key; a past
//! one's is made again from what its `publish` change kept, signature and all.
use std::collections::BTreeMap;

use anyhow::Result;
use rusqlite::Connection;

use super::history;
use super::made::{make, Made, Sink, Site};
use super::record;
use crate::event::SiteRecord;
use crate::exit_codes::{bad_hint, failed_hint};
use crate::model::Publication;
use crate::published::Directory;
use crate::state::State;

/// The recipe a reader of the site follows to check it, published beside the page.
pub const CHECKING: &str = include_str!("../../docs/checking-the-site.md");

/// Who signs a new publication's record, and with what.
pub struct Signing<'a> {
    pub signer: Option<&'a crate::sign::Signer>,
    /// The publisher's registered key, where they have one.
    pub key: Option<&'a str>,
}

/// What a new publication adds to its page and data files so that it can be checked, made
/// before them (none of it is made from them, and `publish` renders them meanwhile): its
/// history, its signers, the record it will sign and the records before it.
pub struct Additions {
    history: Made,
    allowed_signers: Vec<u8>,
    record: SiteRecord,
    approval: Option<serde_json::Value>,
    records: Vec<serde_json::Value>,
    previous: Option<Vec<u8>>,
}

/// The additions of a new publication (`will_sign`: its record will be signed by its publisher),
/// its history made into `sink`. `before` is the directory the last publication showed (empty
/// before the first).
pub fn additions(
    conn: &Connection,
    checked: &super::Checked,
    before: Directory,
    publication: &Publication,
    will_sign: bool,
    sink: Sink,
) -> Result<Additions> {
    let state = &checked.now;
    let directory = Directory::of(&checked.content);
    let changes = crate::published::changes(&before, &directory);
    drop(before);
    let directory_sha256 = directory.sha256();
    // written out at once (into the staged site, where there is one): the entries borrow the
    // records
    let history =
        history::of(state, publication.id, directory, Some((&publication.at, &publication.note, &changes)));
    let history = make(sink, "history.json", |out| history::write(out, &history))?;
    let approval = state
        .approval
        .as_ref()
        .filter(|a| {
            Some(&a.by) == publication.approved_by.as_ref() && a.content_sha256 == publication.content_sha256
        })
        .map(|a| a.change);
    let approval = match approval {
        Some(id) => record::approval(conn, id)?.map(|value| (id, value)),
        None => None,
    };
    let mut signers = signers_of(state, publication.id - 1);
    if will_sign {
        signers.push(publication.editor.clone());
    }
    if approval.is_some() {
        signers.extend(publication.approved_by.clone());
    }
    let end = crate::db::changes::last_id(conn)? + 1;
    let allowed_signers = record::allowed_signers(conn, &signers, end)?;
    let (records, previous) = record::records(conn, state, publication.id - 1)?;
    Ok(Additions {
        history,
        allowed_signers,
        record: SiteRecord {
            files: BTreeMap::new(),
            directory: directory_sha256,
            changes,
            publisher: state.editors.contains_key(&publication.editor).then(|| publication.editor.clone()),
            signature: None,
            approval: approval.as_ref().map(|(id, _)| *id),
        },
        approval: approval.map(|(_, value)| value),
        records,
        previous,
    })
}

/// The whole site of a new publication: `base` (the page and data files) and its `additions`,
/// its record signed where it must be; and what its `publish` change keeps of its record.
pub fn new_publication(
    base: Site,
    additions: Additions,
    publication: &Publication,
    signing: Option<Signing>,
) -> Result<(Site, SiteRecord)> {
    let Additions { history, allowed_signers, mut record, approval, mut records, previous } = additions;
    let (site, files) = with_files(base, history, allowed_signers);
    record.files = files;
    let unsigned = record::unsigned(publication, &record, previous.as_deref(), approval);
    if let Some(Signing { signer, key: Some(key) }) = signing {
        record.signature = Some(sign(&publication.editor, signer, key, &record::signed_bytes(&unsigned))?);
    }
    records.push(record::signed(unsigned, &publication.editor, record.signature.as_deref()));
    Ok((finish(site, &records)?, record))
}

/// The whole site of a past publication, as it was published: its record made again from its
/// `publish` change. `state` is the log up to at least that publication; `directory` what it
/// showed. A publication made before records were kept is its page and data files alone.
pub fn past_publication(
    conn: &Connection,
    base: Site,
    state: &State,
    directory: Directory,
    publication: &Publication,
    sink: Sink,
) -> Result<Site> {
    let Some(kept) = state.records.get(&publication.id) else { return Ok(base) };
    let signers = signers_of(state, publication.id);
    let history = history::of(state, publication.id, directory, None);
    let history = make(sink, "history.json", |out| history::write(out, &history))?;
    let allowed_signers = record::allowed_signers(conn, &signers, publication.change)?;
    let (site, files) = with_files(base, history, allowed_signers);
    if files != kept.files {
        let differs = files
            .iter()
            .find(|(path, sha)| kept.files.get(*path) != Some(sha))
            .map_or_else(|| "the list of files".to_owned(), |(path, _)| path.clone());
        return Err(failed_hint(
            format!(
                "re-rendering publication {} gives another {differs} than its record says: the page templates have changed since",
                publication.id
            ),
            "a new publication writes the site with this admin: publish the next change with `admin publish`",
        ));
    }
    let (records, _) = record::records(conn, state, publication.id)?;
    finish(site, &records)
}

/// Those who signed the records up to `up_to`: publishers and the approvers whose signed approval
/// a record carries.
fn signers_of(state: &State, up_to: i64) -> Vec<String> {
    let mut signers = Vec::new();
    for publication in state.publications.iter().filter(|p| p.id <= up_to) {
        let Some(kept) = state.records.get(&publication.id) else { continue };
        if kept.signature.is_some() {
            signers.push(publication.editor.clone());
        }
        if kept.approval.is_some() {
            signers.extend(publication.approved_by.clone());
        }
    }
    signers
}

/// `base` with `history.json`, `allowed_signers` and `checking.txt`, and every file's sha256.
fn with_files(mut base: Site, history: Made, allowed_signers: Vec<u8>) -> (Site, BTreeMap<String, String>) {
    base.push_made("history.json".to_owned(), history);
    base.push("allowed_signers".to_owned(), allowed_signers);
    base.push("checking.txt".to_owned(), CHECKING.as_bytes().to_vec());
    let files = base.hashed().map(|(path, _, sha)| (path.to_owned(), sha.to_owned())).collect();
    (base, files)
}

fn finish(mut site: Site, records: &[serde_json::Value]) -> Result<Site> {
    site.push("publications.json".to_owned(), record::publications_json(records)?);
    Ok(site)
}

/// The publisher signs the record with their registered key, as the gate signs their changes.
fn sign(editor: &str, signer: Option<&crate::sign::Signer>, key: &str, bytes: &[u8]) -> Result<String> {
    let (signer, public) = ready_to_sign(editor, signer, key)?;
    signer.sign_in(crate::sign::PUBLICATION_NAMESPACE, editor, &public, bytes)
}

/// Whether `editor` can sign their publication as `signing` asks: checked before anything of
/// the site is written, so that a publication that cannot be signed is refused as such, whatever
/// the disk it would have been written to.
pub fn check_signing(editor: &str, signing: &Signing) -> Result<()> {
    match signing.key {
        Some(key) => ready_to_sign(editor, signing.signer, key).map(drop),
        None => Ok(()),
    }
}

/// The signer and the registered public key a publisher signs with.
fn ready_to_sign<'a>(
    editor: &str,
    signer: Option<&'a crate::sign::Signer>,
    key: &str,
) -> Result<(&'a crate::sign::Signer, ssh_key::PublicKey)> {
    let signer = signer.ok_or_else(|| {
        bad_hint(
            format!("{editor} must sign their publications, and no signing key was given"),
            "pass --signing-key FILE (or set UOF_SIGNING_KEY), or load the key into ssh-agent",
        )
    })?;
    let public = ssh_key::PublicKey::from_openssh(key)
        .map_err(|e| anyhow::anyhow!("the registered key is unreadable: {e}"))?;
    Ok((signer, public))
}
