//! The camera over a scene's picture: a deterministic Ken Burns pan and zoom.
//!
//! A picture is scaled once per scene ([`Picture::cover`]) to the frame's
//! aspect at the largest zoom the camera uses, so each frame only samples a
//! moving window of it with a cheap bilinear filter: no per-frame rescale of
//! the original image.

use image::imageops::{self, FilterType};
use image::RgbaImage;

/// How far the camera zooms in at most (1.0 shows the whole cover crop).
pub const MAX_ZOOM: f32 = 1.2;
/// How little it zooms at the wide end of a move.
const MIN_ZOOM: f32 = 1.0;

/// An opaque RGB picture, 3 bytes per pixel, rows packed.
#[derive(Clone, Debug)]
pub(crate) struct Picture {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

impl Picture {
    /// The largest centred crop of `image` with the frame's aspect, scaled to
    /// `zoom` times the frame size and flattened onto black.
    pub fn cover(image: &RgbaImage, frame_w: u32, frame_h: u32, zoom: f32) -> Picture {
        let (iw, ih) = image.dimensions();
        let target_w = ((frame_w as f32 * zoom).round() as u32).max(1);
        let target_h = ((frame_h as f32 * zoom).round() as u32).max(1);
        // Crop to the frame's aspect first, so the resize keeps proportions.
        let frame_aspect = frame_w as f64 / frame_h as f64;
        let (cw, ch) = if iw as f64 / ih as f64 > frame_aspect {
            (((ih as f64 * frame_aspect).round() as u32).clamp(1, iw), ih)
        } else {
            (iw, ((iw as f64 / frame_aspect).round() as u32).clamp(1, ih))
        };
        let crop = imageops::crop_imm(image, (iw - cw) / 2, (ih - ch) / 2, cw, ch).to_image();
        let scaled = imageops::resize(&crop, target_w, target_h, FilterType::Triangle);
        let mut rgb = Vec::with_capacity((target_w * target_h * 3) as usize);
        for pixel in scaled.pixels() {
            let [r, g, b, a] = pixel.0;
            let a = u16::from(a);
            rgb.extend([r, g, b].map(|c| ((u16::from(c) * a + 127) / 255) as u8));
        }
        Picture {
            width: target_w,
            height: target_h,
            rgb,
        }
    }
}

/// The visible part of a picture, in fractions of its size: centre and zoom.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct View {
    pub cx: f32,
    pub cy: f32,
    /// Magnification of the prepared picture: 1.0 shows all of it, 2.0
    /// half its width.
    pub zoom: f32,
}

impl View {
    pub const WHOLE: View = View {
        cx: 0.5,
        cy: 0.5,
        zoom: 1.0,
    };
}

/// A camera move over one scene: from one view to another.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Move {
    pub from: View,
    pub to: View,
}

impl Move {
    /// The move for scene `index` of a plan with `seed`: the same inputs give
    /// the same move, so a re-render is identical. The picture must be
    /// prepared at [`MAX_ZOOM`] times the frame size, so the closest view is
    /// sampled 1:1.
    pub fn ken_burns(seed: u64, index: usize) -> Move {
        let mut state = seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut next = || unit(splitmix64(&mut state));
        let wide = MIN_ZOOM + 0.04 * next();
        let close = MAX_ZOOM - 0.04 * next();
        let (z0, z1) = if next() < 0.5 {
            (wide, close)
        } else {
            (close, wide)
        };
        let mut view = |zoom: f32| {
            // Keep the window inside the picture: its half-size is 0.5/zoom.
            let half = 0.5 / zoom;
            View {
                cx: half + (1.0 - 2.0 * half) * next(),
                cy: half + (1.0 - 2.0 * half) * next(),
                zoom,
            }
        };
        Move {
            from: view(z0),
            to: view(z1),
        }
    }

    /// The view at `t` in 0..=1, eased so the camera starts and stops gently.
    pub fn at(&self, t: f32) -> View {
        let t = t.clamp(0.0, 1.0);
        let eased = t * t * (3.0 - 2.0 * t);
        let mix = |a: f32, b: f32| a + (b - a) * eased;
        View {
            cx: mix(self.from.cx, self.to.cx),
            cy: mix(self.from.cy, self.to.cy),
            zoom: mix(self.from.zoom, self.to.zoom),
        }
    }
}

