//! `coco`: the desktop app, or with `--headless` the host alone.

use std::process::ExitCode;

use clap::Parser;
use coco::config::{file, Cli, Command, Config};
use coco::host::{terminal, Host};

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("COCO_LOG")
                .unwrap_or_else(|_| "coco=info,warn".into()),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, not in a log file.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    if let Some(Command::SetGeminiKey) = cli.command {
        return set_gemini_key(&cli);
    }
    let config = match Config::load(&cli) {
        Ok(config) => config,
        Err(e) => return fail(&e),
    };
    if let Some(Command::RotateCode) = cli.command {
        return rotate_code(&config);
    }
    for warning in &config.warnings {
        eprintln!("warning: {warning}");
    }
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
        // Followed from before the banner, so nothing that happens once a
        // reader has seen it (a join, a new code) goes unprinted.
        let events = host.seat_events();
        let codes = host.code_changes();
        print!("{}", host.banner());
        print_qr(&host);
        report_seats(&host, events, codes).await;
        eprintln!("Shutting down…");
        host.shutdown().await;
        eprintln!("Stopped; everything is saved.");
        ExitCode::SUCCESS
    })
}

fn print_qr(host: &Host) {
    if let Some(qr) = host.join_url().as_deref().and_then(terminal::qr_code) {
        println!("\nScan to join:\n{qr}\n");
    }
}

/// Prints a line per join and leave, and the new link, code and QR code
/// when the code changes, until a stop is requested.
async fn report_seats(
    host: &Host,
    mut events: tokio::sync::broadcast::Receiver<coco::room::SeatEvent>,
    mut codes: tokio::sync::watch::Receiver<std::sync::Arc<str>>,
) {
    use tokio::sync::broadcast::error::RecvError;
    let stop = coco::host::stop_requested();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => return,
            Ok(()) = codes.changed() => {
                codes.borrow_and_update();
                println!("The join code changed; the old link and QR code no longer work.");
                print!("{}", host.code_lines());
                print_qr(host);
            }
            event = events.recv() => match event {
                Ok(event) => println!("{}", terminal::seat_line(&event)),
                Err(RecvError::Lagged(missed)) => {
                    println!("({missed} joins and leaves not shown; {} seated now)", host.seats_taken());
                }
                Err(RecvError::Closed) => {
                    stop.await;
                    return;
                }
            },
        }
    }
}

/// `coco set-gemini-key`: reads the key from standard input and stores it in
/// the config file with mode 0600.
fn set_gemini_key(cli: &Cli) -> ExitCode {
    let Some(path) = cli.config.clone().or_else(file::default_path) else {
        return fail("could not find the config directory; pass --config FILE");
    };
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprintln!("Paste the Gemini API key and press Enter:");
    }
    let mut key = String::new();
    if let Err(e) = std::io::stdin().read_line(&mut key) {
        return fail(&format!("could not read the key: {e}"));
    }
    match file::save_gemini_key(&path, &key) {
        Ok(()) => {
            eprintln!(
                "Saved the Gemini key in {} (readable by you only).",
                path.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

/// `coco rotate-code`: asks the running host for a new join code, as its
/// admin (the secret it keeps in its data directory), and prints it.
fn rotate_code(config: &Config) -> ExitCode {
    match coco::host::admin::request_rotation(&config.data_dir) {
        Ok(rotated) => {
            println!("New join code: {}", rotated.code);
            if let Some(url) = rotated.join_url {
                println!("Join link:     {url}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::FAILURE
}
