//! Painting: each fill laid down in the style's medium, the strokes on top,
//! and the paper left transparent, so the picture never hides what is
//! under it on the board except where the drawing is.
//!
//! Textures are deterministic integer noise of the pixel's position (never
//! a random generator), so the same input always gives the same bytes.
//! Every texture stays inside its closed region: paper has none.

use image::RgbaImage;

use super::boxes;
use super::fill::{Regions, OUTSIDE, PAPER, SKY, WINDOW};
use super::inks::InkColours;
use super::palette::Rgb;
use super::style::{mix, Colours, Medium, Style, GRAPHITE};

/// Watercolour: how far (in pixels, times the image's scale) pigment pools
/// darker inside a region's edge, as a drying wash does.
const POOL_WIDTH: u32 = 6;
/// Watercolour: the extra pigment (of 256) right at the edge.
const POOL_DEPTH: i32 = 80;
/// Watercolour: size (pixels, times the scale) of the soft blooms in a wash.
const BLOOM_CELL: u32 = 22;
/// Watercolour: how much (of 256) blooms change the pigment, either way.
const BLOOM_DEPTH: i32 = 40;
/// Watercolour and crayon: how much (of 256) paper grain changes the
/// pigment, either way.
const GRAIN_DEPTH: i32 = 24;
/// Watercolour: strokes are drawn at this opacity (of 256) over the wash.
const WET_INK: u32 = 215;
/// Crayon: width (pixels, times the scale) of the wax streaks.
const STREAK_WIDTH: u32 = 3;
/// Crayon: share (of 256) of a fill where the paper's tooth shows white.
const CRAYON_GAPS: u32 = 70;
/// The paper inside a shape where pencil hatching or crayon leaves it bare.
const BARE_PAPER: Rgb = [252, 251, 246];
/// Pencil: distance (pixels, times the scale) between hatching lines.
const HATCH_SPACING: u32 = 5;
/// Pencil: fills darker than this (0..=255 darkness) are cross-hatched.
const CROSS_HATCH: u32 = 90;
/// Comic: distance (pixels, times the scale) between halftone dots.
const HALFTONE_CELL: u32 = 6;
/// Comic: dots are the points of a cell within `cell / √HALFTONE_SHARE` of
/// its centre (the diagonal grid's cells are `cell² / 2` pixels): about a
/// quarter of the fill.
const HALFTONE_SHARE: u32 = 12;
/// Comic: how far (of 256) a halftone dot darkens its fill.
const HALFTONE_DEPTH: u32 = 80;
/// Comic: how much (pixels, times the scale) outlines are thickened.
pub const COMIC_BOLD: usize = 1;
/// Night: one sky pixel in this many is a star...
const STAR_RARITY: u32 = 700;
/// ...if it is at least this far (pixels) from the sky's edge.
const STAR_MARGIN: u8 = 3;
/// A star.
const STAR: Rgb = [250, 246, 222];

/// A well-mixed hash of a position and a seed.
fn hash(x: u32, y: u32, seed: u32) -> u32 {
    let mut v =
        x.wrapping_mul(0x8DA6_B343) ^ y.wrapping_mul(0xD816_3841) ^ seed.wrapping_mul(0xCB1A_B31F);
    v ^= v >> 13;
    v = v.wrapping_mul(0x5BD1_E995);
    v ^ (v >> 15)
}

/// Smooth value noise, 0..=255, with features about `cell` pixels across.
fn noise(x: u32, y: u32, cell: u32, seed: u32) -> u32 {
    let (gx, gy) = (x / cell, y / cell);
    let (fx, fy) = ((x % cell) * 256 / cell, (y % cell) * 256 / cell);
    let v = |i: u32, j: u32| hash(gx + i, gy + j, seed) & 255;
    let top = v(0, 0) * (256 - fx) + v(1, 0) * fx;
    let bottom = v(0, 1) * (256 - fx) + v(1, 1) * fx;
    (top * (256 - fy) + bottom * fy) >> 16
}

/// `base` with `pigment` (256 = as is) of its colour laid on white.
fn pigment(base: Rgb, pigment: i32) -> Rgb {
    base.map(|c| (255 - (255 - i32::from(c)) * pigment / 256).clamp(0, 255) as u8)
}

/// Everything [`composite`] needs.
pub struct Canvas<'a> {
    pub lines: &'a [u8],
    pub regions: &'a Regions,
    pub inks: &'a InkColours,
    pub colours: &'a Colours,
    pub style: &'a Style,
    pub w: u32,
    pub h: u32,
    pub unit: u32,
}

