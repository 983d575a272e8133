//! The ten golden sketches: small drawings (256 × 256) as the board sends
//! them (dark strokes on white, anti-aliased), each with closed shapes to
//! colour and open strokes that must stay unfilled.

use super::sketches::{closed, ellipse, Pen, Sheet};
use image::RgbaImage;

/// Side of every golden sketch, in pixels.
pub const SIDE: usize = 256;

const PEN: Pen = Pen {
    colour: [0.09, 0.09, 0.11],
    radius: 1.6,
    opacity: 1.0,
    wobble: 0.5,
    grain: 0.0,
};

fn sheet(seed: u64) -> Sheet {
    Sheet::new(SIDE, SIDE, false, seed)
}

fn rect(s: &mut Sheet, x0: f32, y0: f32, x1: f32, y1: f32) {
    s.stroke(&closed(&[(x0, y0), (x1, y0), (x1, y1), (x0, y1)]), PEN);
}

fn ring(s: &mut Sheet, c: (f32, f32), rx: f32, ry: f32) {
    s.stroke(&ellipse(c, rx, ry, 0.4, 0.3), PEN);
}

fn poly(s: &mut Sheet, points: &[(f32, f32)]) {
    s.stroke(&closed(points), PEN);
}

fn house() -> RgbaImage {
    let mut s = sheet(21);
    rect(&mut s, 60.0, 120.0, 196.0, 220.0);
    poly(&mut s, &[(50.0, 122.0), (128.0, 50.0), (206.0, 122.0)]);
    rect(&mut s, 112.0, 160.0, 144.0, 220.0);
    rect(&mut s, 74.0, 136.0, 100.0, 160.0);
    rect(&mut s, 156.0, 136.0, 182.0, 160.0);
    s.stroke(&[(20.0, 232.0), (236.0, 230.0)], PEN);
    s.image()
}

fn castle() -> RgbaImage {
    let mut s = sheet(22);
    let mut wall = vec![(40.0, 230.0), (40.0, 100.0)];
    for k in 0..6 {
        let x = 40.0 + k as f32 * 30.0;
        wall.extend([
            (x + 15.0, 100.0),
            (x + 15.0, 88.0),
            (x + 30.0, 88.0),
            (x + 30.0, 100.0),
        ]);
    }
    wall.extend([(216.0, 100.0), (216.0, 230.0)]);
    poly(&mut s, &wall);
    s.stroke(
        &[
            (100.0, 230.0),
            (100.0, 180.0),
            (128.0, 156.0),
            (156.0, 180.0),
            (156.0, 230.0),
        ],
        PEN,
    );
    for x in [62.0, 176.0] {
        rect(&mut s, x, 128.0, x + 18.0, 152.0);
    }
    poly(&mut s, &[(118.0, 60.0), (128.0, 30.0), (138.0, 60.0)]);
    s.stroke(&[(128.0, 60.0), (128.0, 88.0)], PEN);
    s.stroke(&[(10.0, 236.0), (246.0, 236.0)], PEN);
    s.image()
}

fn tree() -> RgbaImage {
    let mut s = sheet(23);
    rect(&mut s, 112.0, 150.0, 144.0, 232.0);
    ring(&mut s, (128.0, 100.0), 80.0, 62.0);
    for x in [30.0, 190.0] {
        s.stroke(
            &[
                (x, 236.0),
                (x + 6.0, 220.0),
                (x + 12.0, 236.0),
                (x + 18.0, 218.0),
            ],
            PEN,
        );
    }
    s.stroke(&[(10.0, 238.0), (246.0, 238.0)], PEN);
    s.image()
}

fn cat() -> RgbaImage {
    let mut s = sheet(24);
    ring(&mut s, (128.0, 140.0), 82.0, 72.0);
    poly(&mut s, &[(62.0, 100.0), (70.0, 36.0), (108.0, 74.0)]);
    poly(&mut s, &[(148.0, 74.0), (186.0, 36.0), (194.0, 100.0)]);
    ring(&mut s, (98.0, 128.0), 13.0, 16.0);
    ring(&mut s, (158.0, 128.0), 13.0, 16.0);
    poly(&mut s, &[(120.0, 160.0), (136.0, 160.0), (128.0, 170.0)]);
    for (y, dy) in [(166.0, -8.0), (176.0, 0.0), (186.0, 8.0)] {
        s.stroke(&[(100.0, y), (40.0, y + dy)], PEN);
        s.stroke(&[(156.0, y), (216.0, y + dy)], PEN);
    }
    s.image()
}

