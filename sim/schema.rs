//! The run folder's schema: file names, the columns of jobs.csv, power.csv and
//! devices.csv, the summary keys that readers look up, and the CSV field writers.
//!
//! The writers (`metrics::JobRecord::write_csv`, `report::files`), the chart readers
//! (`report::charts::read`) and the sweep journal name columns through this module, so
//! a column is renamed or added in one place. It depends on nothing else in the crate.
//!
//! # Adding an output column
//! - jobs.csv: add the name to [`JOB_COLUMNS`] and the field to `metrics::JobRecord`
//!   (its `write_csv` writes the fields in the same order);
//! - power.csv: add the name to [`power::TOTALS`] and the value to `power::PowerRow`
//!   and `report::files::CsvObserver::power`, in the same position;
//! - devices.csv: add the field to `simulation::DeviceRecord` (serde writes it) and,
//!   if a reader needs it, a constant to [`devices`].

/// jobs.csv: one row per finished job.
pub const JOBS_CSV: &str = "jobs.csv";
/// power.csv: one row per power interval.
pub const POWER_CSV: &str = "power.csv";
/// devices.csv: one row per device.
pub const DEVICES_CSV: &str = "devices.csv";
/// summary.json: the run's summary metrics.
pub const SUMMARY_JSON: &str = "summary.json";
/// summary.csv: the same metrics flattened to one header and one value row.
pub const SUMMARY_CSV: &str = "summary.csv";

/// Column names of jobs.csv, in `metrics::JobRecord` field order (the writer,
/// `JobRecord::write_csv`, writes them in this order).
pub const JOB_COLUMNS: &[&str] = &[
    "id",
    "kind",
    "arrival_s",
    "start_s",
    "end_s",
    "wait_s",
    "response_s",
    "run_s",
    "slowdown",
    "bounded_slowdown",
    "class",
    "devices",
    "work",
    "energy_j",
    "carbon_g",
    "cost",
    "pstate",
    "cap_delay_s",
    "deadline_s",
    "deadline_met",
    "pipeline",
    "e2e_s",
    "source_id",
    "estimate_s",
    "killed",
    "classes",
    "slots",
];

/// Appends `s` as one CSV field, quoted only when it must be.
pub fn csv_field(out: &mut Vec<u8>, s: &str) {
    out.field(s);
}

/// Appends an unsigned integer in decimal.
pub fn csv_u64(out: &mut Vec<u8>, n: u64) {
    out.uint(n);
}

/// Appends a time in seconds as fixed-point with nanosecond resolution, the model's
/// own (`0.017137248`, not `0.017137247999999997`), trailing zeros trimmed.
pub fn csv_secs(out: &mut Vec<u8>, v: f64) {
    out.secs(v);
}

/// Appends a float in the shortest form that reads back exactly (Ryu's notation:
/// `0.1`, `1.0`, `1e-7`, `1e21`).
pub fn csv_f64(out: &mut Vec<u8>, v: f64) {
    out.float(v);
}

