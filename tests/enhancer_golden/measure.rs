//! Measures of an enhanced picture, each named for what a person sees, and
//! the bounds the golden set holds them to.
#![allow(dead_code)]

use std::path::Path;

use image::{Rgba, RgbaImage};

/// A second pass keeps at least this share of the first's edge sharpness.
pub const SECOND_PASS_SHARPNESS: f64 = 0.9;
/// A second pass changes the number of stroke pixels by at most this many
/// percent (strokes neither grow nor thin).
pub const STROKE_WIDTH_DRIFT_PERCENT: u32 = 3;
/// Night: the mean luminance of the fills is under this (plain fills are
/// about 150–200).
pub const NIGHT_MAX_FILL_LUMA: f64 = 100.0;
/// Watercolour: its edge sharpness is at most this share of the plain
/// picture's: soft, wet edges.
pub const WATERCOLOUR_SOFTNESS: f64 = 0.85;
/// Watercolour: the wash varies (mean absolute deviation of luminance within
/// a fill) by at least this: paper texture and pooling, not a flat fill.
pub const WATERCOLOUR_TEXTURE: f64 = 3.0;
/// Crayon: the share of a fill left bare (paper showing through the wax).
pub const CRAYON_BARE_MIN: f64 = 0.05;
pub const CRAYON_BARE_MAX: f64 = 0.45;
/// Comic: the share of a fill covered by halftone dots.
pub const HALFTONE_MIN: f64 = 0.1;
pub const HALFTONE_MAX: f64 = 0.4;
/// Pencil: no pixel is more colourful than this (max − min channel).
pub const PENCIL_MAX_CHROMA: u8 = 10;
/// Ink: at least this share of the dark stroke pixels is pure black.
pub const INK_MIN_BLACK: f64 = 0.9;
/// Pastel: fills are at least this much lighter than plain ones (luminance).
pub const PASTEL_LIGHTER: f64 = 20.0;
/// Pixels this close (or closer) to a drawn pixel of the sketch are its
/// strokes' surroundings, not paper or fill.
const NEAR_INK: usize = 3;
/// Closed regions of the sketch smaller than this are not checked (the
/// enhancer leaves very small ones as paper).
const MIN_REGION: usize = 600;
/// Luminance steps under this are texture, not edges, for [`sharpness`].
const EDGE_STEP: i32 = 16;

pub fn luma(p: &Rgba<u8>) -> u32 {
    (77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2])) >> 8
}

fn chroma(p: &Rgba<u8>) -> u8 {
    p.0[..3].iter().max().unwrap() - p.0[..3].iter().min().unwrap()
}

/// The luminance of `img` laid on white, as the board shows it.
fn on_white(img: &RgbaImage) -> Vec<i32> {
    img.pixels()
        .map(|p| {
            let a = i32::from(p[3]);
            (luma(p) as i32 * a + 255 * (255 - a)) / 255
        })
        .collect()
}

/// Edge sharpness: the mean step across edges, Σg² / Σ|g| over the
/// neighbour differences of luminance on white (texture steps left out).
/// Blurring an edge over k pixels divides it by about k.
pub fn sharpness(img: &RgbaImage) -> f64 {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let l = on_white(img);
    let (mut sq, mut abs) = (0f64, 0f64);
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            let steps = [
                (x + 1 < w).then(|| l[i + 1] - l[i]),
                (y + 1 < h).then(|| l[i + w] - l[i]),
            ];
            for g in steps.into_iter().flatten() {
                if g.abs() >= EDGE_STEP {
                    sq += f64::from(g * g);
                    abs += f64::from(g.abs());
                }
            }
        }
    }
    if abs == 0.0 {
        0.0
    } else {
        sq / abs
    }
}

/// Pixels of dark, neutral ink, mostly covered: strokes (the palettes' inks
/// are all darker and greyer than their fills, night's included).
pub fn stroke_pixels(img: &RgbaImage) -> u32 {
    img.pixels()
        .filter(|p| p[3] >= 128 && chroma(p) <= 12 && luma(p) < 60)
        .count() as u32
}

