//! The architecture of `docs/architecture.md`, enforced on the source: every module sits in a
//! layer, no import points up a layer, the modules import each other in no circle, only the
//! projection writes the tables the log describes, the log's bodies are read in one place, and
//! no file is over 500 lines. Each rule fails naming the file and what breaks it.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every top-level module of `src/` and its layer, bottom up.
const LAYERS: &[(&str, u8)] = &[
    // 0, foundation: the types, `apply`, and pure functions of them; no I/O but the terminal
    ("audit", 0),
    ("clock", 0),
    ("content", 0),
    ("describe", 0),
    ("event", 0),
    ("exit_codes", 0),
    ("model", 0),
    ("output", 0),
    ("seed", 0),
    ("published", 0),
    ("state", 0),
    ("threads", 0),
    ("validate", 0),
    // 1, storage: SQL, and nothing else; files read from a directory someone else may have made
    ("db", 1),
    ("files", 1),
    // 2, the write path: the gate, the projection, reading the log into a state, signing
    ("gate", 2),
    ("log", 2),
    ("projection", 2),
    ("sign", 2),
    // 3, capabilities
    ("approval", 3),
    ("directory", 3),
    ("editors", 3),
    ("links", 3),
    ("page", 3),
    ("publish", 3),
    ("replay", 3),
    ("restore", 3),
    ("revert", 3),
    ("serve", 3),
    ("settings", 3),
    ("sitecheck", 3),
    ("status", 3),
    ("suggest", 3),
    ("transfer", 3),
    ("verify", 3),
    // 4, the interface: the command line and the commands
    ("cli", 4),
    ("commands", 4),
    ("completions", 4),
    ("lib", 4),
    ("usage", 4),
];

const LAYER_NAMES: [&str; 5] = ["foundation", "storage", "write path", "capabilities", "interface"];

/// The functions that write a projected table, and the one file that may call each.
const WRITERS: &[(&str, &str)] = &[
    ("forces::put", "src/projection.rs"),
    ("notes::put", "src/projection.rs"),
    ("reviews::insert", "src/projection.rs"),
    ("reviews::delete", "src/projection.rs"),
    ("page::write", "src/projection.rs"),
    ("editors::put", "src/projection.rs"),
    ("publications::insert", "src/projection.rs"),
    ("settings::put", "src/projection.rs"),
    ("changes::insert", "src/gate.rs"),
];

/// The files that may read a change's stored sides: the one decoding, the hash, the row reader
/// and verify's stream of stored text.
const SIDE_READERS: &[&str] = &["src/event.rs", "src/audit.rs", "src/db/changes.rs", "src/verify/mod.rs"];

const MAX_LINES: usize = 500;

/// A source file: its path from the crate root (`src/…`) and its text.
struct Source {
    path: String,
    text: String,
}

/// The module a file belongs to: `src/db/forces.rs` → `db`, `src/lib.rs` → `lib`.
fn module_of(path: &str) -> String {
    let rest = path.strip_prefix("src/").unwrap_or(path);
    let first = rest.split('/').next().unwrap_or(rest);
    first.strip_suffix(".rs").unwrap_or(first).to_owned()
}

/// The code of a file without its comments and without its tests (from `#[cfg(test)]` on).
fn code(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let code = match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        };
        out.push((i + 1, code.to_owned()));
    }
    out
}

/// The crate's modules each line names: `crate::db::…` and `use crate::{db, gate}`.
fn imports(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or("");
            for item in inner.split(',') {
                let name: String =
                    item.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !name.is_empty() && name != "self" {
                    found.push(name);
                }
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                found.push(name);
            }
        }
    }
    found
}

/// Every rule, checked on `sources`: what breaks each, one line each.
fn check(sources: &[Source]) -> Vec<String> {
    let layers: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let describe = |m: &str| match layers.get(m) {
        Some(&l) => format!("{m} (layer {l}, {})", LAYER_NAMES[usize::from(l)]),
        None => format!("{m} (in no layer)"),
    };
    let mut problems = Vec::new();
    // module → module → the first file and line that imports it
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for source in sources {
        let from = module_of(&source.path);
        if from == "main" {
            continue; // the binary: it uses the library as `admin::`
        }
        if !layers.contains_key(from.as_str()) {
            problems.push(format!(
                "{}: module `{from}` is in no layer; add it to LAYERS and docs/architecture.md",
                source.path
            ));
        }
        for (n, line) in code(&source.text) {
            for to in imports(&line) {
                if to == from {
                    continue;
                }
                let at = format!("{}:{n}", source.path);
                if let (Some(&a), Some(&b)) = (layers.get(from.as_str()), layers.get(to.as_str())) {
                    if b > a {
                        problems.push(format!(
                            "{at}: `crate::{to}` points up a layer: {} must not import {}",
                            describe(&from),
                            describe(&to)
                        ));
                    }
                }
                edges.entry(from.clone()).or_default().entry(to).or_insert(at);
            }
        }
        let lines = source.text.lines().count();
        if lines > MAX_LINES {
            problems.push(format!("{}: {lines} lines, over {MAX_LINES}: split it by concern", source.path));
        }
        for (n, line) in code(&source.text) {
            for (writer, only) in WRITERS {
                let called = line.contains(&format!("{writer}("));
                if called && source.path != *only {
                    problems.push(format!(
                        "{}:{n}: calls `{writer}`, which only {only} may: only the projection writes the tables the log describes",
                        source.path
                    ));
                }
            }
            let sides = [".before", ".after"]
                .iter()
                .any(|side| line.match_indices(side).any(|(i, _)| i == 0 || &line[i - 1..i] != "."));
            if sides && line.contains("change") && !SIDE_READERS.contains(&source.path.as_str()) {
                problems.push(format!(
                    "{}:{n}: reads a change's stored side: read its event (`change.event()`) instead",
                    source.path
                ));
            }
            if line.contains("json_extract") {
                problems.push(format!(
                    "{}:{n}: `json_extract` reads a change body in SQL: decode its event",
                    source.path
                ));
            }
        }
    }
    problems.extend(circles(&edges));
    problems
}

