//! When to fetch the slot map again: single-flight and rate-limited, with
//! the time passed in.

use std::time::{Duration, Instant};

use super::topology::Topology;

/// What the caller should do about a wish to refresh the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshNow {
    /// Fetch the map now; call [`Refresh::finished`] after.
    Start,
    /// Another fetch is under way: use the map as it is, or wait for it.
    InFlight,
    /// A fetch finished recently: it is remembered, and due at this time
    /// (ask again then).
    DueAt(Instant),
}

/// The refresh schedule of one cluster client.
///
/// # Call order
///
/// On every trigger (a `MOVED`, a refused connection to a slot owner,
/// `CLUSTERDOWN`, an unserved slot), call [`wanted`](Refresh::wanted) with
/// the time; only on [`RefreshNow::Start`] fetch the map, then call
/// [`finished`](Refresh::finished). Between calls, [`due`](Refresh::due)
/// says whether a wish that was held back is now due.
///
/// # Example
///
/// ```
/// use std::time::{Duration, Instant};
/// use resp_core::cluster::{Refresh, RefreshNow};
///
/// let mut refresh = Refresh::new(Duration::from_millis(200));
/// let t0 = Instant::now();
/// assert_eq!(refresh.wanted(t0), RefreshNow::Start);
/// assert_eq!(refresh.wanted(t0), RefreshNow::InFlight);
/// refresh.finished(t0 + Duration::from_millis(5));
/// // Again 50 ms later: held back until 200 ms after the last one began.
/// assert_eq!(refresh.wanted(t0 + Duration::from_millis(50)), RefreshNow::DueAt(t0 + Duration::from_millis(200)));
/// assert!(refresh.due(t0 + Duration::from_millis(200)));
/// assert_eq!(refresh.wanted(t0 + Duration::from_millis(200)), RefreshNow::Start);
/// ```
#[derive(Debug, Clone)]
pub struct Refresh {
    interval: Duration,
    started: Option<Instant>,
    in_flight: bool,
    pending: bool,
    done: u64,
}

impl Refresh {
    /// At most one fetch per `interval` (measured from start to start).
    pub fn new(interval: Duration) -> Refresh {
        Refresh {
            interval,
            started: None,
            in_flight: false,
            pending: false,
            done: 0,
        }
    }

    /// A trigger at `now`.
    pub fn wanted(&mut self, now: Instant) -> RefreshNow {
        if self.in_flight {
            self.pending = true;
            return RefreshNow::InFlight;
        }
        if let Some(started) = self.started {
            let next = started + self.interval;
            if now < next {
                self.pending = true;
                return RefreshNow::DueAt(next);
            }
        }
        self.in_flight = true;
        self.pending = false;
        self.started = Some(now);
        RefreshNow::Start
    }

    /// The fetch started by the last [`RefreshNow::Start`] ended (whether
    /// or not it got a map).
    pub fn finished(&mut self, _now: Instant) {
        self.in_flight = false;
        self.done += 1;
    }

    /// True when a held-back wish is due at `now`.
    pub fn due(&self, now: Instant) -> bool {
        self.pending && !self.in_flight && self.started.is_none_or(|s| now >= s + self.interval)
    }

    /// How many fetches ended.
    pub fn count(&self) -> u64 {
        self.done
    }

    /// True while a fetch is under way.
    pub fn in_flight(&self) -> bool {
        self.in_flight
    }
}

/// Whether a freshly fetched map may replace the current one: it must
/// serve some slot, and share a node with the current map, unless the
/// current map has none or none of its nodes could be reached (a whole
/// cluster moved, or came back on new addresses). A view that shares
/// nothing may be of another cluster that reuses a seed address.
///
/// ```
/// use resp_core::cluster::{acceptable, Topology};
///
/// let empty = Topology::empty();
/// assert!(!acceptable(&empty, &empty, false)); // serves nothing
/// ```
pub fn acceptable(new: &Topology, current: &Topology, all_current_unreachable: bool) -> bool {
    if new.covered() == 0 {
        return false;
    }
    current.nodes().is_empty() || all_current_unreachable || new.shares_node_with(current)
}
