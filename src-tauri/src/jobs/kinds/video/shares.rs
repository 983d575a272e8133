//! How a video job's time is shared out, in one place: the progress bar
//! (reading the pictures, then the story and its narration, then the
//! render) and the crossfade that the narration's timing allows for.

/// How long a crossfade lasts; shorter where a scene is too short for it
/// (a fade takes at most half of either scene it joins).
pub const CROSSFADE_MS: u32 = 600;
/// Share of the progress bar for reading the pictures.
pub const READ_SHARE: f32 = 0.05;
/// Share of the progress bar for the story and the narration; before the render.
pub const STORY_SHARE: f32 = 0.15;
/// Where rendering starts on the progress bar: after the pictures, the story
/// and its narration.
pub const START_SHARE: f32 = READ_SHARE + STORY_SHARE;
