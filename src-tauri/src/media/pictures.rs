//! The host's pictures as one thing: the uploads (served at `/img/NAME`)
//! and the finished pictures the enhancer made (`/enhanced_drawings/NAME`),
//! each an [`ImageStore`] of its own, found by a [`PictureRef`] (the one way
//! a request, a job or a storyboard names a picture).
//!
//! The two stay apart on disk (their own folder and table), so a name
//! issued by one never resolves in the other; everything else asks
//! [`Pictures`] and never matches on the collection itself.

use std::path::Path;

use super::images::{ImageError, ImageStore};
use crate::protocol::picture::{Collection, PictureRef};
use crate::store::Store;

/// Both collections, cheap to clone.
#[derive(Clone)]
pub struct Pictures {
    uploads: ImageStore,
    enhanced: ImageStore,
}

impl Pictures {
    /// Opens `DATA_DIR/images` and `DATA_DIR/enhanced` with their tables.
    pub fn open(data_dir: &Path, store: &Store) -> Result<Pictures, ImageError> {
        Ok(Pictures {
            uploads: ImageStore::open(data_dir, store)?,
            enhanced: ImageStore::open_enhanced(data_dir, store)?,
        })
    }

    /// The store of one collection (to save into, or to serve by name).
    pub fn store(&self, collection: Collection) -> &ImageStore {
        match collection {
            Collection::Uploads => &self.uploads,
            Collection::Enhanced => &self.enhanced,
        }
    }

    /// Whether the host holds this picture.
    pub fn contains(&self, picture: &PictureRef) -> bool {
        self.store(picture.collection).contains(picture.name())
    }

    /// Width and height of a picture the host holds.
    pub fn dimensions(&self, picture: &PictureRef) -> Option<(u32, u32)> {
        self.store(picture.collection).dimensions(picture.name())
    }

    /// The bytes and type of a picture, or `None` when the host does not
    /// hold it. Blocking: call from `spawn_blocking`.
    pub fn get(&self, picture: &PictureRef) -> Result<Option<(Vec<u8>, &'static str)>, ImageError> {
        self.store(picture.collection).get(picture.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_issued_by_one_collection_is_not_found_in_the_other() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::in_memory();
        let pictures = Pictures::open(dir.path(), &store).unwrap();
        let png = super::super::images::encode_png(&image::RgbaImage::new(3, 2)).unwrap();
        let saved = pictures.store(Collection::Uploads).save(&png).unwrap();
        let upload = PictureRef::upload(&saved.name);
        assert!(pictures.contains(&upload));
        assert_eq!(pictures.dimensions(&upload), Some((3, 2)));
        assert!(pictures.get(&upload).unwrap().is_some());
        let elsewhere = PictureRef::enhanced(&saved.name);
        assert!(!pictures.contains(&elsewhere));
        assert_eq!(pictures.get(&elsewhere).unwrap(), None);
    }
}
