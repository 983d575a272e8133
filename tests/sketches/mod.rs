//! The sample sketches in `assets/sketches/`, drawn by code so they can be
//! remade exactly: hand-drawn-looking strokes (wobble, pressure, overshoot)
//! on paper (photographed: uneven light, grain and dust; or a transparent
//! canvas export). See `assets/sketches/README.md`.
#![allow(dead_code)]

use image::RgbaImage;

/// A small deterministic random source (SplitMix64), so the drawings never
/// depend on a library's generator.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..hi`.
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (self.next() >> 40) as f32 / (1u64 << 24) as f32 * (hi - lo)
    }
}

/// A drawing surface: colour and opacity per pixel, in 0..=1.
pub struct Sheet {
    pub w: usize,
    pub h: usize,
    rgb: Vec<[f32; 3]>,
    alpha: Vec<f32>,
    rng: Rng,
}

/// How a stroke looks.
#[derive(Clone, Copy)]
pub struct Pen {
    pub colour: [f32; 3],
    pub radius: f32,
    pub opacity: f32,
    /// How much the line wanders off its path, in pixels.
    pub wobble: f32,
    /// 0 for a marker, up to 1 for a grainy pencil.
    pub grain: f32,
}

fn hash(x: usize, y: usize, seed: u64) -> f32 {
    let mut r = Rng::new((x as u64) << 32 ^ y as u64 ^ seed.wrapping_mul(0x2545_F491_4F6C_DD1D));
    r.range(0.0, 1.0)
}

impl Sheet {
    /// Clean white paper, or a transparent canvas.
    pub fn new(w: usize, h: usize, transparent: bool, seed: u64) -> Sheet {
        Sheet {
            w,
            h,
            rgb: vec![if transparent { [0.0; 3] } else { [1.0; 3] }; w * h],
            alpha: vec![if transparent { 0.0 } else { 1.0 }; w * h],
            rng: Rng::new(seed),
        }
    }

    /// Paper as a phone photographs it: a tint, light falling off from
    /// `light` (a point in 0..1 coordinates), soft blotches and grain.
    pub fn photo_paper(&mut self, tint: [f32; 3], light: (f32, f32), falloff: f32) {
        let blotches: Vec<(f32, f32, f32, f32)> = (0..6)
            .map(|_| {
                let r = &mut self.rng;
                (
                    r.range(0.0, 1.0),
                    r.range(0.0, 1.0),
                    r.range(0.1, 0.3),
                    r.range(-0.05, 0.05),
                )
            })
            .collect();
        for y in 0..self.h {
            for x in 0..self.w {
                let (u, v) = (x as f32 / self.w as f32, y as f32 / self.h as f32);
                let d2 = (u - light.0).powi(2) + (v - light.1).powi(2);
                let mut lit = 1.0 - falloff * d2;
                for &(bx, by, br, amount) in &blotches {
                    let b2 = ((u - bx).powi(2) + (v - by).powi(2)) / (br * br);
                    lit += amount * (-b2).exp();
                }
                let grain = (hash(x / 2, y / 2, 7) - 0.5) * 0.03;
                let i = y * self.w + x;
                self.rgb[i] = tint.map(|t| (t * lit + grain).clamp(0.0, 1.0));
            }
        }
    }

    /// Dust: `count` small dark dots.
    pub fn specks(&mut self, count: usize, max_radius: f32) {
        for _ in 0..count {
            let x = self.rng.range(0.0, self.w as f32);
            let y = self.rng.range(0.0, self.h as f32);
            let r = self.rng.range(0.5, max_radius);
            let shade = self.rng.range(0.15, 0.45);
            let pen = Pen {
                colour: [shade; 3],
                radius: r,
                opacity: 0.9,
                wobble: 0.0,
                grain: 0.0,
            };
            self.stroke(&[(x, y), (x + 0.1, y)], pen);
        }
    }

