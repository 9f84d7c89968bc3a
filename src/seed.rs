//! The seed: the page as it stood before this tool, `seed/use-of-force-data-page.md`. Its
//! heading, introduction and force names are what `admin init` loads; its `#` links are
//! placeholders, so no force starts with a URL.
use anyhow::{bail, Result};

pub const SEED: &str = include_str!("../seed/use-of-force-data-page.md");

/// Short names people call forces by (`met`, `psni`), each with the slug of its force:
/// `seed/short-names.txt`, one pair a line, `#` starting a comment.
pub const SHORT_NAMES: &str = include_str!("../seed/short-names.txt");

/// The slug a short name stands for, ignoring case, if it is one.
pub fn short_name(arg: &str) -> Option<&'static str> {
    let arg = arg.trim();
    SHORT_NAMES
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once(char::is_whitespace))
        .find(|(short, _)| short.eq_ignore_ascii_case(arg))
        .map(|(_, slug)| slug.trim())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    pub heading: String,
    /// Paragraphs of plain text.
    pub intro: Vec<String>,
    pub forces: Vec<String>,
}

/// Read the seed's Markdown: one `# ` heading, paragraphs, and `- [Name](#)` list items.
pub fn parse(text: &str) -> Result<Seed> {
    let mut heading = None;
    let mut intro = Vec::new();
    let mut forces = Vec::new();
    let mut paragraph = String::new();
    let flush = |paragraph: &mut String, intro: &mut Vec<String>| {
        if !paragraph.is_empty() {
            intro.push(std::mem::take(paragraph));
        }
    };
    for line in text.lines().map(str::trim) {
        if let Some(h) = line.strip_prefix("# ") {
            heading = Some(h.trim().to_owned());
        } else if let Some(item) = line.strip_prefix("- ") {
            flush(&mut paragraph, &mut intro);
            let name = item
                .strip_prefix('[')
                .and_then(|rest| rest.split_once("]("))
                .map(|(name, _)| name)
                .unwrap_or(item);
            forces.push(name.trim().to_owned());
        } else if line.is_empty() {
            flush(&mut paragraph, &mut intro);
        } else if forces.is_empty() {
            if !paragraph.is_empty() {
                paragraph.push(' ');
            }
            paragraph.push_str(line);
        }
    }
    flush(&mut paragraph, &mut intro);
    let Some(heading) = heading else { bail!("the seed has no `# ` heading") };
    Ok(Seed { heading, intro, forces })
}

/// The seed this binary was built with.
pub fn builtin() -> Result<Seed> {
    parse(SEED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_seed_has_the_page_and_45_forces() {
        let seed = builtin().unwrap();
        assert_eq!(seed.heading, "Use of Force Data");
        assert_eq!(seed.intro.len(), 3);
        assert!(seed.intro[0].starts_with("Police are charged with maintaining order"));
        assert!(seed.intro[2].ends_with("as this project continues as regular practice."));
        assert_eq!(seed.forces.len(), 45);
        assert_eq!(seed.forces[0], "Avon and Somerset Constabulary");
        assert_eq!(seed.forces[9], "Devon & Cornwall Police");
        assert_eq!(seed.forces[44], "Wiltshire Police");
    }

    #[test]
    fn every_short_name_is_of_a_seeded_force() {
        let slugs: Vec<String> =
            builtin().unwrap().forces.iter().map(|f| crate::validate::slug_from_name(f).unwrap()).collect();
        let mut count = 0;
        for line in SHORT_NAMES.lines().filter(|l| !l.starts_with('#')) {
            let (short, slug) = line.split_once(char::is_whitespace).unwrap();
            assert!(slugs.iter().any(|s| s == slug.trim()), "{short}: no seeded force {slug}");
            count += 1;
        }
        assert!(count >= 10);
        assert_eq!(short_name("MET"), Some("metropolitan-police-service"));
        assert_eq!(short_name("kent"), None);
    }

    #[test]
    fn the_builtin_seed_matches_the_shared_one_when_present() {
        let shared =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seed/use-of-force-data-page.md");
        if let Ok(text) = std::fs::read_to_string(&shared) {
            assert_eq!(text, SEED, "seed/ is out of date with ../shared/seed/");
        }
    }
}
