//! Stage two for the `workload:` section: job kinds (arrival processes, size
//! distributions, pipelines), explicit jobs and replayed traces.
//!
//! Every error names the field it is about, so the loader can point at its line.

use super::raw::*;
use super::{FieldError, MAX_BATCH_JOBS};
use crate::model::*;
use crate::trace::{self, Format, Selection};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// What [`build`] gives: the kinds, the explicit jobs and the traces' time origin.
/// The last is the first listed job too long to run (see [`explicit_jobs`]).
pub(super) type Built = (Vec<JobKind>, Vec<JobSpec>, Option<f64>, Option<FieldError>);

/// Builds the kinds and the explicit jobs (sorted by arrival, traces included).
pub(super) fn build(
    w: &RawWorkload,
    listed: RawJobs,
    classes: &[DeviceClass],
    kind_names: &[String],
    horizon: Option<f64>,
    base: &Path,
) -> Result<Built, FieldError> {
    let scale = match w.scale {
        None => 1.0,
        Some(s) if s.0 > 0.0 => s.0,
        Some(_) => return Err(FieldError::new("workload.scale", "scale must be positive")),
    };
    let index = |name: &str| kind_names.iter().position(|n| n == name);

    // Pipeline successors first: a kind released by another needs a size.
    let mut then = Vec::with_capacity(w.kinds.len());
    for (kname, k) in &w.kinds {
        let mut v = Vec::new();
        for (i, s) in k.then.iter().flatten().enumerate() {
            let si = index(s).ok_or_else(|| {
                FieldError::new(
                    format!("workload.kinds.{kname}.then[{i}]"),
                    format!("unknown job kind `{s}`"),
                )
                .with_hint(format!("kinds: {}", kind_names.join(", ")))
            })?;
            v.push(si as u32);
        }
        then.push(v);
    }
    check_acyclic(&then, kind_names)?;
    let released: BTreeSet<u32> = then.iter().flatten().copied().collect();

    let mut kinds = Vec::new();
    let mut batch_jobs: u64 = 0;
    for (ki, (kname, k)) in w.kinds.iter().enumerate() {
        let p = format!("workload.kinds.{kname}");
        let arrival = match &k.arrival {
            None => Arrival::None,
            Some(a) => {
                crate::workload::arrival::validate(a, &format!("{p}.arrival"), horizon, scale)?
            }
        };
        // A batch arrives at one instant: all of it is in memory at once.
        if let Arrival::Batch { count, .. } = arrival {
            batch_jobs = batch_jobs.saturating_add(count);
            if batch_jobs > MAX_BATCH_JOBS {
                return Err(FieldError::new(format!("{p}.arrival.count"), format!(
                        "batches of {batch_jobs} jobs in total, more than the limit of {MAX_BATCH_JOBS} (a batch is held in memory at once)"
                    )).with_hint("for long streams use a poisson or periodic process with `count`; or raise scenario::MAX_BATCH_JOBS"));
            }
        }
        let needs_size = arrival != Arrival::None || released.contains(&(ki as u32));
        let size = match &k.size {
            Some(s) => crate::workload::size::validate(s, &format!("{p}.size"), base)?,
            None if !needs_size => Size::constant(0.0),
            None => {
                let why = if arrival != Arrival::None {
                    "a kind with generated arrivals"
                } else {
                    "a kind released by a pipeline (`then`)"
                };
                return Err(FieldError::new(
                    format!("{p}.size"),
                    format!("missing `size` for {why}"),
                ));
            }
        };
        let devices = k.devices.unwrap_or(1);
        if devices == 0 {
            return Err(FieldError::new(
                format!("{p}.devices"),
                "devices must be at least 1",
            ));
        }
        check_slots(&p, k.slots, devices)?;
        let estimate = match &k.estimate {
            None => None,
            Some(e) => Some(match (&e.factor, &e.factor_dist) {
                (Some(f), None) => EstimateRule::Factor(f.0),
                (None, Some(d)) => EstimateRule::Dist(crate::workload::size::validate(
                    d,
                    &format!("{p}.estimate.factor_dist"),
                    base,
                )?),
                _ => {
                    return Err(FieldError::new(
                        format!("{p}.estimate"),
                        "give `factor` (a number; 1: exact) or `factor_dist` (a distribution), not both or neither",
                    )
                    .with_hint("e.g. estimate: {factor: 1} or estimate: {factor_dist: {dist: uniform, min: 1, max: 5}}"));
                }
            }),
        };
        kinds.push(JobKind {
            estimate,
            name: kname.clone(),
            arrival,
            size,
            req: JobRequirements {
                work: 0.0,
                devices,
                slots: k.slots,
                memory: k.memory.map_or(0.0, |b| b.0),
                deadline: k.deadline.map(|d| d.0),
                priority: k.priority.unwrap_or(0),
                estimate: None,
                slack: k.slack.map(|s| s.0),
                divisible: k.divisible.unwrap_or(false),
                source_id: None,
            },
            then: then[ki].iter().map(|&s| KindId::new(s)).collect(),
        });
    }

    let (mut jobs, too_long) = explicit_jobs(listed, classes, kind_names, &kinds)?;
    let mut origin = None;
    for (ti, t) in w.traces.iter().enumerate() {
        let o = trace_jobs(
            t,
            &format!("workload.traces[{ti}]"),
            kind_names,
            &kinds,
            base,
            &mut jobs,
        )?;
        // The first trace's origin (a scenario replaying several traces states one).
        origin = origin.or(Some(o));
    }
    Ok((kinds, sort_jobs(jobs), origin, too_long))
}

