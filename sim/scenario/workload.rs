//! Stage two for the `workload:` section: job kinds (arrival processes, size
//! distributions, pipelines), explicit jobs and replayed traces.
//!
//! Every error names the field it is about, so the loader can point at its line.

use super::raw::*;
use super::{MAX_BATCH_JOBS, MAX_RATE, MIN_PERIOD, VErr, verr};
use crate::model::*;
use crate::trace::{self, Format, Selection};
use crate::units::show;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

/// Smallest share of a normal's mass a truncation window may keep.
const MIN_NORMAL_MASS: f64 = 1e-3;

/// Builds the kinds and the explicit jobs (sorted by arrival, traces included).
pub(super) fn build(
    w: &RawWorkload,
    kind_names: &[String],
    horizon: Option<f64>,
    base: &Path,
) -> Result<(Vec<JobKind>, Vec<JobSpec>), VErr> {
    let scale = match w.scale {
        None => 1.0,
        Some(s) if s.0 > 0.0 => s.0,
        Some(_) => return Err(verr("workload.scale", "scale must be positive")),
    };
    let index = |name: &str| kind_names.iter().position(|n| n == name);

    // Pipeline successors first: a kind released by another needs a size.
    let mut then = Vec::with_capacity(w.kinds.len());
    for (kname, k) in &w.kinds {
        let mut v = Vec::new();
        for (i, s) in k.then.iter().flatten().enumerate() {
            let si = index(s).ok_or_else(|| {
                (
                    format!("workload.kinds.{kname}.then[{i}]"),
                    format!("unknown job kind `{s}`"),
                    Some(format!("kinds: {}", kind_names.join(", "))),
                )
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
            Some(a) => arrival(a, &format!("{p}.arrival"), horizon, scale)?,
        };
        // A batch arrives at one instant: all of it is in memory at once.
        if let Arrival::Batch { count, .. } = arrival {
            batch_jobs = batch_jobs.saturating_add(count);
            if batch_jobs > MAX_BATCH_JOBS {
                return Err((
                    format!("{p}.arrival.count"),
                    format!(
                        "batches of {batch_jobs} jobs in total, more than the limit of {MAX_BATCH_JOBS} (a batch is held in memory at once)"
                    ),
                    Some("for long streams use a poisson or periodic process with `count`; or raise scenario::MAX_BATCH_JOBS".into()),
                ));
            }
        }
        let needs_size = arrival != Arrival::None || released.contains(&(ki as u32));
        let size = match &k.size {
            Some(s) => size(s, &format!("{p}.size"), base)?,
            None if !needs_size => SizeDist::Constant(0.0),
            None => {
                let why = if arrival != Arrival::None {
                    "a kind with generated arrivals"
                } else {
                    "a kind released by a pipeline (`then`)"
                };
                return Err(verr(
                    format!("{p}.size"),
                    format!("missing `size` for {why}"),
                ));
            }
        };
        let devices = k.devices.unwrap_or(1);
        if devices == 0 {
            return Err(verr(format!("{p}.devices"), "devices must be at least 1"));
        }
        kinds.push(JobKind {
            name: kname.clone(),
            arrival,
            size,
            req: JobRequirements {
                work: 0.0,
                devices,
                memory: k.memory.map_or(0.0, |b| b.0),
                deadline: k.deadline.map(|d| d.0),
                priority: k.priority.unwrap_or(0),
                estimate: None,
                slack: k.slack.map(|s| s.0),
                divisible: k.divisible.unwrap_or(false),
            },
            then: then[ki].clone(),
        });
    }

    let mut jobs = explicit_jobs(w, kind_names, &kinds)?;
    for (ti, t) in w.traces.iter().enumerate() {
        trace_jobs(
            t,
            &format!("workload.traces[{ti}]"),
            kind_names,
            &kinds,
            base,
            &mut jobs,
        )?;
    }
    Ok((kinds, sort_jobs(jobs)))
}

/// Fails on a cycle in the `then` graph (a pipeline that would never end).
fn check_acyclic(then: &[Vec<u32>], names: &[String]) -> Result<(), VErr> {
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
            return Err((
                format!("workload.kinds.{}.then", names[0]),
                format!("pipeline cycle: {}", names.join(" -> ")),
                Some("a pipeline must end: remove one `then` link".into()),
            ));
        }
    }
    Ok(())
}

