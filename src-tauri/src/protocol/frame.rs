//! A serialized text frame, owned by the protocol rather than by the
//! WebSocket library, so that nothing here depends on how frames travel.

use bytes::Bytes;

/// One serialized text frame. It is built once and shared by every
/// receiver: a clone is a reference count, never a copy. The bytes are
/// UTF-8 by construction (a frame is only made from a `String`); the socket
/// writer hands them to the WebSocket library as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame(Bytes);

impl Frame {
    /// Length in bytes, as counted against a receiver's backlog.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The frame's text. It checks the UTF-8 again (a frame is read this
    /// way by tests and logs, never on the send path), so it needs no
    /// `unsafe`.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("a frame is made from a String")
    }

    /// The bytes, for the socket writer: no copy.
    pub fn into_bytes(self) -> Bytes {
        self.0
    }
}

impl From<String> for Frame {
    fn from(text: String) -> Self {
        Frame(Bytes::from(text))
    }
}

impl From<&str> for Frame {
    fn from(text: &str) -> Self {
        Frame(Bytes::copy_from_slice(text.as_bytes()))
    }
}

impl std::fmt::Display for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
