//! Eclat: depth-first search over vertical bitsets, tid-lists and diffsets.
//!
//! The frequent pairs come from one horizontal pass (`Pairs`, a triangular count matrix while
//! it is small): cheaper than intersecting every two items' vertical sets, and it prunes the
//! search below — `P ∪ {a, b}` is only tried when the pair `{a, b}` is frequent.
//!
//! From the pairs on, each equivalence class (itemsets sharing a prefix `P`) holds a set for every
//! member `P ∪ {a}`, in one of three layouts:
//!
//! - **Bitsets** (the usual case): one bit per basket. When a bitset per frequent item fits (at
//!   most 4× the room of tid-lists, or 64 MiB), the items' bitsets are built once; the class of
//!   item `i` keeps only the words where `i`'s bitset is non-zero (its universe), so a class of a
//!   rare item costs little, and members intersect a word at a time (AND + popcount).
//! - **Tid-lists**: the ascending ids of the baskets holding the member. When the bitsets would
//!   not fit (many frequent items, sparse data), the class of `i` is projected from the baskets
//!   holding `i` in one pass — as bitsets over those baskets when its members are dense in them,
//!   as tid-lists otherwise.
//! - **Diffsets** (after Zaki and Gouda's dEclat): the baskets holding `P` but not `P ∪ {a}`. A
//!   tid-list class switches to them when they are smaller in sum (dense data makes tid-lists
//!   long and diffsets short), and its descendants keep them.
//!
//! Memory: the vertical index is at most 4× the recoded baskets (or 64 MiB), and each level of
//! the search keeps one class in an arena reused for all its siblings.

use super::baskets::{Itemsets, Transactions};
use super::itemsets::{Collector, Pairs, Recoded, TidLists};

/// Frequent itemsets of `t` held by at least `min_count` baskets (0 counts as 1), up to `max_len`
/// items (`Some(0)` gives none), in canonical order.
///
/// # Panics
///
/// If `t` has [`MAX_PAIRS`](super::itemsets::MAX_PAIRS) or more (basket, item) pairs (ids are
/// 32-bit); [`frequent_itemsets`](super::itemsets::frequent_itemsets) refuses such input with an
/// error.
pub fn mine(t: &Transactions, min_count: u64, max_len: Option<usize>) -> Itemsets {
    mine_with(t, min_count, max_len, Layout::Auto)
}

/// Which vertical layout to use. Only [`Layout::Auto`] is used outside the tests, which force
/// the others so that every path is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(test), allow(dead_code))]
enum Layout {
    /// [`Layout::Bits`] when it fits, else [`Layout::Projected`].
    Auto,
    /// A bitset per frequent item, built once.
    Bits,
    /// Classes projected from the baskets holding their item: bitsets or tid-lists per class.
    Projected,
    /// Classes projected as tid-lists (and diffsets) only.
    Tids,
}

/// The vertical index the top-level classes are built from.
enum Vertical {
    Bits(BitIndex),
    Tids { tids: TidLists, bits: bool },
}

fn mine_with(t: &Transactions, min_count: u64, max_len: Option<usize>, layout: Layout) -> Itemsets {
    let rec = Recoded::new(t, min_count, max_len);
    if max_len == Some(0) {
        return Collector::default().finish(&rec);
    }
    let mut out = rec.collector();
    if rec.max_len >= 2 && rec.n_baskets() > 0 {
        let pairs = Pairs::count(&rec);
        for i in 0..rec.n_frequent() as u32 {
            let (partners, counts) = pairs.of(i);
            for (&j, &c) in partners.iter().zip(counts) {
                out.push(&[i, j], c);
            }
        }
        if rec.max_len >= 3 && pairs.len() >= 3 {
            let words = rec.n_baskets().div_ceil(64);
            let fits = rec.n_frequent() * words <= (2 * rec.items.len()).max(BITS_WORDS);
            let vertical = match layout {
                Layout::Bits => Vertical::Bits(BitIndex::new(&rec)),
                Layout::Auto if fits => Vertical::Bits(BitIndex::new(&rec)),
                Layout::Auto | Layout::Projected => Vertical::Tids {
                    tids: TidLists::new(&rec),
                    bits: true,
                },
                Layout::Tids => Vertical::Tids {
                    tids: TidLists::new(&rec),
                    bits: false,
                },
            };
            let mut miner = Miner {
                rec: &rec,
                pairs: &pairs,
                min_count: rec.min_count,
                max_len: rec.max_len,
                out: &mut out,
                prefix: Vec::new(),
                levels: Vec::new(),
                slot: vec![NIL; rec.n_frequent()],
                universe: Vec::new(),
            };
            for i in 0..rec.n_frequent() as u32 {
                miner.top(&vertical, i);
            }
        }
    }
    out.finish(&rec)
}

