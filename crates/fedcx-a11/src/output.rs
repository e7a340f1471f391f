//! Writing outputs without surprises: the one place fedcx turns bytes into files.
//!
//! - A file is written to a temporary file beside it and renamed into place, so a reader sees the
//!   old file or the new one, never half. The temporary file is removed on every error path (a full
//!   disk included), because [`tempfile::NamedTempFile`] deletes itself when dropped.
//! - A FIFO or a character device (`/dev/null`, a terminal, `>(...)`) is written through: it cannot
//!   be replaced by a rename, and replacing it would be wrong anyway.
//! - A symbolic link, a directory, a socket or a block device is refused: replacing a link would
//!   silently cut it, and following it is how a planted link redirects a write.
//! - A missing parent directory is an error, not created silently: a mistyped path should not grow
//!   a directory tree.
//! - A name that comes from data (a collection detail's id becomes `responses/{id}.csv`) is joined
//!   under its output directory only if it stays inside it ([`contained`]).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// Why an output could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// Reading or writing failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The directory an output goes into does not exist.
    #[error("{}: the directory {} does not exist (create it first)", path.display(), parent.display())]
    MissingParent {
        /// The output.
        path: PathBuf,
        /// Its missing parent directory.
        parent: PathBuf,
    },
    /// The target exists and is something fedcx does not write to.
    #[error("{}: {what}; fedcx does not replace or follow it: name a regular file", path.display())]
    NotAFile {
        /// The output.
        path: PathBuf,
        /// What it is.
        what: &'static str,
    },
    /// A name built from input data would leave its output directory.
    #[error("refusing to write {name:?}: a name taken from the data must stay inside the output directory")]
    UnsafeName {
        /// The name, with control characters escaped.
        name: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io { path: path.to_owned(), source }
}

/// `dir/rel`, if `rel` is a plain relative path of normal components (no `..`, no root, no drive,
/// no backslash, no control character); otherwise [`OutputError::UnsafeName`].
pub fn contained(dir: &Path, rel: &str) -> Result<PathBuf, OutputError> {
    let p = Path::new(rel);
    let plain = !rel.is_empty()
        && !rel.contains('\\')
        && !rel.chars().any(char::is_control)
        && p.components().all(|c| matches!(c, Component::Normal(n) if n != "." && n != ".."));
    if !plain {
        return Err(OutputError::UnsafeName { name: rel.escape_debug().to_string() });
    }
    Ok(dir.join(p))
}

/// What a path names now.
enum Existing {
    Nothing,
    RegularFile,
    /// A FIFO or a character device: written through.
    WriteThrough,
    Directory,
    Refused(&'static str),
}

fn existing(path: &Path) -> Result<Existing, OutputError> {
    use std::os::unix::fs::FileTypeExt as _;
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Existing::Nothing),
        Err(e) => Err(io(path)(e)),
        Ok(m) => {
            let t = m.file_type();
            Ok(if t.is_file() {
                Existing::RegularFile
            } else if t.is_fifo() || t.is_char_device() {
                Existing::WriteThrough
            } else if t.is_symlink() {
                Existing::Refused("it is a symbolic link")
            } else if t.is_dir() {
                Existing::Directory
            } else {
                Existing::Refused("it is a socket or block device")
            })
        }
    }
}

/// The directory a file goes into, which must exist.
fn parent_of(path: &Path) -> Result<&Path, OutputError> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    match std::fs::metadata(parent) {
        Ok(m) if m.is_dir() => Ok(parent),
        Ok(_) => Err(OutputError::NotAFile { path: parent.to_owned(), what: "it is not a directory" }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(OutputError::MissingParent { path: path.to_owned(), parent: parent.to_owned() })
        }
        Err(e) => Err(io(parent)(e)),
    }
}

/// A file being written: [`Write`] into it, then [`OutputFile::commit`]. Dropped without a commit,
/// it leaves the target as it was and no temporary file behind.
#[derive(Debug)]
pub struct OutputFile {
    path: PathBuf,
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Temp(tempfile::NamedTempFile),
    Through(File),
}

impl OutputFile {
    /// Starts writing `path` (see the module's rules).
    pub fn create(path: &Path) -> Result<OutputFile, OutputError> {
        let inner = match existing(path)? {
            Existing::Directory => {
                return Err(OutputError::NotAFile { path: path.to_owned(), what: "it is a directory" })
            }
            Existing::Refused(what) => return Err(OutputError::NotAFile { path: path.to_owned(), what }),
            Existing::WriteThrough => Inner::Through(OpenOptions::new().write(true).open(path).map_err(io(path))?),
            Existing::Nothing | Existing::RegularFile => {
                let dir = parent_of(path)?;
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
                let tmp = tempfile::Builder::new()
                    .prefix(&format!(".{name}."))
                    .suffix(".tmp")
                    .tempfile_in(dir)
                    .map_err(io(dir))?;
                Inner::Temp(tmp)
            }
        };
        Ok(OutputFile { path: path.to_owned(), inner })
    }

