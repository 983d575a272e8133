//! Paper cleanup: transparency onto white, then the paper's own shade divided
//! out so that uneven light, grey or tinted paper all become white.
//!
//! The paper's shade is estimated on a coarse grid (the brightest value of each
//! cell, since every cell that holds any paper holds some bright pixels), with
//! cells that cannot be paper (much darker or more colourful than the typical
//! cell, i.e. inside a big dark or coloured area) replaced by the typical
//! paper, then smoothed and interpolated back to full size. Working on a grid
//! keeps this a few passes over the image whatever its size.

use image::RgbImage;

/// Cells of the paper-estimate grid across the image's shorter side.
const CELLS_ACROSS: u32 = 20;
/// Normalised values at or above this become pure white.
const WHITE_POINT: u32 = 232;
/// Normalised values at or below this become pure black.
const BLACK_POINT: u32 = 24;
/// The most the paper's shade may fall from one cell to the next, out of
/// 256: about 12 %, steeper than the light across a photographed page
/// changes, gentler than the edge of a dark shape.
const SHADE_STEP: u32 = 225;
/// The darkest paper shade divided out; darker "paper" is a dark picture, and
/// dividing by it would only amplify noise.
const MIN_PAPER: u32 = 48;

/// Share (of 1024) of the pixels that, transparent or pure white, make an
/// input a clean digital drawing (a board export, an earlier result) rather
/// than a photo of paper, which is never exactly white anywhere.
const CLEAN_SHARE: u64 = 20;

/// Whether the input is a clean digital drawing, whose paper needs no
/// cleaning. Dividing out a paper shade that is not there would only
/// brighten the middle of big filled areas (where the estimate of the paper
/// falls off), so it is skipped for these.
pub fn is_clean(input: &image::RgbaImage) -> bool {
    let clean = input
        .as_raw()
        .chunks_exact(4)
        .filter(|px| px[3] == 0 || px == &[255, 255, 255, 255])
        .count() as u64;
    clean * 1024 >= CLEAN_SHARE * u64::from(input.width()) * u64::from(input.height())
}

/// 1 where the input is more transparent than opaque, at the output's size
/// (`factor` times the input's); None for an input with no such pixel.
pub fn faint(input: &image::RgbaImage, factor: u32) -> Option<Vec<u8>> {
    if !input.pixels().any(|p| p[3] < 128) {
        return None;
    }
    let (w, h) = (input.width() * factor, input.height() * factor);
    let mut out = Vec::with_capacity(w as usize * h as usize);
    for y in 0..h {
        for x in 0..w {
            out.push(u8::from(input.get_pixel(x / factor, y / factor)[3] < 128));
        }
    }
    Some(out)
}