/// Fails on a cycle in the `then` graph (a pipeline that would never end).
fn check_acyclic(then: &[Vec<u32>], names: &[String]) -> Result<(), FieldError> {
    // 0 = unvisited, 1 = on the stack, 2 = done.
    fn visit(
        k: usize,
        then: &[Vec<u32>],
        mark: &mut [u8],
        path: &mut Vec<usize>,
    ) -> Option<Vec<usize>> {
        mark[k] = 1;
        path.push(k);
        for &s in &then[k] {
            let s = s as usize;
            if mark[s] == 1 {
                let from = path.iter().position(|&x| x == s).expect("on the stack");
                let mut cycle = path[from..].to_vec();
                cycle.push(s);
                return Some(cycle);
            }
            if mark[s] == 0
                && let Some(c) = visit(s, then, mark, path)
            {
                return Some(c);
            }
        }
        path.pop();
        mark[k] = 2;
        None
    }
    let mut mark = vec![0u8; then.len()];
    for k in 0..then.len() {
        if mark[k] == 0
            && let Some(cycle) = visit(k, then, &mut mark, &mut Vec::new())
        {
            let names: Vec<&str> = cycle.iter().map(|&i| names[i].as_str()).collect();
            return Err(FieldError::new(
                format!("workload.kinds.{}.then", names[0]),
                format!("pipeline cycle: {}", names.join(" -> ")),
            )
            .with_hint("a pipeline must end: remove one `then` link"));
        }
    }
    Ok(())
}

