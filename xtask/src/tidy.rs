//! Tidy checks that `cargo test` enforces on the whole tree: every Rust file opens with a `//!` doc,
//! crates depend on each other only in the allowed direction, libraries neither print nor use
//! anyhow or clap, and no debugging or test-skipping markers slip in.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if p.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&p, out);
            }
        } else if name.ends_with(".rs") {
            out.push(p);
        }
    }
}

fn all_rust_files() -> Vec<PathBuf> {
    let root = root();
    let mut files = Vec::new();
    for dir in ["src", "crates", "xtask", "tests", "benches", "fuzz"] {
        rust_files(&root.join(dir), &mut files);
    }
    files.sort();
    assert!(files.len() > 10, "tidy found too few files: {files:?}");
    files
}

#[test]
fn every_rust_file_opens_with_a_module_doc() {
    let mut bad = Vec::new();
    for f in all_rust_files() {
        let text = std::fs::read_to_string(&f).unwrap();
        if !text.trim_start().starts_with("//!") {
            bad.push(f.display().to_string());
        }
    }
    assert!(bad.is_empty(), "these files must start with a `//!` doc comment:\n{}", bad.join("\n"));
}

#[test]
fn no_debugging_or_test_skipping_markers() {
    // Spelled in pieces so this file does not trip its own check.
    let forbidden = [concat!("to", "do!"), concat!("db", "g!"), concat!("#[ig", "nore"), concat!("#[should", "_panic")];
    let mut bad = Vec::new();
    for f in all_rust_files() {
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text.lines().enumerate() {
            for word in forbidden {
                if line.contains(word) {
                    bad.push(format!("{}:{}: {word}", f.display(), n + 1));
                }
            }
        }
    }
    assert!(bad.is_empty(), "forbidden markers:\n{}", bad.join("\n"));
}

/// The internal dependencies each crate may have: model <- ingest, index, store; index <- a11; all <- CLI, xtask.
const ALLOWED: [(&str, &[&str]); 5] = [
    ("fedcx-model", &[]),
    ("fedcx-ingest", &["fedcx-model"]),
    ("fedcx-index", &["fedcx-model"]),
    ("fedcx-a11", &["fedcx-model", "fedcx-index"]),
    ("fedcx-store", &["fedcx-model"]),
];

fn dependencies(manifest: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(manifest).unwrap();
    let doc: toml::Table = text.parse().unwrap();
    let mut out = Vec::new();
    for section in ["dependencies", "build-dependencies"] {
        if let Some(t) = doc.get(section).and_then(|v| v.as_table()) {
            out.extend(t.keys().cloned());
        }
    }
    out
}

#[test]
fn crates_follow_the_layering() {
    let root = root();
    let mut bad = Vec::new();
    for (krate, allowed) in ALLOWED {
        let deps = dependencies(&root.join("crates").join(krate).join("Cargo.toml"));
        for d in &deps {
            if d.starts_with("fedcx") && !allowed.contains(&d.as_str()) {
                bad.push(format!("{krate} must not depend on {d}"));
            }
            if ["anyhow", "clap", "indicatif"].contains(&d.as_str()) {
                bad.push(format!("{krate} is a library and must not use {d} (only the CLI and xtask do)"));
            }
        }
    }
    let members: Vec<String> = std::fs::read_dir(root.join("crates"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    for m in members {
        if !ALLOWED.iter().any(|(k, _)| *k == m) {
            bad.push(format!("crates/{m} has no layering rule in tidy.rs"));
        }
    }
    assert!(bad.is_empty(), "layering violations:\n{}", bad.join("\n"));
}

#[test]
fn libraries_do_not_print_and_pure_crates_do_no_io() {
    let root = root();
    let mut bad = Vec::new();
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files);
    for f in files {
        let rel = f.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(&f).unwrap();
        let pure = rel.starts_with("crates/fedcx-model/src") || rel.starts_with("crates/fedcx-index/src");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for p in ["println!", "eprintln!", "print!(", "eprint!("] {
                if code.contains(p) && !rel.contains("/benches/") {
                    bad.push(format!("{rel}:{}: libraries never print ({p})", n + 1));
                }
            }
            if pure && (code.contains("std::fs") || code.contains("File::") || code.contains("std::env")) {
                bad.push(format!("{rel}:{}: fedcx-model and fedcx-index do no IO", n + 1));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Every public item of a library crate is documented: each library asks the compiler to warn on
/// a missing doc, and CI turns warnings into errors.
#[test]
fn library_crates_warn_on_missing_docs() {
    let crates = root().join("crates");
    let mut checked = 0;
    for entry in std::fs::read_dir(&crates).unwrap() {
        let lib = entry.unwrap().path().join("src/lib.rs");
        if !lib.exists() {
            continue;
        }
        let text = std::fs::read_to_string(&lib).unwrap();
        assert!(text.contains("#![warn(missing_docs)]"), "{} lacks #![warn(missing_docs)]", lib.display());
        checked += 1;
    }
    assert_eq!(checked, 5, "the five library crates");
}

/// A library crate is published on its own (`cargo package`), so its sources and tests may read
/// only files inside the crate: a path climbing out of it (`../../tests/fixtures`) works in the
/// workspace and breaks in the package.
#[test]
fn library_crates_read_no_file_outside_themselves() {
    let mut files = Vec::new();
    rust_files(&root().join("crates"), &mut files);
    let mut bad = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let reads =
                ["include_bytes!", "include_str!", "CARGO_MANIFEST_DIR", "fs::read"].iter().any(|m| line.contains(m));
            if reads && line.contains("../..") {
                bad.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(bad.is_empty(), "library crates reaching outside themselves:\n{}", bad.join("\n"));
}