fn explicit_jobs(
    w: &RawWorkload,
    kind_names: &[String],
    kinds: &[JobKind],
) -> Result<Vec<JobSpec>, VErr> {
    let mut ids: HashMap<&str, u32> = HashMap::new();
    for (i, j) in w.jobs.iter().enumerate() {
        if let Some(id) = &j.id
            && ids.insert(id.as_str(), i as u32).is_some()
        {
            return Err(verr(
                format!("workload.jobs[{i}].id"),
                format!("id `{id}` is used twice"),
            ));
        }
    }
    let mut jobs = Vec::with_capacity(w.jobs.len());
    for (i, j) in w.jobs.iter().enumerate() {
        let p = format!("workload.jobs[{i}]");
        let ki = kind_names
            .iter()
            .position(|n| *n == j.kind)
            .expect("checked by the caller");
        let kd = &kinds[ki].req;
        let devices = j.devices.unwrap_or(kd.devices);
        if devices == 0 {
            return Err(verr(format!("{p}.devices"), "devices must be at least 1"));
        }
        let after = match &j.after {
            None => None,
            Some(a) => {
                if j.arrival.is_some() {
                    return Err((
                        format!("{p}.arrival"),
                        "a job with `after` arrives when its predecessor completes".into(),
                        Some("remove `arrival` or `after`".into()),
                    ));
                }
                let pi = *ids.get(a.as_str()).ok_or_else(|| {
                    (
                        format!("{p}.after"),
                        format!("no job has id `{a}`"),
                        Some("`after` names another job's `id`".into()),
                    )
                })?;
                if pi as usize == i {
                    return Err(verr(format!("{p}.after"), "a job cannot follow itself"));
                }
                Some(pi)
            }
        };
        jobs.push(JobSpec {
            kind: ki as u32,
            arrival: j.arrival.map_or(0.0, |a| a.0),
            req: JobRequirements {
                work: j.work.0,
                devices,
                memory: j.memory.map_or(kd.memory, |m| m.0),
                deadline: j.deadline.map(|d| d.0).or(kd.deadline),
                priority: j.priority.unwrap_or(kd.priority),
                estimate: j.estimate.map(|e| e.0),
                slack: j.slack.map(|s| s.0).or(kd.slack),
                divisible: j.divisible.unwrap_or(kd.divisible),
            },
            after,
        });
    }
    // `after` chains must reach a job with an arrival (no cycles).
    for i in 0..jobs.len() {
        let mut cur = i;
        let mut steps = 0;
        while let Some(p) = jobs[cur].after {
            cur = p as usize;
            steps += 1;
            if steps > jobs.len() {
                return Err((
                    format!("workload.jobs[{i}].after"),
                    "`after` links form a cycle, so these jobs would never arrive".into(),
                    None,
                ));
            }
        }
        jobs[i].arrival = jobs[cur].arrival;
    }
    Ok(jobs)
}