/// 1 where the sketch has a drawn pixel within [`NEAR_INK`].
fn near_ink(input: &RgbaImage) -> Vec<bool> {
    let (w, h) = (input.width() as usize, input.height() as usize);
    let drawn: Vec<bool> = input.pixels().map(|p| p[3] > 20 && luma(p) < 235).collect();
    let mut near = vec![false; w * h];
    for y in 0..h {
        for x in 0..w {
            if drawn[y * w + x] {
                for yy in y.saturating_sub(NEAR_INK)..(y + NEAR_INK + 1).min(h) {
                    for xx in x.saturating_sub(NEAR_INK)..(x + NEAR_INK + 1).min(w) {
                        near[yy * w + xx] = true;
                    }
                }
            }
        }
    }
    near
}

/// The 4-connected areas of the sketch's paper away from its strokes, and
/// whether each touches the image's edge (is outside every closed shape).
fn paper_areas(input: &RgbaImage) -> (Vec<usize>, Vec<(Vec<usize>, bool)>) {
    let (w, h) = (input.width() as usize, input.height() as usize);
    let near = near_ink(input);
    let mut id = vec![usize::MAX; w * h];
    let mut areas = Vec::new();
    for start in 0..w * h {
        if near[start] || id[start] != usize::MAX {
            continue;
        }
        let k = areas.len();
        let (mut pixels, mut border, mut stack) = (Vec::new(), false, vec![start]);
        id[start] = k;
        while let Some(i) = stack.pop() {
            pixels.push(i);
            let (x, y) = (i % w, i / w);
            border |= x == 0 || y == 0 || x + 1 == w || y + 1 == h;
            let next = [
                (x > 0).then(|| i - 1),
                (x + 1 < w).then(|| i + 1),
                (y > 0).then(|| i - w),
                (y + 1 < h).then(|| i + w),
            ];
            for n in next.into_iter().flatten() {
                if !near[n] && id[n] == usize::MAX {
                    id[n] = k;
                    stack.push(n);
                }
            }
        }
        areas.push((pixels, border));
    }
    (id, areas)
}

/// Paper pixels of the sketch (outside every closed shape, away from the
/// strokes) that are not fully transparent in `out`.
pub fn count_outside_not_clear(input: &RgbaImage, out: &RgbaImage) -> usize {
    let (_, areas) = paper_areas(input);
    let raw = out.as_raw();
    areas
        .iter()
        .filter(|(_, border)| *border)
        .flat_map(|(pixels, _)| pixels.iter())
        .filter(|&&i| raw[i * 4 + 3] != 0)
        .count()
}

/// The pixels of each closed shape of the sketch worth checking.
fn closed_areas(input: &RgbaImage) -> Vec<Vec<usize>> {
    paper_areas(input)
        .1
        .into_iter()
        .filter(|(pixels, border)| !border && pixels.len() >= MIN_REGION)
        .map(|(pixels, _)| pixels)
        .collect()
}

/// How many closed shapes there are, and a description of each one whose
/// fill is not one opaque colour right up to its strokes.
pub fn patchy_regions(input: &RgbaImage, out: &RgbaImage) -> (usize, Vec<String>) {
    let areas = closed_areas(input);
    let w = input.width() as usize;
    let mut bad = Vec::new();
    for pixels in &areas {
        let first = out.as_raw()[pixels[0] * 4..pixels[0] * 4 + 4].to_vec();
        let odd: Vec<usize> = pixels
            .iter()
            .copied()
            .filter(|&i| out.as_raw()[i * 4..i * 4 + 4] != first[..])
            .collect();
        if first[3] != 255 || !odd.is_empty() {
            let at = |i: usize| (i % w, i / w);
            bad.push(format!(
                "shape at {:?} ({} px): {} px differ from {first:?}, e.g. at {:?}",
                at(pixels[0]),
                pixels.len(),
                odd.len(),
                odd.first().map(|&i| at(i))
            ));
        }
    }
    (areas.len(), bad)
}

