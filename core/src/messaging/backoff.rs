//! Reconnect timing (SEMANTICS-messaging §9): `backoff_delay` and the [`ReconnectSchedule`]
//! state machine, both with an injectable jitter source (uniform f64 in `[0, 1)`).
//!
//! Attempt `n` (0-based, per outage) waits `delay(0) = 0` and, for `n ≥ 1`,
//! `d = min(initial · 2^n, max)`, `delay(n) = d + d · 0.25 · (2r − 1)`, one fresh `r` per
//! attempt `n ≥ 1` (jitter after the cap: a delay can reach 1.25 · max).

use crate::error::{Error, ErrorCode, Result};

/// A jitter source: uniform values in `[0, 1)` (out-of-range values are clamped, NaN is 0.5).
pub type JitterSource = Box<dyn FnMut() -> f64 + Send>;

/// Backoff bounds in seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    /// `initial_backoff` (default 1.0 s).
    pub initial: f64,
    /// `max_backoff` (default 30.0 s).
    pub max: f64,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            initial: 1.0,
            max: 30.0,
        }
    }
}

impl Backoff {
    /// Checked bounds: finite, non-negative; `VALIDATION_ERROR` otherwise.
    pub fn new(initial: f64, max: f64) -> Result<Backoff> {
        if !(initial.is_finite() && max.is_finite() && initial >= 0.0 && max >= 0.0) {
            return Err(Error::validation(
                "initial_backoff and max_backoff are finite non-negative seconds",
            ));
        }
        Ok(Backoff { initial, max })
    }
}

/// The delay before attempt `attempt`, in seconds; draws one jitter value iff `attempt ≥ 1`.
pub fn backoff_delay(backoff: &Backoff, attempt: u32, jitter: &mut dyn FnMut() -> f64) -> f64 {
    if attempt == 0 {
        return 0.0;
    }
    let exp = attempt.min(2048) as i32;
    let d = (backoff.initial * 2f64.powi(exp)).min(backoff.max);
    let d = if d.is_finite() { d.max(0.0) } else { 0.0 };
    let r = jitter();
    let r = if r.is_nan() { 0.5 } else { r.clamp(0.0, 1.0) };
    d + d * 0.25 * (2.0 * r - 1.0)
}

/// Reconnect options (§8.1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReconnectOptions {
    /// Reconnect after a loss (default true).
    pub auto_reconnect: bool,
    /// Attempts per outage; 0 = unbounded (default 5).
    pub max_retries: u32,
    /// Backoff bounds.
    pub backoff: Backoff,
}

impl Default for ReconnectOptions {
    fn default() -> ReconnectOptions {
        ReconnectOptions {
            auto_reconnect: true,
            max_retries: 5,
            backoff: Backoff::default(),
        }
    }
}

/// What happened to a connection attempt, or to the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionEvent {
    /// The live connection was lost.
    Loss,
    /// An attempt failed at the transport.
    Fail,
    /// An attempt got `welcome`.
    Ok,
    /// An attempt was refused with this code.
    Reject(ErrorCode),
}

/// What the client does next.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ScheduleStep {
    /// Wait this many seconds, then make an attempt.
    Wait(f64),
    /// Connected (the attempt counter is reset).
    Connected,
    /// Closed for good.
    Closed {
        /// True when the attempts were exhausted.
        gave_up: bool,
        /// The code that stopped reconnecting, if any.
        stopped_by: Option<ErrorCode>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Idle,
    /// `connect()`'s immediate attempt (`n` unused) or its retries.
    Connecting {
        retries_made: u32,
        immediate: bool,
    },
    Connected,
    /// After a loss: `made` attempts so far in this outage.
    Reconnecting {
        made: u32,
    },
    Closed,
}

/// The connect/reconnect state machine of §9.
pub struct ReconnectSchedule {
    options: ReconnectOptions,
    jitter: JitterSource,
    phase: Phase,
}

impl std::fmt::Debug for ReconnectSchedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReconnectSchedule")
            .field("options", &self.options)
            .field("phase", &self.phase)
            .finish_non_exhaustive()
    }
}

