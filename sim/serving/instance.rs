//! One model replica: its task queues, KV-cache memory, batch and iteration state, and
//! the splitwise-compat batch selection.
//!
//! The queues keep splitwise-sim's orders exactly, because its results depend on them:
//! the pending queue is kept by binary insertion on (preemptions, arrival) evaluated
//! when a task is inserted (later preemptions do not re-sort it), prompts are first
//! come first served, preempted decodes in the order they were preempted, and the
//! request pool by arrival.

use super::{Batching, Role};
use crate::engine::Time;
use std::collections::HashSet;

/// State of a task (a request's prefill or decode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskState {
    /// Not yet submitted to an instance.
    New,
    /// Waiting at its instance.
    Queued,
    /// In the running batch (memory allocated).
    Running,
    /// Preempted out of the batch (memory kept).
    Blocked,
    /// Finished.
    Done,
}

/// A prefill (`prompt`) or decode task of one request.
#[derive(Clone, Debug)]
pub struct Task {
    /// Request index.
    pub req: u32,
    /// Prefill (true) or decode.
    pub prompt: bool,
    /// Tokens: P for a prefill, T-1 for a decode.
    pub size: u32,
    /// State.
    pub state: TaskState,
    /// Times left out of a batch while pending.
    pub preemptions: u32,
    /// Tokens generated so far.
    pub generated: u32,
    /// Tokens the current iteration block generates.
    pub generating: u32,
    /// Instance, once assigned.
    pub inst: u32,
    /// Arrival of its request (queue keys).
    pub arrival: Time,
    /// KV memory it reserves when it starts, bytes.
    pub memory: u64,
    /// In its instance's batch.
    pub in_batch: bool,
    /// Prompt tokens processed so far (a prefill).
    pub prefilled: u32,
    /// Prompt tokens the current iteration processes (a prefill in the batch).
    pub chunk: u32,
}

impl Task {
    /// Tokens it adds to a batch per iteration.
    pub fn tokens_per_iteration(&self) -> u64 {
        if self.prompt { self.size as u64 } else { 1 }
    }
}

/// The running iteration block: `k` iterations of `dur` each from `start`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Block {
    /// Start of the block.
    pub start: Time,
    /// One iteration.
    pub dur: Time,
    /// Iterations in the block.
    pub k: u32,
    /// Prefill or mixed (true) or decode only.
    pub prefill: bool,
    /// Batch tokens of one iteration.
    pub tokens: u64,
}

/// One instance.
#[derive(Clone, Debug)]
pub struct Instance {
    /// Hardware index.
    pub hw: usize,
    /// Devices.
    pub devices: u32,
    /// Declared role.
    pub role: Role,
    /// Memory in use, bytes (weights + KV).
    pub memory: u64,
    /// Total memory, bytes.
    pub max_memory: u64,
    /// Scheduler's reserved-memory view, bytes.
    pub sched_memory: i64,
    /// Scheduler's pending-token count.
    pub sched_tokens: i64,
    /// Borrowed into the mixed pool.
    pub mixed: bool,
    /// Pending tasks (see the module docs for the order).
    pub pending: Vec<u32>,
    /// Pending prefills, first come first served.
    pub prompts: Vec<u32>,
    /// Preempted decodes.
    pub blocked: Vec<u32>,
    /// Requests with a task here, by arrival.
    pub requests: Vec<u32>,
    /// The tasks of each request here (at most two), keyed by request.
    pub request_tasks: std::collections::HashMap<u32, Vec<u32>>,
    /// The batch, in admission order.
    pub batch: Vec<u32>,
    /// Prefills in the batch.
    pub batch_prompts: usize,
    /// Batch tokens of the selected batch.
    pub batch_tokens: u64,
    /// The block in flight.
    pub block: Block,
    /// The block was shortened to let a new task in.
    pub pause_next: bool,
    /// Generation of the block's completion event.
    pub epoch: u32,
}

impl Instance {
    /// An idle instance holding the model's weights.
    pub fn new(hw: usize, devices: u32, role: Role, weights: u64, max_memory: u64) -> Self {
        Instance {
            hw,
            devices,
            role,
            memory: weights,
            max_memory,
            sched_memory: weights as i64,
            sched_tokens: 0,
            mixed: false,
            pending: Vec::new(),
            prompts: Vec::new(),
            blocked: Vec::new(),
            requests: Vec::new(),
            request_tasks: Default::default(),
            batch: Vec::new(),
            batch_prompts: 0,
            batch_tokens: 0,
            block: Block::default(),
            pause_next: false,
            epoch: 0,
        }
    }

