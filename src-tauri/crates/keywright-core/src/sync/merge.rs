//! The merge rules, in one place. Every device keeps, per item, the set of versions in
//! force: those no other known version has seen. Merging is adding a version to that set,
//! so the result depends only on which versions arrived, never on their order or on how
//! often one arrived (the set is a join-semilattice).
//!
//! - **Higher revision wins.** The item shows the [`winner`]: the live version with the
//!   highest revision ([`Dot`] order: clock, then device id), else (every version in force
//!   is a deletion) the newest deletion.
//! - **Concurrent edits keep both.** Two versions neither of which has seen the other both
//!   stay in force: the loser is a *conflict version* until someone resolves it
//!   ([`resolve_ctx`]); an edit of the winner in the meantime keeps it ([`edit_ctx`]).
//! - **Edit vs delete**: a live version beats a deletion whatever their revisions; the
//!   deletion stays as a conflict version ("deleted on device X").
//! - HOTP counters and the like are merged by the caller from the whole set (the maximum
//!   counter of all versions in force).

use super::clock::{Ctx, Dot};

/// One version of an item: its revision, what it has seen, and its content (`None`: the
/// item was deleted).
#[derive(Clone, PartialEq, Eq)]
pub struct Version<B> {
    pub item: String,
    pub dot: Dot,
    pub ctx: Ctx,
    pub body: Option<B>,
}

impl<B> std::fmt::Debug for Version<B> {
    /// Names the version, never its content (it holds secrets).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Version")
            .field("item", &self.item)
            .field("dot", &self.dot)
            .field("deleted", &self.body.is_none())
            .finish_non_exhaustive()
    }
}

impl<B> Version<B> {
    /// Whether this version has seen (supersedes) `other`.
    pub fn supersedes(&self, other: &Dot) -> bool {
        self.ctx.covers(other)
    }
}

/// Add `v` to an item's versions in force (sorted by revision). Returns `false` when the
/// set already had it or a version that supersedes it (nothing changed).
pub fn insert<B>(set: &mut Vec<Version<B>>, v: Version<B>) -> bool {
    if set.iter().any(|s| s.dot == v.dot || s.supersedes(&v.dot)) {
        return false;
    }
    set.retain(|s| !v.supersedes(&s.dot));
    let at = set.partition_point(|s| s.dot < v.dot);
    set.insert(at, v);
    true
}

/// The version the item shows: the live one with the highest revision, else the newest
/// deletion. `None` for an empty set.
pub fn winner<B>(set: &[Version<B>]) -> Option<usize> {
    let live = set
        .iter()
        .enumerate()
        .filter(|(_, v)| v.body.is_some())
        .max_by(|a, b| a.1.dot.cmp(&b.1.dot))
        .map(|(i, _)| i);
    live.or_else(|| set.len().checked_sub(1))
}

/// The context of a new local version made on top of the winner (an edit, a delete, a
/// renewal): it has seen the winner and everything the winner had seen, and explicitly
/// not the other versions in force, which stay as conflicts.
pub fn edit_ctx<B>(set: &[Version<B>]) -> Ctx {
    edit_ctx_covering(set, |_| false)
}

/// [`edit_ctx`], where the versions for which `same(i)` holds (other versions in force
/// with the winner's content: the same edit made on two devices) count as seen: the new
/// version supersedes them instead of keeping them as conflicts.
pub fn edit_ctx_covering<B>(set: &[Version<B>], same: impl Fn(usize) -> bool) -> Ctx {
    let Some(w) = winner(set) else {
        return Ctx::default();
    };
    let mut ctx = set[w].ctx.clone();
    ctx.add(&set[w].dot);
    for (i, v) in set.iter().enumerate() {
        if i != w && same(i) {
            ctx = ctx.join(&v.ctx);
            ctx.add(&v.dot);
        }
    }
    for (i, v) in set.iter().enumerate() {
        if i != w && !same(i) {
            ctx.except.insert(v.dot.clone());
        }
    }
    ctx
}

