//! Column lookup, fast number parsing and chunked, parallel folding of the run
//! folder's CSV files.

use crate::report::error::{Context, ReportError, Result};
use std::path::PathBuf;

pub(super) fn col(headers: &csv::ByteRecord, name: &str) -> Option<usize> {
    headers.iter().position(|h| h == name.as_bytes())
}

pub(super) fn need(headers: &csv::ByteRecord, name: &str, file: &str) -> Result<usize> {
    col(headers, name).with_context(|| format!("{file} has no column `{name}`"))
}

/// Parses a CSV number; NaN when it is not one.
///
/// Plain decimals (`-12.345678901`, as the run files write times) take a fast path
/// that gives exactly what `str::parse` gives: the digits form an integer `n` below
/// 2^53 and `n / 10^k` is one correctly rounded division of two exact values, which is
/// the correctly rounded decimal. Anything else goes through `str::parse`.
pub(super) fn parse_f64(b: &[u8]) -> f64 {
    if let Some(v) = parse_plain_decimal(b) {
        return v;
    }
    std::str::from_utf8(b)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(f64::NAN)
}

fn parse_plain_decimal(b: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 17 {
        return None;
    }
    let mut n: u64 = 0;
    let mut frac: Option<usize> = None;
    for (i, &c) in digits.iter().enumerate() {
        match c {
            b'0'..=b'9' => n = n * 10 + (c - b'0') as u64,
            b'.' if frac.is_none() && i > 0 => frac = Some(digits.len() - i - 1),
            _ => return None,
        }
    }
    let k = frac.unwrap_or(0);
    if n >= 1 << 53 || k >= POW10.len() || frac == Some(0) {
        return None;
    }
    let v = n as f64 / POW10[k];
    Some(if neg { -v } else { v })
}

/// Files at least this large are read in [`CHUNKS`] parallel chunks.
const PARALLEL_BYTES: u64 = 8 << 20;
/// Number of chunks of a large file. Fixed, not the core count, so results (float
/// sums merged chunk by chunk) are the same on every machine.
const CHUNKS: usize = 8;

/// A CSV file's header and where its data start.
pub(super) struct CsvFile {
    path: PathBuf,
    /// The decompressed text of a `.csv.gz` file (plain files are read in place).
    bytes: Option<std::sync::Arc<Vec<u8>>>,
    pub(super) header: csv::ByteRecord,
    data_start: u64,
    len: u64,
}

/// The file a run folder holds for `path` (`x.csv`): `x.csv`, else `x.csv.gz`, else
/// `None` (the run was written with `output.jobs: none` or `output.power: none`).
pub(super) fn existing(path: &std::path::Path) -> Option<PathBuf> {
    if path.exists() {
        return Some(path.to_path_buf());
    }
    let mut gz = path.as_os_str().to_owned();
    gz.push(".gz");
    let gz = PathBuf::from(gz);
    gz.exists().then_some(gz)
}

