//! The Tauri shell: one native window around the host's own web UI.
//!
//! The window loads the UI from the embedded server over HTTP, exactly as a
//! browser peer does, so there is one UI and one code path for everyone. That
//! page is a remote origin to Tauri and is given no IPC permission at all
//! (`tauri.conf.json` declares no capabilities): the UI needs none.

use tauri::async_runtime::block_on;
use tauri::{AppHandle, Url, WebviewUrl, WebviewWindowBuilder};

use crate::config::{Config, DEFAULT_SESSION_NAME};
use crate::host::Host;

/// Label of the one window; Tauri addresses windows by label.
const MAIN_WINDOW: &str = "main";
/// Opening size: room for the canvas and the side panels on a laptop screen.
const WINDOW_SIZE: (f64, f64) = (1280.0, 800.0);
/// Below this the toolbar and the canvas no longer fit side by side.
const MIN_WINDOW_SIZE: (f64, f64) = (800.0, 560.0);

/// Runs the host and a window showing it until the window is closed.
///
/// The host runs on Tauri's tokio runtime, so one runtime serves both. The
/// host is shut down (sockets closed, store flushed) however the window ends:
/// closed by the user, or the process asked to stop by a signal.
pub fn run(config: Config) -> Result<(), String> {
    let title = window_title(&config.name);
    let host = block_on(Host::start(config)).map_err(|e| format!("cannot start the host: {e}"))?;
    // The window shows the canvas, but the person at the terminal may be
    // the one inviting the others.
    print!("{}", host.banner());
    let shown = show_window(&title, &host.local_url());
    eprintln!("Shutting down…");
    block_on(host.shutdown());
    eprintln!("Stopped; everything is saved.");
    shown
}

/// "CoCo — Art class"; just "CoCo" for an unnamed session, not "CoCo — CoCo".
fn window_title(session_name: &str) -> String {
    if session_name == DEFAULT_SESSION_NAME {
        DEFAULT_SESSION_NAME.to_string()
    } else {
        format!("CoCo — {session_name}")
    }
}

/// Builds the app with its one window and runs the event loop until it exits.
///
/// The window is made in code rather than in `tauri.conf.json` because its URL
/// (the host's real port) is known only once the host has started.
fn show_window(title: &str, url: &str) -> Result<(), String> {
    let url: Url = url
        .parse()
        .map_err(|e| format!("bad host URL {url}: {e}"))?;
    let app = tauri::Builder::default()
        .build(tauri::generate_context!())
        .map_err(|e| format!("cannot start the desktop app: {e}"))?;
    WebviewWindowBuilder::new(&app, MAIN_WINDOW, WebviewUrl::External(url))
        .title(title)
        .inner_size(WINDOW_SIZE.0, WINDOW_SIZE.1)
        .min_inner_size(MIN_WINDOW_SIZE.0, MIN_WINDOW_SIZE.1)
        .build()
        .map_err(|e| format!("cannot open the window: {e}"))?;
    exit_on_signal(app.handle().clone());
    // `run_return`, unlike `run`, comes back here instead of exiting the
    // process, so the caller can still shut the host down.
    app.run_return(|_, _| {});
    Ok(())
}

/// Ends the event loop on Ctrl-C or SIGTERM, as closing the window would.
///
/// Without this a signal would kill the process before the store is flushed.
fn exit_on_signal(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        crate::host::stop_requested().await;
        app.exit(0);
    });
}