/// Fills `out` (RGB, `width`×`height`) with `view` of `picture`, bilinearly.
///
/// Per output row, the two source rows are first blended vertically over the
/// span the view covers (a straight loop the compiler vectorises), then each
/// output pixel blends two neighbours of that blended row.
pub(crate) fn sample(picture: &Picture, view: View, out: &mut [u8], width: u32, height: u32) {
    let (pw, ph) = (picture.width as f32, picture.height as f32);
    let zoom = view.zoom.max(1.0);
    let (vw, vh) = (pw / zoom, ph / zoom);
    let left = (view.cx * pw - vw / 2.0).clamp(0.0, pw - vw);
    let top = (view.cy * ph - vh / 2.0).clamp(0.0, ph - vh);
    let columns: Vec<(usize, u32)> = (0..width)
        .map(|i| axis_at(left, vw / width as f32, i, picture.width))
        .collect();
    let first = columns.first().map_or(0, |&(x, _)| x);
    let last = columns.last().map_or(0, |&(x, _)| x + 1);
    let span = first * 3..(last + 1) * 3;
    let mut blended = vec![0u16; span.len()];
    let stride = picture.width as usize * 3;
    for (y, row) in out.chunks_exact_mut(width as usize * 3).enumerate() {
        let (y0, fy) = axis_at(top, vh / height as f32, y as u32, picture.height);
        let upper = &picture.rgb[y0 * stride..][span.clone()];
        let lower = &picture.rgb[(y0 + 1) * stride..][span.clone()];
        let (wu, wl) = (256 - fy as u16, fy as u16);
        for ((b, &u), &l) in blended.iter_mut().zip(upper).zip(lower) {
            *b = u16::from(u) * wu + u16::from(l) * wl;
        }
        for (pixel, &(x0, fx)) in row.chunks_exact_mut(3).zip(&columns) {
            let at = (x0 - first) * 3;
            let pair = &blended[at..at + 6];
            for c in 0..3 {
                let mixed = u32::from(pair[c]) * (256 - fx) + u32::from(pair[c + 3]) * fx;
                pixel[c] = ((mixed + (1 << 15)) >> 16) as u8;
            }
        }
    }
}

/// The source pixel left of (or above) output pixel `i` and the weight
/// (0..=256) of the one after it, which always exists.
fn axis_at(start: f32, step: f32, i: u32, size: u32) -> (usize, u32) {
    let s = (start + (i as f32 + 0.5) * step - 0.5).clamp(0.0, (size - 1) as f32);
    let p0 = (s.floor() as usize).min(size.saturating_sub(2) as usize);
    (p0, ((s - p0 as f32) * 256.0) as u32)
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn unit(bits: u64) -> f32 {
    (bits >> 40) as f32 / (1u64 << 24) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_and_scene_give_the_same_move() {
        assert_eq!(Move::ken_burns(7, 3), Move::ken_burns(7, 3));
        assert_ne!(Move::ken_burns(7, 3), Move::ken_burns(7, 4));
        assert_ne!(Move::ken_burns(7, 3), Move::ken_burns(8, 3));
    }

    #[test]
    fn the_camera_never_leaves_the_picture() {
        for index in 0..200 {
            let shot = Move::ken_burns(42, index);
            for step in 0..=10 {
                let view = shot.at(step as f32 / 10.0);
                let half = 0.5 / view.zoom;
                assert!(view.cx - half >= -1e-4 && view.cx + half <= 1.0 + 1e-4);
                assert!(view.cy - half >= -1e-4 && view.cy + half <= 1.0 + 1e-4);
            }
        }
    }

    #[test]
    fn the_whole_view_reproduces_a_picture_at_frame_size() {
        let mut image = RgbaImage::new(8, 4);
        for (x, _, pixel) in image.enumerate_pixels_mut() {
            pixel.0 = [x as u8 * 30, 0, 0, 255];
        }
        let picture = Picture::cover(&image, 8, 4, 1.0);
        let mut out = vec![0; 8 * 4 * 3];
        sample(&picture, View::WHOLE, &mut out, 8, 4);
        assert_eq!(out, picture.rgb);
    }
}
