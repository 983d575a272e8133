//! What a headless host prints for the person at its terminal: a QR code of
//! the join link, and a line whenever someone takes or leaves a seat.

use qrcode::render::unicode::Dense1x2;
use qrcode::QrCode;

use crate::protocol::limits::SEATS_PER_ROOM;
use crate::room::DEFAULT_ROOM;
use crate::room::{SeatChange, SeatEvent};

/// The QR code of `text` in Unicode half blocks, two modules per character
/// row, with the standard quiet zone. Light modules are the drawn ones:
/// terminals are usually light text on a dark background, and phone
/// cameras read the code only when its light modules are the light ones.
/// `None` when the text is too long for any QR code.
pub fn qr_code(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
}

/// "Ana joined (seat 2 of 4)", "Ana left"; the room is named when it is not
/// the one the UI joins.
pub fn seat_line(event: &SeatEvent) -> String {
    let name = printable(&event.username);
    let room = if &*event.room == DEFAULT_ROOM {
        String::new()
    } else {
        format!(" room \u{201c}{}\u{201d}", printable(&event.room))
    };
    match event.change {
        SeatChange::Joined => format!(
            "{name} joined{room} (seat {} of {SEATS_PER_ROOM})",
            event.seat.index() + 1
        ),
        SeatChange::Left => format!("{name} left{room}"),
    }
}

/// A name as it may be printed: a name sent over the network must not move
/// the cursor or recolour the terminal (control characters become `?`).
fn printable(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Seat;

    fn event(room: &str, name: &str, change: SeatChange) -> SeatEvent {
        SeatEvent {
            room: room.into(),
            username: name.into(),
            seat: Seat::TopRight,
            change,
            seated: 1,
        }
    }

    #[test]
    fn lines_name_the_person_the_seat_and_a_room_other_than_main() {
        let joined = seat_line(&event(DEFAULT_ROOM, "Ana", SeatChange::Joined));
        assert_eq!(joined, "Ana joined (seat 2 of 4)");
        let left = seat_line(&event("art", "Ana", SeatChange::Left));
        assert_eq!(left, "Ana left room \u{201c}art\u{201d}");
    }

    #[test]
    fn control_characters_in_a_name_are_not_printed() {
        let line = seat_line(&event(DEFAULT_ROOM, "A\u{1b}[2Jna", SeatChange::Left));
        assert_eq!(line, "A?[2Jna left");
    }

    #[test]
    fn the_qr_code_is_square_blocks_with_a_quiet_zone() {
        let qr = qr_code("http://192.168.1.20:5001/?code=K7PX3M").unwrap();
        let rows: Vec<&str> = qr.lines().collect();
        let width = rows[0].chars().count();
        // Version 3 (29 modules) plus a 4-module quiet zone on each side.
        assert_eq!(width, 29 + 8);
        assert_eq!(rows.len(), width.div_ceil(2));
        assert!(rows.iter().all(|r| r.chars().count() == width));
        // The quiet zone is light, and light modules are the drawn ones.
        assert!(rows[0].chars().all(|c| c == '\u{2588}'));
        assert!(qr_code(&"x".repeat(8000)).is_none());
    }
}
