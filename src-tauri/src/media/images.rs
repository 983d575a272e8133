//! The image store: content-addressed files under the data directory, with
//! their sizes in a table of the store.
//!
//! An upload is checked before anything is written: its size, its format
//! (PNG, JPEG or WebP by magic bytes, whatever the client claims), then the
//! hash of its bytes (a picture already stored is answered from its
//! metadata, without decoding), its dimensions as read from the header (so
//! a decompression bomb is refused before a single pixel is decoded), then
//! a full decode under memory limits (so a truncated or corrupt file is
//! refused too). A file is named by the hash of its bytes; only names this
//! store issued resolve, so a name from a client is looked up, never joined
//! onto a path as given.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use image::{ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

use crate::protocol::picture::valid_picture_name;
use crate::store::{Record, Store, StoreError, Table, TableName};

/// Largest image file accepted, in bytes (after base64 decoding).
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// Longest side of an accepted image, in pixels.
pub const MAX_IMAGE_SIDE: u32 = 8_192;
/// Most pixels in an accepted image (24 MP: 6,000 × 4,000).
pub const MAX_IMAGE_PIXELS: u64 = 24_000_000;
/// How a temporary file's name ends (it also starts with `.`).
const TMP_SUFFIX: &str = ".tmp";
/// Memory the decoder may allocate while checking an image.
const MAX_DECODE_ALLOC: u64 = 4 * MAX_IMAGE_PIXELS + 16 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("the image is {0} bytes; the limit is {MAX_UPLOAD_BYTES} bytes")]
    TooLarge(usize),
    #[error("the file is not a PNG, JPEG or WebP image")]
    UnsupportedFormat,
    #[error("the image is {0}×{1} pixels; the limit is {MAX_IMAGE_SIDE} pixels a side and {MAX_IMAGE_PIXELS} pixels in all")]
    TooManyPixels(u32, u32),
    #[error("the image is larger than the host decodes: at most {MAX_IMAGE_SIDE} pixels a side and {MAX_IMAGE_PIXELS} pixels in all")]
    OverLimits,
    #[error("the image could not be read: {0}")]
    Corrupt(String),
    #[error("the image could not be stored: {0}")]
    Io(#[from] std::io::Error),
    #[error("the image could not be stored: {0}")]
    Storage(#[from] StoreError),
}

impl ImageError {
    /// Whether storing failed because the disk is full.
    pub fn is_disk_full(&self) -> bool {
        match self {
            ImageError::Io(e) => crate::store::is_disk_full(e),
            ImageError::Storage(e) => e.is_disk_full(),
            _ => false,
        }
    }
}

/// What the store knows of one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub mime: &'static str,
}

/// A picture's size, as its table keeps it: `WxH` in ASCII.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageSize {
    pub width: u32,
    pub height: u32,
}

impl Record for ImageSize {
    fn encode(&self) -> Vec<u8> {
        format!("{}x{}", self.width, self.height).into_bytes()
    }

    fn decode(bytes: &[u8]) -> Option<Self> {
        let (w, h) = std::str::from_utf8(bytes).ok()?.split_once('x')?;
        Some(ImageSize {
            width: w.parse().ok()?,
            height: h.parse().ok()?,
        })
    }
}

/// Files in a folder of the data directory, their sizes in a table of the
/// store. Cheap to clone.
#[derive(Clone)]
pub struct ImageStore {
    dir: PathBuf,
    meta: Table<ImageSize>,
}

impl ImageStore {
    /// The uploads: `DATA_DIR/images`, served at `/img/NAME`.
    pub fn open(data_dir: &Path, store: &Store) -> Result<ImageStore, ImageError> {
        ImageStore::open_in(data_dir.join("images"), store, TableName::Uploads)
    }

    /// Finished pictures: `DATA_DIR/enhanced`, a folder and table of their
    /// own, so a name issued by one store never resolves in the other.
    pub fn open_enhanced(data_dir: &Path, store: &Store) -> Result<ImageStore, ImageError> {
        ImageStore::open_in(data_dir.join("enhanced"), store, TableName::Enhanced)
    }

    fn open_in(dir: PathBuf, store: &Store, table: TableName) -> Result<ImageStore, ImageError> {
        std::fs::create_dir_all(&dir)?;
        remove_temporary_files(&dir);
        Ok(ImageStore {
            dir,
            meta: store.table(table)?,
        })
    }

    /// Checks and stores an image. Blocking: call from `spawn_blocking`.
    ///
    /// Bytes already stored are recognised by their hash before anything is
    /// decoded (the name is the hash), so a repeated upload costs a hash.
    pub fn save(&self, bytes: &[u8]) -> Result<StoredImage, ImageError> {
        let format = sniff(bytes)?;
        let (ext, mime) = match format {
            ImageFormat::Png => ("png", "image/png"),
            ImageFormat::Jpeg => ("jpg", "image/jpeg"),
            _ => ("webp", "image/webp"),
        };
        let digest = Sha256::digest(bytes);
        let hash: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        let name = format!("{hash}.{ext}");
        if let Some((width, height)) = self.dimensions(&name) {
            if self.dir.join(&name).is_file() {
                return Ok(StoredImage {
                    name,
                    width,
                    height,
                    mime,
                });
            }
        }
        let (_, width, height) = inspect(bytes)?;
        self.write(&name, bytes)?;
        self.meta.put(&name, &ImageSize { width, height })?;
        Ok(StoredImage {
            name,
            width,
            height,
            mime,
        })
    }

