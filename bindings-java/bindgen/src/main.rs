//! The pinned Java generator: `uniffi-bindgen-java` at the exact version in `Cargo.lock`.
//! Run it as `cargo run -p warden-java-bindgen -- generate --out-dir DIR target/release/libwarden_java.so`.
fn main() {
    if let Err(e) = uniffi_bindgen_java::run_main() {
        eprintln!("warden-java-bindgen: {e:#}");
        std::process::exit(1);
    }
}
