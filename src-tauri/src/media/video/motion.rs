//! The camera over a scene's picture: a deterministic Ken Burns pan and zoom.
//!
//! A picture is prepared once per scene ([`Picture::fit`]): shown whole, at
//! the largest zoom the camera uses, on a soft backdrop (the same picture,
//! blurred and dimmed, filling the frame) where its shape differs from the
//! frame's. So each frame only samples a moving window of it with a cheap
//! bilinear filter, and one end of every move is the whole picture: nothing
//! of it is cut off for good.

use image::imageops::{self, FilterType};
use image::{Rgba, RgbaImage};

/// How far the camera zooms in at most (1.0 shows the whole picture).
pub const MAX_ZOOM: f32 = 1.2;
/// The backdrop is blurred at 1/this of the frame size: cheap, and soft.
const BACKDROP_DOWNSCALE: u32 = 16;
/// How much of the backdrop's light is kept (of 256): dim enough that the
/// picture stands out, light enough to read as the picture's own colours.
const BACKDROP_KEEP: u16 = 140;
/// What shows through a picture's transparent parts: paper.
const PAPER: [u8; 3] = [255, 255, 255];

/// An opaque RGB picture, 3 bytes per pixel, rows packed.
#[derive(Clone, Debug)]
pub(crate) struct Picture {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

impl Picture {
    /// `image` whole and centred in a `frame_w`×`frame_h` frame scaled by
    /// `zoom`, on paper, over a soft backdrop of itself where the shapes
    /// differ.
    pub fn fit(image: &RgbaImage, frame_w: u32, frame_h: u32, zoom: f32) -> Picture {
        let (iw, ih) = image.dimensions();
        let target_w = ((frame_w as f32 * zoom).round() as u32).max(1);
        let target_h = ((frame_h as f32 * zoom).round() as u32).max(1);
        let scale = (target_w as f64 / iw.max(1) as f64).min(target_h as f64 / ih.max(1) as f64);
        let fw = ((iw as f64 * scale).round() as u32).clamp(1, target_w);
        let fh = ((ih as f64 * scale).round() as u32).clamp(1, target_h);
        let (ox, oy) = ((target_w - fw) / 2, (target_h - fh) / 2);
        let fitted = imageops::resize(image, fw, fh, FilterType::Triangle);
        let backdrop = if fw == target_w && fh == target_h {
            None
        } else {
            let small_w = (target_w / BACKDROP_DOWNSCALE).max(1);
            let small_h = (target_h / BACKDROP_DOWNSCALE).max(1);
            let small = imageops::blur(&cover(image, small_w, small_h), 1.5);
            Some(imageops::resize(
                &small,
                target_w,
                target_h,
                FilterType::Triangle,
            ))
        };
        let mut rgb = Vec::with_capacity((target_w * target_h * 3) as usize);
        for y in 0..target_h {
            for x in 0..target_w {
                let inside = x >= ox && y >= oy && x < ox + fw && y < oy + fh;
                let pixel = if inside {
                    on_paper(fitted.get_pixel(x - ox, y - oy))
                } else {
                    let behind = backdrop
                        .as_ref()
                        .map_or([0; 3], |b| on_paper(b.get_pixel(x, y)));
                    behind.map(|c| ((u16::from(c) * BACKDROP_KEEP) >> 8) as u8)
                };
                rgb.extend(pixel);
            }
        }
        Picture {
            width: target_w,
            height: target_h,
            rgb,
        }
    }
}

/// The largest centred crop of `image` with the aspect of `w`×`h`, scaled to it.
fn cover(image: &RgbaImage, w: u32, h: u32) -> RgbaImage {
    let (iw, ih) = image.dimensions();
    let aspect = w as f64 / h as f64;
    let (cw, ch) = if iw as f64 / ih as f64 > aspect {
        (((ih as f64 * aspect).round() as u32).clamp(1, iw), ih)
    } else {
        (iw, ((iw as f64 / aspect).round() as u32).clamp(1, ih))
    };
    let crop = imageops::crop_imm(image, (iw - cw) / 2, (ih - ch) / 2, cw, ch).to_image();
    imageops::resize(&crop, w, h, FilterType::Triangle)
}

/// A pixel over white paper.
fn on_paper(pixel: &Rgba<u8>) -> [u8; 3] {
    let [r, g, b, a] = pixel.0;
    let a = u16::from(a);
    let mut out = [r, g, b];
    for (c, p) in out.iter_mut().zip(PAPER) {
        *c = ((u16::from(*c) * a + u16::from(p) * (255 - a) + 127) / 255) as u8;
    }
    out
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
        let zoom = MAX_ZOOM - 0.04 * next();
        let whole_first = next() < 0.5;
        // Keep the window inside the picture: its half-size is 0.5/zoom.
        let half = 0.5 / zoom;
        let close = View {
            cx: half + (1.0 - 2.0 * half) * next(),
            cy: half + (1.0 - 2.0 * half) * next(),
            zoom,
        };
        // One end is the whole picture, so every part of it is seen.
        if whole_first {
            Move {
                from: View::WHOLE,
                to: close,
            }
        } else {
            Move {
                from: close,
                to: View::WHOLE,
            }
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
    fn every_move_shows_the_whole_picture_at_one_end() {
        for index in 0..200 {
            let shot = Move::ken_burns(42, index);
            assert!(
                shot.from == View::WHOLE || shot.to == View::WHOLE,
                "{shot:?}"
            );
            assert_eq!(shot.at(0.0), shot.from);
            assert_eq!(shot.at(1.0), shot.to);
        }
    }

    /// A square picture in a wide frame is whole, centred, with a dimmed
    /// backdrop of itself at the sides; a transparent one shows paper.
    #[test]
    fn a_picture_of_another_shape_is_fitted_whole_on_a_soft_backdrop() {
        // Red, its left half transparent (as the offline enhancer's paper is).
        let image = RgbaImage::from_fn(40, 40, |x, _| {
            if x < 20 {
                Rgba([0, 0, 0, 0])
            } else {
                Rgba([200, 30, 30, 255])
            }
        });
        let picture = Picture::fit(&image, 160, 90, 1.0);
        assert_eq!((picture.width, picture.height), (160, 90));
        let at = |x: u32, y: u32| {
            let i = ((y * 160 + x) * 3) as usize;
            [picture.rgb[i], picture.rgb[i + 1], picture.rgb[i + 2]]
        };
        // The picture spans the full height, 90 px wide, from x = 35 to 124.
        assert_eq!(at(110, 45), [200, 30, 30]);
        assert_eq!(at(124, 0), [200, 30, 30]);
        assert_eq!(at(124, 89), [200, 30, 30]);
        assert_eq!(at(45, 45), [255, 255, 255], "the transparent half is paper");
        // The sides are the backdrop: the picture's colours, dimmed.
        let side = at(155, 45);
        assert!(
            side[0] < 200 && side[0] > 60 && side[1] < side[0],
            "{side:?}"
        );
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
        let picture = Picture::fit(&image, 8, 4, 1.0);
        let mut out = vec![0; 8 * 4 * 3];
        sample(&picture, View::WHOLE, &mut out, 8, 4);
        assert_eq!(out, picture.rgb);
    }
}
