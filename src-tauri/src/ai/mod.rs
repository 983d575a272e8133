//! AI providers: Gemini over REST and the offline enhancer.

pub mod enhance;
pub mod gemini;
pub mod local;
