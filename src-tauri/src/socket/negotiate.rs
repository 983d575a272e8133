//! Agreeing on permessage-deflate in the upgrade (RFC 7692 section 7).
//!
//! The host accepts the first offer it can honour and always answers with
//! no context takeover both ways (see the module above). It declines an
//! offer that limits the host's window below 32 KiB
//! (`server_max_window_bits` under 15): the compressor it uses has only the
//! full window. Browsers and Node's `ws` offer plain
//! `permessage-deflate; client_max_window_bits`, which it takes.

use axum::http::HeaderMap;

/// The extension's name, as offered and answered.
pub const DEFLATE_OFFER: &str = "permessage-deflate";

/// The answer to an offer the host takes.
pub const DEFLATE_RESPONSE: &str =
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

/// The window the host compresses with, as `server_max_window_bits`.
const HOST_WINDOW_BITS: u8 = 15;

/// The `Sec-WebSocket-Extensions` answer, when the request offers
/// permessage-deflate in a form the host can take.
pub fn negotiate(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::SEC_WEBSOCKET_EXTENSIONS)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .find_map(accept)
}

/// The answer to one offer, if the host takes it.
fn accept(offer: &str) -> Option<String> {
    let mut parts = offer.split(';').map(str::trim);
    if !parts.next()?.eq_ignore_ascii_case(DEFLATE_OFFER) {
        return None;
    }
    let mut seen: Vec<&str> = Vec::new();
    let mut window_asked = false;
    for param in parts {
        let (name, value) = match param.split_once('=') {
            Some((name, value)) => (name.trim(), Some(value.trim().trim_matches('"'))),
            None => (param, None),
        };
        // A parameter given twice makes the offer invalid (7.1).
        if seen.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            return None;
        }
        seen.push(name);
        match name.to_ascii_lowercase().as_str() {
            "server_no_context_takeover" | "client_no_context_takeover" if value.is_none() => {}
            "client_max_window_bits" => match value {
                None => {}
                Some(bits) => {
                    window_bits(bits)?;
                }
            },
            "server_max_window_bits" => {
                let bits = window_bits(value?)?;
                if bits < HOST_WINDOW_BITS {
                    return None;
                }
                window_asked = true;
            }
            _ => return None,
        }
    }
    let mut answer = DEFLATE_RESPONSE.to_string();
    if window_asked {
        answer.push_str(&format!("; server_max_window_bits={HOST_WINDOW_BITS}"));
    }
    Some(answer)
}

/// A window size parameter: 8 to 15, digits only.
fn window_bits(value: &str) -> Option<u8> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok().filter(|bits| (8..=15).contains(bits))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn answer(offer: &str) -> Option<String> {
        let mut headers = HeaderMap::new();
        headers.insert(
            axum::http::header::SEC_WEBSOCKET_EXTENSIONS,
            HeaderValue::from_str(offer).unwrap(),
        );
        negotiate(&headers)
    }

    #[test]
    fn browsers_and_node_offers_are_taken() {
        let browser = "permessage-deflate; client_max_window_bits";
        assert_eq!(answer(browser).as_deref(), Some(DEFLATE_RESPONSE));
        assert_eq!(
            answer("permessage-deflate").as_deref(),
            Some(DEFLATE_RESPONSE)
        );
    }

    #[test]
    fn nothing_offered_nothing_answered() {
        assert_eq!(negotiate(&HeaderMap::new()), None);
        assert_eq!(answer("x-webkit-deflate-frame"), None);
    }

    #[test]
    fn a_small_host_window_is_declined_and_the_next_offer_taken() {
        assert_eq!(
            answer("permessage-deflate; server_max_window_bits=10"),
            None
        );
        let two = "permessage-deflate; server_max_window_bits=10, permessage-deflate";
        assert_eq!(answer(two).as_deref(), Some(DEFLATE_RESPONSE));
        assert_eq!(
            answer("permessage-deflate; server_max_window_bits=15").unwrap(),
            format!("{DEFLATE_RESPONSE}; server_max_window_bits=15")
        );
    }

    #[test]
    fn invalid_offers_are_declined() {
        assert_eq!(answer("permessage-deflate; foo"), None);
        assert_eq!(
            answer("permessage-deflate; server_no_context_takeover; server_no_context_takeover"),
            None
        );
        assert_eq!(
            answer("permessage-deflate; client_max_window_bits=16"),
            None
        );
        assert_eq!(answer("permessage-deflate; server_max_window_bits"), None);
    }
}
