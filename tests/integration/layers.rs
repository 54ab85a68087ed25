//! The module graph read from the sources: no import loops between the crate's
//! top-level modules, only `cli` (and `main`) import `cli`, the engine imports nothing
//! of the crate, and the model and the policies touch no files. Comments and
//! `#[cfg(test)]` parts are left out (tests may reach anywhere).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `crate::X` edges from each top-level module (a file `sim/X.rs` or a folder
/// `sim/X/`), with the files that make each edge.
fn graph() -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sim");
    let mut g: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let rel = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let top = rel
                .split('/')
                .next()
                .unwrap()
                .trim_end_matches(".rs")
                .to_string();
            let text = std::fs::read_to_string(&p).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap();
            for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
                let mut rest = line;
                while let Some(i) = rest.find("crate::") {
                    rest = &rest[i + 7..];
                    let m: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                        .collect();
                    if !m.is_empty() && m != top {
                        g.entry(top.clone())
                            .or_default()
                            .entry(m)
                            .or_default()
                            .insert(rel.clone());
                    }
                }
            }
            g.entry(top).or_default();
        }
    }
    g
}

/// Whether `to` is reachable from `from`.
fn reaches(g: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut todo = vec![from.to_string()];
    while let Some(m) = todo.pop() {
        for n in g.get(&m).into_iter().flat_map(|e| e.keys()) {
            if n == to {
                return true;
            }
            if seen.insert(n.clone()) {
                todo.push(n.clone());
            }
        }
    }
    false
}

#[test]
fn top_level_modules_have_no_import_loops() {
    let g = graph();
    assert!(g.len() > 20, "read {} modules", g.len());
    let mut loops = Vec::new();
    for (a, edges) in &g {
        for (b, files) in edges {
            if reaches(&g, b, a) {
                loops.push(format!("{a} -> {b} ({files:?}) and back"));
            }
        }
    }
    assert!(loops.is_empty(), "{loops:#?}");
}

#[test]
fn layers_keep_to_their_concerns() {
    let g = graph();
    for (a, edges) in &g {
        if a != "cli" && a != "main" {
            assert!(
                !edges.contains_key("cli"),
                "{a} imports cli: {:?}",
                edges["cli"]
            );
        }
    }
    assert!(
        g["engine"].is_empty(),
        "the engine imports {:?}",
        g["engine"]
    );
    // The model and the policies touch no files.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sim");
    let mut files = vec![root.join("model.rs"), root.join("cluster.rs")];
    for d in ["model", "policy"] {
        for e in std::fs::read_dir(root.join(d)).unwrap() {
            files.push(e.unwrap().path());
        }
    }
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for bad in ["std::fs", "File::", "println!", "eprintln!"] {
            assert!(!text.contains(bad), "{} uses {bad}", f.display());
        }
    }
}
