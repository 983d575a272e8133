//! A small picture of a board (a checkpoint's thumbnail), drawn on the
//! host from the shapes' stored JSON: strokes, lines, rectangles and
//! ellipses in their colours, pictures and texts as grey boxes. Browsers
//! draw the real board; this only has to be recognisable at a glance.

use image::{ImageEncoder, Rgba, RgbaImage};
use serde_json::Value;

/// Room kept around the drawing, in pixels.
const MARGIN: f32 = 8.0;

/// A point in pixels and the radius of the line there.
type Point = ((f32, f32), f32);

/// Width at pen pressure 0 and at 1, as shares of the style's width: the
/// board's own (`ui/js/pressure.js`), so that a pen stroke is thick and thin
/// in the same places in a thumbnail, a timelapse and on the board.
const THINNEST: f32 = 0.2;
const THICKEST: f32 = 1.8;

/// A shape as the host draws it: a polyline in board units, its colour and width.
pub(crate) struct Stroke {
    pub points: Vec<(f32, f32)>,
    pub color: Rgba<u8>,
    pub width: f32,
    /// A pencil stroke with one pen pressure per point: the share of
    /// `width` each point has.
    pub shares: Option<Vec<f32>>,
}

impl Stroke {
    /// The width at point `i`.
    pub fn width_at(&self, i: usize) -> f32 {
        self.shares
            .as_ref()
            .and_then(|s| s.get(i))
            .map_or(self.width, |share| self.width * share)
    }
}

/// The width shares of a pencil stroke's `pressures`, when it holds one
/// per point (else the stroke has one width, as the board draws it).
fn pressure_shares(v: &Value, points: usize) -> Option<Vec<f32>> {
    if v.get("type").and_then(Value::as_str) != Some("pencil") {
        return None;
    }
    let p = v.get("pressures")?.as_array()?;
    if p.is_empty() || p.len() != points {
        return None;
    }
    Some(
        p.iter()
            .map(|q| {
                let q = q.as_f64().filter(|q| q.is_finite()).unwrap_or(0.5) as f32;
                THINNEST + (THICKEST - THINNEST) * q.clamp(0.0, 1.0)
            })
            .collect(),
    )
}

/// The board scaled to fit `size × size` (its aspect kept), as a PNG.
pub fn render_png(shapes: &[String], size: u32) -> Vec<u8> {
    let strokes: Vec<Stroke> = shapes.iter().filter_map(|s| stroke_of(s)).collect();
    let (mut lo, mut hi) = ((f32::MAX, f32::MAX), (f32::MIN, f32::MIN));
    for (x, y) in strokes.iter().flat_map(|s| s.points.iter()) {
        lo = (lo.0.min(*x), lo.1.min(*y));
        hi = (hi.0.max(*x), hi.1.max(*y));
    }
    let (w, h) = if strokes.is_empty() {
        (size, size * 3 / 4)
    } else {
        let (bw, bh) = ((hi.0 - lo.0).max(1.0), (hi.1 - lo.1).max(1.0));
        let s = (size as f32 - 2.0 * MARGIN) / bw.max(bh);
        (
            ((bw * s + 2.0 * MARGIN) as u32).clamp(16, size),
            ((bh * s + 2.0 * MARGIN) as u32).clamp(16, size),
        )
    };
    let scale = if strokes.is_empty() {
        1.0
    } else {
        (size as f32 - 2.0 * MARGIN) / (hi.0 - lo.0).max(hi.1 - lo.1).max(1.0)
    };
    let mut img = RgbaImage::from_pixel(w, h, Rgba([255, 255, 255, 255]));
    for s in &strokes {
        let at = |(x, y): (f32, f32)| ((x - lo.0) * scale + MARGIN, (y - lo.1) * scale + MARGIN);
        let radius = |i: usize| (s.width_at(i) * scale / 2.0).clamp(0.6, 6.0);
        let mut prev = s.points.first().map(|p| (at(*p), radius(0)));
        for (i, p) in s.points.iter().enumerate() {
            let p = (at(*p), radius(i));
            if let Some(q) = prev {
                segment(&mut img, q, p, s.color);
            }
            prev = Some(p);
        }
    }
    let mut out = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new(&mut out);
    let _ = encoder.write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgba8);
    out
}

