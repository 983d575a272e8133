//! Rendered videos: files in `DATA_DIR/videos`, what is known of each in
//! the store's table [`TableName::Videos`].
//!
//! The host names every file itself (32 random hex digits and `.mp4` or
//! `.gif`); only a name in the tree resolves, so a name from a client is
//! looked up, never joined onto a path as given. The renderer writes beside
//! the final name and renames at the end; a file is listed in the tree only
//! after that, and anything in the folder the tree does not list (a render
//! the host stopped under) is removed at start.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::store::{JsonRecord, Store, StoreError, Table, TableName};

/// The two kinds of file a render makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VideoFormat {
    Mp4,
    Gif,
}

impl VideoFormat {
    pub fn parse(text: &str) -> Option<VideoFormat> {
        match text {
            "mp4" => Some(VideoFormat::Mp4),
            "gif" => Some(VideoFormat::Gif),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            VideoFormat::Mp4 => "mp4",
            VideoFormat::Gif => "gif",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            VideoFormat::Mp4 => "video/mp4",
            VideoFormat::Gif => "image/gif",
        }
    }
}

/// What the tree keeps of one video.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VideoEntry {
    pub format: VideoFormat,
    pub bytes: u64,
    pub created_at: u64,
    /// The job that made it.
    pub job: String,
    /// The name a download is saved under ([`VideoStore::download_name`]);
    /// empty for videos made before names were kept.
    #[serde(default)]
    pub download: String,
}

impl JsonRecord for VideoEntry {}

/// Longest download name, in characters, before the number and extension.
pub const MAX_DOWNLOAD_NAME_CHARS: usize = 80;

/// A title made safe as a file name on every system: no path separators,
/// reserved or control characters, no leading dot, bounded; "CoCo video"
/// when nothing is left.
pub fn file_stem(title: &str) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let stem: String = words
        .join(" ")
        .chars()
        .take(MAX_DOWNLOAD_NAME_CHARS)
        .collect();
    let stem = stem
        .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end()
        .to_string();
    if stem.is_empty() {
        "CoCo video".to_string()
    } else {
        stem
    }
}

/// Cheap to clone.
#[derive(Clone)]
pub struct VideoStore {
    dir: PathBuf,
    table: Table<VideoEntry>,
}