    /// Adds a task to the request pool (requests kept by arrival, later equal
    /// arrivals after earlier ones).
    pub fn add_to_pool(&mut self, t: u32, tasks: &[Task]) {
        let r = tasks[t as usize].req;
        if let Some(v) = self.request_tasks.get_mut(&r) {
            v.push(t);
        } else {
            let key = tasks[t as usize].arrival;
            let pos = self
                .requests
                .partition_point(|&q| first_arrival(self, q, tasks) <= key);
            self.requests.insert(pos, r);
            self.request_tasks.insert(r, vec![t]);
        }
    }

    /// Removes a task from the request pool.
    pub fn remove_from_pool(&mut self, t: u32, tasks: &[Task]) {
        let r = tasks[t as usize].req;
        let v = self.request_tasks.get_mut(&r).expect("request in pool");
        v.retain(|&x| x != t);
        if v.is_empty() {
            self.request_tasks.remove(&r);
            self.requests.retain(|&q| q != r);
        }
    }

    /// Adds a pending task: binary insertion on (preemptions, arrival) read now, as
    /// Python's `bisect.insort(key=...)` does on a list whose keys have drifted.
    pub fn add_pending(&mut self, t: u32, preempted: bool, tasks: &[Task]) {
        let key = |x: u32| (tasks[x as usize].preemptions, tasks[x as usize].arrival);
        let k = key(t);
        let (mut lo, mut hi) = (0usize, self.pending.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if k < key(self.pending[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        self.pending.insert(lo, t);
        if preempted {
            self.blocked.push(t);
        }
        let task = &tasks[t as usize];
        if task.prompt {
            self.prompts.push(t);
        }
    }

    /// Removes a task from the pending queues.
    pub fn remove_pending(&mut self, t: u32, tasks: &[Task]) {
        remove(&mut self.pending, t);
        if let Some(p) = self.blocked.iter().position(|&x| x == t) {
            self.blocked.remove(p);
        }
        if tasks[t as usize].prompt {
            remove(&mut self.prompts, t);
        }
    }

    /// Chunked-prefill batch selection (Sarathi-style), `chunk` prefill tokens per
    /// iteration: every request whose next task is a decode (the running batch's
    /// first, then by arrival; a queued decode only if its memory fits), then
    /// prefills already started, then pending prefills first come first served, each
    /// taking what is left of the chunk (its memory reserved at its first chunk).
    /// Sets each selected prefill's `chunk`. Returns (preempted, new) tasks.
    pub fn select_chunked(
        &mut self,
        tasks: &mut [Task],
        b: &Batching,
        chunk: u32,
    ) -> (Vec<u32>, Vec<u32>) {
        let max_bs = b.max_batch_size as usize;
        let mut new_batch: Vec<u32> = Vec::new();
        let mut memory = self.memory;
        let mut budget = chunk;
        // Decodes: those in the batch, then the others by arrival.
        let decodes = self
            .batch
            .iter()
            .copied()
            .filter(|&t| !tasks[t as usize].prompt)
            .chain(self.requests.iter().map(|r| self.request_tasks[r][0]))
            .collect::<Vec<u32>>();
        for t in decodes {
            let task = &tasks[t as usize];
            if task.prompt || new_batch.contains(&t) || new_batch.len() == max_bs {
                continue;
            }
            if task.state == TaskState::Queued {
                if task.memory + memory > self.max_memory {
                    continue;
                }
                memory += task.memory;
            }
            new_batch.push(t);
        }
        let prompts = self
            .batch
            .iter()
            .copied()
            .filter(|&t| tasks[t as usize].prompt)
            .chain(self.prompts.iter().copied())
            .collect::<Vec<u32>>();
        for t in prompts {
            if budget == 0 || new_batch.len() == max_bs {
                break;
            }
            let task = &tasks[t as usize];
            if task.state == TaskState::Queued {
                if task.memory + memory > self.max_memory {
                    break;
                }
                memory += task.memory;
            }
            let c = (task.size - task.prefilled).min(budget);
            budget -= c;
            tasks[t as usize].chunk = c;
            new_batch.push(t);
        }
        self.batch_tokens = new_batch
            .iter()
            .map(|&t| {
                let task = &tasks[t as usize];
                if task.prompt { task.chunk as u64 } else { 1 }
            })
            .sum();
        self.changes(tasks, &new_batch, |t| new_batch.contains(t))
    }

    /// Splitwise-compat batch selection. Returns (preempted, new) tasks.
    pub fn select_batch(&mut self, tasks: &[Task], b: &Batching) -> (Vec<u32>, Vec<u32>) {
        let max_bs = b.max_batch_size as usize;
        let mut new_batch: Vec<u32> = Vec::new();
        let mut in_new: HashSet<u32> = HashSet::new();
        let mut reqs: HashSet<u32> = HashSet::new();
        let mut tokens: u64 = 0;
        let mut memory = self.memory;
        let tpi = |t: u32| tasks[t as usize].tokens_per_iteration();
        macro_rules! push {
            ($t:expr) => {{
                let t = $t;
                new_batch.push(t);
                in_new.insert(t);
                reqs.insert(tasks[t as usize].req);
                tokens += tpi(t);
            }};
        }
        // 1. Tasks preempted the maximum number of times (the queue's head run).
        for &t in &self.pending {
            let task = &tasks[t as usize];
            if task.preemptions < b.max_preemptions {
                break;
            }
            if new_batch.len() == max_bs {
                break;
            }
            if !new_batch.is_empty() && tokens + tpi(t) > b.max_batch_tokens {
                break;
            }
            if reqs.contains(&task.req) {
                continue;
            }
            if task.state == TaskState::Blocked {
                push!(t);
                continue;
            }
            if task.memory + memory <= self.max_memory {
                memory += task.memory;
                push!(t);
            }
        }
        // 2. Pending prefills, first come first served.
        for &t in &self.prompts {
            let task = &tasks[t as usize];
            if new_batch.len() == max_bs {
                break;
            }
            if !new_batch.is_empty() && tokens + tpi(t) > b.max_batch_tokens {
                break;
            }
            if reqs.contains(&task.req) {
                continue;
            }
            if task.memory + memory <= self.max_memory {
                memory += task.memory;
                push!(t);
            } else {
                break;
            }
        }
        // 3. Preempted decodes; 4. the running batch.
        for &t in self.blocked.iter().chain(self.batch.iter()) {
            if new_batch.len() == max_bs {
                break;
            }
            if !new_batch.is_empty() && tokens + tpi(t) > b.max_batch_tokens {
                break;
            }
            if reqs.contains(&tasks[t as usize].req) {
                continue;
            }
            push!(t);
        }
        // 5. Other requests' first tasks, by arrival.
        for &r in &self.requests {
            if new_batch.len() == max_bs {
                break;
            }
            let t = self.request_tasks[&r][0];
            let task = &tasks[t as usize];
            if reqs.contains(&task.req) {
                continue;
            }
            if !new_batch.is_empty() && tokens + tpi(t) > b.max_batch_tokens {
                break;
            }
            if task.state == TaskState::Blocked {
                push!(t);
                continue;
            }
            if task.memory + memory <= self.max_memory {
                memory += task.memory;
                push!(t);
            } else {
                break;
            }
        }
        self.batch_tokens = tokens;
        self.changes(tasks, &new_batch, |t| in_new.contains(t))
    }

    /// What a batch selection changes: (preempted: the running batch's tasks not
    /// selected again, new: the selected tasks not yet in a batch).
    fn changes(
        &self,
        tasks: &[Task],
        selected: &[u32],
        is_selected: impl Fn(&u32) -> bool,
    ) -> (Vec<u32>, Vec<u32>) {
        let preempted = self
            .batch
            .iter()
            .copied()
            .filter(|t| !is_selected(t))
            .collect();
        let new = selected
            .iter()
            .copied()
            .filter(|&t| !tasks[t as usize].in_batch)
            .collect();
        (preempted, new)
    }
}

fn first_arrival(inst: &Instance, r: u32, tasks: &[Task]) -> Time {
    tasks[inst.request_tasks[&r][0] as usize].arrival
}

fn remove(v: &mut Vec<u32>, t: u32) {
    if let Some(p) = v.iter().position(|&x| x == t) {
        v.remove(p);
    }
}
