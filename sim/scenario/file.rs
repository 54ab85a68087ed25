//! Reading user-named scenario files: the generic, bounded, regular-files-only reader
//! is [`crate::input`]; this adds the scenario's own checks (size, UTF-8, not empty).

use std::path::Path;

pub use crate::input::*;

/// Reads a scenario file as text, with size and encoding checks.
pub fn read_text(path: &Path) -> Result<String, super::InputError> {
    let bytes = read_limited(path, super::MAX_FILE_BYTES).map_err(|e| match e {
        FileError::Directory => {
            super::InputError::file(path, "is a directory, expected a scenario file")
        }
        e => super::InputError::file(path, e.to_string()),
    })?;
    let mut text = String::from_utf8(bytes)
        .map_err(|e| super::InputError::file(path, format!("file is not UTF-8 text: {e}")))?;
    if text.starts_with('\u{feff}') {
        text.remove(0);
    }
    if text.contains('\r') {
        text = text.replace("\r\n", "\n");
    }
    if text.trim().is_empty() {
        return Err(super::InputError::file(path, "file is empty"));
    }
    Ok(text)
}
