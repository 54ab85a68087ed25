//! Parameters of policies and power managers: checked against the names an entry
//! declares, then read with a type and a range. Every error names the owner, the
//! parameter and what is allowed.
//!
//! The scenario layer turns a [`ParamError`] into an input error located at the
//! scenario's `policy` or `power_manager` entry.

use crate::engine::{Time, secs};
use serde_json::{Map, Value};

/// Parameters as given in the scenario.
pub type Params = Map<String, Value>;

/// A parameter (or the name) of a policy or power manager is wrong.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ParamError {
    /// The parameter at fault (`name` for an unknown policy or power manager).
    pub field: String,
    /// The whole message, naming the owner and what is allowed.
    pub message: String,
    /// What to do about it, if the message does not say.
    pub hint: Option<String>,
}

impl ParamError {
    /// An error about `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        ParamError {
            field: field.into(),
            message: message.into(),
            hint: None,
        }
    }
}

/// Whose parameters a reader reads (it decides the wording of unknown-name errors).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Owner {
    /// A policy.
    Policy(&'static str),
    /// A policy that wraps a base policy.
    Wrapper(&'static str),
    /// A power manager.
    PowerManager(&'static str),
}

/// The parameters given to one policy or power manager, already checked for unknown
/// names.
pub(crate) struct ParamReader<'a> {
    owner: Owner,
    map: &'a Params,
}

impl<'a> ParamReader<'a> {
    /// A policy's parameters: fails on the first not in `allowed` (the names before
    /// any `:` in the registry's parameter lines).
    pub(crate) fn new(
        policy: &'static str,
        map: &'a Params,
        allowed: &[&str],
    ) -> Result<Self, ParamError> {
        Self::with_owner(Owner::Policy(policy), map, allowed)
    }

    /// Parameters of any owner, checked against `allowed`.
    pub(crate) fn with_owner(
        owner: Owner,
        map: &'a Params,
        allowed: &[&str],
    ) -> Result<Self, ParamError> {
        let names: Vec<&str> = allowed
            .iter()
            .map(|a| a.split(':').next().unwrap_or(a).trim())
            .collect();
        if let Some(k) = map.keys().find(|k| !names.contains(&k.as_str())) {
            let message = match owner {
                Owner::Policy(policy) if names.is_empty() => {
                    format!("unknown parameter `{k}` for policy `{policy}` (it takes none)")
                }
                Owner::Policy(policy) => format!(
                    "unknown parameter `{k}` for policy `{policy}`; it takes: {}",
                    names.join(", ")
                ),
                Owner::Wrapper(policy) => format!(
                    "unknown parameter `{k}` for policy `{policy}` (it takes: {})",
                    names.join(", ")
                ),
                Owner::PowerManager(pm) => format!(
                    "unknown parameter `{k}` for power manager `{pm}` (it takes: {})",
                    names.join(", ")
                ),
            };
            return Err(ParamError::new(k.as_str(), message));
        }
        Ok(ParamReader { owner, map })
    }

    fn bad(&self, key: &str, want: &str, got: &Value) -> ParamError {
        let who = match self.owner {
            Owner::Policy(n) | Owner::Wrapper(n) => format!("policy `{n}`"),
            Owner::PowerManager(n) => format!("power manager `{n}`"),
        };
        ParamError::new(
            key,
            format!("parameter `{key}` of {who} must be {want}, got {got}"),
        )
    }

    /// A string parameter that must be one of `allowed` (the first is the default).
    pub(crate) fn choice(
        &self,
        key: &str,
        allowed: &[&'static str],
    ) -> Result<&'static str, ParamError> {
        let Some(v) = self.map.get(key) else {
            return Ok(allowed[0]);
        };
        let want = format!("one of {}", allowed.join(", "));
        let s = v.as_str().ok_or_else(|| self.bad(key, &want, v))?;
        allowed
            .iter()
            .copied()
            .find(|a| *a == s)
            .ok_or_else(|| self.bad(key, &want, v))
    }

    /// A number in `[lo, hi]`.
    pub(crate) fn number(
        &self,
        key: &str,
        default: f64,
        lo: f64,
        hi: f64,
    ) -> Result<f64, ParamError> {
        let Some(v) = self.map.get(key) else {
            return Ok(default);
        };
        let want = format!("a number from {lo} to {hi}");
        match v.as_f64() {
            Some(x) if (lo..=hi).contains(&x) => Ok(x),
            _ => Err(self.bad(key, &want, v)),
        }
    }

    /// A whole number of at least `min`.
    pub(crate) fn count(&self, key: &str, default: u64, min: u64) -> Result<u64, ParamError> {
        let Some(v) = self.map.get(key) else {
            return Ok(default);
        };
        let want = format!("a whole number of at least {min}");
        match v.as_u64() {
            Some(x) if x >= min => Ok(x),
            _ => Err(self.bad(key, &want, v)),
        }
    }

    /// A duration (a number of seconds or a string with a unit, e.g. `90s`, `2m`).
    pub(crate) fn duration(&self, key: &str) -> Result<Option<Time>, ParamError> {
        let Some(v) = self.map.get(key) else {
            return Ok(None);
        };
        let s = match v {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            other => {
                return Err(ParamError::new(
                    key,
                    format!("`{key}` must be a duration, got {other}"),
                ));
            }
        };
        crate::units::Seconds::parse(&s)
            .map(|d| Some(secs(d.0)))
            .map_err(|e| ParamError::new(key, format!("`{key}`: {e}")))
    }

    /// A policy name (a string), if given.
    pub(crate) fn name(&self, key: &str, what: &str) -> Result<Option<String>, ParamError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(ParamError::new(
                key,
                format!("`{key}` must be {what}, got {other}"),
            )),
        }
    }
}
