//! One module per subcommand. Each has clap `Args` and a `run` function that returns `anyhow`.

pub mod demo;
pub mod hisps;
pub mod ingest;
pub mod pls;
pub mod report;
pub mod store;

use std::path::Path;

use anyhow::Context;

/// Writes a file atomically: a temporary file beside it, then a rename, so a reader never sees half.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = dir.join(format!(".{}.tmp", path.file_name().and_then(|n| n.to_str()).unwrap_or("out")));
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot move {} to {}", tmp.display(), path.display()))
}