/// The input with transparency composited onto white paper.
pub fn flatten(input: &image::RgbaImage) -> RgbImage {
    let (w, h) = input.dimensions();
    let mut out = Vec::with_capacity(w as usize * h as usize * 3);
    for px in input.as_raw().chunks_exact(4) {
        let a = u32::from(px[3]);
        if a == 255 {
            out.extend_from_slice(&px[..3]);
        } else {
            for &c in &px[..3] {
                out.push(((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8);
            }
        }
    }
    RgbImage::from_raw(w, h, out).expect("buffer sized to the image")
}

/// Integer luminance (Rec. 601 weights), 0..=255.
pub fn luma(px: &[u8]) -> u32 {
    (77 * u32::from(px[0]) + 150 * u32::from(px[1]) + 29 * u32::from(px[2])) >> 8
}

fn chroma(px: &[u32; 3]) -> u32 {
    px.iter().max().unwrap() - px.iter().min().unwrap()
}

/// The grid of paper shades, one RGB value per `cell` × `cell` block.
fn paper_grid(img: &RgbImage, cell: u32) -> (Vec<[u32; 3]>, usize, usize) {
    let (w, h) = img.dimensions();
    let gw = w.div_ceil(cell) as usize;
    let gh = h.div_ceil(cell) as usize;
    let mut grid = vec![[0u32; 3]; gw * gh];
    let raw = img.as_raw();
    for y in 0..h as usize {
        let grow = &mut grid[(y / cell as usize) * gw..][..gw];
        let row = &raw[y * w as usize * 3..][..w as usize * 3];
        for (gx, chunk) in row.chunks(cell as usize * 3).enumerate() {
            let g = &mut grow[gx];
            for px in chunk.chunks_exact(3) {
                g[0] = g[0].max(u32::from(px[0]));
                g[1] = g[1].max(u32::from(px[1]));
                g[2] = g[2].max(u32::from(px[2]));
            }
        }
    }
    // Cells far more colourful than the typical cell (the median by
    // brightness) lie inside a coloured area: they say nothing of the paper.
    let mut order: Vec<usize> = (0..grid.len()).collect();
    order.sort_by_key(|&i| (luma3(&grid[i]), i));
    let typical_chroma = chroma(&grid[order[order.len() / 2]]);
    for g in grid.iter_mut() {
        if chroma(g) > typical_chroma + 40 {
            *g = [0; 3];
        }
    }
    envelope(&mut grid, gw, gh);
    for _ in 0..2 {
        grid = blur3(&grid, gw, gh);
    }
    for g in grid.iter_mut() {
        for c in g.iter_mut() {
            *c = (*c).max(MIN_PAPER);
        }
    }
    (grid, gw, gh)
}

/// Raises every cell to at least `SHADE_STEP` of each neighbour, per channel.
/// Light on paper changes slowly, so a cell much darker than its neighbours
/// lies inside a dark area (a filled shape, a thick stroke) and gets the
/// paper around it instead; real shading, which falls off gradually, is
/// kept. Two chamfer passes (forwards, then backwards) settle every cell.
fn envelope(grid: &mut [[u32; 3]], gw: usize, gh: usize) {
    let relax = |grid: &mut [[u32; 3]], i: usize, n: usize| {
        let near = grid[n];
        for (v, nv) in grid[i].iter_mut().zip(near) {
            *v = (*v).max((nv * SHADE_STEP) >> 8);
        }
    };
    for y in 0..gh {
        for x in 0..gw {
            let i = y * gw + x;
            if x > 0 {
                relax(grid, i, i - 1);
            }
            if y > 0 {
                relax(grid, i, i - gw);
                if x > 0 {
                    relax(grid, i, i - gw - 1);
                }
                if x + 1 < gw {
                    relax(grid, i, i - gw + 1);
                }
            }
        }
    }
    for y in (0..gh).rev() {
        for x in (0..gw).rev() {
            let i = y * gw + x;
            if x + 1 < gw {
                relax(grid, i, i + 1);
            }
            if y + 1 < gh {
                relax(grid, i, i + gw);
                if x + 1 < gw {
                    relax(grid, i, i + gw + 1);
                }
                if x > 0 {
                    relax(grid, i, i + gw - 1);
                }
            }
        }
    }
}

fn luma3(px: &[u32; 3]) -> u32 {
    (77 * px[0] + 150 * px[1] + 29 * px[2]) >> 8
}

/// A 3 × 3 mean over the grid, edges clamped.
fn blur3(grid: &[[u32; 3]], gw: usize, gh: usize) -> Vec<[u32; 3]> {
    let mut out = vec![[0u32; 3]; grid.len()];
    for y in 0..gh {
        for x in 0..gw {
            let mut sum = [0u32; 3];
            for dy in [-1isize, 0, 1] {
                for dx in [-1isize, 0, 1] {
                    let yy = (y as isize + dy).clamp(0, gh as isize - 1) as usize;
                    let xx = (x as isize + dx).clamp(0, gw as isize - 1) as usize;
                    for c in 0..3 {
                        sum[c] += grid[yy * gw + xx][c];
                    }
                }
            }
            out[y * gw + x] = sum.map(|s| (s + 4) / 9);
        }
    }
    out
}

/// Cell index and weight (of the next cell, out of 256) for each coordinate,
/// interpolating between cell centres.
fn interp_axis(len: u32, cell: u32, cells: usize) -> Vec<(usize, u32)> {
    (0..len)
        .map(|p| {
            // Position in cell units, relative to the first cell's centre, × 256.
            let pos = ((p * 2 + 1) * 256 / (cell * 2)).saturating_sub(128);
            let i = (pos / 256) as usize;
            if i + 1 >= cells {
                (cells - 1, 0)
            } else {
                (i, pos % 256)
            }
        })
        .collect()
}

/// Divides the paper's shade out of `img` in place and stretches the result
/// so that paper is white and the darkest ink black.
pub fn normalise(img: &mut RgbImage) {
    let (w, h) = img.dimensions();
    let cell = (w.min(h) / CELLS_ACROSS).clamp(8, 64);
    let (grid, gw, gh) = paper_grid(img, cell);
    let xs = interp_axis(w, cell, gw);
    let ys = interp_axis(h, cell, gh);
    // v * 255 / paper, as a multiply by a 16.16 reciprocal.
    let recip: Vec<u32> = (0..256u32).map(|p| (255 << 16) / p.max(1)).collect();
    let levels: Vec<u8> = (0..256u32)
        .map(|v| {
            let v = v.clamp(BLACK_POINT, WHITE_POINT);
            ((v - BLACK_POINT) * 255 / (WHITE_POINT - BLACK_POINT)) as u8
        })
        .collect();
    let mut row_paper = vec![[0u32; 3]; gw];
    let raw: &mut [u8] = img;
    for (y, row) in raw.chunks_exact_mut(w as usize * 3).enumerate() {
        let (gy, fy) = ys[y];
        let gy1 = (gy + 1).min(gh - 1);
        for (gx, out) in row_paper.iter_mut().enumerate() {
            let (a, b) = (grid[gy * gw + gx], grid[gy1 * gw + gx]);
            *out = [0, 1, 2].map(|c| a[c] * (256 - fy) + b[c] * fy);
        }
        for (px, &(gx, fx)) in row.chunks_exact_mut(3).zip(&xs) {
            let (a, b) = (row_paper[gx], row_paper[(gx + 1).min(gw - 1)]);
            for c in 0..3 {
                let paper = (a[c] * (256 - fx) + b[c] * fx + (1 << 15)) >> 16;
                let v = (u32::from(px[c]) * recip[paper as usize]) >> 16;
                px[c] = levels[v.min(255) as usize];
            }
        }
    }
}
