//! `round-robin`: cycles over the devices. Optimises nothing but evenness: every
//! capable device gets jobs in turn, whatever its speed or load.
//!
//! `over: devices` (default): a cursor walks the devices in id order (classes are
//! contiguous, in file order). A job takes the `k` (gang size) devices from the cursor
//! if they all belong to one class that can run it; otherwise the cursor jumps to the
//! start of the next class, wrapping at the end. The cursor then moves past the
//! devices taken. `over: classes`: a cursor walks the classes; a job goes to the next
//! class that can run it, on that class's next `k` devices (each class keeps its own
//! device cursor, wrapping).
//!
//! Jobs are committed at arrival and queue behind the devices' committed work (list
//! scheduling, as eft). A decision costs O(classes + k).

use super::{ClassId, ClusterView, Decision, DeviceId, Gang, JobInfo, Policy};

/// What `round-robin` cycles over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoundRobinOver {
    /// All devices, in id order.
    Devices,
    /// Classes in file order, then devices within each class.
    Classes,
}

/// The round-robin policy.
pub struct RoundRobin {
    over: RoundRobinOver,
    /// Devices mode: the next device.
    cursor: DeviceId,
    /// Classes mode: the next class, and the next device offset in each class.
    class_cursor: usize,
    offsets: Vec<u32>,
}

impl RoundRobin {
    /// A policy cycling `over` devices or classes.
    pub fn new(over: RoundRobinOver) -> Self {
        RoundRobin {
            over,
            cursor: 0,
            class_cursor: 0,
            offsets: Vec::new(),
        }
    }

    fn by_devices(&mut self, job: &JobInfo, view: &ClusterView) -> Option<Gang> {
        let n = view.class_count();
        let k = job.devices();
        let last = ClassId::new(n as u32 - 1);
        let total = view.class_first(last) + view.class_size(last);
        let mut c = view.class_of(self.cursor);
        // Each step either succeeds or moves to the next class start; after one full
        // turn the cursor sits at a class start, where a capable class fits.
        for _ in 0..=2 * n {
            let end = view.class_first(c) + view.class_size(c);
            if view.can_run(c, job) && self.cursor + k <= end {
                let devices = (self.cursor..self.cursor + k).collect();
                self.cursor += k;
                if self.cursor >= total {
                    self.cursor = 0;
                }
                return Some(devices);
            }
            c = ClassId::new((c.get() + 1) % n as u32);
            self.cursor = view.class_first(c);
        }
        None
    }

    fn by_classes(&mut self, job: &JobInfo, view: &ClusterView) -> Option<Gang> {
        let n = view.class_count();
        if self.offsets.len() != n {
            self.offsets = vec![0; n];
        }
        let c = (0..n)
            .map(|i| (self.class_cursor + i) % n)
            .find(|&c| view.can_run(ClassId::new(c as u32), job))?;
        self.class_cursor = (c + 1) % n;
        let c = ClassId::new(c as u32);
        let size = view.class_size(c);
        let first = view.class_first(c);
        let off = self.offsets[c.index()];
        let devices = (0..job.devices())
            .map(|i| first + (off + i) % size)
            .collect();
        self.offsets[c.index()] = (off + job.devices()) % size;
        Some(devices)
    }
}

impl Policy for RoundRobin {
    fn name(&self) -> &'static str {
        "round-robin"
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>) {
        let devices = match self.over {
            RoundRobinOver::Devices => self.by_devices(&job, view),
            RoundRobinOver::Classes => self.by_classes(&job, view),
        };
        if let Some(devices) = devices {
            out.push(Decision::Assign {
                job: job.slot(),
                devices,
            });
        }
    }
    fn decide(&mut self, _: &ClusterView, _: &mut Vec<Decision>) {}
    fn waiting(&self) -> usize {
        0
    }
}
