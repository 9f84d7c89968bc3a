//! The feed, `feed.atom`: an entry per major publication, for the readers that follow the page.
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use minijinja::Environment;
use sha2::{Digest, Sha256};

use crate::audit::hex;
use crate::content::Content;
use crate::model::Publication;
use crate::validate::xml_text;

/// `feed.atom`: an entry per major publication, newest first.
pub(super) fn feed(
    env: &Environment,
    content: &Content,
    history: &[Publication],
    publication: &Publication,
    feed_id: String,
    last_major_at: &str,
) -> Result<String> {
    // with a base URL the feed's links are absolute, as feed readers resolve them best
    let base = content.base_url.as_deref();
    let page_url = base.unwrap_or("index.html").to_owned();
    let feed_url = format!("{}feed.atom", base.unwrap_or(""));
    let feed_entries: Vec<_> = history
        .iter()
        .map(|p| {
            minijinja::context! {
                id => urn_uuid(&format!("publication {} {}", p.id, p.at)),
                at => xml_text(&p.at),
                title => xml_text(&entry_title(p)).into_owned(),
                note => xml_text(&p.note),
            }
        })
        .collect();
    env.get_template("feed.atom")?
        .render(minijinja::context! {
            title => xml_text(&content.heading),
            author => xml_text(content.publisher.as_deref().unwrap_or(&content.heading)),
            id => feed_id,
            updated => xml_text(last_major_at),
            page_url => xml_text(&page_url),
            feed_url => xml_text(&feed_url),
            entries => feed_entries,
            audit => publication.audit_head().map(|a| minijinja::context! { change => a.change, hash => a.hash }),
        })
        .context("failed to render feed.atom")
}

/// An update's title in the feed: its number and time, so that two updates on one day are two
/// entries a reader tells apart ("Update 5 of 5 December 2026, 09:30 UTC").
fn entry_title(p: &Publication) -> String {
    match DateTime::parse_from_rfc3339(&p.at) {
        Ok(at) => format!("Update {} of {}", p.id, at.with_timezone(&Utc).format("%-d %B %Y, %H:%M UTC")),
        Err(_) => format!("Update {} of {}", p.id, p.at),
    }
}

/// A stable `urn:uuid:` (version 5 style bits) from a seed string: Atom ids that never change.
pub(super) fn urn_uuid(seed: &str) -> String {
    let digest = Sha256::digest(format!("uof-admin {seed}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!("urn:uuid:{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_stable_and_well_formed() {
        let a = urn_uuid("x");
        assert_eq!(a, urn_uuid("x"));
        assert_ne!(a, urn_uuid("y"));
        assert_eq!(a.len(), "urn:uuid:".len() + 36);
        assert_eq!(&a[9 + 14..9 + 15], "5");
    }
}