/// Two decimal digits of 0..100, for writing integers two digits at a time.
const DIGITS2: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The most bytes one number takes ([`RowOut::uint`], [`RowOut::secs`],
/// [`RowOut::float`]): `-1.7976931348623157e308` is 23.
pub const NUMBER_BYTES: usize = 32;

/// Writes `n` in decimal at `b[at..]`; returns the end.
fn put_u64(b: &mut [u8], at: usize, mut n: u64) -> usize {
    let end = at + n.checked_ilog10().map_or(1, |l| l as usize + 1);
    let mut i = end;
    while n >= 100 {
        let d = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        b[i..i + 2].copy_from_slice(&DIGITS2[d..d + 2]);
    }
    if n >= 10 {
        let d = n as usize * 2;
        b[i - 2..i].copy_from_slice(&DIGITS2[d..d + 2]);
    } else {
        b[i - 1] = b'0' + n as u8;
    }
    end
}

/// Writes a time in seconds at `b[at..]` as [`csv_secs`] does; returns the end, or
/// `None` for a value written as a plain float (negative, huge or not a number).
fn put_secs(b: &mut [u8], at: usize, v: f64) -> Option<usize> {
    let x = v * 1e9;
    // Values in (-0.5, 0) round to -0, written as 0.
    let ns = match crate::engine::round_ns(x) {
        Some(ns) => ns,
        None if x > -0.5 && x < 0.0 => 0,
        None => return None,
    };
    let p = put_u64(b, at, ns / 1_000_000_000);
    b[p] = b'.';
    let mut frac = ns % 1_000_000_000;
    if frac == 0 {
        b[p + 1] = b'0';
        return Some(p + 2);
    }
    // Nine digits, leading zeros included, then trailing zeros trimmed.
    let mut i = p + 10;
    for _ in 0..4 {
        let d = (frac % 100) as usize * 2;
        frac /= 100;
        i -= 2;
        b[i..i + 2].copy_from_slice(&DIGITS2[d..d + 2]);
    }
    b[p + 1] = b'0' + frac as u8;
    let mut end = p + 10;
    while b[end - 1] == b'0' {
        end -= 1;
    }
    Some(end)
}

/// The shortest text that reads back as `v` (Ryu's notation).
fn float_text(buf: &mut zmij::Buffer, v: f64) -> (&[u8], Option<usize>) {
    // Żmij writes the same digits as Ryu, faster; only a positive exponent differs
    // (`1e+21` for Ryu's `1e21`): the position of the `+` to leave out.
    let s = buf.format_finite(v).as_bytes();
    let tail = s.len().saturating_sub(5);
    let plus = s[tail..].iter().position(|&c| c == b'+').map(|p| tail + p);
    (s, plus)
}

/// Where a CSV row is written: a growing byte buffer, or a [`Chunk`] of a file's next write.
pub trait RowOut {
    /// Appends bytes.
    fn text(&mut self, s: &[u8]);
    /// Appends one byte.
    fn byte(&mut self, c: u8);
    /// Appends an unsigned integer in decimal.
    fn uint(&mut self, n: u64);
    /// Appends a time in seconds ([`csv_secs`]).
    fn secs(&mut self, v: f64);

    /// Appends a float ([`csv_f64`]).
    fn float(&mut self, v: f64) {
        // An integral value in [1, 1e9) is its integer digits and `.0` in Ryu's
        // notation: no digit search (a job that did not wait has slowdowns of 1).
        if (1.0..1e9).contains(&v) && (v as u64) as f64 == v {
            self.uint(v as u64);
            self.text(b".0");
        } else if v.is_finite() {
            let mut buf = zmij::Buffer::new();
            match float_text(&mut buf, v) {
                (s, None) => self.text(s),
                (s, Some(p)) => {
                    self.text(&s[..p]);
                    self.text(&s[p + 1..]);
                }
            }
        } else {
            self.text(v.to_string().as_bytes());
        }
    }

    /// Appends `s` as one CSV field, quoted only when it must be.
    fn field(&mut self, s: &str) {
        if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
            self.byte(b'"');
            self.text(s.replace('"', "\"\"").as_bytes());
            self.byte(b'"');
        } else {
            self.text(s.as_bytes());
        }
    }
}

impl RowOut for Vec<u8> {
    fn text(&mut self, s: &[u8]) {
        self.extend_from_slice(s);
    }
    fn byte(&mut self, c: u8) {
        self.push(c);
    }
    fn uint(&mut self, n: u64) {
        let mut b = [0u8; NUMBER_BYTES];
        let end = put_u64(&mut b, 0, n);
        self.extend_from_slice(&b[..end]);
    }
    fn secs(&mut self, v: f64) {
        let mut b = [0u8; NUMBER_BYTES];
        match put_secs(&mut b, 0, v) {
            Some(end) => self.extend_from_slice(&b[..end]),
            None => self.float(v),
        }
    }
}

/// Room for one ordinary row (a few devices, short names): a jobs.csv chunk is sized
/// its flush threshold plus this, so the row that crosses the threshold still fits.
pub const ROW_BYTES: usize = 2048;

/// Rows formatted in place at the end of a large buffer (a file's next write):
/// numbers are written where they go, without a call per field to grow a buffer, and
/// no row is copied out of a scratch buffer. The caller checks that a row fits in what
/// is left ([`Chunk::fits`]).
pub struct Chunk {
    b: Box<[u8]>,
    n: usize,
}

impl Chunk {
    /// An empty chunk of `capacity` bytes.
    pub fn new(capacity: usize) -> Self {
        Chunk {
            b: vec![0; capacity].into_boxed_slice(),
            n: 0,
        }
    }

    /// Whether a row of `numbers` numbers and text fields of `text` bytes in all
    /// (counted twice: quoting can double them) fits in the room left, separators
    /// included.
    pub fn fits(&self, numbers: usize, text: usize) -> bool {
        numbers * (NUMBER_BYTES + 1) + 2 * text + 64 <= self.b.len() - self.n
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether nothing is written.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The rows so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.b[..self.n]
    }