/// Each circle of imports among modules, once, with the file and line of each step.
fn circles(edges: &BTreeMap<String, BTreeMap<String, String>>) -> Vec<String> {
    let mut found = BTreeSet::new();
    let mut out = Vec::new();
    for start in edges.keys() {
        // a shortest way back to `start`, breadth first
        let mut back: BTreeMap<String, String> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start.clone()]);
        let mut closed = None;
        while let Some(m) = queue.pop_front() {
            for next in edges.get(&m).map(|e| e.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
                if next == *start {
                    closed = Some(m.clone());
                    break;
                }
                if !back.contains_key(&next) {
                    back.insert(next.clone(), m.clone());
                    queue.push_back(next);
                }
            }
            if closed.is_some() {
                break;
            }
        }
        let Some(mut last) = closed else { continue };
        let mut path = vec![start.clone()];
        let mut tail = vec![last.clone()];
        while last != *start {
            last = back[&last].clone();
            if last != *start {
                tail.push(last.clone());
            }
        }
        tail.reverse();
        path.extend(tail);
        let key: BTreeSet<String> = path.iter().cloned().collect();
        if !found.insert(key) {
            continue;
        }
        let steps: Vec<String> = path
            .iter()
            .zip(path.iter().skip(1).chain(std::iter::once(start)))
            .map(|(a, b)| format!("{a} → {b} ({})", edges[a][b]))
            .collect();
        out.push(format!("the modules import each other in a circle: {}", steps.join(", ")));
    }
    out
}

fn sources(root: &Path) -> Vec<Source> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<Source>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.push(Source { path: rel, text: std::fs::read_to_string(&path).unwrap() });
            }
        }
    }
    let mut out = Vec::new();
    walk(&root.join("src"), root, &mut out);
    out
}

#[test]
fn the_source_keeps_its_layers_and_its_invariants() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sources = sources(root);
    assert!(sources.len() > 50, "read the crate's sources");
    let problems = check(&sources);
    assert!(problems.is_empty(), "the architecture is broken:\n{}", problems.join("\n"));
    // every layer the table names is documented
    let doc = std::fs::read_to_string(root.join("docs/architecture.md")).unwrap();
    for (module, _) in LAYERS {
        assert!(doc.contains(&format!("`{module}`")), "docs/architecture.md does not place `{module}`");
    }
}

#[test]
fn a_planted_upward_import_a_circle_and_a_stray_writer_are_named() {
    let planted = [
        Source {
            path: "src/model.rs".into(),
            text: "use crate::db::forces;\n// crate::gate in a comment is fine\n".into(),
        },
        Source { path: "src/approval.rs".into(), text: "fn a() { crate::publish::pending(); }\n".into() },
        Source { path: "src/publish/mod.rs".into(), text: "use crate::{approval, db};\n".into() },
        Source { path: "src/directory.rs".into(), text: "fn b(c: &C) { forces::put(c, &f, 1)?; }\n".into() },
        Source { path: "src/revert.rs".into(), text: "let url = change.after.get(\"url\");\n".into() },
        Source { path: "src/stray.rs".into(), text: String::new() },
    ];
    let problems = check(&planted);
    let expect = [
        "src/model.rs:1: `crate::db` points up a layer: model (layer 0, foundation) must not import db (layer 1, storage)",
        "the modules import each other in a circle: approval → publish (src/approval.rs:1), publish → approval (src/publish/mod.rs:1)",
        "src/directory.rs:1: calls `forces::put`, which only src/projection.rs may",
        "src/revert.rs:1: reads a change's stored side",
        "src/stray.rs: module `stray` is in no layer",
    ];
    for e in expect {
        assert!(problems.iter().any(|p| p.contains(e)), "expected {e:?} among:\n{}", problems.join("\n"));
    }
    assert_eq!(problems.len(), expect.len(), "{}", problems.join("\n"));
}
