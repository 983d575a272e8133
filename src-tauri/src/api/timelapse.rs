//! `POST /api/rooms/{room}/timelapse`: starts a `timelapse` job replaying
//! the room's history (or a range of it) into an MP4. Every limit is
//! checked here, before anything is queued, with a `code` and a sentence;
//! the job is then followed, cancelled and listed like every job, and its
//! video served at `/videos/NAME` like storyboard videos. The range checks
//! are shared with timelapse clips in storyboards (`clip`).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;

use super::common::{blocking, parse_body, room_or_default};
use super::gate::Admitted;
use super::jobs::{check_by, submit};
use super::{ApiError, AppState};
use crate::jobs::kinds::timelapse::{
    Pace, TimelapseRequest, DEFAULT_TIMELAPSE_SECONDS, KIND, MAX_TIMELAPSE_CHANGES,
    MAX_TIMELAPSE_SECONDS, MAX_TIMELAPSE_SPEED, MIN_TIMELAPSE_SECONDS,
};
use crate::media::video::{validate_size, DEFAULT_FPS, DEFAULT_HEIGHT, DEFAULT_WIDTH};

/// Furthest a clock may be from UTC, in minutes (UTC−12 to UTC+14).
pub const MAX_UTC_OFFSET_MIN: i32 = 14 * 60;

/// Named sizes, `(name, width, height)`.
pub const PRESETS: [(&str, u32, u32); 3] = [
    ("480p", 854, 480),
    ("720p", 1280, 720),
    ("1080p", 1920, 1080),
];

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Body {
    from_rev: Option<u64>,
    to_rev: Option<u64>,
    seconds: Option<u32>,
    speed: Option<f64>,
    preset: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    fps: Option<u32>,
    utc_offset_minutes: Option<i32>,
    by: Option<String>,
}

const EXPECTED: &str = "{fromRev?, toRev?, seconds? | speed?, preset?: \"480p\"|\"720p\"|\"1080p\" | width?, height?, fps?, utcOffsetMinutes?, by?}";

fn bad(code: &'static str, message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

/// The size asked for: a preset, or width and height, else 720p.
fn size(body: &Body) -> Result<(u32, u32), ApiError> {
    match (&body.preset, body.width, body.height) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(bad(
            "invalid",
            "give a preset or a width and height, not both",
        )),
        (Some(p), None, None) => PRESETS
            .iter()
            .find(|(name, _, _)| name == p)
            .map(|&(_, w, h)| (w, h))
            .ok_or_else(|| bad("invalid", "preset is \"480p\", \"720p\" or \"1080p\"")),
        (None, w, h) => Ok((w.unwrap_or(DEFAULT_WIDTH), h.unwrap_or(DEFAULT_HEIGHT))),
    }
}

