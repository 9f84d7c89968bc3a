//! A site's `allowed_signers` (OpenSSH's ALLOWED SIGNERS format), and checking a signature
//! against the keys it gives a signer at a time, as `ssh-keygen -Y verify -Overify-time` does.

/// One line: who, which key, between which times (`YYYYMMDDHHMMSS`, UTC).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub principals: Vec<String>,
    pub key: String,
    pub namespaces: Option<Vec<String>>,
    pub valid_after: Option<String>,
    pub valid_before: Option<String>,
}

/// Parse the file; a line that is not one is named.
pub fn parse(text: &str) -> Result<Vec<Line>, String> {
    let mut lines = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || format!("allowed_signers line {} is not an allowed-signers line", n + 1);
        let (principals, rest) = line.split_once(char::is_whitespace).ok_or_else(bad)?;
        let rest = rest.trim_start();
        let (options, key) =
            if rest.starts_with("ssh-") || rest.starts_with("ecdsa-") || rest.starts_with("sk-") {
                ("", rest)
            } else {
                split_options(rest).ok_or_else(bad)?
            };
        let mut entry = Line {
            principals: principals.split(',').map(str::to_owned).collect(),
            key: key.trim().to_owned(),
            namespaces: None,
            valid_after: None,
            valid_before: None,
        };
        for option in options_of(options) {
            let (name, value) = option.split_once('=').unwrap_or((option.as_str(), ""));
            let value = value.trim_matches('"');
            match name.to_ascii_lowercase().as_str() {
                "namespaces" => entry.namespaces = Some(value.split(',').map(str::to_owned).collect()),
                "valid-after" => entry.valid_after = Some(time(value).ok_or_else(bad)?),
                "valid-before" => entry.valid_before = Some(time(value).ok_or_else(bad)?),
                _ => {}
            }
        }
        lines.push(entry);
    }
    Ok(lines)
}

/// The options field (up to the first white space outside quotes) and the rest.
fn split_options(text: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => return Some((&text[..i], text[i..].trim_start())),
            _ => {}
        }
    }
    None
}

fn options_of(options: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in options.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => out.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `YYYYMMDD[HHMM[SS]][Z]` as `YYYYMMDDHHMMSS`.
fn time(text: &str) -> Option<String> {
    let digits = text.strip_suffix(['Z', 'z']).unwrap_or(text);
    if !digits.chars().all(|c| c.is_ascii_digit()) || ![8, 12, 14].contains(&digits.len()) {
        return None;
    }
    Some(format!("{digits:0<14}"))
}

/// An RFC 3339 UTC time (`2026-04-01T09:30:00Z`) as `YYYYMMDDHHMMSS`.
pub fn at(rfc3339: &str) -> String {
    rfc3339.chars().filter(char::is_ascii_digit).take(14).collect()
}

/// What checking a signature by `signer` at `when` (`YYYYMMDDHHMMSS`) found.
pub enum Found {
    Valid,
    /// A key of theirs made it, but allowed_signers does not give it them at that time.
    NotThen {
        after: Option<String>,
        before: Option<String>,
    },
    /// No key allowed_signers gives them made it.
    NoKey,
}

pub fn check(
    lines: &[Line],
    signer: &str,
    namespace: &str,
    when: &str,
    message: &[u8],
    signature: &str,
) -> Found {
    let mut found = Found::NoKey;
    for line in lines.iter().filter(|l| l.principals.iter().any(|p| p == signer)) {
        if line.namespaces.as_ref().is_some_and(|n| !n.iter().any(|n| n == namespace)) {
            continue;
        }
        if crate::sign::verify_in(namespace, &line.key, message, signature).is_err() {
            continue;
        }
        let after_ok = line.valid_after.as_deref().is_none_or(|a| a <= when);
        let before_ok = line.valid_before.as_deref().is_none_or(|b| when <= b);
        if after_ok && before_ok {
            return Found::Valid;
        }
        found = Found::NotThen { after: line.valid_after.clone(), before: line.valid_before.clone() };
    }
    found
}

/// Whether `lines` give `who` a key for `namespace` at `when` (`YYYYMMDDHHMMSS`).
pub fn held(lines: &[Line], who: &str, namespace: &str, when: &str) -> bool {
    lines.iter().any(|line| {
        line.principals.iter().any(|p| p == who)
            && line.namespaces.as_ref().is_none_or(|n| n.iter().any(|n| n == namespace))
            && line.valid_after.as_deref().is_none_or(|a| a <= when)
            && line.valid_before.as_deref().is_none_or(|b| when <= b)
    })
}

/// Whether `newer` keeps `line` of an older copy made at `then`: the same line, or (where the
/// key had no end then) the same line given an end no earlier than `then`. Keys are only ever
/// added or ended, never removed.
pub fn keeps(newer: &[Line], line: &Line, then: &str) -> bool {
    newer.iter().any(|new| {
        new.principals == line.principals
            && new.key == line.key
            && new.namespaces == line.namespaces
            && new.valid_after == line.valid_after
            && (new.valid_before == line.valid_before
                || (line.valid_before.is_none() && new.valid_before.as_deref().is_some_and(|b| b >= then)))
    })
}
