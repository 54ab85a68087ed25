//! Opening input files safely: only regular files, never blocking on a pipe, and
//! never reading more bytes than a limit. Every reader of user-named files (scenario,
//! sweep, trace, series CSV) opens through here, because the size a directory entry
//! reports is 0 for devices and pipes: `/dev/zero` would be read without end and a
//! FIFO would block forever.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// Opening or reading failed.
    #[error("cannot read file: {0}")]
    Io(#[from] std::io::Error),
    /// A directory where a file was expected.
    #[error("is a directory, expected a file")]
    Directory,
    /// A device, pipe or socket.
    #[error("is {0}, not a regular file; hetsim reads only regular files")]
    NotRegular(&'static str),
    /// More bytes than the limit.
    #[error("file has more than the limit of {limit} bytes")]
    TooBig {
        /// The limit, bytes.
        limit: u64,
    },
}

/// Opens `path` for reading if it is a regular file (symbolic links followed). A
/// FIFO is opened without blocking and then refused.
pub fn open_regular(path: &Path) -> Result<File, FileError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let f = opts.open(path)?;
    let ft = f.metadata()?.file_type();
    if ft.is_dir() {
        return Err(FileError::Directory);
    }
    if !ft.is_file() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if ft.is_fifo() {
                return Err(FileError::NotRegular("a named pipe (FIFO)"));
            }
            if ft.is_char_device() || ft.is_block_device() {
                return Err(FileError::NotRegular("a device"));
            }
            if ft.is_socket() {
                return Err(FileError::NotRegular("a socket"));
            }
        }
        return Err(FileError::NotRegular("not a regular file"));
    }
    Ok(f)
}

/// Reads at most `limit` bytes of a regular file; more is an error (the file may grow
/// while it is read, so the bytes read are counted, not the size reported).
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    let f = open_regular(path)?;
    let mut buf = Vec::new();
    f.take(limit.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Err(FileError::TooBig { limit });
    }
    Ok(buf)
}

/// A reader that fails with an error once more than `limit` bytes have come through
/// (for streamed inputs such as decompressed traces).
#[derive(Debug)]
pub struct Limited<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R> Limited<R> {
    /// Wraps `inner`, allowing `limit` bytes.
    pub fn new(inner: R, limit: u64) -> Self {
        Limited {
            inner,
            left: limit,
            limit,
        }
    }
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // One more byte tells a file of exactly `limit` bytes from a longer one.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(std::io::Error::other(format!(
                    "more than the limit of {} bytes",
                    self.limit
                ))),
            };
        }
        let max = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// At most `max` characters of `s`, the cut marked with how much was left out: an
/// error must not echo a 100 KB value back.
pub fn clip(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => s.into(),
        Some((i, _)) => format!(
            "{}... ({} more characters)",
            &s[..i],
            s[i..].chars().count()
        )
        .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limited_reader_stops_past_the_limit() {
        let mut s = String::new();
        let r = Limited::new("abcdef".as_bytes(), 3).read_to_string(&mut s);
        assert!(r.is_err(), "{s}");
        let mut s = String::new();
        Limited::new("abc".as_bytes(), 3)
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "abc");
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_directories_are_refused() {
        assert!(matches!(
            open_regular(Path::new("/dev/zero")),
            Err(FileError::NotRegular(_))
        ));
        assert!(matches!(
            open_regular(Path::new("/")),
            Err(FileError::Directory)
        ));
    }
}
