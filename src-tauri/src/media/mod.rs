//! Media the host keeps on disk and makes: uploaded and generated images, and
//! videos rendered from storyboards.

pub mod images;
pub mod video;
pub mod video_store;
