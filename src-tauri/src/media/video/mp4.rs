//! MP4 muxing with the `mp4` crate, then fast start.
//!
//! The `mp4` crate streams samples straight into `mdat` and keeps only the
//! sample tables in memory, so a long video costs a few bytes per frame. It
//! writes `moov` last, though; [`super::faststart`] then moves it to the front
//! so a browser can play the file while it downloads.
//!
//! Tracks are numbered in the order they are added; the video track is added
//! with the first keyframe (it needs the SPS/PPS), the narration (AAC) right
//! after it. Narration frames are written in order of time with the video's:
//! after each video frame, every audio frame that starts before its end, so
//! the two tracks' chunks interleave about a second apart.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use mp4::{AvcConfig, Bytes, MediaConfig, Mp4Config, Mp4Sample, Mp4Writer, TrackConfig, TrackType};
use tempfile::NamedTempFile;

use super::audio::{AacTrack, AAC_FRAME};
use super::encode::EncodedFrame;
use super::{faststart, VideoError};

/// Ticks per frame in the video track's timescale.
const TICKS_PER_FRAME: u32 = 1000;

/// An MP4 being written: samples to a temporary file beside the output, which
/// is deleted if the sink is dropped before [`Mp4Sink::finish`].
pub(crate) struct Mp4Sink {
    width: u32,
    height: u32,
    fps: u32,
    writer: Mp4Writer<BufWriter<File>>,
    staging: NamedTempFile,
    video_started: bool,
    frames: u64,
    audio: Option<AacTrack>,
    /// The next narration frame to write.
    audio_next: usize,
}

impl Mp4Sink {
    /// The track id of the video: the first track added.
    pub const VIDEO_TRACK: u32 = 1;
    /// The track id of the narration, when there is one.
    pub const AUDIO_TRACK: u32 = 2;

    /// Starts a file in `dir` (the output's folder, so the final rename
    /// stays on one file system).
    pub fn create(
        dir: &Path,
        width: u32,
        height: u32,
        fps: u32,
        audio: Option<AacTrack>,
    ) -> Result<Mp4Sink, VideoError> {
        let staging = staging_file(dir)?;
        let file = staging.reopen()?;
        let config = Mp4Config {
            major_brand: str::parse("isom").map_err(mux_error)?,
            minor_version: 512,
            compatible_brands: ["isom", "iso2", "avc1", "mp41"]
                .iter()
                .map(|brand| str::parse(brand))
                .collect::<Result<_, _>>()
                .map_err(mux_error)?,
            timescale: 1000,
        };
        let writer = Mp4Writer::write_start(BufWriter::new(file), &config).map_err(mux_error)?;
        Ok(Mp4Sink {
            width,
            height,
            fps,
            writer,
            staging,
            video_started: false,
            frames: 0,
            audio,
            audio_next: 0,
        })
    }

    /// Appends the next frame (frames come in display order; no B-frames).
    pub fn push(&mut self, frame: EncodedFrame) -> Result<(), VideoError> {
        if !self.video_started {
            let (Some(sps), Some(pps)) = (&frame.sps, &frame.pps) else {
                return Err(VideoError::Encode(
                    "the first frame carries no parameter sets".into(),
                ));
            };
            if sps.len() < 4 {
                return Err(VideoError::Encode("the encoder gave a short SPS".into()));
            }
            let track = TrackConfig {
                track_type: TrackType::Video,
                timescale: self.fps * TICKS_PER_FRAME,
                language: "und".into(),
                media_conf: MediaConfig::AvcConfig(AvcConfig {
                    width: self.width as u16,
                    height: self.height as u16,
                    seq_param_set: sps.clone(),
                    pic_param_set: pps.clone(),
                }),
            };
            self.writer.add_track(&track).map_err(mux_error)?;
            if let Some(audio) = &self.audio {
                let track = TrackConfig {
                    track_type: TrackType::Audio,
                    timescale: audio.sample_rate,
                    language: "und".into(),
                    media_conf: MediaConfig::AacConfig(audio.config.clone()),
                };
                self.writer.add_track(&track).map_err(mux_error)?;
            }
            self.video_started = true;
        }
        let sample = Mp4Sample {
            start_time: self.frames * u64::from(TICKS_PER_FRAME),
            duration: TICKS_PER_FRAME,
            rendering_offset: 0,
            is_sync: frame.keyframe,
            bytes: frame.sample.into(),
        };
        self.writer
            .write_sample(Self::VIDEO_TRACK, &sample)
            .map_err(mux_error)?;
        self.frames += 1;
        // Audio frames that start before this video frame ends.
        let until = self.frames * self.audio_rate() / u64::from(self.fps);
        self.write_audio(Some(until))
    }

    fn audio_rate(&self) -> u64 {
        self.audio.as_ref().map_or(0, |a| u64::from(a.sample_rate))
    }

    /// Writes narration frames starting before sample `until` (all when `None`).
    fn write_audio(&mut self, until: Option<u64>) -> Result<(), VideoError> {
        let Some(audio) = &mut self.audio else {
            return Ok(());
        };
        while let Some(frame) = audio.frames.get_mut(self.audio_next) {
            let start = (self.audio_next * AAC_FRAME) as u64;
            if until.is_some_and(|until| start >= until) {
                break;
            }
            let sample = Mp4Sample {
                start_time: start,
                duration: AAC_FRAME as u32,
                rendering_offset: 0,
                is_sync: true,
                bytes: Bytes::from(std::mem::take(frame)),
            };
            self.writer
                .write_sample(Self::AUDIO_TRACK, &sample)
                .map_err(mux_error)?;
            self.audio_next += 1;
        }
        Ok(())
    }

    /// Completes the file with `moov` first and renames it to `out`.
    /// Returns its size in bytes.
    pub fn finish(mut self, out: &Path) -> Result<u64, VideoError> {
        self.write_audio(None)?;
        self.writer.write_end().map_err(mux_error)?;
        let mut staged = self
            .writer
            .into_writer()
            .into_inner()
            .map_err(|e| VideoError::Io(e.into_error()))?;
        staged.flush()?;
        staged.seek(SeekFrom::Start(0))?;
        let mut finished = staging_file(output_dir(out))?;
        {
            let mut writer = BufWriter::new(finished.as_file_mut());
            faststart::move_moov_first(&mut staged, &mut writer)?;
            writer.flush()?;
        }
        finished.as_file().sync_all()?;
        drop(self.staging);
        let bytes = finished.as_file().metadata()?.len();
        finished.persist(out).map_err(|e| VideoError::Io(e.error))?;
        Ok(bytes)
    }
}

/// The folder `out` will be written in.
pub(crate) fn output_dir(out: &Path) -> &Path {
    match out.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// A temporary file in `dir`, removed on drop unless persisted.
pub(crate) fn staging_file(dir: &Path) -> Result<NamedTempFile, VideoError> {
    Ok(tempfile::Builder::new()
        .prefix(".coco-video-")
        .suffix(".part")
        .tempfile_in(dir)?)
}

fn mux_error(e: mp4::Error) -> VideoError {
    match e {
        mp4::Error::IoError(e) => VideoError::Io(e),
        other => VideoError::Encode(format!("MP4 muxing failed: {other}")),
    }
}
