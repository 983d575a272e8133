//! A small disk of the test's own: a tmpfs mounted on a temporary folder,
//! filled to the last byte on demand, unmounted on drop.
//!
//! Mounting needs root. Without it a test is skipped with the reason
//! printed; under CI (`CI` set) it fails instead, so CI never passes by
//! skipping.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct SmallDisk {
    _tmp: tempfile::TempDir,
    pub path: PathBuf,
    filler: PathBuf,
}

impl SmallDisk {
    /// A tmpfs of `mib` MiB, or `None` where none can be mounted and this
    /// is not CI.
    pub fn mount(mib: u32) -> Option<SmallDisk> {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("disk");
        std::fs::create_dir(&path).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
            .arg(&path)
            .output();
        let failure = match out {
            Ok(out) if out.status.success() => None,
            Ok(out) => Some(String::from_utf8_lossy(&out.stderr).trim().to_string()),
            Err(e) => Some(e.to_string()),
        };
        if let Some(why) = failure {
            if std::env::var_os("CI").is_some() {
                panic!("CI must be able to mount a tmpfs: {why}");
            }
            eprintln!("skipped: cannot mount a tmpfs here ({why})");
            return None;
        }
        let filler = path.join("filler");
        Some(SmallDisk {
            _tmp: tmp,
            path,
            filler,
        })
    }

    /// The folder to use as a data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.path.join("data")
    }

    /// Fills every byte left with one file (the disk is then full).
    pub fn fill(&self) {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.filler)
            .unwrap();
        let block = vec![0xA5u8; 64 * 1024];
        let mut written = 0usize;
        loop {
            match file.write(&block) {
                Ok(0) => break,
                Ok(n) => written += n,
                Err(e) if e.raw_os_error() == Some(28) => break,
                Err(e) => panic!("filling the disk: {e}"),
            }
        }
        // The last partial blocks, byte by byte in halves.
        let mut size = block.len() / 2;
        while size > 0 {
            match file.write(&block[..size]) {
                Ok(n) if n > 0 => written += n,
                _ => size /= 2,
            }
        }
        let _ = file.sync_all();
        eprintln!("filled the small disk with {written} bytes");
    }

    /// Makes room again.
    pub fn free(&self) {
        std::fs::remove_file(&self.filler).unwrap();
    }

    /// Bytes free on the disk now.
    pub fn free_bytes(&self) -> u64 {
        let out = Command::new("df")
            .args(["--output=avail", "-B1"])
            .arg(&self.path)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        text.lines().nth(1).unwrap().trim().parse().unwrap()
    }

    pub fn root(&self) -> &Path {
        &self.path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazily: a host still closing its files must not keep it mounted.
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}