    /// Empties the chunk.
    pub fn clear(&mut self) {
        self.n = 0;
    }
}

impl RowOut for Chunk {
    fn text(&mut self, s: &[u8]) {
        self.b[self.n..self.n + s.len()].copy_from_slice(s);
        self.n += s.len();
    }
    fn byte(&mut self, c: u8) {
        self.b[self.n] = c;
        self.n += 1;
    }
    fn uint(&mut self, n: u64) {
        self.n = put_u64(&mut self.b, self.n, n);
    }
    fn secs(&mut self, v: f64) {
        match put_secs(&mut self.b, self.n, v) {
            Some(end) => self.n = end,
            None => self.float(v),
        }
    }
}

/// Columns of jobs.csv by name (the entries of [`JOB_COLUMNS`] a reader looks up).
pub mod jobs {
    /// Job id.
    pub const ID: &str = "id";
    /// Kind name.
    pub const KIND: &str = "kind";
    /// Arrival, s.
    pub const ARRIVAL_S: &str = "arrival_s";
    /// Start, s.
    pub const START_S: &str = "start_s";
    /// End, s.
    pub const END_S: &str = "end_s";
    /// Response time, s.
    pub const RESPONSE_S: &str = "response_s";
    /// Device ids separated by `;`.
    pub const DEVICES: &str = "devices";
    /// Absolute deadline, s.
    pub const DEADLINE_S: &str = "deadline_s";
    /// Whether the deadline was met.
    pub const DEADLINE_MET: &str = "deadline_met";
    /// Slots the job held on one device (empty: whole devices).
    pub const SLOTS: &str = "slots";
}

/// Columns of power.csv: `time_s`, `duration_s`, one `<class>_w` per device class,
/// then [`power::TOTALS`]. Readers may also find `<class>_busy_devices` and
/// `<state>_devices` columns and signal columns ending in `_per_kwh`.
pub mod power {
    /// Start of the interval, s.
    pub const TIME_S: &str = "time_s";
    /// Length of the interval, s.
    pub const DURATION_S: &str = "duration_s";
    /// IT power, W.
    pub const IT_W: &str = "it_w";
    /// Facility power, W.
    pub const FACILITY_W: &str = "facility_w";
    /// IT power cap, W (empty without a cap).
    pub const CAP_W: &str = "cap_w";
    /// Jobs released and not yet started.
    pub const QUEUE_LEN: &str = "queue_len";
    /// Busy devices.
    pub const BUSY_DEVICES: &str = "busy_devices";
    /// Carbon emitted in the interval, g.
    pub const CARBON_G: &str = "carbon_g";
    /// Electricity cost of the interval.
    pub const COST: &str = "cost";
    /// The columns after the per-class power columns, in file order.
    pub const TOTALS: [&str; 9] = [
        IT_W,
        FACILITY_W,
        CAP_W,
        QUEUE_LEN,
        BUSY_DEVICES,
        "asleep_devices",
        "transition_devices",
        CARBON_G,
        COST,
    ];
    /// Suffix of the device-count columns (`busy_devices`, `<class>_busy_devices`).
    pub const DEVICES_SUFFIX: &str = "_devices";

    /// Power column of a device class, W.
    pub fn class_w(class: &str) -> String {
        format!("{class}_w")
    }

    /// Busy-device column of a device class.
    pub fn class_busy_devices(class: &str) -> String {
        format!("{class}_busy_devices")
    }
}

/// Columns of devices.csv a reader looks up (the writer serializes
/// `simulation::DeviceRecord`, whose field names are the columns).
pub mod devices {
    /// Device id.
    pub const DEVICE: &str = "device";
    /// Class name.
    pub const CLASS: &str = "class";
    /// Busy time, s.
    pub const BUSY_S: &str = "busy_s";
}

/// Keys of summary.json a reader looks up (the writer serializes `metrics::Summary`,
/// whose field names are the keys; per-class figures sit under [`summary::PER_CLASS`]).
pub mod summary {
    /// Scenario name.
    pub const SCENARIO: &str = "scenario";
    /// Policy name.
    pub const POLICY: &str = "policy";
    /// Seed.
    pub const SEED: &str = "seed";
    /// Simulated horizon, s.
    pub const HORIZON_S: &str = "horizon_s";
    /// Jobs completed.
    pub const JOBS_COMPLETED: &str = "jobs_completed";
    /// Mean utilisation of all devices.
    pub const UTILIZATION: &str = "utilization";
    /// IT energy, J.
    pub const ENERGY_IT_J: &str = "energy_it_j";
    /// Facility energy, J.
    pub const ENERGY_FACILITY_J: &str = "energy_facility_j";
    /// IT power cap at the start, W.
    pub const POWER_CAP_W: &str = "power_cap_w";
    /// Time at the cap, s.
    pub const TIME_AT_CAP_S: &str = "time_at_cap_s";
    /// Carbon, g.
    pub const CARBON_G: &str = "carbon_g";
    /// Electricity cost.
    pub const COST: &str = "cost";
    /// Wall-clock time of the run, s (not reproducible).
    pub const WALL_S: &str = "wall_s";
    /// Per-class figures, an object by class name.
    pub const PER_CLASS: &str = "per_class";
    /// Devices of a class (under [`PER_CLASS`]).
    pub const DEVICES: &str = "devices";
}

