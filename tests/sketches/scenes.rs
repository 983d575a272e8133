//! The four sample drawings.

use super::{closed, ellipse, Pen, Sheet};
use image::RgbaImage;

const PENCIL: Pen = Pen {
    colour: [0.24, 0.24, 0.26],
    radius: 1.5,
    opacity: 0.85,
    wobble: 1.2,
    grain: 0.5,
};

const CANVAS_PEN: Pen = Pen {
    colour: [0.05, 0.05, 0.07],
    radius: 1.8,
    opacity: 1.0,
    wobble: 0.6,
    grain: 0.0,
};

const INK_PEN: Pen = Pen {
    colour: [0.08, 0.08, 0.1],
    radius: 2.8,
    opacity: 0.95,
    wobble: 1.8,
    grain: 0.15,
};

fn marker(colour: [f32; 3]) -> Pen {
    Pen {
        colour,
        radius: 4.0,
        opacity: 0.92,
        wobble: 1.5,
        grain: 0.05,
    }
}

fn rect(sheet: &mut Sheet, x0: f32, y0: f32, x1: f32, y1: f32, pen: Pen) {
    sheet.stroke(&closed(&[(x0, y0), (x1, y0), (x1, y1), (x0, y1)]), pen);
}

/// A house on grey, unevenly lit paper, in pencil, with dust; the roof's
/// apex has a small gap, as quick drawings do.
pub fn house() -> RgbaImage {
    let mut s = Sheet::new(800, 600, false, 1);
    s.photo_paper([0.86, 0.85, 0.82], (0.15, 0.1), 0.45);
    let p = PENCIL;
    rect(&mut s, 250.0, 285.0, 550.0, 500.0, p);
    s.stroke(&[(228.0, 288.0), (398.0, 150.0)], p);
    s.stroke(&[(403.0, 151.0), (572.0, 288.0)], p);
    s.stroke(&[(232.0, 287.0), (568.0, 286.0)], p);
    s.stroke(
        &[
            (372.0, 500.0),
            (372.0, 392.0),
            (430.0, 392.0),
            (430.0, 500.0),
        ],
        p,
    );
    s.stroke(&ellipse((418.0, 448.0), 3.5, 3.5, 0.0, 0.5), p);
    for x in [285.0, 455.0] {
        rect(&mut s, x, 322.0, x + 62.0, 378.0, p);
        s.stroke(&[(x + 31.0, 322.0), (x + 31.0, 378.0)], p);
        s.stroke(&[(x, 350.0), (x + 62.0, 350.0)], p);
    }
    s.stroke(
        &[
            (472.0, 222.0),
            (472.0, 160.0),
            (508.0, 160.0),
            (508.0, 252.0),
        ],
        p,
    );
    s.stroke(&[(60.0, 501.0), (400.0, 503.0), (740.0, 498.0)], p);
    s.stroke(&[(140.0, 140.0), (160.0, 155.0), (180.0, 138.0)], p);
    s.stroke(&[(190.0, 110.0), (205.0, 121.0), (220.0, 108.0)], p);
    s.specks(70, 1.7);
    s.image()
}

/// A sun and a tree exported from a drawing app: black lines on a
/// transparent background.
pub fn sun_and_tree() -> RgbaImage {
    let mut s = Sheet::new(640, 480, true, 2);
    let p = CANVAS_PEN;
    s.stroke(&ellipse((120.0, 110.0), 45.0, 45.0, 0.3, 0.4), p);
    for k in 0..8 {
        let t = k as f32 * std::f32::consts::TAU / 8.0 + 0.2;
        let (c, sn) = (t.cos(), t.sin());
        s.stroke(
            &[
                (120.0 + 58.0 * c, 110.0 + 58.0 * sn),
                (120.0 + 82.0 * c, 110.0 + 82.0 * sn),
            ],
            p,
        );
    }
    s.stroke(&[(430.0, 420.0), (434.0, 302.0)], p);
    s.stroke(&[(472.0, 420.0), (467.0, 302.0)], p);
    let crown = Pen { wobble: 4.0, ..p };
    s.stroke(&ellipse((450.0, 236.0), 95.0, 78.0, 1.0, 0.3), crown);
    s.stroke(&[(20.0, 420.0), (320.0, 423.0), (620.0, 419.0)], p);
    for x in [90.0, 200.0, 560.0] {
        s.stroke(
            &[
                (x, 418.0),
                (x + 6.0, 398.0),
                (x + 12.0, 418.0),
                (x + 18.0, 396.0),
            ],
            p,
        );
    }
    s.image()
}