/// The outline of one shape as a polyline in board units (also what a
/// timelapse draws, so both pictures of a board agree).
pub(crate) fn stroke_of(json: &str) -> Option<Stroke> {
    let v: Value = serde_json::from_str(json).ok()?;
    let listed = v.get("points")?.as_array()?;
    let pts: Vec<(f32, f32)> = listed
        .iter()
        .filter_map(|p| Some((p.get("x")?.as_f64()? as f32, p.get("y")?.as_f64()? as f32)))
        .collect();
    let shares = if pts.len() == listed.len() {
        pressure_shares(&v, pts.len())
    } else {
        None
    };
    let style = v.get("style");
    let color = style
        .and_then(|s| s.get("strokeColor"))
        .and_then(Value::as_str)
        .and_then(hex)
        .unwrap_or(Rgba([30, 30, 30, 255]));
    let width = style
        .and_then(|s| s.get("strokeWidth"))
        .and_then(Value::as_f64)
        .unwrap_or(2.0) as f32;
    let (a, b) = (*pts.first()?, *pts.last()?);
    let grey = Rgba([170, 170, 170, 255]);
    let size = |k: &str| v.get(k).and_then(Value::as_f64).unwrap_or(40.0) as f32;
    let (points, color) = match v.get("type").and_then(Value::as_str) {
        Some("rectangle") => (vec![a, (b.0, a.1), b, (a.0, b.1), a], color),
        Some("ellipse") => {
            let (cx, cy, rx, ry) = (
                (a.0 + b.0) / 2.0,
                (a.1 + b.1) / 2.0,
                (b.0 - a.0).abs() / 2.0,
                (b.1 - a.1).abs() / 2.0,
            );
            let ring = (0..=32)
                .map(|i| {
                    let t = i as f32 / 32.0 * std::f32::consts::TAU;
                    (cx + rx * t.cos(), cy + ry * t.sin())
                })
                .collect();
            (ring, color)
        }
        Some("image") | Some("text") => {
            let (w, h) = (size("width"), size("height"));
            let b = (a.0 + w, a.1 + h.min(w));
            (vec![a, (b.0, a.1), b, (a.0, b.1), a], grey)
        }
        _ => (pts, color),
    };
    Some(Stroke {
        points,
        color,
        width,
        shares,
    })
}

fn hex(s: &str) -> Option<Rgba<u8>> {
    let s = s.strip_prefix('#')?;
    if s.len() != 6 {
        return None;
    }
    let n = u32::from_str_radix(s, 16).ok()?;
    Some(Rgba([(n >> 16) as u8, (n >> 8) as u8, n as u8, 255]))
}

/// A thick line from `a` to `b`, each with its radius: discs stamped every
/// half pixel, their radius going from one end's to the other's.
fn segment(img: &mut RgbaImage, (a, ra): Point, (b, rb): Point, c: Rgba<u8>) {
    let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
    let steps = (len * 2.0).ceil().clamp(1.0, 4096.0) as usize;
    for i in 0..=steps {
        let t = i as f32 / steps as f32;
        let (x, y) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
        let r = ra + (rb - ra) * t;
        let (x0, x1) = ((x - r).floor().max(0.0) as u32, (x + r).ceil() as u32);
        let (y0, y1) = ((y - r).floor().max(0.0) as u32, (y + r).ceil() as u32);
        for py in y0..=y1.min(img.height().saturating_sub(1)) {
            for px in x0..=x1.min(img.width().saturating_sub(1)) {
                let (dx, dy) = (px as f32 - x, py as f32 - y);
                if dx * dx + dy * dy <= r * r {
                    img.put_pixel(px, py, c);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_board_becomes_a_small_png_with_its_stroke_colour() {
        let shapes = vec![
            r##"{"id":"a","type":"pencil","points":[{"x":0,"y":0},{"x":500,"y":250}],"style":{"strokeColor":"#ff0000","strokeWidth":8}}"##.to_string(),
            r#"{"id":"b","type":"weird"}"#.to_string(),
        ];
        let png = super::render_png(&shapes, 256);
        let img = image::load_from_memory(&png).unwrap().to_rgba8();
        assert!(img.width() <= 256 && img.height() <= 256);
        assert!(img.pixels().any(|p| p.0 == [255, 0, 0, 255]));
        assert!(!super::render_png(&[], 256).is_empty());
    }

    /// A pen stroke light at its start and hard at its end is thin, then
    /// thick; the same stroke without pressures (or with a list that does
    /// not match its points) has one width, as on the board.
    #[test]
    fn pen_pressure_sets_the_width_along_a_stroke() {
        let stroke = |pressures: &str| {
            format!(
                r##"{{"id":"a","type":"pencil","points":[{{"x":0,"y":0}},{{"x":100,"y":0}},{{"x":200,"y":0}}],{pressures}"style":{{"strokeColor":"#ff0000","strokeWidth":10}}}}"##
            )
        };
        let widths = |json: &str| {
            let s = super::stroke_of(json).unwrap();
            (0..3)
                .map(|i| (s.width_at(i) * 100.0).round() / 100.0)
                .collect::<Vec<_>>()
        };
        let pen = widths(&stroke(r#""pressures":[0,0.5,1],"#));
        assert_eq!(pen, vec![2.0, 10.0, 18.0]);
        assert_eq!(widths(&stroke("")), vec![10.0; 3]);
        assert_eq!(widths(&stroke(r#""pressures":[1,1],"#)), vec![10.0; 3]);
        assert_eq!(
            widths(&stroke(r#""pressures":[2,"x",-1],"#)),
            vec![18.0, 10.0, 2.0]
        );
        // In the picture: few rows of ink at the light end, many at the hard one.
        let png = super::render_png(&[stroke(r#""pressures":[0,0.5,1],"#)], 256);
        let img = image::load_from_memory(&png).unwrap().to_rgba8();
        let rows = |x: u32| {
            (0..img.height())
                .filter(|&y| img.get_pixel(x, y).0 == [255, 0, 0, 255])
                .count()
        };
        let (light, hard) = (rows(12), rows(img.width() - 12));
        assert!(
            light > 0 && hard >= 3 * light,
            "light end {light} rows, hard end {hard}"
        );
    }
}
