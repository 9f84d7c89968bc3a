//! The public difference for people at a terminal: one function, used by `approve`,
//! `publish --dry-run` and `status`, so the three say the same thing the same way. Every value
//! is shown on one line with its control characters escaped (`output::one_line`); the page's
//! words are marked as `[-removed-]` and `{+added+}`.
use super::difference::{Changed, ForceChange, ForceDifference, PublicDifference};
use super::words::{Run, Words};

/// A value on one line: control characters escaped as the rest of the tool shows them
/// (`output::one_line`), and the invisible controls that reorder text (bidirectional overrides
/// and isolates), which input refuses but an older database may hold, escaped too.
fn one_line(text: &str) -> String {
    let bidi = |c: char| matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(bidi) {
        return crate::output::one_line(text);
    }
    let escaped: String =
        text.chars().map(|c| if bidi(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect();
    crate::output::one_line(&escaped)
}

/// How much to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Everything: each force, the page's words, links and notes.
    Full,
    /// A count of what changes, then at most this many lines about forces, then "… and N more".
    Compact(usize),
}

/// Forces added with nothing but their name, named one by one up to this many (a first
/// publication adds them all); beyond it, they are counted on one line.
const BARE_LISTED: usize = 3;

/// The longest removed or added run of the page's words in the compact form, in characters.
const COMPACT_RUN: usize = 30;

/// The longest line of the page's difference in the compact form, in characters.
const COMPACT_LINE: usize = 98;

/// Words of an unchanged run shown on each side of a change; the rest is `…`.
const CONTEXT: usize = 6;

/// The difference as lines, indented by two spaces, with no heading (the caller says what it
/// is the difference of). Nothing changing is one line saying so.
pub fn lines(difference: &PublicDifference, form: Form) -> Vec<String> {
    if difference.is_empty() {
        return vec!["  nothing the public sees changes".to_owned()];
    }
    let mut out = Vec::new();
    let forces: Vec<String> = difference.forces.iter().map(force_line).collect();
    match form {
        Form::Full => {
            // a first publication adds every force: those with nothing but their name are named
            // on one line, so that the ones with a link or a note stand out
            let bare = |f: &ForceDifference| {
                f.kind == ForceChange::Added
                    && f.url.as_ref().is_none_or(|u| u.after.is_none())
                    && f.data_to.as_ref().is_none_or(|d| d.after.is_none())
                    && f.notes_added.is_empty()
            };
            let bare_names: Vec<&str> =
                difference.forces.iter().filter(|f| bare(f)).map(ForceDifference::shown_name).collect();
            let fold = bare_names.len() > BARE_LISTED;
            for (force, line) in difference.forces.iter().zip(forces) {
                if !(fold && bare(force)) {
                    out.push(format!("  {line}"));
                }
            }
            if fold {
                out.push(format!(
                    "  {} forces added with no link yet: {}, … and {} more (`admin list` names them all)",
                    bare_names.len(),
                    bare_names.iter().take(BARE_LISTED).map(|n| one_line(n)).collect::<Vec<_>>().join(", "),
                    bare_names.len() - BARE_LISTED
                ));
            }
            out.extend(page_lines(difference, usize::MAX));
        }
        Form::Compact(limit) => {
            out.push(format!("  {}", counts(difference)));
            let more = forces.len().saturating_sub(limit);
            out.extend(forces.into_iter().take(limit).map(|l| format!("  {l}")));
            if more > 0 {
                out.push(format!("  … and {more} more"));
            }
            // a screenful: each of the page's lines cut short (`approve` shows them whole)
            out.extend(page_lines(difference, COMPACT_RUN).into_iter().map(|line| {
                match line.chars().count() > COMPACT_LINE {
                    true => format!("{}…", crate::output::prefix(&line, COMPACT_LINE - 1)),
                    false => line,
                }
            }));
        }
    }
    out
}

/// The page's part of the difference: its words marked, related links and notes on the data.
fn page_lines(difference: &PublicDifference, run_limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    for text in &difference.page {
        out.push(format!("  page {}: {}", text.field, marked_within(&text.words, run_limit)));
    }
    for link in &difference.links_added {
        out.push(format!("  page related link added: {} <{}>", one_line(&link.title), one_line(&link.url)));
    }
    for link in &difference.links_removed {
        out.push(format!("  page related link removed: {} <{}>", one_line(&link.title), one_line(&link.url)));
    }
    for note in &difference.notes_added {
        out.push(format!("  page public note added: \"{}\"", one_line(note)));
    }
    for note in &difference.notes_removed {
        out.push(format!("  page public note removed: \"{}\"", one_line(note)));
    }
    out
}

/// "2 forces; the page's introduction; 1 related link added": what changes, counted.
fn counts(difference: &PublicDifference) -> String {
    let mut parts = Vec::new();
    match difference.forces.len() {
        0 => {}
        1 => parts.push("1 force".to_owned()),
        n => parts.push(format!("{n} forces")),
    }
    let fields: Vec<&str> = difference.page_fields().into_iter().filter(|f| *f != "related links").collect();
    if !fields.is_empty() {
        parts.push(format!("the page's {}", fields.join(", ")));
    }
    let count = |n: usize, what: &str, how: &str| (n > 0).then(|| format!("{n} {what}{} {how}", plural(n)));
    parts.extend(count(difference.links_added.len(), "related link", "added"));
    parts.extend(count(difference.links_removed.len(), "related link", "removed"));
    parts.extend(count(difference.notes_added.len(), "note on the data as a whole", "added"));
    parts.extend(count(difference.notes_removed.len(), "note on the data as a whole", "removed"));
    parts.join("; ")
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `Kent Police: link https://old/ → https://new/`, one line per force.
fn force_line(force: &ForceDifference) -> String {
    let mut parts = Vec::new();
    let value = |v: &Option<String>| v.as_deref().map_or_else(|| "none".to_owned(), one_line);
    let arrow = |what: &str, c: &Changed| format!("{what} {} → {}", value(&c.before), value(&c.after));
    match force.kind {
        ForceChange::Added | ForceChange::Restored => {
            parts.push(if force.kind == ForceChange::Added { "added" } else { "restored" }.to_owned());
            if let Some(url) = force.url.as_ref().and_then(|u| u.after.as_deref()) {
                parts.push(format!("link {}", one_line(url)));
            }
            if let Some(day) = force.data_to.as_ref().and_then(|d| d.after.as_deref()) {
                parts.push(format!("data to {}", one_line(day)));
            }
        }
        // the status (active → retired) is what `kind` says
        ForceChange::Removed => parts.push("retired: no longer listed".to_owned()),
        ForceChange::Changed => {
            if force.renamed() {
                parts.push(arrow("name", &force.name));
            }
            parts.extend(force.url.as_ref().map(|c| arrow("link", c)));
            parts.extend(force.data_to.as_ref().map(|c| arrow("data to", c)));
        }
    }
    for note in &force.notes_added {
        parts.push(format!("public note added \"{}\"", one_line(note)));
    }
    for note in &force.notes_removed {
        parts.push(format!("public note removed \"{}\"", one_line(note)));
    }
    format!("{} ({}): {}", one_line(force.shown_name()), one_line(&force.slug), parts.join("; "))
}

/// The runs with their changes marked, long unchanged runs shortened to their ends.
#[cfg(test)]
pub fn marked(runs: &[Words]) -> String {
    marked_within(runs, usize::MAX)
}

/// `marked`, each removed or added run cut to `limit` characters, so that a long removal does
/// not hide what is added after it.
fn marked_within(runs: &[Words], limit: usize) -> String {
    let cut = |text: &str| match text.chars().count() > limit {
        true => format!("{}…", crate::output::prefix(text, limit.saturating_sub(1))),
        false => text.to_owned(),
    };
    let last = runs.len().saturating_sub(1);
    runs.iter()
        .enumerate()
        .map(|(i, w)| match w.run {
            Run::Removed => format!("[-{}-]", one_line(&cut(&w.text))),
            Run::Added => format!("{{+{}+}}", one_line(&cut(&w.text))),
            Run::Equal => one_line(&shortened(&w.text, i > 0, i < last)),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// An unchanged run with only `CONTEXT` words kept next to each change around it.
fn shortened(text: &str, change_before: bool, change_after: bool) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let keep = CONTEXT * (usize::from(change_before) + usize::from(change_after));
    if words.len() <= keep.max(CONTEXT) + 1 {
        return text.to_owned();
    }
    let head = if change_before { words[..CONTEXT].join(" ") } else { String::new() };
    let tail = if change_after { words[words.len() - CONTEXT..].join(" ") } else { String::new() };
    [head, "…".to_owned(), tail].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::words::diff;

    #[test]
    fn long_unchanged_runs_keep_their_ends_next_to_a_change() {
        let before = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen old";
        let after = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen new";
        assert_eq!(
            marked(&diff(before, after)),
            "… nine ten eleven twelve thirteen fourteen [-old-] {+new+}"
        );
        assert_eq!(marked(&diff("a\u{1b}[31m b", "a\u{1b}[31m c")), "a\\u{1b}[31m [-b-] {+c+}");
        assert_eq!(marked(&diff("Kent", "Kent\u{202E}ecilop")), "[-Kent-] {+Kent\\u{202e}ecilop+}");
    }
}
