//! Command-line flags, the config file, and the settings derived from them.
//!
//! Every setting is a flag and an environment variable (`COCO_*`), so a
//! service manager can configure the host without a wrapper script; most are
//! also keys of the config file ([`file`]), so the desktop app needs no
//! flags. A flag or variable wins over the file. The Gemini key is the
//! exception: it is never a flag (a command line is visible to every user of
//! the machine), only `GEMINI_API_KEY`, `GOOGLE_API_KEY` or the file.

pub mod file;
mod secret;

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

pub use secret::ApiKey;

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
    /// Address to listen on (default 0.0.0.0: every interface).
    #[arg(long, env = "COCO_BIND", value_name = "ADDR")]
    pub bind: Option<IpAddr>,
    /// Session name shown to people joining.
    #[arg(long, env = "COCO_NAME", value_name = "NAME")]
    pub name: Option<String>,
    /// Let anyone on the network join without the join code.
    #[arg(long, env = "COCO_OPEN")]
    pub open: bool,
    /// Do not announce the session on the local network.
    #[arg(long, env = "COCO_NO_MDNS")]
    pub no_mdns: bool,
    /// The config file (default: config.toml in the OS config directory).
    #[arg(long, env = "COCO_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Base URL of the Gemini API (tests point it at a local server).
    #[arg(long, env = "COCO_GEMINI_BASE_URL", value_name = "URL")]
    pub gemini_base_url: Option<String>,
    /// Gemini model that makes pictures.
    #[arg(long, env = "COCO_GEMINI_IMAGE_MODEL", value_name = "ID")]
    pub gemini_image_model: Option<String>,
    /// Gemini model that writes text (storyboard stories).
    #[arg(long, env = "COCO_GEMINI_TEXT_MODEL", value_name = "ID")]
    pub gemini_text_model: Option<String>,
    /// Gemini model that speaks the narration of videos.
    #[arg(long, env = "COCO_GEMINI_TTS_MODEL", value_name = "ID")]
    pub gemini_tts_model: Option<String>,
    /// Seconds one Gemini request may take before it is given up.
    #[arg(long, env = "COCO_GEMINI_TIMEOUT", value_name = "SECS")]
    pub gemini_timeout: Option<u64>,
    /// MiB of history kept per room before the oldest is thinned (default 64; 0 turns history off).
    #[arg(long, env = "COCO_HISTORY_BUDGET_MB", value_name = "MIB")]
    pub history_budget_mb: Option<u64>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Things `coco` does besides hosting.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Store the Gemini API key in the config file (readable by you only).
    /// The key is read from standard input, so it never shows in the
    /// process list or the shell history.
    SetGeminiKey,
    /// Give the running host (on this data directory) a new join code. People
    /// seated stay; the old link and QR code stop working. Prints the new code.
    RotateCode,
}

/// What the AI features need: where Gemini is and with which key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiSettings {
    pub gemini_key: Option<ApiKey>,
    /// Where the key came from, to tell a person (never the key itself).
    pub key_source: Option<&'static str>,
    pub gemini_base_url: Option<String>,
    pub gemini_image_model: Option<String>,
    pub gemini_text_model: Option<String>,
    pub gemini_tts_model: Option<String>,
    pub gemini_timeout: Option<Duration>,
    /// Where a key set from the host panel is kept for the next start: the
    /// config file (None: it lasts until the host stops).
    pub key_file: Option<PathBuf>,
}

