//! Messaging benchmark (issue #9): messages per second and send-to-receive latency between two
//! clients on loopback, 1 KiB payloads, for
//!
//! - **NATS core pub/sub** (the floor): one publisher, one subscriber (async-nats);
//! - **Warden durable delivery**: two `MessagingClient`s through one gateway; every message is
//!   accepted by the gateway only once it is in the receiver's durable inbox (SQLite), delivered
//!   over the WebSocket, and acknowledged by the receiver.
//!
//! Two modes, the same for both systems:
//!
//! - `--mode closed` (throughput): a closed loop of at most `--window` messages in flight (sent,
//!   not yet received), senders as fast as the window allows. msgs/s = messages received in the
//!   measured `--seconds` after a 2 s warm-up.
//! - `--mode paced --rate R` (latency): sends scheduled at a fixed R msgs/s (message k due at
//!   k/R s; the window still bounds what is in flight), so latency is measured at a load both
//!   systems carry, not in the queue a saturated closed loop builds. `run.sh` picks R from the
//!   throughput runs of the same invocation.
//!
//! Each message carries its send time (ns since the start of the run, taken just before the
//! send call) in its first 8 bytes; latency = receive time − send time, same process and
//! clock. Warden: `--window` sender tasks share the client (each waits for its send's
//! acknowledgement, i.e. for the message to be durable); NATS: one publisher task.
//!
//! Usage: warden-msg-bench [--nats URL] [--gateway WS_URL --api-key KEY] [--mode closed|paced]
//!        [--rate R] [--seconds 10] [--window 64] [--payload 1024]
//! Prints `RESULT <nats|warden> mode=<m> msgs_per_s=… p50_ms=… p99_ms=… received=…
//! sent_per_s=…`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use warden_core::messaging::client::{
    ClientOptions, Credentials, MessagingClient, Push, SendOptions,
};

struct Args {
    nats: String,
    paced: Option<f64>,
    gateway: String,
    api_key: String,
    seconds: u64,
    window: usize,
    payload: usize,
}

