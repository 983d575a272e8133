//! The colour strokes are redrawn in: the palette's ink where the ink
//! nearby was grey or black, the ink's own (livelier) hue where it was
//! coloured, changing smoothly along a stroke.

use image::RgbImage;

use super::palette::Rgb;
use super::strokes::WEAK_CHROMA;

/// The colour of the strokes around each point, on a grid of `cell`-sized
/// blocks: dark ink where the nearby ink is mostly grey or black, the ink's
/// own (livelier) colour where it is mostly coloured.
pub struct InkColours {
    cell: usize,
    gw: usize,
    colours: Vec<Rgb>,
}

impl InkColours {
    pub fn new(img: &RgbImage, ink: &[u8], cell: usize, dark: Rgb) -> InkColours {
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
        let mut colours = vec![dark; gw * gh];
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
                colours[gy * gw + gx] = ink_colour(&t, dark);
            }
        }
        InkColours { cell, gw, colours }
    }

    /// The ink colour at a pixel, interpolated between cell centres so
    /// colours change smoothly along a stroke.
    pub fn at(&self, x: usize, y: usize) -> Rgb {
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
