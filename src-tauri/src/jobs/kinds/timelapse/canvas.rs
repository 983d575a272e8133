//! The running picture of a timelapse: shapes drawn onto one RGB canvas in
//! board order as the changes come, never the whole board per frame.
//!
//! A new shape is drawn on top, which is what the board shows. A shape
//! that changes or goes cannot be undrawn, so the rectangle it covered
//! (before and after) is cleared and every shape crossing it is drawn again
//! in board order, clipped to it: a change costs the few shapes around it,
//! whatever the size of the board.

use indexmap::IndexMap;

use super::script::Shape;

/// The canvas's background.
const PAPER: [u8; 3] = [255, 255, 255];
/// The thinnest line drawn, in pixels of radius, so hairlines stay visible.
const MIN_RADIUS: f32 = 0.7;

/// A rectangle of pixels, `x0..x1` × `y0..y1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rect {
    x0: i32,
    y0: i32,
    x1: i32,
    y1: i32,
}

impl Rect {
    fn union(self, o: Rect) -> Rect {
        Rect {
            x0: self.x0.min(o.x0),
            y0: self.y0.min(o.y0),
            x1: self.x1.max(o.x1),
            y1: self.y1.max(o.y1),
        }
    }

    fn meets(self, o: Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }
}

/// A shape in pixels.
struct Drawn {
    points: Vec<(f32, f32)>,
    rgb: [u8; 3],
    /// The line's radius at each point.
    radii: Vec<f32>,
    bounds: Rect,
}

/// Board units to pixels: `pixel = (board - origin) * scale + offset`.
#[derive(Debug, Clone, Copy)]
pub struct Fit {
    origin: (f32, f32),
    scale: f32,
    offset: (f32, f32),
}

impl Fit {
    /// Fits `bounds` (board units) into `width`×`height` with a margin,
    /// centred, the aspect kept.
    pub fn new(bounds: Option<(f32, f32, f32, f32)>, width: u32, height: u32) -> Fit {
        let Some((x0, y0, x1, y1)) = bounds else {
            return Fit {
                origin: (0.0, 0.0),
                scale: 1.0,
                offset: (0.0, 0.0),
            };
        };
        let margin = (width.min(height) as f32 * 0.04).max(2.0);
        let (bw, bh) = ((x1 - x0).max(1.0), (y1 - y0).max(1.0));
        let scale = ((width as f32 - 2.0 * margin) / bw).min((height as f32 - 2.0 * margin) / bh);
        Fit {
            origin: (x0, y0),
            scale,
            offset: (
                (width as f32 - bw * scale) / 2.0,
                (height as f32 - bh * scale) / 2.0,
            ),
        }
    }

    fn at(&self, (x, y): (f32, f32)) -> (f32, f32) {
        (
            (x - self.origin.0) * self.scale + self.offset.0,
            (y - self.origin.1) * self.scale + self.offset.1,
        )
    }
}

/// The board so far, and its picture.
pub struct Canvas {
    width: u32,
    height: u32,
    fit: Fit,
    pub rgb: Vec<u8>,
    board: IndexMap<String, Drawn>,
}

impl Canvas {
    /// A blank canvas of `width`×`height`.
    pub fn new(width: u32, height: u32, fit: Fit) -> Canvas {
        Canvas {
            width,
            height,
            fit,
            rgb: PAPER.repeat((width * height) as usize),
            board: IndexMap::new(),
        }
    }

    fn drawn(&self, shape: &Shape) -> Drawn {
        let points: Vec<(f32, f32)> = shape.points.iter().map(|p| self.fit.at(*p)).collect();
        let radii: Vec<f32> = shape
            .widths
            .iter()
            .map(|w| (w * self.fit.scale / 2.0).max(MIN_RADIUS))
            .collect();
        let mut b = Rect {
            x0: i32::MAX,
            y0: i32::MAX,
            x1: i32::MIN,
            y1: i32::MIN,
        };
        for (&(x, y), &radius) in points.iter().zip(&radii) {
            b.x0 = b.x0.min((x - radius).floor() as i32);
            b.y0 = b.y0.min((y - radius).floor() as i32);
            b.x1 = b.x1.max((x + radius).ceil() as i32 + 1);
            b.y1 = b.y1.max((y + radius).ceil() as i32 + 1);
        }
        Drawn {
            points,
            rgb: shape.rgb,
            radii,
            bounds: b,
        }
    }

    /// Adds or replaces shape `id` (`None`: a shape with nothing to draw).
    pub fn put(&mut self, id: &str, shape: Option<&Shape>) {
        let drawn = shape.map(|s| self.drawn(s));
        match (self.board.get_mut(id), drawn) {
            (None, Some(d)) => {
                paint(&mut self.rgb, self.width, self.height, &d, None);
                self.board.insert(id.to_string(), d);
            }
            (None, None) => {}
            (Some(old), Some(d)) => {
                let dirty = old.bounds.union(d.bounds);
                *old = d;
                self.redraw(dirty);
            }
            (Some(_), None) => self.remove(id),
        }
    }

    /// Removes shape `id` and uncovers what was under it.
    pub fn remove(&mut self, id: &str) {
        if let Some(old) = self.board.shift_remove(id) {
            self.redraw(old.bounds);
        }
    }

