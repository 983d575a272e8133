//! Which pictures a shape may show: only ones this host issued, or inline;
//! and [`PictureRef`], how a request names one of the host's pictures.
//!
//! Every viewer loads a shape's picture. A reference to another web origin
//! would make every viewer's browser ask that origin (and the UI used to add
//! the join code to it), and the foreign picture would taint the canvas so
//! exports and enhancement fail for everyone. So a shape's `image` (and
//! `src`, should a client use that name) must be one of:
//!
//! - `/img/NAME` or `/enhanced_drawings/NAME`, where NAME has the form of a
//!   name the host issues ([`valid_picture_name`]);
//! - the same as an absolute URL of this machine as the existing client
//!   writes it, `http://localhost:5001/enhanced_drawings/NAME`: `http` on a
//!   loopback name or address (`localhost`, `127.0.0.1`, `[::1]`) and the
//!   default port [`HOST_PICTURE_PORT`] that client always talks to. This
//!   module does no I/O and does not know the host's LAN addresses, so
//!   those forms are refused: a client sends the path instead;
//! - an inline `data:image/{png,jpeg,gif,webp};base64,…` picture (the
//!   existing client inlines inserted pictures); its size is bounded by the
//!   shape size limit ([`super::limits::MAX_SHAPE_BYTES`]).
//!
//! Anything else (other hosts, `//host/…`, other paths such as `/api/…`,
//! `..`, queries, escapes, `javascript:`) is refused as `invalid`.

use serde_json::Value;

use super::{Object, ProtocolError};

/// The shape fields that name a picture every viewer loads.
pub const PICTURE_FIELDS: [&str; 2] = ["image", "src"];

/// The only port of an absolute loopback picture URL: the default HTTP
/// port, the one the existing client always writes.
pub const HOST_PICTURE_PORT: u16 = 5001;

/// The folders the host serves pictures from.
const PICTURE_DIRS: [&str; 2] = [Collection::Uploads.prefix(), Collection::Enhanced.prefix()];

/// Which of the host's two picture collections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    /// Pictures people uploaded (sketches, photos).
    Uploads,
    /// Pictures the enhancer made.
    Enhanced,
}

impl Collection {
    /// The path the collection is served under, slashes included.
    const fn prefix(self) -> &'static str {
        match self {
            Collection::Uploads => "/img/",
            Collection::Enhanced => "/enhanced_drawings/",
        }
    }
}

/// A picture of this host: its collection and the name the host issued.
///
/// The name is only ever looked up among issued names, never joined onto a
/// path, so a reference to anything else is simply not found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PictureRef {
    pub collection: Collection,
    name: String,
}

impl PictureRef {
    pub fn upload(name: impl Into<String>) -> PictureRef {
        PictureRef {
            collection: Collection::Uploads,
            name: name.into(),
        }
    }

    pub fn enhanced(name: impl Into<String>) -> PictureRef {
        PictureRef {
            collection: Collection::Enhanced,
            name: name.into(),
        }
    }

    /// Reads `/img/NAME` or `/enhanced_drawings/NAME` (the leading slash
    /// optional), also as a full URL of this host or with a `?code=` query
    /// (what an `<img src>` holds). Anything else is `None`.
    pub fn parse(text: &str) -> Option<PictureRef> {
        let mut path = text.trim();
        if let Some(rest) = path
            .strip_prefix("http://")
            .or_else(|| path.strip_prefix("https://"))
        {
            path = rest.find('/').map_or("", |slash| &rest[slash..]);
        }
        let path = path.split(['?', '#']).next().unwrap_or("");
        let path = path.strip_prefix('/').unwrap_or(path);
        [Collection::Uploads, Collection::Enhanced]
            .into_iter()
            .find_map(|collection| {
                let name = path.strip_prefix(&collection.prefix()[1..])?;
                Some(PictureRef {
                    collection,
                    name: name.to_string(),
                })
            })
    }

    /// Like [`PictureRef::parse`], and a bare `NAME` is an upload: what the
    /// existing client sends when it asks for an enhancement.
    pub fn parse_or_upload(text: &str) -> PictureRef {
        PictureRef::parse(text).unwrap_or_else(|| PictureRef::upload(text.trim()))
    }

    /// The name the host issued.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the host serves it: `/img/NAME` or `/enhanced_drawings/NAME`.
    pub fn path(&self) -> String {
        format!("{}{}", self.collection.prefix(), self.name)
    }
}

