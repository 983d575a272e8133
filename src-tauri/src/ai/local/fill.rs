//! Painting: closed regions get flat palette colours, the paper gets the
//! palette's background, and strokes are laid on top in their own colour.
//!
//! Regions are the 4-connected areas between strokes. Any region that reaches
//! the image's edge is outside every closed shape, so it is background. The
//! others are coloured biggest first, cycling through the palette while
//! avoiding their neighbours' colours, with look-alike regions sharing a
//! colour; regions under a minimum size (the inside of a letter, gaps in
//! hatching) stay paper.

use image::{RgbImage, RgbaImage};

use super::label::{self, Component};
use super::palette::{Palette, Rgb};
use super::strokes::WEAK_CHROMA;

/// Fill index of the paper around the drawing.
const BACKGROUND: u8 = 254;
/// Fill index of regions too small to colour: left as paper.
const PAPER: u8 = 255;
/// Fill index of stroke pixels (replaced by a neighbour's at soft edges).
const STROKE: u8 = 253;
/// Strokes at or above this coverage separate regions.
pub const BARRIER: u8 = 128;

/// Which colour goes under every pixel, and how many regions were coloured.
pub struct Regions {
    pub fill: Vec<u8>,
    pub coloured: usize,
}

/// Labels the regions between strokes and picks each one's fill. `open` is
/// 1 where regions may spread, 0 on strokes (and on the small gaps closed
/// between them); `cov` is the drawn strokes' coverage.
pub fn regions(
    open: &[u8],
    cov: &[u8],
    w: u32,
    h: u32,
    min_area: u32,
    palette: &Palette,
) -> Regions {
    let found = label::label(open, w, h, false);
    let mut order: Vec<usize> = (0..found.comps.len())
        .filter(|&i| !found.comps[i].touches_border && found.comps[i].area >= min_area)
        .collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(found.comps[i].area), i));
    let mut fill_of = vec![PAPER; found.comps.len()];
    let mut next = 0;
    for (rank, &i) in order.iter().enumerate() {
        let comp = &found.comps[i];
        let earlier = &order[..rank];
        if let Some(&twin) = earlier.iter().find(|&&j| alike(comp, &found.comps[j])) {
            fill_of[i] = fill_of[twin];
            continue;
        }
        // A new kind of region takes the next palette colour that none of
        // its neighbours has, if there is one.
        let n = palette.fills.len();
        let taken = |c: usize| {
            earlier.iter().any(|&j| {
                fill_of[j] as usize == c && touching(comp, &found.comps[j], w.max(h) / 64)
            })
        };
        let pick = (next..next + n)
            .map(|c| c % n)
            .find(|&c| !taken(c))
            .unwrap_or(next % n);
        fill_of[i] = pick as u8;
        next = pick + 1;
    }
    for (i, comp) in found.comps.iter().enumerate() {
        if comp.touches_border {
            fill_of[i] = BACKGROUND;
        }
    }
    let mut fill = vec![STROKE; cov.len()];
    for (run, &id) in found.runs.iter().zip(&found.run_comp) {
        let start = run.y as usize * w as usize;
        fill[start + run.x0 as usize..start + run.x1 as usize].fill(fill_of[id as usize]);
    }
    borrow_edges(&mut fill, cov, w as usize, h as usize);
    Regions {
        fill,
        coloured: order.len(),
    }
}

/// Whether two regions are the same kind of thing (the panes of a window,
/// the gaps in a fence, two clouds): area and bounding box within a fifth of
/// each other. Such regions get the same colour, as a person colouring in
/// would give them.
fn alike(a: &Component, b: &Component) -> bool {
    let close = |p: u32, q: u32| p.abs_diff(q) * 5 <= p.max(q);
    close(a.area, b.area) && close(a.x1 - a.x0, b.x1 - b.x0) && close(a.y1 - a.y0, b.y1 - b.y0)
}

/// Whether two regions' bounding boxes, grown by `margin`, overlap: a cheap
/// stand-in for "share a stroke", erring towards yes.
fn touching(a: &Component, b: &Component, margin: u32) -> bool {
    a.x0 < b.x1 + margin && b.x0 < a.x1 + margin && a.y0 < b.y1 + margin && b.y0 < a.y1 + margin
}

/// Gives stroke pixels that are not fully covered the fill of a neighbour,
/// so their soft edge blends into the colour beside them. Pixels of a closed
/// gap are not drawn at all, so they take their neighbours' fill too.
fn borrow_edges(fill: &mut [u8], cov: &[u8], w: usize, h: usize) {
    let mut todo: Vec<usize> = (0..fill.len())
        .filter(|&i| fill[i] == STROKE && cov[i] < 255)
        .collect();
    // Each round reaches one pixel further in; a gap is only a few wide.
    for _ in 0..16 {
        let mut found = Vec::new();
        todo.retain(|&i| {
            let (x, y) = (i % w, i / w);
            let neighbours = [
                (x > 0).then(|| i - 1),
                (x + 1 < w).then(|| i + 1),
                (y > 0).then(|| i - w),
                (y + 1 < h).then(|| i + w),
            ];
            match neighbours
                .into_iter()
                .flatten()
                .find(|&n| fill[n] != STROKE)
            {
                Some(n) => {
                    found.push((i, fill[n]));
                    false
                }
                None => true,
            }
        });
        if found.is_empty() {
            break;
        }
        for (i, f) in found {
            fill[i] = f;
        }
    }
}

