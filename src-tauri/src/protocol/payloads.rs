//! The payloads of [`super::ServerMessage`]. Field order is wire order:
//! existing clients and tests read these fields, so they are declared in
//! the order the host has always sent them.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use serde_json::value::RawValue;

use super::{ErrorCode, Object, Seat};

/// `WELCOME`: the seat a member was given and who else is seated.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Welcome<'a> {
    /// The id the member is seated under (a new one when the id it sent
    /// is someone else's).
    pub user_id: &'a str,
    pub position: Seat,
    pub color: &'static str,
    pub room: &'a str,
    pub rev: u64,
    /// Everyone seated, the newcomer included, in seat order.
    pub users: Vec<UserJoined<'a>>,
    /// The seat secret, sent to this member only.
    pub secret: &'a str,
    /// `true` while the host has locked the board; absent when it is not.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub locked: bool,
}

/// `USER_JOINED`: one seated member. Its colour follows from its seat, so
/// every client shows the same person in the same colour.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserJoined<'a> {
    id: &'a str,
    name: &'a str,
    position: Seat,
    is_active: bool,
    color: &'static str,
}

impl<'a> UserJoined<'a> {
    pub fn new(id: &'a str, name: &'a str, seat: Seat) -> Self {
        UserJoined {
            id,
            name,
            position: seat,
            is_active: true,
            color: seat.color(),
        }
    }
}

/// `WATCHING`: to a person who watches (no seat): who is seated, and how
/// many watch. The board follows as for anyone, by `REQUEST_SYNC`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Watching<'a> {
    pub user_id: &'a str,
    pub room: &'a str,
    pub rev: u64,
    pub users: Vec<UserJoined<'a>>,
    /// Watchers now, this one included.
    pub watchers: usize,
    /// `true` while the host has locked the board; absent when it is not.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub locked: bool,
}

/// `LOCK`: the host locked the board (`true`: only the host changes it,
/// the others look and point) or unlocked it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lock {
    pub locked: bool,
}

/// `USER_LEFT`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserLeft<'a> {
    pub user_id: &'a str,
}

/// `PRESENT`: everyone in the room is asked to follow `userId`'s view.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Present<'a> {
    pub user_id: &'a str,
}

/// `ACK`: these operations of the receiver are on disk.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ack<'a> {
    pub op_ids: &'a [String],
    /// The room's revision once they are applied.
    pub rev: u64,
}

/// `ERROR`: `opId` only when the refused message carried one.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorPayload<'a> {
    pub code: ErrorCode,
    pub message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub op_id: Option<&'a str>,
}

/// `SESSIONS_NEARBY`: the same list as `GET /api/discovery`, as
/// `discovery` serializes it ([`record`]).
#[derive(Debug, Serialize)]
pub struct SessionsNearby<'a> {
    pub sessions: &'a RawValue,
}

/// `STORYBOARD_UPDATED`: the whole storyboard, with its new `rev`, as
/// `storyboard` serializes it ([`record`]).
#[derive(Debug, Serialize)]
pub struct StoryboardUpdated<'a> {
    pub storyboard: &'a RawValue,
}

/// A record the host keeps and sends whole (a job, a storyboard, the list
/// of sessions nearby), serialized by the module that owns its type: the
/// protocol names the message and its envelope, and does not depend on
/// the modules whose records travel in it.
pub fn record(value: &impl Serialize) -> Box<RawValue> {
    serde_json::value::to_raw_value(value).expect("records always serialize")
}

/// `STORYBOARD_DELETED`.
#[derive(Debug, Serialize)]
pub struct StoryboardDeleted<'a> {
    pub id: &'a str,
}

/// A member's message passed on to the others: the author's payload as it
/// was sent (fields this host does not know included), with the
/// host-checked `userId` and, for a document change, the room's new `rev`.
///
/// It is written straight from the parsed payload, which is not copied or
/// changed. The keys keep the author's order; `userId` and `rev` take the
/// place of the author's own, or come last when the author sent none: the
/// same bytes as inserting them into the payload.
#[derive(Debug, Clone, Copy)]
pub struct Relayed<'a> {
    pub payload: &'a Object,
    pub user_id: &'a str,
    pub rev: Option<u64>,
}