/// One member `P ∪ {item}` of an equivalence class; its set is `data[start..end]` of its level
/// (`bits[start..end]` for bitsets).
#[derive(Debug, Clone, Copy)]
struct Member {
    item: u32,
    count: u64,
    start: usize,
    end: usize,
}

/// How a class stores its members' sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Kind {
    /// Ascending basket ids holding `P ∪ {a}`.
    #[default]
    Tids,
    /// Ascending basket ids holding `P` but not `P ∪ {a}`.
    Diffs,
    /// One bit per basket holding the top item of the search (the class's universe), set where
    /// the basket holds `P ∪ {a}`.
    Bits,
}

/// One equivalence class: its members and their sets in one arena.
#[derive(Debug, Default)]
struct Level {
    kind: Kind,
    /// The length of every bitset, in words (for [`Kind::Bits`]).
    words: usize,
    data: Vec<u32>,
    bits: Vec<u64>,
    members: Vec<Member>,
    /// Scratch for converting tid-lists to diffsets.
    spare: Vec<u32>,
}

impl Level {
    fn clear(&mut self) {
        self.kind = Kind::Tids;
        self.data.clear();
        self.bits.clear();
        self.members.clear();
    }

    fn set(&self, m: &Member) -> &[u32] {
        &self.data[m.start..m.end]
    }

    fn bitset(&self, m: &Member) -> &[u64] {
        &self.bits[m.start..m.end]
    }

    /// Switches this class from bitsets to tid-lists when its members are so sparse in the
    /// universe that walking every word costs more than merging short lists (deep in the
    /// search, at low support). Basket ids then count bits of the class's own words.
    fn maybe_to_tids(&mut self) {
        let total: u64 = self.members.iter().map(|m| m.count).sum();
        if total * SPARSE >= (self.members.len() * self.words) as u64 {
            return;
        }
        self.data.clear();
        for m in &mut self.members {
            let start = self.data.len();
            for (k, &x) in self.bits[m.start..m.end].iter().enumerate() {
                push_ones(k as u32, x, &mut self.data);
            }
            m.start = start;
            m.end = self.data.len();
        }
        self.bits.clear();
        self.kind = Kind::Tids;
    }

    /// Switches this class (tid-lists of `P ∪ {a, b}`) to diffsets relative to `P ∪ {a}`, whose
    /// tid-list is `parent`, when that takes less room.
    fn maybe_to_diffs(&mut self, parent: &[u32], parent_count: u64) {
        let tid_total: u64 = self.members.iter().map(|m| m.count).sum();
        let diff_total: u64 = self.members.iter().map(|m| parent_count - m.count).sum();
        if diff_total >= tid_total {
            return;
        }
        self.spare.clear();
        for m in &mut self.members {
            let start = self.spare.len();
            difference(parent, &self.data[m.start..m.end], &mut self.spare);
            m.start = start;
            m.end = self.spare.len();
        }
        std::mem::swap(&mut self.data, &mut self.spare);
        self.kind = Kind::Diffs;
    }
}

struct Miner<'a> {
    rec: &'a Recoded,
    pairs: &'a Pairs,
    min_count: u64,
    max_len: usize,
    out: &'a mut Collector,
    /// The ranks of the class's prefix `P`.
    prefix: Vec<u32>,
    /// `levels[d]` is the class at depth `d` of the search.
    levels: Vec<Level>,
    /// Rank → its member index in the class being projected (`NIL` otherwise).
    slot: Vec<u32>,
    /// The non-zero words of the top item's bitset (a class's universe with [`Layout::Bits`]).
    universe: Vec<u32>,
}

/// One bitset per frequent item over the recoded baskets.
struct BitIndex {
    words: usize,
    bits: Vec<u64>,
}

impl BitIndex {
    fn new(rec: &Recoded) -> BitIndex {
        let words = rec.n_baskets().div_ceil(64);
        let mut bits = vec![0u64; words * rec.n_frequent()];
        for (b, basket) in rec.baskets().enumerate() {
            for &i in basket {
                bits[i as usize * words + b / 64] |= 1 << (b % 64);
            }
        }
        BitIndex { words, bits }
    }

    fn get(&self, i: u32) -> &[u64] {
        &self.bits[i as usize * self.words..(i as usize + 1) * self.words]
    }
}

const NIL: u32 = u32::MAX;

