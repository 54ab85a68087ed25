//! Typed indexes: a device class, a job kind and a job's slot are all small integers,
//! and a newtype each keeps one from being passed where another is meant (a kind
//! index used to look up a class, a job id used as a slot).

use std::fmt;

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(u32);

        impl $name {
            #[doc = concat!("The ", $what, " with index `i`.")]
            pub const fn new(i: u32) -> Self {
                $name(i)
            }

            /// The index, for indexing a `Vec` in file (or slot) order.
            pub const fn index(self) -> usize {
                self.0 as usize
            }

            /// The index as stored (`u32`).
            pub const fn get(self) -> u32 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl From<$name> for usize {
            fn from(v: $name) -> usize {
                v.index()
            }
        }
    };
}

index_type!(
    /// A device class: its index in [`crate::model::Scenario::classes`] (file order).
    ClassId,
    "class"
);

index_type!(
    /// A job kind: its index in [`crate::model::Scenario::kinds`] (file order).
    KindId,
    "kind"
);

index_type!(
    /// A released job's handle inside one run: policies get it in
    /// [`crate::cluster::JobInfo::slot`] and name the job by it in decisions. Slots
    /// are reused once a job has finished; the job's id
    /// ([`crate::cluster::JobInfo::id`]) is not.
    JobSlot,
    "job slot"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_round_trips_and_orders_like_the_integer() {
        let (a, b) = (ClassId::new(2), ClassId::new(10));
        assert_eq!(a.index(), 2);
        assert_eq!(b.get(), 10);
        assert!(a < b);
        assert_eq!(KindId::new(7).to_string(), "7");
        assert_eq!(usize::from(JobSlot::new(3)), 3);
    }
}
