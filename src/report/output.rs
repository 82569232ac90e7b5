//! Where a report goes: stdout for `-`, a device or pipe in place, and a
//! regular file under a temporary name renamed over the target when done.

use anyhow::Context;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Opens an output destination: `-` is stdout. A regular file is written
/// under a temporary name beside it and renamed over `path` by
/// [`Output::finish`], so a failed write (a full disk) leaves the previous
/// report in place instead of a truncated one. Devices and pipes
/// (`/dev/null`, `/dev/stdout`, a FIFO) are written directly.
pub fn open_output(path: &Path) -> anyhow::Result<Output> {
    if path == Path::new("-") {
        return Ok(Output::Stdout(std::io::BufWriter::new(
            std::io::stdout().lock(),
        )));
    }
    // Replace the file a symlink points at, not the symlink.
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path)
            .with_context(|| format!("cannot create {}", path.display()))?,
        _ => path.to_path_buf(),
    };
    let is_special = std::fs::metadata(&target).is_ok_and(|m| !m.is_file());
    let create = |p: &Path| {
        std::fs::File::create(p).with_context(|| format!("cannot create {}", path.display()))
    };
    if is_special {
        let f = create(&target)?;
        return Ok(Output::Direct(
            std::io::BufWriter::new(f),
            path.to_path_buf(),
        ));
    }
    let name = target
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let tmp = target.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let f = create(&tmp)?;
    Ok(Output::File(AtomicFile {
        w: Some(std::io::BufWriter::new(f)),
        tmp,
        target,
        shown: path.to_path_buf(),
    }))
}

/// Where a command writes its result.
pub enum Output {
    Stdout(std::io::BufWriter<std::io::StdoutLock<'static>>),
    /// A device or pipe, written in place; the path is for messages.
    Direct(std::io::BufWriter<std::fs::File>, PathBuf),
    File(AtomicFile),
}

/// A regular file being written under a temporary name.
pub struct AtomicFile {
    w: Option<std::io::BufWriter<std::fs::File>>,
    tmp: PathBuf,
    target: PathBuf,
    /// The path as the user gave it, for messages.
    shown: PathBuf,
}

impl Output {
    /// Flushes and, for a file, puts it in place of `path`. Errors name
    /// the path; a dropped, unfinished output leaves `path` as it was.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.flush()?;
        if let Output::File(a) = &mut self {
            let w = a.w.take();
            let named = |e: std::io::Error| named_error(&a.shown, e);
            if let Some(w) = w {
                let f = w.into_inner().map_err(|e| named(e.into_error()))?;
                // Durable before it replaces the previous report.
                f.sync_all().map_err(named)?;
            }
            std::fs::rename(&a.tmp, &a.target).map_err(named)?;
        }
        Ok(())
    }

    fn path(&self) -> Option<&Path> {
        match self {
            Output::Stdout(_) => None,
            Output::Direct(_, p) => Some(p),
            Output::File(a) => Some(&a.shown),
        }
    }
}

/// `e` with `path` in its message, keeping its kind (a broken pipe stays
/// one).
fn named_error(path: &Path, e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = match self {
            Output::Stdout(w) => w.write(buf),
            Output::Direct(w, _) => w.write(buf),
            Output::File(a) => match &mut a.w {
                Some(w) => w.write(buf),
                None => Ok(0),
            },
        };
        r.map_err(|e| self.name(e))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let r = match self {
            Output::Stdout(w) => w.flush(),
            Output::Direct(w, _) => w.flush(),
            Output::File(a) => a.w.as_mut().map_or(Ok(()), std::io::Write::flush),
        };
        r.map_err(|e| self.name(e))
    }
}

impl Output {
    fn name(&self, e: std::io::Error) -> std::io::Error {
        match self.path() {
            Some(p) => named_error(p, e),
            None => e,
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.w.take().is_some() || self.tmp.exists() {
            // Not finished (or the rename failed): the previous report stays.
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}
