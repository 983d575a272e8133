//! Keys and values of the `rooms` tree.
//!
//! One tree holds every room so that a group commit is a single atomic sled
//! batch: a shape, its op id and the room's revision land together or not at
//! all. Keys are `room \0 kind \0 id`; room names never contain `\0`.

/// Kinds of record, the byte after the room name.
pub const SHAPE: u8 = b's';
pub const TOMBSTONE: u8 = b't';
pub const OP_ID: u8 = b'o';
pub const META: u8 = b'm';
/// Present (with an empty value) while the host has locked the room's board.
pub const LOCK: u8 = b'l';
/// Present (with an empty value) while the room's history holds its shapes
/// (see [`super::history`]): the room then has no shape records, and its
/// board is rebuilt from the newest keyframe and the entries after it.
pub const BOARD_IN_HISTORY: u8 = b'b';

/// The key prefix shared by every record of `room`.
pub fn room_prefix(room: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(room.len() + 1);
    key.extend_from_slice(room.as_bytes());
    key.push(0);
    key
}

/// The key of one record.
pub fn key(room: &str, kind: u8, id: &str) -> Vec<u8> {
    let mut key = room_prefix(room);
    key.reserve(id.len() + 2);
    key.push(kind);
    key.push(0);
    key.extend_from_slice(id.as_bytes());
    key
}

/// Splits a key of `room` into its kind and id.
pub fn split_key(prefix_len: usize, key: &[u8]) -> Option<(u8, &str)> {
    let rest = key.get(prefix_len..)?;
    let (&kind, rest) = rest.split_first()?;
    let id = match rest.split_first() {
        Some((0, id)) => std::str::from_utf8(id).ok()?,
        None => "",
        Some(_) => return None,
    };
    Some((kind, id))
}

/// A shape record: creation order, last revision, then the JSON.
pub fn encode_shape(seq: u64, rev: u64, json: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(16 + json.len());
    v.extend_from_slice(&seq.to_be_bytes());
    v.extend_from_slice(&rev.to_be_bytes());
    v.extend_from_slice(json.as_bytes());
    v
}

pub fn decode_shape(v: &[u8]) -> Option<(u64, u64, &str)> {
    let seq = u64_at(v, 0)?;
    let rev = u64_at(v, 8)?;
    let json = std::str::from_utf8(v.get(16..)?).ok()?;
    Some((seq, rev, json))
}

/// Room metadata: revision, delta-sync floor, next shape sequence number.
pub fn encode_meta(rev: u64, floor: u64, next_seq: u64) -> Vec<u8> {
    [rev, floor, next_seq]
        .iter()
        .flat_map(|n| n.to_be_bytes())
        .collect()
}

pub fn decode_meta(v: &[u8]) -> Option<(u64, u64, u64)> {
    Some((u64_at(v, 0)?, u64_at(v, 8)?, u64_at(v, 16)?))
}

pub fn encode_u64(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

pub fn decode_u64(v: &[u8]) -> Option<u64> {
    u64_at(v, 0)
}

fn u64_at(v: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(v.get(at..at + 8)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        let k = key("main", SHAPE, "shape-1");
        assert_eq!(
            split_key(room_prefix("main").len(), &k),
            Some((SHAPE, "shape-1"))
        );
        let m = key("main", META, "");
        assert_eq!(split_key(5, &m), Some((META, "")));
    }

    #[test]
    fn a_room_prefix_does_not_match_a_longer_room_name() {
        assert!(!key("main2", SHAPE, "a").starts_with(&room_prefix("main")));
    }

    #[test]
    fn records_round_trip() {
        let v = encode_shape(3, 9, r#"{"id":"a"}"#);
        assert_eq!(decode_shape(&v), Some((3, 9, r#"{"id":"a"}"#)));
        assert_eq!(decode_meta(&encode_meta(1, 2, 3)), Some((1, 2, 3)));
        assert_eq!(decode_shape(&[1, 2]), None);
    }
}
