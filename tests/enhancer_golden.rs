//! The offline enhancer's golden set and what it promises: the paper comes
//! out transparent (a result never hides other shapes), a result enhanced
//! again keeps its size and crisp strokes, fills stay inside closed shapes
//! and reach their corners, and each style word it knows changes the picture
//! in a way measured here. Ten sketches × the style prompts are recomputed
//! on every run; the pictures of [`DOC_PROMPTS`] are in `docs/enhancer/`.
//!
//! `COCO_UPDATE_GOLDEN=1 cargo test --test enhancer_golden` rewrites
//! `docs/enhancer/*.png` from the current code.

#[path = "enhancer_golden/drawings.rs"]
mod drawings;
#[path = "enhancer_golden/measure.rs"]
mod measure;
mod sketches;

use std::path::PathBuf;

use coco::ai::local::{enhance_detailed, palette, Enhanced, LocalOptions};
use image::RgbaImage;
use measure::*;

/// The prompts shown in `docs/enhancer/README.md`, one column each, with the
/// file-name slug of each.
const DOC_PROMPTS: &[(&str, &str)] = &[
    ("a sunny day", "plain"),
    ("a watercolour castle", "watercolour"),
    ("make it night", "night"),
    ("a crayon drawing", "crayon"),
    ("a comic", "comic"),
    ("a pencil sketch", "pencil"),
    ("in ink", "ink"),
    ("pastel colours", "pastel"),
];

fn docs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/enhancer")
}

fn updating() -> bool {
    std::env::var_os("COCO_UPDATE_GOLDEN").is_some_and(|v| v == "1")
}

fn run(img: &RgbaImage, prompt: &str) -> Enhanced {
    let opts = LocalOptions {
        prompt: prompt.into(),
        upscale: false,
    };
    enhance_detailed(img, &opts, &mut |_| {}).expect("enhanced")
}

/// An open "C" and a closed square on white paper, as the board sends them.
fn open_and_closed() -> RgbaImage {
    let mut s = sketches::Sheet::new(320, 240, false, 5);
    let pen = sketches::Pen {
        colour: [0.08, 0.08, 0.1],
        radius: 1.6,
        opacity: 1.0,
        wobble: 0.0,
        grain: 0.0,
    };
    let c: Vec<(f32, f32)> = (0..=40)
        .map(|i| {
            let t = 0.8 + i as f32 / 40.0 * (std::f32::consts::TAU - 1.6);
            (90.0 + 60.0 * t.cos(), 120.0 + 60.0 * t.sin())
        })
        .collect();
    s.stroke(&c, pen);
    s.stroke(
        &sketches::closed(&[(190.0, 60.0), (290.0, 60.0), (290.0, 180.0), (190.0, 180.0)]),
        pen,
    );
    s.image()
}

#[test]
fn paper_comes_out_transparent_and_only_closed_shapes_are_opaque() {
    let input = open_and_closed();
    let out = run(&input, "").image;
    assert_eq!(out.dimensions(), input.dimensions());
    // Paper: far from the strokes, outside the square (and inside the C).
    for (x, y) in [(5, 5), (90, 120), (60, 120), (170, 20), (310, 230)] {
        assert_eq!(out.get_pixel(x, y)[3], 0, "paper at {x},{y} is transparent");
    }
    assert_eq!(
        count_outside_not_clear(&input, &out),
        0,
        "every paper pixel"
    );
    // The square is filled, opaque, one colour.
    let mid = *out.get_pixel(240, 120);
    assert_eq!(mid[3], 255);
    for (x, y) in [(200, 70), (280, 170), (240, 65)] {
        assert_eq!(*out.get_pixel(x, y), mid, "the fill at {x},{y}");
    }
    // The strokes are drawn, opaque and dark, where they were.
    for (x, y) in [(190, 120), (30, 120), (90, 60)] {
        let p = out.get_pixel(x, y);
        assert!(p[3] == 255 && luma(p) < 80, "stroke at {x},{y}: {p:?}");
    }
}

#[test]
fn a_result_enhanced_again_keeps_its_size_and_crisp_strokes() {
    for (name, input) in drawings::all() {
        let first = run(&input, "a castle").image;
        for prompt in ["a castle", "a forest", "make it night"] {
            let second = run(&first, prompt).image;
            assert_eq!(second.dimensions(), first.dimensions(), "{name}: the size");
            let (a, b) = (sharpness(&first), sharpness(&second));
            assert!(
                b >= a * SECOND_PASS_SHARPNESS,
                "{name}, {prompt:?}: edge sharpness {a:.1} → {b:.1}"
            );
            let (sa, sb) = (stroke_pixels(&first), stroke_pixels(&second));
            assert!(
                sb.abs_diff(sa) * 100 <= sa * STROKE_WIDTH_DRIFT_PERCENT,
                "{name}, {prompt:?}: stroke pixels {sa} → {sb}"
            );
            assert_eq!(
                count_outside_not_clear(&input, &second),
                0,
                "{name}: paper stays clear"
            );
        }
    }
}