fn args() -> Args {
    let mut a = Args {
        nats: String::new(),
        paced: None,
        gateway: String::new(),
        api_key: String::new(),
        seconds: 10,
        window: 64,
        payload: 1024,
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i + 1 < v.len() {
        let x = v[i + 1].clone();
        match v[i].as_str() {
            "--nats" => a.nats = x,
            "--gateway" => a.gateway = x,
            "--api-key" => a.api_key = x,
            "--seconds" => a.seconds = x.parse().expect("--seconds"),
            "--window" => a.window = x.parse().expect("--window"),
            "--payload" => a.payload = x.parse().expect("--payload"),
            "--mode" => match x.as_str() {
                "closed" => a.paced = None,
                "paced" => a.paced = Some(a.paced.unwrap_or(1000.0)),
                o => panic!("--mode closed|paced, not {o}"),
            },
            "--rate" => {
                let r: f64 = x.parse().expect("--rate");
                assert!(r > 0.0, "--rate must be > 0");
                a.paced = Some(r);
            }
            o => panic!("unknown argument {o}"),
        }
        i += 2;
    }
    a
}

/// Latencies (µs) of the messages received in the measured interval, and their count.
#[derive(Default)]
struct Tally {
    lat_us: Vec<u64>,
    /// Sends started in the measured interval.
    sent: u64,
}

impl Tally {
    fn report(&mut self, name: &str, mode: &str, secs: f64) {
        self.lat_us.sort_unstable();
        let n = self.lat_us.len();
        let pct = |p: f64| {
            self.lat_us
                .get(((n as f64 * p) as usize).min(n.saturating_sub(1)))
                .copied()
                .unwrap_or(0)
        };
        println!(
            "RESULT {name} mode={mode} msgs_per_s={:.0} p50_ms={:.3} p99_ms={:.3} received={n} sent_per_s={:.0}",
            n as f64 / secs,
            pct(0.50) as f64 / 1000.0,
            pct(0.99) as f64 / 1000.0,
            self.sent as f64 / secs
        );
    }
}

fn stamp(buf: &mut [u8], t0: Instant) {
    buf[..8].copy_from_slice(&(t0.elapsed().as_nanos() as u64).to_le_bytes());
}

fn age_us(buf: &[u8], t0: Instant) -> u64 {
    let sent = u64::from_le_bytes(buf[..8].try_into().expect("8 bytes"));
    (t0.elapsed().as_nanos() as u64).saturating_sub(sent) / 1000
}

/// The measured window: `[start, end)` relative to `t0`.
struct Window {
    start: Duration,
    end: Duration,
}

/// Paced mode: waits until message `k` is due (`k / rate` s after `t0`). Closed mode: no wait.
/// Counts sends started inside the measured window.
struct Pacer {
    rate: Option<f64>,
    next: AtomicU64,
    sent: AtomicU64,
}

impl Pacer {
    async fn wait_turn(&self, t0: Instant, w: &Window) {
        let k = self.next.fetch_add(1, Ordering::Relaxed);
        if let Some(rate) = self.rate {
            let due = t0 + Duration::from_secs_f64(k as f64 / rate);
            tokio::time::sleep_until(due.into()).await;
        }
        let now = t0.elapsed();
        if now >= w.start && now < w.end {
            self.sent.fetch_add(1, Ordering::Relaxed);
        }
    }
}

async fn bench_nats(a: &Args, t0: Instant, w: &Window) -> Tally {
    let client = async_nats::connect(&a.nats)
        .await
        .expect("connect to nats-server");
    let mut sub = client.subscribe("bench.msgs").await.expect("subscribe");
    client.flush().await.expect("flush");
    let in_flight = Arc::new(tokio::sync::Semaphore::new(a.window));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let pacer = Arc::new(Pacer {
        rate: a.paced,
        next: AtomicU64::new(0),
        sent: AtomicU64::new(0),
    });
    let (pubc, sem, st, size) = (client.clone(), in_flight.clone(), stop.clone(), a.payload);
    let (pc, ww) = (
        pacer.clone(),
        Window {
            start: w.start,
            end: w.end,
        },
    );
    let publisher = tokio::spawn(async move {
        let mut buf = vec![0x5au8; size];
        while !st.load(Ordering::Relaxed) {
            let Ok(p) = sem.clone().acquire_owned().await else {
                break;
            };
            p.forget();
            pc.wait_turn(t0, &ww).await;
            stamp(&mut buf, t0);
            if pubc
                .publish("bench.msgs", buf.clone().into())
                .await
                .is_err()
            {
                break;
            }
        }
        let _ = pubc.flush().await;
    });
    let mut tally = Tally::default();
    use futures_util::StreamExt;
    while let Ok(Some(m)) = tokio::time::timeout(Duration::from_secs(5), sub.next()).await {
        let now = t0.elapsed();
        in_flight.add_permits(1);
        if now >= w.start && now < w.end {
            tally.lat_us.push(age_us(&m.payload, t0));
        }
        if now >= w.end {
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    in_flight.add_permits(a.window);
    let _ = publisher.await;
    tally.sent = pacer.sent.load(Ordering::Relaxed);
    tally
}

async fn bench_warden(a: &Args, t0: Instant, w: &Window) -> Tally {
    let connect = |id: &'static str| {
        MessagingClient::connect(
            &a.gateway,
            id,
            Credentials::ApiKey(a.api_key.clone()),
            ClientOptions::default(),
        )
    };
    let rx = connect("ag::bench::receiver::1")
        .await
        .expect("connect the receiver");
    let tx = Arc::new(
        connect("ag::bench::sender::1")
            .await
            .expect("connect the sender"),
    );
    let in_flight = Arc::new(tokio::sync::Semaphore::new(a.window));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let errors = Arc::new(AtomicU64::new(0));
    let pacer = Arc::new(Pacer {
        rate: a.paced,
        next: AtomicU64::new(0),
        sent: AtomicU64::new(0),
    });
    // `window` concurrent senders, each one send in flight at a time (a send returns once the
    // message is durable in the receiver's inbox), so up to `window` sends are outstanding.
    let mut senders = Vec::new();
    for _ in 0..a.window {
        let (tx, sem, st, err, size) = (
            tx.clone(),
            in_flight.clone(),
            stop.clone(),
            errors.clone(),
            a.payload,
        );
        let (pc, ww) = (
            pacer.clone(),
            Window {
                start: w.start,
                end: w.end,
            },
        );
        senders.push(tokio::spawn(async move {
            let mut buf = vec![0x5au8; size];
            let opts = SendOptions {
                message_type: Some("EVENT".into()),
                ..SendOptions::default()
            };
            while !st.load(Ordering::Relaxed) {
                let Ok(p) = sem.clone().acquire_owned().await else {
                    break;
                };
                p.forget();
                if st.load(Ordering::Relaxed) {
                    break;
                }
                pc.wait_turn(t0, &ww).await;
                stamp(&mut buf, t0);
                if let Err(e) = tx.send("ag::bench::receiver::1", &buf, opts.clone()).await {
                    if err.fetch_add(1, Ordering::Relaxed) == 0 {
                        eprintln!("warden send: {e}");
                    }
                }
            }
        }));
    }
    let mut tally = Tally::default();
    loop {
        match rx.next(Some(Duration::from_secs(5))).await {
            Ok(Push::Message(m)) => {
                let now = t0.elapsed();
                rx.ack(&m.message_id);
                in_flight.add_permits(1);
                if now >= w.start && now < w.end {
                    tally.lat_us.push(age_us(&m.payload, t0));
                }
                if now >= w.end {
                    break;
                }
            }
            Ok(_) => {}
            Err(e) => {
                eprintln!("warden receive: {e}");
                break;
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    in_flight.add_permits(a.window * 2);
    for s in senders {
        let _ = s.await;
    }
    let e = errors.load(Ordering::Relaxed);
    if e > 0 {
        println!("ERRORS warden sends failed: {e}");
    }
    tx.close().await;
    rx.close().await;
    tally.sent = pacer.sent.load(Ordering::Relaxed);
    tally
}

fn main() {
    let a = args();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let secs = a.seconds as f64;
        let mode = if a.paced.is_some() { "paced" } else { "closed" };
        if !a.nats.is_empty() {
            let t0 = Instant::now();
            let w = Window {
                start: Duration::from_secs(2),
                end: Duration::from_secs(2 + a.seconds),
            };
            bench_nats(&a, t0, &w).await.report("nats", mode, secs);
        }
        if !a.gateway.is_empty() {
            let t0 = Instant::now();
            let w = Window {
                start: Duration::from_secs(2),
                end: Duration::from_secs(2 + a.seconds),
            };
            bench_warden(&a, t0, &w).await.report("warden", mode, secs);
        }
    });
}
