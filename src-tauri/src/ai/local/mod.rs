//! The offline enhancer: turns a rough sketch into a clean, coloured picture
//! with no network and no model, so "enhance" always has an answer.
//!
//! A sketch (a photo of paper or a canvas export) goes through:
//!
//! 1. [`background`]: transparency onto white, the paper's shade divided out,
//!    near-white pushed to white, contrast stretched;
//! 2. optionally a 2× upscale (Catmull-Rom), before the strokes are found so
//!    they are redrawn crisp at the new size;
//! 3. [`strokes`]: ink found with hysteresis, specks dropped, small gaps
//!    closed, strokes thickened a little with soft edges;
//! 4. [`fill`]: closed regions painted from a [`palette`] chosen by the
//!    prompt, the paper made the palette's background, strokes laid on top
//!    in their own hue (coloured strokes) or the palette's ink (dark ones).
//!
//! Everything is integer or fixed-order arithmetic on one thread, so the same
//! input and options always give byte-identical output. Sizes (speck size,
//! gap width, stroke growth) scale with the image: see [`scale`].

mod background;
mod fill;
mod label;
pub mod palette;
mod strokes;
mod upscale;

use image::RgbaImage;

/// The name the job system records for results of this engine.
pub const ENGINE_NAME: &str = "local";

/// Most pixels in an enhanced image: the image store's limit, so every result
/// can be stored. An input (upscaled or not) whose result would be larger is
/// refused with [`LocalError::TooLarge`].
pub const MAX_OUTPUT_PIXELS: u64 = crate::media::images::MAX_IMAGE_PIXELS;

/// How much [`LocalOptions::upscale`] enlarges each side (fixed: the
/// enlargement is specialised to it).
pub const UPSCALE_FACTOR: u32 = 2;

/// Ink blobs with fewer pixels than this (times [`scale`]²) are specks of
/// dust or paper grain and are removed.
pub const SPECK_PIXELS: u32 = 24;

/// Closed regions with fewer pixels than this (times [`scale`]²) are not
/// coloured: the inside of a letter, the gaps in hatching.
pub const MIN_FILL_PIXELS: u32 = 300;

/// Gaps in a stroke up to about twice this many pixels (times [`scale`]) are
/// closed, so a shape drawn with a small break still counts as closed.
pub const GAP_RADIUS: u32 = 2;

/// What the caller asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalOptions {
    /// The user's prompt; theme words in it pick the palette (see [`palette`]).
    pub prompt: String,
    /// Double the width and height.
    pub upscale: bool,
}

/// Why an image could not be enhanced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalError {
    #[error("the image is empty ({width} × {height} pixels)")]
    Empty { width: u32, height: u32 },
    #[error(
        "the result would be {width} × {height} pixels, more than the {max} allowed{}",
        if *.upscaled { "; try again without upscaling" } else { "" }
    )]
    TooLarge {
        width: u64,
        height: u64,
        max: u64,
        upscaled: bool,
    },
}

impl LocalError {
    /// A stable machine-readable code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            LocalError::Empty { .. } => "empty_image",
            LocalError::TooLarge { .. } => "image_too_large",
        }
    }
}

/// An enhanced image and what was done to it.
#[derive(Debug, Clone)]
pub struct Enhanced {
    pub image: RgbaImage,
    /// Name of the palette the prompt picked.
    pub palette: &'static str,
    /// Closed regions that were given a colour.
    pub regions_coloured: usize,
    /// Pixels of specks removed.
    pub speck_pixels_removed: u32,
}

/// The size multiplier for every pixel distance in the pipeline: 1 up to
/// about 720 pixels on the short side, 2 at 1080, 4 at 2160. It keeps the
/// look the same whatever the resolution of the photo.
pub fn scale(width: u32, height: u32) -> u32 {
    (width.min(height).saturating_add(300) / 600).max(1)
}

/// The size of the result for an input of `width` × `height`, or why there
/// is none.
pub fn output_size(width: u32, height: u32, opts: &LocalOptions) -> Result<(u32, u32), LocalError> {
    if width == 0 || height == 0 {
        return Err(LocalError::Empty { width, height });
    }
    let factor = if opts.upscale { UPSCALE_FACTOR } else { 1 };
    let (w, h) = (
        u64::from(width) * u64::from(factor),
        u64::from(height) * u64::from(factor),
    );
    if w * h > MAX_OUTPUT_PIXELS {
        return Err(LocalError::TooLarge {
            width: w,
            height: h,
            max: MAX_OUTPUT_PIXELS,
            upscaled: opts.upscale,
        });
    }
    Ok((w as u32, h as u32))
}

/// Enhances a sketch. `progress` is called with 0.0 at the start, a growing
/// fraction after each stage and 1.0 at the end.
pub fn enhance(
    input: &RgbaImage,
    opts: &LocalOptions,
    progress: &mut dyn FnMut(f32),
) -> Result<RgbaImage, LocalError> {
    enhance_detailed(input, opts, progress).map(|done| done.image)
}

/// [`enhance`], also saying what was done.
pub fn enhance_detailed(
    input: &RgbaImage,
    opts: &LocalOptions,
    progress: &mut dyn FnMut(f32),
) -> Result<Enhanced, LocalError> {
    let (w, h) = output_size(input.width(), input.height(), opts)?;
    progress(0.0);
    let mut img = background::flatten(input);
    if opts.upscale {
        img = upscale::double(&img);
    }
    progress(0.15);
    background::normalise(&mut img);
    progress(0.35);
    let unit = scale(w, h);
    let ink = strokes::find_ink(&img, SPECK_PIXELS * unit * unit);
    progress(0.55);
    let (uw, uh) = (w as usize, h as usize);
    let (gap, grow) = ((GAP_RADIUS * unit) as usize, unit as usize);
    // Strokes are drawn as found, thickened by `grow`; regions are separated
    // by the same strokes with small gaps closed (dilate by gap + grow, erode
    // by gap), so a shape drawn with a break still gets its colour without
    // its lines being redrawn.
    let drawn = strokes::dilate(&ink.mask, uw, uh, grow);
    let cov = strokes::coverage(&drawn, uw, uh, grow);
    drop(drawn);
    let closed = strokes::erode(&strokes::dilate(&ink.mask, uw, uh, gap + grow), uw, uh, gap);
    let open: Vec<u8> = closed
        .iter()
        .zip(&cov)
        .map(|(&c, &v)| u8::from(c == 0 && v < fill::BARRIER))
        .collect();
    drop(closed);
    progress(0.75);
    let palette = palette::for_prompt(&opts.prompt);
    let regions = fill::regions(&open, &cov, w, h, MIN_FILL_PIXELS * unit * unit, &palette);
    let inks = fill::InkColours::new(&img, &ink.mask, 4 * unit as usize, &palette);
    progress(0.9);
    let image = fill::composite(&cov, &regions, &inks, &palette, w, h);
    progress(1.0);
    Ok(Enhanced {
        image,
        palette: palette.name,
        regions_coloured: regions.coloured,
        speck_pixels_removed: ink.specks_removed,
    })
}
