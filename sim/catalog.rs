//! The device catalog: real devices and PUE presets, each figure citing its source.
//!
//! The catalog ships inside the binary (`catalog/devices.yaml`, read with
//! [`Catalog::builtin`]). Each figure is a [`Figure`]: a value, where it comes from,
//! and whether it is an assumption (a value no stored source confirms, given so that a
//! scenario can run; its `source` says how it was chosen).
//!
//! Names: servers with their SPECpower_ssj2008 load curves, `xeon-2s` (Dell R740),
//! `r640`, `r940`, `r830`, `x3550-x5670`, `x3650m2-x5570`; `a100`, `h100`,
//! `v100`, `p100`, `k80`, `t4`, `tpu-v4`, `alveo-u280`, `alveo-u50`, `inferentia2`,
//! `edge-tpu`; PUE presets `enterprise` (1.58), `hyperscale` (1.12), `best` (1.10).

use crate::model::Category;
use crate::units::{Bytes, NonNeg, Watts};
use indexmap::IndexMap;
use serde::Deserialize;
use std::sync::OnceLock;

/// The catalog file's text, as shipped.
pub const BUILTIN_TEXT: &str = include_str!("../catalog/devices.yaml");

/// One sourced figure.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Figure<T> {
    /// The value.
    pub value: T,
    /// Where it comes from (or, for an assumption, how it was chosen).
    pub source: String,
    /// No stored source confirms it.
    #[serde(default)]
    pub assumption: bool,
}

/// A peak throughput figure with its unit.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Peak {
    /// The value, in `unit`.
    pub value: f64,
    /// What the value counts (e.g. "TFLOPS FP16/BF16 dense").
    pub unit: String,
    /// Where it comes from.
    pub source: String,
    /// No stored source confirms it.
    #[serde(default)]
    pub assumption: bool,
}

/// A power-versus-load curve: watts at 0%, 10%, ..., 100% load (SPECpower style).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LoadCurve {
    /// Eleven values, W.
    pub values: Vec<f64>,
    /// Where it comes from.
    pub source: String,
}

/// One catalog device.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// Full name.
    pub name: String,
    /// Category.
    pub category: Category,
    /// Power when idle.
    pub idle_power: Figure<Watts>,
    /// Power when busy (full load).
    pub busy_power: Figure<Watts>,
    /// Power at 0..100% load in 10% steps, when measured.
    pub load_curve: Option<LoadCurve>,
    /// Memory per device.
    pub memory: Option<Figure<Bytes>>,
    /// Peak throughput (datasheet).
    pub peak: Option<Peak>,
}

impl Device {
    /// Power at a load in [0, 1]: the load curve interpolated linearly when there is
    /// one (as CloudSim does with SPECpower curves), else linear from idle to busy.
    pub fn power_at(&self, load: f64) -> f64 {
        let load = load.clamp(0.0, 1.0);
        match &self.load_curve {
            Some(c) => {
                let x = load * (c.values.len() - 1) as f64;
                let i = (x as usize).min(c.values.len() - 2);
                let f = x - i as f64;
                c.values[i] + f * (c.values[i + 1] - c.values[i])
            }
            None => {
                self.idle_power.value.0 + load * (self.busy_power.value.0 - self.idle_power.value.0)
            }
        }
    }

    /// Names of the figures that are assumptions.
    pub fn assumptions(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.idle_power.assumption {
            v.push("idle_power");
        }
        if self.busy_power.assumption {
            v.push("busy_power");
        }
        if self.memory.as_ref().is_some_and(|m| m.assumption) {
            v.push("memory");
        }
        if self.peak.as_ref().is_some_and(|p| p.assumption) {
            v.push("peak");
        }
        v
    }
}

/// A catalog that does not parse or check, or a name it does not have.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CatalogError {
    /// The YAML does not parse into the catalog schema.
    #[error("{0}")]
    Parse(String),
    /// A device or preset fails a check.
    #[error("{0}")]
    Invalid(String),
    /// No device of that name.
    #[error("unknown catalog device `{name}`; devices: {known}")]
    UnknownDevice {
        /// The name asked for.
        name: String,
        /// The device names, comma-separated.
        known: String,
    },
    /// No PUE preset of that name.
    #[error("unknown PUE preset `{name}`; presets: {known}")]
    UnknownPue {
        /// The name asked for.
        name: String,
        /// The preset names, comma-separated.
        known: String,
    },
}

/// The catalog: PUE presets and devices, in file order.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// PUE presets by name.
    pub pue: IndexMap<String, Figure<NonNeg>>,
    /// Devices by name.
    pub devices: IndexMap<String, Device>,
}

