//! Neighbourhood operations over a whole image: box sums (for growing,
//! shrinking and averaging masks; their cost does not depend on the
//! neighbourhood's size), running minimum and maximum over a few pixels (for
//! the local contrast test that tells a stroke's core from its soft rim),
//! and a chamfer distance.
//!
//! Images here are plain row-major slices of `w × h` values.

/// Sum of `src` over the (2r+1)² window around each pixel; pixels outside
/// the image count as `outside`.
pub fn box_sum(src: &[u8], w: usize, h: usize, r: usize, outside: u32) -> Vec<u32> {
    // Horizontal: a running sum along each row.
    let mut horiz = vec![0u32; src.len()];
    for (row, out) in src.chunks_exact(w).zip(horiz.chunks_exact_mut(w)) {
        let mut sum = outside * r as u32;
        for &v in row.iter().take(r + 1) {
            sum += u32::from(v);
        }
        sum += outside * (r + 1).saturating_sub(w) as u32;
        for x in 0..w {
            out[x] = sum;
            let add = row.get(x + r + 1).map_or(outside, |&v| u32::from(v));
            let sub = if x >= r {
                u32::from(row[x - r])
            } else {
                outside
            };
            sum = sum + add - sub;
        }
    }
    // Vertical: one running sum per column, rows added and removed whole.
    let span = 2 * r as u32 + 1;
    let mut col = vec![outside * (r as u32) * span; w];
    for y in 0..(r + 1).min(h) {
        for (c, &v) in col.iter_mut().zip(&horiz[y * w..(y + 1) * w]) {
            *c += v;
        }
    }
    let missing = (r + 1).saturating_sub(h) as u32;
    for c in col.iter_mut() {
        *c += outside * span * missing;
    }
    let mut out = vec![0u32; src.len()];
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
    let full = ((2 * r + 1) * (2 * r + 1)) as u32;
    box_sum(mask, w, h, r, 1)
        .iter()
        .map(|&s| u8::from(s == full))
        .collect()
}

/// Running maximum (`max`) or minimum over the (2r+1)² window of each
/// pixel; the window is cut at the image's edge. Done as `2r` whole-row
/// comparisons each way (rows against shifted rows), which the compiler
/// vectorises: faster than a radius-free method for the few pixels of
/// reach it is used with.
pub fn extreme(src: &[u8], w: usize, h: usize, r: usize, max: bool) -> Vec<u8> {
    let pick = |a: &mut u8, b: u8| *a = if max { (*a).max(b) } else { (*a).min(b) };
    let mut rows = src.to_vec();
    for (line, out) in src.chunks_exact(w).zip(rows.chunks_exact_mut(w)) {
        for d in 1..=r.min(w.saturating_sub(1)) {
            for (o, &v) in out[d..].iter_mut().zip(&line[..w - d]) {
                pick(o, v);
            }
            for (o, &v) in out[..w - d].iter_mut().zip(&line[d..]) {
                pick(o, v);
            }
        }
    }
    let mut out = rows.clone();
    for y in 0..h {
        let row = &mut out[y * w..(y + 1) * w];
        for yy in y.saturating_sub(r)..(y + r + 1).min(h) {
            if yy != y {
                for (o, &v) in row.iter_mut().zip(&rows[yy * w..(yy + 1) * w]) {
                    pick(o, v);
                }
            }
        }
    }
    out
}

/// For each pixel, about how far (in pixels, capped at 255) it is from the
/// nearest pixel whose `label` differs from its own: 0 on a boundary. A
/// two-pass 3-4 chamfer, which errs by under 8 % from the true distance.
pub fn distance_to_edge(label: &[u8], w: usize, h: usize) -> Vec<u8> {
    const FAR: u32 = 3 * 255;
    let mut d = vec![FAR; label.len()];
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            let l = label[i];
            let edge = (x > 0 && label[i - 1] != l)
                || (x + 1 < w && label[i + 1] != l)
                || (y > 0 && label[i - w] != l)
                || (y + 1 < h && label[i + w] != l);
            if edge {
                d[i] = 0;
            }
        }
    }
    let step = |d: &mut [u32], i: usize, n: usize, cost: u32| {
        let v = d[n] + cost;
        if v < d[i] {
            d[i] = v;
        }
    };
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            if x > 0 {
                step(&mut d, i, i - 1, 3);
            }
            if y > 0 {
                step(&mut d, i, i - w, 3);
                if x > 0 {
                    step(&mut d, i, i - w - 1, 4);
                }
                if x + 1 < w {
                    step(&mut d, i, i - w + 1, 4);
                }
            }
        }
    }
    for y in (0..h).rev() {
        for x in (0..w).rev() {
            let i = y * w + x;
            if x + 1 < w {
                step(&mut d, i, i + 1, 3);
            }
            if y + 1 < h {
                step(&mut d, i, i + w, 3);
                if x + 1 < w {
                    step(&mut d, i, i + w + 1, 4);
                }
                if x > 0 {
                    step(&mut d, i, i + w - 1, 4);
                }
            }
        }
    }
    d.iter().map(|&v| (v / 3).min(255) as u8).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(src: &[u8], w: usize, h: usize, r: usize, outside: u32) -> Vec<u32> {
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
                            u32::from(src[yy as usize * w + xx as usize])
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
    fn running_extremes_match_the_definition() {
        let src: Vec<u8> = (0..63u32).map(|i| (i * 37 % 251) as u8).collect();
        for (w, h) in [(9, 7), (7, 9), (1, 1), (63, 1), (1, 63)] {
            for r in 0..5 {
                let s = &src[..w * h];
                for max in [true, false] {
                    let got = extreme(s, w, h, r, max);
                    for y in 0..h {
                        for x in 0..w {
                            let window = (y.saturating_sub(r)..(y + r + 1).min(h)).flat_map(|yy| {
                                (x.saturating_sub(r)..(x + r + 1).min(w))
                                    .map(move |xx| s[yy * w + xx])
                            });
                            let want = if max { window.max() } else { window.min() };
                            assert_eq!(Some(got[y * w + x]), want, "{w}×{h} r {r} at {x},{y}");
                        }
                    }
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

    #[test]
    fn distance_grows_away_from_a_boundary() {
        let (w, h) = (20, 1);
        let label: Vec<u8> = (0..20).map(|x| u8::from(x >= 10)).collect();
        let d = distance_to_edge(&label, w, h);
        assert_eq!(&d[8..12], &[1, 0, 0, 1]);
        assert_eq!(d[0], 9);
        assert_eq!(d[19], 9);
    }
}
