//! The problems of an import file, every one of them: each names the file and where in it the
//! problem is (line, record or row), so that a file is fixed in one pass, not one run a line.
use super::Place;

/// One problem: where it is (`None`: the file as a whole), what it is, and what to do about it
/// when there is more to say than "fix the file".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub at: Option<Place>,
    pub message: String,
    pub hint: Option<String>,
}

impl Problem {
    pub fn at(at: Place, message: impl Into<String>, hint: Option<String>) -> Problem {
        Problem { at: Some(at), message: message.into(), hint }
    }

    /// A problem of the whole file: `message` is said of the file ("is an old Excel workbook").
    pub fn file(message: impl Into<String>, hint: impl Into<String>) -> Problem {
        Problem { at: None, message: message.into(), hint: Some(hint.into()) }
    }
}

/// Every problem of one file: bad input (exit 2), nothing imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems {
    pub file: String,
    pub list: Vec<Problem>,
}

impl Problems {
    pub fn new(file: &str, list: Vec<Problem>) -> Problems {
        Problems { file: file.to_owned(), list }
    }

    /// Each problem as the `error:` line it is shown as, with its own hint if it has one:
    /// "`forces.csv` line 7: the status "deleted" is neither active nor retired".
    pub fn lines(&self) -> Vec<(String, Option<String>)> {
        self.list
            .iter()
            .map(|p| {
                let file = if self.file.is_empty() { String::new() } else { format!("`{}`", self.file) };
                let line = match (p.at, file.is_empty()) {
                    (Some(at), true) => format!("{at}: {}", p.message),
                    (Some(at), false) => format!("{file} {at}: {}", p.message),
                    (None, true) => format!("the file {}", p.message),
                    (None, false) => format!("{file} {}", p.message),
                };
                (line, p.hint.clone())
            })
            .collect()
    }
}

impl std::fmt::Display for Problems {
    /// One problem as its line; more as the first and how many there are in all (the command
    /// shows every one).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lines = self.lines();
        match lines.as_slice() {
            [] => write!(f, "no problems in `{}`", self.file),
            [(one, _)] => f.write_str(one),
            [(first, _), ..] => write!(f, "{first} (and {} more problems)", lines.len() - 1),
        }
    }
}

impl std::error::Error for Problems {}