/// The colour of the strokes around each point, on a grid of `cell`-sized
/// blocks: dark ink where the nearby ink is mostly grey or black, the ink's
/// own (livelier) colour where it is mostly coloured.
pub struct InkColours {
    cell: usize,
    gw: usize,
    colours: Vec<Rgb>,
}

impl InkColours {
    pub fn new(img: &RgbImage, ink: &[u8], cell: usize, palette: &Palette) -> InkColours {
        let (w, h) = (img.width() as usize, img.height() as usize);
        let (gw, gh) = (w.div_ceil(cell), h.div_ceil(cell));
        // Per cell: the coloured ink's channels and weight, all ink, coloured ink.
        let mut sums = vec![[0u32; 6]; gw * gh];
        let raw = img.as_raw();
        for (i, _) in ink.iter().enumerate().filter(|(_, &m)| m != 0) {
            let px = &raw[i * 3..i * 3 + 3];
            let s = &mut sums[(i / w / cell) * gw + (i % w) / cell];
            s[4] += 1;
            let c = u32::from(*px.iter().max().unwrap() - *px.iter().min().unwrap());
            if c > WEAK_CHROMA {
                // Weighted by chroma, so a stroke's saturated core sets its
                // colour rather than its paler rim.
                s[0] += u32::from(px[0]) * c;
                s[1] += u32::from(px[1]) * c;
                s[2] += u32::from(px[2]) * c;
                s[3] += c;
                s[5] += 1;
            }
        }
        let mut colours = vec![palette.ink; gw * gh];
        for gy in 0..gh {
            for gx in 0..gw {
                let mut t = [0u32; 6];
                for yy in gy.saturating_sub(1)..(gy + 2).min(gh) {
                    for xx in gx.saturating_sub(1)..(gx + 2).min(gw) {
                        for (a, b) in t.iter_mut().zip(sums[yy * gw + xx]) {
                            *a += b;
                        }
                    }
                }
                colours[gy * gw + gx] = ink_colour(&t, palette.ink);
            }
        }
        InkColours { cell, gw, colours }
    }

    /// The ink colour at a pixel, interpolated between cell centres so
    /// colours change smoothly along a stroke.
    fn at(&self, x: usize, y: usize) -> Rgb {
        let gh = self.colours.len() / self.gw;
        let axis = |p: usize, cells: usize| {
            let pos = ((p * 2 + 1) * 128 / self.cell).saturating_sub(128);
            let i = pos / 256;
            if i + 1 >= cells {
                (cells - 1, cells - 1, 0)
            } else {
                (i, i + 1, pos % 256)
            }
        };
        let (x0, x1, fx) = axis(x, self.gw);
        let (y0, y1, fy) = axis(y, gh);
        let c = |gx: usize, gy: usize| self.colours[gy * self.gw + gx];
        let (a, b, d, e) = (c(x0, y0), c(x1, y0), c(x0, y1), c(x1, y1));
        [0, 1, 2].map(|k| {
            let top = a[k] as usize * (256 - fx) + b[k] as usize * fx;
            let bottom = d[k] as usize * (256 - fx) + e[k] as usize * fx;
            ((top * (256 - fy) + bottom * fy + (1 << 15)) >> 16) as u8
        })
    }
}

/// Dark ink blended towards the coloured ink's mean by the share of coloured
/// ink, the mean made a little more saturated so it reads as deliberate.
fn ink_colour(t: &[u32; 6], dark: Rgb) -> Rgb {
    if t[3] == 0 {
        return dark;
    }
    let mean = [t[0] / t[3], t[1] / t[3], t[2] / t[3]].map(|v| v as i32);
    let grey = (mean[0] + mean[1] + mean[2]) / 3;
    let vivid = mean.map(|v| (grey + (v - grey) * 5 / 4).clamp(0, 255));
    // Share of coloured ink, mapped so that half or more is fully coloured.
    let share = (t[5] * 256 / t[4].max(1)).saturating_sub(51).min(77) as i32 * 256 / 77;
    [0, 1, 2].map(|c| {
        let d = i32::from(dark[c]);
        (d + (vivid[c] - d) * share / 256) as u8
    })
}

/// Lays the strokes over the fills.
pub fn composite(
    cov: &[u8],
    regions: &Regions,
    inks: &InkColours,
    palette: &Palette,
    w: u32,
    h: u32,
) -> RgbaImage {
    let mut table = [[255u8; 3]; 256];
    for (slot, colour) in table.iter_mut().zip(palette.fills) {
        *slot = *colour;
    }
    table[BACKGROUND as usize] = palette.background;
    // Holes sealed by gap closing are not drawn: they stay paper.
    table[STROKE as usize] = [255; 3];
    let mut out = vec![255u8; w as usize * h as usize * 4];
    for (i, px) in out.chunks_exact_mut(4).enumerate() {
        let under = table[regions.fill[i] as usize];
        let c = u32::from(cov[i]);
        if c == 0 {
            px[..3].copy_from_slice(&under);
            continue;
        }
        let ink = inks.at(i % w as usize, i / w as usize);
        for k in 0..3 {
            let v = u32::from(under[k]) * (255 - c) + u32::from(ink[k]) * c;
            px[k] = ((v + 127) / 255) as u8;
        }
    }
    RgbaImage::from_raw(w, h, out).expect("buffer sized to the image")
}