/// Inline picture types a shape may carry. SVG is not among them: it is a
/// document, not a bitmap.
const DATA_PREFIXES: [&str; 5] = [
    "data:image/png;base64,",
    "data:image/jpeg;base64,",
    "data:image/jpg;base64,",
    "data:image/gif;base64,",
    "data:image/webp;base64,",
];

/// Refuses a shape or an update whose picture fields name anything but a
/// picture of this host or an inline picture. `null` clears a picture.
pub fn check_pictures(map: &Object) -> Result<(), ProtocolError> {
    for field in PICTURE_FIELDS {
        match map.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if is_allowed_picture(s) => {}
            Some(Value::String(_)) => {
                return Err(ProtocolError::invalid(format!(
                    "a shape's {field} must be a picture of this host (\"/img/NAME\" or \"/enhanced_drawings/NAME\") or an inline data:image/… picture"
                )))
            }
            Some(_) => {
                return Err(ProtocolError::invalid(format!(
                    "a shape's {field} must be a string"
                )))
            }
        }
    }
    Ok(())
}

/// Whether `text` is a picture a shape may show (see the module docs).
pub fn is_allowed_picture(text: &str) -> bool {
    host_picture_path(text).is_some() || is_inline_picture(text)
}

/// The host path (`/img/NAME` or `/enhanced_drawings/NAME`) that `text`
/// names, as a path or as an absolute loopback URL; None for anything else.
pub fn host_picture_path(text: &str) -> Option<&str> {
    let path = strip_loopback_origin(text).unwrap_or(text);
    let name = PICTURE_DIRS.iter().find_map(|dir| path.strip_prefix(dir))?;
    valid_picture_name(name).then_some(path)
}

/// `http://localhost:5001/x` → `/x`, for the loopback origins of this
/// machine on [`HOST_PICTURE_PORT`]; None for anything else.
fn strip_loopback_origin(text: &str) -> Option<&str> {
    const SCHEME: &str = "http://";
    if !text
        .get(..SCHEME.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(SCHEME))
    {
        return None;
    }
    let rest = &text[SCHEME.len()..];
    let slash = rest.find('/')?;
    let (authority, path) = rest.split_at(slash);
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() => (host, port),
        _ => return None,
    };
    let loopback = ["localhost", "127.0.0.1", "[::1]"]
        .iter()
        .any(|name| host.eq_ignore_ascii_case(name));
    (loopback && port == HOST_PICTURE_PORT.to_string()).then_some(path)
}

/// A name of the form the host issues: 32 lower-case hex digits (a content
/// hash) and `.png`, `.jpg` or `.webp`. It is a plain file name by
/// construction: no `/`, `..`, `%`, `?` or `#` can be in it.
pub fn valid_picture_name(name: &str) -> bool {
    let Some((hash, ext)) = name.split_once('.') else {
        return false;
    };
    hash.len() == 32
        && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && matches!(ext, "png" | "jpg" | "webp")
}

/// An inline bitmap: one of [`DATA_PREFIXES`] followed by base64 only.
fn is_inline_picture(text: &str) -> bool {
    DATA_PREFIXES.iter().any(|prefix| {
        text.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
            && text[prefix.len()..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_is_read_from_a_path_a_url_or_an_img_src() {
        assert_eq!(
            PictureRef::parse("/img/abc.png"),
            Some(PictureRef::upload("abc.png"))
        );
        assert_eq!(
            PictureRef::parse("http://10.0.0.2:5001/enhanced_drawings/x.png?code=1"),
            Some(PictureRef::enhanced("x.png"))
        );
        assert_eq!(
            PictureRef::parse("enhanced_drawings/x.png"),
            Some(PictureRef::enhanced("x.png"))
        );
        assert_eq!(
            PictureRef::enhanced("x.png").path(),
            "/enhanced_drawings/x.png"
        );
    }

    #[test]
    fn anything_else_is_not_a_picture_of_this_host() {
        assert_eq!(PictureRef::parse("/etc/passwd"), None);
        assert_eq!(PictureRef::parse("abc.png"), None);
        assert_eq!(PictureRef::parse("http://example.com"), None);
        // A name with a path in it is kept as a name, which no store issued.
        assert_eq!(
            PictureRef::parse("/img/../../etc/passwd").unwrap().name(),
            "../../etc/passwd"
        );
    }

    #[test]
    fn a_bare_name_is_an_upload_where_the_existing_client_sends_one() {
        assert_eq!(
            PictureRef::parse_or_upload(" abc.png "),
            PictureRef::upload("abc.png")
        );
        assert_eq!(
            PictureRef::parse_or_upload("/enhanced_drawings/x.png"),
            PictureRef::enhanced("x.png")
        );
    }
}
