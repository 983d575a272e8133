//! Styles: the words of a prompt that change how the picture is painted,
//! beyond its colours (which [`super::palette`] picks from theme words).
//!
//! A prompt may name one medium (watercolour, crayon, pencil, ink, comic;
//! the first one named wins) and any of two moods that change the colours
//! (night, pastel). Each known word is reported back, so the person sees
//! which of their words the offline enhancer followed. Matching is on whole
//! words, case-insensitive, with a few spellings and plurals each.

use super::palette::{Palette, Rgb};

/// How the strokes and fills are laid down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Medium {
    /// Crisp strokes, flat fills.
    #[default]
    Plain,
    /// Soft strokes, fills that pool darker at their edges, paper grain.
    Watercolour,
    /// Waxy, broken strokes and streaky fills with paper showing through.
    Crayon,
    /// Graphite-grey strokes and fills hatched in grey, no colour.
    Pencil,
    /// Pure black strokes, flat fills.
    Ink,
    /// Bold black outlines, saturated flat fills with halftone dots.
    Comic,
}

/// What a prompt asks of the painting.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Style {
    pub medium: Medium,
    /// Dark, cool colours; the biggest closed region is a night sky with
    /// stars, small closed regions (windows) are lit.
    pub night: bool,
    /// Light, soft fills and gentle ink.
    pub pastel: bool,
    /// The style names followed, in the order the prompt gave them.
    pub used: Vec<&'static str>,
}

/// Every style word and the name it is reported as.
const WORDS: &[(&[&str], &str)] = &[
    (
        &[
            "watercolour",
            "watercolours",
            "watercolor",
            "watercolors",
            "aquarelle",
        ],
        "watercolour",
    ),
    (&["crayon", "crayons", "wax"], "crayon"),
    (&["pencil", "pencils", "graphite"], "pencil"),
    (&["ink", "inked", "inks"], "ink"),
    (
        &["comic", "comics", "cartoon", "cartoons", "manga"],
        "comic",
    ),
    (&["night", "nighttime", "midnight", "nightfall"], "night"),
    (&["pastel", "pastels"], "pastel"),
];

/// The style a prompt asks for (the plain style if it names none).
pub fn for_prompt(prompt: &str) -> Style {
    let mut style = Style::default();
    let lower = prompt.to_lowercase();
    for word in lower.split(|c: char| !c.is_alphanumeric()) {
        let Some(&(_, name)) = WORDS.iter().find(|(words, _)| words.contains(&word)) else {
            continue;
        };
        if style.used.contains(&name) {
            continue;
        }
        let medium = match name {
            "watercolour" => Medium::Watercolour,
            "crayon" => Medium::Crayon,
            "pencil" => Medium::Pencil,
            "ink" => Medium::Ink,
            "comic" => Medium::Comic,
            "night" => {
                style.night = true;
                style.used.push(name);
                continue;
            }
            _ => {
                style.pastel = true;
                style.used.push(name);
                continue;
            }
        };
        if style.medium == Medium::Plain {
            style.medium = medium;
            style.used.push(name);
        }
    }
    style
}

/// The colours one picture is painted with: the theme's palette changed by
/// the style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Colours {
    pub fills: Vec<Rgb>,
    /// The dark ink strokes get (coloured strokes keep their hue, except in
    /// pencil and ink, where every stroke is this).
    pub ink: Rgb,
    /// The night sky (used when [`Style::night`]).
    pub sky: Rgb,
    /// A lit window (used when [`Style::night`]).
    pub window: Rgb,
}

/// The night sky's colour.
const NIGHT_SKY: Rgb = [16, 22, 52];
/// The colour night pulls every fill towards.
const NIGHT_TINT: Rgb = [18, 32, 100];
/// How far (of 256) night pulls a fill to [`NIGHT_TINT`].
const NIGHT_PULL: u32 = 180;
/// A window lit from inside.
const LIT_WINDOW: Rgb = [255, 212, 104];
/// How far (of 256) pastel pulls a fill to white.
const PASTEL_PULL: u32 = 130;
/// Pencil graphite.
pub const GRAPHITE: Rgb = [74, 74, 80];
/// Comic saturation boost, in 256ths (320 = 1.25×).
const COMIC_SATURATION: i32 = 330;
/// How far (of 256) watercolour pulls a fill towards white: pigment thinned
/// with water.
const WATER_PULL: u32 = 40;

