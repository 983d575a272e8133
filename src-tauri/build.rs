//! Build script: Tauri's code generation, only for the desktop app.
//!
//! A headless build (`--no-default-features`) must not need tauri-build or any
//! GUI library, so everything Tauri-specific sits behind the `desktop` feature.

fn main() {
    // Listing paths stops cargo from rerunning this script on every source
    // edit. The UI is embedded into the binary, so its changes must rebuild it.
    println!("cargo:rerun-if-changed=src-tauri/build.rs");
    println!("cargo:rerun-if-changed=ui");

    // Reads tauri.conf.json, checks the icons and the (empty) capabilities, and
    // prepares what `tauri::generate_context!` embeds.
    #[cfg(feature = "desktop")]
    tauri_build::build();
}
