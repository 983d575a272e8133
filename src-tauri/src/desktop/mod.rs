//! The desktop app: one native window around the host's own web UI.
//!
//! The Tauri parts ([`run`]) exist with the `desktop` feature only; the
//! rules they follow (one instance per data directory, where downloads go,
//! the window title) are plain code, built and tested in every build.

pub mod downloads;
#[cfg(unix)]
pub mod instance;
#[cfg(feature = "desktop")]
mod window;

#[cfg(feature = "desktop")]
pub use window::run;

use crate::config::DEFAULT_SESSION_NAME;
use crate::protocol::limits::SEATS_PER_ROOM;

/// "CoCo — Art class (2 of 4)": the session and how many seats are taken;
/// "CoCo (2 of 4)" for an unnamed session, not "CoCo — CoCo".
pub fn window_title(session_name: &str, seated: usize) -> String {
    if session_name == DEFAULT_SESSION_NAME {
        format!("{DEFAULT_SESSION_NAME} ({seated} of {SEATS_PER_ROOM})")
    } else {
        format!("CoCo \u{2014} {session_name} ({seated} of {SEATS_PER_ROOM})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_names_the_session_and_the_seats_taken() {
        assert_eq!(window_title("Art class", 2), "CoCo — Art class (2 of 4)");
        assert_eq!(window_title(DEFAULT_SESSION_NAME, 0), "CoCo (0 of 4)");
    }
}