fn boat() -> RgbaImage {
    let mut s = sheet(25);
    poly(
        &mut s,
        &[(40.0, 170.0), (216.0, 170.0), (186.0, 210.0), (70.0, 210.0)],
    );
    s.stroke(&[(128.0, 170.0), (128.0, 40.0)], PEN);
    poly(&mut s, &[(132.0, 48.0), (200.0, 150.0), (132.0, 150.0)]);
    poly(&mut s, &[(124.0, 60.0), (124.0, 150.0), (70.0, 150.0)]);
    for y in [224.0, 240.0] {
        let wave: Vec<(f32, f32)> = (0..=24)
            .map(|k| (10.0 + k as f32 * 9.8, y + 5.0 * (k as f32 * 1.2).sin()))
            .collect();
        s.stroke(&wave, PEN);
    }
    s.image()
}

fn flower() -> RgbaImage {
    let mut s = sheet(26);
    for k in 0..6 {
        let t = k as f32 * std::f32::consts::TAU / 6.0;
        let c = (128.0 + 46.0 * t.cos(), 90.0 + 46.0 * t.sin());
        s.stroke(&ellipse(c, 26.0, 26.0, t + 2.0, 0.3), PEN);
    }
    ring(&mut s, (128.0, 90.0), 24.0, 24.0);
    s.stroke(&[(128.0, 140.0), (124.0, 190.0), (130.0, 244.0)], PEN);
    poly(
        &mut s,
        &[
            (126.0, 200.0),
            (170.0, 176.0),
            (190.0, 200.0),
            (150.0, 214.0),
        ],
    );
    s.image()
}

fn rocket() -> RgbaImage {
    let mut s = sheet(27);
    poly(
        &mut s,
        &[(100.0, 80.0), (156.0, 80.0), (156.0, 200.0), (100.0, 200.0)],
    );
    poly(&mut s, &[(100.0, 80.0), (128.0, 20.0), (156.0, 80.0)]);
    poly(&mut s, &[(100.0, 150.0), (66.0, 210.0), (100.0, 196.0)]);
    poly(&mut s, &[(156.0, 150.0), (190.0, 210.0), (156.0, 196.0)]);
    ring(&mut s, (128.0, 116.0), 15.0, 15.0);
    for dx in [-14.0, 0.0, 14.0] {
        s.stroke(&[(128.0 + dx, 208.0), (128.0 + dx * 1.4, 246.0)], PEN);
    }
    s.image()
}

fn fish() -> RgbaImage {
    let mut s = sheet(28);
    ring(&mut s, (118.0, 128.0), 76.0, 46.0);
    poly(&mut s, &[(192.0, 128.0), (240.0, 90.0), (240.0, 166.0)]);
    ring(&mut s, (76.0, 116.0), 8.0, 8.0);
    s.stroke(&[(120.0, 90.0), (104.0, 128.0), (120.0, 166.0)], PEN);
    for (x, y, r) in [(40.0, 60.0, 8.0), (60.0, 36.0, 6.0), (30.0, 24.0, 4.0)] {
        ring(&mut s, (x, y), r, r);
    }
    s.image()
}

fn car() -> RgbaImage {
    let mut s = sheet(29);
    poly(
        &mut s,
        &[
            (24.0, 180.0),
            (24.0, 140.0),
            (70.0, 132.0),
            (96.0, 96.0),
            (172.0, 96.0),
            (200.0, 132.0),
            (232.0, 140.0),
            (232.0, 180.0),
        ],
    );
    rect(&mut s, 104.0, 106.0, 130.0, 132.0);
    poly(
        &mut s,
        &[
            (138.0, 106.0),
            (166.0, 106.0),
            (184.0, 132.0),
            (138.0, 132.0),
        ],
    );
    ring(&mut s, (72.0, 186.0), 22.0, 22.0);
    ring(&mut s, (184.0, 186.0), 22.0, 22.0);
    s.stroke(&[(4.0, 212.0), (252.0, 212.0)], PEN);
    s.image()
}

/// A landscape in a frame: the sky is a closed region, so night can darken it.
fn framed_landscape() -> RgbaImage {
    let mut s = sheet(30);
    rect(&mut s, 16.0, 16.0, 240.0, 240.0);
    s.stroke(
        &[
            (16.0, 170.0),
            (80.0, 130.0),
            (140.0, 160.0),
            (200.0, 120.0),
            (240.0, 140.0),
        ],
        PEN,
    );
    ring(&mut s, (190.0, 60.0), 20.0, 20.0);
    rect(&mut s, 50.0, 180.0, 100.0, 220.0);
    poly(&mut s, &[(44.0, 182.0), (75.0, 156.0), (106.0, 182.0)]);
    rect(&mut s, 64.0, 192.0, 80.0, 206.0);
    s.stroke(&[(120.0, 60.0), (130.0, 52.0), (140.0, 60.0)], PEN);
    s.image()
}

/// Every golden sketch, by file name.
pub fn all() -> Vec<(&'static str, RgbaImage)> {
    vec![
        ("house", house()),
        ("castle", castle()),
        ("tree", tree()),
        ("cat", cat()),
        ("boat", boat()),
        ("flower", flower()),
        ("rocket", rocket()),
        ("fish", fish()),
        ("car", car()),
        ("landscape", framed_landscape()),
    ]
}
