//! Policy parameters: checked against the names a policy declares, then read with a
//! type and a range. Every error names the policy, the parameter and what is allowed.

use serde_json::{Map, Value};

/// The parameters given to one policy, already checked for unknown names.
pub(crate) struct ParamReader<'a> {
    policy: &'static str,
    map: &'a Map<String, Value>,
}

impl<'a> ParamReader<'a> {
    /// Fails on the first parameter not in `allowed` (the names before any `:` in the
    /// registry's parameter lines).
    pub(crate) fn new(
        policy: &'static str,
        map: &'a Map<String, Value>,
        allowed: &[&str],
    ) -> Result<Self, String> {
        let names: Vec<&str> = allowed
            .iter()
            .map(|a| a.split(':').next().unwrap_or(a).trim())
            .collect();
        if let Some(k) = map.keys().find(|k| !names.contains(&k.as_str())) {
            return Err(if names.is_empty() {
                format!("unknown parameter `{k}` for policy `{policy}` (it takes none)")
            } else {
                format!(
                    "unknown parameter `{k}` for policy `{policy}`; it takes: {}",
                    names.join(", ")
                )
            });
        }
        Ok(ParamReader { policy, map })
    }

    fn bad(&self, key: &str, want: &str, got: &Value) -> String {
        format!(
            "parameter `{key}` of policy `{}` must be {want}, got {got}",
            self.policy
        )
    }

    /// A string parameter that must be one of `allowed` (the first is the default).
    pub(crate) fn choice(
        &self,
        key: &str,
        allowed: &[&'static str],
    ) -> Result<&'static str, String> {
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
    pub(crate) fn number(&self, key: &str, default: f64, lo: f64, hi: f64) -> Result<f64, String> {
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
    pub(crate) fn count(&self, key: &str, default: u64, min: u64) -> Result<u64, String> {
        let Some(v) = self.map.get(key) else {
            return Ok(default);
        };
        let want = format!("a whole number of at least {min}");
        match v.as_u64() {
            Some(x) if x >= min => Ok(x),
            _ => Err(self.bad(key, &want, v)),
        }
    }
}
