//! Text on frames: captions wrapped to the frame width on a band of their own
//! under the picture (readable always, and never over the picture), and the
//! title card.
//!
//! The font is DejaVu Sans, bundled in `assets/fonts/` (licence beside it), so
//! a video looks the same on every host whatever fonts it has installed.

use std::sync::LazyLock;

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};

static FONT: LazyLock<FontRef<'static>> = LazyLock::new(|| {
    FontRef::try_from_slice(include_bytes!("../../../../assets/fonts/DejaVuSans.ttf"))
        .expect("the bundled font parses")
});

/// Most caption lines; a longer caption is set smaller, then cut with "…".
pub const MAX_CAPTION_LINES: usize = 4;
/// Smallest caption text, in pixels; below it letters blur into each other.
const MIN_FONT_PX: f32 = 10.0;
/// The colour of the band behind captions.
const BAND_RGB: [u8; 3] = [24, 24, 28];

/// A caption drawn once per scene, laid over each of its frames.
#[derive(Clone, Debug)]
pub(crate) struct Overlay {
    /// First row of the band in the frame.
    pub top: u32,
    pub width: u32,
    pub height: u32,
    /// Per pixel: opacity (0..=255) of white text over the band.
    pub text: Vec<u8>,
}

impl Overlay {
    /// The caption band for a frame of `width`×`height`, or `None` for a
    /// caption with nothing to show.
    pub fn caption(caption: &str, width: u32, height: u32) -> Option<Overlay> {
        if caption.trim().is_empty() {
            return None;
        }
        let max_width = width as f32 * 0.9;
        let mut px = (height as f32 / 20.0).max(12.0);
        let mut lines = wrap(caption, px, max_width);
        while lines.len() > MAX_CAPTION_LINES && px * 0.85 >= MIN_FONT_PX {
            px *= 0.85;
            lines = wrap(caption, px, max_width);
        }
        if lines.len() > MAX_CAPTION_LINES {
            lines.truncate(MAX_CAPTION_LINES);
            let last = lines.last_mut().expect("four lines");
            while !last.is_empty() && line_width(&format!("{last}…"), px) > max_width {
                last.pop();
            }
            last.push('…');
        }
        let line_height = line_height(px);
        let pad = (px * 0.5).round();
        let band_h = ((line_height * lines.len() as f32 + 2.0 * pad).ceil() as u32).min(height);
        let mut text = vec![0u8; (width * band_h) as usize];
        for (i, line) in lines.iter().enumerate() {
            let baseline = pad + line_height * i as f32 + ascent(px);
            draw_line(&mut text, width, band_h, line, px, baseline);
        }
        Some(Overlay {
            top: height - band_h,
            width,
            height: band_h,
            text,
        })
    }

    /// Paints the band in `frame` (RGB, `self.width` wide) and draws the text.
    pub fn apply(&self, frame: &mut [u8]) {
        let stride = self.width as usize * 3;
        let start = self.top as usize * stride;
        let band = &mut frame[start..start + self.height as usize * stride];
        for (pixel, &cover) in band.chunks_exact_mut(3).zip(&self.text) {
            let cover = u32::from(cover);
            for (channel, base) in pixel.iter_mut().zip(BAND_RGB) {
                *channel = ((u32::from(base) * (255 - cover) + 255 * cover) / 255) as u8;
            }
        }
    }
}

/// A title card: the title centred in large type on a dark gradient.
pub(crate) fn title_card(title: &str, width: u32, height: u32) -> Vec<u8> {
    let mut rgb = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        let t = y as f32 / height as f32;
        let colour = [18.0 + 20.0 * t, 24.0 + 14.0 * t, 48.0 - 20.0 * t].map(|c| c as u8);
        for _ in 0..width {
            rgb.extend(colour);
        }
    }
    let mut px = height as f32 / 10.0;
    let mut lines = wrap(title, px, width as f32 * 0.8);
    while lines.len() > 3 && px > MIN_FONT_PX {
        px *= 0.85;
        lines = wrap(title, px, width as f32 * 0.8);
    }
    let line_height = line_height(px);
    let block = line_height * lines.len() as f32;
    let mut cover = vec![0u8; (width * height) as usize];
    for (i, line) in lines.iter().enumerate() {
        let baseline = (height as f32 - block) / 2.0 + line_height * i as f32 + ascent(px);
        draw_line(&mut cover, width, height, line, px, baseline);
    }
    for (pixel, &c) in rgb.chunks_exact_mut(3).zip(&cover) {
        for channel in pixel.iter_mut() {
            let c = u32::from(c);
            *channel = ((u32::from(*channel) * (255 - c) + 255 * c) / 255) as u8;
        }
    }
    rgb
}

