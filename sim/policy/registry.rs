//! One registry type for every pluggable part chosen by name in a scenario: policies
//! and power managers. An [`Entry`] has a name, a one-line summary, its parameter lines
//! (`name: meaning`) and a constructor; parameters are read with the shared
//! `ParamReader`, whose errors are [`ParamError`]s.

use super::ParamError;

/// A registered part: name, summary, parameters, constructor.
pub struct Entry<B: 'static> {
    /// Name used in scenarios.
    pub name: &'static str,
    /// One line on what it does.
    pub summary: &'static str,
    /// Parameters, `name: meaning` (empty if none).
    pub params: &'static [&'static str],
    /// Builds it (`B` is a `fn` pointer type).
    pub build: B,
}

/// Every built-in part of one sort, in listing order.
pub struct Registry<B: 'static> {
    /// What the parts are called in messages (`policy`, `power manager`).
    pub what: &'static str,
    /// The entries, in the order `hetsim policies` lists them.
    pub entries: &'static [Entry<B>],
}

impl<B: 'static> Registry<B> {
    /// The entries in listing order.
    pub fn iter(&self) -> std::slice::Iter<'static, Entry<B>> {
        self.entries.iter()
    }

    /// The entry named `name`, or an error listing the available names.
    pub fn get(&self, name: &str) -> Result<&'static Entry<B>, ParamError> {
        let entries: &'static [Entry<B>] = self.entries;
        entries.iter().find(|e| e.name == name).ok_or_else(|| {
            ParamError::new(
                "name",
                format!(
                    "unknown {} `{name}`; available: {}",
                    self.what,
                    entries
                        .iter()
                        .map(|e| e.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
    }
}

impl<B: 'static> IntoIterator for Registry<B> {
    type Item = &'static Entry<B>;
    type IntoIter = std::slice::Iter<'static, Entry<B>>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

impl<B: 'static> IntoIterator for &Registry<B> {
    type Item = &'static Entry<B>;
    type IntoIter = std::slice::Iter<'static, Entry<B>>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}