impl CsvFile {
    /// Opens `path`, or `path.gz` decompressed in memory when only that exists.
    pub(super) fn open(path: PathBuf) -> Result<CsvFile> {
        let found = existing(&path).unwrap_or_else(|| path.clone());
        if found != path {
            use std::io::Read;
            let f = std::fs::File::open(&found)
                .with_context(|| format!("cannot read {}", found.display()))?;
            let mut bytes = Vec::new();
            flate2::read::MultiGzDecoder::new(std::io::BufReader::new(f))
                .read_to_end(&mut bytes)
                .with_context(|| format!("cannot decompress {}", found.display()))?;
            let mut r = csv::Reader::from_reader(bytes.as_slice());
            let header = r.byte_headers()?.clone();
            let data_start = r.position().byte();
            let len = bytes.len() as u64;
            return Ok(CsvFile {
                path: found,
                bytes: Some(std::sync::Arc::new(bytes)),
                header,
                data_start,
                len,
            });
        }
        let mut r = csv::Reader::from_path(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let header = r.byte_headers()?.clone();
        let data_start = r.position().byte();
        let len = std::fs::metadata(&path)?.len();
        Ok(CsvFile {
            path,
            bytes: None,
            header,
            data_start,
            len,
        })
    }

    fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// Folds the data lines with `f` into one accumulator per chunk, chunks read in
    /// parallel, and returns the accumulators in file order. A chunk owns the lines
    /// that start inside its byte range.
    pub(super) fn fold<A: Send>(
        &self,
        init: impl Fn() -> A + Sync,
        f: impl Fn(&mut A, &Fields<'_>) -> Result<()> + Sync,
    ) -> Result<Vec<A>> {
        use rayon::prelude::*;
        let body = self.len.saturating_sub(self.data_start);
        let chunks = if self.len >= PARALLEL_BYTES {
            CHUNKS
        } else {
            1
        };
        let bounds: Vec<(u64, u64)> = (0..chunks as u64)
            .map(|i| {
                (
                    self.data_start + body * i / chunks as u64,
                    self.data_start + body * (i + 1) / chunks as u64,
                )
            })
            .collect();
        bounds
            .par_iter()
            .map(|&(from, to)| {
                let mut acc = init();
                self.fold_range(from, to, &mut acc, &f)?;
                Ok(acc)
            })
            .collect()
    }

    fn fold_range<A>(
        &self,
        from: u64,
        to: u64,
        acc: &mut A,
        f: &(impl Fn(&mut A, &Fields<'_>) -> Result<()> + Sync),
    ) -> Result<()> {
        use std::io::{BufRead, BufReader, Seek, SeekFrom};
        let mut r: Box<dyn ReadSeek> = match &self.bytes {
            Some(b) => Box::new(std::io::Cursor::new(b.as_slice())),
            None => Box::new(BufReader::with_capacity(
                1 << 20,
                std::fs::File::open(&self.path)?,
            )),
        };
        let mut line = Vec::with_capacity(256);
        let mut pos = from;
        if from > self.data_start {
            // Start after the line that began before `from`: look at the byte before
            // it, so a line starting exactly at `from` is ours.
            r.seek(SeekFrom::Start(from - 1))?;
            pos = from - 1 + r.read_until(b'\n', &mut line)? as u64;
        } else {
            r.seek(SeekFrom::Start(from))?;
        }
        let mut bounds = Vec::new();
        while pos < to {
            line.clear();
            let n = r.read_until(b'\n', &mut line)?;
            if n == 0 {
                break;
            }
            let at = pos;
            pos += n as u64;
            let l = line.strip_suffix(b"\n").unwrap_or(&line);
            let l = l.strip_suffix(b"\r").unwrap_or(l);
            if l.is_empty() {
                continue;
            }
            let fields = Fields::split(l, std::mem::take(&mut bounds));
            let res = fields
                .as_ref()
                .map_err(|e| ReportError::Data(e.to_string()))
                .and_then(|fl| f(acc, fl));
            res.with_context(|| {
                format!(
                    "{} at byte {at}: {}",
                    self.name(),
                    String::from_utf8_lossy(l)
                )
            })?;
            if let Ok(fl) = fields {
                bounds = fl.bounds;
            }
        }
        Ok(())
    }
}

trait ReadSeek: std::io::BufRead + std::io::Seek {}
impl<T: std::io::BufRead + std::io::Seek> ReadSeek for T {}

/// Splits a line at commas into `(start, end)` field bounds, eight bytes at a time
/// (this loop dominates reading a large jobs.csv). Returns false, leaving `bounds` in
/// an unspecified state, if the line has a quote and needs a real CSV parser.
fn split_commas(line: &[u8], bounds: &mut Vec<(usize, usize)>) -> bool {
    const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const ONES: u64 = 0x0101_0101_0101_0101;
    // High bit set in exactly the bytes of `v` that are zero.
    let zero_bytes = |v: u64| !(((v & LO7).wrapping_add(LO7)) | v | LO7);
    let mut start = 0;
    let mut i = 0;
    while i + 8 <= line.len() {
        let w = u64::from_le_bytes(line[i..i + 8].try_into().expect("8 bytes"));
        if zero_bytes(w ^ (ONES * b'"' as u64)) != 0 {
            return false;
        }
        let mut m = zero_bytes(w ^ (ONES * b',' as u64));
        while m != 0 {
            let at = i + (m.trailing_zeros() / 8) as usize;
            bounds.push((start, at));
            start = at + 1;
            m &= m - 1;
        }
        i += 8;
    }
    for (j, &b) in line[i..].iter().enumerate() {
        match b {
            b'"' => return false,
            b',' => {
                bounds.push((start, i + j));
                start = i + j + 1;
            }
            _ => {}
        }
    }
    bounds.push((start, line.len()));
    true
}

/// The fields of one CSV line. Lines without quotes are split in place; a line with a
/// quote (a name containing a comma) goes through the csv crate.
pub(super) struct Fields<'a> {
    bounds: Vec<(usize, usize)>,
    line: &'a [u8],
    quoted: Option<csv::ByteRecord>,
}

impl<'a> Fields<'a> {
    /// Splits `line`, reusing the `bounds` buffer.
    fn split(line: &'a [u8], mut bounds: Vec<(usize, usize)>) -> Result<Fields<'a>, csv::Error> {
        bounds.clear();
        if !split_commas(line, &mut bounds) {
            let mut r = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(line);
            let mut rec = csv::ByteRecord::new();
            r.read_byte_record(&mut rec)?;
            return Ok(Fields {
                bounds,
                line,
                quoted: Some(rec),
            });
        }
        Ok(Fields {
            bounds,
            line,
            quoted: None,
        })
    }

    pub(super) fn get(&self, i: usize) -> &[u8] {
        match &self.quoted {
            Some(rec) => rec.get(i).unwrap_or(b""),
            None => self
                .bounds
                .get(i)
                .map_or(&b""[..], |&(a, b)| &self.line[a..b]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_decimals_equal_std_parse() {
        for t in [
            "0",
            "0.0",
            "1.5",
            "-2.25",
            "39054.010970511",
            "0.006911861",
            "0.1",
            "123456789.123456",
            "0.30000000000000004",
            "1e-3",
            "",
            "-",
            "1.",
            ".5",
            "NaN",
            "inf",
            "12a",
            "9007199254740993",
            "0.15614978731853763",
        ] {
            let want: f64 = t.parse().unwrap_or(f64::NAN);
            let got = parse_f64(t.as_bytes());
            assert!(
                got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                "{t}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn commas_split_like_a_csv_reader() {
        let mut b = Vec::new();
        let line = b"12,kind,0.5,,a;b,last-field-longer-than-8";
        assert!(split_commas(line, &mut b));
        let fields: Vec<&[u8]> = b.iter().map(|&(x, y)| &line[x..y]).collect();
        let want: Vec<&[u8]> = vec![
            b"12",
            b"kind",
            b"0.5",
            b"",
            b"a;b",
            b"last-field-longer-than-8",
        ];
        assert_eq!(fields, want);
        b.clear();
        assert!(!split_commas(b"1,\"a,b\",2", &mut b));
        b.clear();
        assert!(split_commas(b"", &mut b));
        assert_eq!(b, vec![(0, 0)]);
        // A quote in the scalar tail is caught too.
        b.clear();
        assert!(!split_commas(b"12345678,\"", &mut b));
    }
}
