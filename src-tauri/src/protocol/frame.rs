//! A serialized text frame, owned by the protocol rather than by the
//! WebSocket library, so that nothing here depends on how frames travel.

use std::sync::{Arc, OnceLock};

use bytes::Bytes;

use crate::socket::{deflate, DEFLATE_MIN_BYTES};

/// One serialized text frame. It is built once and shared by every
/// receiver: a clone is a reference count, never a copy. The bytes are
/// UTF-8 by construction (a frame is only made from a `String`); the socket
/// writer hands them to the WebSocket library as they are.
///
/// A frame long enough to compress ([`DEFLATE_MIN_BYTES`]) also carries a
/// place for its compressed form, filled by the first receiver that
/// negotiated permessage-deflate and shared by the others: a stroke sent to
/// a full room is compressed once.
#[derive(Debug, Clone)]
pub struct Frame {
    text: Bytes,
    deflated: Option<Arc<OnceLock<Bytes>>>,
}

impl PartialEq for Frame {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Frame {}

impl Frame {
    fn new(text: Bytes) -> Self {
        let deflated = (text.len() >= DEFLATE_MIN_BYTES).then(Default::default);
        Frame { text, deflated }
    }

    /// Length in bytes, as counted against a receiver's backlog.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The frame's text. It checks the UTF-8 again (a frame is read this
    /// way by tests and logs, never on the send path), so it needs no
    /// `unsafe`.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.text).expect("a frame is made from a String")
    }

    /// The bytes, for the socket writer: no copy.
    pub fn into_bytes(self) -> Bytes {
        self.text
    }

    /// The compressed payload, if this frame is worth compressing and a
    /// receiver has compressed it already.
    pub fn deflated_ready(&self) -> Option<Bytes> {
        self.deflated.as_ref()?.get().cloned()
    }

    /// The compressed payload (a permessage-deflate frame's), compressed now
    /// unless a receiver did it already; `None` for a frame too short to be
    /// worth it. A receiver asking while another compresses waits for it.
    pub fn deflated(&self) -> Option<Bytes> {
        let cell = self.deflated.as_ref()?;
        Some(
            cell.get_or_init(|| Bytes::from(deflate(&self.text)))
                .clone(),
        )
    }
}

impl From<String> for Frame {
    fn from(text: String) -> Self {
        Frame::new(Bytes::from(text))
    }
}

impl From<&str> for Frame {
    fn from(text: &str) -> Self {
        Frame::new(Bytes::copy_from_slice(text.as_bytes()))
    }
}

impl std::fmt::Display for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
