//! Request schedulers: which instance runs a request's prefill and which its decode.
//!
//! They read the instances' scheduler views (`sched_tokens`, `sched_memory`) and keep
//! splitwise-sim's bookkeeping and tie rule (the first instance in list order wins).

use super::instance::Instance;
use super::{Pick, Role, Scheduler};

/// Where a request goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    /// Prefill instance.
    pub prompt: u32,
    /// Decode instance (the same: no KV transfer).
    pub token: u32,
}

/// The scheduler's state.
#[derive(Clone, Debug)]
pub struct State {
    kind: Scheduler,
    all: Vec<u32>,
    prompt: Vec<u32>,
    token: Vec<u32>,
    mixed: Vec<u32>,
    rr: [usize; 2],
}

fn argmin<K: PartialOrd>(list: &[u32], key: impl Fn(u32) -> K) -> Option<u32> {
    let mut best: Option<(u32, K)> = None;
    for &i in list {
        let k = key(i);
        if best.as_ref().is_none_or(|(_, bk)| k < *bk) {
            best = Some((i, k));
        }
    }
    best.map(|b| b.0)
}

impl State {
    /// Pools from the instances' roles.
    pub fn new(kind: Scheduler, insts: &[Instance]) -> State {
        let ids = |r: Role| -> Vec<u32> {
            (0..insts.len() as u32)
                .filter(|&i| insts[i as usize].role == r)
                .collect()
        };
        State {
            kind,
            all: (0..insts.len() as u32).collect(),
            prompt: ids(Role::Prompt),
            token: ids(Role::Token),
            mixed: Vec::new(),
            rr: [0, 0],
        }
    }

    /// Places a request of `prompt_mem` + `token_mem` KV bytes and prompt size `p`,
    /// updating the scheduler views.
    pub fn place(
        &mut self,
        insts: &mut [Instance],
        p: u32,
        prompt_mem: u64,
        token_mem: u64,
        pending: impl Fn(&Instance) -> usize,
    ) -> Placement {
        match self.kind {
            Scheduler::TokenJsq => {
                let i = argmin(&self.all, |i| insts[i as usize].sched_tokens).expect("instances");
                insts[i as usize].sched_tokens += p as i64 + 1;
                Placement {
                    prompt: i,
                    token: i,
                }
            }
            Scheduler::Pools { pick } => {
                let mut choose = |pool: &[u32], slot: usize| -> u32 {
                    match pick {
                        Pick::RoundRobin => {
                            let i = pool[self.rr[slot] % pool.len()];
                            self.rr[slot] += 1;
                            i
                        }
                        Pick::ShortestQueue => argmin(pool, |i| {
                            let x = &insts[i as usize];
                            pending(x) + x.batch.len()
                        })
                        .expect("pool"),
                        Pick::FewestTokens => {
                            argmin(pool, |i| insts[i as usize].sched_tokens).expect("pool")
                        }
                    }
                };
                let a = choose(&self.prompt.clone(), 0);
                let b = choose(&self.token.clone(), 1);
                insts[a as usize].sched_tokens += p as i64;
                insts[b as usize].sched_tokens += 1;
                Placement {
                    prompt: a,
                    token: b,
                }
            }
            Scheduler::MixedPool { prompt_threshold } => {
                self.mixed_pool(insts, p, prompt_mem, token_mem, prompt_threshold, pending)
            }
        }
    }

    fn mixed_pool(
        &mut self,
        insts: &mut [Instance],
        p: u32,
        prompt_mem: u64,
        token_mem: u64,
        threshold: u64,
        pending: impl Fn(&Instance) -> usize,
    ) -> Placement {
        let best_prompt = |list: &[u32], insts: &[Instance]| -> Option<u32> {
            let i = argmin(list, |i| insts[i as usize].sched_tokens)?;
            let x = &insts[i as usize];
            let long = pending(x) > 0 && x.sched_tokens + p as i64 > threshold as i64;
            (!long).then_some(i)
        };
        let best_token = |list: &[u32], insts: &[Instance]| -> Option<u32> {
            let i = argmin(list, |i| insts[i as usize].sched_memory)?;
            let x = &insts[i as usize];
            let loaded = x.sched_memory + (prompt_mem + token_mem) as i64 >= x.max_memory as i64;
            (!loaded).then_some(i)
        };
        let mut pi = best_prompt(&self.prompt, insts).or_else(|| best_prompt(&self.mixed, insts));
        let mut ti = best_token(&self.token, insts).or_else(|| best_token(&self.mixed, insts));
        if pi.is_none() && !self.token.is_empty() {
            let i = argmin(&self.token, |i| insts[i as usize].sched_tokens).expect("non-empty");
            self.token.retain(|&x| x != i);
            self.mixed.push(i);
            insts[i as usize].mixed = true;
            pi = Some(i);
        }
        if ti.is_none() && !self.prompt.is_empty() {
            let i = argmin(&self.prompt, |i| insts[i as usize].sched_memory).expect("non-empty");
            self.prompt.retain(|&x| x != i);
            self.mixed.push(i);
            insts[i as usize].mixed = true;
            ti = Some(i);
        }
        let (a, b) = match (pi, ti) {
            (Some(a), Some(b)) => (a, b),
            _ => {
                let all: Vec<u32> = self
                    .prompt
                    .iter()
                    .chain(&self.mixed)
                    .chain(&self.token)
                    .copied()
                    .collect();
                let i = argmin(&all, |i| insts[i as usize].sched_tokens).expect("instances");
                (i, i)
            }
        };
        if a != b {
            insts[a as usize].sched_memory += prompt_mem as i64;
            insts[b as usize].sched_memory += (prompt_mem + token_mem) as i64;
        } else {
            insts[a as usize].sched_memory += (prompt_mem + token_mem) as i64;
        }
        insts[a as usize].sched_tokens += p as i64;
        insts[b as usize].sched_tokens += 1;
        Placement {
            prompt: a,
            token: b,
        }
    }

    /// An instance has nothing left to do: a borrowed one returns to its pool.
    pub fn on_free(&mut self, insts: &mut [Instance], i: u32) {
        let x = &mut insts[i as usize];
        if !x.mixed {
            return;
        }
        x.mixed = false;
        self.mixed.retain(|&m| m != i);
        match x.role {
            Role::Prompt => self.prompt.push(i),
            Role::Token => self.token.push(i),
            Role::Both => {}
        }
    }
}
