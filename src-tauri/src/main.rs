//! `coco`: the desktop app, or with `--headless` the host alone.

use std::process::ExitCode;

use clap::Parser;
use coco::config::{Cli, Config};
use coco::host::Host;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("COCO_LOG")
                .unwrap_or_else(|_| "coco=info,warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let config = match Config::try_from(&cli) {
        Ok(config) => config,
        Err(e) => return fail(&e),
    };
    if !cli.headless {
        #[cfg(feature = "desktop")]
        if has_display() {
            return match coco::desktop::run(config) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(&e),
            };
        }
        eprintln!("No display found: running the host without a window (as with --headless).");
    }
    run_headless(config)
}

#[cfg(feature = "desktop")]
fn has_display() -> bool {
    !cfg!(target_os = "linux")
        || std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty())
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty())
}

fn run_headless(config: Config) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("could not start the runtime: {e}")),
    };
    runtime.block_on(async {
        let host = match Host::start(config).await {
            Ok(host) => host,
            Err(e) => return fail(&e.to_string()),
        };
        print_banner(&host);
        wait_for_signal().await;
        eprintln!("Shutting down…");
        host.shutdown().await;
        eprintln!("Stopped; everything is saved.");
        ExitCode::SUCCESS
    })
}

/// What a person needs to invite others, on stdout.
pub fn print_banner(host: &Host) {
    for notice in host.notices() {
        println!("note: {notice}");
    }
    println!("CoCo host \u{201c}{}\u{201d} is ready", host.name());
    println!("  on this machine: {}", host.local_url());
    match host.join_url() {
        Some(url) => println!("  on the network:  {url}"),
        None => println!("  on the network:  (listening on this machine only)"),
    }
    println!("  join code:       {}", host.join_code());
    println!(
        "  WebSocket:       {} (compatibility port)",
        host.local_ws_url()
    );
    if let Some(e) = host.mdns_error() {
        println!("  not announced on the network ({e}); share the URL above instead");
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::FAILURE
}
