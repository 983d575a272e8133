//! Which colour goes under every pixel: closed regions get palette colours,
//! everything outside every closed shape stays paper (transparent).
//!
//! Regions are the 4-connected areas between strokes. Any region that reaches
//! the image's edge is outside every closed shape. The others are coloured
//! biggest first, cycling through the palette while avoiding their
//! neighbours' colours, with look-alike regions sharing a colour; regions
//! under a minimum size (the inside of a letter, gaps in hatching) stay
//! paper. At night the biggest region is the sky if it spans most of the
//! picture (a framed scene), and small, boxy regions are windows. Each region's colour then spreads over every pixel that is not
//! in a region (the gaps closed in the strokes, the corners the gap closing
//! rounded off, then the strokes), so fills reach all the way to their
//! strokes and never past them.

use std::collections::VecDeque;

use super::label::{self, neighbours4, Component};

/// Fill slot of the night sky.
pub const SKY: u8 = 250;
/// Fill slot of a lit window.
pub const WINDOW: u8 = 251;
/// Fill slot of pixels not yet given a fill.
const UNSET: u8 = 253;
/// Fill slot of the paper around the drawing.
pub const OUTSIDE: u8 = 254;
/// Fill slot of regions too small to colour: left as paper.
pub const PAPER: u8 = 255;
/// At night the biggest region is the sky if its bounding box covers at
/// least this share (of 256) of the picture.
const SKY_SPAN: u64 = 100;
/// A region is a window at night if the biggest region is at least this many
/// times its size...
const WINDOW_SHARE: u32 = 8;
/// ...and it covers at least this share (of 256) of its bounding box: a
/// pane, not a sliver between two lines.
const WINDOW_BOXINESS: u32 = 150;

/// Which colour goes under every pixel, and how many regions were coloured.
pub struct Regions {
    /// A palette index, or [`SKY`], [`WINDOW`], [`OUTSIDE`] or [`PAPER`].
    pub fill: Vec<u8>,
    pub coloured: usize,
}

/// Labels the regions of `open` (1 where regions may spread; `lines` 1 on
/// the strokes) and picks each one's fill from `colours` palette slots (the night roles if `night`).
pub fn regions(
    open: &[u8],
    lines: &[u8],
    w: u32,
    h: u32,
    min_area: u32,
    colours: usize,
    night: bool,
) -> Regions {
    let found = label::label(open, w, h, false);
    let comps = &found.comps;
    let mut order: Vec<usize> = (0..comps.len())
        .filter(|&i| !comps[i].touches_border && comps[i].area >= min_area)
        .collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(comps[i].area), i));
    let mut fill_of = vec![PAPER; comps.len()];
    let mut next = 0;
    for (rank, &i) in order.iter().enumerate() {
        let comp = &comps[i];
        if night && rank == 0 && is_sky(comp, w, h) {
            fill_of[i] = SKY;
            continue;
        }
        if night && is_window(comp, &comps[order[0]]) {
            fill_of[i] = WINDOW;
            continue;
        }
        let earlier = &order[..rank];
        if let Some(&twin) = earlier
            .iter()
            .find(|&&j| fill_of[j] < SKY && alike(comp, &comps[j]))
        {
            fill_of[i] = fill_of[twin];
            continue;
        }
        // A new kind of region takes the next palette colour that none of
        // its neighbours has, if there is one.
        let taken = |c: usize| {
            earlier
                .iter()
                .any(|&j| fill_of[j] as usize == c && touching(comp, &comps[j], w.max(h) / 64))
        };
        let pick = (next..next + colours)
            .map(|c| c % colours)
            .find(|&c| !taken(c))
            .unwrap_or(next % colours);
        fill_of[i] = pick as u8;
        next = pick + 1;
    }
    for (i, comp) in comps.iter().enumerate() {
        if comp.touches_border {
            fill_of[i] = OUTSIDE;
        }
    }
    let mut fill = vec![UNSET; open.len()];
    for (run, &id) in found.runs.iter().zip(&found.run_comp) {
        let start = run.y as usize * w as usize;
        fill[start + run.x0 as usize..start + run.x1 as usize].fill(fill_of[id as usize]);
    }
    spread(&mut fill, lines, w as usize, h as usize);
    Regions {
        fill,
        coloured: order.len(),
    }
}