#[derive(Debug, thiserror::Error)]
pub enum VideoStoreError {
    #[error("the videos folder could not be read: {0}")]
    Io(#[from] std::io::Error),
    #[error("the list of videos could not be read or tidied: {0}")]
    Storage(#[from] StoreError),
}

impl VideoStore {
    /// Opens `DATA_DIR/videos` and its tree; removes files the tree does not
    /// list and entries whose file is gone.
    pub fn open(data_dir: &Path, store: &Store) -> Result<VideoStore, VideoStoreError> {
        let dir = data_dir.join("videos");
        std::fs::create_dir_all(&dir)?;
        let table = store.table(TableName::Videos)?;
        let store = VideoStore { dir, table };
        store.tidy()?;
        Ok(store)
    }

    fn tidy(&self) -> Result<(), VideoStoreError> {
        let listed = self.table.keys("")?;
        for entry in std::fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name();
            if !name.to_str().is_some_and(|n| listed.iter().any(|l| l == n)) {
                tracing::info!("removing an unfinished video: {}", name.to_string_lossy());
                let _ = std::fs::remove_file(entry.path());
            }
        }
        let mut gone = self.table.batch();
        for name in listed.iter().filter(|n| !self.dir.join(n).is_file()) {
            gone.remove(name);
        }
        if !gone.is_empty() {
            self.table.write(gone)?;
        }
        Ok(())
    }

    /// A fresh name and the path to render it to. Nothing is listed yet.
    pub fn reserve(&self, format: VideoFormat) -> (String, PathBuf) {
        let hash: String = rand::random::<[u8; 16]>()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let name = format!("{hash}.{}", format.extension());
        let path = self.dir.join(&name);
        (name, path)
    }

    /// Lists a finished render under its name; on disk when this returns.
    /// Blocking.
    pub fn commit(&self, name: &str, entry: &VideoEntry) -> Result<(), StoreError> {
        self.table.put(name, entry)
    }

    /// The name to save a new video of `title` under: the title as a file
    /// name, with " (2)", " (3)"… when the room's videos already use it.
    pub fn download_name(&self, title: &str, format: VideoFormat) -> Result<String, StoreError> {
        let stem = file_stem(title);
        let taken: std::collections::HashSet<String> = self
            .table
            .scan("")?
            .into_iter()
            .filter_map(|entry| entry.value)
            .map(|entry| entry.download)
            .collect();
        let ext = format.extension();
        let mut name = format!("{stem}.{ext}");
        let mut n = 1;
        while taken.contains(&name) {
            n += 1;
            name = format!("{stem} ({n}).{ext}");
        }
        Ok(name)
    }

    /// What the store keeps of the video `name`.
    pub fn entry(&self, name: &str) -> Option<VideoEntry> {
        issued_format(name)?;
        self.table.get(name).ok()?
    }

    /// The file of a video this store issued and still has.
    pub fn path_of(&self, name: &str) -> Option<(PathBuf, VideoFormat)> {
        let format = issued_format(name)?;
        if !self.table.contains(name).ok()? {
            return None;
        }
        let path = self.dir.join(name);
        path.is_file().then_some((path, format))
    }

    /// The folder, for tests and tidying.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// The format of a name shaped like the ones this store issues.
fn issued_format(name: &str) -> Option<VideoFormat> {
    let (hash, ext) = name.split_once('.')?;
    if hash.len() != 32 || !hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    VideoFormat::parse(ext)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_issued_names_resolve() {
        let dir = tempfile::tempdir().unwrap();
        let db = Store::in_memory();
        let store = VideoStore::open(dir.path(), &db).unwrap();
        let (name, path) = store.reserve(VideoFormat::Mp4);
        std::fs::write(&path, b"video").unwrap();
        assert!(store.path_of(&name).is_none(), "not listed until committed");
        let entry = VideoEntry {
            format: VideoFormat::Mp4,
            bytes: 5,
            created_at: 0,
            job: "j".into(),
            download: "Story.mp4".into(),
        };
        store.commit(&name, &entry).unwrap();
        assert_eq!(store.path_of(&name), Some((path, VideoFormat::Mp4)));
        for trick in [
            "../videos/x.mp4",
            "/etc/passwd",
            "",
            "abc.mp4",
            &name.replace("mp4", "txt"),
        ] {
            assert!(store.path_of(trick).is_none(), "{trick}");
        }
    }

    /// Downloads are named after the storyboard, numbered when repeated,
    /// and safe as a file name.
    #[test]
    fn download_names_follow_the_title() {
        let dir = tempfile::tempdir().unwrap();
        let db = Store::in_memory();
        let store = VideoStore::open(dir.path(), &db).unwrap();
        let mp4 = VideoFormat::Mp4;
        for (round, expected) in ["Our trip.mp4", "Our trip (2).mp4", "Our trip (3).mp4"]
            .iter()
            .enumerate()
        {
            let name = store.download_name("Our trip", mp4).unwrap();
            assert_eq!(&name, expected);
            let (file, path) = store.reserve(mp4);
            std::fs::write(&path, b"v").unwrap();
            let entry = VideoEntry {
                format: mp4,
                bytes: 1,
                created_at: round as u64,
                job: "j".into(),
                download: name,
            };
            store.commit(&file, &entry).unwrap();
        }
        assert_eq!(
            store.download_name("Our trip", VideoFormat::Gif).unwrap(),
            "Our trip.gif"
        );
        assert_eq!(file_stem("../../etc/passwd"), "etc passwd");
        assert_eq!(file_stem("a\u{0}b: c?"), "a b c");
        assert_eq!(file_stem("  ...  "), "CoCo video");
        assert_eq!(
            file_stem(&"x".repeat(200)).chars().count(),
            MAX_DOWNLOAD_NAME_CHARS
        );
    }

    #[test]
    fn unlisted_files_are_removed_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let db = Store::in_memory();
        let store = VideoStore::open(dir.path(), &db).unwrap();
        let (_, path) = store.reserve(VideoFormat::Gif);
        std::fs::write(&path, b"half").unwrap();
        let stray = store.dir().join(".coco-video-x.part");
        std::fs::write(&stray, b"half").unwrap();
        VideoStore::open(dir.path(), &db).unwrap();
        assert!(!path.exists() && !stray.exists());
    }
}
