//! H.264 with OpenH264 (built from source by the `openh264` crate): RGB to
//! I420 conversion, and the encoder producing MP4-ready samples.
//!
//! The conversion runs on the render workers, so the single encoder thread
//! only encodes. Colours are BT.601 limited range, what a decoder assumes
//! when the stream does not say otherwise.

use openh264::encoder::{
    BitRate, Complexity, Encoder, EncoderConfig, FrameRate, IntraFramePeriod, RateControlMode,
    UsageType,
};
use openh264::formats::YUVSource;
use openh264::OpenH264API;

use super::VideoError;

/// Bits spent per pixel per frame: enough for soft, slowly moving pictures.
const BITS_PER_PIXEL: f64 = 0.1;
/// Seconds between keyframes, so a player can seek without decoding far back.
const KEYFRAME_SECONDS: u32 = 2;

/// One frame in I420: the Y plane, then U and V at half size.
pub(crate) struct Yuv420 {
    width: usize,
    height: usize,
    data: Vec<u8>,
}

impl Yuv420 {
    /// Converts packed RGB (`width`×`height`, both even) to I420.
    pub fn from_rgb(rgb: &[u8], width: u32, height: u32) -> Yuv420 {
        let (w, h) = (width as usize, height as usize);
        let (cw, ch) = (w / 2, h / 2);
        let mut data = vec![0u8; w * h + 2 * cw * ch];
        let (y_plane, chroma) = data.split_at_mut(w * h);
        let (u_plane, v_plane) = chroma.split_at_mut(cw * ch);
        for (row, y_row) in rgb.chunks_exact(w * 3).zip(y_plane.chunks_exact_mut(w)) {
            for (pixel, y) in row.chunks_exact(3).zip(y_row.iter_mut()) {
                let [r, g, b] = [pixel[0], pixel[1], pixel[2]].map(i32::from);
                *y = ((66 * r + 129 * g + 25 * b + 128) >> 8) as u8 + 16;
            }
        }
        for cy in 0..ch {
            let top = &rgb[(2 * cy) * w * 3..(2 * cy + 1) * w * 3];
            let bottom = &rgb[(2 * cy + 1) * w * 3..(2 * cy + 2) * w * 3];
            for cx in 0..cw {
                let mut sum = [0i32; 3];
                for row in [top, bottom] {
                    for pixel in row[cx * 6..cx * 6 + 6].chunks_exact(3) {
                        for c in 0..3 {
                            sum[c] += i32::from(pixel[c]);
                        }
                    }
                }
                let [r, g, b] = sum.map(|s| (s + 2) / 4);
                u_plane[cy * cw + cx] = (((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128) as u8;
                v_plane[cy * cw + cx] = (((112 * r - 94 * g - 18 * b + 128) >> 8) + 128) as u8;
            }
        }
        Yuv420 {
            width: w,
            height: h,
            data,
        }
    }
}

impl YUVSource for Yuv420 {
    fn dimensions(&self) -> (usize, usize) {
        (self.width, self.height)
    }

    fn strides(&self) -> (usize, usize, usize) {
        (self.width, self.width / 2, self.width / 2)
    }

    fn y(&self) -> &[u8] {
        &self.data[..self.width * self.height]
    }

    fn u(&self) -> &[u8] {
        let start = self.width * self.height;
        &self.data[start..start + self.width * self.height / 4]
    }

    fn v(&self) -> &[u8] {
        &self.data[self.width * self.height * 5 / 4..]
    }
}

/// One encoded frame, as an MP4 sample wants it.
pub(crate) struct EncodedFrame {
    /// NAL units, each prefixed with its 4-byte big-endian length.
    pub sample: Vec<u8>,
    pub keyframe: bool,
    /// Parameter sets, present on keyframes; they go in the `avcC` box.
    pub sps: Option<Vec<u8>>,
    pub pps: Option<Vec<u8>>,
}

/// An OpenH264 encoder at a fixed size and rate.
pub(crate) struct H264Encoder {
    encoder: Encoder,
}

impl H264Encoder {
    pub fn new(width: u32, height: u32, fps: u32) -> Result<H264Encoder, VideoError> {
        let bitrate =
            (f64::from(width) * f64::from(height) * f64::from(fps) * BITS_PER_PIXEL) as u32;
        let config = EncoderConfig::new()
            .usage_type(UsageType::CameraVideoRealTime)
            // Bitrate mode cannot hold its rate without skipping frames (which
            // we never allow) and says so on the terminal at every render;
            // buffer-based control steers quality by the encoder's buffer
            // instead, with the same bitrate as its guide.
            .rate_control_mode(RateControlMode::Bufferbased)
            .bitrate(BitRate::from_bps(bitrate))
            .max_frame_rate(FrameRate::from_hz(fps as f32))
            // A dropped frame would shorten the video and break its timing.
            .skip_frames(false)
            .complexity(Complexity::Low)
            .intra_frame_period(IntraFramePeriod::from_num_frames(fps * KEYFRAME_SECONDS));
        let encoder = Encoder::with_api_config(OpenH264API::from_source(), config)
            .map_err(|e| VideoError::Encode(format!("the H.264 encoder did not start: {e}")))?;
        Ok(H264Encoder { encoder })
    }

    pub fn encode(&mut self, frame: &Yuv420) -> Result<EncodedFrame, VideoError> {
        let stream = self
            .encoder
            .encode(frame)
            .map_err(|e| VideoError::Encode(format!("H.264 encoding failed: {e}")))?;
        let mut out = EncodedFrame {
            sample: Vec::new(),
            keyframe: false,
            sps: None,
            pps: None,
        };
        for l in 0..stream.num_layers() {
            let Some(layer) = stream.layer(l) else {
                continue;
            };
            for n in 0..layer.nal_count() {
                let Some(nal) = layer.nal_unit(n).map(strip_start_code) else {
                    continue;
                };
                match nal.first().map(|header| header & 0x1f) {
                    Some(7) => out.sps = Some(nal.to_vec()),
                    Some(8) => out.pps = Some(nal.to_vec()),
                    Some(kind) => {
                        out.keyframe |= kind == 5;
                        out.sample.extend((nal.len() as u32).to_be_bytes());
                        out.sample.extend_from_slice(nal);
                    }
                    None => {}
                }
            }
        }
        if out.sample.is_empty() {
            return Err(VideoError::Encode("the encoder skipped a frame".into()));
        }
        Ok(out)
    }
}

/// A NAL unit without its Annex B start code (`00 00 01` or `00 00 00 01`).
fn strip_start_code(nal: &[u8]) -> &[u8] {
    let zeros = nal.iter().take_while(|&&b| b == 0).count();
    if zeros >= 2 && nal.get(zeros) == Some(&1) {
        &nal[zeros + 1..]
    } else {
        nal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grey_white_and_red_convert_to_known_yuv() {
        let rgb: Vec<u8> = [[128, 128, 128], [255, 255, 255], [255, 0, 0], [255, 0, 0]]
            .iter()
            .flatten()
            .copied()
            .collect();
        // A 2×2 frame: two rows of two pixels.
        let yuv = Yuv420::from_rgb(&rgb, 2, 2);
        assert_eq!(yuv.y(), &[126, 235, 82, 82]);
        assert_eq!(yuv.u().len(), 1);
        assert!(yuv.v()[0] > 160, "a red-heavy block has a high V");
    }

    #[test]
    fn the_first_frame_is_a_keyframe_with_parameter_sets() {
        let rgb = vec![90u8; 64 * 64 * 3];
        let mut encoder = H264Encoder::new(64, 64, 10).expect("encoder");
        let first = encoder
            .encode(&Yuv420::from_rgb(&rgb, 64, 64))
            .expect("frame");
        assert!(first.keyframe);
        assert!(first.sps.is_some() && first.pps.is_some());
        let length = u32::from_be_bytes(first.sample[..4].try_into().expect("4 bytes"));
        assert_eq!(
            length as usize + 4,
            first.sample.len(),
            "one length-prefixed slice"
        );
        let second = encoder
            .encode(&Yuv420::from_rgb(&rgb, 64, 64))
            .expect("frame");
        assert!(!second.keyframe);
    }
}
