//! The band under a timelapse: who drew (a swatch in each person's seat
//! colour, then their name) and, at the right, the time of day the frame
//! shows. Drawn once and copied onto every frame until its text changes,
//! so the font is rasterised a handful of times per video, not per frame.

use super::caption::{draw_text_at, line_metrics, line_width};

/// The band's colour, as under captions.
const BAND_RGB: [u8; 3] = [24, 24, 28];

/// A finished band: opaque RGB rows laid over the bottom of a frame.
#[derive(Clone, Debug)]
pub struct Legend {
    /// First row of the band in the frame.
    pub top: u32,
    width: u32,
    rgb: Vec<u8>,
}

impl Legend {
    /// The band for a frame of `width`×`height`: `people` as (name, seat
    /// colour) left to right, cut with "…" where they no longer fit, and
    /// `clock` at the right.
    pub fn new(people: &[(String, [u8; 3])], clock: &str, width: u32, height: u32) -> Legend {
        let px = (height as f32 / 24.0).max(12.0);
        let (line_h, ascent) = line_metrics(px);
        let pad = (px * 0.5).round();
        let band_h = ((line_h + 2.0 * pad).ceil() as u32).min(height);
        let baseline = pad + ascent;
        let mut cover = vec![0u8; (width * band_h) as usize];
        let mut swatches: Vec<(u32, [u8; 3])> = Vec::new();
        let clock_w = line_width(clock, px);
        let clock_x = (width as f32 - pad - clock_w).max(0.0);
        draw_text_at(&mut cover, (width, band_h), clock, px, (clock_x, baseline));
        let room_for_names = clock_x - pad;
        let swatch = (px * 0.8).round();
        let mut x = pad;
        for (i, (name, colour)) in people.iter().enumerate() {
            let need = swatch + px * 0.4 + line_width(name, px) + px;
            if x + need > room_for_names {
                if i > 0 && x + line_width("…", px) < room_for_names {
                    draw_text_at(&mut cover, (width, band_h), "…", px, (x, baseline));
                }
                break;
            }
            swatches.push((x as u32, *colour));
            x += swatch + px * 0.4;
            x = draw_text_at(&mut cover, (width, band_h), name, px, (x, baseline)) + px;
        }
        let mut rgb = Vec::with_capacity(cover.len() * 3);
        for &c in &cover {
            let c = u32::from(c);
            rgb.extend(BAND_RGB.map(|b| ((u32::from(b) * (255 - c) + 255 * c) / 255) as u8));
        }
        let (s0, s1) = (
            ((band_h as f32 - swatch) / 2.0) as u32,
            ((band_h as f32 + swatch) / 2.0) as u32,
        );
        for (sx, colour) in swatches {
            for y in s0..s1.min(band_h) {
                for x in sx..(sx + swatch as u32).min(width) {
                    let at = ((y * width + x) * 3) as usize;
                    rgb[at..at + 3].copy_from_slice(&colour);
                }
            }
        }
        Legend {
            top: height - band_h,
            width,
            rgb,
        }
    }

    /// Copies the band over the bottom of `frame` (RGB, as wide as the band).
    pub fn apply(&self, frame: &mut [u8]) {
        let start = self.top as usize * self.width as usize * 3;
        frame[start..start + self.rgb.len()].copy_from_slice(&self.rgb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_band_shows_each_seat_colour_and_text() {
        let people = vec![
            ("Ann".to_string(), [224, 49, 49]),
            ("Ben".to_string(), [25, 113, 194]),
        ];
        let legend = Legend::new(&people, "14:03", 640, 360);
        assert!(legend.top > 300);
        let mut frame = vec![255u8; 640 * 360 * 3];
        legend.apply(&mut frame);
        let band = &frame[legend.top as usize * 640 * 3..];
        for colour in [[224, 49, 49], [25, 113, 194]] {
            assert!(band.chunks_exact(3).any(|p| p == colour), "{colour:?}");
        }
        assert!(band.chunks_exact(3).any(|p| p[0] > 200 && p[1] > 200));
        assert!(frame[..legend.top as usize * 640 * 3]
            .iter()
            .all(|&c| c == 255));
    }
}
