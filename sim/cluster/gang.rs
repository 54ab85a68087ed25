//! [`Gang`]: the devices a job is committed to, without an allocation for the usual
//! one-device job.

use super::DeviceId;
use std::ops::Deref;

/// The devices a decision commits a job to (read it as a `&[DeviceId]`).
///
/// One device is held inline, so placing a one-device job allocates nothing on the
/// simulation's hot path; a gang of several devices holds a `Vec`. Build one with
/// [`Gang::one`], from a `Vec<DeviceId>` (`.into()`) or by collecting device ids.
/// Two gangs are equal when they name the same devices in the same order, however
/// they are held.
#[derive(Clone)]
pub struct Gang(Repr);

#[derive(Clone, Debug)]
enum Repr {
    One(DeviceId),
    Many(Vec<DeviceId>),
}

impl Gang {
    /// A gang of one device.
    pub fn one(d: DeviceId) -> Self {
        Gang(Repr::One(d))
    }

    /// The devices, in order.
    pub fn as_slice(&self) -> &[DeviceId] {
        match &self.0 {
            Repr::One(d) => std::slice::from_ref(d),
            Repr::Many(v) => v,
        }
    }

    /// Appends devices (the parts of a split job gathering their devices).
    pub fn extend_from_slice(&mut self, more: &[DeviceId]) {
        if more.is_empty() {
            return;
        }
        match &mut self.0 {
            Repr::Many(v) if !v.is_empty() || more.len() > 1 => v.extend_from_slice(more),
            Repr::Many(_) => self.0 = Repr::One(more[0]),
            Repr::One(d) => {
                let mut v = Vec::with_capacity(1 + more.len());
                v.push(*d);
                v.extend_from_slice(more);
                self.0 = Repr::Many(v);
            }
        }
    }
}

impl Default for Gang {
    /// No devices (a job not yet placed).
    fn default() -> Self {
        Gang(Repr::Many(Vec::new()))
    }
}

impl std::fmt::Debug for Gang {
    /// As the device list (`[3]`), however it is held.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

impl Deref for Gang {
    type Target = [DeviceId];
    fn deref(&self) -> &[DeviceId] {
        self.as_slice()
    }
}

impl PartialEq for Gang {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Gang {}

impl From<DeviceId> for Gang {
    fn from(d: DeviceId) -> Self {
        Gang::one(d)
    }
}

impl From<Vec<DeviceId>> for Gang {
    fn from(v: Vec<DeviceId>) -> Self {
        Gang(Repr::Many(v))
    }
}

impl FromIterator<DeviceId> for Gang {
    /// Collects without allocating when the iterator yields exactly one device.
    fn from_iter<I: IntoIterator<Item = DeviceId>>(iter: I) -> Self {
        let mut it = iter.into_iter();
        let Some(first) = it.next() else {
            return Gang::default();
        };
        let Some(second) = it.next() else {
            return Gang::one(first);
        };
        let mut v = Vec::with_capacity(2 + it.size_hint().0);
        v.push(first);
        v.push(second);
        v.extend(it);
        Gang(Repr::Many(v))
    }
}

impl<'a> IntoIterator for &'a Gang {
    type Item = &'a DeviceId;
    type IntoIter = std::slice::Iter<'a, DeviceId>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_device_is_inline_and_equal_to_a_vec_of_one() {
        let a: Gang = [7].into_iter().collect();
        assert!(matches!(a.0, Repr::One(7)));
        assert_eq!(a, Gang::from(vec![7]));
        assert_eq!(&*a, &[7]);
        let none: Gang = std::iter::empty().collect();
        assert!(none.is_empty());
        let two: Gang = [1, 2].into_iter().collect();
        assert_eq!(&*two, &[1, 2]);
        assert_ne!(two, Gang::one(1));
    }

    #[test]
    fn extending_keeps_order() {
        let mut g = Gang::default();
        g.extend_from_slice(&[3]);
        assert!(matches!(g.0, Repr::One(3)));
        g.extend_from_slice(&[1, 2]);
        assert_eq!(&*g, &[3, 1, 2]);
        let mut e = Gang::default();
        e.extend_from_slice(&[]);
        assert!(e.is_empty());
    }
}