fn trace_jobs(
    t: &RawTrace,
    p: &str,
    kind_names: &[String],
    kinds: &[JobKind],
    base: &Path,
    jobs: &mut Vec<JobSpec>,
) -> Result<(), VErr> {
    let not_for = |field: &str, set: bool, only: Format| -> Result<(), VErr> {
        if set && t.format != only {
            Err(verr(
                format!("{p}.{field}"),
                format!("`{field}` applies to format `{only}`, not `{}`", t.format),
            ))
        } else {
            Ok(())
        }
    };
    not_for("mode", t.mode.is_some(), Format::AzureLlm)?;
    not_for("decode_weight", t.decode_weight.is_some(), Format::AzureLlm)?;
    not_for("gpu_share", t.gpu_share.is_some(), Format::Alibaba)?;
    if t.kind.is_some() && t.kinds.is_some() {
        return Err(verr(
            format!("{p}.kinds"),
            "give `kind` (one kind for all) or `kinds` (a map), not both",
        ));
    }
    let positive = |v: Option<crate::units::NonNeg>, f: &str| -> Result<f64, VErr> {
        match v {
            None => Ok(1.0),
            Some(x) if x.0 > 0.0 => Ok(x.0),
            Some(_) => Err(verr(format!("{p}.{f}"), format!("`{f}` must be positive"))),
        }
    };
    let time_scale = positive(t.time_scale, "time_scale")?;
    let work_scale = positive(t.work_scale, "work_scale")?;
    let opts = trace::Options {
        skip_bad: t.skip_bad.unwrap_or(false),
        mode: t.mode.unwrap_or_default(),
        decode_weight: t
            .decode_weight
            .map_or(trace::azure::DEFAULT_DECODE_WEIGHT, |w| w.0),
        gpu_share: t.gpu_share.unwrap_or_default(),
    };
    let path = base.join(&t.file);
    let tr = trace::read(t.format, &path, &opts).map_err(|e| {
        (
            format!("{p}.file"),
            e.to_string(),
            e.line.map(|_| {
                "fix the line, or set `skip_bad: true` to skip and count malformed lines".into()
            }),
        )
    })?;
    if let (Some(f), Some(u)) = (t.from, t.until)
        && u.0 <= f.0
    {
        return Err(verr(format!("{p}.until"), "`until` must be after `from`"));
    }
    let sel = tr.select(&Selection {
        from: t.from.map(|s| s.0),
        until: t.until.map(|s| s.0),
        limit: t.limit,
        time_scale,
        offset: t.offset.map_or(0.0, |s| s.0),
    });
    if sel.is_empty() {
        return Err(verr(
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
                return Err((
                    format!("{p}.{field}"),
                    format!(
                        "trace category `{cat}` ({} format) maps to kind `{}`, which is not declared",
                        t.format,
                        name.unwrap_or(cat)
                    ),
                    Some(format!(
                        "declare it under workload.kinds, or map it with `kind:` or `kinds: {{{cat}: <kind>}}`; \
                         categories in this trace: {}",
                        tr.categories.join(", ")
                    )),
                ));
            }
        }
    }
    let repeat = t.repeat.unwrap_or(1);
    if repeat == 0 {
        return Err(verr(format!("{p}.repeat"), "repeat must be at least 1"));
    }
    let every = match (t.every, t.until) {
        (Some(e), _) if e.0 > 0.0 => e.0,
        (Some(_), _) => return Err(verr(format!("{p}.every"), "`every` must be positive")),
        (None, Some(u)) => (u.0 - t.from.map_or(0.0, |f| f.0)) * time_scale,
        (None, None) if repeat > 1 => {
            return Err((
                format!("{p}.repeat"),
                "a repeated trace needs `every` (or `until`, which sets it to until - from)".into(),
                None,
            ));
        }
        (None, None) => 0.0,
    };
    if repeat.saturating_mul(sel.len() as u64) > 100_000_000 {
        return Err(verr(format!("{p}.repeat"), "more than 10^8 jobs"));
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
                kind: ki,
                arrival: s.arrival,
                req: JobRequirements {
                    work: j.work * work_scale,
                    devices,
                    memory: j.memory.unwrap_or(kd.memory),
                    deadline: t.deadline.map(|d| d.0).or(j.deadline).or(kd.deadline),
                    priority: j.priority.unwrap_or(kd.priority),
                    estimate: j.estimate,
                    slack: t.slack.map(|d| d.0).or(j.slack).or(kd.slack),
                    divisible: kd.divisible,
                },
                after: s.after.map(|a| a + offset),
            });
            jobs.last_mut().expect("pushed").arrival += shift;
        }
    }
    Ok(())
}

/// Sorts jobs by arrival (stable) and renumbers the `after` links.
fn sort_jobs(jobs: Vec<JobSpec>) -> Vec<JobSpec> {
    let mut order: Vec<u32> = (0..jobs.len() as u32).collect();
    order.sort_by(|&a, &b| {
        jobs[a as usize]
            .arrival
            .total_cmp(&jobs[b as usize].arrival)
    });
    let mut new_index = vec![0u32; jobs.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old as usize] = new as u32;
    }
    order
        .iter()
        .map(|&old| {
            let mut j = jobs[old as usize].clone();
            j.after = j.after.map(|a| new_index[a as usize]);
            j
        })
        .collect()
}