fn explicit_jobs(
    listed: RawJobs,
    classes: &[DeviceClass],
    kind_names: &[String],
    kinds: &[JobKind],
) -> Result<(Vec<JobSpec>, Option<FieldError>), FieldError> {
    let RawJobs {
        kinds: used,
        jobs: listed,
    } = listed;
    // The list's interned kind names, as the scenario's kind indexes.
    let kind_of: Vec<usize> = used
        .iter()
        .map(|n| {
            kind_names
                .iter()
                .position(|k| k == n)
                .expect("checked by the caller")
        })
        .collect();
    // Ids move into the map (nothing else reads them).
    let mut listed = listed;
    let mut ids: HashMap<String, u32> = HashMap::new();
    for (i, j) in listed.iter_mut().enumerate() {
        if let Some(id) = j.more.as_mut().and_then(|m| m.id.take()) {
            match ids.entry(id) {
                std::collections::hash_map::Entry::Occupied(e) => {
                    return Err(FieldError::new(
                        format!("workload.jobs[{i}].id"),
                        format!("id `{}` is used twice", e.key()),
                    ));
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(i as u32);
                }
            }
        }
    }
    let none = JobExtras::default();
    let convert = |i: usize, j: ListedJob| -> Result<JobSpec, FieldError> {
        // The field path is formatted only for an error.
        let p = || format!("workload.jobs[{i}]");
        let ki = kind_of[j.kind as usize];
        let kd = &kinds[ki].req;
        let x = j.more.as_deref().unwrap_or(&none);
        let devices = x.devices.unwrap_or(kd.devices);
        if devices == 0 {
            return Err(FieldError::new(
                format!("{}.devices", p()),
                "devices must be at least 1",
            ));
        }
        // A job giving `devices` asks for whole devices unless it also gives `slots`.
        let slots = match (x.slots, x.devices) {
            (Some(s), _) => Some(s),
            (None, Some(_)) => None,
            (None, None) => kd.slots,
        };
        if slots.is_some() {
            check_slots(&p(), slots, devices)?;
        }
        let after = match &x.after {
            None => None,
            Some(a) => {
                if j.arrival.is_some() {
                    return Err(FieldError::new(
                        format!("{}.arrival", p()),
                        "a job with `after` arrives when its predecessor completes",
                    )
                    .with_hint("remove `arrival` or `after`"));
                }
                let pi = *ids.get(a.as_str()).ok_or_else(|| {
                    FieldError::new(format!("{}.after", p()), format!("no job has id `{a}`"))
                        .with_hint("`after` names another job's `id`")
                })?;
                if pi as usize == i {
                    return Err(FieldError::new(
                        format!("{}.after", p()),
                        "a job cannot follow itself",
                    ));
                }
                Some(pi)
            }
        };
        Ok(JobSpec {
            kind: KindId::new(ki as u32),
            arrival: j.arrival.map_or(0.0, |a| a.0),
            req: JobRequirements {
                work: j.work.0,
                devices,
                slots,
                memory: x.memory.map_or(kd.memory, |m| m.0),
                deadline: x.deadline.map(|d| d.0).or(kd.deadline),
                priority: x.priority.unwrap_or(kd.priority),
                estimate: j.estimate.map(|e| e.0),
                slack: x.slack.map(|s| s.0).or(kd.slack),
                divisible: x.divisible.unwrap_or(kd.divisible),
                source_id: None,
            },
            after,
        })
    };
    // A chunk at a time, each chunk's compact form freed before the next, so the list
    // and the validated jobs are never both whole in memory.
    const CHUNK: usize = 1 << 16;
    let mut jobs = Vec::with_capacity(listed.len());
    let mut rest = listed;
    while !rest.is_empty() {
        let first = jobs.len();
        let n = rest.len().min(CHUNK);
        for (k, j) in rest.drain(..n).enumerate() {
            jobs.push(convert(first + k, j)?);
        }
        rest.shrink_to_fit();
    }
    // `after` chains must reach a job with an arrival (no cycles).
    for i in 0..jobs.len() {
        let mut cur = i;
        let mut steps = 0;
        while let Some(p) = jobs[cur].after {
            cur = p as usize;
            steps += 1;
            if steps > jobs.len() {
                return Err(FieldError::new(
                    format!("workload.jobs[{i}].after"),
                    "`after` links form a cycle, so these jobs would never arrive",
                ));
            }
        }
        jobs[i].arrival = jobs[cur].arrival;
    }
    // Checked here, where a job's list index is known (the jobs are sorted next), and
    // reported by `limits::check_run_times`, after the scenario's other checks.
    let names: Vec<&str> = kind_names.iter().map(String::as_str).collect();
    let limit = super::limits::RunTimes::new(classes, &names);
    let too_long = jobs.iter().enumerate().find_map(|(i, j)| {
        limit
            .check(
                j.kind.index(),
                j.req.work,
                &|| format!("a job arriving at {} s", j.arrival),
                &|| format!("workload.jobs[{i}].work"),
            )
            .err()
    });
    Ok((jobs, too_long))
}

