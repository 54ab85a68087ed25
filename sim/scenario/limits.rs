//! Name rules and resource limits checked at load time, so that a scenario either
//! loads into a run of bounded size with unambiguous output files, or fails with one
//! located error.

use super::FieldError;

/// Longest scenario, class or kind name, bytes.
pub const MAX_NAME_BYTES: usize = 200;

/// Class names a power.csv or summary column would collide with: `<class>_w` must not
/// be `it_w`, `facility_w` or `cap_w`, and the other fixed column stems are kept free
/// so every header stays unique and readable.
pub const RESERVED_CLASS_NAMES: &[&str] = &[
    "it",
    "facility",
    "cap",
    "time",
    "duration",
    "queue",
    "queue_len",
    "busy",
    "asleep",
    "transition",
    "carbon",
    "cost",
    "total",
];

/// A scenario name: it names the default run folder `reports/<name>`, so it must
/// not be empty, made of dots only (`.` and `..` are not folder names), or carry
/// control characters or path separators.
pub fn check_scenario_name(name: &str) -> Result<(), FieldError> {
    let bad = |m: &str| {
        Err(FieldError::new("name", m.to_string())
            .with_hint("use letters, digits, `-`, `_` and `.`, e.g. name: mmc-baseline"))
    };
    if name.trim().is_empty() {
        return bad("the scenario name is empty");
    }
    if name.chars().all(|c| c == '.') {
        return bad("the scenario name cannot be only dots");
    }
    if name.len() > MAX_NAME_BYTES {
        return bad(&format!(
            "the scenario name is {} bytes long, more than {MAX_NAME_BYTES}",
            name.len()
        ));
    }
    if name
        .chars()
        .any(|c| c.is_control() || c == '/' || c == '\\')
    {
        return bad("the scenario name contains a control character or a path separator");
    }
    Ok(())
}

/// A device class name: it becomes part of CSV column names (`<class>_w`) and summary
/// keys (`per_class.<class>.<field>`), so it is letters, digits, `_` and `-` only,
/// and not one of [`RESERVED_CLASS_NAMES`].
pub fn check_class_name(name: &str) -> Result<(), FieldError> {
    let path = format!("datacenter.classes.{name}");
    let hint = "class names are letters, digits, `_` and `-` (they become column names such as `<class>_w`)";
    if name.is_empty() {
        return Err(FieldError::new(path, "a class name cannot be empty").with_hint(hint));
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(FieldError::new(
            path,
            format!(
                "class name is {} bytes, more than {MAX_NAME_BYTES}",
                name.len()
            ),
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
    {
        return Err(FieldError::new(
            path,
            format!(
                "class name `{}` contains `{}`",
                shorten(name),
                c.escape_default()
            ),
        )
        .with_hint(hint));
    }
    if RESERVED_CLASS_NAMES.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(FieldError::new(
            path,
            format!(
                "class name `{name}` is reserved: its columns would collide with power.csv's own"
            ),
        )
        .with_hint(format!("reserved: {}", RESERVED_CLASS_NAMES.join(", "))));
    }
    Ok(())
}

/// A job kind name: not empty, at most [`MAX_NAME_BYTES`], no control characters.
pub fn check_kind_name(name: &str) -> Result<(), FieldError> {
    let path = format!("workload.kinds.{}", shorten(name));
    if name.trim().is_empty() {
        return Err(FieldError::new(path, "a kind name cannot be empty"));
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(FieldError::new(
            path,
            format!(
                "kind name is {} bytes, more than {MAX_NAME_BYTES}",
                name.len()
            ),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(FieldError::new(
            path,
            "kind name contains a control character",
        ));
    }
    Ok(())
}

/// At most 40 characters of `s` for a message, with `...` when cut.
pub fn shorten(s: &str) -> String {
    if s.chars().count() <= 40 {
        return s.to_string();
    }
    let mut t: String = s.chars().take(40).collect();
    t.push_str("...");
    t
}
