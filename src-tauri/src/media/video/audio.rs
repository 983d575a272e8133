//! The narration track: each scene's spoken line placed on the video's
//! timeline, silence between, encoded to AAC-LC for the MP4.
//!
//! The encoder is the Fraunhofer FDK AAC library, built from the source the
//! `fdk-aac` crate bundles. It works in frames of [`AAC_FRAME`] samples; the
//! track is exactly as many frames as cover the video, so audio and video
//! end together (to within one frame, 43 ms at 24 kHz).
//!
//! An AAC decoder puts the encoder's delay (about 2,000 samples, 85 ms at
//! 24 kHz) of priming in front of the sound. MP4 can say so in an edit list,
//! which not every player reads; instead the track starts that much later in
//! the silence that always opens it (the title card, a fade-in), so the lines
//! are heard in sync with their scene in any player.

use fdk_aac::enc::{AudioObjectType, BitRate, ChannelMode, Encoder, EncoderParams, Transport};
use mp4::{AacConfig, SampleFreqIndex};

use super::plan::{Timeline, VideoPlan};
use super::VideoError;

/// Samples in one AAC-LC frame.
pub const AAC_FRAME: usize = 1024;
/// Bit rate of the narration: plenty for one voice.
pub const NARRATION_BITRATE: u32 = 48_000;
/// Samples in the longest narration track (10 minutes at 48 kHz); the plan's
/// own limits keep real tracks well below it.
const MAX_TRACK_SAMPLES: u64 = 600 * 48_000;

/// Spoken lines for a plan's scenes, mono 16-bit at `sample_rate`.
#[derive(Clone, PartialEq, Eq)]
pub struct Narration {
    pub sample_rate: u32,
    /// One entry per scene; `None` or empty is a silent scene.
    pub lines: Vec<Option<Vec<i16>>>,
}

impl std::fmt::Debug for Narration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lens: Vec<usize> = self
            .lines
            .iter()
            .map(|l| l.as_ref().map_or(0, Vec::len))
            .collect();
        f.debug_struct("Narration")
            .field("sample_rate", &self.sample_rate)
            .field("line_samples", &lens)
            .finish()
    }
}

/// AAC frames ready for the MP4, in order.
pub(crate) struct AacTrack {
    pub config: AacConfig,
    pub sample_rate: u32,
    pub frames: Vec<Vec<u8>>,
}

/// The narration as one buffer as long as the video: each line starts when
/// its scene is fully on screen (after its fade-in) and is cut at the end of
/// the scene, so lines never overlap.
pub(crate) fn mix(plan: &VideoPlan, narration: &Narration) -> Result<Vec<i16>, VideoError> {
    if narration.lines.len() != plan.scenes.len() {
        return Err(VideoError::Encode(format!(
            "the narration has {} lines for {} scenes",
            narration.lines.len(),
            plan.scenes.len()
        )));
    }
    let rate = u64::from(narration.sample_rate);
    let fps = u64::from(plan.fps);
    let timeline = Timeline::new(plan, plan.fps);
    let at = |frame: u64| (frame * rate / fps) as usize;
    let total = timeline.total * rate / fps;
    if total > MAX_TRACK_SAMPLES {
        return Err(VideoError::Encode("the narration is too long".into()));
    }
    let mut out = vec![0i16; total as usize];
    for segment in &timeline.segments {
        let Some(scene) = segment.scene else { continue };
        let Some(line) = narration.lines[scene].as_ref() else {
            continue;
        };
        let start = at(segment.start + segment.fade_in);
        let end = at(segment.end()).min(out.len());
        let room = end.saturating_sub(start);
        let take = line.len().min(room);
        out[start..start + take].copy_from_slice(&line[..take]);
    }
    Ok(out)
}

