//! How many uploads the host reads, decodes and writes at once.
//!
//! Decoding a picture takes CPU and up to about 100 MB of memory, and its
//! request body up to 13 MB more. A LAN peer with the join code (or a
//! runaway script) could otherwise keep the host decoding without end, so
//! an upload needs a place ([`UploadPermit`]) before its body is read, and
//! holds it until its file is written. Past either limit it is refused at
//! once (HTTP 429 with `Retry-After`); clients try again a moment later.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Most uploads in progress on the host at once, from everyone.
pub const MAX_UPLOADS_AT_ONCE: usize = 4;
/// Most uploads in progress at once from one network address.
pub const MAX_UPLOADS_PER_ADDRESS: usize = 2;
/// What a refused upload is told to wait (`Retry-After`): an upload
/// usually finishes well within it.
pub const UPLOAD_RETRY_AFTER: Duration = Duration::from_secs(1);

/// Which limit refused an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    /// [`MAX_UPLOADS_AT_ONCE`] uploads are in progress.
    Host,
    /// [`MAX_UPLOADS_PER_ADDRESS`] uploads from this address are in progress.
    Address,
}

impl Busy {
    /// A sentence for people.
    pub fn message(self) -> String {
        match self {
            Busy::Host => format!(
                "the host is storing {MAX_UPLOADS_AT_ONCE} pictures at once, its limit; try again in a moment"
            ),
            Busy::Address => format!(
                "this device is already sending {MAX_UPLOADS_PER_ADDRESS} pictures, the limit; try again in a moment"
            ),
        }
    }
}

/// The uploads in progress. Cheap to clone.
#[derive(Clone, Default)]
pub struct Uploads {
    inner: Arc<Mutex<InFlight>>,
}

#[derive(Default)]
struct InFlight {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

impl Uploads {
    /// A place for one upload from `peer`, or which limit is reached.
    pub fn try_start(&self, peer: IpAddr) -> Result<UploadPermit, Busy> {
        let peer = peer.to_canonical();
        let mut state = self.inner.lock().expect("uploads lock");
        if state.total >= MAX_UPLOADS_AT_ONCE {
            return Err(Busy::Host);
        }
        let mine = state.by_address.entry(peer).or_default();
        if *mine >= MAX_UPLOADS_PER_ADDRESS {
            return Err(Busy::Address);
        }
        *mine += 1;
        state.total += 1;
        Ok(UploadPermit {
            uploads: self.clone(),
            peer,
        })
    }

    /// Uploads in progress (for tests and diagnostics).
    pub fn in_flight(&self) -> usize {
        self.inner.lock().expect("uploads lock").total
    }
}

/// One upload's place; dropping it frees the place.
pub struct UploadPermit {
    uploads: Uploads,
    peer: IpAddr,
}

impl Drop for UploadPermit {
    fn drop(&mut self) {
        let mut state = self.uploads.inner.lock().expect("uploads lock");
        state.total -= 1;
        if let Some(n) = state.by_address.get_mut(&self.peer) {
            *n -= 1;
            if *n == 0 {
                state.by_address.remove(&self.peer);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([192, 168, 1, n])
    }

    #[test]
    fn places_are_limited_per_address_and_per_host_and_freed_on_drop() {
        let uploads = Uploads::default();
        let a: Vec<_> = (0..MAX_UPLOADS_PER_ADDRESS)
            .map(|_| uploads.try_start(ip(1)).unwrap())
            .collect();
        assert_eq!(uploads.try_start(ip(1)).err(), Some(Busy::Address));
        let mut others: Vec<_> = (0..MAX_UPLOADS_AT_ONCE - MAX_UPLOADS_PER_ADDRESS)
            .map(|i| uploads.try_start(ip(10 + i as u8)).unwrap())
            .collect();
        assert_eq!(uploads.try_start(ip(99)).err(), Some(Busy::Host));
        others.pop();
        assert!(uploads.try_start(ip(99)).is_ok());
        drop(a);
        drop(others);
        assert_eq!(uploads.in_flight(), 0);
        assert!(uploads.inner.lock().unwrap().by_address.is_empty());
        // The same address as IPv4 and as IPv4-mapped IPv6 is one address.
        let mapped = IpAddr::from([0, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x0101]);
        let _p: Vec<_> = (0..MAX_UPLOADS_PER_ADDRESS)
            .map(|_| uploads.try_start(ip(1)).unwrap())
            .collect();
        assert_eq!(uploads.try_start(mapped).err(), Some(Busy::Address));
    }
}