fn trace_jobs(
    t: &RawTrace,
    p: &str,
    kind_names: &[String],
    kinds: &[JobKind],
    base: &Path,
    jobs: &mut Vec<JobSpec>,
) -> Result<f64, FieldError> {
    let not_for = |field: &str, set: bool, only: Format| -> Result<(), FieldError> {
        if set && t.format != only {
            Err(FieldError::new(
                format!("{p}.{field}"),
                format!("`{field}` applies to format `{only}`, not `{}`", t.format),
            ))
        } else {
            Ok(())
        }
    };
    not_for("procs", t.procs.is_some(), Format::Swf)?;
    not_for("mode", t.mode.is_some(), Format::AzureLlm)?;
    not_for("decode_weight", t.decode_weight.is_some(), Format::AzureLlm)?;
    not_for("gpu_share", t.gpu_share.is_some(), Format::Alibaba)?;
    if t.kind.is_some() && t.kinds.is_some() {
        return Err(FieldError::new(
            format!("{p}.kinds"),
            "give `kind` (one kind for all) or `kinds` (a map), not both",
        ));
    }
    let positive = |v: Option<crate::units::NonNeg>, f: &str| -> Result<f64, FieldError> {
        match v {
            None => Ok(1.0),
            Some(x) if x.0 > 0.0 => Ok(x.0),
            Some(_) => Err(FieldError::new(
                format!("{p}.{f}"),
                format!("`{f}` must be positive"),
            )),
        }
    };
    let time_scale = positive(t.time_scale, "time_scale")?;
    let work_scale = positive(t.work_scale, "work_scale")?;
    let opts = trace::Options {
        skip_bad: t.skip_bad.unwrap_or(false),
        procs: t.procs.unwrap_or_default(),
        mode: t.mode.unwrap_or_default(),
        decode_weight: t
            .decode_weight
            .map_or(trace::azure::DEFAULT_DECODE_WEIGHT, |w| w.0),
        gpu_share: t.gpu_share.unwrap_or_default(),
    };
    let path = base.join(&t.file);
    let tr = trace::read(t.format, &path, &opts).map_err(|e| FieldError {
        path: format!("{p}.file"),
        message: e.to_string(),
        hint: e.line.map(|_| {
            "fix the line, or set `skip_bad: true` to skip and count malformed lines".into()
        }),
    })?;
    if let (Some(f), Some(u)) = (t.from, t.until)
        && u.0 <= f.0
    {
        return Err(FieldError::new(
            format!("{p}.until"),
            "`until` must be after `from`",
        ));
    }
    let sel = tr.select(&Selection {
        from: t.from.map(|s| s.0),
        until: t.until.map(|s| s.0),
        limit: t.limit,
        time_scale,
        offset: t.offset.map_or(0.0, |s| s.0),
    });
    if sel.is_empty() {
        return Err(FieldError::new(
            p.to_string(),
            format!("no jobs kept from {} ({})", path.display(), tr.account()),
        ));
    }
    // Category -> kind index.
    let mut map = Vec::with_capacity(tr.categories.len());
    for (ci, cat) in tr.categories.iter().enumerate() {
        let name = match (&t.kind, &t.kinds) {
            (Some(k), _) => Some(k.as_str()),
            (None, Some(m)) => m.get(cat).map(String::as_str).or(Some(cat.as_str())),
            (None, None) => Some(cat.as_str()),
        };
        let used = sel.iter().any(|s| tr.jobs[s.index].category as usize == ci);
        let ki = name.and_then(|n| kind_names.iter().position(|k| k == n));
        match ki {
            Some(ki) => map.push(ki as u32),
            None if !used => map.push(u32::MAX),
            None => {
                let field = if t.kind.is_some() { "kind" } else { "file" };
                return Err(FieldError::new(format!("{p}.{field}"), format!(
                        "trace category `{cat}` ({} format) maps to kind `{}`, which is not declared",
                        t.format,
                        name.unwrap_or(cat)
                    )).with_hint(format!(
                        "declare it under workload.kinds, or map it with `kind:` or `kinds: {{{cat}: <kind>}}`; \
                         categories in this trace: {}",
                        tr.categories.join(", ")
                    )));
            }
        }
    }
    let repeat = t.repeat.unwrap_or(1);
    if repeat == 0 {
        return Err(FieldError::new(
            format!("{p}.repeat"),
            "repeat must be at least 1",
        ));
    }
    let every = match (t.every, t.until) {
        (Some(e), _) if e.0 > 0.0 => e.0,
        (Some(_), _) => {
            return Err(FieldError::new(
                format!("{p}.every"),
                "`every` must be positive",
            ));
        }
        (None, Some(u)) => (u.0 - t.from.map_or(0.0, |f| f.0)) * time_scale,
        (None, None) if repeat > 1 => {
            return Err(FieldError::new(
                format!("{p}.repeat"),
                "a repeated trace needs `every` (or `until`, which sets it to until - from)",
            ));
        }
        (None, None) => 0.0,
    };
    if repeat.saturating_mul(sel.len() as u64) > 100_000_000 {
        return Err(FieldError::new(
            format!("{p}.repeat"),
            "more than 10^8 jobs",
        ));
    }
    jobs.reserve(sel.len() * repeat as usize);
    for r in 0..repeat {
        let offset = jobs.len() as u32;
        let shift = every * r as f64;
        for s in &sel {
            let j = &tr.jobs[s.index];
            let ki = map[j.category as usize];
            let kd = &kinds[ki as usize].req;
            let devices = j.devices.unwrap_or(kd.devices);
            jobs.push(JobSpec {
                kind: KindId::new(ki),
                arrival: s.arrival,
                req: JobRequirements {
                    work: j.work * work_scale,
                    devices,
                    // A trace job giving its device count asks for whole devices,
                    // unless it gives slots too.
                    slots: j
                        .slots
                        .or(if j.devices.is_some() { None } else { kd.slots }),
                    memory: j.memory.unwrap_or(kd.memory),
                    deadline: t.deadline.map(|d| d.0).or(j.deadline).or(kd.deadline),
                    priority: j.priority.unwrap_or(kd.priority),
                    estimate: j.estimate,
                    slack: t.slack.map(|d| d.0).or(j.slack).or(kd.slack),
                    divisible: kd.divisible,
                    source_id: j.source_id,
                },
                after: s.after.map(|a| a + offset),
            });
            jobs.last_mut().expect("pushed").arrival += shift;
        }
    }
    // The trace time at simulated time 0, as an absolute time when the trace states
    // its own origin (SWF `UnixStartTime`): arrivals were shifted by the first job's
    // trace time and `from`, then scaled, then offset.
    let t0 = tr
        .jobs
        .iter()
        .map(|j| j.arrival)
        .fold(f64::INFINITY, f64::min);
    let t0 = if t0.is_finite() { t0 } else { 0.0 };
    Ok(
        tr.time_base.unwrap_or(0.0) + t0 + t.from.map_or(0.0, |f| f.0)
            - t.offset.map_or(0.0, |o| o.0) / time_scale,
    )
}

