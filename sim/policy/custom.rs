//! Policies added by a program that embeds hetsim (custom policies, by name).
//!
//! A crate that writes its own [`Policy`](super::Policy) gives hetsim a static list of
//! [`PolicyInfo`] entries once, at startup ([`install`], or
//! `hetsim::cli::main_with_policies`). From then on scenarios, `--policy`, sweeps,
//! wrappers' `base` and `hetsim policies` find them by name exactly like the built-in
//! ones. The list is fixed for the life of the process, so runs on any thread see
//! the same set and stay deterministic.

use super::{PolicyInfo, REGISTRY};
use crate::policy::ParamError;
use std::sync::OnceLock;

static EXTRA: OnceLock<&'static [PolicyInfo]> = OnceLock::new();

/// Makes `extra` available by name to every later run in this process.
///
/// Fails if a name is empty, repeats a built-in or another extra entry, or if a
/// different list was installed before (installing the same list twice is allowed).
pub fn install(extra: &'static [PolicyInfo]) -> Result<(), ParamError> {
    for (i, e) in extra.iter().enumerate() {
        if e.name.is_empty() {
            return Err(ParamError::new("name", "a custom policy needs a name"));
        }
        if REGISTRY.iter().any(|b| b.name == e.name) {
            return Err(ParamError::new(
                "name",
                format!(
                    "custom policy `{}` has the name of a built-in policy",
                    e.name
                ),
            ));
        }
        if extra[..i].iter().any(|o| o.name == e.name) {
            return Err(ParamError::new(
                "name",
                format!("custom policy `{}` is listed twice", e.name),
            ));
        }
    }
    let installed = EXTRA.get_or_init(|| extra);
    if std::ptr::eq(*installed, extra) {
        Ok(())
    } else {
        Err(ParamError::new(
            "name",
            "custom policies were already installed in this process; install one list once",
        ))
    }
}

/// The installed custom policies (empty unless [`install`] was called).
pub fn installed() -> &'static [PolicyInfo] {
    EXTRA.get().copied().unwrap_or(&[])
}

/// Every policy known by name: the built-in ones, then the installed custom ones.
pub fn all() -> impl Iterator<Item = &'static PolicyInfo> {
    REGISTRY.iter().chain(installed().iter())
}

/// The policy named `name`, built-in or custom, or an error listing every name.
pub fn lookup(name: &str) -> Result<&'static PolicyInfo, ParamError> {
    if let Some(e) = all().find(|e| e.name == name) {
        return Ok(e);
    }
    Err(ParamError::new(
        "name",
        format!(
            "unknown policy `{name}`; available: {}",
            all().map(|e| e.name).collect::<Vec<_>>().join(", ")
        ),
    ))
}
