//! `--set PATH=VALUE` settings and sweep axes: applied to a scenario document before
//! it is deserialized and validated.

/// A `--set` setting or a sweep axis that cannot be applied to a document.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum OverrideError {
    /// The setting has no `=`.
    #[error("`{0}` is not PATH=VALUE")]
    NotPathValue(String),
    /// A segment walks into something that is not a mapping.
    #[error("`{walked}` is not a mapping, cannot set `{path}`")]
    NotAMapping {
        /// The segments walked so far.
        walked: String,
        /// The whole path.
        path: String,
    },
    /// A segment names a key that does not exist.
    #[error("no field `{key}` under {near} in `{path}`; fields there: {fields}")]
    NoField {
        /// The missing key.
        key: String,
        /// Where it was looked for (`the top level` or `` `a.b` ``).
        near: String,
        /// The whole path.
        path: String,
        /// The keys there, comma-separated.
        fields: String,
    },
    /// An index is applied to something that is not a list.
    #[error("`{key}` is not a list in `{path}`")]
    NotAList {
        /// The key.
        key: String,
        /// The whole path.
        path: String,
    },
    /// An index past the end of a list.
    #[error("`{key}` has {len} items, no index {index}")]
    NoIndex {
        /// The key.
        key: String,
        /// The list's length.
        len: usize,
        /// The index asked for.
        index: usize,
    },
}

/// Applies `path=value` to a document. Every segment but the last must exist, so a
/// typo names the keys that do. A value of `~` (null) removes the field.
pub fn apply_override(doc: &mut serde_json::Value, setting: &str) -> Result<(), OverrideError> {
    let (path, value) = setting
        .split_once('=')
        .ok_or_else(|| OverrideError::NotPathValue(setting.to_string()))?;
    let value: serde_json::Value = serde_saphyr::from_str(value)
        .unwrap_or_else(|_| serde_json::Value::String(value.to_string()));
    set_path(doc, path.trim(), value)
}

/// Sets the value at a dotted path (`a.b[2].c`) in a document.
pub fn set_path(
    doc: &mut serde_json::Value,
    path: &str,
    value: serde_json::Value,
) -> Result<(), OverrideError> {
    let segs: Vec<&str> = path.split('.').collect();
    let mut cur = doc;
    let mut walked = String::new();
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        let (key, idx) = match seg.split_once('[') {
            Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (*seg, None),
        };
        let obj = cur
            .as_object_mut()
            .ok_or_else(|| OverrideError::NotAMapping {
                walked: walked.clone(),
                path: path.to_string(),
            })?;
        if last && idx.is_none() {
            // `PATH=~` removes the field, so it takes its default (a written `~` is
            // refused by the loader).
            if value.is_null() {
                obj.shift_remove(key);
            } else {
                obj.insert(key.to_string(), value);
            }
            return Ok(());
        }
        if !obj.contains_key(key) {
            let keys: Vec<&String> = obj.keys().collect();
            let near = if walked.is_empty() {
                "the top level".to_string()
            } else {
                format!("`{walked}`")
            };
            return Err(OverrideError::NoField {
                key: key.to_string(),
                near,
                path: path.to_string(),
                fields: keys
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(seg);
        cur = obj.get_mut(key).expect("checked above");
        if let Some(n) = idx {
            let arr = cur.as_array_mut().ok_or_else(|| OverrideError::NotAList {
                key: key.to_string(),
                path: path.to_string(),
            })?;
            let len = arr.len();
            let item = arr.get_mut(n).ok_or_else(|| OverrideError::NoIndex {
                key: key.to_string(),
                len,
                index: n,
            })?;
            if last {
                *item = value;
                return Ok(());
            }
            cur = item;
        }
    }
    Ok(())
}
