//! Which fields of a force or the page differ between two versions, as people name them.
use super::{Page, PageLink};
use crate::model::Force;

/// A force's fields that differ between two versions (its slug never changes).
pub fn force_fields_changed(before: &Force, after: &Force) -> Vec<&'static str> {
    let mut fields = Vec::new();
    if before.name != after.name {
        fields.push("name");
    }
    if before.url != after.url {
        fields.push("url");
    }
    if before.status != after.status {
        fields.push("status");
    }
    fields
}

/// The page's fields that differ between two versions, as people name them.
pub fn page_fields_changed(before: &Page, after: &Page) -> Vec<&'static str> {
    let mut fields = Vec::new();
    if before.heading != after.heading {
        fields.push("heading");
    }
    if before.intro != after.intro {
        fields.push("introduction");
    }
    if before.publisher != after.publisher {
        fields.push("publisher");
    }
    if before.contact != after.contact {
        fields.push("contact");
    }
    if before.licence != after.licence {
        fields.push("licence");
    }
    if before.base_url != after.base_url {
        fields.push("base URL");
    }
    if before.links != after.links {
        fields.push("related links");
    }
    fields
}

/// What changed on the page, for `history`: short values are shown before and after.
pub fn page_changes(before: &Page, after: &Page) -> Vec<String> {
    let text = |value: Option<&str>| value.map_or("nothing".to_owned(), |v| format!("{v:?}"));
    page_fields_changed(before, after)
        .into_iter()
        .map(|field| match field {
            "heading" => format!("heading {} to {}", text(Some(&before.heading)), text(Some(&after.heading))),
            "publisher" => format!(
                "publisher {} to {}",
                text(before.publisher.as_deref()),
                text(after.publisher.as_deref())
            ),
            "contact" => {
                format!("contact {} to {}", text(before.contact.as_deref()), text(after.contact.as_deref()))
            }
            "licence" => {
                format!("licence {} to {}", text(before.licence.as_deref()), text(after.licence.as_deref()))
            }
            "base URL" => format!(
                "base URL {} to {}",
                text(before.base_url.as_deref()),
                text(after.base_url.as_deref())
            ),
            "introduction" => {
                format!("introduction changed ({} to {} paragraphs)", before.intro.len(), after.intro.len())
            }
            "related links" => {
                let titles = |links: &[PageLink], others: &[PageLink]| -> Vec<String> {
                    links.iter().filter(|l| !others.contains(l)).map(|l| format!("{:?}", l.title)).collect()
                };
                let (added, removed) =
                    (titles(&after.links, &before.links), titles(&before.links, &after.links));
                let mut parts = Vec::new();
                if !added.is_empty() {
                    parts.push(format!("related link {} added", added.join(", ")));
                }
                if !removed.is_empty() {
                    parts.push(format!("related link {} removed", removed.join(", ")));
                }
                if parts.is_empty() {
                    "related links reordered".to_owned()
                } else {
                    parts.join("; ")
                }
            }
            other => format!("{other} changed"),
        })
        .collect()
}
