//! A word difference between two texts: runs of equal, removed and added words, so that a
//! changed sentence reads as the words that changed rather than as two whole paragraphs.
use serde::Serialize;
use similar::{capture_diff_slices_deadline, Algorithm, DiffTag};

/// What a run of words is in the new text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Run {
    Equal,
    Removed,
    Added,
}

/// Consecutive words of one kind, joined by single spaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Words {
    pub run: Run,
    pub text: String,
}

/// How long a word difference may take before the rest is shown as removed and added whole: a
/// 10 MB paragraph must not hold up `status`.
const DEADLINE: std::time::Duration = std::time::Duration::from_millis(200);

/// The runs that make `before` into `after`, word by word (words split at white space). Equal
/// texts give one equal run (none when both are empty).
pub fn diff(before: &str, after: &str) -> Vec<Words> {
    let old: Vec<&str> = before.split_whitespace().collect();
    let new: Vec<&str> = after.split_whitespace().collect();
    let deadline = std::time::Instant::now().checked_add(DEADLINE);
    let mut runs: Vec<Words> = Vec::new();
    let mut push = |run: Run, words: &[&str]| {
        if words.is_empty() {
            return;
        }
        match runs.last_mut() {
            Some(last) if last.run == run => {
                last.text.push(' ');
                last.text.push_str(&words.join(" "));
            }
            _ => runs.push(Words { run, text: words.join(" ") }),
        }
    };
    for op in capture_diff_slices_deadline(Algorithm::Myers, &old, &new, deadline) {
        let (tag, was, is) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => push(Run::Equal, &new[is]),
            DiffTag::Delete => push(Run::Removed, &old[was]),
            DiffTag::Insert => push(Run::Added, &new[is]),
            DiffTag::Replace => {
                push(Run::Removed, &old[was]);
                push(Run::Added, &new[is]);
            }
        }
    }
    runs
}

/// Whether the runs change anything.
pub fn changed(runs: &[Words]) -> bool {
    runs.iter().any(|w| w.run != Run::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(runs: &[Words]) -> String {
        runs.iter()
            .map(|w| match w.run {
                Run::Equal => w.text.clone(),
                Run::Removed => format!("[-{}-]", w.text),
                Run::Added => format!("{{+{}+}}", w.text),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn one_word_changed_is_one_word_removed_and_one_added() {
        let runs = diff("Data from the police forces of England.", "Data from the police forces of Wales.");
        assert_eq!(marked(&runs), "Data from the police forces of [-England.-] {+Wales.+}");
    }

    #[test]
    fn equal_and_empty_texts() {
        assert!(!changed(&diff("a b", "a  b")));
        assert!(diff("", "").is_empty());
        assert_eq!(marked(&diff("", "new words")), "{+new words+}");
        assert_eq!(marked(&diff("old words", "")), "[-old words-]");
    }
}