/// Greedy word wrap to `max_width` pixels; a word wider than a line is broken
/// between letters. Existing line breaks are kept.
pub(crate) fn wrap(text: &str, px: f32, max_width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if line_width(&candidate, px) <= max_width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                line.push(c);
                if line_width(&line, px) > max_width && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::replace(&mut line, c.to_string()));
                }
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    lines
}

/// The advance width of `text` at `px`, kerning included.
pub(crate) fn line_width(text: &str, px: f32) -> f32 {
    let font = FONT.as_scaled(PxScale::from(px));
    let mut width = 0.0;
    let mut previous = None;
    for c in text.chars() {
        let glyph = font.glyph_id(c);
        if let Some(previous) = previous {
            width += font.kern(previous, glyph);
        }
        width += font.h_advance(glyph);
        previous = Some(glyph);
    }
    width
}

fn line_height(px: f32) -> f32 {
    let font = FONT.as_scaled(PxScale::from(px));
    font.height() + font.line_gap()
}

fn ascent(px: f32) -> f32 {
    FONT.as_scaled(PxScale::from(px)).ascent()
}

/// Rasterises one centred line into a coverage map of `width`×`height`.
fn draw_line(cover: &mut [u8], width: u32, height: u32, line: &str, px: f32, baseline: f32) {
    let x = ((width as f32 - line_width(line, px)) / 2.0).max(0.0);
    draw_text_at(cover, (width, height), line, px, (x, baseline));
}

/// The height of a line of text at `px`, and how far its baseline is below its top.
pub(crate) fn line_metrics(px: f32) -> (f32, f32) {
    (line_height(px), ascent(px))
}

/// Rasterises `line` starting at `x` on `baseline` into a coverage map of
/// `width`×`height`; returns where the text ends.
pub(crate) fn draw_text_at(
    cover: &mut [u8],
    (width, height): (u32, u32),
    line: &str,
    px: f32,
    (mut x, baseline): (f32, f32),
) -> f32 {
    let scale = PxScale::from(px);
    let font = FONT.as_scaled(scale);
    let mut previous = None;
    for c in line.chars() {
        let id = font.glyph_id(c);
        if let Some(previous) = previous {
            x += font.kern(previous, id);
        }
        let glyph = id.with_scale_and_position(scale, point(x, baseline));
        x += font.h_advance(id);
        previous = Some(id);
        let Some(outline) = FONT.outline_glyph(glyph) else {
            continue;
        };
        let bounds = outline.px_bounds();
        outline.draw(|gx, gy, coverage| {
            let px = bounds.min.x as i64 + i64::from(gx);
            let py = bounds.min.y as i64 + i64::from(gy);
            if (0..i64::from(width)).contains(&px) && (0..i64::from(height)).contains(&py) {
                let at = &mut cover[(py as u32 * width + px as u32) as usize];
                *at = (*at).max((coverage.min(1.0) * 255.0) as u8);
            }
        });
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_fit_the_width() {
        let text =
            "A long caption about a dragon who learns to draw on a shared canvas with friends";
        let lines = wrap(text, 30.0, 400.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|line| line_width(line, 30.0) <= 400.0));
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn a_word_wider_than_the_frame_is_broken() {
        let lines = wrap(&"W".repeat(60), 30.0, 200.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|line| line_width(line, 30.0) <= 200.0));
    }

    #[test]
    fn a_long_caption_stays_within_its_lines_and_shows_text() {
        let caption = "word ".repeat(60);
        let overlay = Overlay::caption(&caption, 640, 360).expect("a caption");
        assert!(overlay.height < 360 / 2);
        assert!(overlay.text.iter().any(|&c| c > 200), "some text is drawn");
        let mut frame = vec![255u8; 640 * 360 * 3];
        overlay.apply(&mut frame);
        let band_start = overlay.top as usize * 640 * 3;
        assert!(
            frame[band_start..].iter().any(|&c| c < 128),
            "the band darkens"
        );
        assert!(
            frame[..band_start].iter().all(|&c| c == 255),
            "above it is untouched"
        );
    }

    #[test]
    fn a_blank_caption_draws_nothing() {
        assert!(Overlay::caption("  \n ", 640, 360).is_none());
    }
}
