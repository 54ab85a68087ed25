//! `hetsim sweep slurm FILE --shards N`: writes a Slurm array job (one task per shard),
//! a merge job, and `submit.sh`, which submits the array and then the merge with
//! `--dependency=afterok:<array> --kill-on-invalid-dep=yes`.
//!
//! Layout (all paths absolute in the scripts; put them on a filesystem every node
//! sees):
//! ```text
//! <work>/array.sbatch    shard task: hetsim sweep FILE --shard $SLURM_ARRAY_TASK_ID/N --out <work>/shards/<i>
//! <work>/merge.sbatch    hetsim sweep merge <work>/shards/0 .. N-1 --out <out>
//! <work>/submit.sh       submits both; prints `array=<id> merge=<id>`
//! <work>/logs/           one log per task and one for the merge
//! <work>/shards/<i>/     shard folders (resumable: a resubmitted task redoes only missing runs)
//! <out>/                 the merged sweep folder, byte-identical to a local `hetsim sweep`
//! ```
//! Watch with `squeue -j <array>,<merge>`; do not rely on `sbatch --wait`, which can
//! report success for a merge job cancelled because a shard failed.

use super::error::SweepError;
use super::plan::Plan;
use std::path::{Path, PathBuf};

/// Settings of the generated scripts.
#[derive(Clone, Debug)]
pub struct SlurmOptions {
    /// Number of shards (array tasks).
    pub shards: usize,
    /// Merged output folder (default: `reports/NAME`).
    pub out: Option<PathBuf>,
    /// Folder for the scripts, logs and shard folders (default: `OUT.slurm`).
    pub work: Option<PathBuf>,
    /// The hetsim binary the jobs run (default: this executable).
    pub hetsim: Option<PathBuf>,
    /// `--partition` (default: none, the cluster's default partition).
    pub partition: Option<String>,
    /// `--time` per shard task.
    pub time: String,
    /// `--mem` per shard task.
    pub mem: String,
    /// `--cpus-per-task`: threads per shard.
    pub cpus_per_task: usize,
    /// Most tasks running at once (`--array=0-(N-1)%K`); none by default.
    pub max_parallel: Option<usize>,
}

impl Default for SlurmOptions {
    fn default() -> Self {
        SlurmOptions {
            shards: 1,
            out: None,
            work: None,
            hetsim: None,
            partition: None,
            time: "01:00:00".into(),
            mem: "2G".into(),
            cpus_per_task: 1,
            max_parallel: None,
        }
    }
}

/// The files written.
#[derive(Clone, Debug)]
pub struct SlurmScripts {
    /// The work folder.
    pub work: PathBuf,
    /// The array job script.
    pub array: PathBuf,
    /// The merge job script.
    pub merge: PathBuf,
    /// The submit script.
    pub submit: PathBuf,
    /// The merged output folder.
    pub out: PathBuf,
}

fn absolute(p: &Path) -> Result<PathBuf, SweepError> {
    Ok(if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()?.join(p)
    })
}