/// Sorts jobs by arrival (stable) and renumbers the `after` links.
fn sort_jobs(mut jobs: Vec<JobSpec>) -> Vec<JobSpec> {
    let by_arrival = |a: &JobSpec, b: &JobSpec| a.arrival.total_cmp(&b.arrival);
    // A list already in arrival order (the usual case) stays as it is, with no
    // permutation or sort buffer as long as the list.
    if jobs.is_sorted_by(|a, b| by_arrival(a, b).is_le()) {
        return jobs;
    }
    let mut order: Vec<u32> = (0..jobs.len() as u32).collect();
    order.sort_by(|&a, &b| by_arrival(&jobs[a as usize], &jobs[b as usize]));
    let mut new_index = vec![0u32; jobs.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old as usize] = new as u32;
    }
    drop(order);
    for j in &mut jobs {
        j.after = j.after.map(|a| new_index[a as usize]);
    }
    // Sorted in place (no second copy of a long job list): a stable sort by the same
    // key gives the permutation `order` had.
    jobs.sort_by(by_arrival);
    jobs
}

/// `slots`, when given, is at least 1 and asks for part of one device.
fn check_slots(p: &str, slots: Option<u32>, devices: u32) -> Result<(), FieldError> {
    match slots {
        Some(0) => Err(FieldError::new(
            format!("{p}.slots"),
            "slots must be at least 1",
        )),
        Some(_) if devices > 1 => Err(FieldError::new(
            format!("{p}.slots"),
            "a job asks for slots on one device, or for whole devices (`devices`), not both",
        )
        .with_hint("leave out `devices` (or set it to 1)")),
        _ => Ok(()),
    }
}

