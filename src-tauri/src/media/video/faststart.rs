//! Fast start: rewrites an MP4 laid out `ftyp mdat moov` as `ftyp moov mdat`,
//! so a player has the index before the media and can start at once.
//!
//! Moving `moov` in front shifts every byte after it by `moov`'s size, so the
//! chunk offsets inside it (`stco`, 32-bit, or `co64`, 64-bit) are raised by
//! that much. Only the boxes on the path to those tables are walked; all
//! other bytes are copied as they are.

use std::io::{self, Read, Seek, SeekFrom, Write};

/// Boxes that contain the sample tables, from `moov` down.
const CONTAINERS: [&[u8; 4]; 5] = [b"moov", b"trak", b"mdia", b"minf", b"stbl"];

/// Copies the MP4 in `src` to `dst` with its `moov` box moved right after
/// `ftyp`. `moov` must be the last top-level box (as the `mp4` crate writes).
pub(crate) fn move_moov_first<R: Read + Seek, W: Write>(
    src: &mut R,
    dst: &mut W,
) -> io::Result<()> {
    let len = src.seek(SeekFrom::End(0))?;
    let boxes = top_level_boxes(src, len)?;
    let [ftyp, .., moov] = boxes.as_slice() else {
        return Err(invalid("an MP4 has at least ftyp and moov"));
    };
    if &ftyp.kind != b"ftyp" || &moov.kind != b"moov" {
        return Err(invalid("expected ftyp first and moov last"));
    }
    let mut moov_bytes =
        vec![0u8; usize::try_from(moov.size).map_err(|_| invalid("moov too large"))?];
    src.seek(SeekFrom::Start(moov.start))?;
    src.read_exact(&mut moov_bytes)?;
    shift_chunk_offsets(&mut moov_bytes, moov.size)?;

    src.seek(SeekFrom::Start(0))?;
    io::copy(&mut (&mut *src).take(ftyp.size), dst)?;
    dst.write_all(&moov_bytes)?;
    let middle = moov.start - ftyp.size;
    let copied = io::copy(&mut (&mut *src).take(middle), dst)?;
    if copied != middle {
        return Err(invalid("the file ended early"));
    }
    Ok(())
}

/// A box: where it starts, its total size, its four-letter type.
#[derive(Debug)]
pub(crate) struct BoxInfo {
    pub start: u64,
    pub size: u64,
    pub kind: [u8; 4],
}

/// The top-level boxes of a file of `len` bytes, in order.
pub(crate) fn top_level_boxes<R: Read + Seek>(src: &mut R, len: u64) -> io::Result<Vec<BoxInfo>> {
    let mut boxes = Vec::new();
    let mut at = 0;
    while at < len {
        src.seek(SeekFrom::Start(at))?;
        let mut header = [0u8; 16];
        src.read_exact(&mut header[..8])?;
        let kind: [u8; 4] = header[4..8].try_into().expect("4 bytes");
        let size = match u32::from_be_bytes(header[..4].try_into().expect("4 bytes")) {
            0 => len - at,
            1 => {
                src.read_exact(&mut header[8..])?;
                u64::from_be_bytes(header[8..].try_into().expect("8 bytes"))
            }
            size => u64::from(size),
        };
        if size < 8 || at + size > len {
            return Err(invalid("a box runs past the end of the file"));
        }
        boxes.push(BoxInfo {
            start: at,
            size,
            kind,
        });
        at += size;
    }
    Ok(boxes)
}

/// Adds `delta` to every chunk offset in the `stco`/`co64` boxes of `moov`.
fn shift_chunk_offsets(moov: &mut [u8], delta: u64) -> io::Result<()> {
    let mut at = 0;
    while at + 8 <= moov.len() {
        let size = u32::from_be_bytes(moov[at..at + 4].try_into().expect("4 bytes")) as usize;
        let kind: [u8; 4] = moov[at + 4..at + 8].try_into().expect("4 bytes");
        if size < 8 || at + size > moov.len() {
            return Err(invalid("a box inside moov is cut short"));
        }
        let body = &mut moov[at + 8..at + size];
        if CONTAINERS.contains(&&kind) {
            shift_chunk_offsets(body, delta)?;
        } else if &kind == b"stco" || &kind == b"co64" {
            shift_table(body, &kind, delta)?;
        }
        at += size;
    }
    Ok(())
}