/// Quotes a string for bash (single quotes).
pub fn sh_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Checks the sweep file (the whole plan) and writes the scripts.
pub fn generate(sweep_file: &Path, o: &SlurmOptions) -> Result<SlurmScripts, SweepError> {
    let plan = Plan::load(sweep_file)?;
    let m = &plan.manifest;
    if o.shards == 0 {
        return Err(
            crate::scenario::InputError::file(sweep_file, "--shards must be at least 1").into(),
        );
    }
    let sweep = absolute(sweep_file)?;
    let out = absolute(
        &o.out
            .clone()
            .unwrap_or_else(|| super::exec::default_out(&m.name, None)),
    )?;
    let work = absolute(&o.work.clone().unwrap_or_else(|| {
        let mut p = out.clone().into_os_string();
        p.push(".slurm");
        PathBuf::from(p)
    }))?;
    let hetsim = match &o.hetsim {
        Some(h) => absolute(h)?,
        None => std::env::current_exe()
            .map_err(SweepError::file("cannot find the hetsim executable".into()))?,
    };
    std::fs::create_dir_all(work.join("logs")).map_err(SweepError::file(format!(
        "cannot create {}",
        work.display()
    )))?;
    std::fs::create_dir_all(work.join("shards"))?;
    let q = |p: &Path| sh_quote(&p.to_string_lossy());
    let n = o.shards;
    let runs = m.runs.len();
    let per = runs.div_ceil(n);
    let version = env!("CARGO_PKG_VERSION");
    let array_spec = match o.max_parallel {
        Some(k) => format!("0-{}%{k}", n - 1),
        None => format!("0-{}", n - 1),
    };
    let partition = match &o.partition {
        Some(p) => format!("#SBATCH --partition={p}"),
        None => "##SBATCH --partition=CHANGE_ME      # uncomment to choose a partition (`sinfo -s` lists them)".into(),
    };
    let job = sanitize(&m.name);

    let array = format!(
        r#"#!/bin/bash
# Slurm array job for hetsim sweep `{name}`, written by hetsim {version}
# (`hetsim sweep slurm --shards {n}`). {runs} runs in {n} shards, about {per} runs each;
# task i runs the runs k with k % {n} == i into {work}/shards/i.
#
# Edit the #SBATCH lines for your cluster:
#   --partition      the queue (default: the cluster's default partition)
#   --time           wall-clock limit per task: runs per task x seconds per run
#                    (see timing.csv of a small local sweep) plus a margin
#   --mem            memory per task (one run at a time per thread)
#   --cpus-per-task  threads per task; hetsim runs that many runs at once
#   --array          keep 0-{last}; add %K to cap tasks running at once. To redo only
#                    failed tasks, pass e.g. --array=3,5 to sbatch: the shard count
#                    stays {n} because it is written below, not read from Slurm.
#SBATCH --job-name=hetsim-{job}
#SBATCH --array={array_spec}
#SBATCH --cpus-per-task={cpus}
#SBATCH --time={time}
#SBATCH --mem={mem}
#SBATCH --output={logs}/shard-%a.log
{partition}
set -euo pipefail
# A task that is restarted (requeue, resubmission) redoes only its unfinished runs.
exec {hetsim} sweep {sweep} --shard "${{SLURM_ARRAY_TASK_ID}}/{n}" \
  --out {shards}/"${{SLURM_ARRAY_TASK_ID}}" --jobs "${{SLURM_CPUS_PER_TASK:-1}}" --quiet
"#,
        name = m.name,
        work = work.display(),
        last = n - 1,
        cpus = o.cpus_per_task,
        time = o.time,
        mem = o.mem,
        logs = q(&work.join("logs")),
        hetsim = q(&hetsim),
        sweep = q(&sweep),
        shards = q(&work.join("shards")),
    );
    let merge = format!(
        r#"#!/bin/bash
# Merge job for hetsim sweep `{name}`, written by hetsim {version}. submit.sh queues it
# with --dependency=afterok:<array job> --kill-on-invalid-dep=yes, so it runs only if
# every shard task succeeded (otherwise Slurm cancels it: check `squeue`/the logs,
# resubmit the failed tasks with sbatch --array=<ids> array.sbatch, then sbatch this).
# It checks every run is present exactly once and writes {out},
# byte-identical to a local `hetsim sweep` of the same file.
#SBATCH --job-name=hetsim-{job}-merge
#SBATCH --time=00:30:00
#SBATCH --mem=2G
#SBATCH --output={logs}/merge.log
{partition}
set -euo pipefail
shards=()
for i in $(seq 0 {last}); do shards+=({shards}/"$i"); done
exec {hetsim} sweep merge --out {outq} "${{shards[@]}}"
"#,
        name = m.name,
        out = out.display(),
        last = n - 1,
        logs = q(&work.join("logs")),
        shards = q(&work.join("shards")),
        hetsim = q(&hetsim),
        outq = q(&out),
    );
    let submit = format!(
        r#"#!/bin/bash
# Submits the shard array, then the merge job that waits for it. Prints
# `array=<id> merge=<id>` on its last line. Watch with: squeue -j <array>,<merge>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
array=$(sbatch --parsable "$here/array.sbatch")
array=${{array%%;*}}
merge=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes "$here/merge.sbatch")
merge=${{merge%%;*}}
echo "submitted: shards in $here/shards, merged output in {out}" >&2
echo "array=$array merge=$merge"
"#,
        out = out.display()
    );
    let scripts = SlurmScripts {
        array: work.join("array.sbatch"),
        merge: work.join("merge.sbatch"),
        submit: work.join("submit.sh"),
        work,
        out,
    };
    for (p, text) in [
        (&scripts.array, array),
        (&scripts.merge, merge),
        (&scripts.submit, submit),
    ] {
        std::fs::write(p, text)
            .map_err(SweepError::file(format!("cannot write {}", p.display())))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755))?;
        }
    }
    Ok(scripts)
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(sh_quote("/a/b-c.yaml"), "/a/b-c.yaml");
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
    }
}