#[test]
fn fills_reach_the_corners_of_their_shapes_on_every_pass() {
    for (name, input) in drawings::all() {
        let first = run(&input, "a sunny day").image;
        let second = run(&first, "a forest").image;
        for (pass, out) in [("first", &first), ("second", &second)] {
            let (regions, patchy) = patchy_regions(&input, out);
            assert!(regions > 0, "{name}: some closed shape");
            assert!(
                patchy.is_empty(),
                "{name}, {pass} pass: fills that are not flat or stop short: {patchy:?}"
            );
        }
        // The second pass repainted the fills with its own palette.
        let forest = palette::for_prompt("a forest").fills;
        let colours = fill_colours(&input, &second);
        assert!(
            colours.iter().all(|c| forest.contains(c)),
            "{name}: forest colours, not {colours:?}"
        );
    }
}

#[test]
fn golden_set_meets_every_style_check() {
    let dir = docs();
    if updating() {
        std::fs::create_dir_all(&dir).unwrap();
    }
    for (name, input) in drawings::all() {
        if updating() {
            save_small(&input, &dir.join(format!("{name}-sketch.png")));
        }
        let plain = run(&input, "a sunny day").image;
        for &(prompt, slug) in DOC_PROMPTS {
            let done = run(&input, prompt);
            let out = &done.image;
            let expected: Vec<&str> = if slug == "plain" { vec![] } else { vec![slug] };
            assert_eq!(done.styles, expected, "{name}, {prompt:?}: styles reported");
            assert_eq!(out.dimensions(), input.dimensions());
            assert_eq!(
                count_outside_not_clear(&input, out),
                0,
                "{name}, {prompt:?}: paper is clear"
            );
            // The same bytes again (checked for the textured styles, the
            // likeliest to depend on anything but the input).
            if matches!(slug, "watercolour" | "crayon" | "night") {
                assert!(
                    run(&input, prompt).image.as_raw() == out.as_raw(),
                    "{name}, {prompt:?}: the same bytes"
                );
            }
            check_style(slug, name, &input, &plain, out);
            let path = dir.join(format!("{name}-{slug}.png"));
            if updating() {
                save_small(out, &path);
            }
            let committed = image::open(&path)
                .unwrap_or_else(|e| {
                    panic!("{}: {e}; run with COCO_UPDATE_GOLDEN=1", path.display())
                })
                .to_rgba8();
            let diff = mean_difference(&committed, out);
            assert!(diff < 1.0, "{name}, {prompt:?}: differs from docs/enhancer ({diff:.2}); run with COCO_UPDATE_GOLDEN=1");
        }
    }
}

/// The measurable promise of each style, against the plain result.
fn check_style(slug: &str, name: &str, input: &RgbaImage, plain: &RgbaImage, out: &RgbaImage) {
    let fills = fill_stats(input, out);
    let base = fill_stats(input, plain);
    match slug {
        "plain" => {}
        "night" => assert!(
            fills.mean_luma < NIGHT_MAX_FILL_LUMA && fills.mean_blue > fills.mean_red,
            "{name}: night fills mean luma {:.0} (bound {NIGHT_MAX_FILL_LUMA}), blue {:.0} red {:.0}",
            fills.mean_luma,
            fills.mean_blue,
            fills.mean_red
        ),
        "watercolour" => {
            let (a, b) = (sharpness(plain), sharpness(out));
            assert!(b <= a * WATERCOLOUR_SOFTNESS, "{name}: watercolour edges {b:.1} vs plain {a:.1}");
            assert!(fills.texture >= WATERCOLOUR_TEXTURE, "{name}: wash texture {:.1}", fills.texture);
        }
        "crayon" => assert!(
            (CRAYON_BARE_MIN..=CRAYON_BARE_MAX).contains(&fills.bare),
            "{name}: crayon leaves {:.2} of the fill bare",
            fills.bare
        ),
        "comic" => {
            assert!(fills.chroma > base.chroma, "{name}: comic is more saturated");
            assert!(
                (HALFTONE_MIN..=HALFTONE_MAX).contains(&fills.dotted),
                "{name}: halftone share {:.2}",
                fills.dotted
            );
            assert!(stroke_pixels(out) > stroke_pixels(plain), "{name}: bolder outlines");
        }
        "pencil" => assert!(max_chroma(out) <= PENCIL_MAX_CHROMA, "{name}: pencil is grey"),
        "ink" => assert!(black_share(out) >= INK_MIN_BLACK, "{name}: ink strokes are black"),
        "pastel" => assert!(
            fills.mean_luma >= base.mean_luma + PASTEL_LIGHTER,
            "{name}: pastel fills {:.0} vs plain {:.0}",
            fills.mean_luma,
            base.mean_luma
        ),
        other => panic!("no check for {other}"),
    }
}
