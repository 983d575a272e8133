//! Palettes for the flat fill, chosen from the prompt by keyword.
//!
//! The choice is a pure function of the prompt text, so the same prompt always
//! gives the same colours; a prompt that names no theme gets [`DEFAULT`].

/// An RGB colour.
pub type Rgb = [u8; 3];

/// The colours one enhancement uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// Stable name, reported back to the caller.
    pub name: &'static str,
    /// The colour of dark (black, grey, pencil) strokes.
    pub ink: Rgb,
    /// Fill colours for closed regions, biggest region first.
    pub fills: &'static [Rgb],
}

/// Friendly, medium-saturation colours: the look when the prompt names no theme.
pub const DEFAULT: Palette = Palette {
    name: "bright",
    ink: [34, 32, 40],
    fills: &[
        [250, 205, 95],  // sunflower
        [120, 182, 230], // sky
        [240, 138, 120], // coral
        [140, 205, 140], // leaf
        [190, 160, 220], // lavender
        [250, 170, 90],  // apricot
        [120, 205, 195], // teal
        [235, 150, 185], // rose
    ],
};

const SOFT: Palette = Palette {
    name: "soft",
    ink: [70, 62, 72],
    fills: &[
        [250, 226, 170],
        [184, 214, 238],
        [246, 196, 186],
        [196, 230, 196],
        [222, 206, 238],
        [250, 214, 178],
        [186, 228, 222],
        [240, 200, 218],
    ],
};

const DEEP: Palette = Palette {
    name: "deep",
    ink: [18, 18, 30],
    fills: &[
        [46, 64, 120],
        [86, 62, 132],
        [32, 112, 122],
        [200, 162, 60],
        [124, 58, 98],
        [62, 94, 150],
        [150, 120, 200],
        [28, 80, 88],
    ],
};

const FOREST: Palette = Palette {
    name: "forest",
    ink: [36, 40, 30],
    fills: &[
        [116, 170, 96],  // leaves
        [236, 200, 90],  // sunlight
        [150, 108, 70],  // bark
        [70, 130, 80],   // pine
        [200, 222, 150], // meadow
        [214, 160, 90],  // ochre
        [90, 150, 120],  // moss
        [180, 140, 100], // path
    ],
};

const SEA: Palette = Palette {
    name: "sea",
    ink: [20, 40, 60],
    fills: &[
        [96, 166, 214],
        [236, 214, 160],
        [60, 140, 170],
        [140, 210, 220],
        [250, 160, 120],
        [40, 100, 150],
        [180, 226, 236],
        [110, 190, 170],
    ],
};

const SUNSET: Palette = Palette {
    name: "sunset",
    ink: [50, 30, 40],
    fills: &[
        [250, 170, 80],
        [236, 110, 100],
        [170, 90, 140],
        [252, 208, 110],
        [230, 130, 160],
        [120, 80, 140],
        [250, 190, 150],
        [200, 80, 80],
    ],
};

const CASTLE: Palette = Palette {
    name: "castle",
    ink: [30, 30, 36],
    fills: &[
        [170, 170, 178],
        [60, 90, 160],
        [190, 60, 60],
        [220, 180, 70],
        [130, 130, 140],
        [110, 80, 150],
        [200, 200, 206],
        [90, 130, 90],
    ],
};

/// Keywords per palette. The first word of the prompt that appears here picks
/// the palette, so "a dark forest" is deep, "a forest in space" is forest.
/// Style words (watercolour, pastel, night, ...) are not themes: they change
/// how any palette is painted (see [`super::style`]).
const THEMES: &[(&[&str], Palette)] = &[
    (&["soft", "gentle", "baby", "dreamy"], SOFT),
    (
        &["dark", "space", "stars", "starry", "moon", "spooky"],
        DEEP,
    ),
    (
        &[
            "forest", "woods", "jungle", "tree", "trees", "garden", "park", "meadow",
        ],
        FOREST,
    ),
    (
        &[
            "sea",
            "ocean",
            "beach",
            "lake",
            "river",
            "water",
            "underwater",
            "island",
            "boat",
        ],
        SEA,
    ),
    (
        &[
            "sunset", "sunrise", "dusk", "dawn", "autumn", "fall", "desert", "fire",
        ],
        SUNSET,
    ),
    (
        &[
            "castle", "knight", "knights", "medieval", "king", "queen", "dragon", "fortress",
        ],
        CASTLE,
    ),
];

/// The palette a prompt asks for: the theme of its first keyword, else [`DEFAULT`].
pub fn for_prompt(prompt: &str) -> Palette {
    let lower = prompt.to_lowercase();
    for word in lower.split(|c: char| !c.is_alphanumeric()) {
        for (keywords, palette) in THEMES {
            if keywords.contains(&word) {
                return *palette;
            }
        }
    }
    DEFAULT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_pick_their_theme_in_prompt_order() {
        assert_eq!(for_prompt("").name, "bright");
        assert_eq!(for_prompt("a cat on a mat").name, "bright");
        assert_eq!(for_prompt("a dreamy bunny").name, "soft");
        assert_eq!(for_prompt("a watercolour of a tree").name, "forest");
        assert_eq!(for_prompt("a dark forest").name, "deep");
        assert_eq!(for_prompt("a forest in space").name, "forest");
        assert_eq!(for_prompt("a watercolour castle at night").name, "castle");
        assert_eq!(for_prompt("boats on the OCEAN!").name, "sea");
        assert_eq!(for_prompt("sunset over the hills").name, "sunset");
        assert_eq!(for_prompt("the king's castle").name, "castle");
        // Whole words only: "seat" is not "sea".
        assert_eq!(for_prompt("a seat").name, "bright");
    }
}
