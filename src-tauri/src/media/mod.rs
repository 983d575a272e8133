//! Media the host keeps on disk and makes: uploaded and generated images
//! (and how many uploads run at once), and videos rendered from storyboards.

pub mod images;
pub mod uploads;
pub mod video;
pub mod video_store;
