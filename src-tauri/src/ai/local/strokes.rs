//! Strokes: which pixels are ink, cleaned of specks, and how much of each
//! pixel a stroke covers when it is drawn again.
//!
//! Ink is found with two thresholds (hysteresis): a blob of faint pixels is
//! ink only if it also holds a clearly dark or clearly coloured pixel, so a
//! light pencil line survives while paper grain does not. Blobs smaller than
//! the speck size are dropped.
//!
//! A pixel that mixes the darkest and lightest values around it is ink only
//! if it is nearer the darkest (a local midpoint test): the soft rim of an
//! anti-aliased line is less than half covered, so it is not ink. Strokes are redrawn solid
//! where they were found, with a rim always under half covered, so enhancing
//! a result again finds exactly the same strokes: they neither grow nor blur
//! from one pass to the next.

use image::RgbImage;

use super::background::luma;
use super::boxes;
use super::label;

/// Darker than this (0..=255, after paper cleanup) is certainly ink.
const STRONG_DARK: u32 = 120;
/// Darker than this is ink if it touches certain ink.
const WEAK_DARK: u32 = 190;
/// More colourful than this (max − min channel) is certainly ink.
const STRONG_CHROMA: u32 = 100;
/// More colourful than this is ink if it touches certain ink, and an ink
/// pixel this colourful keeps its own hue.
pub const WEAK_CHROMA: u32 = 56;
/// How much darker (0..=255) than the lightest value around a pixel may be
/// and still count as that light surface (a fill's own texture), not as a
/// stroke's rim.
const FLAT_TOLERANCE: u32 = 12;
/// Coverage (of 255) of a rim pixel beside three or more stroke pixels:
/// under half, so the rim reads as edge, not as stroke, on the next pass.
pub const RIM_COVERAGE: u32 = 110;
/// Stroke pixels around a rim pixel (of its 8 neighbours) that give it the
/// full [`RIM_COVERAGE`]; fewer give proportionally less.
const RIM_FULL_NEIGHBOURS: u32 = 3;

/// The ink mask: 1 where ink, 0 elsewhere, and how many speck pixels were
/// dropped.
pub struct Ink {
    pub mask: Vec<u8>,
    pub specks_removed: u32,
}

/// Finds the ink in a cleaned image; blobs under `min_area` pixels are
/// specks; `contrast_radius` is the reach of the local midpoint test.
/// Pixels where `faint` is non-zero (more transparent than opaque in the
/// input: the soft edge of a stroke drawn on a transparent canvas, as this
/// enhancer draws them) are never ink.
pub fn find_ink(
    img: &RgbImage,
    faint: Option<&[u8]>,
    min_area: u32,
    contrast_radius: usize,
) -> Ink {
    let (w, h) = img.dimensions();
    let (uw, uh) = (w as usize, h as usize);
    let mut grade = vec![0u8; uw * uh];
    let mut dark = vec![0u8; uw * uh];
    for ((g, d), px) in grade
        .iter_mut()
        .zip(dark.iter_mut())
        .zip(img.as_raw().chunks_exact(3))
    {
        let l = luma(px);
        let c = u32::from(*px.iter().max().unwrap() - *px.iter().min().unwrap());
        *d = (255 - l) as u8;
        *g = if l < STRONG_DARK || c > STRONG_CHROMA {
            2
        } else if l < WEAK_DARK || c > WEAK_CHROMA {
            1
        } else {
            0
        };
    }
    let most = boxes::extreme(&dark, uw, uh, contrast_radius, true);
    let least = boxes::extreme(&dark, uw, uh, contrast_radius, false);
    for (i, g) in grade.iter_mut().enumerate() {
        let (d, lo, hi) = (u32::from(dark[i]), u32::from(least[i]), u32::from(most[i]));
        // A mix of the darkest and lightest values around: a rim. A pixel
        // as light as the lightest around is not a rim but what the stroke
        // lies on (paper, or a fill, which stays ink of its own).
        if *g != 0 && 2 * d < hi + lo && d > lo + FLAT_TOLERANCE {
            *g = 0;
        }
        if faint.is_some_and(|f| f[i] != 0) {
            *g = 0;
        }
    }
    drop((dark, most, least));
    let blobs = label::label(&grade, w, h, true);
    let mut mask = vec![0u8; grade.len()];
    let mut specks_removed = 0;
    for (run, &id) in blobs.runs.iter().zip(&blobs.run_comp) {
        let blob = blobs.comps[id as usize];
        let start = run.y as usize * uw;
        let span = start + run.x0 as usize..start + run.x1 as usize;
        if blob.peak == 2 && blob.area >= min_area {
            mask[span].fill(1);
        } else if blob.peak == 2 {
            specks_removed += run.x1 - run.x0;
        }
    }
    Ink {
        mask,
        specks_removed,
    }
}

/// How much of each pixel is stroke, 0..=255: all of it on the mask, and a
/// rim one pixel wide, under half covered, around it (so edges are smooth
/// yet the stroke keeps its width when found again).
pub fn coverage(mask: &[u8], w: usize, h: usize) -> Vec<u8> {
    boxes::box_sum(mask, w, h, 1, 0)
        .iter()
        .zip(mask)
        .map(|(&n, &m)| {
            if m != 0 {
                255
            } else {
                (n.min(RIM_FULL_NEIGHBOURS) * RIM_COVERAGE / RIM_FULL_NEIGHBOURS) as u8
            }
        })
        .collect()
}

/// A soft coverage, as a wet brush leaves: the mask averaged over a
/// (2r+1)² window and doubled, so a stroke's middle stays solid and its
/// edges fade over about `r` pixels on each side.
pub fn soft_coverage(mask: &[u8], w: usize, h: usize, r: usize) -> Vec<u8> {
    let full = ((2 * r + 1) * (2 * r + 1)) as u32;
    boxes::box_sum(mask, w, h, r, 0)
        .iter()
        .map(|&s| (s * 2 * 255 / full).min(255) as u8)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A vertical black bar 4 pixels wide with a 40 % rim on each side.
    fn bar() -> RgbImage {
        RgbImage::from_fn(40, 40, |x, _| {
            let v = match x {
                18..=21 => 20,
                17 | 22 => 255 - 94,
                _ => 255,
            };
            image::Rgb([v; 3])
        })
    }

    #[test]
    fn a_soft_rim_under_half_covered_is_not_ink() {
        let ink = find_ink(&bar(), None, 4, 2);
        let row: Vec<u8> = ink.mask[20 * 40..21 * 40].to_vec();
        let on: Vec<usize> = (0..40).filter(|&x| row[x] == 1).collect();
        assert_eq!(on, vec![18, 19, 20, 21]);
    }

    #[test]
    fn redrawn_strokes_are_found_again_unchanged() {
        let ink = find_ink(&bar(), None, 4, 2);
        let cov = coverage(&ink.mask, 40, 40);
        assert!(cov
            .iter()
            .all(|&c| c == 255 || u32::from(c) <= RIM_COVERAGE));
        let again = RgbImage::from_fn(40, 40, |x, y| {
            let c = u32::from(cov[(y * 40 + x) as usize]);
            image::Rgb([(255 - (235 * c + 127) / 255) as u8; 3])
        });
        assert_eq!(find_ink(&again, None, 4, 2).mask, ink.mask);
    }
}
