//! The plain TCP floor: a 32-byte ping and pong over one std `TcpStream`
//! with `TCP_NODELAY`, blocking reads and writes, no framing beyond the fixed
//! size. What any remote layer over TCP on this machine pays at least.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use super::zenoh_floor::PAYLOAD;
use super::{Driver, Measured, Peer, RemoteSizes, Row};

/// How long one read may block before the round trip counts as failed.
const READ_LIMIT: Duration = Duration::from_secs(10);

/// A ping-pong over one TCP connection: the peer echoes each 32 bytes.
#[derive(Debug)]
pub(crate) struct TcpRoundTrip;

impl Row for TcpRoundTrip {
    fn key(&self) -> &'static str {
        "tcp-rt"
    }

    fn label(&self) -> &'static str {
        "plain TCP round trip"
    }

    fn describe(&self, sizes: &RemoteSizes) -> String {
        format!(
            "{} sequential {PAYLOAD} B writes on a std `TcpStream` (`TCP_NODELAY`), the peer's thread echoes them; \
             op = write to echo read",
            sizes.round_trips
        )
    }

    fn serve(&self, peer: &mut Peer) -> Result<(), String> {
        let listener =
            TcpListener::bind((Ipv4Addr::LOCALHOST, peer.port())).map_err(|e| format!("bind {}: {e}", peer.port()))?;
        peer.ready();
        // The driver connects right after `ready`; the watchdog bounds this accept.
        let (mut stream, _) = listener.accept().map_err(|e| format!("accept: {e}"))?;
        stream.set_nodelay(true).map_err(|e| format!("nodelay: {e}"))?;
        let echo = std::thread::spawn(move || -> Result<(), String> {
            let mut buf = [0u8; PAYLOAD];
            loop {
                match stream.read_exact(&mut buf) {
                    Ok(()) => stream.write_all(&buf).map_err(|e| format!("write: {e}"))?,
                    // The driver closed the connection: done.
                    Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
                    Err(e) => return Err(format!("read: {e}")),
                }
            }
        });
        peer.until_stop();
        // The driver closes its end before `stop`, so the echo thread has ended or is ending.
        echo.join().map_err(|_| "the echo thread panicked".to_owned())?
    }

    fn drive(&self, driver: &mut Driver) -> Result<Measured, String> {
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, driver.port()))
            .map_err(|e| format!("connect 127.0.0.1:{}: {e}", driver.port()))?;
        stream.set_nodelay(true).map_err(|e| format!("nodelay: {e}"))?;
        stream.set_read_timeout(Some(READ_LIMIT)).map_err(|e| format!("read timeout: {e}"))?;
        let round_trip = |seq: u64| -> Result<Duration, String> {
            let mut ping = [0u8; PAYLOAD];
            ping[..8].copy_from_slice(&seq.to_le_bytes());
            let mut pong = [0u8; PAYLOAD];
            let start = Instant::now();
            stream.write_all(&ping).map_err(|e| format!("write: {e}"))?;
            stream.read_exact(&mut pong).map_err(|e| format!("read: {e}"))?;
            let elapsed = start.elapsed();
            if pong != ping {
                return Err(format!("echo of {seq} differs"));
            }
            Ok(elapsed)
        };
        let samples = driver.sizes().sample_round_trips(round_trip)?;
        drop(stream);
        Ok(Measured::Latency(samples))
    }
}
