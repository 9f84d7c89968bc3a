//! Where a site is read from: a directory (through `files`: regular files named directly, never
//! a link followed, a FIFO waited on or more than a limit) or an http(s) address (each file
//! fetched with a timeout and a size limit).
use std::path::PathBuf;

use anyhow::Result;

use crate::exit_codes::failed_hint;
use crate::files;

/// The largest file of a site read.
pub const MAX_FILE: u64 = files::MAX_SITE_FILE;

/// The most read from one site in all.
const MAX_TOTAL: u64 = 4 * MAX_FILE;

/// How long one file of a site may take to fetch.
const TIMEOUT_SECS: u64 = 30;

const TIMEOUT_HINT: &str =
    "the site did not answer in 30 seconds: try again later, or fetch its files and give their directory";

/// Whether a fetch gave up because the site was too slow.
fn timed_out(e: &ureq::Error) -> bool {
    match e {
        ureq::Error::Timeout(_) => true,
        ureq::Error::Io(e) => e.kind() == std::io::ErrorKind::TimedOut,
        _ => false,
    }
}

pub enum Source {
    Dir { path: PathBuf, dir: files::Dir, read: u64 },
    Url { base: String, agent: ureq::Agent, read: u64 },
}

impl Source {
    /// `site` as a directory, or as an address when it starts `http://` or `https://`.
    pub fn open(site: &str) -> Result<Source> {
        if site.starts_with("https://") || site.starts_with("http://") {
            let base = if site.ends_with('/') { site.to_owned() } else { format!("{site}/") };
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .timeout_global(Some(std::time::Duration::from_secs(TIMEOUT_SECS)))
                .max_redirects(3)
                .build()
                .into();
            return Ok(Source::Url { base, agent, read: 0 });
        }
        let path = PathBuf::from(site);
        let hint = "give the directory of a published site, or its http(s) address";
        let dir = files::Dir::open(&path).map_err(|e| match e {
            // a path that names nothing is a slip in the command: bad input
            files::Refusal::Missing => crate::exit_codes::bad_hint(format!("`{site}` {e}"), hint),
            // a site is a directory: name what the path is instead
            files::Refusal::NotAFile(what) => {
                let what = if path.is_file() { "a file" } else { what };
                failed_hint(format!("`{site}` is {what}, not a directory"), hint)
            }
            e => failed_hint(format!("`{site}` {e}"), hint),
        })?;
        Ok(Source::Dir { path, dir, read: 0 })
    }

    /// How to name `file` of this site in a message.
    pub fn name(&self, file: &str) -> String {
        match self {
            Source::Dir { path, .. } => path.join(file).display().to_string(),
            Source::Url { base, .. } => format!("{base}{file}"),
        }
    }

    /// The bytes of `file`, `None` when the site has no such file.
    pub fn read(&mut self, file: &str) -> Result<Option<Vec<u8>>> {
        let name = self.name(file);
        let bytes = match self {
            Source::Dir { dir, read, .. } => match dir.read(file, MAX_FILE.min(MAX_TOTAL - *read)) {
                Ok(bytes) => {
                    *read += bytes.len() as u64;
                    bytes
                }
                Err(files::Refusal::Missing) => return Ok(None),
                Err(e) => {
                    return Err(failed_hint(format!("`{name}` {e}"), "a site holds regular files only"))
                }
            },
            Source::Url { agent, read, .. } => {
                let response = match agent.get(&name).call() {
                    Ok(response) => response,
                    Err(ureq::Error::StatusCode(404)) => return Ok(None),
                    Err(e) => {
                        let hint =
                            if timed_out(&e) { TIMEOUT_HINT } else { "check the address and the network" };
                        return Err(failed_hint(format!("failed to fetch `{name}`: {e}"), hint));
                    }
                };
                let limit = MAX_FILE.min(MAX_TOTAL - *read);
                let mut body = response.into_body();
                let bytes = body.with_config().limit(limit).read_to_vec().map_err(|e| {
                    let hint = if timed_out(&e) {
                        TIMEOUT_HINT.to_owned()
                    } else {
                        format!("a site's file is read up to {} MB", limit / (1024 * 1024))
                    };
                    failed_hint(format!("failed to read `{name}`: {e}"), hint)
                })?;
                *read += bytes.len() as u64;
                bytes
            }
        };
        Ok(Some(bytes))
    }

    /// The names of the files a directory holds (an address cannot be listed: `None`).
    pub fn list(&self) -> Result<Option<Vec<String>>> {
        let Source::Dir { path, .. } = self else { return Ok(None) };
        let mut names = Vec::new();
        for entry in std::fs::read_dir(path)? {
            names.push(entry?.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        Ok(Some(names))
    }
}