/// Every kind that has jobs (generated, released, listed or replayed) must be
/// runnable on some class with its gang sizes and memory.
pub(super) fn check_runnable(sc: &Scenario) -> Result<(), VErr> {
    let mut need: Vec<BTreeSet<(u32, u64)>> = vec![BTreeSet::new(); sc.kinds.len()];
    for (ki, k) in sc.kinds.iter().enumerate() {
        if k.arrival != Arrival::None {
            need[ki].insert((k.req.devices, k.req.memory.to_bits()));
        }
        for &s in &k.then {
            let sk = &sc.kinds[s as usize];
            need[s as usize].insert((sk.req.devices, sk.req.memory.to_bits()));
        }
    }
    for j in &sc.jobs {
        need[j.kind as usize].insert((j.req.devices, j.req.memory.to_bits()));
    }
    for (ki, k) in sc.kinds.iter().enumerate() {
        for &(gang, mem) in &need[ki] {
            let mem = f64::from_bits(mem);
            if !(0..sc.classes.len()).any(|c| sc.can_run(c, ki, mem, gang)) {
                let speed_any = sc.classes.iter().any(|c| c.speed[ki].is_some());
                let why = if !speed_any {
                    "no device class has a speed for it".to_string()
                } else {
                    format!(
                        "no class with a speed for it has {gang} devices with {mem} bytes of memory each"
                    )
                };
                return Err((
                    format!("workload.kinds.{}", k.name),
                    format!("no device can run job kind `{}`: {why}", k.name),
                    Some(format!(
                        "add `{}: <work units per second>` under some class's `speed`",
                        k.name
                    )),
                ));
            }
        }
    }
    Ok(())
}

/// Checks that only the fields of `allowed` are set.
fn only(
    p: &str,
    what: &str,
    name: &str,
    set: &[(&str, bool)],
    allowed: &[&str],
) -> Result<(), VErr> {
    for &(field, is_set) in set {
        if is_set && !allowed.contains(&field) {
            return Err((
                format!("{p}.{field}"),
                format!("`{field}` does not apply to {what} `{name}`"),
                Some(if allowed.is_empty() {
                    format!("{what} `{name}` takes no parameters")
                } else {
                    format!("{what} `{name}` takes: {}", allowed.join(", "))
                }),
            ));
        }
    }
    Ok(())
}