    /// A hand-drawn stroke through `points`: resampled, wobbled sideways,
    /// with pressure varying along it. Overlaps within one stroke do not
    /// darken (coverage is the maximum, as with one pass of a pen).
    pub fn stroke(&mut self, points: &[(f32, f32)], pen: Pen) {
        let path = self.wobbled(points, pen.wobble);
        let pad = pen.radius * 1.3 + 2.0;
        let x0 = path.iter().map(|p| p.0).fold(f32::MAX, f32::min) - pad;
        let y0 = path.iter().map(|p| p.1).fold(f32::MAX, f32::min) - pad;
        let x1 = path.iter().map(|p| p.0).fold(f32::MIN, f32::max) + pad;
        let y1 = path.iter().map(|p| p.1).fold(f32::MIN, f32::max) + pad;
        let bx0 = x0.max(0.0) as usize;
        let by0 = y0.max(0.0) as usize;
        let bx1 = (x1.max(0.0) as usize).min(self.w);
        let by1 = (y1.max(0.0) as usize).min(self.h);
        if bx0 >= bx1 || by0 >= by1 {
            return;
        }
        let bw = bx1 - bx0;
        let mut cov = vec![0f32; bw * (by1 - by0)];
        let phase = self.rng.range(0.0, std::f32::consts::TAU);
        for (k, seg) in path.windows(2).enumerate() {
            let pressure = 0.85 + 0.15 * (k as f32 * 0.21 + phase).sin();
            let r = pen.radius * pressure;
            let (a, b) = (seg[0], seg[1]);
            let sx0 = ((a.0.min(b.0) - r - 1.0).max(bx0 as f32)) as usize;
            let sy0 = ((a.1.min(b.1) - r - 1.0).max(by0 as f32)) as usize;
            let sx1 = ((a.0.max(b.0) + r + 2.0).max(0.0) as usize).min(bx1);
            let sy1 = ((a.1.max(b.1) + r + 2.0).max(0.0) as usize).min(by1);
            for y in sy0..sy1 {
                for x in sx0..sx1 {
                    let d = seg_dist((x as f32 + 0.5, y as f32 + 0.5), a, b);
                    let c = (r + 0.5 - d).clamp(0.0, 1.0);
                    let slot = &mut cov[(y - by0) * bw + x - bx0];
                    *slot = slot.max(c);
                }
            }
        }
        let seed = self.rng.range(0.0, 1e6) as u64;
        for y in by0..by1 {
            for x in bx0..bx1 {
                let c = cov[(y - by0) * bw + x - bx0];
                if c <= 0.0 {
                    continue;
                }
                let grain = 1.0 - pen.grain * hash(x, y, seed) * 0.6;
                let a = c * pen.opacity * grain;
                let i = y * self.w + x;
                let out_a = a + self.alpha[i] * (1.0 - a);
                for ch in 0..3 {
                    let under = self.rgb[i][ch] * self.alpha[i] * (1.0 - a);
                    self.rgb[i][ch] = (pen.colour[ch] * a + under) / out_a.max(1e-6);
                }
                self.alpha[i] = out_a;
            }
        }
    }

    fn wobbled(&mut self, points: &[(f32, f32)], amount: f32) -> Vec<(f32, f32)> {
        let (p1, p2) = (
            self.rng.range(0.0, std::f32::consts::TAU),
            self.rng.range(0.0, std::f32::consts::TAU),
        );
        let (f1, f2) = (self.rng.range(0.015, 0.03), self.rng.range(0.05, 0.09));
        let mut out = Vec::new();
        let mut travelled = 0.0f32;
        for seg in points.windows(2) {
            let (a, b) = (seg[0], seg[1]);
            let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
            let steps = (len / 3.0).ceil().max(1.0) as usize;
            let (nx, ny) = if len > 0.0 {
                (-(b.1 - a.1) / len, (b.0 - a.0) / len)
            } else {
                (0.0, 0.0)
            };
            for s in 0..steps {
                let t = s as f32 / steps as f32;
                let arc = travelled + t * len;
                let off = amount * (0.65 * (arc * f1 + p1).sin() + 0.35 * (arc * f2 + p2).sin());
                out.push((
                    a.0 + (b.0 - a.0) * t + nx * off,
                    a.1 + (b.1 - a.1) * t + ny * off,
                ));
            }
            travelled += len;
        }
        let last = *points.last().unwrap();
        out.push(last);
        out
    }

    /// The finished sheet as 8-bit RGBA.
    pub fn image(&self) -> RgbaImage {
        RgbaImage::from_fn(self.w as u32, self.h as u32, |x, y| {
            let i = y as usize * self.w + x as usize;
            let q = |v: f32| (v * 255.0).round().clamp(0.0, 255.0) as u8;
            let a = self.alpha[i];
            let rgb = if a > 0.0 { self.rgb[i] } else { [0.0; 3] };
            image::Rgba([q(rgb[0]), q(rgb[1]), q(rgb[2]), q(a)])
        })
    }
}

fn seg_dist(p: (f32, f32), a: (f32, f32), b: (f32, f32)) -> f32 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (cx, cy) = (a.0 + t * dx - p.0, a.1 + t * dy - p.1);
    (cx * cx + cy * cy).sqrt()
}

/// Points around an ellipse, from `start` radians, going a little past a
/// full turn so the ends overlap as in a quick hand-drawn loop.
pub fn ellipse(c: (f32, f32), rx: f32, ry: f32, start: f32, overlap: f32) -> Vec<(f32, f32)> {
    let n = ((rx + ry) * 0.4).max(16.0) as usize;
    let turn = std::f32::consts::TAU + overlap;
    (0..=n)
        .map(|i| {
            let t = start + turn * i as f32 / n as f32;
            (c.0 + rx * t.cos(), c.1 + ry * t.sin())
        })
        .collect()
}

/// A closed polygon, its first corner repeated with a small overshoot.
pub fn closed(points: &[(f32, f32)]) -> Vec<(f32, f32)> {
    let mut out = points.to_vec();
    let (a, b) = (points[0], points[1]);
    out.push(a);
    out.push((a.0 + (b.0 - a.0) * 0.08, a.1 + (b.1 - a.1) * 0.08));
    out
}
pub mod scenes;