    /// Writes a file under `name`: to a temporary file of its own (two
    /// uploads of the same bytes may run at once), synced, then renamed, so
    /// a crash never leaves a half file under a name the metadata points
    /// to. Temporary names start with `.` and end with `.tmp`: no issued
    /// name looks like that, so they are never served; a failed write
    /// removes its own, and opening the store any left by a crash.
    fn write(&self, name: &str, bytes: &[u8]) -> Result<(), ImageError> {
        use std::io::Write;
        static NEXT_TMP: AtomicU64 = AtomicU64::new(0);
        let unique = NEXT_TMP.fetch_add(1, Ordering::Relaxed);
        let tmp = self.dir.join(format!(
            ".{name}.{}-{unique}{TMP_SUFFIX}",
            std::process::id()
        ));
        let written = (|| {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            std::fs::rename(&tmp, self.dir.join(name))
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        Ok(written?)
    }

    /// The bytes and type of an image this store issued, by name.
    /// Blocking: call from `spawn_blocking`.
    pub fn get(&self, name: &str) -> Result<Option<(Vec<u8>, &'static str)>, ImageError> {
        let Some(mime) = issued_name_mime(name) else {
            return Ok(None);
        };
        if !self.meta.contains(name)? {
            return Ok(None);
        }
        match std::fs::read(self.dir.join(name)) {
            Ok(bytes) => Ok(Some((bytes, mime))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Width and height of an image this store holds.
    pub fn dimensions(&self, name: &str) -> Option<(u32, u32)> {
        issued_name_mime(name)?;
        let size = self.meta.get(name).ok()??;
        Some((size.width, size.height))
    }

    /// Whether `name` is an image this store holds.
    pub fn contains(&self, name: &str) -> bool {
        issued_name_mime(name).is_some() && self.meta.contains(name).unwrap_or(false)
    }
}

/// The type of a name shaped like the ones this store issues
/// (32 lower-case hex digits and an extension), else None.
fn issued_name_mime(name: &str) -> Option<&'static str> {
    if !valid_picture_name(name) {
        return None;
    }
    match name.rsplit_once('.')?.1 {
        "png" => Some("image/png"),
        "jpg" => Some("image/jpeg"),
        _ => Some("image/webp"),
    }
}

/// Decodes an image under the same checks and limits as an upload.
pub fn decode_rgba(bytes: &[u8]) -> Result<image::RgbaImage, ImageError> {
    let (format, _, _) = header_checked(bytes)?;
    Ok(limited_reader(bytes, format)
        .decode()
        .map_err(classify)?
        .into_rgba8())
}

/// Encodes a picture the host made as PNG.
pub fn encode_png(image: &image::RgbaImage) -> Result<Vec<u8>, ImageError> {
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, ImageFormat::Png)
        .map_err(|e| ImageError::Corrupt(e.to_string()))?;
    Ok(out.into_inner())
}

/// Format and dimensions, after every check; decodes under limits.
pub fn inspect(bytes: &[u8]) -> Result<(ImageFormat, u32, u32), ImageError> {
    let (format, width, height) = header_checked(bytes)?;
    limited_reader(bytes, format).decode().map_err(classify)?;
    Ok((format, width, height))
}

/// The size check and the format by magic bytes: nothing is decoded.
fn sniff(bytes: &[u8]) -> Result<ImageFormat, ImageError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(ImageError::TooLarge(bytes.len()));
    }
    let format = image::guess_format(bytes).map_err(|_| ImageError::UnsupportedFormat)?;
    if !matches!(
        format,
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP
    ) {
        return Err(ImageError::UnsupportedFormat);
    }
    Ok(format)
}

/// Removes the temporary files a crash left in a store's folder.
fn remove_temporary_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.ends_with(TMP_SUFFIX) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Size, format and dimensions from the header, before any pixel is decoded.
fn header_checked(bytes: &[u8]) -> Result<(ImageFormat, u32, u32), ImageError> {
    let format = sniff(bytes)?;
    // The header alone, read without the decode limits so that a picture
    // over them is refused with its size, not as "over the limits".
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(classify)?;
    if width > MAX_IMAGE_SIDE
        || height > MAX_IMAGE_SIDE
        || u64::from(width) * u64::from(height) > MAX_IMAGE_PIXELS
    {
        return Err(ImageError::TooManyPixels(width, height));
    }
    Ok((format, width, height))
}

fn limited_reader(bytes: &[u8], format: ImageFormat) -> ImageReader<Cursor<&[u8]>> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    reader
}

/// A decoder that hit a limit means "too big", anything else "damaged".
fn classify(e: image::ImageError) -> ImageError {
    match e {
        image::ImageError::Limits(_) => ImageError::OverLimits,
        other => ImageError::Corrupt(other.to_string()),
    }
}