fn arrival(a: &RawArrival, p: &str, horizon: Option<f64>, scale: f64) -> Result<Arrival, VErr> {
    let set = [
        ("rate", a.rate.is_some()),
        ("period", a.period.is_some()),
        ("jitter", a.jitter.is_some()),
        ("sources", a.sources.is_some()),
        ("off_rate", a.off_rate.is_some()),
        ("on_mean", a.on_mean.is_some()),
        ("off_mean", a.off_mean.is_some()),
        ("profile", a.profile.is_some()),
        ("count", a.count.is_some()),
        ("start", a.start.is_some()),
        ("at", a.at.is_some()),
        ("every", a.every.is_some()),
        ("batches", a.batches.is_some()),
    ];
    let allowed: &[&str] = match a.process {
        RawProcess::Poisson => &["rate", "count", "start"],
        RawProcess::Periodic => &["period", "jitter", "sources", "count", "start"],
        RawProcess::Burst => &["rate", "off_rate", "on_mean", "off_mean", "count", "start"],
        RawProcess::Profile => &["rate", "profile", "count", "start"],
        RawProcess::Batch => &["count", "at", "every", "batches"],
        RawProcess::None => &[],
    };
    let name = a.process.as_str();
    only(p, "process", name, &set, allowed)?;
    let unbounded = |count: Option<u64>| -> Result<(), VErr> {
        if count.is_none() && horizon.is_none() {
            Err((
                p.to_string(),
                "an open arrival process needs an end".into(),
                Some("set a top-level `horizon` (e.g. horizon: 1h) or `count` here".into()),
            ))
        } else {
            Ok(())
        }
    };
    // The clock counts nanoseconds: a faster stream piles arrivals onto the same
    // instants (and, far beyond it, stops the clock advancing at all).
    let fast = |r: f64, f: &str| -> Result<(), VErr> {
        if r > MAX_RATE {
            Err((
                format!("{p}.{f}"),
                format!("rate {}/s is above the limit of {MAX_RATE:e}/s", show(r)),
                Some("the clock counts nanoseconds: at most about one arrival per tick".into()),
            ))
        } else {
            Ok(())
        }
    };
    let tick = |v: f64, f: &str| -> Result<(), VErr> {
        if v < MIN_PERIOD {
            Err(verr(
                format!("{p}.{f}"),
                format!("{f} {} s is shorter than one clock tick (1 ns)", show(v)),
            ))
        } else {
            Ok(())
        }
    };
    let need_rate = || -> Result<f64, VErr> {
        let r = a
            .rate
            .ok_or_else(|| {
                verr(
                    format!("{p}.rate"),
                    format!("missing `rate` for a {name} process"),
                )
            })?
            .0;
        if r <= 0.0 {
            return Err(verr(format!("{p}.rate"), "rate must be positive"));
        }
        fast(r * scale, "rate")?;
        Ok(r * scale)
    };
    let positive = |v: Option<crate::units::Seconds>, f: &str| -> Result<f64, VErr> {
        let v = v
            .ok_or_else(|| {
                verr(
                    format!("{p}.{f}"),
                    format!("missing `{f}` for a {name} process"),
                )
            })?
            .0;
        if v <= 0.0 {
            return Err(verr(format!("{p}.{f}"), format!("`{f}` must be positive")));
        }
        Ok(v)
    };
    let start = a.start.map_or(0.0, |s| s.0);
    Ok(match a.process {
        RawProcess::Poisson => {
            let rate = need_rate()?;
            unbounded(a.count)?;
            Arrival::Poisson {
                rate,
                count: a.count,
                start,
            }
        }
        RawProcess::Periodic => {
            let period = positive(a.period, "period")? / scale;
            tick(period, "period")?;
            let jitter = a.jitter.map_or(0.0, |j| j.0) / scale;
            if jitter >= period {
                return Err(verr(
                    format!("{p}.jitter"),
                    "jitter must be smaller than the period",
                ));
            }
            let sources = a.sources.unwrap_or(1);
            if sources == 0 {
                return Err(verr(format!("{p}.sources"), "sources must be at least 1"));
            }
            unbounded(a.count)?;
            Arrival::Periodic {
                period,
                jitter,
                count: a.count,
                start,
                sources,
            }
        }
        RawProcess::Burst => {
            let on_rate = need_rate()?;
            let off_rate = a.off_rate.map_or(0.0, |r| r.0) * scale;
            fast(off_rate, "off_rate")?;
            let on_mean = positive(a.on_mean, "on_mean")?;
            let off_mean = positive(a.off_mean, "off_mean")?;
            unbounded(a.count)?;
            Arrival::Burst {
                on_rate,
                off_rate,
                on_mean,
                off_mean,
                count: a.count,
                start,
            }
        }
        RawProcess::Profile => {
            let rate = need_rate()?;
            let rp = a.profile.as_ref().ok_or_else(|| {
                verr(
                    format!("{p}.profile"),
                    "missing `profile` for a profile process",
                )
            })?;
            let profile = profile(rp, &format!("{p}.profile"))?;
            unbounded(a.count)?;
            Arrival::Profile {
                rate,
                profile,
                count: a.count,
                start,
            }
        }
        RawProcess::Batch => {
            let count = a
                .count
                .ok_or_else(|| verr(format!("{p}.count"), "missing `count` for a batch"))?;
            if count == 0 {
                return Err(verr(format!("{p}.count"), "count must be at least 1"));
            }
            let count = ((count as f64) * scale).round().max(1.0) as u64;
            let every = match a.every {
                None => {
                    if a.batches.is_some() {
                        return Err(verr(format!("{p}.batches"), "`batches` needs `every`"));
                    }
                    None
                }
                Some(e) if e.0 > 0.0 => {
                    tick(e.0, "every")?;
                    Some(e.0)
                }
                Some(_) => return Err(verr(format!("{p}.every"), "`every` must be positive")),
            };
            if every.is_some() && a.batches.is_none() && horizon.is_none() {
                return Err((
                    format!("{p}.every"),
                    "a repeating batch needs an end".into(),
                    Some("set `batches` here or a top-level `horizon`".into()),
                ));
            }
            Arrival::Batch {
                count,
                at: a.at.map_or(0.0, |s| s.0),
                every,
                batches: a.batches,
            }
        }
        RawProcess::None => Arrival::None,
    })
}