/// Bitsets give way to tid-lists when their members hold fewer than one basket in this many
/// words on average.
const SPARSE: u64 = 16;

/// The most words (64 MiB) bitsets may take regardless of the data's size: the bitset index of
/// all frequent items, or a projected class's bitsets.
const BITS_WORDS: usize = 8 << 20;

impl Miner<'_> {
    /// Mines the class of item `i`: its members are the items `a > i` of the frequent pairs
    /// `{i, a}` (already emitted) that can be extended, i.e. that form a frequent pair with
    /// another member.
    fn top(&mut self, vertical: &Vertical, i: u32) {
        let (partners, counts) = self.pairs.of(i);
        if partners.len() < 2 {
            return;
        }
        if self.levels.is_empty() {
            self.levels.push(Level::default());
        }
        let level = &mut self.levels[0];
        level.clear();
        // A member is worth a tid-list only if it forms a frequent pair with another member.
        let mut needed = vec![false; partners.len()];
        for k in 0..partners.len() {
            let (with_a, _) = self.pairs.of(partners[k]);
            let (mut x, mut y) = (0, k + 1);
            while x < with_a.len() && y < partners.len() {
                match with_a[x].cmp(&partners[y]) {
                    std::cmp::Ordering::Less => x += 1,
                    std::cmp::Ordering::Greater => y += 1,
                    std::cmp::Ordering::Equal => {
                        needed[k] = true;
                        needed[y] = true;
                        x += 1;
                        y += 1;
                    }
                }
            }
        }
        let (tids, bits_allowed) = match vertical {
            Vertical::Bits(index) => {
                let bi = index.get(i);
                self.universe.clear();
                self.universe.extend(
                    bi.iter()
                        .enumerate()
                        .filter(|(_, w)| **w != 0)
                        .map(|(k, _)| k as u32),
                );
                level.kind = Kind::Bits;
                level.words = self.universe.len();
                for (k, (&a, &c)) in partners.iter().zip(counts).enumerate() {
                    if needed[k] {
                        let ba = index.get(a);
                        let start = level.bits.len();
                        level.bits.extend(
                            self.universe
                                .iter()
                                .map(|&w| bi[w as usize] & ba[w as usize]),
                        );
                        level.members.push(Member {
                            item: a,
                            count: c,
                            start,
                            end: level.bits.len(),
                        });
                    }
                }
                if level.members.len() >= 2 {
                    level.maybe_to_tids();
                    self.prefix.clear();
                    self.prefix.push(i);
                    self.class(0);
                }
                return;
            }
            Vertical::Tids { tids, bits } => (tids, *bits),
        };
        // The members' sets {i, a} come from one pass over the baskets holding i (a
        // projection): for the most popular items that is far cheaper than intersecting their
        // long tid-lists pairwise. Bitsets over those baskets (the class's universe) when the
        // members are dense enough in it (then they take at most 4× the room of tid-lists, and
        // intersect a word at a time) and the class stays small; tid-lists otherwise.
        let ti = tids.get(i);
        let words = ti.len().div_ceil(64);
        let (mut n_members, mut total) = (0usize, 0u64);
        for (k, &c) in counts.iter().enumerate() {
            if needed[k] {
                n_members += 1;
                total += c;
            }
        }
        let bit_words = n_members * words;
        level.kind =
            if bits_allowed && bit_words * 2 <= total as usize * 4 && bit_words <= BITS_WORDS {
                Kind::Bits
            } else {
                Kind::Tids
            };
        level.words = words;
        for (k, (&a, &c)) in partners.iter().zip(counts).enumerate() {
            if needed[k] {
                self.slot[a as usize] = level.members.len() as u32;
                let (start, end) = if level.kind == Kind::Bits {
                    let start = level.bits.len();
                    level.bits.resize(start + words, 0);
                    (start, start + words)
                } else {
                    let start = level.data.len();
                    level.data.resize(start + c as usize, 0);
                    (start, start)
                };
                level.members.push(Member {
                    item: a,
                    count: c,
                    start,
                    end,
                });
            }
        }
        if level.members.len() >= 2 {
            for (q, &tid) in ti.iter().enumerate() {
                let basket = self.rec.basket(tid as usize);
                let after = basket.partition_point(|&x| x <= i);
                for &a in &basket[after..] {
                    let m = self.slot[a as usize];
                    if m == NIL {
                        continue;
                    }
                    let member = &mut level.members[m as usize];
                    if level.kind == Kind::Bits {
                        level.bits[member.start + q / 64] |= 1 << (q % 64);
                    } else {
                        level.data[member.end] = tid;
                        member.end += 1;
                    }
                }
            }
        }
        for m in &level.members {
            self.slot[m.item as usize] = NIL;
        }
        if level.members.len() < 2 {
            return;
        }
        if level.kind == Kind::Tids {
            level.maybe_to_diffs(ti, ti.len() as u64);
        }
        self.prefix.clear();
        self.prefix.push(i);
        self.class(0);
    }

    /// Extends every member of the class at depth `d` (prefix `P` = `self.prefix`) by the later
    /// members it forms a frequent pair with, emits the frequent results and recurses.
    fn class(&mut self, d: usize) {
        if self.levels.len() <= d + 1 {
            self.levels.push(Level::default());
        }
        let p = self.prefix.len();
        // Children have p + 2 items; at the length limit they are counted, not kept.
        let keep = p + 2 < self.max_len;
        let n_members = self.levels[d].members.len();
        for ai in 0..n_members {
            let (lo, hi) = self.levels.split_at_mut(d + 1);
            let (cur, next) = (&lo[d], &mut hi[0]);
            next.clear();
            next.kind = cur.kind;
            next.words = cur.words;
            let a = cur.members[ai];
            let (with_a, _) = self.pairs.of(a.item);
            self.prefix.push(a.item);
            let mut w = 0;
            for b in &cur.members[ai + 1..] {
                // Only pairs {a, b} that are frequent can make P ∪ {a, b} frequent.
                w += with_a[w..].partition_point(|&x| x < b.item);
                if w == with_a.len() {
                    break;
                }
                if with_a[w] != b.item {
                    continue;
                }
                let (start, bit_start) = (next.data.len(), next.bits.len());
                let count = match cur.kind {
                    Kind::Diffs => {
                        // d(Pab) = d(Pb) \ d(Pa); support(Pab) = support(Pa) − |d(Pab)|.
                        let (a_set, b_set) = (cur.set(&a), cur.set(b));
                        let lost = if keep {
                            difference(b_set, a_set, &mut next.data)
                        } else {
                            difference_count(b_set, a_set)
                        };
                        a.count - lost as u64
                    }
                    Kind::Tids => {
                        let (a_set, b_set) = (cur.set(&a), cur.set(b));
                        if keep {
                            intersect(a_set, b_set, &mut next.data) as u64
                        } else {
                            intersect_count(a_set, b_set) as u64
                        }
                    }
                    Kind::Bits => {
                        // Count first, store only the frequent: most candidates are not, and
                        // the stores are what costs (the bitsets outgrow the cache).
                        let (x, y) = (cur.bitset(&a), cur.bitset(b));
                        let count = and_count(x, y);
                        if keep && count >= self.min_count {
                            next.bits.extend(x.iter().zip(y).map(|(p, q)| p & q));
                        }
                        count
                    }
                };
                if count >= self.min_count {
                    self.out.push_with(&self.prefix, b.item, count);
                    if keep {
                        let (start, end) = if cur.kind == Kind::Bits {
                            (bit_start, next.bits.len())
                        } else {
                            (start, next.data.len())
                        };
                        next.members.push(Member {
                            item: b.item,
                            count,
                            start,
                            end,
                        });
                    }
                } else {
                    next.data.truncate(start);
                    next.bits.truncate(bit_start);
                }
            }
            if keep && next.members.len() >= 2 {
                match (cur.kind, next.kind) {
                    (Kind::Tids, Kind::Tids) => next.maybe_to_diffs(cur.set(&a), a.count),
                    (_, Kind::Bits) => next.maybe_to_tids(),
                    _ => {}
                }
                self.class(d + 1);
            }
            self.prefix.pop();
        }
    }
}