    /// Clears `dirty` and draws again, in board order, every shape in it.
    fn redraw(&mut self, dirty: Rect) {
        let clip = Rect {
            x0: dirty.x0.max(0),
            y0: dirty.y0.max(0),
            x1: dirty.x1.min(self.width as i32),
            y1: dirty.y1.min(self.height as i32),
        };
        if clip.x0 >= clip.x1 || clip.y0 >= clip.y1 {
            return;
        }
        for y in clip.y0..clip.y1 {
            let row = (y as usize * self.width as usize + clip.x0 as usize) * 3;
            let end = row + (clip.x1 - clip.x0) as usize * 3;
            for px in self.rgb[row..end].chunks_exact_mut(3) {
                px.copy_from_slice(&PAPER);
            }
        }
        for d in self.board.values().filter(|d| d.bounds.meets(clip)) {
            paint(&mut self.rgb, self.width, self.height, d, Some(clip));
        }
    }

    /// How many shapes are on the board.
    pub fn shapes(&self) -> usize {
        self.board.len()
    }
}

/// Draws a shape as discs stamped every half pixel along it (as the
/// thumbnails do), their radius going from each point's to the next's,
/// only inside `clip` when given.
fn paint(rgb: &mut [u8], width: u32, height: u32, d: &Drawn, clip: Option<Rect>) {
    let area = clip.unwrap_or(Rect {
        x0: 0,
        y0: 0,
        x1: width as i32,
        y1: height as i32,
    });
    let mut stamp = |x: f32, y: f32, r: f32| {
        let x0 = ((x - r).floor() as i32).max(area.x0);
        let x1 = ((x + r).ceil() as i32).min(area.x1 - 1);
        let y0 = ((y - r).floor() as i32).max(area.y0);
        let y1 = ((y + r).ceil() as i32).min(area.y1 - 1);
        for py in y0..=y1 {
            for px in x0..=x1 {
                let (dx, dy) = (px as f32 - x, py as f32 - y);
                if dx * dx + dy * dy <= r * r {
                    let at = (py as usize * width as usize + px as usize) * 3;
                    rgb[at..at + 3].copy_from_slice(&d.rgb);
                }
            }
        }
    };
    let (Some(&first), Some(&r0)) = (d.points.first(), d.radii.first()) else {
        return;
    };
    stamp(first.0, first.1, r0);
    for (pair, radii) in d.points.windows(2).zip(d.radii.windows(2)) {
        let (a, b) = (pair[0], pair[1]);
        let (ra, rb) = (radii[0], radii[1]);
        let r = ra.max(rb);
        // A redraw is clipped to a small rectangle: most segments miss it.
        if a.0.max(b.0) + r < area.x0 as f32
            || a.0.min(b.0) - r >= area.x1 as f32
            || a.1.max(b.1) + r < area.y0 as f32
            || a.1.min(b.1) - r >= area.y1 as f32
        {
            continue;
        }
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        let steps = (len * 2.0 / ra.min(rb).max(1.0)).ceil().clamp(1.0, 8192.0) as usize;
        for i in 1..=steps {
            let t = i as f32 / steps as f32;
            stamp(
                a.0 + (b.0 - a.0) * t,
                a.1 + (b.1 - a.1) * t,
                ra + (rb - ra) * t,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(x0: f32, x1: f32, y: f32, rgb: [u8; 3]) -> Shape {
        Shape {
            points: vec![(x0, y), (x1, y)],
            rgb,
            widths: vec![4.0, 4.0],
        }
    }

    fn count(c: &Canvas, rgb: [u8; 3]) -> usize {
        c.rgb.chunks_exact(3).filter(|p| *p == rgb).count()
    }

    /// Drawing change by change ends on the same picture as drawing the
    /// final board at once, deletes and moves included.
    #[test]
    fn changes_end_where_the_final_board_is_drawn_whole() {
        let fit = Fit::new(Some((0.0, 0.0, 100.0, 100.0)), 100, 100);
        let (red, blue) = ([255, 0, 0], [0, 0, 255]);
        let mut running = Canvas::new(100, 100, fit);
        running.put("a", Some(&line(10.0, 90.0, 50.0, red)));
        running.put("b", Some(&line(10.0, 90.0, 52.0, blue)));
        running.put("c", Some(&line(10.0, 90.0, 20.0, blue)));
        assert!(count(&running, red) > 0 && count(&running, blue) > 0);
        running.put("a", Some(&line(10.0, 90.0, 80.0, red)));
        running.remove("c");
        let mut whole = Canvas::new(100, 100, fit);
        whole.put("a", Some(&line(10.0, 90.0, 80.0, red)));
        whole.put("b", Some(&line(10.0, 90.0, 52.0, blue)));
        assert_eq!(running.rgb, whole.rgb);
        assert_eq!(running.shapes(), 2);
    }

    /// A pen stroke drawn light then hard is thin where it starts and
    /// thick where it ends, in the timelapse as on the board.
    #[test]
    fn a_pen_stroke_is_as_wide_as_its_pressure_at_each_point() {
        let fit = Fit::new(Some((0.0, 0.0, 100.0, 100.0)), 100, 100);
        let mut c = Canvas::new(100, 100, fit);
        let red = [255, 0, 0];
        c.put(
            "p",
            Some(&Shape {
                points: vec![(0.0, 50.0), (100.0, 50.0)],
                rgb: red,
                widths: vec![2.0, 18.0],
            }),
        );
        let rows = |x: usize| {
            (0..100)
                .filter(|y| c.rgb[(y * 100 + x) * 3..(y * 100 + x) * 3 + 3] == red)
                .count()
        };
        let (light, hard) = (rows(10), rows(90));
        assert!(
            light > 0 && hard >= 3 * light,
            "light end {light} rows, hard end {hard}"
        );
    }
}