fn profile(rp: &RawProfile, p: &str) -> Result<RateProfile, VErr> {
    let period = rp.period.map_or(86400.0, |s| s.0);
    if period <= 0.0 {
        return Err(verr(format!("{p}.period"), "period must be positive"));
    }
    if rp.points.is_empty() {
        return Err(verr(
            format!("{p}.points"),
            "a profile needs at least one point",
        ));
    }
    let mut points = Vec::with_capacity(rp.points.len());
    for (i, (t, v)) in rp.points.iter().enumerate() {
        if t.0 >= period {
            return Err((
                format!("{p}.points[{i}]"),
                format!("time {} s is not inside the period ({period} s)", t.0),
                Some("point times run from 0 to just below `period`".into()),
            ));
        }
        if let Some(&(prev, _)) = points.last()
            && t.0 <= prev
        {
            return Err(verr(
                format!("{p}.points[{i}]"),
                "point times must increase",
            ));
        }
        points.push((t.0, v.0));
    }
    if points.iter().all(|&(_, v)| v <= 0.0) {
        return Err(verr(
            format!("{p}.points"),
            "every level is 0: no job would ever arrive",
        ));
    }
    let interpolation = match rp.interpolation.unwrap_or(RawInterpolation::Linear) {
        RawInterpolation::Step => Interpolation::Step,
        RawInterpolation::Linear => Interpolation::Linear,
    };
    Ok(RateProfile::new(period, points, interpolation))
}

fn size(s: &RawSize, p: &str, base: &Path) -> Result<SizeDist, VErr> {
    let name = s.dist.as_str();
    let set = [
        ("value", s.value.is_some()),
        ("mean", s.mean.is_some()),
        ("cv", s.cv.is_some()),
        ("sd", s.sd.is_some()),
        ("min", s.min.is_some()),
        ("max", s.max.is_some()),
        ("shape", s.shape.is_some()),
        ("scale", s.scale.is_some()),
        ("file", s.file.is_some()),
        ("column", s.column.is_some()),
        ("interpolate", s.interpolate.is_some()),
    ];
    let allowed: &[&str] = match s.dist {
        RawDist::Constant => &["value"],
        RawDist::Exponential => &["mean"],
        RawDist::Uniform => &["min", "max"],
        RawDist::Normal => &["mean", "sd", "min", "max"],
        RawDist::Lognormal => &["mean", "cv"],
        RawDist::Gamma => &["shape", "scale", "mean", "cv"],
        RawDist::Weibull => &["shape", "scale"],
        RawDist::Pareto => &["shape", "scale", "max"],
        RawDist::Empirical => &["file", "column", "scale", "interpolate"],
    };
    only(p, "dist", name, &set, allowed)?;
    let need = |v: Option<crate::units::NonNeg>, f: &str| {
        v.map(|x| x.0).ok_or_else(|| {
            verr(
                format!("{p}.{f}"),
                format!("missing `{f}` for dist `{name}`"),
            )
        })
    };
    let positive = |v: f64, f: &str| {
        if v > 0.0 {
            Ok(v)
        } else {
            Err(verr(format!("{p}.{f}"), format!("`{f}` must be positive")))
        }
    };
    Ok(match s.dist {
        RawDist::Constant => SizeDist::Constant(need(s.value, "value")?),
        RawDist::Exponential => SizeDist::Exponential {
            mean: positive(need(s.mean, "mean")?, "mean")?,
        },
        RawDist::Uniform => {
            let (min, max) = (need(s.min, "min")?, need(s.max, "max")?);
            if min > max {
                return Err(verr(format!("{p}.max"), "max must be at least min"));
            }
            SizeDist::Uniform { min, max }
        }
        RawDist::Normal => {
            let mean = need(s.mean, "mean")?;
            let sd = positive(need(s.sd, "sd")?, "sd")?;
            let min = s.min.map_or(0.0, |v| v.0);
            let max = s.max.map_or(f64::INFINITY, |v| v.0);
            if max <= min {
                return Err(verr(format!("{p}.max"), "max must be above min"));
            }
            let kept = truncated_normal_moments(mean, sd, min, max).2;
            if kept < MIN_NORMAL_MASS {
                return Err((
                    format!("{p}.{}", if s.max.is_some() { "max" } else { "min" }),
                    format!(
                        "the window [{min}, {max}] keeps only {:.2e} of the normal's mass, too little to sample",
                        kept
                    ),
                    Some("widen the window or move the mean into it".into()),
                ));
            }
            SizeDist::Normal { mean, sd, min, max }
        }
        RawDist::Lognormal => {
            let mean = positive(need(s.mean, "mean")?, "mean")?;
            let cv = positive(need(s.cv, "cv")?, "cv")?;
            // sigma^2 = ln(1 + cv^2) must be finite for the distribution to exist.
            if !(1.0 + cv * cv).ln().is_finite() {
                return Err(verr(
                    format!("{p}.cv"),
                    format!("cv {} is too large", show(cv)),
                ));
            }
            SizeDist::Lognormal { mean, cv }
        }
        RawDist::Gamma => {
            let by_shape = s.shape.is_some() || s.scale.is_some();
            let by_mean = s.mean.is_some() || s.cv.is_some();
            if by_shape && by_mean {
                return Err((
                    format!("{p}.{}", if s.mean.is_some() { "mean" } else { "cv" }),
                    "give either `shape` and `scale`, or `mean` and `cv`".into(),
                    None,
                ));
            }
            if by_mean {
                let mean = positive(need(s.mean, "mean")?, "mean")?;
                let cv = positive(need(s.cv, "cv")?, "cv")?;
                let (shape, scale) = (1.0 / (cv * cv), mean * cv * cv);
                if !(shape.is_finite() && shape > 0.0 && scale.is_finite() && scale > 0.0) {
                    return Err(verr(
                        format!("{p}.cv"),
                        format!(
                            "cv {} with mean {} gives no gamma distribution",
                            show(cv),
                            show(mean)
                        ),
                    ));
                }
                SizeDist::Gamma { shape, scale }
            } else {
                SizeDist::Gamma {
                    shape: positive(need(s.shape, "shape")?, "shape")?,
                    scale: positive(need(s.scale, "scale")?, "scale")?,
                }
            }
        }
        RawDist::Weibull => SizeDist::Weibull {
            shape: positive(need(s.shape, "shape")?, "shape")?,
            scale: positive(need(s.scale, "scale")?, "scale")?,
        },
        RawDist::Pareto => {
            let shape = positive(need(s.shape, "shape")?, "shape")?;
            let scale = positive(need(s.scale, "scale")?, "scale")?;
            let max = s.max.map(|m| m.0);
            if let Some(m) = max
                && m <= scale
            {
                return Err(verr(
                    format!("{p}.max"),
                    "max must be above scale (the minimum)",
                ));
            }
            if max.is_none() && shape <= 1.0 {
                return Err((
                    format!("{p}.shape"),
                    format!("shape {shape} <= 1 gives an infinite mean"),
                    Some("use shape > 1, or set `max` for a bounded Pareto".into()),
                ));
            }
            SizeDist::Pareto { shape, scale, max }
        }
        RawDist::Empirical => {
            let file = s
                .file
                .as_ref()
                .ok_or_else(|| verr(format!("{p}.file"), "missing `file` for dist `empirical`"))?;
            let factor = match s.scale {
                None => 1.0,
                Some(v) if v.0 > 0.0 => v.0,
                Some(_) => return Err(verr(format!("{p}.scale"), "`scale` must be positive")),
            };
            let mut samples = read_samples(&base.join(file), s.column.as_deref())
                .map_err(|(field, m)| verr(format!("{p}.{field}"), m))?;
            for v in &mut samples {
                *v *= factor;
            }
            samples.sort_by(f64::total_cmp);
            SizeDist::Empirical {
                samples: Arc::from(samples),
                interpolate: s.interpolate.unwrap_or(false),
            }
        }
    })
}

