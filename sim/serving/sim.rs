//! The serving event loop: arrivals, iteration blocks, KV transfers, energy.
//!
//! Actions that splitwise-sim schedules with zero delay run immediately, nested, as
//! they do there (a task submitted to an idle instance starts its iteration inside
//! the arrival). Runs of decode-only iterations are one event of k iterations (k = the
//! fewest tokens any task in the batch has left), cut short at the next iteration
//! boundary when a task arrives that can join; their timestamps are those of k single
//! iterations.

use super::instance::{Block, Instance, Task, TaskState};
use super::perf::IterKind;
use super::sched::{self, Placement};
use super::{Request, ServingSpec};
use crate::engine::{Engine, Time, secs, to_secs};

#[derive(Clone, Copy, Debug)]
enum Ev {
    Arrival(u32),
    BlockEnd { inst: u32, epoch: u32 },
    TransferEnd(u32),
    TransferRetry(u32),
}

/// What happened to one request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestRecord {
    /// The request.
    pub id: u64,
    /// Arrival, s.
    pub arrival: f64,
    /// Prompt tokens.
    pub prompt: u32,
    /// Output tokens.
    pub output: u32,
    /// Prefill instance.
    pub prompt_instance: u32,
    /// Decode instance.
    pub token_instance: u32,
    /// End of the prefill (first token), s; `None` if it never ran.
    pub prefill_end: Option<f64>,
    /// KV transfer start and end, s.
    pub transfer: Option<(f64, f64)>,
    /// KV transfer duration, s (exact: from integer time).
    pub transfer_s: Option<f64>,
    /// Completion, s.
    pub done: Option<f64>,
    /// Times its tasks were left out of a batch while pending.
    pub preemptions: u32,
    /// Its share of the energy of the iterations it was in, J (IT, no PUE).
    pub energy_j: f64,
}

/// One iteration block, for logs and tests.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BlockRecord {
    /// Instance.
    pub inst: u32,
    /// Start, s.
    pub start: f64,
    /// One iteration's duration, s.
    pub dur: f64,
    /// Iterations run.
    pub k: u32,
    /// Tasks in the batch.
    pub batch: u32,
    /// Batch tokens of one iteration.
    pub tokens: u64,
    /// Prefill or mixed.
    pub prefill: bool,
}

/// The result of a serving run.
#[derive(Clone, Debug, Default)]
pub struct ServingOutcome {
    /// Per request, in arrival order.
    pub requests: Vec<RequestRecord>,
    /// Iteration blocks in the order they ended.
    pub blocks: Vec<BlockRecord>,
    /// End of the run (last event), s.
    pub end_s: f64,
    /// Busy (iteration) energy per instance, J.
    pub busy_j: Vec<f64>,
    /// Idle energy per instance, J.
    pub idle_j: Vec<f64>,
    /// Energy per series bin, J (IT).
    pub bin_energy_j: Vec<f64>,
    /// Output tokens per series bin (each at the end of its iteration).
    pub bin_tokens: Vec<u64>,
    /// Bin width, s.
    pub bin_s: f64,
    /// Times a transfer found no room at its destination.
    pub transfer_retries: u64,
    /// Memory in use per instance at the end, bytes (the weights when every request
    /// finished: KV memory is conserved).
    pub final_memory: Vec<u64>,
    /// Every change of an instance's power, in time order (recorded only by
    /// [`simulate_recording`]; empty otherwise).
    pub steps: Vec<PowerStep>,
}

/// An instance's power changes at `t` to `watts` (all its devices), busy or idle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PowerStep {
    /// When.
    pub t: Time,
    /// Instance.
    pub inst: u32,
    /// Its power from `t` on, W.
    pub watts: f64,
    /// Whether it runs an iteration from `t` on.
    pub busy: bool,
}

