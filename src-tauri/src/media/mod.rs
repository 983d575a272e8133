//! Media the host keeps on disk and makes: the pictures (uploaded and
//! enhanced, one [`pictures::Pictures`]; each collection an
//! [`images::ImageStore`]), how many uploads run at once, and videos
//! rendered from storyboards.

pub mod images;
pub mod pictures;
pub mod thumb;
pub mod uploads;
pub mod video;
pub mod video_store;