impl AiSettings {
    /// No key, no overrides: only the offline enhancer.
    pub fn offline() -> AiSettings {
        AiSettings {
            gemini_key: None,
            key_source: None,
            gemini_base_url: None,
            gemini_image_model: None,
            gemini_text_model: None,
            gemini_tts_model: None,
            gemini_timeout: None,
            key_file: None,
        }
    }
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
    pub ai: AiSettings,
    /// Bytes of history kept per room; 0: history is off.
    pub history_budget: u64,
    /// Things a person should know about the configuration (printed at start).
    pub warnings: Vec<String>,
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
            ai: AiSettings::offline(),
            history_budget: crate::room::MAX_HISTORY_BYTES_PER_ROOM,
            warnings: Vec::new(),
        }
    }

    /// Reads the config file the flags point to (or the default one) and
    /// merges it under the flags and the environment.
    pub fn load(cli: &Cli) -> Result<Config, String> {
        let path = cli.config.clone().or_else(file::default_path);
        let (from_file, warning) = match &path {
            Some(path) => file::load(path)?,
            None => Default::default(),
        };
        let env_key = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let mut config = Config::merge(cli, from_file, warning, env_key)?;
        config.ai.key_file = path;
        Ok(config)
    }

    /// Flags and environment over the file over the defaults. `env_key`
    /// reads an environment variable (a parameter so tests need not change
    /// the process environment).
    pub fn merge(
        cli: &Cli,
        file: file::FileConfig,
        warning: Option<String>,
        env_key: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, String> {
        let data_dir = match cli.data_dir.clone().or(file.data_dir) {
            Some(dir) => dir,
            None => default_data_dir()?,
        };
        let (gemini_key, key_source) = if let Some(key) = env_key("GEMINI_API_KEY") {
            (Some(key), Some("GEMINI_API_KEY"))
        } else if let Some(key) = env_key("GOOGLE_API_KEY") {
            (Some(key), Some("GOOGLE_API_KEY"))
        } else if let Some(key) = file.gemini.api_key.filter(|k| !k.trim().is_empty()) {
            (Some(key), Some("the config file"))
        } else {
            (None, None)
        };
        Ok(Config {
            data_dir,
            http_port: PortChoice::from_flag(cli.port.or(file.port), DEFAULT_HTTP_PORT),
            ws_port: PortChoice::from_flag(cli.ws_port.or(file.ws_port), DEFAULT_WS_PORT),
            bind: cli.bind.or(file.bind).unwrap_or(IpAddr::from([0, 0, 0, 0])),
            name: cli
                .name
                .clone()
                .or(file.name)
                .unwrap_or_else(|| DEFAULT_SESSION_NAME.to_string()),
            open: cli.open || file.open.unwrap_or(false),
            mdns: !cli.no_mdns && file.mdns.unwrap_or(true),
            ai: AiSettings {
                gemini_key: gemini_key.map(ApiKey::new),
                key_source,
                gemini_base_url: cli.gemini_base_url.clone().or(file.gemini.base_url),
                gemini_image_model: cli.gemini_image_model.clone().or(file.gemini.image_model),
                gemini_text_model: cli.gemini_text_model.clone().or(file.gemini.text_model),
                gemini_tts_model: cli.gemini_tts_model.clone().or(file.gemini.tts_model),
                gemini_timeout: cli
                    .gemini_timeout
                    .or(file.gemini.timeout_secs)
                    .map(Duration::from_secs),
                key_file: None,
            },
            history_budget: cli
                .history_budget_mb
                .or(file.history_budget_mb)
                .map_or(crate::room::MAX_HISTORY_BYTES_PER_ROOM, |mb| {
                    mb.saturating_mul(1024 * 1024)
                }),
            warnings: warning.into_iter().collect(),
        })
    }
}

/// The per-user data directory of this OS (e.g. `~/.local/share/coco`).
fn default_data_dir() -> Result<PathBuf, String> {
    directories::ProjectDirs::from("app", "CoCo", "coco")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .ok_or_else(|| "could not find a home directory for the data; pass --data-dir".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli(args: &[&str]) -> Cli {
        Cli::parse_from(std::iter::once("coco").chain(args.iter().copied()))
    }

    fn file_with_key(key: &str) -> file::FileConfig {
        let mut f = file::FileConfig {
            name: Some("From file".into()),
            port: Some(6001),
            ..Default::default()
        };
        f.gemini.api_key = Some(key.into());
        f.gemini.image_model = Some("file-model".into());
        f
    }

    #[test]
    fn flags_win_over_the_file() {
        let c = cli(&[
            "--data-dir",
            "/tmp/x",
            "--name",
            "Flag",
            "--gemini-image-model",
            "flag-model",
        ]);
        let config = Config::merge(&c, file_with_key("k"), None, |_| None).unwrap();
        assert_eq!(config.name, "Flag");
        assert_eq!(config.http_port, PortChoice::Explicit(6001));
        assert_eq!(config.ai.gemini_image_model.as_deref(), Some("flag-model"));
        assert_eq!(config.bind, IpAddr::from([0, 0, 0, 0]));
    }

    #[test]
    fn the_key_comes_from_gemini_then_google_then_the_file() {
        let c = cli(&["--data-dir", "/tmp/x"]);
        let both = |name: &str| match name {
            "GEMINI_API_KEY" => Some("g".to_string()),
            "GOOGLE_API_KEY" => Some("o".to_string()),
            _ => None,
        };
        let config = Config::merge(&c, file_with_key("f"), None, both).unwrap();
        assert_eq!(config.ai.gemini_key, Some(ApiKey::new("g".into())));
        assert_eq!(config.ai.key_source, Some("GEMINI_API_KEY"));
        let google = |name: &str| (name == "GOOGLE_API_KEY").then(|| "o".to_string());
        let config = Config::merge(&c, file_with_key("f"), None, google).unwrap();
        assert_eq!(config.ai.key_source, Some("GOOGLE_API_KEY"));
        let config = Config::merge(&c, file_with_key("f"), None, |_| None).unwrap();
        assert_eq!(config.ai.key_source, Some("the config file"));
        assert_eq!(config.ai.gemini_key, Some(ApiKey::new("f".into())));
        let config = Config::merge(&c, file_with_key(" "), None, |_| None).unwrap();
        assert_eq!(config.ai.gemini_key, None);
        assert!(!format!("{config:?}").contains("\"f\""));
    }
}