/// Reads one column of a CSV file with a header as non-negative numbers. Errors carry
/// the field they are about (`file` or `column`) and name the file and line.
pub fn read_samples(path: &Path, column: Option<&str>) -> Result<Vec<f64>, (&'static str, String)> {
    let shown = path.display();
    let r = trace::open(path).map_err(|e| ("file", e.to_string()))?;
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(r);
    let header = rdr
        .headers()
        .map_err(|e| ("file", format!("{shown}: cannot read the header: {e}")))?
        .clone();
    let col = match column {
        None => 0,
        Some(c) => header.iter().position(|h| h.trim() == c).ok_or_else(|| {
            (
                "column",
                format!(
                    "{shown} has no column `{c}` (columns: {})",
                    header.iter().collect::<Vec<_>>().join(", ")
                ),
            )
        })?,
    };
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| ("file", format!("{shown}: {e}")))?;
        let line = rec.position().map_or(0, |p| p.line());
        let cell = rec.get(col).unwrap_or("").trim();
        if cell.is_empty() {
            continue;
        }
        let v: f64 = cell
            .parse()
            .map_err(|_| ("file", format!("{shown}:{line}: `{cell}` is not a number")))?;
        if !v.is_finite() || v < 0.0 {
            return Err((
                "file",
                format!("{shown}:{line}: {v} is not a non-negative number"),
            ));
        }
        out.push(v);
    }
    if out.is_empty() {
        return Err(("file", format!("{shown}: no samples")));
    }
    Ok(out)
}
