//! The offline enhancer: turns a rough sketch into a clean, coloured picture
//! with no network and no model, so "enhance" always has an answer.
//!
//! A sketch (a photo of paper, a canvas export, or an earlier result) goes
//! through:
//!
//! 1. [`background`]: transparency onto white; for a photo of paper (not a
//!    clean digital drawing) the paper's shade divided out, near-white
//!    pushed to white, contrast stretched;
//! 2. optionally a 2× upscale (Catmull-Rom), before the strokes are found so
//!    they are redrawn crisp at the new size;
//! 3. [`strokes`]: ink found with hysteresis and a local contrast test (a
//!    stroke's soft rim is not ink), specks dropped;
//! 4. [`solids`]: wide areas of one colour told from strokes: inside a
//!    closed shape they are repainted (an earlier result's fills), outside
//!    they are drawn as found;
//! 5. [`fill`]: closed regions (small gaps in their strokes closed) get
//!    colours from a [`palette`] chosen by the prompt's theme words, spread
//!    right up to their strokes; everything else is paper;
//! 6. [`paint`]: fills and strokes laid down in the [`style`] the prompt's
//!    style words ask for (watercolour, crayon, pencil, ink, comic; night,
//!    pastel), the paper left fully transparent.
//!
//! The result is the input's size (twice it with upscale), is transparent
//! wherever the input was paper, and enhancing it again finds the same
//! strokes at the same width: nothing grows or blurs from pass to pass.
//!
//! Everything is integer or fixed-order arithmetic on one thread, so the same
//! input and options always give byte-identical output. Sizes (speck size,
//! gap width, texture sizes) scale with the image: see [`scale`].

mod background;
mod boxes;
mod fill;
mod inks;
mod label;
mod paint;
pub mod palette;
mod solids;
mod strokes;
pub mod style;
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

/// Reach (pixels, times [`scale`]) of the local contrast test that keeps a
/// stroke's core and drops its soft rim: a little more than the widest rim
/// (a pixel of anti-aliasing, a little blur in a photo).
pub const CONTRAST_RADIUS: u32 = 2;

/// Patches of one colour more than `2 × SOLID_RADIUS + 1` pixels (times
/// [`scale`]) across are areas, not strokes: the fills of an earlier result
/// are repainted, not kept as fat ink. Strokes the board draws (up to 24
/// pixels wide at the export's scale) mostly stay under it; wider ones
/// outside closed shapes are kept as drawn anyway.
pub const SOLID_RADIUS: u32 = 5;

/// What the caller asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalOptions {
    /// The user's prompt; theme words in it pick the palette (see
    /// [`palette`]), style words the way it is painted (see [`style`]).
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
    /// The style words followed (see [`style`]), in the prompt's order.
    pub styles: Vec<&'static str>,
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
    if !background::is_clean(input) {
        background::normalise(&mut img);
    }
    progress(0.35);
    let unit = scale(w, h);
    let (uw, uh) = (w as usize, h as usize);
    let faint = background::faint(input, if opts.upscale { UPSCALE_FACTOR } else { 1 });
    let ink = strokes::find_ink(
        &img,
        faint.as_deref(),
        SPECK_PIXELS * unit * unit,
        (CONTRAST_RADIUS * unit) as usize,
    );
    drop(faint);
    progress(0.5);
    // Areas of one colour too wide to be strokes (an earlier result's fills)
    // are repainted when they lie inside a closed shape; the rest is drawn
    // as found. Regions are separated by the lines with small gaps closed,
    // so a shape drawn with a break still gets its colour.
    let gap = (GAP_RADIUS * unit) as usize;
    let solid = solids::find(&img, &ink.mask, (SOLID_RADIUS * unit) as usize);
    let lines = solids::settle(&ink.mask, &solid, uw, uh, gap);
    drop(solid);
    let open = solids::open_space(&lines, uw, uh, gap);
    progress(0.7);
    let style = style::for_prompt(&opts.prompt);
    let palette = palette::for_prompt(&opts.prompt);
    let colours = style.colours(&palette);
    let regions = fill::regions(
        &open,
        &lines,
        w,
        h,
        MIN_FILL_PIXELS * unit * unit,
        colours.fills.len(),
        style.night,
    );
    drop(open);
    let inks = inks::InkColours::new(&img, &lines, 4 * unit as usize, colours.ink);
    progress(0.85);
    let image = paint::composite(&paint::Canvas {
        lines: &lines,
        regions: &regions,
        inks: &inks,
        colours: &colours,
        style: &style,
        w,
        h,
        unit,
    });
    progress(1.0);
    Ok(Enhanced {
        image,
        palette: palette.name,
        styles: style.used.clone(),
        regions_coloured: regions.coloured,
        speck_pixels_removed: ink.specks_removed,
    })
}
