//! Finds the line of a field path in YAML or JSON text, for errors found after parsing.
//!
//! This is a forward scan, not a parser: each path segment is looked for after the
//! previous one, at a deeper indentation. It is exact for the block-style YAML and
//! pretty-printed JSON that scenario files use, and falls back to the deepest segment
//! it found.

/// Returns the 1-based (line, column) of the deepest segment of `path` found in `text`.
/// `path` uses dots for keys and `[i]` for sequence items: `workload.jobs[2].kind`.
pub fn locate(text: &str, path: &str) -> Option<(u64, u64)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut pos = 0usize;
    let mut min_indent: Option<usize> = None;
    let mut found = None;
    for seg in segments(path) {
        match seg {
            Seg::Key(key) => {
                let mut hit = None;
                for (i, line) in lines.iter().enumerate().skip(pos) {
                    let content = line.trim_start_matches([' ', '-', '\t']);
                    let indent = line.len() - content.len();
                    if let Some(mi) = min_indent
                        && indent < mi
                        && !content.is_empty()
                        && !content.starts_with('#')
                        && i > pos
                    {
                        break;
                    }
                    if key_matches(content, key) {
                        hit = Some((i, indent));
                        break;
                    }
                }
                // Not found (e.g. inside a flow mapping): keep the deepest hit.
                let Some((i, indent)) = hit else { return found };
                found = Some((i as u64 + 1, indent as u64 + 1));
                pos = i;
                min_indent = Some(indent + 1);
            }
            Seg::Index(n) => {
                // Skip to the n-th "- " item at the next indentation level.
                let mut count = 0usize;
                for (i, line) in lines.iter().enumerate().skip(pos + 1) {
                    let t = line.trim_start();
                    if t.starts_with("- ") || t.starts_with('{') {
                        if count == n {
                            pos = i;
                            found = Some((i as u64 + 1, (line.len() - t.len()) as u64 + 1));
                            min_indent = Some(line.len() - t.len());
                            break;
                        }
                        count += 1;
                    }
                }
            }
        }
    }
    found
}

enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

fn segments(path: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut rest = part;
        if let Some(b) = rest.find('[') {
            if b > 0 {
                out.push(Seg::Key(&rest[..b]));
            }
            rest = &rest[b..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let end = stripped.find(']').unwrap_or(stripped.len());
                if let Ok(n) = stripped[..end].parse() {
                    out.push(Seg::Index(n));
                }
                rest = stripped.get(end + 1..).unwrap_or("");
            }
        } else {
            out.push(Seg::Key(rest));
        }
    }
    out
}

fn key_matches(content: &str, key: &str) -> bool {
    let content = content.trim_start_matches('{').trim_start();
    for q in ["", "\"", "'"] {
        if let Some(rest) = content.strip_prefix(q)
            && let Some(rest) = rest.strip_prefix(key)
            && let Some(rest) = rest.strip_prefix(q)
            && rest.trim_start().starts_with(':')
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::locate;

    #[test]
    fn finds_nested_yaml_keys() {
        let y = "a:\n  rate: 1\nb:\n  x:\n    rate: 2\n";
        assert_eq!(locate(y, "b.x.rate"), Some((5, 5)));
        assert_eq!(locate(y, "a.rate"), Some((2, 3)));
    }

    #[test]
    fn finds_json_keys_and_items() {
        let j = "{\n  \"jobs\": [\n    {\"kind\": \"a\"},\n    {\"kind\": \"b\"}\n  ]\n}";
        assert_eq!(locate(j, "jobs[1].kind").map(|p| p.0), Some(4));
    }
}