/// `a` pulled towards `b` by `t` of 256.
pub fn mix(a: Rgb, b: Rgb, t: u32) -> Rgb {
    [0, 1, 2].map(|k| ((u32::from(a[k]) * (256 - t) + u32::from(b[k]) * t + 128) >> 8) as u8)
}

fn saturate(c: Rgb, amount: i32) -> Rgb {
    let grey = (i32::from(c[0]) + i32::from(c[1]) + i32::from(c[2])) / 3;
    c.map(|v| (grey + (i32::from(v) - grey) * amount / 256).clamp(0, 255) as u8)
}

impl Style {
    /// The palette as this style paints it.
    pub fn colours(&self, palette: &Palette) -> Colours {
        let mut fills: Vec<Rgb> = palette.fills.to_vec();
        let mut ink = palette.ink;
        match self.medium {
            Medium::Watercolour => {
                fills = fills
                    .iter()
                    .map(|&c| mix(c, [255; 3], WATER_PULL))
                    .collect()
            }
            Medium::Comic => {
                fills = fills
                    .iter()
                    .map(|&c| saturate(c, COMIC_SATURATION))
                    .collect();
                ink = [0; 3];
            }
            Medium::Ink => ink = [0; 3],
            Medium::Pencil => ink = GRAPHITE,
            Medium::Plain | Medium::Crayon => {}
        }
        if self.pastel {
            fills = fills
                .iter()
                .map(|&c| mix(c, [255; 3], PASTEL_PULL))
                .collect();
            ink = mix(ink, [128, 112, 140], 120);
        }
        if self.night {
            fills = fills
                .iter()
                .map(|&c| mix(c, NIGHT_TINT, NIGHT_PULL))
                .collect();
        }
        Colours {
            fills,
            ink,
            sky: NIGHT_SKY,
            window: LIT_WINDOW,
        }
    }

    /// What to tell the person: the style words followed.
    pub fn summary(&self) -> String {
        if self.used.is_empty() {
            "none".into()
        } else {
            self.used.join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn style_words_are_found_in_any_spelling_and_reported_in_order() {
        let s = for_prompt("A Watercolor castle at NIGHT");
        assert_eq!(
            (s.medium, s.night, s.pastel),
            (Medium::Watercolour, true, false)
        );
        assert_eq!(s.used, vec!["watercolour", "night"]);
        assert_eq!(for_prompt("make it night").used, vec!["night"]);
        assert_eq!(
            for_prompt("pastel crayons, pastels").used,
            vec!["pastel", "crayon"]
        );
        // One medium: the first named.
        let s = for_prompt("comic in pencil");
        assert_eq!((s.medium, s.used.clone()), (Medium::Comic, vec!["comic"]));
        // Whole words only.
        assert_eq!(
            for_prompt("a pink inkwell at nightclub").used,
            Vec::<&str>::new()
        );
        assert_eq!(for_prompt("").summary(), "none");
    }

    #[test]
    fn night_darkens_and_pastel_lightens() {
        let p = super::super::palette::DEFAULT;
        let luma =
            |c: &Rgb| (77 * u32::from(c[0]) + 150 * u32::from(c[1]) + 29 * u32::from(c[2])) >> 8;
        let plain = Style::default().colours(&p);
        let night = for_prompt("night").colours(&p);
        let pastel = for_prompt("pastel").colours(&p);
        for k in 0..p.fills.len() {
            assert!(luma(&night.fills[k]) + 60 < luma(&plain.fills[k]));
            assert!(
                night.fills[k][2] > night.fills[k][0],
                "cool: {:?}",
                night.fills[k]
            );
            assert!(luma(&pastel.fills[k]) > luma(&plain.fills[k]));
        }
    }
}
