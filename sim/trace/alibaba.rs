//! Alibaba GPU cluster trace 2023 (Weng et al., "Beware of Fragmentation", USENIX
//! ATC'23; `cluster-trace-gpu-v2023`), the pod list and the node list.
//!
//! Pod list columns: `name, cpu_milli, memory_mib, num_gpu, gpu_milli, gpu_spec, qos,
//! pod_phase, creation_time, deletion_time, scheduled_time` (times in s). The mapping:
//!
//! | job field | from | rule |
//! |---|---|---|
//! | arrival | `creation_time` | |
//! | run time on the traced GPU | `deletion_time - scheduled_time` | pods never scheduled (`scheduled_time` empty, the `Pending` ones) are dropped; pods still running at the end of the trace are kept with their run time so far |
//! | devices | `num_gpu` | 0 (a CPU-only pod): 1 device of kind `cpu` |
//! | work | run time x share | share = `gpu_milli / 1000` for single-GPU pods that share a GPU (`gpu_share: scaled`, the default: the pod holds a whole GPU for the same GPU-seconds) or 1 (`gpu_share: whole`). Work units = seconds on the traced GPU |
//! | slots | `gpu_milli` | with `gpu_share: slots`, a single-GPU pod with `gpu_milli` < 1000 runs on `gpu_milli / 10` of a GPU's 100 slots (the classes need `slots: 100`), at that share of its speed, for its traced run time (work = run time x share); other pods take whole GPUs |
//! | kind | `num_gpu`, `gpu_spec` | `cpu` when `num_gpu` is 0; `gpu` when `gpu_spec` is empty; else `gpu-` and the allowed models, e.g. `gpu-v100m16-v100m32` (so a scenario gives speeds only on the allowed classes: GPU-type affinity) |
//! | priority | `qos` | `LS` and `Guaranteed` 1, `Burstable` and `BE` 0 |
//! | `source_id` (jobs.csv) | `name` | the number that ends the pod's name (`openb-pod-0017`: 17); the 0-based data row (as for Azure and Gavel traces) if the name has no such number or there is no `name` column |
//!
//! Not mapped: `cpu_milli`, `memory_mib` (host resources, not device memory), `pod_phase`.
//!
//! The node list (`sn, cpu_milli, memory_mib, gpu, model`) becomes a device inventory
//! ([`read_nodes`]): one class per GPU model counting GPUs, and one `cpu` class counting
//! the CPU-only nodes.

use super::{
    Ctx, GPU_SLOTS, GpuShare, InventoryClass, Options, RecordError, TraceError, TraceJob, column,
    number, slug,
};
use crate::model::Category;
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

/// The mapping, one line per rule (for imported files).
pub const MAPPING: &[&str] = &[
    "arrival  = creation_time (s)",
    "work     = (deletion_time - scheduled_time) x share; share = gpu_milli/1000 for single-GPU shared pods (gpu_share: scaled or slots) else 1; work units = seconds on the traced GPU",
    "slots    = gpu_milli/10 of a GPU's 100 slots for single-GPU shared pods (gpu_share: slots), else whole GPUs",
    "devices  = num_gpu (0 -> 1 device of kind cpu)",
    "kind     = cpu (num_gpu 0) | gpu (no gpu_spec) | gpu-<allowed models> (gpu_spec)",
    "priority = 1 for qos LS/Guaranteed, 0 for Burstable/BE; pods never scheduled are dropped",
];

/// The number that ends a pod's name (`openb-pod-0017`: 17), the trace's own id.
fn pod_number(name: &str) -> Option<u64> {
    let name = name.trim();
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    name[name.len() - digits..].parse().ok()
}