impl<'a> Relayed<'a> {
    /// A relay without a revision (cursors, status, webcam signalling).
    pub fn new(payload: &'a Object, user_id: &'a str) -> Self {
        Relayed {
            payload,
            user_id,
            rev: None,
        }
    }

    /// A document change applied at `rev`.
    pub fn at(self, rev: u64) -> Self {
        Relayed {
            rev: Some(rev),
            ..self
        }
    }
}

impl Serialize for Relayed<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let own_user = self.payload.contains_key("userId");
        let own_rev = self.payload.contains_key("rev");
        let added = usize::from(!own_user) + usize::from(self.rev.is_some() && !own_rev);
        let mut map = serializer.serialize_map(Some(self.payload.len() + added))?;
        for (key, value) in self.payload {
            match (key.as_str(), self.rev) {
                ("userId", _) => map.serialize_entry(key, self.user_id)?,
                ("rev", Some(rev)) => map.serialize_entry(key, &rev)?,
                _ => map.serialize_entry(key, value)?,
            }
        }
        if !own_user {
            map.serialize_entry("userId", self.user_id)?;
        }
        if let (Some(rev), false) = (self.rev, own_rev) {
            map.serialize_entry("rev", &rev)?;
        }
        map.end()
    }
}

/// `SYNC_SHAPES {shapes, deletedIds, rev, full}` (and, in a sync sent in
/// parts, [`SyncPart`]'s fields), from the shapes' stored
/// JSON. The frame is spliced from that text rather than serialized: the
/// shapes are never parsed or serialized again, which is most of the cost
/// of a full sync of a big board.
#[derive(Debug)]
pub struct SyncShapes<'a> {
    /// Each shape's JSON as stored, in board order.
    pub shapes: Vec<&'a str>,
    /// Shapes deleted since the client's `since` (empty in a full sync).
    pub deleted_ids: Vec<&'a str>,
    pub rev: u64,
    /// Every live shape (true), or only what changed since `since`.
    pub full: bool,
    /// Which part this is of a sync sent in parts; None for a plain sync.
    pub part: Option<SyncPart>,
}

/// The fields a part of a sync sent in parts adds after `full`:
/// `part, parts, total, inView, at`. Every part carries the same `rev`,
/// `full`, `parts`, `total` and `inView`; only the last carries the
/// `deletedIds`.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncPart {
    /// 1 for the first part.
    pub part: usize,
    pub parts: usize,
    /// Shapes in all the parts together.
    pub total: usize,
    /// How many shapes (the first ones sent) touch the asker's view.
    pub in_view: usize,
    /// Each shape's place in the board order (0 first), in the order of
    /// `shapes`: the client puts them back in that order once all parts
    /// are in, so overlapping shapes are drawn as a plain sync draws them.
    pub at: Vec<usize>,
}

impl SyncShapes<'_> {
    /// The whole frame, `{"type":"SYNC_SHAPES","payload":{...}}`.
    pub(super) fn splice(&self) -> String {
        let size: usize = self.shapes.iter().map(|s| s.len() + 1).sum();
        let mut out = String::with_capacity(size + 96);
        out.push_str(r#"{"type":"SYNC_SHAPES","payload":{"shapes":["#);
        for (i, shape) in self.shapes.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(shape);
        }
        out.push_str(r#"],"deletedIds":"#);
        out.push_str(&serde_json::to_string(&self.deleted_ids).expect("strings serialize"));
        out.push_str(&format!(r#","rev":{},"full":{}"#, self.rev, self.full));
        if let Some(p) = &self.part {
            out.push_str(&format!(
                r#","part":{},"parts":{},"total":{},"inView":{},"at":"#,
                p.part, p.parts, p.total, p.in_view
            ));
            out.push_str(&serde_json::to_string(&p.at).expect("numbers serialize"));
        }
        out.push_str("}}");
        out
    }
}
