//! The HTTP front: thread-per-core serving with graceful drain.
//!
//! One acceptor (on the main thread) hands accepted connections round-robin to N threads, each
//! running a single-threaded tokio runtime. A request is parsed, checked, committed and answered
//! on the thread that owns its connection: no work stealing, no cross-thread wake-ups for the
//! HTTP part. (Measured on 2 cores under `make bench-gateway`: less CPU per check than one
//! multi-threaded runtime; an exact round-robin split keeps the tail latency of the two threads
//! equal, which SO_REUSEPORT's hash split did not.)
//!
//! Shutdown: the acceptor stops (new connections are refused), every connection is told to shut
//! down gracefully (in-flight requests finish, keep-alive ends), and serving returns when all
//! connections are closed or the drain deadline passes.

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::net::{SocketAddr, TcpListener as StdListener, TcpStream as StdStream};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

/// Serves `router` on `listener` with `threads` HTTP threads (at least 1) until `shutdown`
/// resolves, then drains for at most `drain`.
pub fn serve(
    listener: StdListener,
    router: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    threads: usize,
    shutdown: impl Future<Output = ()> + Send + 'static,
    drain: Duration,
) -> Result<(), String> {
    let threads = threads.max(1);
    let tls = tls.map(tokio_rustls::TlsAcceptor::from);
    let (stop_tx, stop_rx) = watch::channel(false);
    let runtime = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
    };
    // Workers 1..N on their own threads; worker 0 is the main thread's runtime.
    let mut senders = Vec::with_capacity(threads);
    let mut workers = Vec::new();
    let (tx0, rx0) = mpsc::unbounded_channel::<StdStream>();
    senders.push(tx0);
    for i in 1..threads {
        let (tx, rx) = mpsc::unbounded_channel::<StdStream>();
        senders.push(tx);
        let rt = runtime()?;
        let (router, tls, stop) = (router.clone(), tls.clone(), stop_rx.clone());
        workers.push(
            std::thread::Builder::new()
                .name(format!("warden-http-{i}"))
                .spawn(move || rt.block_on(worker(rx, router, tls, stop, drain)))
                .map_err(|e| e.to_string())?,
        );
    }
    let rt = runtime()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?;
        let local = worker(rx0, router, tls, stop_rx, drain);
        let accept = async move {
            tokio::pin!(shutdown);
            let mut next = 0usize;
            loop {
                tokio::select! {
                    biased;
                    _ = &mut shutdown => break,
                    r = listener.accept() => match r {
                        Ok((s, _)) => {
                            let _ = s.set_nodelay(true);
                            if let Ok(s) = s.into_std() {
                                let _ = senders[next].send(s);
                                next = (next + 1) % senders.len();
                            }
                        }
                        // Out of descriptors and the like: back off instead of spinning.
                        Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                    },
                }
            }
            // Refuse new connections from here on; end the workers' intake.
            drop(listener);
            drop(senders);
            let _ = stop_tx.send(true);
        };
        tokio::join!(accept, local);
        Ok::<(), String>(())
    })?;
    for w in workers {
        if w.join().is_err() {
            return Err("an HTTP thread panicked".into());
        }
    }
    Ok(())
}

/// One HTTP thread: serves the connections it is handed until its intake closes, then waits
/// for them to finish (told to shut down gracefully, bounded by `drain`).
async fn worker(
    mut intake: mpsc::UnboundedReceiver<StdStream>,
    router: Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    stop: watch::Receiver<bool>,
    drain: Duration,
) {
    let builder = Arc::new(Builder::new(TokioExecutor::new()));
    let mut conns = JoinSet::new();
    while let Some(s) = intake.recv().await {
        // Reap finished connections so the set does not grow with the connection count.
        while conns.try_join_next().is_some() {}
        let Ok(()) = s.set_nonblocking(true) else {
            continue;
        };
        let Ok(s) = tokio::net::TcpStream::from_std(s) else {
            continue;
        };
        let (router, tls, stop, builder) =
            (router.clone(), tls.clone(), stop.clone(), builder.clone());
        conns.spawn(async move {
            match tls {
                Some(acc) => {
                    // A handshake that stalls must not hold a drain open forever.
                    if let Ok(Ok(s)) =
                        tokio::time::timeout(Duration::from_secs(10), acc.accept(s)).await
                    {
                        connection(&builder, TokioIo::new(s), router, stop).await;
                    }
                }
                None => connection(&builder, TokioIo::new(s), router, stop).await,
            }
        });
    }
    // Intake closed: shutting down. Connections already saw `stop`; wait for them.
    let _ = tokio::time::timeout(drain, async { while conns.join_next().await.is_some() {} }).await;
    conns.abort_all();
}

async fn connection<I>(
    builder: &Builder<TokioExecutor>,
    io: I,
    router: Router,
    mut stop: watch::Receiver<bool>,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let conn = builder.serve_connection_with_upgrades(io, TowerToHyperService::new(router));
    tokio::pin!(conn);
    if *stop.borrow() {
        conn.as_mut().graceful_shutdown();
        let _ = conn.await;
        return;
    }
    tokio::select! {
        _ = &mut conn => {}
        _ = stop.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// A non-blocking listener on `addr` (SO_REUSEADDR, backlog 1024).
pub fn bind(addr: SocketAddr) -> Result<StdListener, String> {
    use socket2::{Domain, Protocol, Socket, Type};
    let err = |e: std::io::Error| format!("listen {addr}: {e}");
    let sock =
        Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP)).map_err(err)?;
    sock.set_reuse_address(true).map_err(err)?;
    sock.set_nonblocking(true).map_err(err)?;
    sock.bind(&addr.into()).map_err(err)?;
    sock.listen(1024).map_err(err)?;
    Ok(sock.into())
}