/// Lays the fills and strokes down in the style's medium.
pub fn composite(c: &Canvas) -> RgbaImage {
    let (w, h) = (c.w as usize, c.h as usize);
    let unit = c.unit;
    let medium = c.style.medium;
    let cov = match medium {
        Medium::Watercolour => super::strokes::soft_coverage(c.lines, w, h, unit as usize),
        Medium::Comic => super::strokes::coverage(
            &boxes::dilate(c.lines, w, h, COMIC_BOLD * unit as usize),
            w,
            h,
        ),
        _ => super::strokes::coverage(c.lines, w, h),
    };
    // How far each pixel is from the edge of its region (strokes count as
    // their own region), for the wash's pooling and where stars may be.
    let needs_distance = medium == Medium::Watercolour || c.style.night;
    let dist = needs_distance.then(|| {
        let labels: Vec<u8> = c
            .regions
            .fill
            .iter()
            .zip(c.lines)
            .map(|(&f, &l)| if l != 0 { 253 } else { f })
            .collect();
        boxes::distance_to_edge(&labels, w, h)
    });
    let forced_ink = matches!(medium, Medium::Pencil | Medium::Ink | Medium::Comic);
    let mut out = vec![0u8; w * h * 4];
    for (i, px) in out.chunks_exact_mut(4).enumerate() {
        let (x, y) = ((i % w) as u32, (i / w) as u32);
        let slot = c.regions.fill[i];
        let d = dist.as_ref().map_or(255, |d| d[i]);
        let under = match slot {
            OUTSIDE | PAPER => None,
            SKY if d >= STAR_MARGIN && hash(x, y, 7) % STAR_RARITY == 0 => Some(STAR),
            SKY => Some(textured(medium, c.colours.sky, x, y, d, unit)),
            WINDOW => Some(textured(medium, c.colours.window, x, y, d, unit)),
            k => Some(textured(
                medium,
                c.colours.fills[k as usize % c.colours.fills.len()],
                x,
                y,
                d,
                unit,
            )),
        };
        let mut k = u32::from(cov[i]);
        match medium {
            Medium::Watercolour => k = k * WET_INK / 256,
            Medium::Crayon => k = k * (150 + (hash(x, y, 11) & 105)) / 255,
            Medium::Pencil => k = k * (185 + (hash(x, y, 13) & 70)) / 255,
            _ => {}
        }
        let ink = if k == 0 {
            [0; 3]
        } else if forced_ink {
            c.colours.ink
        } else {
            c.inks.at(i % w, i / w)
        };
        match under {
            Some(base) => {
                let t = k * 256 / 255;
                px[..3].copy_from_slice(&mix(base, ink, t));
                px[3] = 255;
            }
            None if k > 0 => {
                px[..3].copy_from_slice(&ink);
                px[3] = k as u8;
            }
            None => px.copy_from_slice(&[255, 255, 255, 0]),
        }
    }
    RgbaImage::from_raw(c.w, c.h, out).expect("buffer sized to the image")
}

/// The colour of a fill of `base` at a pixel `d` from its region's edge,
/// in the medium's texture.
fn textured(medium: Medium, base: Rgb, x: u32, y: u32, d: u8, unit: u32) -> Rgb {
    let grain = || (hash(x / unit, y / unit, 3) & 255) as i32 - 128;
    match medium {
        Medium::Plain | Medium::Ink => base,
        Medium::Watercolour => {
            let reach = POOL_WIDTH * unit;
            let pool = reach.saturating_sub(u32::from(d)) as i32 * POOL_DEPTH / reach as i32;
            let bloom = (noise(x, y, BLOOM_CELL * unit, 5) as i32 - 128) * BLOOM_DEPTH / 128;
            pigment(base, 256 + pool + bloom + grain() * GRAIN_DEPTH / 128)
        }
        Medium::Crayon => {
            // Wax catches on the paper's tooth along diagonal streaks.
            let streak = hash(
                (x + 2 * y) / (STREAK_WIDTH * unit),
                (2 * x + 4096 - y) / (16 * unit),
                9,
            ) & 255;
            let tooth = (streak + (hash(x, y, 17) & 255)) / 2;
            if tooth < CRAYON_GAPS {
                BARE_PAPER
            } else {
                pigment(base, 250 + grain() * GRAIN_DEPTH / 128)
            }
        }
        Medium::Pencil => {
            let tone = 255 - super::background::luma(&base);
            let s = HATCH_SPACING * unit;
            let on = (x + y) % s < unit || (tone > CROSS_HATCH && (x + 4096 - y) % s < unit);
            if on {
                // Darker fills get darker lines; lines never vanish.
                mix(BARE_PAPER, GRAPHITE, 120 + tone * 120 / 255)
            } else {
                BARE_PAPER
            }
        }
        Medium::Comic => {
            let cell = HALFTONE_CELL * unit;
            let (u, v) = ((x + y) % cell, (x + 4096 - y) % cell);
            let (du, dv) = (u.abs_diff(cell / 2), v.abs_diff(cell / 2));
            if (du * du + dv * dv) * HALFTONE_SHARE <= cell * cell {
                mix(base, [0; 3], HALFTONE_DEPTH)
            } else {
                base
            }
        }
    }
}