/// Whether the biggest region is the sky: it spans most of the picture (a
/// frame around a scene), rather than being one object (a house's wall).
fn is_sky(comp: &Component, w: u32, h: u32) -> bool {
    u64::from(comp.x1 - comp.x0) * u64::from(comp.y1 - comp.y0) * 256
        >= u64::from(w) * u64::from(h) * SKY_SPAN
}

/// A small boxy region beside the biggest one: a window.
fn is_window(comp: &Component, biggest: &Component) -> bool {
    let boxed = (comp.x1 - comp.x0) * (comp.y1 - comp.y0);
    comp.area * WINDOW_SHARE <= biggest.area && comp.area * 256 >= boxed * WINDOW_BOXINESS
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

/// Gives every unset pixel the fill of the nearest set one (breadth first,
/// in a fixed order, so the result depends only on the input): first the
/// pixels off the lines (corners rounded off and gaps closed by the gap
/// closing), reached without crossing a line, so a fill never leaks past
/// its outline; pixels still unset then (slivers sealed between lines) are
/// paper; last the lines themselves, under their soft edges.
fn spread(fill: &mut [u8], lines: &[u8], w: usize, h: usize) {
    // Only set pixels beside an unset one can spread: the rest are left out
    // of the queue (most of the picture).
    let seeds = |fill: &[u8]| -> VecDeque<usize> {
        (0..fill.len())
            .filter(|&i| {
                let (x, y) = (i % w, i / w);
                fill[i] != UNSET
                    && ((x > 0 && fill[i - 1] == UNSET)
                        || (x + 1 < w && fill[i + 1] == UNSET)
                        || (y > 0 && fill[i - w] == UNSET)
                        || (y + 1 < h && fill[i + w] == UNSET))
            })
            .collect()
    };
    if fill.iter().all(|&f| f == UNSET) {
        fill.fill(OUTSIDE);
        return;
    }
    let mut queue = seeds(fill);
    grow(fill, &mut queue, w, h, |i| lines[i] == 0);
    for (f, &l) in fill.iter_mut().zip(lines) {
        if *f == UNSET && l == 0 {
            *f = PAPER;
        }
    }
    let mut queue = seeds(fill);
    grow(fill, &mut queue, w, h, |_| true);
}

/// Breadth-first growth of the fills in `queue` into unset pixels that
/// `may` enter.
fn grow(
    fill: &mut [u8],
    queue: &mut VecDeque<usize>,
    w: usize,
    h: usize,
    may: impl Fn(usize) -> bool,
) {
    while let Some(i) = queue.pop_front() {
        for n in neighbours4(i, w, h) {
            if fill[n] == UNSET && may(n) {
                fill[n] = fill[i];
                queue.push_back(n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_spread_over_strokes_to_the_nearest_region() {
        // Two regions split by a stroke two pixels wide, and a closed ring.
        let (w, h) = (9usize, 7usize);
        let rows = [
            "111111111", //
            "1.......1", //
            "1.11111.1", //
            "1.1...1.1", //
            "1.11111.1", //
            "1.......1", //
            "111111111",
        ];
        let open: Vec<u8> = rows
            .iter()
            .flat_map(|r| {
                r.bytes()
                    .map(|b| u8::from(b == b'1' || b == b'.') & u8::from(b != b'1'))
            })
            .collect();
        // '.' is open; '1' is stroke. The outer ring of '1's touches the
        // border, so everything is one enclosed region inside it and a
        // second inside the inner ring.
        let lines: Vec<u8> = open.iter().map(|&o| 1 - o).collect();
        let r = regions(&open, &lines, w as u32, h as u32, 1, 4, false);
        assert!(r.fill.iter().all(|&f| f != UNSET));
        assert_eq!(r.coloured, 2);
        assert_ne!(r.fill[3 * w + 4], r.fill[w + 1]);
        assert_eq!(
            r.fill[0],
            r.fill[w + 1],
            "the border stroke takes the region beside it"
        );
    }
}