/// Every kind that has jobs (generated, released, listed or replayed) must be
/// runnable on some class with its gang sizes and memory.
pub(super) fn check_runnable(sc: &Scenario) -> Result<(), FieldError> {
    type Need = (u32, u64, Option<u32>);
    let mut need: Vec<BTreeSet<Need>> = vec![BTreeSet::new(); sc.kinds.len()];
    let of = |r: &crate::model::JobRequirements| (r.devices, r.memory.to_bits(), r.slots);
    for (ki, k) in sc.kinds.iter().enumerate() {
        if k.arrival != Arrival::None {
            need[ki].insert(of(&k.req));
        }
        for &s in &k.then {
            need[s.index()].insert(of(&sc.kinds[s.index()].req));
        }
    }
    for j in &sc.jobs {
        need[j.kind.index()].insert(of(&j.req));
    }
    for (ki, k) in sc.kinds.iter().enumerate() {
        for &(gang, mem, slots) in &need[ki] {
            let mem = f64::from_bits(mem);
            if !(0..sc.classes.len()).any(|c| sc.can_run(c, ki, mem, gang, slots)) {
                let speed_any = sc.classes.iter().any(|c| c.speed[ki].is_some());
                let why = if !speed_any {
                    "no device class has a speed for it".to_string()
                } else if let Some(s) = slots {
                    format!(
                        "no class with a speed for it has {s} slots per device with {mem} bytes of memory on them"
                    )
                } else {
                    format!(
                        "no class with a speed for it has {gang} devices with {mem} bytes of memory each"
                    )
                };
                return Err(FieldError::new(
                    format!("workload.kinds.{}", k.name),
                    format!("no device can run job kind `{}`: {why}", k.name),
                )
                .with_hint(format!(
                    "add `{}: <work units per second>` under some class's `speed`",
                    k.name
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(arrival: f64, work: f64, after: Option<u32>) -> JobSpec {
        JobSpec {
            kind: KindId::new(0),
            arrival,
            req: JobRequirements {
                work,
                devices: 1,
                memory: 0.0,
                deadline: None,
                priority: 0,
                estimate: None,
                slack: None,
                divisible: false,
                source_id: None,
                slots: None,
            },
            after,
        }
    }

    #[test]
    fn sort_jobs_is_stable_and_remaps_after() {
        // Arrivals 3, 1, 3, 0 (work tags 0..3): by arrival, ties in file order, the
        // order is 3, 1, 0, 2; job 2 followed job 0, which is now at index 2.
        let sorted = sort_jobs(vec![
            spec(3.0, 0.0, None),
            spec(1.0, 1.0, None),
            spec(3.0, 2.0, Some(0)),
            spec(0.0, 3.0, None),
        ]);
        let tags: Vec<f64> = sorted.iter().map(|j| j.req.work).collect();
        assert_eq!(tags, [3.0, 1.0, 0.0, 2.0]);
        let after: Vec<Option<u32>> = sorted.iter().map(|j| j.after).collect();
        assert_eq!(after, [None, None, None, Some(2)]);
    }
}
