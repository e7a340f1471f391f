//! One module per subcommand. Each has clap `Args` and a `run` function that returns `anyhow`.

pub mod demo;
pub mod hisps;
pub mod ingest;
pub mod pls;
pub mod registry;
pub mod report;
pub mod site;
pub mod store;
pub mod template;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use std::io::Write as _;

/// `--quiet`: status lines (what was read, stored, written) are not printed; results asked for
/// (a listing, an export to stdout) and warnings and errors (stderr) still are.
static QUIET: AtomicBool = AtomicBool::new(false);

/// Whether stderr's `error:`/`warning:`/`check:` labels are coloured (`--color`, `NO_COLOR`).
static COLOR: AtomicBool = AtomicBool::new(false);

/// When to colour: `auto` colours a terminal unless `NO_COLOR` is set (no-color.org).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stderr is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Decides colouring for the run.
pub fn set_color(choice: ColorChoice) {
    use std::io::IsTerminal;
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    COLOR.store(on, Ordering::Relaxed);
}

/// A stderr label (`error`, `warning`, `check`) with its colon, coloured when colouring is on.
pub fn label(kind: &str) -> String {
    if !COLOR.load(Ordering::Relaxed) {
        return format!("{kind}:");
    }
    let code = match kind {
        "error" => "1;31",
        "warning" => "1;33",
        _ => "1;36",
    };
    format!("\x1b[{code}m{kind}:\x1b[0m")
}

/// Sets `--quiet` for the run.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether `--quiet` was given.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// A status line on stdout, unless `--quiet`.
macro_rules! say {
    ($($arg:tt)*) => {
        if !$crate::cmd::quiet() {
            println!($($arg)*);
        }
    };
}
pub(crate) use say;

use anyhow::Context;

/// The exit status of a run that refused some of what it was given because the store already
/// holds it (`ingest` of a file whose content was ingested before, a `--replace` that would not
/// store every new file): distinct from 1, an error, so a script can tell "nothing new" from a
/// failure. 0 is success, 2 a wrong command line (clap's), 141 a closed standard output.
pub const EXIT_REFUSED: u8 = 3;

/// Ends the run with [`EXIT_REFUSED`]. Each refusal was printed when it was met; `message`, when
/// there is one, is printed as the final `error:` line.
#[derive(Debug)]
pub struct Refused {
    /// What to say last, if anything.
    pub message: Option<String>,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message.as_deref().unwrap_or("refused: the store already holds what was given"))
    }
}

impl std::error::Error for Refused {}

/// Writes one output file: `-` is standard output; anything else goes through
/// [`fedcx_a11::output`] (atomic, never through a link, temporary file removed on any error).
pub fn write_output(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if path == Path::new("-") {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes).and_then(|()| out.flush()).context("cannot write to standard output")?;
        return Ok(());
    }
    fedcx_a11::output::write_file(path, bytes)?;
    Ok(())
}

/// Says where an output went: on stdout normally, on stderr when the output itself went to stdout
/// (`-`), so the data stays clean for a pipe.
pub fn report_written(path: &Path, what: &str) {
    if path == Path::new("-") {
        eprintln!("{what} to standard output");
    } else {
        say!("{what} to {}", shown(path));
    }
}

/// A path as printed for people: control characters (a newline or an escape sequence in a file
/// name) are shown escaped, so a hostile name cannot forge output lines or drive the terminal.
pub fn shown(path: &Path) -> String {
    escape_controls(&path.to_string_lossy())
}

/// Text with control characters escaped (`\n`, `\u{1b}`), everything else as it is.
pub fn escape_controls(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    text.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}
