//! Shards: a slice of a sweep's runs (`--shard I/N`), for clusters.

/// Environment variables read, in order, for the shard index of `--shard auto/N`.
pub const SHARD_INDEX_VARS: &[&str] = &[
    "SLURM_ARRAY_TASK_ID",
    "JOB_COMPLETION_INDEX",
    "HETSIM_SHARD_INDEX",
];

/// A slice of the plan: the runs `k` with `k % count == index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    /// This shard, from 0.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl Shard {
    /// Parses `I/N`, or `auto/N` where I comes from the first of [`SHARD_INDEX_VARS`]
    /// that is set (Slurm arrays, Kubernetes indexed jobs, anything else). N is always
    /// explicit: never taken from `SLURM_ARRAY_TASK_COUNT`, which is wrong when only
    /// some tasks are resubmitted.
    pub fn parse(spec: &str) -> Result<Shard, String> {
        let (i, n) = spec
            .split_once('/')
            .ok_or_else(|| format!("`{spec}` is not I/N (e.g. 0/8, or auto/8)"))?;
        let count: usize = n
            .trim()
            .parse()
            .map_err(|_| format!("`{n}` in `{spec}` is not a shard count"))?;
        if count == 0 {
            return Err("the shard count must be at least 1".into());
        }
        let index: usize = if i.trim() == "auto" {
            let (var, val) = SHARD_INDEX_VARS
                .iter()
                .find_map(|v| std::env::var(v).ok().map(|x| (*v, x)))
                .ok_or_else(|| {
                    format!(
                        "--shard auto/{count}: none of {} is set",
                        SHARD_INDEX_VARS.join(", ")
                    )
                })?;
            val.trim()
                .parse()
                .map_err(|_| format!("{var}=`{val}` is not a shard index"))?
        } else {
            i.trim()
                .parse()
                .map_err(|_| format!("`{i}` in `{spec}` is not a shard index"))?
        };
        if index >= count {
            return Err(format!(
                "shard index {index} is out of range for {count} shards (0 to {})",
                count - 1
            ));
        }
        Ok(Shard { index, count })
    }

    /// Whether run `run` belongs to this shard.
    pub fn contains(&self, run: usize) -> bool {
        run % self.count == self.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_specs() {
        assert_eq!(Shard::parse("2/5").unwrap(), Shard { index: 2, count: 5 });
        assert!(Shard::parse("5/5").is_err());
        assert!(Shard::parse("0/0").is_err());
        assert!(Shard::parse("3").is_err());
        let s = Shard { index: 1, count: 3 };
        let mine: Vec<usize> = (0..10).filter(|&k| s.contains(k)).collect();
        assert_eq!(mine, [1, 4, 7]);
    }
}