/// Appends the ids of the bits set in word `w` of a bitset (`64·w + bit`).
fn push_ones(w: u32, mut x: u64, out: &mut Vec<u32>) {
    while x != 0 {
        out.push(w * 64 + x.trailing_zeros());
        x &= x - 1;
    }
}

/// `|x ∩ y|` of two bitsets. Four independent sums, so that the additions pipeline.
fn and_count(x: &[u64], y: &[u64]) -> u64 {
    let mut sums = [0u64; 4];
    let (xc, yc) = (x.chunks_exact(4), y.chunks_exact(4));
    let tail: u64 = xc
        .remainder()
        .iter()
        .zip(yc.remainder())
        .map(|(p, q)| u64::from((p & q).count_ones()))
        .sum();
    for (p, q) in xc.zip(yc) {
        for k in 0..4 {
            sums[k] += u64::from((p[k] & q[k]).count_ones());
        }
    }
    sums.iter().sum::<u64>() + tail
}

/// When one list is this many times longer than the other, binary search beats merging.
const GALLOP: usize = 32;

/// Appends `a ∩ b` (both ascending) to `out`; returns its length.
fn intersect(a: &[u32], b: &[u32], out: &mut Vec<u32>) -> usize {
    let before = out.len();
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if small.len() * GALLOP < large.len() {
        let mut rest = large;
        for &x in small {
            let k = rest.partition_point(|&y| y < x);
            if k == rest.len() {
                break;
            }
            if rest[k] == x {
                out.push(x);
            }
            rest = &rest[k..];
        }
    } else {
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            let (x, y) = (a[i], b[j]);
            if x == y {
                out.push(x);
            }
            i += usize::from(x <= y);
            j += usize::from(y <= x);
        }
    }
    out.len() - before
}

