//! Connected components of a mask, by horizontal runs.
//!
//! Working on runs instead of pixels keeps labelling to one pass over the
//! mask plus a union-find over far fewer items than pixels (a blank region is
//! one run a row). Components are numbered in raster order of their first
//! pixel and unions always keep the smaller index, so the result depends only
//! on the mask.

/// A horizontal run of set pixels: row `y`, columns `x0..x1`.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    pub y: u32,
    pub x0: u32,
    pub x1: u32,
}

/// What is known of one component.
#[derive(Debug, Clone, Copy, Default)]
pub struct Component {
    /// Pixels in it.
    pub area: u32,
    /// Whether it reaches the image's edge.
    pub touches_border: bool,
    /// The largest mask value among its pixels.
    pub peak: u8,
    /// Its bounding box: columns `x0..x1`, rows `y0..y1`.
    pub x0: u32,
    pub x1: u32,
    pub y0: u32,
    pub y1: u32,
}

/// The pixels left, right, above and below pixel `i` of a `w`×`h` image,
/// those that exist: the steps of every region-growing walk.
pub fn neighbours4(i: usize, w: usize, h: usize) -> impl Iterator<Item = usize> {
    let (x, y) = (i % w, i / w);
    [
        (x > 0).then(|| i - 1),
        (x + 1 < w).then(|| i + 1),
        (y > 0).then(|| i - w),
        (y + 1 < h).then(|| i + w),
    ]
    .into_iter()
    .flatten()
}

/// Every run of a mask and the component each belongs to.
pub struct Components {
    pub runs: Vec<Run>,
    /// For each run, the index of its component in `comps`.
    pub run_comp: Vec<u32>,
    pub comps: Vec<Component>,
}

fn find(parent: &mut [u32], mut i: u32) -> u32 {
    while parent[i as usize] != i {
        let up = parent[parent[i as usize] as usize];
        parent[i as usize] = up;
        i = up;
    }
    i
}

fn union(parent: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        parent[hi as usize] = lo;
    }
}

/// Labels the pixels where `mask` is non-zero. With `diagonal`, pixels that
/// touch only at a corner are connected (8-connectivity, right for thin
/// strokes); without, only edge neighbours are (4-connectivity, right for the
/// regions between strokes, which must not leak through a diagonal line).
pub fn label(mask: &[u8], width: u32, height: u32, diagonal: bool) -> Components {
    let w = width as usize;
    let mut runs: Vec<Run> = Vec::new();
    let mut peaks: Vec<u8> = Vec::new();
    let mut parent: Vec<u32> = Vec::new();
    let reach = u32::from(diagonal);
    let mut prev = 0..0;
    for y in 0..height {
        let row = &mask[y as usize * w..(y as usize + 1) * w];
        let start = runs.len();
        let mut x = 0;
        while x < w {
            if row[x] == 0 {
                x += 1;
                continue;
            }
            let x0 = x;
            let mut peak = 0;
            while x < w && row[x] != 0 {
                peak = peak.max(row[x]);
                x += 1;
            }
            runs.push(Run {
                y,
                x0: x0 as u32,
                x1: x as u32,
            });
            peaks.push(peak);
            parent.push(parent.len() as u32);
        }
        // Join each new run with the runs above that it touches; both lists
        // are sorted by x, so one forward walk does it.
        let mut above = prev.start;
        for cur in start..runs.len() {
            let run = runs[cur];
            while above < prev.end && runs[above].x1 + reach <= run.x0 {
                above += 1;
            }
            let mut k = above;
            while k < prev.end && runs[k].x0 < run.x1 + reach {
                union(&mut parent, k as u32, cur as u32);
                k += 1;
            }
        }
        prev = start..runs.len();
    }
    let mut comp_of_root = vec![u32::MAX; runs.len()];
    let mut run_comp = Vec::with_capacity(runs.len());
    let mut comps: Vec<Component> = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let root = find(&mut parent, i as u32) as usize;
        if comp_of_root[root] == u32::MAX {
            comp_of_root[root] = comps.len() as u32;
            comps.push(Component {
                x0: run.x0,
                x1: run.x1,
                y0: run.y,
                y1: run.y + 1,
                ..Component::default()
            });
        }
        let id = comp_of_root[root];
        let comp = &mut comps[id as usize];
        comp.area += run.x1 - run.x0;
        comp.peak = comp.peak.max(peaks[i]);
        comp.x0 = comp.x0.min(run.x0);
        comp.x1 = comp.x1.max(run.x1);
        comp.y1 = run.y + 1;
        comp.touches_border |= run.y == 0 || run.y + 1 == height || run.x0 == 0 || run.x1 == width;
        run_comp.push(id);
    }
    Components {
        runs,
        run_comp,
        comps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask(rows: &[&str]) -> (Vec<u8>, u32, u32) {
        let w = rows[0].len() as u32;
        let data = rows
            .iter()
            .flat_map(|r| r.bytes().map(|b| if b == b'.' { 0 } else { b - b'0' }))
            .collect();
        (data, w, rows.len() as u32)
    }

    #[test]
    fn diagonal_touch_joins_only_with_eight_connectivity() {
        let (m, w, h) = mask(&["1...", ".1..", "..1.", "...2"]);
        assert_eq!(label(&m, w, h, true).comps.len(), 1);
        assert_eq!(label(&m, w, h, false).comps.len(), 4);
        let c = label(&m, w, h, true).comps[0];
        assert_eq!((c.area, c.peak, c.touches_border), (4, 2, true));
    }

    #[test]
    fn a_u_shape_is_one_component_and_its_inside_is_enclosed() {
        let (m, w, h) = mask(&[
            "......", //
            ".1..1.", //
            ".1..1.", //
            ".1111.", //
            "......",
        ]);
        let ink = label(&m, w, h, true);
        assert_eq!(ink.comps.len(), 1);
        assert_eq!(ink.comps[0].area, 8);
        let c = ink.comps[0];
        assert_eq!((c.x0, c.x1, c.y0, c.y1), (1, 5, 1, 4));
        assert!(!ink.comps[0].touches_border);
        let inverse: Vec<u8> = m.iter().map(|&v| u8::from(v == 0)).collect();
        // The U is open at the top, so its inside joins the outside.
        assert_eq!(label(&inverse, w, h, false).comps.len(), 1);
    }
}