pub async fn start(
    State(state): State<AppState>,
    Path(room): Path<String>,
    _: Admitted,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let room = room_or_default(Some(room))?;
    let body: Body = parse_body(&body, EXPECTED)?;
    let by = check_by(body.by.clone())?;
    let (width, height) = size(&body)?;
    let fps = body.fps.unwrap_or(DEFAULT_FPS);
    validate_size(width, height, fps).map_err(|e| bad(e.code(), &e.to_string()))?;
    check_utc_offset(body.utc_offset_minutes)?;
    if body.seconds.is_some() && body.speed.is_some() {
        return Err(bad("invalid", "give seconds or speed, not both"));
    }
    if let Some(s) = body.seconds {
        if !(MIN_TIMELAPSE_SECONDS..=MAX_TIMELAPSE_SECONDS).contains(&s) {
            return Err(bad(
                "bad_length",
                &format!("a timelapse lasts {MIN_TIMELAPSE_SECONDS} to {MAX_TIMELAPSE_SECONDS} seconds, not {s}"),
            ));
        }
    }
    if let Some(speed) = body.speed {
        if !(speed.is_finite() && speed > 0.0 && speed <= MAX_TIMELAPSE_SPEED) {
            return Err(bad(
                "invalid",
                &format!("speed is more than 0 and at most {MAX_TIMELAPSE_SPEED} times real time"),
            ));
        }
    }
    let (from, to) = history_range(&state, &room, body.from_rev, body.to_rev).await?;
    let rooms = &state.inner.rooms;
    let pace = match body.speed {
        None => Pace::Frames(
            u64::from(body.seconds.unwrap_or(DEFAULT_TIMELAPSE_SECONDS)) * u64::from(fps),
        ),
        Some(speed) => {
            let (store, name) = (rooms.store().clone(), room.clone());
            let times = blocking(move || {
                let first = store.history_page(&name, (from + 1, to), 1, 0, false)?;
                let last = store.history_page(&name, (to, to), 1, 0, false)?;
                Ok::<_, crate::store::StoreError>(
                    first
                        .entries
                        .first()
                        .map(|e| e.t)
                        .zip(last.entries.first().map(|e| e.t)),
                )
            })
            .await?
            .map_err(|e| super::error::storage(&e))?;
            let (start_t, end_t) = times.ok_or_else(empty_range)?;
            let span_s = end_t.saturating_sub(start_t) as f64 / 1000.0;
            let frames = (span_s / speed * f64::from(fps)).floor() as u64 + 1;
            let seconds = frames as f64 / f64::from(fps);
            if seconds < f64::from(MIN_TIMELAPSE_SECONDS)
                || seconds > f64::from(MAX_TIMELAPSE_SECONDS)
            {
                return Err(bad(
                    "bad_length",
                    &format!(
                        "at {speed}× these {span_s:.0} s of drawing last {seconds:.1} s; a timelapse lasts {MIN_TIMELAPSE_SECONDS} to {MAX_TIMELAPSE_SECONDS} seconds: choose a length instead, or another speed"
                    ),
                ));
            }
            Pace::Speed {
                speed,
                start_t,
                frames,
            }
        }
    };
    let request = TimelapseRequest {
        room: room.clone(),
        from_rev: from,
        to_rev: to,
        pace,
        width,
        height,
        fps,
        utc_offset_min: body.utc_offset_minutes,
    };
    let maker = &state.inner.timelapses;
    let input = maker.input(&request);
    let frames = pace.frames();
    submit(&state, KIND, &room, input, by, maker.work(request), frames).await
}

/// A clock at most [`MAX_UTC_OFFSET_MIN`] from UTC, or none.
pub(super) fn check_utc_offset(minutes: Option<i32>) -> Result<(), ApiError> {
    match minutes {
        Some(off) if off.abs() > MAX_UTC_OFFSET_MIN => Err(bad(
            "invalid",
            &format!("utcOffsetMinutes is -{MAX_UTC_OFFSET_MIN} to {MAX_UTC_OFFSET_MIN}"),
        )),
        _ => Ok(()),
    }
}

/// The moment asked for is older than what the host keeps.
pub(super) fn not_kept() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_kept",
        "the host no longer keeps that moment of this room's history",
    )
}

/// Nothing to replay.
fn empty_range() -> ApiError {
    bad(
        "empty_range",
        "nothing was drawn in that range of the room's history",
    )
}

/// The range `fromRev..=toRev` of `room`'s history that a timelapse or a
/// timelapse clip replays (absent ends: the oldest kept revision, the
/// board's revision now), checked against what the host keeps: each
/// refusal a `code` and a sentence, nothing read past the checks.
pub(super) async fn history_range(
    state: &AppState,
    room: &str,
    from_rev: Option<u64>,
    to_rev: Option<u64>,
) -> Result<(u64, u64), ApiError> {
    let rooms = &state.inner.rooms;
    if rooms.history_budget() == 0 {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "history_off",
            "this host keeps no history (it runs with --history-budget-mb 0)",
        ));
    }
    let store = rooms.store().clone();
    let name = room.to_string();
    let (history, current) = blocking(move || {
        Ok::<_, crate::store::StoreError>((store.history_state(&name)?, store.board_rev(&name)?))
    })
    .await?
    .map_err(|e| super::error::storage(&e))?;
    let history = history.ok_or_else(empty_range)?;
    let from = from_rev.unwrap_or(history.meta.first_rev);
    let to = to_rev.unwrap_or(current);
    if from > to || to > current {
        return Err(bad(
            "invalid",
            &format!("fromRev and toRev are revisions with fromRev <= toRev <= {current}, the board's revision now"),
        ));
    }
    if from < history.meta.first_rev {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_kept",
            &format!(
                "the host keeps this room's history from revision {} on",
                history.meta.first_rev
            ),
        ));
    }
    if to - from > MAX_TIMELAPSE_CHANGES {
        return Err(bad(
            "range_too_large",
            &format!(
                "a timelapse replays at most {MAX_TIMELAPSE_CHANGES} changes; this range has {}",
                to - from
            ),
        ));
    }
    if to == from {
        return Err(empty_range());
    }
    Ok((from, to))
}
