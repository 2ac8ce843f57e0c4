//! Generates `include/crm.h` from crm-ffi with the cbindgen pinned in `Cargo.lock`.
//!
//! ```text
//! crm-gen-header include/crm.h            write the header
//! crm-gen-header --verify include/crm.h   exit 1 when the file differs from a fresh generation
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: crm-gen-header [--verify] <header path>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (verify, path) = match args.as_slice() {
        [path] if !path.starts_with('-') => (false, path),
        [flag, path] if flag == "--verify" => (true, path),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(verify, Path::new(path)) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("crm-gen-header: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(verify: bool, path: &Path) -> Result<ExitCode, String> {
    let fresh = generate()?;
    if verify {
        let current =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if current != fresh {
            eprintln!(
                "crm-gen-header: {} is out of date with crm-ffi; run `make header` and commit the result",
                path.display()
            );
            return Ok(ExitCode::from(1));
        }
        println!("{} is up to date", path.display());
    } else {
        std::fs::write(path, &fresh)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The header text for the crm-ffi crate next to this tool in the workspace.
fn generate() -> Result<Vec<u8>, String> {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../crm-ffi");
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))?;
    let bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .map_err(|e| format!("cbindgen failed: {e}"))?;
    let mut out = Vec::new();
    bindings.write(&mut out);
    Ok(out)
}
