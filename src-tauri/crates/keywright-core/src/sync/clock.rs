//! Revisions: a hybrid logical clock, dots and causal contexts.
//!
//! A revision ([`Dot`]) is a clock value and the device that issued it. Clock values are
//! hybrid logical clocks: the wall time in milliseconds in the high 48 bits and a counter
//! in the low 16, so that a device whose wall clock runs behind still issues values above
//! every value it has seen, and values from different devices order the same way
//! everywhere: by clock, then by device id.
//!
//! A version's [`Ctx`] says which earlier versions of the same item it has seen (and so
//! supersedes): a version vector (per device, the highest clock seen) with exceptions
//! (dots below the vector that were *not* seen: the item's unresolved conflict versions).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// A hybrid logical clock value: `wall_ms << 16 | counter`.
pub type Clock = u64;

/// The milliseconds since the Unix epoch a clock value was issued at (about).
pub fn clock_millis(c: Clock) -> i64 {
    i64::try_from(c >> 16).unwrap_or(i64::MAX)
}

/// The clock of a device.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hlc {
    last: Clock,
}

impl Hlc {
    pub fn new(last: Clock) -> Hlc {
        Hlc { last }
    }

    /// The highest value issued or seen.
    pub fn last(&self) -> Clock {
        self.last
    }

    /// Issue a value above every value issued or seen, at wall time `wall_ms`.
    pub fn tick(&mut self, wall_ms: i64) -> Clock {
        let phys = u64::try_from(wall_ms.max(0)).unwrap_or(0) << 16;
        self.last = phys.max(self.last.saturating_add(1));
        self.last
    }

    /// Take in a value seen from another device.
    pub fn observe(&mut self, c: Clock) {
        self.last = self.last.max(c);
    }
}

/// A revision: the clock value and the device that issued it. Ordered by clock, then by
/// device id, the same on every device.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Dot {
    pub device: String,
    pub clock: Clock,
}

impl Ord for Dot {
    fn cmp(&self, other: &Self) -> Ordering {
        self.clock
            .cmp(&other.clock)
            .then_with(|| self.device.cmp(&other.device))
    }
}

impl PartialOrd for Dot {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for Dot {
    /// `DEVICE@CLOCK` in hex: the version id the CLI shows and `resolve --keep` takes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{:x}", short_device(&self.device), self.clock)
    }
}

/// The first 8 characters of a device id: how devices are named in messages.
pub fn short_device(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// What a version has seen of its item's earlier versions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ctx {
    /// Per device, the highest clock seen.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub vv: BTreeMap<String, Clock>,
    /// Dots at or below `vv` that were not seen.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub except: BTreeSet<Dot>,
}

impl Ctx {
    /// Whether the version with this context has seen `dot`.
    pub fn covers(&self, dot: &Dot) -> bool {
        self.vv.get(&dot.device).is_some_and(|&c| c >= dot.clock) && !self.except.contains(dot)
    }

    /// Add one dot to the vector (not to the exceptions).
    pub fn add(&mut self, dot: &Dot) {
        let e = self.vv.entry(dot.device.clone()).or_insert(0);
        *e = (*e).max(dot.clock);
        self.except.remove(dot);
    }

    /// Everything either context has seen, and what the result would cover without
    /// having seen it is kept as an exception.
    pub fn join(&self, other: &Ctx) -> Ctx {
        let mut vv = self.vv.clone();
        for (d, &c) in &other.vv {
            let e = vv.entry(d.clone()).or_insert(0);
            *e = (*e).max(c);
        }
        let mut out = Ctx {
            vv,
            except: BTreeSet::new(),
        };
        for x in self.except.iter().chain(other.except.iter()) {
            if !self.covers(x) && !other.covers(x) {
                out.except.insert(x.clone());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dot(d: &str, c: Clock) -> Dot {
        Dot {
            device: d.into(),
            clock: c,
        }
    }

    #[test]
    fn hlc_is_monotonic_when_the_wall_clock_goes_back() {
        let mut h = Hlc::default();
        let a = h.tick(1_000);
        let b = h.tick(999);
        let c = h.tick(1_000);
        assert!(a < b && b < c, "{a} {b} {c}");
        h.observe(5_000 << 16);
        assert!(h.tick(1_000) > 5_000 << 16);
        assert_eq!(clock_millis(h.tick(10_000)), 10_000);
    }

    #[test]
    fn dots_order_by_clock_then_device() {
        assert!(dot("b", 1) < dot("a", 2));
        assert!(dot("a", 2) < dot("b", 2));
    }

    #[test]
    fn covers_respects_exceptions_and_join_keeps_unseen_ones() {
        let mut a = Ctx::default();
        a.add(&dot("x", 10));
        assert!(a.covers(&dot("x", 5)));
        assert!(!a.covers(&dot("y", 1)));
        a.except.insert(dot("x", 5));
        assert!(!a.covers(&dot("x", 5)));
        let mut b = Ctx::default();
        b.add(&dot("x", 3));
        // b has not seen x@5 either: the join keeps the exception.
        assert!(!a.join(&b).covers(&dot("x", 5)));
        let mut c = Ctx::default();
        c.add(&dot("x", 6));
        // c has seen x@5: the join has too.
        assert!(a.join(&c).covers(&dot("x", 5)));
        assert!(c.join(&a).covers(&dot("x", 5)));
    }
}
