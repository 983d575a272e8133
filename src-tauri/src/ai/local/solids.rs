//! Solid areas: patches of one colour too wide to be a stroke: the fills of
//! an earlier enhancement, a shape filled on the board, a coloured-in blob.
//!
//! They are told from strokes so that enhancing a result again repaints its
//! fills (with the new prompt's colours and style) instead of keeping them
//! as fat coloured "ink". A pixel is the inside of a solid when every pixel
//! of the (2r+1)² window around it is ink and it is close to the window's
//! mean colour (so the line between two fills, which differs from both, is
//! never inside one); a solid then spreads over the ink of its own colour
//! (into the corners no window fits in). Dark, grey areas are never solids:
//! they are the colour of strokes. Solids inside closed shapes become part of the region
//! they lie in; solids outside every closed shape are kept and drawn as they
//! were (see [`settle`]).

use std::collections::VecDeque;

use image::RgbImage;

use super::boxes;
use super::label::{self, neighbours4};

/// Most a solid's pixel may differ, in any channel, from the colour it grew
/// from: enough for paper texture and soft shading, far less than the step
/// from a fill to its outline.
const SAME_COLOUR: u32 = 40;

/// Darker than this (luminance) and ...
const STROKE_DARK: u32 = 90;
/// ... no more colourful than this (max − min channel) is the colour of a
/// stroke: never part of a solid, however wide (where outlines meet they
/// make dark blobs), and never taken by a solid of a close colour (a night
/// sky beside its outline). A blacked-in area is drawn as found.
const STROKE_CHROMA: u8 = 24;

fn stroke_like(px: &[u8]) -> bool {
    let chroma = px.iter().max().unwrap() - px.iter().min().unwrap();
    super::background::luma(px) < STROKE_DARK && chroma <= STROKE_CHROMA
}

/// 1 where a pixel belongs to a solid area of `ink` wider than `2r + 1`.
pub fn find(img: &RgbImage, ink: &[u8], r: usize) -> Vec<u8> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let full = ((2 * r + 1) * (2 * r + 1)) as u32;
    let count = boxes::box_sum(ink, w, h, r, 0);
    let mut solid = vec![0u8; ink.len()];
    if !count.contains(&full) {
        return solid; // the usual sketch: strokes only
    }
    let raw = img.as_raw();
    let sums: Vec<Vec<u32>> = (0..3)
        .map(|c| {
            let channel: Vec<u8> = raw.iter().skip(c).step_by(3).copied().collect();
            boxes::box_sum(&channel, w, h, r, 0)
        })
        .collect();
    let mut seed = vec![u32::MAX; ink.len()];
    let mut queue = VecDeque::new();
    for i in 0..ink.len() {
        if count[i] != full || stroke_like(&raw[i * 3..i * 3 + 3]) {
            continue;
        }
        let steady = (0..3)
            .all(|c| (u32::from(raw[i * 3 + c]) * full).abs_diff(sums[c][i]) <= SAME_COLOUR * full);
        if steady {
            solid[i] = 1;
            seed[i] = i as u32;
            queue.push_back(i);
        }
    }
    drop((count, sums));
    let close = |a: usize, b: usize| {
        (0..3).all(|c| u32::from(raw[a * 3 + c].abs_diff(raw[b * 3 + c])) <= SAME_COLOUR)
            && !stroke_like(&raw[a * 3..a * 3 + 3])
    };
    while let Some(i) = queue.pop_front() {
        for n in neighbours4(i, w, h) {
            if solid[n] == 0 && ink[n] != 0 && close(n, seed[i] as usize) {
                solid[n] = 1;
                seed[n] = seed[i];
                queue.push_back(n);
            }
        }
    }
    solid
}

/// The regions between lines: 1 where a region may spread, i.e. off the
/// lines once gaps of up to about `2 × gap` pixels in them are closed.
pub fn open_space(lines: &[u8], w: usize, h: usize, gap: usize) -> Vec<u8> {
    boxes::erode(&boxes::dilate(lines, w, h, gap), w, h, gap)
        .iter()
        .map(|&c| u8::from(c == 0))
        .collect()
}

/// The lines to draw: the thin ink, and every solid that is not inside a
/// closed shape (kept as drawn, in its own colour). Solids inside closed
/// shapes are left out: their region is repainted.
pub fn settle(ink: &[u8], solid: &[u8], w: usize, h: usize, gap: usize) -> Vec<u8> {
    let thin: Vec<u8> = ink
        .iter()
        .zip(solid)
        .map(|(&i, &s)| u8::from(i != 0 && s == 0))
        .collect();
    if !solid.iter().any(|&s| s != 0) {
        return thin;
    }
    let open = open_space(&thin, w, h, gap);
    let found = label::label(&open, w as u32, h as u32, false);
    let mut inside = vec![0u8; ink.len()];
    for (run, &id) in found.runs.iter().zip(&found.run_comp) {
        if !found.comps[id as usize].touches_border {
            let start = run.y as usize * w;
            inside[start + run.x0 as usize..start + run.x1 as usize].fill(1);
        }
    }
    thin.iter()
        .zip(solid)
        .zip(&inside)
        .map(|((&t, &s), &enclosed)| u8::from(t != 0 || (s != 0 && enclosed == 0)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fill_is_solid_and_its_outline_is_not() {
        // A yellow square with a black outline 3 pixels wide, on white.
        let img = RgbImage::from_fn(60, 60, |x, y| {
            let inside = (10..50).contains(&x) && (10..50).contains(&y);
            let edge = inside && !((13..47).contains(&x) && (13..47).contains(&y));
            image::Rgb(if edge {
                [20, 20, 20]
            } else if inside {
                [250, 205, 95]
            } else {
                [255; 3]
            })
        });
        let ink: Vec<u8> = img.pixels().map(|p| u8::from(p.0 != [255; 3])).collect();
        let solid = find(&img, &ink, 4);
        let at = |x: usize, y: usize| solid[y * 60 + x];
        assert_eq!(at(30, 30), 1, "the middle");
        assert_eq!(at(13, 30), 1, "the fill reaches its outline");
        assert_eq!(
            (at(11, 30), at(12, 30), at(30, 10)),
            (0, 0, 0),
            "the outline"
        );
        let lines = settle(&ink, &solid, 60, 60, 2);
        assert_eq!((lines[30 * 60 + 30], lines[30 * 60 + 11]), (0, 1));
    }
}
