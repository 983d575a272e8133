//! Inflates compressed frames below the WebSocket library.
//!
//! tungstenite refuses any frame with a reserved bit set, and a peer that
//! negotiated permessage-deflate sets RSV1 on the messages it compressed
//! (Chromium compresses every one). [`Inflating`] sits between the socket
//! and the library: it reads the frames as they arrive, passes every
//! uncompressed frame through byte for byte, and hands the library each
//! compressed message as one plain frame with the inflated text. Writes go
//! straight through. Without compression it is not in the way at all: every
//! read goes to the socket directly.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, BufMut, BytesMut};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::codec::inflate;

/// How much is read from the socket at a time while inflating.
const READ_CHUNK: usize = 8 * 1024;

/// Which end of the connection reads: frames from a client are masked,
/// frames from a host are not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The host, reading a client's frames.
    Server,
    /// A client, reading the host's frames.
    Client,
}

/// A socket whose compressed frames arrive inflated.
pub struct Inflating<S> {
    inner: S,
    reader: Option<Box<Reader>>,
}

impl<S> Inflating<S> {
    /// A socket read as it is: no compression was agreed.
    pub fn plain(inner: S) -> Self {
        Inflating {
            inner,
            reader: None,
        }
    }

    /// A socket whose compressed messages are inflated, each refused past
    /// `cap` bytes.
    pub fn new(inner: S, role: Role, cap: usize) -> Self {
        let mut socket = Inflating::plain(inner);
        socket.start(role, cap);
        socket
    }

    /// Starts inflating from the next byte read: for a client, once the
    /// upgrade's answer has been read.
    pub fn start(&mut self, role: Role, cap: usize) {
        self.reader = Some(Box::new(Reader {
            role,
            cap,
            input: BytesMut::new(),
            output: BytesMut::new(),
            at: At::Header,
            message: None,
        }));
    }

    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

/// Where the reader is in the stream of frames.
enum At {
    Header,
    /// Inside an uncompressed frame: this many payload bytes to pass on.
    Pass(u64),
    /// Inside a frame of a compressed message: this many payload bytes to
    /// unmask and keep, the mask and how far into it the next byte is.
    Collect {
        left: u64,
        mask: Option<[u8; 4]>,
        offset: usize,
    },
}

/// A compressed message being gathered from its frames.
struct Message {
    opcode: u8,
    payload: Vec<u8>,
    last: bool,
}

struct Reader {
    role: Role,
    cap: usize,
    /// Read from the socket, not yet looked at.
    input: BytesMut,
    /// Ready for the library.
    output: BytesMut,
    at: At,
    message: Option<Message>,
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

impl Reader {
    /// Moves what `input` holds along, as far as it goes.
    fn process(&mut self) -> io::Result<()> {
        loop {
            match self.at {
                At::Pass(left) => {
                    if self.input.is_empty() {
                        return Ok(());
                    }
                    let n = (left.min(self.input.len() as u64)) as usize;
                    self.output.extend_from_slice(&self.input[..n]);
                    self.input.advance(n);
                    self.at = if left == n as u64 {
                        At::Header
                    } else {
                        At::Pass(left - n as u64)
                    };
                }
                At::Collect { left, mask, offset } => {
                    if left > 0 && self.input.is_empty() {
                        return Ok(());
                    }
                    let n = (left.min(self.input.len() as u64)) as usize;
                    let message = self.message.as_mut().expect("collecting a message");
                    let start = message.payload.len();
                    message.payload.extend_from_slice(&self.input[..n]);
                    self.input.advance(n);
                    if let Some(key) = mask {
                        for (i, byte) in message.payload[start..].iter_mut().enumerate() {
                            *byte ^= key[(offset + i) % 4];
                        }
                    }
                    if left > n as u64 {
                        self.at = At::Collect {
                            left: left - n as u64,
                            mask,
                            offset: (offset + n) % 4,
                        };
                        continue;
                    }
                    self.at = At::Header;
                    if message.last {
                        let message = self.message.take().expect("collecting a message");
                        self.emit(message)?;
                    }
                }
                At::Header => {
                    let Some(header) = parse_header(&self.input)? else {
                        return Ok(());
                    };
                    let control = header.opcode & 0x08 != 0;
                    let starts = header.rsv1 && !control && header.opcode != 0;
                    let continues = header.opcode == 0 && self.message.is_some();
                    if !(starts || continues) {
                        // Passed on as it is, also what the library must
                        // refuse (RSV1 on a control frame, say).
                        self.output.extend_from_slice(&self.input[..header.len]);
                        self.input.advance(header.len);
                        self.at = if header.payload == 0 {
                            At::Header
                        } else {
                            At::Pass(header.payload)
                        };
                        continue;
                    }
                    if starts && self.message.is_some() {
                        return Err(invalid("a new message inside a fragmented one".into()));
                    }
                    if header.rsv1 && continues {
                        return Err(invalid("RSV1 on a continuation frame".into()));
                    }
                    let gathered = self.message.as_ref().map_or(0, |m| m.payload.len());
                    if gathered as u64 + header.payload > self.cap as u64 {
                        return Err(invalid(format!(
                            "a compressed message over {} bytes",
                            self.cap
                        )));
                    }
                    let message = self.message.get_or_insert_with(|| Message {
                        opcode: header.opcode,
                        payload: Vec::new(),
                        last: false,
                    });
                    message.last = header.fin;
                    message.payload.reserve(header.payload as usize);
                    self.input.advance(header.len);
                    self.at = At::Collect {
                        left: header.payload,
                        mask: header.mask,
                        offset: 0,
                    };
                }
            }
        }
    }