/// The context of a version that resolves the item's conflicts: it has seen every
/// version in force, so it replaces them all.
pub fn resolve_ctx<B>(set: &[Version<B>]) -> Ctx {
    let mut ctx = Ctx::default();
    for v in set {
        ctx = ctx.join(&v.ctx);
    }
    for v in set {
        ctx.add(&v.dot);
    }
    ctx
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use proptest::prelude::*;

    use super::super::clock::{Clock, Hlc};
    use super::*;

    /// A test body: a label and a HOTP-like counter.
    #[derive(Clone, PartialEq, Eq, Debug)]
    struct B {
        text: String,
        counter: u64,
    }

    /// One simulated device: its versions in force per item, its clock, what it wrote.
    #[derive(Default)]
    struct Dev {
        id: String,
        hlc: Hlc,
        items: BTreeMap<String, Vec<Version<B>>>,
        /// Everything this device authored, in order (its "segments").
        log: Vec<Version<B>>,
        /// How far into each device's log this device has read.
        read: BTreeMap<usize, usize>,
        /// HOTP values this device handed out.
        issued: Vec<u64>,
    }

    impl Dev {
        fn author(&mut self, item: &str, body: Option<B>, resolve: bool, wall: i64) {
            let set = self.items.entry(item.to_owned()).or_default();
            let ctx = if resolve {
                resolve_ctx(set)
            } else {
                edit_ctx(set)
            };
            let dot = Dot {
                device: self.id.clone(),
                clock: self.hlc.tick(wall),
            };
            let v = Version {
                item: item.to_owned(),
                dot,
                ctx,
                body,
            };
            assert!(insert(set, v.clone()), "a new local version always applies");
            self.log.push(v);
        }

        fn current(&self, item: &str) -> Option<(&B, u64)> {
            let set = self.items.get(item)?;
            let w = winner(set)?;
            let b = set[w].body.as_ref()?;
            let max = set
                .iter()
                .filter_map(|v| v.body.as_ref().map(|b| b.counter))
                .max()
                .unwrap_or(0);
            Some((b, max))
        }

        fn receive(&mut self, v: &Version<B>) {
            self.hlc.observe(v.dot.clock);
            insert(self.items.entry(v.item.clone()).or_default(), v.clone());
        }
    }

    fn pull(devs: &mut [Dev], to: usize, from: usize) {
        if to == from {
            return;
        }
        let start = devs[to].read.get(&from).copied().unwrap_or(0);
        let new: Vec<Version<B>> = devs[from].log[start..].to_vec();
        for v in &new {
            devs[to].receive(v);
        }
        devs[to].read.insert(from, devs[from].log.len());
    }

    #[derive(Debug, Clone)]
    enum Op {
        Add(usize),
        Edit(usize, usize),
        Delete(usize, usize),
        Hotp(usize, usize),
        Renew(usize, usize),
        Resolve(usize, usize),
        /// Device `to` reads device `from`'s new segments.
        Deliver(usize, usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..3usize).prop_map(Op::Add),
            (0..3usize, 0..12usize).prop_map(|(d, i)| Op::Edit(d, i)),
            (0..3usize, 0..12usize).prop_map(|(d, i)| Op::Delete(d, i)),
            (0..3usize, 0..12usize).prop_map(|(d, i)| Op::Hotp(d, i)),
            (0..3usize, 0..12usize).prop_map(|(d, i)| Op::Renew(d, i)),
            (0..3usize, 0..12usize).prop_map(|(d, i)| Op::Resolve(d, i)),
            (0..3usize, 0..3usize).prop_map(|(a, b)| Op::Deliver(a, b)),
        ]
    }

    fn run(ops: &[Op], final_order: &[(usize, usize)]) -> Vec<Dev> {
        let mut devs: Vec<Dev> = (0..3)
            .map(|i| Dev {
                id: format!("device-{i}"),
                ..Dev::default()
            })
            .collect();
        let mut wall: i64 = 1_000;
        let mut n_items = 0usize;
        for (step, op) in ops.iter().enumerate() {
            // Wall clocks that disagree a little: device 2 runs behind.
            wall += 3;
            let w = |d: usize| wall - if d == 2 { 50 } else { 0 };
            let item = |i: usize| format!("item-{}", i % n_items.max(1));
            match *op {
                Op::Add(d) => {
                    let id = format!("item-{n_items}");
                    n_items += 1;
                    let body = B {
                        text: format!("add {step}"),
                        counter: 0,
                    };
                    devs[d].author(&id, Some(body), false, w(d));
                }
                Op::Edit(d, i) | Op::Renew(d, i) if n_items > 0 => {
                    let id = item(i);
                    let counter = devs[d].current(&id).map_or(0, |(_, c)| c);
                    if devs[d].current(&id).is_some() {
                        let body = B {
                            text: format!("edit {step} on {d}"),
                            counter,
                        };
                        devs[d].author(&id, Some(body), false, w(d));
                    }
                }
                Op::Delete(d, i) if n_items > 0 => {
                    let id = item(i);
                    if devs[d].current(&id).is_some() {
                        devs[d].author(&id, None, false, w(d));
                    }
                }
                Op::Hotp(d, i) if n_items > 0 => {
                    let id = item(i);
                    if let Some((b, c)) = devs[d].current(&id) {
                        let body = B {
                            text: b.text.clone(),
                            counter: c + 1,
                        };
                        devs[d].issued.push(c);
                        devs[d].author(&id, Some(body), false, w(d));
                    }
                }
                Op::Resolve(d, i) if n_items > 0 => {
                    let id = item(i);
                    let set = devs[d].items.get(&id).cloned().unwrap_or_default();
                    if set.len() > 1 {
                        // Keep the oldest version in force (not the winner): a real choice.
                        let body = set[0].body.clone();
                        devs[d].author(&id, body, true, w(d));
                    }
                }
                Op::Deliver(to, from) => pull(&mut devs, to, from),
                _ => {}
            }
        }
        // Heal the partition: everyone reads everyone, in the given order, twice.
        for _ in 0..2 {
            for &(to, from) in final_order {
                pull(&mut devs, to, from);
            }
        }
        devs
    }

    /// Per item: the versions in force and what the item shows (body, counter).
    type ItemState = (Vec<(Dot, Option<B>)>, Option<(B, u64)>);

    fn state(d: &Dev) -> BTreeMap<String, ItemState> {
        d.items
            .iter()
            .map(|(k, set)| {
                (
                    k.clone(),
                    (
                        set.iter()
                            .map(|v| (v.dot.clone(), v.body.clone()))
                            .collect(),
                        d.current(k).map(|(b, c)| (b.clone(), c)),
                    ),
                )
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// 3 devices, up to 1,000 random operations with random partitions and delivery
        /// orders: every device ends with identical state, no write is lost (each is in
        /// force or superseded by a version that has seen it), and no device hands out a
        /// HOTP counter it had already seen handed out.
        #[test]
        fn three_devices_converge_without_loss(
            ops in prop::collection::vec(op(), 1..1000),
            order in Just(vec![(0usize, 1usize), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)]).prop_shuffle(),
        ) {
            let devs = run(&ops, &order);
            let s0 = state(&devs[0]);
            prop_assert_eq!(&s0, &state(&devs[1]));
            prop_assert_eq!(&s0, &state(&devs[2]));
            // No write lost: every authored version is in force or superseded by one in force.
            for d in &devs {
                for v in &d.log {
                    let set = &devs[0].items[&v.item];
                    prop_assert!(
                        set.iter().any(|s| s.dot == v.dot || s.supersedes(&v.dot)),
                        "{:?} was lost", v
                    );
                }
            }
            // Versions in force never supersede one another.
            for set in devs[0].items.values() {
                for a in set {
                    for b in set {
                        prop_assert!(a.dot == b.dot || !a.supersedes(&b.dot));
                    }
                }
            }
        }

        /// Any delivery order of the same versions gives the same sets.
        #[test]
        fn delivery_order_does_not_matter(
            ops in prop::collection::vec(op(), 1..300),
            seed in any::<u64>(),
        ) {
            let devs = run(&ops, &[(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)]);
            let all: Vec<Version<B>> = devs.iter().flat_map(|d| d.log.clone()).collect();
            let mut shuffled = all.clone();
            let mut x = seed | 1;
            for i in (1..shuffled.len()).rev() {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                shuffled.swap(i, (x % (i as u64 + 1)) as usize);
            }
            let apply = |vs: &[Version<B>]| {
                let mut m: BTreeMap<String, Vec<Version<B>>> = BTreeMap::new();
                for v in vs {
                    insert(m.entry(v.item.clone()).or_default(), v.clone());
                    // Idempotent: a second delivery changes nothing.
                    prop_assert!(!insert(m.entry(v.item.clone()).or_default(), v.clone()));
                }
                Ok(m.into_iter().map(|(k, s)| (k, s.into_iter().map(|v| v.dot).collect::<Vec<_>>())).collect::<BTreeMap<_, _>>())
            };
            let a = apply(&all)?;
            let b = apply(&shuffled)?;
            prop_assert_eq!(&a, &b);
            let expect: BTreeMap<String, Vec<Dot>> = devs[0]
                .items
                .iter()
                .map(|(k, s)| (k.clone(), s.iter().map(|v| v.dot.clone()).collect()))
                .collect();
            prop_assert_eq!(a, expect);
        }
    }

    #[test]
    fn hotp_counters_are_never_reissued_once_seen() {
        // Two devices step the same HOTP item; after each sync the next value is above
        // every value either has handed out.
        let mut devs: Vec<Dev> = (0..2)
            .map(|i| Dev {
                id: format!("d{i}"),
                ..Dev::default()
            })
            .collect();
        let b = B {
            text: "hotp".into(),
            counter: 0,
        };
        devs[0].author("h", Some(b), false, 10);
        pull(&mut devs, 1, 0);
        let mut seen: BTreeSet<u64> = BTreeSet::new();
        for round in 0..20i64 {
            for d in 0..2 {
                let (b, c) = devs[d]
                    .current("h")
                    .map(|(b, c)| (b.clone(), c))
                    .expect("live");
                assert!(!seen.contains(&c), "counter {c} handed out twice");
                seen.insert(c);
                devs[d].author(
                    "h",
                    Some(B {
                        text: b.text,
                        counter: c + 1,
                    }),
                    false,
                    20 + round,
                );
                // Sync after each step (both directions).
                pull(&mut devs, 1 - d, d);
            }
        }
        assert_eq!(seen.len(), 40);
    }

    #[test]
    fn concurrent_edits_keep_the_loser_and_an_edit_of_the_winner_keeps_it_too() {
        let v = |d: &str, c: Clock, ctx: Ctx, t: &str| Version {
            item: "x".into(),
            dot: Dot {
                device: d.into(),
                clock: c,
            },
            ctx,
            body: Some(B {
                text: t.into(),
                counter: 0,
            }),
        };
        let mut set = Vec::new();
        assert!(insert(&mut set, v("a", 1, Ctx::default(), "base")));
        let base_ctx = edit_ctx(&set);
        assert!(insert(&mut set, v("a", 5, base_ctx.clone(), "a's edit")));
        assert!(insert(&mut set, v("b", 4, base_ctx, "b's edit")));
        assert_eq!(set.len(), 2, "both concurrent edits stay");
        let w = winner(&set).expect("test step");
        assert_eq!(set[w].dot.device, "a", "the higher revision wins");
        // b edits the winner: a's... no, b's own earlier version stays in force.
        let ctx = edit_ctx(&set);
        assert!(insert(&mut set, v("a", 9, ctx, "edit of the winner")));
        assert_eq!(set.len(), 2);
        let ctx = edit_ctx(&set);
        assert!(insert(&mut set, v("a", 12, ctx, "another")));
        assert_eq!(set.len(), 2, "b@4 is still a conflict version");
        assert!(set.iter().any(|x| x.dot.device == "b"));
        // Resolving replaces them all.
        let ctx = resolve_ctx(&set);
        assert!(insert(&mut set, v("b", 20, ctx, "resolved")));
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn edit_beats_a_concurrent_delete() {
        let mut set: Vec<Version<B>> = Vec::new();
        let mk = |d: &str, c: Clock, ctx: Ctx, body: Option<B>| Version {
            item: "x".into(),
            dot: Dot {
                device: d.into(),
                clock: c,
            },
            ctx,
            body,
        };
        let b = B {
            text: "t".into(),
            counter: 0,
        };
        insert(&mut set, mk("a", 1, Ctx::default(), Some(b.clone())));
        let c = edit_ctx(&set);
        insert(&mut set, mk("c", 9, c.clone(), None));
        insert(&mut set, mk("a", 3, c, Some(b)));
        let w = winner(&set).expect("test step");
        assert!(
            set[w].body.is_some(),
            "the edit wins though the delete is newer"
        );
        assert_eq!(set.len(), 2, "the delete stays as a conflict version");
    }
}
