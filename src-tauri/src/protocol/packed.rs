//! Packed points for a sync (`REQUEST_SYNC {packedPoints: true}`): a
//! stroke's `points: [{x, y}, …]` sent as `{scale, xy}`, where `xy` holds
//! whole numbers: the first point times `scale`, then each point's step from
//! the one before. A late joiner's board is mostly points, and steps of a
//! drawn line are small numbers that compress well: the bytes of a full
//! sync of pencil strokes roughly halve again after permessage-deflate.
//!
//! Packing is exact or not done: a shape is packed only when every
//! coordinate times the smallest `scale` in [`SCALES`] that fits is a whole
//! number the client's doubles hold exactly, and dividing it back gives the
//! very same double (a division of two whole numbers is correctly rounded,
//! like parsing the decimal the UI wrote). Any other shape (no points, a
//! point with other fields, coordinates with more decimals) goes as stored.
//! Only syncs are packed; relayed changes carry the shape as it was sent.

use serde_json::{Map, Number, Value};

/// The scales tried, smallest first (the web UI rounds coordinates to two
/// decimals: its strokes pack at 100 or less).
pub const SCALES: [f64; 4] = [1.0, 10.0, 100.0, 1000.0];

/// A coordinate times its scale stays under this (2^52), so that it and
/// every step between two of them (under 2^53) are exact in a double.
const MAX_WHOLE: f64 = 4_503_599_627_370_496.0;

/// The shape's JSON with its points packed, or None when it has no points
/// to pack exactly (it is then sent as stored).
pub fn pack_shape(json: &str) -> Option<String> {
    let mut shape: Map<String, Value> = serde_json::from_str(json).ok()?;
    let points = shape.get("points")?.as_array()?;
    if points.len() < 2 {
        return None;
    }
    let mut coords = Vec::with_capacity(points.len() * 2);
    for p in points {
        let p = p.as_object()?;
        if p.len() != 2 {
            return None;
        }
        coords.push(p.get("x")?.as_f64()?);
        coords.push(p.get("y")?.as_f64()?);
    }
    let scale = SCALES.into_iter().find(|s| exact_at(&coords, *s))?;
    let mut xy = Vec::with_capacity(coords.len());
    let (mut px, mut py) = (0i64, 0i64);
    for pair in coords.chunks_exact(2) {
        let (x, y) = (
            (pair[0] * scale).round() as i64,
            (pair[1] * scale).round() as i64,
        );
        xy.push(Value::from(x - px));
        xy.push(Value::from(y - py));
        (px, py) = (x, y);
    }
    let mut packed = Map::new();
    packed.insert("scale".into(), Value::Number(Number::from(scale as i64)));
    packed.insert("xy".into(), Value::Array(xy));
    *shape.get_mut("points")? = Value::Object(packed);
    serde_json::to_string(&shape).ok()
}

/// Whether every coordinate times `scale` is a whole number that divides
/// back to the same double, and every step between neighbours stays exact.
fn exact_at(coords: &[f64], scale: f64) -> bool {
    coords.iter().all(|v| {
        let n = (v * scale).round();
        n.abs() < MAX_WHOLE && n / scale == *v
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the web UI does with a packed shape.
    fn unpack(json: &str) -> Value {
        let mut shape: Value = serde_json::from_str(json).unwrap();
        let packed = shape["points"].clone();
        if let Some(scale) = packed.get("scale").and_then(Value::as_f64) {
            let xy = packed["xy"].as_array().unwrap();
            let (mut x, mut y) = (0i64, 0i64);
            let points: Vec<Value> = xy
                .chunks_exact(2)
                .map(|d| {
                    x += d[0].as_i64().unwrap();
                    y += d[1].as_i64().unwrap();
                    serde_json::json!({"x": x as f64 / scale, "y": y as f64 / scale})
                })
                .collect();
            shape["points"] = Value::Array(points);
        }
        shape
    }

    fn same(json: &str) {
        let packed = pack_shape(json).expect("packs");
        let a: Value = serde_json::from_str(json).unwrap();
        let b = unpack(&packed);
        // Compared as numbers: 12 and 12.0 are the same double to the UI.
        let num = |v: &Value| v.as_f64().unwrap();
        for (p, q) in a["points"]
            .as_array()
            .unwrap()
            .iter()
            .zip(b["points"].as_array().unwrap())
        {
            assert_eq!(num(&p["x"]).to_bits(), num(&q["x"]).to_bits());
            assert_eq!(num(&p["y"]).to_bits(), num(&q["y"]).to_bits());
        }
        let strip = |mut v: Value| {
            v.as_object_mut().unwrap().remove("points");
            v
        };
        assert_eq!(strip(a), strip(b), "every other field as stored");
    }

    #[test]
    fn ui_strokes_pack_exactly_at_the_smallest_scale() {
        let json = r#"{"id":"s","type":"pencil","points":[{"x":10.25,"y":-3.5},{"x":10.5,"y":-3.75},{"x":0.1,"y":0.07}],"style":{"strokeWidth":2},"isSelected":false}"#;
        same(json);
        let packed: Value = serde_json::from_str(&pack_shape(json).unwrap()).unwrap();
        assert_eq!(packed["points"]["scale"], 100);
        assert_eq!(
            packed["points"]["xy"],
            serde_json::json!([1025, -350, 25, -25, -1040, 382])
        );
        // The other fields keep their place and form.
        assert!(pack_shape(json)
            .unwrap()
            .starts_with(r#"{"id":"s","type":"pencil","points":{"scale":100,"xy":"#));
        same(r#"{"id":"w","points":[{"x":1,"y":2},{"x":3,"y":4}]}"#);
        // Three decimals: the largest scale.
        let fine = r#"{"id":"m","points":[{"x":0.125,"y":-7.001},{"x":2.5,"y":1}]}"#;
        same(fine);
        let fine: Value = serde_json::from_str(&pack_shape(fine).unwrap()).unwrap();
        assert_eq!(fine["points"]["scale"], 1000);
        let whole: Value = serde_json::from_str(
            &pack_shape(r#"{"points":[{"x":1,"y":2},{"x":3,"y":4}]}"#).unwrap(),
        )
        .unwrap();
        assert_eq!(whole["points"]["scale"], 1);
    }

    #[test]
    fn anything_not_exact_goes_as_stored() {
        for json in [
            r#"{"id":"a","points":[{"x":0.12345,"y":1},{"x":1,"y":1}]}"#, // past the largest scale
            r#"{"id":"b","points":[{"x":1,"y":1,"p":0.5},{"x":1,"y":1}]}"#, // a point with more
            r#"{"id":"c","points":[{"x":1,"y":"1"},{"x":1,"y":1}]}"#,     // not a number
            r#"{"id":"d","points":[{"x":1,"y":1}]}"#,                     // one point
            r#"{"id":"e","type":"image","x":1,"y":2}"#,                   // no points
            r#"{"id":"f","points":[{"x":1e300,"y":1},{"x":1,"y":1}]}"#,   // too large to be exact
            r#"{"id":"g","points":"nope"}"#,
            "not json",
        ] {
            assert_eq!(pack_shape(json), None, "{json}");
        }
    }
}
