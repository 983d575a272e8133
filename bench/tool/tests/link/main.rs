//! `coco-bench link` between two network namespaces, with real TCP sockets
//! at each end: round trips take at least the profile's round trip, a bulk
//! transfer is no faster than the rate, and every byte arrives, in order,
//! through the link's losses.
//!
//! Every timed assertion is a lower bound the link guarantees (it adds the
//! delay and the send time to every packet); none says how fast anything
//! must be, so a loaded machine cannot fail them. Root is needed (the test
//! is skipped without it, except under CI).

mod netns;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use netns::Pair;

/// The profiles' figures, as `bench/tool/src/link/model.rs` names them.
const SCHOOL_WIFI_RTT: Duration = Duration::from_millis(30);
const SCHOOL_WIFI_RATE_BPS: u64 = 20_000_000;
const BAD_RTT: Duration = Duration::from_millis(150);
/// Echoes timed per connection.
const ECHOES: usize = 10;
/// Bytes sent each way in the bulk transfer: ~700 full packets, enough for
/// the 1 % loss to hit both directions with the link's fixed seed.
const BULK_BYTES: usize = 1 << 20;
/// No socket operation of these tests waits longer (a stuck link fails
/// rather than hangs).
const IO_TIMEOUT: Duration = Duration::from_secs(60);
const PORT: u16 = 9000;

fn with_timeouts(stream: TcpStream) -> std::io::Result<TcpStream> {
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// A listener inside `a`, on its link address; the thread that accepts one
/// connection and hands it to `serve`.
fn serve_one(
    pair: &Pair,
    serve: impl FnOnce(TcpStream) -> std::io::Result<()> + Send + 'static,
) -> std::thread::JoinHandle<std::io::Result<()>> {
    let addr = SocketAddr::from((pair.a_ip, PORT));
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let server = pair.a.inside(move || {
        let listener = TcpListener::bind(addr)?;
        let _ = ready_tx.send(());
        let (stream, _) = listener.accept()?;
        serve(with_timeouts(stream)?)
    });
    ready_rx
        .recv_timeout(IO_TIMEOUT)
        .expect("the server listens");
    server
}

/// Connects from inside `b` to the server in `a`; returns the time the
/// connection took and `client`'s result.
fn connect_from_b<T: Send + 'static>(
    pair: &Pair,
    client: impl FnOnce(TcpStream) -> std::io::Result<T> + Send + 'static,
) -> (Duration, T) {
    let addr = SocketAddr::from((pair.a_ip, PORT));
    pair.b
        .inside(move || {
            let started = Instant::now();
            let stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)?;
            let took = started.elapsed();
            Ok((took, client(with_timeouts(stream)?)?))
        })
        .join()
        .expect("client thread")
        .expect("client")
}

#[test]
fn every_round_trip_takes_at_least_the_profiles() {
    for (profile, rtt) in [("school-wifi", SCHOOL_WIFI_RTT), ("bad", BAD_RTT)] {
        let Some(pair) = Pair::or_skip(&profile[..1]) else {
            return;
        };
        let link = pair.link(&["--profile", profile]);
        let server = serve_one(&pair, |mut stream| {
            let mut byte = [0u8];
            for _ in 0..ECHOES {
                stream.read_exact(&mut byte)?;
                stream.write_all(&byte)?;
            }
            Ok(())
        });
        let (connect, echoes) = connect_from_b(&pair, |mut stream| {
            let mut times = Vec::with_capacity(ECHOES);
            let mut byte = [7u8];
            for _ in 0..ECHOES {
                let started = Instant::now();
                stream.write_all(&byte)?;
                stream.read_exact(&mut byte)?;
                times.push(started.elapsed());
            }
            Ok(times)
        });
        server.join().unwrap().expect("server");
        // SYN there, SYN-ACK back.
        assert!(
            connect >= rtt,
            "{profile}: connected in {connect:?}, under {rtt:?}"
        );
        for (i, took) in echoes.iter().enumerate() {
            assert!(
                *took >= rtt,
                "{profile}: echo {i} took {took:?}, under {rtt:?}"
            );
        }
        let report = link.stop();
        assert!(
            report["b_to_a"]["delivered"].as_u64().unwrap() >= ECHOES as u64,
            "the echoes crossed the link: {report}"
        );
    }
}

/// `len` bytes no two runs of which at different offsets look alike, so a
/// lost, repeated or reordered segment cannot go unnoticed.
fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Sends `out` on a thread while reading the peer's bytes to the end; returns
/// them and when the last one came, from `started`.
fn exchange(stream: TcpStream, out: Vec<u8>) -> std::io::Result<(Vec<u8>, Instant)> {
    let mut writer = stream.try_clone()?;
    let sending = std::thread::spawn(move || -> std::io::Result<()> {
        writer.write_all(&out)?;
        writer.shutdown(Shutdown::Write)
    });
    let mut received = Vec::with_capacity(BULK_BYTES);
    let mut reader = stream;
    reader.read_to_end(&mut received)?;
    let done = Instant::now();
    sending.join().expect("writer thread")?;
    Ok((received, done))
}

#[test]
fn a_bulk_transfer_keeps_to_the_rate_and_arrives_whole_and_in_order() {
    let Some(pair) = Pair::or_skip("x") else {
        return;
    };
    let link = pair.link(&["--profile", "school-wifi"]);
    let down = pattern(BULK_BYTES, 1);
    let up = pattern(BULK_BYTES, 2);
    let (down_sent, up_expected) = (down.clone(), up.clone());
    let server = serve_one(&pair, move |stream| {
        let (received, _) = exchange(stream, down_sent)?;
        assert!(received == up_expected, "the upload arrived altered");
        Ok(())
    });
    let (_, (received, started, done)) = connect_from_b(&pair, move |stream| {
        let started = Instant::now();
        let (received, done) = exchange(stream, up)?;
        Ok((received, started, done))
    });
    server.join().unwrap().expect("server");
    assert_eq!(received.len(), BULK_BYTES, "every byte of the download");
    assert!(received == down, "the download arrived altered");

    // Each way, the payload alone takes this long at the rate, and the last
    // byte then travels half a round trip.
    let took = done - started;
    let at_rate = Duration::from_secs_f64(BULK_BYTES as f64 * 8.0 / SCHOOL_WIFI_RATE_BPS as f64);
    let floor = at_rate + SCHOOL_WIFI_RTT / 2;
    let mbit = BULK_BYTES as f64 * 8.0 / took.as_secs_f64() / 1e6;
    eprintln!("1 MiB each way in {took:?}: {mbit:.1} Mbit/s down");
    assert!(took >= floor, "1 MiB in {took:?}, under {floor:?}");

    let report = link.stop();
    for lane in ["a_to_b", "b_to_a"] {
        let stats = &report[lane];
        assert!(
            stats["delivered_bytes"].as_u64().unwrap() >= BULK_BYTES as u64,
            "{lane}: the transfer crossed the link: {report}"
        );
        assert!(
            stats["lost"].as_u64().unwrap() > 0,
            "{lane}: the link lost packets, and TCP sent them again: {report}"
        );
        assert_eq!(stats["write_errors"], 0, "{lane}: {report}");
    }
}
