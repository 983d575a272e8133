//! The host's database opened with sled itself, after the host stopped: to
//! look at, or rewrite, the records a test's host left on disk.

use std::path::Path;
use std::time::Duration;

/// Opens the `rooms` tree of the host's database in `dir` (the host's lock
/// may take a moment to go after it stopped).
pub fn open_rooms(dir: &Path) -> (sled::Db, sled::Tree) {
    let path = dir.join("coco.sled");
    for _ in 0..500 {
        if let Ok(db) = sled::open(&path) {
            let tree = db.open_tree("rooms").unwrap();
            return (db, tree);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the database stays locked");
}

/// How many records of `room` have the board record kind `kind` (`b's'`
/// shapes, `b'b'` the mark that the history holds the shapes, ...).
pub fn board_records(dir: &Path, room: &str, kind: u8) -> usize {
    let (_db, tree) = open_rooms(dir);
    let mut prefix = room.as_bytes().to_vec();
    prefix.extend_from_slice(&[0, kind]);
    tree.scan_prefix(&prefix).count()
}