/// `|a ∩ b|` (both ascending).
fn intersect_count(a: &[u32], b: &[u32]) -> usize {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let mut n = 0;
    if small.len() * GALLOP < large.len() {
        let mut rest = large;
        for &x in small {
            let k = rest.partition_point(|&y| y < x);
            if k == rest.len() {
                break;
            }
            n += usize::from(rest[k] == x);
            rest = &rest[k..];
        }
    } else {
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            let (x, y) = (a[i], b[j]);
            n += usize::from(x == y);
            i += usize::from(x <= y);
            j += usize::from(y <= x);
        }
    }
    n
}

/// Appends `a \ b` (both ascending) to `out`; returns its length.
fn difference(a: &[u32], b: &[u32], out: &mut Vec<u32>) -> usize {
    let before = out.len();
    let mut j = 0;
    if a.len() * GALLOP < b.len() {
        for &x in a {
            j += b[j..].partition_point(|&y| y < x);
            if j == b.len() || b[j] != x {
                out.push(x);
            }
        }
    } else {
        for &x in a {
            while j < b.len() && b[j] < x {
                j += 1;
            }
            if j == b.len() || b[j] != x {
                out.push(x);
            }
        }
    }
    out.len() - before
}

/// `|a \ b|` (both ascending).
fn difference_count(a: &[u32], b: &[u32]) -> usize {
    a.len() - intersect_count(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::fpgrowth;

    /// Every layout gives FP-Growth's answer (the integration tests check FP-Growth against a
    /// brute-force reference) on sparse, dense and skewed random data.
    #[test]
    fn every_layout_agrees_with_fpgrowth() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut kinds = 0;
        for (n, n_items, keep_in_100) in
            [(300, 12, 70), (500, 30, 15), (2000, 20, 30), (150, 40, 5)]
        {
            let baskets: Vec<Vec<u32>> = (0..n)
                .map(|_| {
                    (0..n_items)
                        .filter(|&i| next() % 100 < keep_in_100 / (1 + i as u64 / 8))
                        .collect()
                })
                .collect();
            let t = Transactions::from_baskets(&baskets, n_items as usize).unwrap();
            for min in [2u64, 5, n as u64 / 20, n as u64 / 4] {
                for max_len in [None, Some(3), Some(4)] {
                    let want = fpgrowth::mine(&t, min, max_len);
                    kinds += want.itemsets.iter().filter(|s| s.len() >= 4).count();
                    for layout in [Layout::Auto, Layout::Bits, Layout::Projected, Layout::Tids] {
                        let got = mine_with(&t, min, max_len, layout);
                        assert_eq!(got, want, "{layout:?} n {n} min {min} max_len {max_len:?}");
                    }
                }
            }
        }
        assert!(
            kinds > 1000,
            "too few long itemsets ({kinds}) to exercise the recursion"
        );
    }

    #[test]
    fn set_operations() {
        let a = [1, 3, 5, 7, 9];
        let b = [3, 4, 5, 10];
        let mut out = Vec::new();
        assert_eq!(intersect(&a, &b, &mut out), 2);
        assert_eq!(out, [3, 5]);
        assert_eq!(intersect_count(&a, &b), 2);
        out.clear();
        assert_eq!(difference(&a, &b, &mut out), 3);
        assert_eq!(out, [1, 7, 9]);
        assert_eq!(difference_count(&a, &b), 3);
        // The galloping paths give the same answers.
        let long: Vec<u32> = (0..1000).collect();
        let short = [5, 500, 2000];
        out.clear();
        assert_eq!(intersect(&short, &long, &mut out), 2);
        assert_eq!(out, [5, 500]);
        assert_eq!(intersect_count(&long, &short), 2);
        out.clear();
        assert_eq!(difference(&short, &long, &mut out), 1);
        assert_eq!(out, [2000]);
    }
}
