//! Gives the shared library its SONAME on Linux, so programs linked against `libcrm.so` record
//! `libcrm.so.0` and keep working across compatible upgrades.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcrm.so.0");
    }
}
