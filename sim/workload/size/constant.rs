//! Constant work: always `value`.

use super::Checks;
use crate::model::{FieldError, SizeDist};

/// Settings a constant takes.
pub(super) const FIELDS: &[&str] = &["value"];

/// Raw settings to the model.
pub(super) fn validate(c: &Checks) -> Result<SizeDist, FieldError> {
    Ok(SizeDist::Constant(c.need(c.s.value, "value")?))
}