    /// Hands the library one uncompressed frame carrying `message`.
    fn emit(&mut self, message: Message) -> io::Result<()> {
        let text = inflate(&message.payload, self.cap).map_err(|e| invalid(e.to_string()))?;
        let masked = self.role == Role::Server;
        self.output.reserve(text.len() + 14);
        self.output.put_u8(0x80 | message.opcode);
        let mask_bit = if masked { 0x80 } else { 0 };
        match text.len() {
            n if n < 126 => self.output.put_u8(mask_bit | n as u8),
            n if n <= 0xffff => {
                self.output.put_u8(mask_bit | 126);
                self.output.put_u16(n as u16);
            }
            n => {
                self.output.put_u8(mask_bit | 127);
                self.output.put_u64(n as u64);
            }
        }
        if masked {
            // A zero key: the library unmasks, and the bytes stay as they are.
            self.output.put_slice(&[0; 4]);
        }
        self.output.put_slice(&text);
        Ok(())
    }
}

/// One frame's header.
struct Header {
    fin: bool,
    rsv1: bool,
    opcode: u8,
    mask: Option<[u8; 4]>,
    payload: u64,
    /// The header's own length.
    len: usize,
}

/// The header at the start of `input`, once it has all arrived.
fn parse_header(input: &[u8]) -> io::Result<Option<Header>> {
    if input.len() < 2 {
        return Ok(None);
    }
    let (first, second) = (input[0], input[1]);
    let masked = second & 0x80 != 0;
    let (payload, mut len) = match second & 0x7f {
        126 if input.len() >= 4 => (u64::from(u16::from_be_bytes([input[2], input[3]])), 4),
        127 if input.len() >= 10 => {
            let bytes: [u8; 8] = input[2..10].try_into().expect("eight bytes");
            (u64::from_be_bytes(bytes), 10)
        }
        126 | 127 => return Ok(None),
        n => (u64::from(n), 2),
    };
    let mask = if masked {
        if input.len() < len + 4 {
            return Ok(None);
        }
        let key: [u8; 4] = input[len..len + 4].try_into().expect("four bytes");
        len += 4;
        Some(key)
    } else {
        None
    };
    Ok(Some(Header {
        fin: first & 0x80 != 0,
        rsv1: first & 0x40 != 0,
        opcode: first & 0x0f,
        mask,
        payload,
        len,
    }))
}

impl<S: AsyncRead + Unpin> AsyncRead for Inflating<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let Some(reader) = this.reader.as_mut() else {
            return Pin::new(&mut this.inner).poll_read(cx, buf);
        };
        loop {
            if !reader.output.is_empty() {
                let n = buf.remaining().min(reader.output.len());
                buf.put_slice(&reader.output[..n]);
                reader.output.advance(n);
                return Poll::Ready(Ok(()));
            }
            let mut chunk = [0u8; READ_CHUNK];
            let mut read = ReadBuf::new(&mut chunk);
            match Pin::new(&mut this.inner).poll_read(cx, &mut read) {
                Poll::Ready(Ok(())) if read.filled().is_empty() => {
                    // The end of the stream: the library tells a cut frame.
                    return Poll::Ready(Ok(()));
                }
                Poll::Ready(Ok(())) => {
                    reader.input.extend_from_slice(read.filled());
                    reader.process()?;
                }
                other => return other,
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Inflating<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::socket::codec::deflate;
    use tokio::io::AsyncReadExt;

    /// A masked client frame.
    fn frame(first: u8, payload: &[u8], key: [u8; 4]) -> Vec<u8> {
        let mut out = vec![first];
        match payload.len() {
            n if n < 126 => out.push(0x80 | n as u8),
            n => {
                out.push(0x80 | 126);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
        }
        out.extend_from_slice(&key);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
        out
    }

    async fn read_all(input: Vec<u8>) -> io::Result<Vec<u8>> {
        let mut socket = Inflating::new(&input[..], Role::Server, 1 << 20);
        let mut out = Vec::new();
        socket.read_to_end(&mut out).await?;
        Ok(out)
    }

    #[tokio::test]
    async fn plain_frames_pass_byte_for_byte() {
        let mut input = frame(0x81, b"hello", [1, 2, 3, 4]);
        input.extend(frame(0x89, b"", [5, 6, 7, 8]));
        assert_eq!(read_all(input.clone()).await.unwrap(), input);
    }

    #[tokio::test]
    async fn a_fragmented_compressed_message_arrives_as_one_plain_frame() {
        let text = r#"{"type":"CURSOR_MOVE","payload":{"x":1}}"#.repeat(20);
        let packed = deflate(text.as_bytes());
        let (a, b) = packed.split_at(packed.len() / 2);
        let mut input = frame(0x41, a, [9, 8, 7, 6]); // RSV1, text, not final
        input.extend(frame(0x89, b"ping", [1, 1, 1, 1])); // a ping between
        input.extend(frame(0x80, b, [3, 4, 5, 6])); // final continuation
        let out = read_all(input).await.unwrap();
        let ping = frame(0x89, b"ping", [1, 1, 1, 1]);
        assert_eq!(&out[..ping.len()], &ping[..]);
        let rest = &out[ping.len()..];
        assert_eq!(rest[0], 0x81);
        assert_eq!(rest[1], 0x80 | 126);
        assert_eq!(u16::from_be_bytes([rest[2], rest[3]]) as usize, text.len());
        assert_eq!(&rest[4..8], &[0; 4]);
        assert_eq!(&rest[8..], text.as_bytes());
    }

    #[tokio::test]
    async fn a_bomb_is_refused() {
        let packed = deflate(&vec![b'a'; 2 << 20]);
        let input = frame(0xc1, &packed, [0; 4]);
        assert!(read_all(input).await.is_err());
    }
}
