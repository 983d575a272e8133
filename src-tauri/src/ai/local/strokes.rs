//! Strokes: which pixels are ink, cleaned of specks, with small gaps closed,
//! thickened a little and given soft (anti-aliased) edges.
//!
//! Ink is found with two thresholds (hysteresis): a blob of faint pixels is
//! ink only if it also holds a clearly dark or clearly coloured pixel, so a
//! light pencil line survives while paper grain does not. Blobs smaller than
//! the speck size are dropped. All the shape work is box sums over the mask,
//! whose cost does not depend on the radius.

use image::RgbImage;

use super::background::luma;
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

/// The ink mask before shaping: 1 where ink, 0 elsewhere, and how many
/// speck pixels were dropped.
pub struct Ink {
    pub mask: Vec<u8>,
    pub specks_removed: u32,
}

/// Finds the ink in a cleaned image; blobs under `min_area` pixels are specks.
pub fn find_ink(img: &RgbImage, min_area: u32) -> Ink {
    let (w, h) = img.dimensions();
    let mut grade = vec![0u8; w as usize * h as usize];
    for (g, px) in grade.iter_mut().zip(img.as_raw().chunks_exact(3)) {
        let l = luma(px);
        let c = u32::from(*px.iter().max().unwrap() - *px.iter().min().unwrap());
        *g = if l < STRONG_DARK || c > STRONG_CHROMA {
            2
        } else if l < WEAK_DARK || c > WEAK_CHROMA {
            1
        } else {
            0
        };
    }
    let blobs = label::label(&grade, w, h, true);
    let mut mask = vec![0u8; grade.len()];
    let mut specks_removed = 0;
    for (run, &id) in blobs.runs.iter().zip(&blobs.run_comp) {
        let blob = blobs.comps[id as usize];
        let start = run.y as usize * w as usize;
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

/// Sum of `src` over the (2r+1)² window around each pixel; pixels outside
/// the image count as `outside`.
fn box_sum(src: &[u8], w: usize, h: usize, r: usize, outside: u16) -> Vec<u16> {
    // Horizontal: a running sum along each row.
    let mut horiz = vec![0u16; src.len()];
    for (row, out) in src.chunks_exact(w).zip(horiz.chunks_exact_mut(w)) {
        let mut sum = outside * r as u16;
        for &v in row.iter().take(r + 1) {
            sum += u16::from(v);
        }
        sum += outside * (r + 1).saturating_sub(w) as u16;
        for x in 0..w {
            out[x] = sum;
            let add = row.get(x + r + 1).map_or(outside, |&v| u16::from(v));
            let sub = if x >= r {
                u16::from(row[x - r])
            } else {
                outside
            };
            sum = sum + add - sub;
        }
    }
    // Vertical: one running sum per column, rows added and removed whole.
    let span = 2 * r as u16 + 1;
    let mut col = vec![outside * (r as u16) * span; w];
    for y in 0..(r + 1).min(h) {
        for (c, &v) in col.iter_mut().zip(&horiz[y * w..(y + 1) * w]) {
            *c += v;
        }
    }
    let missing = (r + 1).saturating_sub(h) as u16;
    for c in col.iter_mut() {
        *c += outside * span * missing;
    }
    let mut out = vec![0u16; src.len()];
    for y in 0..h {
        out[y * w..(y + 1) * w].copy_from_slice(&col);
        let add = (y + r + 1 < h).then(|| &horiz[(y + r + 1) * w..(y + r + 2) * w]);
        let sub = (y >= r).then(|| &horiz[(y - r) * w..(y - r + 1) * w]);
        for x in 0..w {
            let a = add.map_or(outside * span, |row| row[x]);
            let s = sub.map_or(outside * span, |row| row[x]);
            col[x] = col[x] + a - s;
        }
    }
    out
}

/// Grows the mask by `r` pixels (square window).
pub fn dilate(mask: &[u8], w: usize, h: usize, r: usize) -> Vec<u8> {
    box_sum(mask, w, h, r, 0)
        .iter()
        .map(|&s| u8::from(s > 0))
        .collect()
}

/// Shrinks the mask by `r` pixels; the image's edge does not eat into it.
pub fn erode(mask: &[u8], w: usize, h: usize, r: usize) -> Vec<u8> {
    let full = ((2 * r + 1) * (2 * r + 1)) as u16;
    box_sum(mask, w, h, r, 1)
        .iter()
        .map(|&s| u8::from(s == full))
        .collect()
}

/// How much of each pixel is stroke, 0..=255: the mask averaged over a
/// (2r+1)² window and mapped through a ramp, which rounds jagged edges and
/// gives them a soft rim about one pixel wide.
pub fn coverage(mask: &[u8], w: usize, h: usize, r: usize) -> Vec<u8> {
    let full = ((2 * r + 1) * (2 * r + 1)) as u32;
    // The ramp runs from a ninth to two thirds of the window, so a straight
    // edge keeps its place and gains a half-covered rim.
    let (lo, hi) = (full / 9, full * 2 / 3);
    let ramp: Vec<u8> = (0..=full)
        .map(|s| ((s.clamp(lo, hi) - lo) * 255 / (hi - lo)) as u8)
        .collect();
    box_sum(mask, w, h, r, 0)
        .iter()
        .map(|&s| ramp[s as usize])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(src: &[u8], w: usize, h: usize, r: usize, outside: u16) -> Vec<u16> {
        let mut out = vec![0; src.len()];
        for y in 0..h as isize {
            for x in 0..w as isize {
                let mut s = 0;
                for dy in -(r as isize)..=r as isize {
                    for dx in -(r as isize)..=r as isize {
                        let (xx, yy) = (x + dx, y + dy);
                        s += if xx < 0 || yy < 0 || xx >= w as isize || yy >= h as isize {
                            outside
                        } else {
                            u16::from(src[yy as usize * w + xx as usize])
                        };
                    }
                }
                out[y as usize * w + x as usize] = s;
            }
        }
        out
    }

    #[test]
    fn box_sum_matches_the_definition_even_past_small_images() {
        let src: Vec<u8> = (0..35u32).map(|i| (i * 7 % 5 == 0) as u8).collect();
        for (w, h) in [(7, 5), (5, 7), (1, 1), (35, 1), (1, 35)] {
            for r in 0..4 {
                for outside in [0, 1] {
                    let s = &src[..w * h];
                    assert_eq!(box_sum(s, w, h, r, outside), naive(s, w, h, r, outside));
                }
            }
        }
    }

    #[test]
    fn closing_bridges_a_small_gap() {
        let (w, h) = (12, 3);
        let mut m = vec![0u8; w * h];
        for x in (0..5).chain(7..12) {
            m[w + x] = 1;
        }
        let closed = erode(&dilate(&m, w, h, 1), w, h, 1);
        assert!(closed[w..2 * w].iter().all(|&v| v == 1));
    }
}