    /// The target's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Finishes: flushes, and renames the temporary file into place.
    pub fn commit(self) -> Result<(), OutputError> {
        match self.inner {
            Inner::Through(mut f) => f.flush().map_err(io(&self.path)),
            Inner::Temp(mut tmp) => {
                tmp.flush().map_err(io(&self.path))?;
                tmp.as_file().sync_all().map_err(io(&self.path))?;
                // The target may have become a link or a FIFO since `create`; check again so a
                // rename never replaces one.
                match existing(&self.path)? {
                    Existing::Nothing | Existing::RegularFile => {}
                    Existing::Refused(what) => return Err(OutputError::NotAFile { path: self.path, what }),
                    Existing::Directory | Existing::WriteThrough => {
                        return Err(OutputError::NotAFile {
                            path: self.path,
                            what: "it was replaced while fedcx wrote",
                        })
                    }
                }
                tmp.persist(&self.path).map_err(|e| OutputError::Io { path: self.path.clone(), source: e.error })?;
                Ok(())
            }
        }
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.inner {
            Inner::Temp(t) => t.write(buf),
            Inner::Through(f) => f.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.inner {
            Inner::Temp(t) => t.flush(),
            Inner::Through(f) => f.flush(),
        }
    }
}

/// Writes a whole file (see the module's rules).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let mut f = OutputFile::create(path)?;
    f.write_all(bytes).map_err(io(path))?;
    f.commit()
}

/// Writes `files` (relative names to bytes) as the directory `parent/name`, replacing an earlier
/// one whole: everything goes to a temporary directory first, which is renamed into place, so an
/// interrupted run leaves the old directory or the new one, never a mix, and never a temporary
/// directory behind. `parent` is created if its own parent exists (like `mkdir`, never `mkdir -p`).
pub fn write_dir(
    parent: &Path,
    name: &str,
    files: &std::collections::BTreeMap<String, Vec<u8>>,
) -> Result<PathBuf, OutputError> {
    match existing(parent)? {
        Existing::Nothing => {
            parent_of(parent)?;
            std::fs::create_dir(parent).map_err(io(parent))?;
        }
        Existing::Directory => {}
        Existing::Refused(what) => return Err(OutputError::NotAFile { path: parent.to_owned(), what }),
        Existing::RegularFile | Existing::WriteThrough => {
            return Err(OutputError::NotAFile { path: parent.to_owned(), what: "it is not a directory" })
        }
    }
    let final_dir = contained(parent, name)?;
    let tmp = tempfile::Builder::new().prefix(&format!(".{name}.tmp-")).tempdir_in(parent).map_err(io(parent))?;
    for (rel, bytes) in files {
        let path = contained(tmp.path(), rel)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        std::fs::write(&path, bytes).map_err(io(&path))?;
    }
    // The previous directory is moved aside into a second temporary directory, which removes it
    // when dropped, whatever happens next.
    let old = match existing(&final_dir)? {
        Existing::Nothing => None,
        Existing::Directory => {
            let old =
                tempfile::Builder::new().prefix(&format!(".{name}.old-")).tempdir_in(parent).map_err(io(parent))?;
            std::fs::rename(&final_dir, old.path().join(name)).map_err(io(&final_dir))?;
            Some(old)
        }
        Existing::Refused(what) => return Err(OutputError::NotAFile { path: final_dir, what }),
        Existing::RegularFile | Existing::WriteThrough => {
            return Err(OutputError::NotAFile { path: final_dir, what: "it is not a directory" })
        }
    };
    if let Err(e) = std::fs::rename(tmp.path(), &final_dir) {
        if let Some(old) = &old {
            // Put the previous outputs back, so a failed run changes nothing.
            let _ = std::fs::rename(old.path().join(name), &final_dir);
        }
        return Err(io(&final_dir)(e));
    }
    Ok(final_dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_data_stay_inside_their_directory() {
        let dir = Path::new("/out");
        assert_eq!(contained(dir, "responses/42.csv").unwrap(), Path::new("/out/responses/42.csv"));
        for bad in ["../x.csv", "responses/../../x", "/etc/passwd", "a\\..\\b", "", ".", "a\nb"] {
            assert!(contained(dir, bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_hostile_name_writes_nothing_and_leaves_no_temporary_directory() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let mut files = std::collections::BTreeMap::new();
        files.insert("report.md".to_owned(), b"ok".to_vec());
        files.insert("responses/../../../PWNED.csv".to_owned(), b"x".to_vec());
        assert!(matches!(write_dir(&out, "FY2025Q2", &files), Err(OutputError::UnsafeName { .. })));
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0, "no temporary directory is left");
        assert!(!root.path().join("PWNED.csv").exists());
    }

    #[test]
    fn a_missing_parent_is_an_error_and_is_not_created() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("no/such/file.json");
        assert!(matches!(write_file(&target, b"{}"), Err(OutputError::MissingParent { .. })));
        assert!(!root.path().join("no").exists());
    }
}
