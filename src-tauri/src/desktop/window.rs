//! The Tauri shell around the host.
//!
//! The window loads the UI from the embedded server over HTTP, exactly as a
//! browser peer does, so there is one UI and one code path for everyone. That
//! page is a remote origin to Tauri and is given no IPC permission at all
//! (`tauri.conf.json` declares no capabilities): the UI needs none. What the
//! host tells the page (a finished download) it tells by dispatching a DOM
//! event into it.

use std::path::{Path, PathBuf};
use std::time::Instant;

use tauri::async_runtime::block_on;
use tauri::webview::{DownloadEvent, PageLoadEvent};
use tauri::{AppHandle, Manager, Url, WebviewUrl, WebviewWindowBuilder};

use super::{downloads, window_title};
use crate::config::Config;
use crate::host::Host;
use crate::room::Rooms;

/// Label of the one window; Tauri addresses windows by label.
const MAIN_WINDOW: &str = "main";
/// Opening size: room for the canvas and the side panels on a laptop screen.
const WINDOW_SIZE: (f64, f64) = (1280.0, 800.0);
/// Below this the toolbar and the canvas no longer fit side by side.
const MIN_WINDOW_SIZE: (f64, f64) = (800.0, 560.0);

/// Runs the host and a window showing it until the window is closed.
///
/// A second launch on the same data directory brings this window forward
/// and exits. The host runs on Tauri's tokio runtime, so one runtime serves
/// both. The host is shut down (sockets closed, store flushed, the mDNS
/// goodbye sent) however the window ends: closed by the user, or the
/// process asked to stop by a signal.
pub fn run(config: Config) -> Result<(), String> {
    let started = Instant::now();
    #[cfg(unix)]
    let listener = match super::instance::claim(&config.data_dir)? {
        super::instance::Claim::First(listener) => Some(listener),
        super::instance::Claim::AlreadyRunning => {
            println!("CoCo is already running: its window was brought to the front.");
            return Ok(());
        }
    };
    let data_dir = config.data_dir.clone();
    let host = block_on(Host::start(config)).map_err(|e| format!("cannot start the host: {e}"))?;
    // The window shows the canvas, but the person at the terminal may be
    // the one inviting the others.
    print!("{}", host.banner());
    let window = Window {
        // With the admin secret: the window is the host panel, and a browser
        // on this machine without it is an ordinary seat.
        url: host.admin_url(),
        name: host.name().to_string(),
        rooms: host.rooms(),
        downloads: downloads::folder(&data_dir),
        started,
    };
    let shown = window.show(move |app| {
        #[cfg(unix)]
        if let Some(listener) = listener {
            let app = app.clone();
            tauri::async_runtime::spawn(super::instance::answer(listener, move || {
                bring_forward(&app)
            }));
        }
        #[cfg(not(unix))]
        let _ = app;
    });
    eprintln!("Shutting down…");
    block_on(host.shutdown());
    eprintln!("Stopped; everything is saved.");
    shown
}

/// What the window needs from the host.
struct Window {
    url: String,
    name: String,
    rooms: Rooms,
    downloads: PathBuf,
    started: Instant,
}

impl Window {
    /// Builds the app with its one window and runs the event loop until it
    /// exits. `setup` runs once the app exists (to answer later launches).
    ///
    /// The window is made in code rather than in `tauri.conf.json` because
    /// its URL (the host's real port) is known only once the host has started.
    fn show(self, setup: impl FnOnce(&AppHandle)) -> Result<(), String> {
        let url: Url = self
            .url
            .parse()
            .map_err(|e| format!("bad host URL {}: {e}", self.url))?;
        let app = tauri::Builder::default()
            .build(tauri::generate_context!())
            .map_err(|e| format!("cannot start the desktop app: {e}"))?;
        let title = window_title(&self.name, self.rooms.seated(crate::room::DEFAULT_ROOM));
        let started = self.started;
        let folder = self.downloads.clone();
        WebviewWindowBuilder::new(&app, MAIN_WINDOW, WebviewUrl::External(url))
            .title(title)
            .inner_size(WINDOW_SIZE.0, WINDOW_SIZE.1)
            .min_inner_size(MIN_WINDOW_SIZE.0, MIN_WINDOW_SIZE.1)
            .on_page_load(move |_, page| {
                if page.event() == PageLoadEvent::Finished {
                    tracing::info!(
                        "window ready {} ms after launch",
                        started.elapsed().as_millis()
                    );
                }
            })
            .on_download(move |webview, event| save_download(&folder, &webview, event))
            .build()
            .map_err(|e| format!("cannot open the window: {e}"))?;
        setup(app.handle());
        keep_title_current(app.handle().clone(), self.name, self.rooms);
        exit_on_signal(app.handle().clone());
        // `run_return`, unlike `run`, comes back here instead of exiting the
        // process, so the caller can still shut the host down.
        app.run_return(|_, _| {});
        Ok(())
    }
}

/// Sends the page's downloads to the Downloads folder under a new name,
/// and tells the page where each went.
fn save_download<R: tauri::Runtime>(
    folder: &Path,
    webview: &tauri::Webview<R>,
    event: DownloadEvent<'_>,
) -> bool {
    match event {
        DownloadEvent::Requested { destination, .. } => {
            let suggested = destination
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if let Err(e) = std::fs::create_dir_all(folder) {
                tracing::warn!("cannot save a download in {}: {e}", folder.display());
                let _ = webview.eval(downloads::notice_script(Err(())));
                return false;
            }
            *destination = downloads::unique_path(folder, &suggested);
            true
        }
        DownloadEvent::Finished { path, success, .. } => {
            let saved = match (&path, success) {
                (Some(path), true) => {
                    eprintln!("Saved {}", path.display());
                    Ok(path.as_path())
                }
                _ => {
                    tracing::warn!("a download failed");
                    Err(())
                }
            };
            let _ = webview.eval(downloads::notice_script(saved));
            true
        }
        _ => true,
    }
}

/// Shows the window again, over the others (a second launch asked for it).
fn bring_forward(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Updates the title as people take and leave seats.
fn keep_title_current(app: AppHandle, name: String, rooms: Rooms) {
    let mut occupancy = rooms.occupancy();
    tauri::async_runtime::spawn(async move {
        while occupancy.changed().await.is_ok() {
            let title = window_title(&name, rooms.seated(crate::room::DEFAULT_ROOM));
            match app.get_webview_window(MAIN_WINDOW) {
                Some(window) => {
                    let _ = window.set_title(&title);
                }
                None => return,
            }
        }
    });
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