impl Catalog {
    /// The shipped catalog (parsed once).
    pub fn builtin() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| Catalog::parse(BUILTIN_TEXT).expect("the shipped catalog is valid"))
    }

    /// Parses and checks a catalog file's text.
    pub fn parse(text: &str) -> Result<Catalog, CatalogError> {
        let c: Catalog =
            serde_saphyr::from_str(text).map_err(|e| CatalogError::Parse(e.to_string()))?;
        for (name, d) in &c.devices {
            if d.busy_power.value.0 < d.idle_power.value.0 {
                return Err(CatalogError::Invalid(format!(
                    "device `{name}`: busy power below idle power"
                )));
            }
            if let Some(lc) = &d.load_curve
                && lc.values.len() != 11
            {
                return Err(CatalogError::Invalid(format!(
                    "device `{name}`: load_curve needs 11 values (0%..100%)"
                )));
            }
            let sources = [&d.idle_power.source, &d.busy_power.source];
            if sources.iter().any(|s| s.trim().is_empty()) {
                return Err(CatalogError::Invalid(format!(
                    "device `{name}`: a figure has no source"
                )));
            }
        }
        for (name, p) in &c.pue {
            if p.value.0 < 1.0 {
                return Err(CatalogError::Invalid(format!(
                    "PUE preset `{name}` is below 1"
                )));
            }
        }
        Ok(c)
    }

    /// A device by name.
    pub fn device(&self, name: &str) -> Option<&Device> {
        self.devices.get(name)
    }

    /// A device by name, or an error listing the names (for scenario errors).
    pub fn lookup(&self, name: &str) -> Result<&Device, CatalogError> {
        self.devices
            .get(name)
            .ok_or_else(|| CatalogError::UnknownDevice {
                name: name.to_string(),
                known: self.device_names().join(", "),
            })
    }

    /// A PUE preset by name, or an error listing the presets.
    pub fn lookup_pue(&self, name: &str) -> Result<f64, CatalogError> {
        self.pue(name).ok_or_else(|| CatalogError::UnknownPue {
            name: name.to_string(),
            known: self
                .pue
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    /// A PUE preset by name.
    pub fn pue(&self, name: &str) -> Option<f64> {
        self.pue.get(name).map(|p| p.value.0)
    }

    /// The device names, for error hints.
    pub fn device_names(&self) -> Vec<&str> {
        self.devices.keys().map(String::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_has_the_required_devices_with_sources() {
        let c = Catalog::builtin();
        for name in [
            "xeon-2s",
            "a100",
            "h100",
            "v100",
            "t4",
            "tpu-v4",
            "alveo-u280",
            "inferentia2",
            "edge-tpu",
        ] {
            let d = c.device(name).unwrap_or_else(|| panic!("missing {name}"));
            assert!(!d.idle_power.source.is_empty() && !d.busy_power.source.is_empty());
        }
        assert_eq!(c.pue("enterprise"), Some(1.58));
        assert_eq!(c.pue("hyperscale"), Some(1.12));
        assert_eq!(c.pue("best"), Some(1.10));
        // Sourced figures from notes/data.md.
        let a100 = c.device("a100").unwrap();
        assert_eq!(
            (a100.idle_power.value.0, a100.busy_power.value.0),
            (60.0, 400.0)
        );
        assert_eq!(a100.memory.as_ref().unwrap().value.0, 80e9);
        assert!(a100.assumptions().is_empty());
        let tpu = c.device("tpu-v4").unwrap();
        assert_eq!(
            (tpu.busy_power.value.0, tpu.peak.as_ref().unwrap().value),
            (192.0, 275.0)
        );
        // Unknown figures are marked, not passed off as sourced.
        assert_eq!(c.device("h100").unwrap().assumptions(), vec!["idle_power"]);
        assert_eq!(
            c.device("inferentia2").unwrap().assumptions(),
            vec!["idle_power", "busy_power"]
        );
        assert!(
            c.device("alveo-u280")
                .unwrap()
                .assumptions()
                .contains(&"busy_power")
        );
    }

    #[test]
    fn every_server_has_a_sourced_specpower_curve() {
        let c = Catalog::builtin();
        for name in [
            "xeon-2s",
            "r640",
            "r940",
            "r830",
            "x3550-x5670",
            "x3650m2-x5570",
        ] {
            let d = c.device(name).unwrap_or_else(|| panic!("missing {name}"));
            let lc = d.load_curve.as_ref().expect("a load curve");
            assert!(
                lc.source.contains("spec.org/power_ssj2008/results/"),
                "{name}"
            );
            // The curve's ends are the idle and busy figures, and it rises with load.
            assert_eq!(lc.values[0], d.idle_power.value.0, "{name}");
            assert_eq!(lc.values[10], d.busy_power.value.0, "{name}");
            assert!(lc.values.windows(2).all(|w| w[1] > w[0]), "{name}");
        }
    }

    #[test]
    fn specpower_curve_interpolates() {
        let x = Catalog::builtin().device("xeon-2s").unwrap();
        assert_eq!(x.power_at(0.0), 52.3);
        assert_eq!(x.power_at(0.5), 224.0);
        assert_eq!(x.power_at(1.0), 457.0);
        assert!((x.power_at(0.55) - 0.5 * (224.0 + 255.0)).abs() < 1e-9);
        // Without a curve: linear from idle to busy.
        let t4 = Catalog::builtin().device("t4").unwrap();
        assert!((t4.power_at(0.5) - (10.5 + 0.5 * 59.5)).abs() < 1e-9);
    }

    #[test]
    fn bad_catalogs_are_rejected() {
        let e = Catalog::parse(
            "pue: {}\ndevices:\n  x: {name: X, category: gpu, idle_power: {value: 10W, source: s}, busy_power: {value: 5W, source: s}}\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("below idle"), "{e}");
        let e = Catalog::parse("pue: {}\ndevices:\n  x: {name: X, category: gpu, idle_power: {value: 1W}, busy_power: {value: 5W, source: s}}\n")
            .unwrap_err()
        .to_string();
        assert!(e.contains("source"), "{e}");
    }
}
