//! The config file: `config.toml` in the OS config directory (on Linux
//! `~/.config/coco/config.toml`), or the file named by `--config`.
//!
//! It holds what a person sets once (the session name, the Gemini key) so
//! that the desktop app needs no flags. Flags and environment variables win
//! over the file. The file may hold the Gemini key, so the host writes it
//! readable by its owner only (mode 0600) and warns when it finds it readable
//! by others.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Largest config file read; anything bigger is not a config file.
pub const MAX_CONFIG_BYTES: u64 = 64 * 1024;

/// Every key the file may hold. Unknown keys are an error, so a typo is
/// reported instead of silently ignored.
#[derive(Debug, Default, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub name: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub port: Option<u16>,
    pub ws_port: Option<u16>,
    pub bind: Option<std::net::IpAddr>,
    pub open: Option<bool>,
    pub mdns: Option<bool>,
    /// MiB of history kept per room (0: history off).
    pub history_budget_mb: Option<u64>,
    #[serde(default)]
    pub gemini: GeminiFile,
}

/// The `[gemini]` table.
#[derive(Default, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GeminiFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tts_model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<u64>,
}

/// Never print the key, even in a debug dump of the configuration.
impl std::fmt::Debug for GeminiFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeminiFile")
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("base_url", &self.base_url)
            .field("image_model", &self.image_model)
            .field("text_model", &self.text_model)
            .field("tts_model", &self.tts_model)
            .field("timeout_secs", &self.timeout_secs)
            .finish()
    }
}

/// Where the config file is looked for when `--config` is not given.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("app", "CoCo", "coco")
        .map(|dirs| dirs.config_dir().join("config.toml"))
}

/// Reads the file; a missing file is an empty config. A warning for a
/// person (the key readable by others) comes back beside the values.
pub fn load(path: &Path) -> Result<(FileConfig, Option<String>), String> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((FileConfig::default(), None))
        }
        Err(e) => return Err(format!("could not read {}: {e}", path.display())),
    };
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(format!(
            "{} is {} bytes; a config file is at most {MAX_CONFIG_BYTES} bytes",
            path.display(),
            meta.len()
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("could not read {}: {e}", path.display()))?;
    let config: FileConfig =
        toml::from_str(&text).map_err(|e| format!("{} is not valid: {e}", path.display()))?;
    let warning = (config.gemini.api_key.is_some() && readable_by_others(&meta)).then(|| {
        format!(
            "{} holds the Gemini key but other users can read it; run `chmod 600 {}`",
            path.display(),
            path.display()
        )
    });
    Ok((config, warning))
}

#[cfg(unix)]
fn readable_by_others(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o077 != 0
}

#[cfg(not(unix))]
fn readable_by_others(_meta: &std::fs::Metadata) -> bool {
    false
}

/// Stores the Gemini key in the file, keeping every other setting. The file
/// is written whole to a temporary name with mode 0600 and renamed, so it is
/// never readable by others, not even for a moment, and never half written.
pub fn save_gemini_key(path: &Path, key: &str) -> Result<(), String> {
    let key = key.trim();
    if key.is_empty() || key.len() > 512 || key.chars().any(|c| c.is_control()) {
        return Err("that does not look like a Gemini API key".to_string());
    }
    let (mut config, _) = load(path)?;
    config.gemini.api_key = Some(key.to_string());
    let text = toml::to_string(&config).map_err(|e| format!("could not write the config: {e}"))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    }
    let tmp = path.with_extension("toml.tmp");
    write_private(&tmp, text.as_bytes())
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("could not write {}: {e}", path.display()))
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    // A leftover temporary file may predate us with a wider mode.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_is_empty_config() {
        let dir = tempfile::tempdir().unwrap();
        let (config, warning) = load(&dir.path().join("none.toml")).unwrap();
        assert_eq!(config, FileConfig::default());
        assert!(warning.is_none());
    }

    #[test]
    fn unknown_key_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "nmae = \"x\"\n").unwrap();
        let err = load(&path).unwrap_err();
        assert!(err.contains("nmae"), "{err}");
    }

    #[test]
    fn oversized_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let at_limit = format!(
            "name = \"{}\"\n",
            "a".repeat(MAX_CONFIG_BYTES as usize - 10)
        );
        std::fs::write(&path, &at_limit).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), MAX_CONFIG_BYTES);
        assert!(load(&path).is_ok());
        std::fs::write(&path, format!("{at_limit} ")).unwrap();
        assert!(load(&path).unwrap_err().contains("at most"));
    }

    #[cfg(unix)]
    #[test]
    fn key_is_saved_private_and_other_settings_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.toml");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            "name = \"Art class\"\n[gemini]\nimage_model = \"m\"\n",
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        save_gemini_key(&path, " secret-key \n").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let (config, warning) = load(&path).unwrap();
        assert!(warning.is_none());
        assert_eq!(config.name.as_deref(), Some("Art class"));
        assert_eq!(config.gemini.image_model.as_deref(), Some("m"));
        assert_eq!(config.gemini.api_key.as_deref(), Some("secret-key"));
        assert!(!format!("{config:?}").contains("secret-key"));
    }

    #[cfg(unix)]
    #[test]
    fn key_readable_by_others_is_warned_about() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[gemini]\napi_key = \"k\"\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let (_, warning) = load(&path).unwrap();
        assert!(warning.unwrap().contains("chmod 600"));
    }

    #[test]
    fn blank_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        assert!(save_gemini_key(&path, "  \n").is_err());
        assert!(!path.exists());
    }
}