/// Codes that stop every attempt at once (§9).
fn stops_always(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::AuthFailed | ErrorCode::AuthDenied | ErrorCode::InvalidIdentity
    )
}

impl ReconnectSchedule {
    /// A schedule before `connect()`.
    pub fn new(options: ReconnectOptions, jitter: JitterSource) -> ReconnectSchedule {
        ReconnectSchedule {
            options,
            jitter,
            phase: Phase::Idle,
        }
    }

    /// A schedule for a client that is already connected.
    pub fn connected(options: ReconnectOptions, jitter: JitterSource) -> ReconnectSchedule {
        ReconnectSchedule {
            options,
            jitter,
            phase: Phase::Connected,
        }
    }

    /// True while connected.
    pub fn is_connected(&self) -> bool {
        self.phase == Phase::Connected
    }

    /// True once closed for good.
    pub fn is_closed(&self) -> bool {
        self.phase == Phase::Closed
    }

    fn delay(&mut self, n: u32) -> f64 {
        backoff_delay(&self.options.backoff, n, &mut self.jitter)
    }

    fn close(&mut self, gave_up: bool, stopped_by: Option<ErrorCode>) -> ScheduleStep {
        self.phase = Phase::Closed;
        ScheduleStep::Closed {
            gave_up,
            stopped_by,
        }
    }

    fn exhausted(&self, made: u32) -> bool {
        self.options.max_retries != 0 && made >= self.options.max_retries
    }

    /// `connect()`: one immediate attempt (`Wait(0)`). `VALIDATION_ERROR` unless idle.
    pub fn start_connect(&mut self) -> Result<ScheduleStep> {
        if self.phase != Phase::Idle {
            return Err(Error::validation("connect() was already called"));
        }
        self.phase = Phase::Connecting {
            retries_made: 0,
            immediate: true,
        };
        Ok(ScheduleStep::Wait(0.0))
    }

    /// Feeds an event; `VALIDATION_ERROR` for an event that cannot happen in the current state.
    pub fn on_event(&mut self, event: ConnectionEvent) -> Result<ScheduleStep> {
        use ConnectionEvent as E;
        let bad = || Error::validation(format!("event {event:?} is not possible now"));
        match (self.phase, event) {
            (Phase::Connected, E::Loss) => {
                if !self.options.auto_reconnect {
                    return Ok(self.close(false, None));
                }
                self.phase = Phase::Reconnecting { made: 1 };
                Ok(ScheduleStep::Wait(self.delay(0)))
            }
            (Phase::Connecting { .. } | Phase::Reconnecting { .. }, E::Ok) => {
                self.phase = Phase::Connected;
                Ok(ScheduleStep::Connected)
            }
            (Phase::Connecting { .. } | Phase::Reconnecting { .. }, E::Reject(code))
                if stops_always(code) =>
            {
                Ok(self.close(false, Some(code)))
            }
            (Phase::Connecting { .. }, E::Reject(ErrorCode::DuplicateIdentity)) => {
                Ok(self.close(false, Some(ErrorCode::DuplicateIdentity)))
            }
            (
                Phase::Connecting {
                    retries_made,
                    immediate,
                },
                E::Fail | E::Reject(_),
            ) => {
                if !self.options.auto_reconnect || (!immediate && self.exhausted(retries_made)) {
                    return Ok(self.close(true, None));
                }
                let n = if immediate { 0 } else { retries_made };
                self.phase = Phase::Connecting {
                    retries_made: if immediate { 1 } else { retries_made + 1 },
                    immediate: false,
                };
                Ok(ScheduleStep::Wait(self.delay(n)))
            }
            (Phase::Reconnecting { made }, E::Fail | E::Reject(_)) => {
                if self.exhausted(made) {
                    return Ok(self.close(true, None));
                }
                self.phase = Phase::Reconnecting { made: made + 1 };
                Ok(ScheduleStep::Wait(self.delay(made)))
            }
            _ => Err(bad()),
        }
    }
}
