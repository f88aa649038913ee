//! The client's outbox and offline queue (SEMANTICS-messaging §9) as a pure state machine.
//!
//! The outbox holds every send not yet acknowledged by the gateway, in order, each under its
//! core-generated `client_msg_id`: in-flight sends (transmitted, unacknowledged) and queued ones
//! (not yet transmitted). While disconnected, sends are queued; when the outbox holds
//! `offline_queue_limit` entries a new send fails with `QUEUE_FULL` (also while connected). On
//! reconnect the outbox is flushed in order — unacknowledged in-flight sends first, under the
//! same ids — before any later send. Give-up and `close()` fail everything with `DISCONNECTED`.

use crate::error::{Error, ErrorCode, Result};
use std::collections::VecDeque;

/// The default `offline_queue_limit`.
pub const DEFAULT_OFFLINE_QUEUE_LIMIT: usize = 1000;

/// Where the connection stands, as the outbox sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// Before the first `connect()` succeeded: every call fails with `DISCONNECTED`.
    NotConnected,
    /// Connected; sends are transmitted at once.
    Connected,
    /// Lost; sends are queued.
    Disconnected,
    /// Reconnected, flushing the outbox; new sends queue behind it.
    Flushing,
    /// Closed for good.
    Closed,
}

/// What happened to a send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendDisposition {
    /// Transmitted now (in flight until acknowledged).
    Transmitted,
    /// Queued for the next flush.
    Queued,
}

/// The outbox of one client.
#[derive(Clone, Debug)]
pub struct Outbox {
    limit: usize,
    state: LinkState,
    in_flight: VecDeque<String>,
    queued: VecDeque<String>,
    /// During a flush: how many in-flight entries have been (re)transmitted.
    flush_pos: usize,
}

fn disconnected() -> Error {
    Error::new(ErrorCode::Disconnected, "not connected")
}

impl Outbox {
    /// An outbox before the first connect.
    pub fn new(offline_queue_limit: usize) -> Outbox {
        Outbox {
            limit: offline_queue_limit,
            state: LinkState::NotConnected,
            in_flight: VecDeque::new(),
            queued: VecDeque::new(),
            flush_pos: 0,
        }
    }

    /// The current state.
    pub fn state(&self) -> LinkState {
        self.state
    }

    /// Entries held (in flight + queued).
    pub fn len(&self) -> usize {
        self.in_flight.len() + self.queued.len()
    }

    /// True iff nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first `welcome`: connected. `VALIDATION_ERROR` unless not yet connected.
    pub fn connected(&mut self) -> Result<()> {
        if self.state != LinkState::NotConnected {
            return Err(Error::validation("already connected once"));
        }
        self.state = LinkState::Connected;
        Ok(())
    }

    /// A send with `client_msg_id`.
    pub fn send(&mut self, client_msg_id: impl Into<String>) -> Result<SendDisposition> {
        match self.state {
            LinkState::NotConnected | LinkState::Closed => return Err(disconnected()),
            _ => {}
        }
        if self.len() >= self.limit {
            return Err(Error::with_reason(
                ErrorCode::QueueFull,
                "outbox_full",
                format!("the outbox holds {} unacknowledged sends", self.limit),
            ));
        }
        let id = client_msg_id.into();
        if self.state == LinkState::Connected {
            self.in_flight.push_back(id);
            Ok(SendDisposition::Transmitted)
        } else {
            self.queued.push_back(id);
            Ok(SendDisposition::Queued)
        }
    }

    /// KV, task and checkpoint calls: `DISCONNECTED` unless connected (flushing counts).
    pub fn check_request(&self) -> Result<()> {
        match self.state {
            LinkState::Connected | LinkState::Flushing => Ok(()),
            _ => Err(disconnected()),
        }
    }

    /// The gateway acknowledged `client_msg_id`; false if it was not in flight.
    pub fn acknowledge(&mut self, client_msg_id: &str) -> bool {
        match self.in_flight.iter().position(|x| x == client_msg_id) {
            Some(i) => {
                self.in_flight.remove(i);
                if i < self.flush_pos {
                    self.flush_pos -= 1;
                }
                true
            }
            None => false,
        }
    }

    /// Ids transmitted and not yet acknowledged, in order.
    pub fn in_flight(&self) -> impl Iterator<Item = &str> {
        self.in_flight.iter().map(String::as_str)
    }

    /// The connection was lost: in-flight sends stay in the outbox, to be resent first.
    pub fn connection_lost(&mut self) {
        if matches!(self.state, LinkState::Connected | LinkState::Flushing) {
            self.state = LinkState::Disconnected;
        }
    }

    /// A reconnect got `welcome`: the flush begins (sends now queue behind the outbox).
    pub fn begin_flush(&mut self) -> Result<()> {
        if self.state != LinkState::Disconnected {
            return Err(Error::validation("not disconnected"));
        }
        self.state = LinkState::Flushing;
        self.flush_pos = 0;
        Ok(())
    }

    /// The next id to transmit during a flush (unacknowledged in-flight first, then queued), or
    /// `None` when the flush is complete (the state becomes `Connected`). A paced flush calls
    /// this once per transmission.
    pub fn flush_next(&mut self) -> Option<String> {
        if self.state != LinkState::Flushing {
            return None;
        }
        if let Some(id) = self.in_flight.get(self.flush_pos) {
            self.flush_pos += 1;
            return Some(id.clone());
        }
        match self.queued.pop_front() {
            Some(id) => {
                self.in_flight.push_back(id.clone());
                self.flush_pos = self.in_flight.len();
                Some(id)
            }
            None => {
                self.state = LinkState::Connected;
                None
            }
        }
    }

    /// Completes a flush at once: every id transmitted, in order.
    pub fn complete_flush(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(id) = self.flush_next() {
            out.push(id);
        }
        out
    }

    fn fail_all(&mut self) -> Vec<(String, ErrorCode)> {
        self.state = LinkState::Closed;
        self.in_flight
            .drain(..)
            .chain(self.queued.drain(..))
            .map(|id| (id, ErrorCode::Disconnected))
            .collect()
    }

    /// Reconnecting gave up: every held send fails with `DISCONNECTED`; the outbox is closed.
    pub fn gave_up(&mut self) -> Vec<(String, ErrorCode)> {
        self.fail_all()
    }

    /// `close()`: as [`Outbox::gave_up`].
    pub fn close(&mut self) -> Vec<(String, ErrorCode)> {
        self.fail_all()
    }
}