struct Sim<'a> {
    spec: &'a ServingSpec,
    eng: Engine<Ev>,
    tasks: Vec<Task>,
    reqs: Vec<ReqState>,
    insts: Vec<Instance>,
    sched: sched::State,
    out: ServingOutcome,
    /// Per instance: (power W of the current level, since).
    level: Vec<(f64, Time, bool)>,
    bin: Time,
    /// Shared links by (source, destination) instance: busy, and requests waiting.
    links: std::collections::HashMap<(u32, u32), (bool, std::collections::VecDeque<u32>)>,
    /// Record every power change in `out.steps`.
    record: bool,
}

struct ReqState {
    memory: u64,
    place: Placement,
    transfer_bytes: u64,
    /// Duration of the iteration that ran its prefill.
    prefill_dur: Time,
}

/// Runs a serving scenario to the last event.
pub fn simulate(spec: &ServingSpec) -> ServingOutcome {
    run(spec, false)
}

/// [`simulate`], also recording every change of an instance's power
/// ([`ServingOutcome::steps`]), for runs that add it to other power.
pub fn simulate_recording(spec: &ServingSpec) -> ServingOutcome {
    run(spec, true)
}

fn run(spec: &ServingSpec, record: bool) -> ServingOutcome {
    let kv = spec.kv_bytes_per_token;
    let mut tasks = Vec::with_capacity(spec.requests.len() * 2);
    for (i, r) in spec.requests.iter().enumerate() {
        for prompt in [true, false] {
            let size = if prompt { r.prompt } else { r.output - 1 };
            let mem_tokens = if prompt {
                r.prompt as u64 + 1
            } else {
                size as u64
            };
            tasks.push(Task {
                req: i as u32,
                prompt,
                size,
                state: TaskState::New,
                preemptions: 0,
                generated: 0,
                generating: 0,
                inst: 0,
                arrival: r.arrival,
                memory: kv * mem_tokens,
                in_batch: false,
                prefilled: 0,
                chunk: 0,
            });
        }
    }
    let insts: Vec<Instance> = spec
        .instances
        .iter()
        .map(|s| {
            let hw = &spec.hardware[s.hw];
            Instance::new(
                s.hw,
                s.devices,
                s.role,
                spec.weights,
                hw.memory * s.devices as u64,
            )
        })
        .collect();
    let level = insts
        .iter()
        .map(|x| {
            let p = spec.hardware[x.hw].power.idle * x.devices as f64;
            (p, 0, false)
        })
        .collect();
    let n = insts.len();
    let mut sim = Sim {
        spec,
        eng: Engine::with_capacity(1024),
        tasks,
        reqs: spec
            .requests
            .iter()
            .map(|_| ReqState {
                memory: 0,
                place: Placement {
                    prompt: 0,
                    token: 0,
                },
                transfer_bytes: 0,
                prefill_dur: 0,
            })
            .collect(),
        sched: sched::State::new(spec.scheduler, &insts),
        insts,
        out: ServingOutcome {
            requests: spec
                .requests
                .iter()
                .map(|r| RequestRecord {
                    id: r.id,
                    arrival: to_secs(r.arrival),
                    prompt: r.prompt,
                    output: r.output,
                    ..Default::default()
                })
                .collect(),
            busy_j: vec![0.0; n],
            idle_j: vec![0.0; n],
            bin_s: spec.series_interval,
            ..Default::default()
        },
        level,
        bin: secs(spec.series_interval).max(1),
        links: Default::default(),
        record,
    };
    // One pending arrival at a time keeps the event list small.
    if !spec.requests.is_empty() {
        sim.eng
            .schedule_at(spec.requests[0].arrival, Ev::Arrival(0))
            .expect("first arrival");
    }
    while let Some((_, ev)) = sim.eng.pop() {
        match ev {
            Ev::Arrival(r) => {
                if let Some(next) = spec.requests.get(r as usize + 1) {
                    sim.eng
                        .schedule_at(next.arrival, Ev::Arrival(r + 1))
                        .expect("arrivals are sorted");
                }
                sim.arrive(r);
            }
            Ev::BlockEnd { inst, epoch } => {
                if sim.insts[inst as usize].epoch == epoch {
                    sim.complete_block(inst);
                }
            }
            Ev::TransferEnd(r) => sim.transfer_end(r),
            Ev::TransferRetry(r) => sim.transfer_try(r),
        }
    }
    let end = sim.eng.now();
    for i in 0..n {
        sim.set_level(i as u32, None, end);
    }
    sim.out.end_s = to_secs(end);
    sim.out.final_memory = sim.insts.iter().map(|x| x.memory).collect();
    sim.out
}

