//! The four seats of a room and their fixed colours.

use serde::{Serialize, Serializer};

/// A corner of the shared screen. Each has a fixed colour, so every client
/// shows the same person in the same colour without negotiating it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Seat {
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

impl Seat {
    /// All seats in the order free seats are handed out.
    pub const ALL: [Seat; 4] = [
        Seat::TopLeft,
        Seat::TopRight,
        Seat::BottomLeft,
        Seat::BottomRight,
    ];

    pub fn parse(s: &str) -> Option<Seat> {
        Seat::ALL.into_iter().find(|seat| seat.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Seat::TopLeft => "top-left",
            Seat::TopRight => "top-right",
            Seat::BottomLeft => "bottom-left",
            Seat::BottomRight => "bottom-right",
        }
    }

    /// Index into a room's seat table.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The seat's colour: four hues that stay apart for colour-blind eyes too.
    pub fn color(self) -> &'static str {
        match self {
            Seat::TopLeft => "#E03131",
            Seat::TopRight => "#1971C2",
            Seat::BottomLeft => "#2F9E44",
            Seat::BottomRight => "#F08C00",
        }
    }
}

/// A seat is sent as its name (`"top-left"`).
impl Serialize for Seat {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
