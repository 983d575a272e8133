//! Compressing and inflating one message's payload, as permessage-deflate
//! frames carry it: raw DEFLATE ending in a sync flush, with the flush's
//! four closing bytes (`00 00 ff ff`) left off on the wire.

use std::cell::RefCell;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

/// zlib's default level. On a board's JSON it gives 4.9× where level 1
/// gives 3.9×; it costs about 30 ms of one core per MiB, paid once per
/// frame whatever the number of receivers (the full sync, once per joiner,
/// off the async workers past [`DEFLATE_OFFLOAD_BYTES`]). On a slow link the
/// bytes saved are worth far more than the time: a MiB is 0.4 s at
/// 20 Mbit/s.
pub const DEFLATE_LEVEL: u32 = 6;

/// Frames shorter than this go out uncompressed, also to a peer that
/// negotiated compression. A bare cursor move is about 100 bytes: deflate
/// saves a few dozen of them at the price of a compression per broadcast.
/// A stroke, a cursor carrying the stroke being drawn, a sync: all longer.
pub const DEFLATE_MIN_BYTES: usize = 256;

/// Frames at least this long are compressed on the blocking pool, not on
/// the async worker that writes the socket: a full sync takes tens of
/// milliseconds, which would stall every other socket on that worker.
pub const DEFLATE_OFFLOAD_BYTES: usize = 64 * 1024;

/// What a sync flush ends with; permessage-deflate drops it on the wire.
const FLUSH_TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

thread_local! {
    /// One compressor per thread, reset for every message: with no context
    /// takeover nothing of one message is needed for the next.
    static COMPRESSOR: RefCell<Compress> =
        RefCell::new(Compress::new(Compression::new(DEFLATE_LEVEL), false));
    /// One inflater per thread, likewise.
    static INFLATER: RefCell<Decompress> = RefCell::new(Decompress::new(false));
}

/// The payload of a compressed frame carrying `input`.
pub fn deflate(input: &[u8]) -> Vec<u8> {
    COMPRESSOR.with(|cell| {
        let mut compressor = cell.borrow_mut();
        compressor.reset();
        // DEFLATE's worst case (stored blocks) plus the flush: one call, so
        // the flush is never asked for twice.
        let mut out = Vec::with_capacity(input.len() + input.len() / 1000 + 64);
        compressor
            .compress_vec(input, &mut out, FlushCompress::Sync)
            .expect("compressing into a large enough buffer cannot fail");
        debug_assert_eq!(compressor.total_in(), input.len() as u64);
        if out.ends_with(&FLUSH_TAIL) {
            out.truncate(out.len() - FLUSH_TAIL.len());
        }
        out.shrink_to_fit();
        out
    })
}

/// Why a compressed message could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InflateError {
    #[error("a compressed message inflates to more than {0} bytes")]
    TooLarge(usize),
    #[error("a compressed message is not valid DEFLATE data")]
    Corrupt,
}

/// The message carried by a compressed frame's `payload`, refused past
/// `cap` bytes (a small frame may inflate to a huge one).
pub fn inflate(payload: &[u8], cap: usize) -> Result<Vec<u8>, InflateError> {
    INFLATER.with(|cell| {
        let mut inflater = cell.borrow_mut();
        inflater.reset(false);
        let mut out = Vec::with_capacity((payload.len() * 4).clamp(256, cap.max(256)));
        for (part, flush) in [
            (payload, FlushDecompress::None),
            (&FLUSH_TAIL[..], FlushDecompress::Sync),
        ] {
            let mut rest = part;
            loop {
                if out.len() == out.capacity() {
                    // Room for one byte past the cap, to tell a message over it.
                    out.reserve(out.capacity().min(cap + 1 - out.len()).max(1));
                }
                let (read_before, written_before) = (inflater.total_in(), out.len());
                let status = inflater
                    .decompress_vec(rest, &mut out, flush)
                    .map_err(|_| InflateError::Corrupt)?;
                rest = &rest[(inflater.total_in() - read_before) as usize..];
                if out.len() > cap {
                    return Err(InflateError::TooLarge(cap));
                }
                let room_left = out.len() < out.capacity();
                if status == Status::StreamEnd || (rest.is_empty() && room_left) {
                    break;
                }
                if room_left && out.len() == written_before && inflater.total_in() == read_before {
                    // Neither read nor wrote with room to write: stuck.
                    return Err(InflateError::Corrupt);
                }
            }
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_survives_the_round_trip_and_shrinks() {
        let text = r#"{"type":"SHAPE_ADDED","payload":{"points":[{"x":1.5,"y":2.5}"#.repeat(200);
        let packed = deflate(text.as_bytes());
        assert!(packed.len() * 10 < text.len());
        assert!(!packed.ends_with(&FLUSH_TAIL));
        assert_eq!(inflate(&packed, 1 << 20).unwrap(), text.as_bytes());
        // The contexts are reset: the same input gives the same bytes again.
        assert_eq!(deflate(text.as_bytes()), packed);
    }

    #[test]
    fn a_small_payload_that_inflates_past_the_cap_is_refused() {
        let zeros = vec![b'0'; 4 << 20];
        let packed = deflate(&zeros);
        assert!(packed.len() < 64 * 1024);
        assert_eq!(
            inflate(&packed, 1 << 20),
            Err(InflateError::TooLarge(1 << 20))
        );
        assert_eq!(inflate(&packed, 4 << 20).unwrap().len(), 4 << 20);
    }

    #[test]
    fn garbage_is_refused() {
        assert_eq!(inflate(&[0xff; 32], 1 << 20), Err(InflateError::Corrupt));
    }
}
