//! Files the page saves (PNG and SVG exports, later videos) land in the
//! person's Downloads folder, under a name that never overwrites anything,
//! and the page is told where they went.
//!
//! A browser asks where to save; the webview would otherwise save silently
//! into a folder chosen by the engine (or the working directory when there
//! is no Downloads folder). The page is a remote origin with no IPC, so the
//! notice is a DOM event the host dispatches into it ([`notice_script`]);
//! the UI shows it as a toast.

use std::path::{Path, PathBuf};

/// Longest file name kept from what the page suggests (bytes, before the
/// counter); longer names are cut, keeping the extension.
pub const MAX_FILE_NAME: usize = 120;
/// Name used when the page suggests none that can be used.
const FALLBACK_NAME: &str = "coco-download";

/// The folder downloads go to: the OS Downloads folder, else the home
/// folder, else the data directory.
pub fn folder(data_dir: &Path) -> PathBuf {
    directories::UserDirs::new()
        .and_then(|dirs| {
            dirs.download_dir()
                .map(Path::to_path_buf)
                .or_else(|| Some(dirs.home_dir().to_path_buf()))
        })
        .unwrap_or_else(|| data_dir.to_path_buf())
}

/// A path in `folder` for a file the page calls `suggested`, not taken yet:
/// "coco-main.png", then "coco-main (1).png", "coco-main (2).png"...
/// Only the last component of the suggestion is used, and characters a
/// file name cannot hold are replaced, so a page cannot write elsewhere.
pub fn unique_path(folder: &Path, suggested: &str) -> PathBuf {
    let name = clean_name(suggested);
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem.to_string(), format!(".{ext}")),
        _ => (name.clone(), String::new()),
    };
    let mut path = folder.join(&name);
    let mut n = 1;
    while path.exists() {
        path = folder.join(format!("{stem} ({n}){ext}"));
        n += 1;
    }
    path
}

fn clean_name(suggested: &str) -> String {
    let last = suggested.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        return FALLBACK_NAME.to_string();
    }
    if cleaned.len() <= MAX_FILE_NAME {
        return cleaned;
    }
    let ext = cleaned
        .rsplit_once('.')
        .map(|(_, ext)| ext)
        .filter(|ext| ext.len() <= 8)
        .map_or(String::new(), |ext| format!(".{ext}"));
    let mut cut = MAX_FILE_NAME - ext.len();
    while !cleaned.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{ext}", &cleaned[..cut])
}

/// JavaScript that tells the page a download ended: a `coco:download`
/// event whose detail is `{ok, name, folder}`. The values are JSON, so no
/// file name can break out of the script.
pub fn notice_script(saved: Result<&Path, ()>) -> String {
    let detail = match saved {
        Ok(path) => serde_json::json!({
            "ok": true,
            "name": path.file_name().map(|n| n.to_string_lossy()),
            "folder": path.parent().map(|p| p.display().to_string()),
        }),
        Err(()) => serde_json::json!({ "ok": false }),
    };
    format!("window.dispatchEvent(new CustomEvent('coco:download', {{ detail: {detail} }}));")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_in_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let first = unique_path(dir.path(), "coco-main.png");
        assert_eq!(first, dir.path().join("coco-main.png"));
        std::fs::write(&first, b"x").unwrap();
        let second = unique_path(dir.path(), "coco-main.png");
        assert_eq!(second, dir.path().join("coco-main (1).png"));
        std::fs::write(&second, b"x").unwrap();
        assert_eq!(
            unique_path(dir.path(), "coco-main.png"),
            dir.path().join("coco-main (2).png")
        );
    }

    #[test]
    fn a_suggestion_cannot_leave_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        for evil in ["../../etc/passwd", "/etc/passwd", "..\\..\\x", ".."] {
            let path = unique_path(dir.path(), evil);
            assert_eq!(path.parent(), Some(dir.path()), "{evil}");
        }
        assert_eq!(
            unique_path(dir.path(), ".."),
            dir.path().join(FALLBACK_NAME)
        );
        assert_eq!(
            unique_path(dir.path(), "a\nb:c.svg"),
            dir.path().join("a_b_c.svg")
        );
    }

    #[test]
    fn long_names_are_cut_at_the_limit_keeping_the_extension() {
        let dir = tempfile::tempdir().unwrap();
        let at_limit = format!("{}.png", "a".repeat(MAX_FILE_NAME - 4));
        assert_eq!(
            unique_path(dir.path(), &at_limit),
            dir.path().join(&at_limit)
        );
        let past = format!("{}.png", "é".repeat(MAX_FILE_NAME));
        let name = unique_path(dir.path(), &past);
        let name = name.file_name().unwrap().to_str().unwrap();
        assert!(
            name.len() <= MAX_FILE_NAME && name.ends_with(".png"),
            "{name}"
        );
    }

    #[test]
    fn the_notice_is_json_in_a_dom_event() {
        let script = notice_script(Ok(Path::new("/home/ana/Downloads/a'b\".png")));
        assert!(script.contains(r#""name":"a'b\".png""#), "{script}");
        assert!(
            script.contains(r#""folder":"/home/ana/Downloads""#),
            "{script}"
        );
        assert!(notice_script(Err(())).contains(r#"{"ok":false}"#));
    }
}
