//! The WebSocket upgrade, with permessage-deflate negotiated.
//!
//! axum's own upgrade hands over a socket with no way below the library,
//! where compressed frames must be inflated ([`super::inflate_io`]); this
//! one makes the same checks and the same answer, adds the extension when
//! the client offers it, and builds the socket itself.

use std::future::Future;

use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{self, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;

use super::inflate_io::{Inflating, Role};
use super::negotiate::negotiate;

/// A host-side WebSocket, compressed or not.
pub type Socket = WebSocketStream<Inflating<TokioIo<Upgraded>>>;

/// A request to upgrade, checked.
pub struct Upgrade {
    key: HeaderValue,
    on_upgrade: OnUpgrade,
    /// The `Sec-WebSocket-Extensions` answer, when compression is agreed.
    deflate: Option<String>,
}

/// Why a request cannot be upgraded (said in the `426` answer).
#[derive(Debug)]
pub struct NotAnUpgrade(&'static str);

impl std::fmt::Display for NotAnUpgrade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

fn header_has(parts: &Parts, name: header::HeaderName, token: &str) -> bool {
    parts
        .headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

impl axum::response::IntoResponse for NotAnUpgrade {
    fn into_response(self) -> Response {
        (StatusCode::UPGRADE_REQUIRED, self.0).into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Upgrade {
    type Rejection = NotAnUpgrade;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if parts.method != Method::GET {
            return Err(NotAnUpgrade("request method must be `GET`"));
        }
        if !header_has(parts, header::CONNECTION, "upgrade") {
            return Err(NotAnUpgrade("Connection header did not include 'upgrade'"));
        }
        if !header_has(parts, header::UPGRADE, "websocket") {
            return Err(NotAnUpgrade("`Upgrade` header did not include 'websocket'"));
        }
        if parts
            .headers
            .get(header::SEC_WEBSOCKET_VERSION)
            .map(|v| v.as_bytes())
            != Some(b"13")
        {
            return Err(NotAnUpgrade(
                "`Sec-WebSocket-Version` header did not include '13'",
            ));
        }
        let key = parts
            .headers
            .get(header::SEC_WEBSOCKET_KEY)
            .cloned()
            .ok_or(NotAnUpgrade("`Sec-WebSocket-Key` header missing"))?;
        let on_upgrade = parts.extensions.remove::<OnUpgrade>().ok_or(NotAnUpgrade(
            "WebSocket request couldn't be upgraded since no upgrade state was present",
        ))?;
        Ok(Upgrade {
            key,
            on_upgrade,
            deflate: negotiate(&parts.headers),
        })
    }
}

impl Upgrade {
    /// Whether the client offered permessage-deflate in a form the host takes.
    pub fn deflate(&self) -> bool {
        self.deflate.is_some()
    }

    /// The `101` answer; `run` gets the socket once the client has it, and
    /// whether its messages may be compressed.
    pub fn on_upgrade<F, Fut>(self, config: WebSocketConfig, run: F) -> Response
    where
        F: FnOnce(Socket, bool) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let deflate = self.deflate.is_some();
        let cap = config.max_message_size.unwrap_or(usize::MAX);
        let on_upgrade = self.on_upgrade;
        tokio::spawn(async move {
            let Ok(upgraded) = on_upgrade.await else {
                return;
            };
            let io = TokioIo::new(upgraded);
            let io = if deflate {
                Inflating::new(io, Role::Server, cap)
            } else {
                Inflating::plain(io)
            };
            let socket =
                WebSocketStream::from_raw_socket(io, protocol::Role::Server, Some(config)).await;
            run(socket, deflate).await;
        });
        let mut response = Response::builder()
            .status(StatusCode::SWITCHING_PROTOCOLS)
            .header(header::CONNECTION, HeaderValue::from_static("upgrade"))
            .header(header::UPGRADE, HeaderValue::from_static("websocket"))
            .header(
                header::SEC_WEBSOCKET_ACCEPT,
                derive_accept_key(self.key.as_bytes()),
            );
        if let Some(answer) = self.deflate {
            response = response.header(header::SEC_WEBSOCKET_EXTENSIONS, answer);
        }
        response.body(Body::empty()).expect("a valid 101 answer")
    }
}