impl Sim<'_> {
    fn now(&self) -> Time {
        self.eng.now()
    }

    /// Integrates instance `i`'s power up to `now` and switches to `level`
    /// (`Some(prefill?)` busy, `None` idle).
    fn set_level(&mut self, i: u32, busy: Option<bool>, now: Time) {
        let x = &self.insts[i as usize];
        let hw = &self.spec.hardware[x.hw];
        let d = x.devices as f64;
        let (w, since, was_busy) = self.level[i as usize];
        if now > since {
            let e = w * to_secs(now - since);
            if was_busy {
                self.out.busy_j[i as usize] += e;
            } else {
                self.out.idle_j[i as usize] += e;
            }
            self.add_bin_energy(since, now, w);
        }
        let new_w = match busy {
            None => hw.power.idle * d,
            Some(true) => hw.power.prefill * d,
            Some(false) => hw.power.decode * d,
        };
        if self.record && (new_w != w || busy.is_some() != was_busy) {
            // Two changes at one instant (a block ends, the next starts) keep the last.
            match self.out.steps.last_mut() {
                Some(s) if s.t == now && s.inst == i => {
                    s.watts = new_w;
                    s.busy = busy.is_some();
                }
                _ => self.out.steps.push(PowerStep {
                    t: now,
                    inst: i,
                    watts: new_w,
                    busy: busy.is_some(),
                }),
            }
        }
        self.level[i as usize] = (new_w, now, busy.is_some());
    }

    fn add_bin_energy(&mut self, mut a: Time, b: Time, w: f64) {
        while a < b {
            let k = (a / self.bin) as usize;
            let edge = ((k as u64 + 1) * self.bin).min(b);
            if self.out.bin_energy_j.len() <= k {
                self.out.bin_energy_j.resize(k + 1, 0.0);
            }
            self.out.bin_energy_j[k] += w * to_secs(edge - a);
            a = edge;
        }
    }

    fn add_bin_tokens(&mut self, t: Time, n: u64) {
        let k = (t.saturating_sub(1) / self.bin) as usize;
        if self.out.bin_tokens.len() <= k {
            self.out.bin_tokens.resize(k + 1, 0);
        }
        self.out.bin_tokens[k] += n;
    }

    fn arrive(&mut self, r: u32) {
        let req: Request = self.spec.requests[r as usize];
        let (pt, tt) = (2 * r, 2 * r + 1);
        let (pm, tm) = (
            self.tasks[pt as usize].memory,
            self.tasks[tt as usize].memory,
        );
        let insts = &mut self.insts;
        let place = self
            .sched
            .place(insts, req.prompt, pm, tm, |x: &Instance| x.pending.len());
        self.reqs[r as usize].place = place;
        let rec = &mut self.out.requests[r as usize];
        rec.prompt_instance = place.prompt;
        rec.token_instance = place.token;
        if place.prompt != place.token {
            self.reqs[r as usize].transfer_bytes = self.spec.kv_bytes_per_token * req.prompt as u64;
        }
        self.task_arrival(place.prompt, pt);
        if place.prompt == place.token {
            // Run to completion on one instance: the decode is submitted with the prefill.
            self.task_arrival(place.token, tt);
        }
    }

    fn task_arrival(&mut self, i: u32, t: u32) {
        {
            let task = &mut self.tasks[t as usize];
            task.inst = i;
            task.state = TaskState::Queued;
        }
        let x = &mut self.insts[i as usize];
        x.add_to_pool(t, &self.tasks);
        x.add_pending(t, false, &self.tasks);
        let task = &self.tasks[t as usize];
        let b = &self.spec.batching;
        if x.batch.is_empty() {
            if x.memory + task.memory > x.max_memory {
                return;
            }
            self.start_block(i);
            return;
        }
        if x.batch.len() < b.max_batch_size as usize
            && (b.chunk.is_some()
                || x.batch_tokens + task.tokens_per_iteration() <= b.max_batch_tokens)
        {
            self.pause(i);
            return;
        }
        if task.prompt {
            let token_tasks = (x.batch.len() - x.batch_prompts) as u64;
            let prompt_tokens = x.batch_tokens - token_tasks;
            if x.batch_prompts < x.batch.len()
                && prompt_tokens + task.size as u64 <= b.max_batch_tokens
            {
                self.pause(i);
            }
        }
    }

    /// Cuts a decode-only block at the next iteration boundary.
    fn pause(&mut self, i: u32) {
        let now = self.now();
        let x = &mut self.insts[i as usize];
        if x.pause_next || x.batch_prompts > 0 {
            return;
        }
        x.pause_next = true;
        let blk = x.block;
        let done = ((now - blk.start) / blk.dur) as u32;
        let k = (done + 1).min(blk.k);
        x.block.k = k;
        for &t in &x.batch {
            self.tasks[t as usize].generating = k;
        }
        x.epoch = x.epoch.wrapping_add(1);
        let epoch = x.epoch;
        self.eng
            .schedule_at(
                blk.start + blk.dur * k as u64,
                Ev::BlockEnd { inst: i, epoch },
            )
            .expect("a boundary not before now");
    }

    fn start_block(&mut self, i: u32) {
        let now = self.now();
        let b = self.spec.batching;
        let (preempted, new) = match b.chunk {
            None => self.insts[i as usize].select_batch(&self.tasks, &b),
            Some(c) => self.insts[i as usize].select_chunked(&mut self.tasks, &b, c),
        };
        for t in preempted {
            self.tasks[t as usize].state = TaskState::Blocked;
            self.remove_from_batch(i, t);
            self.insts[i as usize].add_pending(t, true, &self.tasks);
        }
        for t in new {
            self.insts[i as usize].remove_pending(t, &self.tasks);
            self.add_to_batch(i, t);
        }
        let x = &self.insts[i as usize];
        for r in &x.requests {
            let t = x.request_tasks[r][0];
            if !self.tasks[t as usize].in_batch {
                self.tasks[t as usize].preemptions += 1;
            }
        }
        if x.batch.is_empty() {
            let free = x.requests.is_empty();
            self.set_level(i, None, now);
            if free {
                self.sched.on_free(&mut self.insts, i);
            }
            return;
        }
        let n_prompts = x.batch_prompts;
        let kind = if n_prompts == x.batch.len() {
            IterKind::Prefill
        } else if n_prompts == 0 {
            IterKind::Decode
        } else {
            IterKind::Mixed
        };
        if b.chunk.is_none() {
            // A prefill runs whole.
            for &t in &x.batch {
                let task = &mut self.tasks[t as usize];
                if task.prompt {
                    task.chunk = task.size;
                }
            }
        }
        let x = &self.insts[i as usize];
        let tokens: u64 = x
            .batch
            .iter()
            .map(|&t| {
                let task = &self.tasks[t as usize];
                if task.prompt { task.chunk as u64 } else { 1 }
            })
            .sum();
        let dur_s = self.spec.hardware[x.hw].perf.iteration(kind, tokens);
        // At least 1 ns: a block of k iterations must advance time (and divide).
        let dur = secs(dur_s).max(1);
        let k = if n_prompts > 0 {
            1
        } else {
            x.batch
                .iter()
                .map(|&t| {
                    let task = &self.tasks[t as usize];
                    task.size.saturating_sub(task.generated)
                })
                .min()
                .expect("non-empty batch")
        };
        let batch = x.batch.clone();
        for t in batch {
            let task = &mut self.tasks[t as usize];
            task.generating = k;
            match task.state {
                TaskState::Queued => {
                    task.state = TaskState::Running;
                    let (m, r) = (task.memory, task.req);
                    self.insts[i as usize].memory += m;
                    self.reqs[r as usize].memory += m;
                }
                TaskState::Blocked => task.state = TaskState::Running,
                _ => {}
            }
        }
        let prefill = kind != IterKind::Decode;
        self.set_level(i, Some(prefill), now);
        let x = &mut self.insts[i as usize];
        x.block = Block {
            start: now,
            dur,
            k,
            prefill,
            tokens,
        };
        x.epoch = x.epoch.wrapping_add(1);
        let epoch = x.epoch;
        self.eng
            .schedule_in(dur * k as u64, Ev::BlockEnd { inst: i, epoch });
    }

    fn add_to_batch(&mut self, i: u32, t: u32) {
        let x = &mut self.insts[i as usize];
        x.batch.push(t);
        self.tasks[t as usize].in_batch = true;
        if self.tasks[t as usize].prompt {
            x.batch_prompts += 1;
        }
    }

    fn remove_from_batch(&mut self, i: u32, t: u32) {
        let x = &mut self.insts[i as usize];
        if let Some(p) = x.batch.iter().position(|&y| y == t) {
            x.batch.remove(p);
        }
        self.tasks[t as usize].in_batch = false;
        if self.tasks[t as usize].prompt {
            x.batch_prompts -= 1;
        }
    }

    fn complete_block(&mut self, i: u32) {
        let now = self.now();
        let x = &self.insts[i as usize];
        let blk = x.block;
        // Energy of the block, shared by tokens processed.
        let (w, since, _) = self.level[i as usize];
        let energy = w * to_secs(now - since);
        let batch = x.batch.clone();
        let total: u64 = batch
            .iter()
            .map(|&t| {
                let task = &self.tasks[t as usize];
                if task.prompt {
                    task.chunk as u64
                } else {
                    task.generating as u64
                }
            })
            .sum();
        for &t in &batch {
            let task = &self.tasks[t as usize];
            let tok = if task.prompt {
                task.chunk as u64
            } else {
                task.generating as u64
            };
            if total > 0 {
                self.out.requests[task.req as usize].energy_j += energy * tok as f64 / total as f64;
            }
        }
        self.out.blocks.push(BlockRecord {
            inst: i,
            start: to_secs(blk.start),
            dur: to_secs(blk.dur),
            k: blk.k,
            batch: batch.len() as u32,
            tokens: blk.tokens,
            prefill: blk.prefill,
        });
        let mut completed = Vec::new();
        for &t in &batch {
            let task = &mut self.tasks[t as usize];
            let complete = if task.prompt {
                // Its first token when its last prompt chunk is processed.
                task.prefilled += task.chunk;
                task.chunk = 0;
                task.generating = 0;
                if task.prefilled == task.size {
                    task.generated = 1;
                }
                task.generated == 1
            } else {
                task.generated += task.generating;
                task.generating = 0;
                task.generated >= task.size
            };
            if complete {
                completed.push(t);
            }
        }
        // Each iteration emits one token per decode and per finished prefill (a block
        // with prefills is one iteration).
        let prompts_done = completed
            .iter()
            .filter(|&&t| self.tasks[t as usize].prompt)
            .count();
        let per_iteration =
            (batch.len() - self.insts[i as usize].batch_prompts + prompts_done) as u64;
        for j in 1..=blk.k as u64 {
            self.add_bin_tokens(blk.start + blk.dur * j, per_iteration);
        }
        // The block's energy is accounted; the next level starts now.
        self.set_level(i, None, now);
        for t in completed {
            self.task_done(i, t);
        }
        self.insts[i as usize].pause_next = false;
        self.start_block(i);
    }

    fn free(&mut self, i: u32, m: u64) {
        let x = &mut self.insts[i as usize];
        x.memory -= m;
        x.sched_memory -= m as i64;
    }

    fn task_done(&mut self, i: u32, t: u32) {
        let now = self.now();
        let (r, prompt) = {
            let task = &mut self.tasks[t as usize];
            task.state = TaskState::Done;
            (task.req, task.prompt)
        };
        let rec = &mut self.out.requests[r as usize];
        if prompt {
            self.insts[i as usize].sched_tokens -= self.tasks[t as usize].size as i64;
            rec.prefill_end = Some(to_secs(now));
        } else {
            self.insts[i as usize].sched_tokens -= 1;
            let m = self.reqs[r as usize].memory;
            self.free(i, m);
            self.reqs[r as usize].memory = 0;
        }
        self.remove_from_batch(i, t);
        self.insts[i as usize].remove_from_pool(t, &self.tasks);
        let rec = &mut self.out.requests[r as usize];
        if prompt {
            if self.reqs[r as usize].place.token != i {
                self.reqs[r as usize].prefill_dur = self.insts[i as usize].block.dur;
                self.transfer_try(r);
            }
        } else {
            rec.done = Some(to_secs(now));
            rec.preemptions =
                self.tasks[2 * r as usize].preemptions + self.tasks[2 * r as usize + 1].preemptions;
        }
    }

    /// Starts the KV transfer if the destination has room, else retries later.
    fn transfer_try(&mut self, r: u32) {
        let now = self.now();
        let st = &self.reqs[r as usize];
        let (src, dst, m) = (st.place.prompt, st.place.token, st.memory);
        if self.spec.transfer.shared_link {
            let link = self.links.entry((src, dst)).or_default();
            if link.0 {
                // Busy: wait in line; the transfer ahead starts this one when it ends.
                if !link.1.contains(&r) {
                    link.1.push_back(r);
                }
                return;
            }
        }
        let d = &self.insts[dst as usize];
        if d.memory + m <= d.max_memory {
            let bw = self.spec.transfer.bandwidth[self.insts[src as usize].hw][d.hw];
            self.insts[dst as usize].memory += m;
            let full = st.transfer_bytes as f64 / bw;
            let visible = match self.spec.transfer.overlap_layers {
                Some(layers) => (full - to_secs(st.prefill_dur)).max(full / layers as f64),
                None => full,
            };
            let dur = secs(visible);
            let rec = &mut self.out.requests[r as usize];
            rec.transfer = Some((to_secs(now), to_secs(now + dur)));
            rec.transfer_s = Some(to_secs(dur));
            self.eng.schedule_in(dur, Ev::TransferEnd(r));
            if self.spec.transfer.shared_link {
                self.links.entry((src, dst)).or_default().0 = true;
            }
        } else {
            self.out.transfer_retries += 1;
            self.eng
                .schedule_in(secs(self.spec.transfer.retry), Ev::TransferRetry(r));
        }
    }

    fn transfer_end(&mut self, r: u32) {
        let st = &self.reqs[r as usize];
        let (src, dst, m) = (st.place.prompt, st.place.token, st.memory);
        self.free(src, m);
        if self.spec.transfer.shared_link {
            let link = self.links.entry((src, dst)).or_default();
            link.0 = false;
            if let Some(next) = link.1.pop_front() {
                self.transfer_try(next);
            }
        }
        self.task_arrival(dst, 2 * r + 1);
        // The source may have been waiting for this memory.
        let b = self.spec.batching;
        let x = &self.insts[src as usize];
        let Some(&t) = x.pending.first() else {
            return;
        };
        if x.batch.is_empty() {
            if x.memory + self.tasks[t as usize].memory > x.max_memory {
                return;
            }
            self.start_block(src);
        } else if x.batch.len() < b.max_batch_size as usize && x.batch_tokens < b.max_batch_tokens {
            self.pause(src);
        }
    }
}