/// Every colour inside the closed shapes.
pub fn fill_colours(input: &RgbaImage, out: &RgbaImage) -> Vec<[u8; 3]> {
    let mut colours: Vec<[u8; 3]> = closed_areas(input)
        .iter()
        .flatten()
        .map(|&i| {
            let p = out.as_raw();
            [p[i * 4], p[i * 4 + 1], p[i * 4 + 2]]
        })
        .collect();
    colours.sort_unstable();
    colours.dedup();
    colours
}

/// What the fills inside the closed shapes look like.
#[derive(Debug, Default)]
pub struct FillStats {
    pub mean_luma: f64,
    pub mean_red: f64,
    pub mean_blue: f64,
    /// Mean absolute deviation of luminance from each shape's median.
    pub texture: f64,
    /// Share of fill pixels that are bare, near-white paper.
    pub bare: f64,
    /// Mean chroma (max − min channel).
    pub chroma: f64,
    /// Share of fill pixels clearly darker than their shape's median.
    pub dotted: f64,
}

pub fn fill_stats(input: &RgbaImage, out: &RgbaImage) -> FillStats {
    let mut s = FillStats::default();
    let mut n = 0f64;
    for pixels in closed_areas(input) {
        let px: Vec<&Rgba<u8>> = pixels
            .iter()
            .map(|&i| {
                out.get_pixel(
                    (i % out.width() as usize) as u32,
                    (i / out.width() as usize) as u32,
                )
            })
            .collect();
        let mut lumas: Vec<u32> = px.iter().map(|p| luma(p)).collect();
        lumas.sort_unstable();
        let median = lumas[lumas.len() / 2] as f64;
        for p in px {
            let l = luma(p) as f64;
            s.mean_luma += l;
            s.mean_red += f64::from(p[0]);
            s.mean_blue += f64::from(p[2]);
            s.texture += (l - median).abs();
            s.bare += f64::from(u8::from(l > 235.0 && chroma(p) < 16));
            s.chroma += f64::from(chroma(p));
            s.dotted += f64::from(u8::from(l < median - 20.0));
            n += 1.0;
        }
    }
    if n > 0.0 {
        for v in [
            &mut s.mean_luma,
            &mut s.mean_red,
            &mut s.mean_blue,
            &mut s.texture,
            &mut s.bare,
            &mut s.chroma,
            &mut s.dotted,
        ] {
            *v /= n;
        }
    }
    s
}

/// The most colourful visible pixel.
pub fn max_chroma(img: &RgbaImage) -> u8 {
    img.pixels()
        .filter(|p| p[3] > 0)
        .map(chroma)
        .max()
        .unwrap_or(0)
}

/// Of the dark, neutral, mostly opaque pixels, the share that is pure black.
pub fn black_share(img: &RgbaImage) -> f64 {
    let dark: Vec<&Rgba<u8>> = img
        .pixels()
        .filter(|p| p[3] >= 200 && chroma(p) <= 20 && luma(p) < 80)
        .collect();
    let black = dark
        .iter()
        .filter(|p| p.0[..3].iter().all(|&c| c <= 8))
        .count();
    black as f64 / dark.len().max(1) as f64
}

/// Mean absolute difference per channel (alpha included).
pub fn mean_difference(a: &RgbaImage, b: &RgbaImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let sum: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(p, q)| u64::from(p.abs_diff(*q)))
        .sum();
    sum as f64 / a.as_raw().len() as f64
}

/// Writes a PNG as small as the encoder makes it.
pub fn save_small(img: &RgbaImage, path: &Path) {
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    use image::ImageEncoder;
    let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    PngEncoder::new_with_quality(file, CompressionType::Best, FilterType::Adaptive)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgba8,
        )
        .unwrap();
}
