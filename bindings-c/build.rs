//! Generates `../include/warden.h` with cbindgen (configuration in `cbindgen.toml`).
//!
//! The header is committed. With `WARDEN_HEADER_MUST_NOT_CHANGE=1` (CI, `make test`) the build
//! fails instead of rewriting a header that differs from the generated one (Temporal's habit).

use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let header = dir.join("../include/warden.h");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=../include/warden.h");
    println!("cargo:rerun-if-env-changed=WARDEN_HEADER_MUST_NOT_CHANGE");

    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_crate(&dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate include/warden.h");
    let mut generated = Vec::new();
    bindings.write(&mut generated);

    let committed = std::fs::read(&header).unwrap_or_default();
    if committed == generated {
        return;
    }
    if std::env::var("WARDEN_HEADER_MUST_NOT_CHANGE").as_deref() == Ok("1") {
        panic!(
            "include/warden.h differs from the header generated from bindings-c/src. \
             Rebuild without WARDEN_HEADER_MUST_NOT_CHANGE=1 (cargo build -p warden-capi) \
             and commit the new header."
        );
    }
    std::fs::create_dir_all(header.parent().unwrap()).expect("include/");
    std::fs::write(&header, generated).expect("cannot write include/warden.h");
}