/// `body` is a full box's payload: version/flags, entry count, entries.
fn shift_table(body: &mut [u8], kind: &[u8; 4], delta: u64) -> io::Result<()> {
    let width = if kind == b"stco" { 4 } else { 8 };
    let count = body
        .get(4..8)
        .map(|b| u32::from_be_bytes(b.try_into().expect("4 bytes")) as usize)
        .ok_or_else(|| invalid("a chunk offset table without a count"))?;
    let entries = body
        .get_mut(8..8 + count * width)
        .ok_or_else(|| invalid("a chunk offset table is cut short"))?;
    for entry in entries.chunks_exact_mut(width) {
        if width == 4 {
            let shifted = u64::from(u32::from_be_bytes(entry.try_into().expect("4 bytes"))) + delta;
            let shifted = u32::try_from(shifted)
                .map_err(|_| invalid("the video is too large for 32-bit chunk offsets"))?;
            entry.copy_from_slice(&shifted.to_be_bytes());
        } else {
            let shifted = u64::from_be_bytes(entry.try_into().expect("8 bytes")) + delta;
            entry.copy_from_slice(&shifted.to_be_bytes());
        }
    }
    Ok(())
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mp4::{
        AvcConfig, MediaConfig, Mp4Config, Mp4Reader, Mp4Sample, Mp4Writer, TrackConfig, TrackType,
    };
    use std::io::Cursor;

    /// A small MP4 with distinct sample payloads, written moov-last.
    fn moov_last_file(samples: u32) -> Vec<u8> {
        let config = Mp4Config {
            major_brand: str::parse("isom").expect("brand"),
            minor_version: 512,
            compatible_brands: vec![str::parse("isom").expect("brand")],
            timescale: 1000,
        };
        let mut writer = Mp4Writer::write_start(Cursor::new(Vec::new()), &config).expect("start");
        writer
            .add_track(&TrackConfig {
                track_type: TrackType::Video,
                timescale: 30_000,
                language: "und".into(),
                media_conf: MediaConfig::AvcConfig(AvcConfig {
                    width: 64,
                    height: 64,
                    seq_param_set: vec![0x67, 0x42, 0xc0, 0x1e],
                    pic_param_set: vec![0x68, 0xce],
                }),
            })
            .expect("track");
        for i in 0..samples {
            let sample = Mp4Sample {
                start_time: u64::from(i) * 1000,
                duration: 1000,
                rendering_offset: 0,
                is_sync: i % 30 == 0,
                bytes: vec![i as u8; 100 + i as usize].into(),
            };
            writer.write_sample(1, &sample).expect("sample");
        }
        writer.write_end().expect("end");
        writer.into_writer().into_inner()
    }

    fn kinds(file: &[u8]) -> Vec<[u8; 4]> {
        top_level_boxes(&mut Cursor::new(file), file.len() as u64)
            .expect("boxes")
            .iter()
            .map(|b| b.kind)
            .collect()
    }

    #[test]
    fn moov_moves_first_and_every_sample_still_reads_back() {
        let original = moov_last_file(95);
        assert_eq!(kinds(&original).last(), Some(b"moov"));
        let mut moved = Vec::new();
        move_moov_first(&mut Cursor::new(&original), &mut moved).expect("relocate");
        assert_eq!(moved.len(), original.len());
        let order = kinds(&moved);
        assert_eq!(&order[..2], &[*b"ftyp", *b"moov"]);
        assert!(order.contains(b"mdat"));

        let size = moved.len() as u64;
        let mut reader = Mp4Reader::read_header(Cursor::new(moved), size).expect("reads");
        for i in 0..95u32 {
            let sample = reader
                .read_sample(1, i + 1)
                .expect("sample")
                .expect("present");
            assert_eq!(sample.bytes.len(), 100 + i as usize);
            assert!(
                sample.bytes.iter().all(|&b| b == i as u8),
                "sample {i} intact"
            );
        }
    }

    /// `kind` wrapping `body`, with its 8-byte header.
    fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }

    fn nested_table(kind: &[u8; 4], entries: &[u8]) -> Vec<u8> {
        let mut table = vec![0, 0, 0, 0, 0, 0, 0, 2];
        table.extend_from_slice(entries);
        let mut inner = boxed(kind, &table);
        for parent in [b"stbl", b"minf", b"mdia", b"trak"] {
            inner = boxed(parent, &inner);
        }
        inner
    }

    #[test]
    fn co64_offsets_shift_and_stco_overflow_is_an_error() {
        let mut entries = 5u64.to_be_bytes().to_vec();
        entries.extend((u64::from(u32::MAX) + 9).to_be_bytes());
        let mut trak = nested_table(b"co64", &entries);
        shift_chunk_offsets(&mut trak, 100).expect("shifts");
        let table = &trak[trak.len() - 16..];
        assert_eq!(u64::from_be_bytes(table[..8].try_into().unwrap()), 105);
        assert_eq!(
            u64::from_be_bytes(table[8..].try_into().unwrap()),
            u64::from(u32::MAX) + 109
        );

        let mut entries = 5u32.to_be_bytes().to_vec();
        entries.extend((u32::MAX - 50).to_be_bytes());
        let mut trak = nested_table(b"stco", &entries);
        assert!(shift_chunk_offsets(&mut trak, 100).is_err());
    }

    #[test]
    fn a_file_without_moov_at_the_end_is_refused() {
        let original = moov_last_file(3);
        let cut = &original[..original.len() - 10];
        assert!(move_moov_first(&mut Cursor::new(cut), &mut Vec::new()).is_err());
    }
}