/// A doodle in coloured markers on white paper: heart, fish, star, sun
/// (closed) and a wave and a spiral (open).
pub fn marker_doodle() -> RgbaImage {
    let mut s = Sheet::new(1024, 768, false, 3);
    s.photo_paper([0.97, 0.97, 0.96], (0.5, 0.4), 0.12);
    let heart: Vec<(f32, f32)> = (0..=80)
        .map(|i| {
            let t = i as f32 / 80.0 * std::f32::consts::TAU * 1.03;
            let x = 16.0 * t.sin().powi(3);
            let y =
                13.0 * t.cos() - 5.0 * (2.0 * t).cos() - 2.0 * (3.0 * t).cos() - (4.0 * t).cos();
            (250.0 + 8.0 * x, 240.0 - 8.0 * y)
        })
        .collect();
    s.stroke(&heart, marker([0.85, 0.15, 0.2]));
    let blue = marker([0.15, 0.35, 0.8]);
    s.stroke(&ellipse((660.0, 260.0), 130.0, 70.0, 3.0, 0.3), blue);
    s.stroke(
        &closed(&[(532.0, 260.0), (450.0, 195.0), (455.0, 325.0)]),
        blue,
    );
    s.stroke(&ellipse((730.0, 240.0), 9.0, 9.0, 0.0, 0.6), blue);
    let star: Vec<(f32, f32)> = (0..10)
        .map(|k| {
            let t = k as f32 * std::f32::consts::PI / 5.0 - std::f32::consts::FRAC_PI_2;
            let r = if k % 2 == 0 { 115.0 } else { 48.0 };
            (260.0 + r * t.cos(), 570.0 + r * t.sin())
        })
        .collect();
    s.stroke(&closed(&star), marker([0.95, 0.55, 0.1]));
    let wave: Vec<(f32, f32)> = (0..=60)
        .map(|i| {
            (
                500.0 + i as f32 * 7.5,
                470.0 + 28.0 * (i as f32 * 0.35).sin(),
            )
        })
        .collect();
    s.stroke(&wave, marker([0.2, 0.65, 0.3]));
    let spiral: Vec<(f32, f32)> = (0..=120)
        .map(|i| {
            let t = i as f32 * 0.14;
            (790.0 + 6.0 * t * t.cos(), 620.0 + 6.0 * t * t.sin())
        })
        .collect();
    s.stroke(&spiral, marker([0.55, 0.25, 0.7]));
    s.stroke(
        &ellipse((910.0, 120.0), 55.0, 55.0, 0.5, 0.4),
        marker([0.98, 0.85, 0.1]),
    );
    s.image()
}

/// A full-HD photo of an ink drawing on warm paper lit from one side: a
/// house, a tree, the sun, clouds, hills and a fence, with dust.
pub fn scene_1080p() -> RgbaImage {
    let mut s = Sheet::new(1920, 1080, false, 4);
    s.photo_paper([0.93, 0.89, 0.8], (0.8, 0.15), 0.55);
    let p = INK_PEN;
    s.stroke(
        &[
            (0.0, 640.0),
            (260.0, 520.0),
            (520.0, 610.0),
            (900.0, 470.0),
            (1300.0, 600.0),
            (1600.0, 500.0),
            (1920.0, 630.0),
        ],
        p,
    );
    s.stroke(&[(0.0, 900.0), (960.0, 908.0), (1920.0, 896.0)], p);
    rect(&mut s, 320.0, 560.0, 780.0, 900.0, p);
    s.stroke(
        &closed(&[(290.0, 565.0), (550.0, 360.0), (810.0, 565.0)]),
        p,
    );
    s.stroke(
        &[
            (500.0, 900.0),
            (500.0, 720.0),
            (600.0, 720.0),
            (600.0, 900.0),
        ],
        p,
    );
    for x in [370.0, 650.0] {
        rect(&mut s, x, 620.0, x + 90.0, 700.0, p);
        s.stroke(&[(x + 45.0, 620.0), (x + 45.0, 700.0)], p);
    }
    s.stroke(&[(1250.0, 900.0), (1258.0, 700.0)], p);
    s.stroke(&[(1330.0, 900.0), (1322.0, 700.0)], p);
    s.stroke(
        &ellipse((1290.0, 560.0), 170.0, 150.0, 1.2, 0.3),
        Pen { wobble: 6.0, ..p },
    );
    s.stroke(&ellipse((1650.0, 210.0), 90.0, 90.0, 0.0, 0.3), p);
    for k in 0..10 {
        let t = k as f32 * std::f32::consts::TAU / 10.0;
        let (c, sn) = (t.cos(), t.sin());
        s.stroke(
            &[
                (1650.0 + 115.0 * c, 210.0 + 115.0 * sn),
                (1650.0 + 160.0 * c, 210.0 + 160.0 * sn),
            ],
            p,
        );
    }
    for (cx, cy) in [(820.0, 200.0), (260.0, 150.0)] {
        let cloud: Vec<(f32, f32)> = (0..=90)
            .map(|i| {
                let t = i as f32 / 90.0 * std::f32::consts::TAU * 1.02;
                let bump = 1.0 + 0.12 * (t * 6.0).sin().abs();
                (cx + 150.0 * bump * t.cos(), cy + 60.0 * bump * t.sin())
            })
            .collect();
        s.stroke(&cloud, p);
    }
    for k in 0..9 {
        let x = 1480.0 + k as f32 * 48.0;
        s.stroke(
            &[
                (x, 900.0),
                (x, 790.0),
                (x + 14.0, 772.0),
                (x + 28.0, 790.0),
                (x + 28.0, 900.0),
            ],
            p,
        );
    }
    s.stroke(&[(1470.0, 820.0), (1900.0, 822.0)], p);
    s.stroke(&[(1470.0, 870.0), (1900.0, 868.0)], p);
    s.specks(160, 2.2);
    s.image()
}

/// Draws one sample.
pub type Draw = fn() -> RgbaImage;

/// Every sample, by file name.
pub fn all() -> Vec<(&'static str, Draw)> {
    vec![
        ("house.png", house as Draw),
        ("sun_and_tree.png", sun_and_tree),
        ("marker_doodle.png", marker_doodle),
        ("scene_1080p.png", scene_1080p),
    ]
}
