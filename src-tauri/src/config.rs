//! Command-line flags and the settings derived from them.
//!
//! Every setting is a flag and an environment variable (`COCO_*`), so a
//! service manager can configure the host without a wrapper script.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::Parser;

/// Default HTTP port, the one the existing CoCo web client talks to.
pub const DEFAULT_HTTP_PORT: u16 = 5001;
/// Default compatibility WebSocket port of the existing CoCo web client.
pub const DEFAULT_WS_PORT: u16 = 8080;
/// Session name used when none is given.
pub const DEFAULT_SESSION_NAME: &str = "CoCo";

/// `coco`: draw together on a local network.
#[derive(Debug, Clone, Parser)]
#[command(name = "coco", version, about)]
pub struct Cli {
    /// Run the host only, with no window.
    #[arg(long, env = "COCO_HEADLESS")]
    pub headless: bool,
    /// Where shapes, images and jobs are kept (default: the OS data directory).
    #[arg(long, env = "COCO_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Port for the HTTP API, the UI and `/ws` (default 5001; a busy default falls back to a free port).
    #[arg(long, env = "COCO_PORT", value_name = "N")]
    pub port: Option<u16>,
    /// Port for the compatibility WebSocket (default 8080; a busy default falls back to a free port).
    #[arg(long, env = "COCO_WS_PORT", value_name = "N")]
    pub ws_port: Option<u16>,
    /// Address to listen on.
    #[arg(
        long,
        env = "COCO_BIND",
        value_name = "ADDR",
        default_value = "0.0.0.0"
    )]
    pub bind: IpAddr,
    /// Session name shown to people joining.
    #[arg(long, env = "COCO_NAME", value_name = "NAME")]
    pub name: Option<String>,
    /// Let anyone on the network join without the join code.
    #[arg(long, env = "COCO_OPEN")]
    pub open: bool,
    /// Do not announce the session on the local network.
    #[arg(long, env = "COCO_NO_MDNS")]
    pub no_mdns: bool,
}

/// Which port to listen on, and whether the user chose it.
///
/// A port the user named must be honoured or fail loudly; a default that is
/// busy (another CoCo, a dev server) quietly moves to a free port instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortChoice {
    /// The built-in default: fall back to a free port when busy.
    Default(u16),
    /// Given by the user: a busy port is an error.
    Explicit(u16),
}

impl PortChoice {
    fn from_flag(flag: Option<u16>, default: u16) -> Self {
        flag.map_or(PortChoice::Default(default), PortChoice::Explicit)
    }

    /// The port to try first.
    pub fn port(self) -> u16 {
        match self {
            PortChoice::Default(p) | PortChoice::Explicit(p) => p,
        }
    }
}

/// Everything the host needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub http_port: PortChoice,
    pub ws_port: PortChoice,
    pub bind: IpAddr,
    pub name: String,
    /// No join code: any peer may join.
    pub open: bool,
    /// Announce the session over mDNS.
    pub mdns: bool,
}

impl Config {
    /// Settings for a host whose data lives in `data_dir`, with ephemeral
    /// loopback ports: what tests and embedders want.
    pub fn ephemeral(data_dir: impl Into<PathBuf>) -> Self {
        Config {
            data_dir: data_dir.into(),
            http_port: PortChoice::Explicit(0),
            ws_port: PortChoice::Explicit(0),
            bind: IpAddr::from([127, 0, 0, 1]),
            name: DEFAULT_SESSION_NAME.to_string(),
            open: false,
            mdns: false,
        }
    }
}

impl TryFrom<&Cli> for Config {
    type Error = String;

    fn try_from(cli: &Cli) -> Result<Self, String> {
        let data_dir = match &cli.data_dir {
            Some(dir) => dir.clone(),
            None => default_data_dir()?,
        };
        Ok(Config {
            data_dir,
            http_port: PortChoice::from_flag(cli.port, DEFAULT_HTTP_PORT),
            ws_port: PortChoice::from_flag(cli.ws_port, DEFAULT_WS_PORT),
            bind: cli.bind,
            name: cli
                .name
                .clone()
                .unwrap_or_else(|| DEFAULT_SESSION_NAME.to_string()),
            open: cli.open,
            mdns: !cli.no_mdns,
        })
    }
}

/// The per-user data directory of this OS (e.g. `~/.local/share/coco`).
fn default_data_dir() -> Result<PathBuf, String> {
    directories::ProjectDirs::from("app", "CoCo", "coco")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .ok_or_else(|| "could not find a home directory for the data; pass --data-dir".to_string())
}