/// Reads a pod list.
pub fn read(r: Box<dyn BufRead>, ctx: &mut Ctx, opts: &Options) -> Result<(), TraceError> {
    let mut cols: Option<[usize; 7]> = None;
    let mut name_col: Option<usize> = None;
    super::each_csv_record(r, ctx, b',', true, |ctx, line, header, rec| {
        let c = match cols {
            Some(c) => c,
            None => {
                name_col = header.iter().position(|h| h.trim() == "name");
                let mut c = [0; 7];
                for (i, name) in [
                    "num_gpu",
                    "gpu_milli",
                    "gpu_spec",
                    "qos",
                    "creation_time",
                    "deletion_time",
                    "scheduled_time",
                ]
                .iter()
                .enumerate()
                {
                    c[i] = column(ctx, header, name)?;
                }
                cols = Some(c);
                c
            }
        };
        let f = |i: usize| rec.get(c[i]).unwrap_or("").trim();
        let parsed = (|| -> Result<Option<(f64, f64, u32, f64)>, RecordError> {
            let num_gpu = number(f(0), "num_gpu")?;
            if num_gpu < 0.0 || num_gpu.fract() != 0.0 {
                return Err(format!("num_gpu: `{}` is not a GPU count", f(0)).into());
            }
            let milli = if f(1).is_empty() {
                1000.0
            } else {
                number(f(1), "gpu_milli")?
            };
            let created = number(f(4), "creation_time")?;
            if f(6).is_empty() {
                return Ok(None);
            }
            let sched = number(f(6), "scheduled_time")?;
            if f(5).is_empty() {
                return Ok(None);
            }
            let deleted = number(f(5), "deletion_time")?;
            Ok(Some((
                created,
                (deleted - sched).max(0.0),
                num_gpu as u32,
                milli,
            )))
        })();
        let (created, run, num_gpu, milli) = match parsed {
            Ok(Some(v)) => v,
            Ok(None) => {
                ctx.trace.drop_record("never scheduled");
                return Ok(());
            }
            Err(m) => return ctx.malformed(line, m),
        };
        let shared = num_gpu == 1 && milli > 0.0 && milli < 1000.0;
        let (share, slots) = match opts.gpu_share {
            GpuShare::Scaled if num_gpu == 1 && milli > 0.0 => ((milli / 1000.0).min(1.0), None),
            // k of the GPU's slots run at k / GPU_SLOTS of its speed: work = run x k /
            // GPU_SLOTS keeps the traced run time (k rounds a share up to 1/GPU_SLOTS).
            GpuShare::Slots if shared => {
                let k = ((milli * GPU_SLOTS as f64 / 1000.0).ceil() as u32).clamp(1, GPU_SLOTS);
                (k as f64 / GPU_SLOTS as f64, Some(k))
            }
            _ => (1.0, None),
        };
        let cat_name = if num_gpu == 0 {
            "cpu".to_string()
        } else if f(2).is_empty() {
            "gpu".to_string()
        } else {
            let mut models: Vec<String> = f(2).split('|').map(slug).collect();
            models.sort();
            models.dedup();
            format!("gpu-{}", models.join("-"))
        };
        let category = ctx.trace.category(&cat_name);
        let priority = match f(3) {
            "LS" | "Guaranteed" => 1,
            _ => 0,
        };
        ctx.trace.jobs.push(TraceJob {
            line,
            arrival: created,
            category,
            work: run * share,
            devices: Some(num_gpu.max(1)),
            slots,
            memory: None,
            deadline: None,
            priority: Some(priority),
            estimate: None,
            slack: None,
            after: None,
            source_id: Some(
                name_col
                    .and_then(|i| pod_number(rec.get(i).unwrap_or("")))
                    .unwrap_or(ctx.trace.records - 1),
            ),
        });
        Ok(())
    })
}

/// Reads a node list into an inventory: one class per GPU model (count = GPUs) and a
/// `cpu` class (count = CPU-only nodes), sorted by name.
pub fn read_nodes(path: &Path, skip_bad: bool) -> Result<Vec<InventoryClass>, TraceError> {
    let mut ctx = Ctx::new(path, skip_bad);
    let r = super::open(path)?;
    let mut by_model: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut cols = None;
    super::each_csv_record(r, &mut ctx, b',', true, |ctx, line, header, rec| {
        let (cg, cm) = match cols {
            Some(c) => c,
            None => {
                let c = (column(ctx, header, "gpu")?, column(ctx, header, "model")?);
                cols = Some(c);
                c
            }
        };
        let gpus = match number(rec.get(cg).unwrap_or(""), "gpu") {
            Ok(v) if v >= 0.0 => v as u64,
            Ok(_) => return ctx.malformed(line, "gpu: negative"),
            Err(m) => return ctx.malformed(line, m),
        };
        let model = rec.get(cm).unwrap_or("").trim();
        if gpus == 0 {
            by_model
                .entry("cpu".into())
                .or_insert((0, "CPU-only node".into()))
                .0 += 1;
        } else {
            let name = slug(model);
            let name = if name.is_empty() {
                "gpu".to_string()
            } else {
                name
            };
            by_model.entry(name).or_insert((0, model.to_string())).0 += gpus;
        }
        Ok(())
    })?;
    Ok(by_model
        .into_iter()
        .map(|(name, (count, model))| InventoryClass {
            category: if name == "cpu" {
                Category::Cpu
            } else {
                Category::Gpu
            },
            name,
            count,
            model,
            speed: BTreeMap::new(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Trace;

    /// jobs.csv's `source_id` is the number ending the pod's name, else the record's
    /// 0-based data row; pods never scheduled are dropped but still counted.
    #[test]
    fn source_id_is_the_pod_number() {
        let text = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n\
                    openb-pod-0017,1000,1024,1,1000,,LS,Running,0,10,0\n\
                    never,1000,1024,1,1000,,LS,Pending,1,,\n\
                    pod-x,1000,1024,1,1000,,BE,Running,2,12,2\n";
        let mut ctx = Ctx {
            file: "pods.csv".into(),
            skip_bad: false,
            trace: Trace::default(),
        };
        let r: Box<dyn BufRead> = Box::new(std::io::Cursor::new(text.as_bytes().to_vec()));
        read(r, &mut ctx, &Options::default()).unwrap();
        let ids: Vec<_> = ctx.trace.jobs.iter().map(|j| j.source_id).collect();
        assert_eq!(ids, [Some(17), Some(2)]);
        assert_eq!(pod_number("openb-pod-0000"), Some(0));
        assert_eq!(pod_number("pod"), None);
    }
}
