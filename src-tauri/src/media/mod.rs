//! Media the host keeps on disk: uploaded and generated images.

pub mod images;
