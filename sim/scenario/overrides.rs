//! `--set PATH=VALUE` settings and sweep axes: applied to a scenario document before
//! it is deserialized and validated.

use super::raw::RawJobs;

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
        let (key, idx) = segment(seg);
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

/// A path segment's key and list index (`jobs[2]`: `jobs`, 2); an index that is not a
/// number is no index (`set_path` then treats the segment as its key).
fn segment(seg: &str) -> (&str, Option<usize>) {
    match seg.split_once('[') {
        Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
        None => (seg, None),
    }
}

/// Whether a setting (`PATH=VALUE`, or a sweep's `PATH`) replaces or reaches into the
/// listed jobs (`workload`, `workload.jobs`, `workload.jobs[3].work`, ...), read with
/// [`set_path`]'s own segments: only then does the job list have to be part of the
/// generic document the settings are applied to.
pub(crate) fn touches_jobs(setting: &str) -> bool {
    let path = setting.split_once('=').map_or(setting, |(p, _)| p).trim();
    let mut keys = path.split('.').map(|s| segment(s).0);
    keys.next() == Some("workload") && keys.next().is_none_or(|k| k == "jobs")
}

/// Removes the placeholder [`WithoutJobs`] leaves for `workload.jobs`; `false` when it
/// is not there any more (a setting replaced the workload or the list).
pub(crate) fn take_placeholder(doc: &mut serde_json::Value) -> bool {
    let Some(w) = doc.get_mut("workload").and_then(|w| w.as_object_mut()) else {
        return false;
    };
    if w.get("jobs").is_some_and(serde_json::Value::is_null) {
        w.shift_remove("jobs");
        return true;
    }
    false
}

/// A scenario document read for `--set`: a generic value whose `workload.jobs` list is
/// a `null` placeholder (so the fields a setting error lists, and the key order, stay
/// the document's), and the list read in the same pass straight into its compact form
/// (as a generic value it costs several hundred bytes per job: a 44 MB JSON list took
/// 0.7 GB).
pub(super) struct WithoutJobs {
    /// The document, `workload.jobs` replaced by `null`.
    pub doc: serde_json::Value,
    /// The document's `workload.jobs`, if it has one.
    pub jobs: Option<RawJobs>,
}

/// Where in the document a value is: what to leave out under it.
#[derive(Clone, Copy, PartialEq)]
enum Level {
    Top,
    Workload,
    Inner,
}

struct ValueSeed<'a> {
    level: Level,
    jobs: &'a mut Option<RawJobs>,
}

impl<'de> serde::Deserialize<'de> for WithoutJobs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut jobs = None;
        let doc = serde::de::DeserializeSeed::deserialize(
            ValueSeed {
                level: Level::Top,
                jobs: &mut jobs,
            },
            d,
        )?;
        Ok(WithoutJobs { doc, jobs })
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = serde_json::Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// Builds the same `serde_json::Value` as its own `Deserialize` would, except that the
/// `jobs` entry of the top-level `workload` mapping is read as [`RawJobs`] instead and
/// left as `null`. Duplicate keys: the last one counts, as in `serde_json::Value`.
impl<'de> serde::de::Visitor<'de> for ValueSeed<'_> {
    type Value = serde_json::Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        serde::de::DeserializeSeed::deserialize(self, d)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut v = Vec::new();
        while let Some(x) = seq.next_element::<serde_json::Value>()? {
            v.push(x);
        }
        Ok(v.into())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut m = serde_json::Map::new();
        while let Some(k) = map.next_key::<String>()? {
            let level = match (self.level, k.as_str()) {
                (Level::Top, "workload") => {
                    // A later `workload` replaces an earlier one, its list included.
                    *self.jobs = None;
                    Level::Workload
                }
                (Level::Workload, "jobs") => {
                    *self.jobs = Some(map.next_value::<RawJobs>()?);
                    m.insert(k, serde_json::Value::Null);
                    continue;
                }
                _ => Level::Inner,
            };
            let v = if level == Level::Inner {
                map.next_value::<serde_json::Value>()?
            } else {
                map.next_value_seed(ValueSeed {
                    level,
                    jobs: &mut *self.jobs,
                })?
            };
            m.insert(k, v);
        }
        Ok(m.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Format, parse_strict, parse_value};
    use std::path::Path;

    #[test]
    fn only_settings_that_reach_the_job_list_touch_it() {
        for s in [
            "workload=~",
            "workload.jobs=[]",
            " workload.jobs[2].work = 3",
            "workload.jobs.x=1",
        ] {
            assert!(touches_jobs(s), "{s}");
        }
        // `set_path` reads `workload[.jobs` as `workload` then `jobs`.
        for s in ["workload[.jobs=[]", "workload[x].jobs=1", "workload[]=~"] {
            assert!(touches_jobs(s), "{s}");
        }
        for s in [
            "seed=1",
            "workload.kinds.a.size.mean=2",
            "workload.jobsx=1",
            "jobs=1",
        ] {
            assert!(!touches_jobs(s), "{s}");
        }
    }

    /// A later `workload` replaces an earlier one with its list, as in the generic
    /// document (JSON keeps the last of duplicate keys).
    #[test]
    fn a_repeated_workload_drops_the_earlier_list() {
        let text =
            r#"{"workload": {"jobs": [{"kind": "a", "work": 1}]}, "workload": {"kinds": {}}}"#;
        let file = Path::new("dup.json");
        let w: WithoutJobs = parse_strict(text, Format::Json, file).unwrap();
        assert!(w.jobs.is_none());
        assert_eq!(w.doc, parse_value(text, Format::Json, file).unwrap());
        let text =
            r#"{"workload": {"kinds": {}}, "workload": {"jobs": [{"kind": "a", "work": 1}]}}"#;
        let w: WithoutJobs = parse_strict(text, Format::Json, file).unwrap();
        assert_eq!(w.jobs.map(|j| j.len()), Some(1));
    }

    /// The document without its job list is the generic document with `workload.jobs`
    /// replaced by `null`, key order and values alike, for every shipped scenario.
    #[test]
    fn the_document_without_jobs_is_the_document_less_its_jobs() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut seen = (0, 0);
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            let Some(format) = Format::from_path(&path) else {
                continue;
            };
            let text = std::fs::read_to_string(&path).unwrap();
            let mut full = parse_value(&text, format, &path).unwrap();
            let w: WithoutJobs = parse_strict(&text, format, &path).unwrap();
            let listed = full
                .get_mut("workload")
                .and_then(|w| w.as_object_mut())
                .and_then(|w| w.get_mut("jobs"))
                .map(|j| std::mem::replace(j, serde_json::Value::Null));
            assert_eq!(w.doc, full, "{}", path.display());
            let mut doc = w.doc;
            assert_eq!(take_placeholder(&mut doc), listed.is_some());
            let n = listed.map(|l| l.as_array().unwrap().len());
            assert_eq!(w.jobs.map(|j| j.jobs.len()), n, "{}", path.display());
            seen.0 += 1;
            seen.1 += usize::from(n.is_some());
        }
        assert!(seen.0 >= 10 && seen.1 >= 2, "{seen:?}");
    }
}
