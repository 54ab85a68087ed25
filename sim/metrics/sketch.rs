//! [`Sketch`]: the bucket counts of a [`super::Quantiles`] log histogram.

use std::collections::BTreeMap;

/// Most buckets the dense window spans (512 KiB of counts). At the histogram's
/// accuracy one bucket is 0.2 % wide, so the window covers values over a ratio of
/// e^131 (e.g. 1 ns to 10^40 s): every run's waits and responses in practice.
const MAX_WINDOW: usize = 1 << 16;

/// Counts per bucket index: a dense window around the buckets seen (one array index
/// per value, where an ordered map cost a tree walk per value), and an ordered map
/// for buckets outside the window once it has reached [`MAX_WINDOW`]. The window stops
/// growing when the map gets its first bucket, so the two never hold the same bucket.
#[derive(Debug, Clone, Default)]
pub(super) struct Sketch {
    /// Bucket index of `dense[0]`.
    lo: i32,
    dense: Vec<u64>,
    far: BTreeMap<i32, u64>,
}

impl Sketch {
    /// Counts one value in bucket `i`.
    pub(super) fn add(&mut self, i: i32) {
        let off = i as i64 - self.lo as i64;
        if off >= 0 && (off as usize) < self.dense.len() {
            self.dense[off as usize] += 1;
        } else if self.far.is_empty() && self.grow_to(i) {
            self.dense[(i as i64 - self.lo as i64) as usize] += 1;
        } else {
            *self.far.entry(i).or_insert(0) += 1;
        }
    }

    /// Widens the window to hold bucket `i` (at least doubling it, so a run grows
    /// it O(log) times), unless that passes [`MAX_WINDOW`].
    fn grow_to(&mut self, i: i32) -> bool {
        let (lo, hi) = (self.lo as i64, self.lo as i64 + self.dense.len() as i64);
        let i = i as i64;
        if self.dense.is_empty() {
            self.lo = (i - 32).max(i32::MIN as i64) as i32;
            self.dense = vec![0; 64];
            return true;
        }
        let span = (hi.max(i + 1) - lo.min(i)) as usize;
        if span > MAX_WINDOW {
            return false;
        }
        let len = span.max(2 * self.dense.len()).min(MAX_WINDOW);
        // Clamped, the window still holds `i` and the old window (it only grows up).
        let new_lo = if i < lo {
            (hi - len as i64).max(i32::MIN as i64)
        } else {
            lo
        };
        let mut dense = vec![0; len];
        let at = (lo - new_lo) as usize;
        dense[at..at + self.dense.len()].copy_from_slice(&self.dense);
        self.lo = new_lo as i32;
        self.dense = dense;
        true
    }

    /// The buckets with a count, by ascending index.
    pub(super) fn iter(&self) -> impl Iterator<Item = (i32, u64)> + '_ {
        // `far` holds no bucket inside the window: what is not below it is above it.
        let below = self.far.range(..self.lo).map(|(&i, &n)| (i, n));
        let above = self.far.range(self.lo..).map(|(&i, &n)| (i, n));
        let window = self
            .dense
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(k, &n)| ((self.lo as i64 + k as i64) as i32, n));
        below.chain(window).chain(above)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sketch counts exactly what an ordered map of the same buckets counts, in
    /// the same order, whether the window grows down, up, or is full.
    #[test]
    fn counts_like_an_ordered_map() {
        let mut seq: Vec<i32> = vec![5, 5, -3, 200, 7, -1000, 40_000, 5];
        // Past the window's limit both ways, then inside it again.
        seq.extend([
            70_000,
            -70_000,
            300_000,
            -300_000,
            6,
            i32::MIN / 2,
            i32::MAX / 2,
            i32::MIN,
            i32::MAX,
        ]);
        let mut x: u64 = 1;
        for _ in 0..5000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            seq.push(((x >> 33) % 3000) as i32 - 1500);
        }
        let (mut s, mut m) = (Sketch::default(), BTreeMap::new());
        for &i in &seq {
            s.add(i);
            *m.entry(i).or_insert(0u64) += 1;
        }
        let got: Vec<(i32, u64)> = s.iter().collect();
        let want: Vec<(i32, u64)> = m.into_iter().collect();
        assert_eq!(got, want);
        assert!(s.dense.len() <= MAX_WINDOW);
        assert!(!s.far.is_empty());
        // A first bucket at either end of the index range.
        for edge in [i32::MIN, i32::MIN + 5, i32::MAX] {
            let mut s = Sketch::default();
            s.add(edge);
            s.add(edge);
            assert_eq!(s.iter().collect::<Vec<_>>(), vec![(edge, 2)]);
        }
    }
}