/// Names of tracks the chart reader derives from power.csv (never written to a file).
pub mod derived {
    /// The carbon rate, g/s.
    pub const CARBON_RATE: &str = "derived.carbon_g_per_s";
    /// The electricity cost rate, per s.
    pub const COST_RATE: &str = "derived.cost_per_s";
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A xorshift stream of 64-bit words.
    fn words(mut x: u64) -> impl Iterator<Item = u64> {
        std::iter::repeat_with(move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        })
    }

    /// The writers as they were first written: `round` from libm, `itoa`, `ryu`.
    fn secs_reference(out: &mut Vec<u8>, v: f64) {
        let ns = (v * 1e9).round();
        if !(0.0..9.0e18).contains(&ns) {
            return f64_reference(out, v);
        }
        let ns = ns as u64;
        let mut ib = itoa::Buffer::new();
        out.extend_from_slice(ib.format(ns / 1_000_000_000).as_bytes());
        let frac = ns % 1_000_000_000;
        out.push(b'.');
        if frac == 0 {
            out.push(b'0');
            return;
        }
        let digits = ib.format(frac);
        out.extend(std::iter::repeat_n(b'0', 9 - digits.len()));
        out.extend_from_slice(digits.trim_end_matches('0').as_bytes());
    }

    fn f64_reference(out: &mut Vec<u8>, v: f64) {
        if v.is_finite() {
            out.extend_from_slice(ryu::Buffer::new().format_finite(v).as_bytes());
        } else {
            out.extend_from_slice(v.to_string().as_bytes());
        }
    }

    fn special() -> Vec<f64> {
        let mut v = vec![
            0.0,
            -0.0,
            1.0,
            0.5e-9,
            -0.5e-9,
            -0.49e-9,
            -0.51e-9,
            1.5e-9,
            2.5e-9,
            0.1 + 0.2,
            1e-7,
            1e15,
            1e16,
            1e21,
            123456.789,
            8.999e9,
            9e9,
            9.1e9,
            4503599.627370496,
            f64::MIN_POSITIVE,
            5e-324,
            f64::MAX,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        // Times at nanosecond resolution, as the clock makes them.
        v.extend(
            words(7)
                .take(10_000)
                .map(|w| (w % 10u64.pow(14)) as f64 / 1e9),
        );
        v
    }

    /// The fast writers give the bytes of the reference ones: nanosecond times (the
    /// rounding without libm, halves, negatives, the 9e18 ns limit), shortest floats
    /// (random bit patterns, so every exponent; Żmij against Ryu; integral values),
    /// integers.
    #[test]
    fn fast_field_writers_match_the_reference_ones() {
        let values = special()
            .into_iter()
            .chain(words(11).take(200_000).map(f64::from_bits))
            .chain(words(13).take(50_000).map(|w| (w >> 11) as f64 * 1e-9))
            // Integral values, written without the digit search below 1e9.
            .chain((0..100_000).map(f64::from))
            .chain([999_999_999.0, 1e9, 1e9 + 1.0, 0.999_999_999_999_999_9])
            .chain(words(19).take(50_000).map(|w| (w % 3_000_000_000) as f64));
        for v in values {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            csv_secs(&mut a, v);
            secs_reference(&mut b, v);
            assert_eq!(a, b, "csv_secs({v:e})");
            a.clear();
            b.clear();
            csv_f64(&mut a, v);
            f64_reference(&mut b, v);
            assert_eq!(a, b, "csv_f64({v:e})");
        }
        for n in [0, 9, 10, 99, 100, 12345, u64::MAX]
            .into_iter()
            .chain(words(17).take(10_000).map(|w| w >> (w % 64)))
        {
            let mut a = Vec::new();
            csv_u64(&mut a, n);
            assert_eq!(a, n.to_string().as_bytes());
        }
    }
}