/// Encodes mono PCM to raw AAC-LC frames, `ceil(len / 1024)` of them.
pub(crate) fn encode_aac(pcm: &[i16], sample_rate: u32) -> Result<AacTrack, VideoError> {
    let freq_index = freq_index(sample_rate)?;
    let fail =
        |e: fdk_aac::enc::EncoderError| VideoError::Encode(format!("AAC encoding failed: {e}"));
    let encoder = Encoder::new(EncoderParams {
        bit_rate: BitRate::Cbr(NARRATION_BITRATE),
        sample_rate,
        transport: Transport::Raw,
        channels: ChannelMode::Mono,
        audio_object_type: AudioObjectType::Mpeg4LowComplexity,
    })
    .map_err(fail)?;
    let wanted = pcm.len().div_ceil(AAC_FRAME);
    let delay = encoder.info().map_or(0, |info| info.nDelay as usize);
    let pcm = &pcm[lead_to_skip(pcm, delay)..];
    let mut frames = Vec::with_capacity(wanted);
    let mut out = vec![0u8; 8 * 1024];
    let silence = [0i16; AAC_FRAME];
    let mut chunks = pcm.chunks(AAC_FRAME);
    // The encoder holds back a few frames (its delay); silence pushes them out.
    let mut extra = 0;
    while frames.len() < wanted {
        let chunk = match chunks.next() {
            Some(chunk) => chunk,
            None if extra < 16 => {
                extra += 1;
                &silence[..]
            }
            None => return Err(VideoError::Encode("the AAC encoder stopped early".into())),
        };
        let mut fed = 0;
        while fed < chunk.len() {
            let info = encoder.encode(&chunk[fed..], &mut out).map_err(fail)?;
            fed += info.input_consumed;
            if info.output_size > 0 && frames.len() < wanted {
                frames.push(out[..info.output_size].to_vec());
            }
            if info.input_consumed == 0 && info.output_size == 0 {
                break;
            }
        }
    }
    Ok(AacTrack {
        config: AacConfig {
            bitrate: NARRATION_BITRATE,
            profile: mp4::AudioObjectType::AacLowComplexity,
            freq_index,
            chan_conf: mp4::ChannelConfig::Mono,
        },
        sample_rate,
        frames,
    })
}

/// How much of the track's opening silence to leave out so that the decoded
/// sound lines up: the encoder's delay, or all of the silence if it is shorter.
fn lead_to_skip(pcm: &[i16], delay: usize) -> usize {
    pcm.iter().take(delay).take_while(|&&s| s == 0).count()
}

fn freq_index(rate: u32) -> Result<SampleFreqIndex, VideoError> {
    Ok(match rate {
        16_000 => SampleFreqIndex::Freq16000,
        22_050 => SampleFreqIndex::Freq22050,
        24_000 => SampleFreqIndex::Freq24000,
        32_000 => SampleFreqIndex::Freq32000,
        44_100 => SampleFreqIndex::Freq44100,
        48_000 => SampleFreqIndex::Freq48000,
        other => {
            return Err(VideoError::Encode(format!(
                "narration at {other} Hz cannot be encoded"
            )))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_becomes_a_frame() {
        let pcm: Vec<i16> = (0..24_000)
            .map(|i| ((i as f32 * 0.1).sin() * 8000.0) as i16)
            .collect();
        let track = encode_aac(&pcm, 24_000).unwrap();
        assert_eq!(track.frames.len(), 24_000usize.div_ceil(AAC_FRAME));
        assert!(track.frames.iter().all(|f| !f.is_empty()));
        assert!(encode_aac(&pcm, 11_025).is_err());
    }

    #[test]
    fn only_opening_silence_makes_room_for_the_encoder_delay() {
        let mut pcm = vec![0i16; 3_000];
        pcm.extend([500; 100]);
        assert_eq!(
            lead_to_skip(&pcm, 2_048),
            2_048,
            "silence longer than the delay"
        );
        assert_eq!(
            lead_to_skip(&pcm[1_000..], 2_048),
            2_000,
            "shorter: all of it"
        );
        assert_eq!(lead_to_skip(&pcm[3_000..], 2_048), 0, "sound at once: none");
    }
}
