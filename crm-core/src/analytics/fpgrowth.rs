//! FP-Growth: a prefix tree of the baskets, mined by conditional trees.
//!
//! The tree lives in an arena (parallel vectors indexed by node; node 0 is the root), and every
//! item has a header list threading its nodes. Trees are built from a batch of weighted paths
//! sorted lexicographically: consecutive paths then share their common prefix, so one pass with
//! a stack of the current path's nodes builds the tree without any child lookup, and the nodes
//! come out in depth-first order (parents near children, kind to the cache).
//!
//! Mining an item walks its header list up to the root, which gives its conditional pattern base
//! (weighted paths); the items frequent in that base form the conditional tree, mined the same
//! way. A tree that is a single path is not mined further: every combination of its items is
//! frequent, with the count of its deepest node.
//!
//! Items keep the global frequency order in every conditional tree (no re-sorting of paths); a
//! tree numbers its items densely (`0..n`) and remembers their global ranks in `label`.

use super::baskets::{Itemsets, Transactions};
use super::itemsets::{Collector, Recoded};

/// Frequent itemsets of `t` held by at least `min_count` baskets (0 counts as 1), up to `max_len`
/// items (`Some(0)` gives none), in canonical order.
///
/// # Panics
///
/// If `t` has [`MAX_PAIRS`](super::itemsets::MAX_PAIRS) or more (basket, item) pairs (ids are
/// 32-bit); [`frequent_itemsets`](super::itemsets::frequent_itemsets) refuses such input with an
/// error.
pub fn mine(t: &Transactions, min_count: u64, max_len: Option<usize>) -> Itemsets {
    let rec = Recoded::new(t, min_count, max_len);
    if max_len == Some(0) {
        return Collector::default().finish(&rec);
    }
    let mut out = rec.collector();
    if rec.max_len >= 2 && rec.n_baskets() > 0 {
        let f = rec.n_frequent();
        // The top tree reads the recoded baskets in place: no copy of the data.
        let mut paths = Paths {
            unit: true,
            ..Paths::default()
        };
        paths.spans.extend(rec.offsets.windows(2).map(|w| Span {
            start: w[0],
            len: w[1] - w[0],
            weight: 1,
        }));
        let mut top = Tree::default();
        top.build(&rec.items, &mut paths, (0..f as u32).collect());
        drop(paths);
        let mut miner = Miner {
            min_count: rec.min_count,
            max_len: rec.max_len,
            out: &mut out,
            prefix: Vec::new(),
            pool: Vec::new(),
        };
        // The top tree lacks the baskets with fewer than two frequent items, so its item counts
        // are not the singletons' supports (those come from `Recoded`): only expand here.
        for x in (0..top.n_items() as u32).rev() {
            miner.prefix.push(top.label[x as usize]);
            miner.expand(&top, x);
            miner.prefix.pop();
        }
    }
    out.finish(&rec)
}

const NIL: u32 = u32::MAX;

/// One weighted path (items ascending) in some buffer of items.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    len: usize,
    weight: u64,
}

/// A path's sort key, its index in the spans and its length (so that short paths need no
/// look-up in the spans at all).
#[derive(Debug, Clone, Copy)]
struct Keyed {
    /// The path's first items packed into one word, first item highest, `item + 1` each (so
    /// that 0 means "ended"): comparing keys compares those items lexicographically.
    key: u64,
    span: u32,
    len: u32,
}

/// How items pack into a [`Keyed::key`]: `bits` bits each, `per_key` of them.
#[derive(Debug, Clone, Copy)]
struct Packing {
    bits: u32,
    per_key: usize,
}

impl Packing {
    /// For items `0..n_items` (digits `0..=n_items`).
    fn new(n_items: usize) -> Packing {
        let bits = (usize::BITS - n_items.leading_zeros()).max(1);
        Packing {
            bits,
            per_key: (64 / bits) as usize,
        }
    }

    fn shift(&self, k: usize) -> u32 {
        64 - self.bits * (k as u32 + 1)
    }

    fn key(&self, path: &[u32]) -> u64 {
        let head = &path[..path.len().min(self.per_key)];
        let mut key = 0u64;
        for &i in head {
            key = key << self.bits | (u64::from(i) + 1);
        }
        // Left-align: the first item in the highest digit, unused digits (and bits) zero.
        let used = self.bits * head.len() as u32;
        if used == 0 { 0 } else { key << (64 - used) }
    }

    /// The item at position `k < per_key` of a key.
    fn digit(&self, key: u64, k: usize) -> u32 {
        ((key >> self.shift(k)) & ((1u64 << self.bits) - 1)) as u32
    }
}

/// Weighted paths to build a tree from, and the memory to sort them.
#[derive(Debug, Default)]
struct Paths {
    /// Local item ids, ascending within each path (unused for the top tree, which reads the
    /// recoded baskets).
    items: Vec<u32>,
    spans: Vec<Span>,
    /// True when every weight is 1 (the top tree).
    unit: bool,
    order: Vec<Keyed>,
}

impl Paths {
    /// Fills `order` with the paths sorted lexicographically: by their packed keys (plain
    /// integers: on this data faster than an LSD radix sort), then the runs whose keys tie and
    /// that go on past the key by the rest of their items.
    fn sort(&mut self, items: &[u32], packing: Packing) {
        let spans = &self.spans;
        self.order.clear();
        self.order
            .extend(spans.iter().enumerate().map(|(k, s)| Keyed {
                key: packing.key(&items[s.start..s.start + s.len]),
                span: k as u32,
                len: s.len as u32,
            }));
        self.order.sort_unstable_by_key(|e| e.key);
        if spans.iter().any(|s| s.len > packing.per_key) {
            let path = |k: &Keyed| {
                let s = &spans[k.span as usize];
                &items[s.start..s.start + s.len]
            };
            let mut a = 0;
            while a < self.order.len() {
                let mut b = a + 1;
                while b < self.order.len() && self.order[b].key == self.order[a].key {
                    b += 1;
                }
                // Equal keys mean equal lengths up to the key's capacity: only a run of longer
                // paths can differ (past the key).
                let longer = self.order[a..b]
                    .iter()
                    .any(|e| e.len as usize > packing.per_key);
                if b - a > 1 && longer {
                    self.order[a..b].sort_unstable_by(|x, y| path(x).cmp(path(y)));
                }
                a = b;
            }
        }
    }
}

/// An FP-tree in an arena.
#[derive(Debug, Default)]
struct Tree {
    /// Local item → global rank.
    label: Vec<u32>,
    /// Local item → its count in this tree.
    support: Vec<u64>,
    /// Local item → its first node (`NIL` if none).
    head: Vec<u32>,
    /// Node → local item (unused for the root).
    item: Vec<u32>,
    /// Node → the weight of the paths through it.
    count: Vec<u64>,
    /// Node → its parent (the root's is itself).
    parent: Vec<u32>,
    /// Node → the next node of the same item.
    link: Vec<u32>,
    /// True when no node has two children.
    single_path: bool,
}

impl Tree {
    fn n_items(&self) -> usize {
        self.label.len()
    }

    /// Rebuilds this tree (reusing its memory) from `paths` over `items`, whose items are
    /// `0..label.len()`.
    fn build(&mut self, items: &[u32], paths: &mut Paths, label: Vec<u32>) {
        let n = label.len();
        self.label = label;
        self.support.clear();
        self.support.resize(n, 0);
        self.head.clear();
        self.head.resize(n, NIL);
        self.item.clear();
        self.count.clear();
        self.parent.clear();
        self.link.clear();
        self.item.push(NIL);
        self.count.push(0);
        self.parent.push(0);
        self.link.push(NIL);
        self.single_path = true;

        let packing = Packing::new(n);
        paths.sort(items, packing);
        // Consecutive sorted paths share their common prefix; the keys give its length without
        // reading the paths (they are read only past the key's items). Each path adds its
        // weight to its last node only; the counts are summed up the tree at the end (nodes
        // are created parents first, so one backward pass does it).
        let nodes = 1 + paths.spans.iter().map(|s| s.len).sum::<usize>();
        self.item.reserve(nodes);
        self.count.reserve(nodes);
        self.parent.reserve(nodes);
        self.link.reserve(nodes);
        let mut stack: Vec<u32> = Vec::new();
        let mut prev: Option<Keyed> = None;
        for e in &paths.order {
            let len = e.len as usize;
            let shared = match prev {
                None => 0,
                Some(p) => {
                    let digits = if p.key == e.key {
                        packing.per_key
                    } else {
                        ((p.key ^ e.key).leading_zeros() / packing.bits) as usize
                    };
                    let mut shared = digits.min(len).min(p.len as usize);
                    if shared == packing.per_key {
                        let a = &paths.spans[e.span as usize];
                        let b = &paths.spans[p.span as usize];
                        let (a, b) = (
                            &items[a.start..a.start + a.len],
                            &items[b.start..b.start + b.len],
                        );
                        shared += a[shared..]
                            .iter()
                            .zip(&b[shared..])
                            .take_while(|(x, y)| x == y)
                            .count();
                    }
                    if len > shared && p.len as usize > shared {
                        // A sibling of the previous path's node at this depth.
                        self.single_path = false;
                    }
                    shared
                }
            };
            stack.truncate(shared);
            for k in shared..len {
                let i = if k < packing.per_key {
                    packing.digit(e.key, k) - 1
                } else {
                    items[paths.spans[e.span as usize].start + k]
                };
                let node = self.item.len() as u32;
                let parent = stack.last().copied().unwrap_or(0);
                self.item.push(i);
                self.count.push(0);
                self.parent.push(parent);
                self.link.push(self.head[i as usize]);
                self.head[i as usize] = node;
                stack.push(node);
            }
            if let Some(&last) = stack.last() {
                self.count[last as usize] += if paths.unit {
                    1
                } else {
                    paths.spans[e.span as usize].weight
                };
            }
            prev = Some(*e);
        }
        for node in (1..self.item.len()).rev() {
            let c = self.count[node];
            self.count[self.parent[node] as usize] += c;
            self.support[self.item[node] as usize] += c;
        }
    }
}

/// Scratch memory for one level of the recursion, reused across siblings.
#[derive(Debug, Default)]
struct Workspace {
    tree: Tree,
    paths: Paths,
    /// The conditional pattern base as first read: items leaf to root, unfiltered.
    raw: Vec<u32>,
    raw_spans: Vec<(usize, u64)>,
    counts: Vec<u64>,
    local: Vec<u32>,
}

struct Miner<'a> {
    min_count: u64,
    max_len: usize,
    out: &'a mut Collector,
    /// The global ranks of the itemset being extended.
    prefix: Vec<u32>,
    pool: Vec<Workspace>,
}

impl Miner<'_> {
    /// Emits every frequent itemset `prefix ∪ S` for a non-empty `S` of `tree`'s items (every item
    /// of a conditional tree is frequent by construction).
    fn mine(&mut self, tree: &Tree) {
        if tree.single_path {
            self.emit_path(tree);
            return;
        }
        for x in (0..tree.n_items() as u32).rev() {
            let label = tree.label[x as usize];
            self.out
                .push_with(&self.prefix, label, tree.support[x as usize]);
            if self.prefix.len() + 1 < self.max_len {
                self.prefix.push(label);
                self.expand(tree, x);
                self.prefix.pop();
            }
        }
    }

    /// Builds the conditional tree of item `x` of `tree` (the prefix already ends with `x`) and
    /// mines it.
    fn expand(&mut self, tree: &Tree, x: u32) {
        let mut ws = self.pool.pop().unwrap_or_default();
        // One walk up from each of x's nodes reads its conditional pattern base and counts the
        // items in it; the filtering pass then reads the copy, not the tree.
        ws.counts.clear();
        ws.counts.resize(x as usize, 0);
        ws.raw.clear();
        ws.raw_spans.clear();
        let mut node = tree.head[x as usize];
        while node != NIL {
            let w = tree.count[node as usize];
            let mut p = tree.parent[node as usize];
            while p != 0 {
                let i = tree.item[p as usize];
                ws.raw.push(i);
                ws.counts[i as usize] += w;
                p = tree.parent[p as usize];
            }
            ws.raw_spans.push((ws.raw.len(), w));
            node = tree.link[node as usize];
        }
        // Number the frequent ones densely, keeping their order.
        ws.local.clear();
        let mut label = Vec::new();
        for (y, &c) in ws.counts.iter().enumerate() {
            if c >= self.min_count {
                ws.local.push(label.len() as u32);
                label.push(tree.label[y]);
            } else {
                ws.local.push(NIL);
            }
        }
        if label.len() == 1 {
            // A one-item conditional tree: its only itemset is prefix + that item, whose count
            // is the one just taken; no tree needed.
            let y = ws.local.iter().position(|&l| l == 0).unwrap_or(0);
            self.out.push_with(&self.prefix, label[0], ws.counts[y]);
        } else if !label.is_empty() {
            ws.paths.items.clear();
            ws.paths.spans.clear();
            let mut from = 0;
            for &(end, weight) in &ws.raw_spans {
                let start = ws.paths.items.len();
                for &i in ws.raw[from..end].iter().rev() {
                    let l = ws.local[i as usize];
                    if l != NIL {
                        ws.paths.items.push(l);
                    }
                }
                let len = ws.paths.items.len() - start;
                if len > 0 {
                    ws.paths.spans.push(Span { start, len, weight });
                }
                from = end;
            }
            let items = std::mem::take(&mut ws.paths.items);
            ws.tree.build(&items, &mut ws.paths, label);
            ws.paths.items = items;
            self.mine(&ws.tree);
        }
        self.pool.push(ws);
    }

    /// A single-path tree: every non-empty combination of its nodes, with the count of the
    /// deepest node chosen, within the length limit.
    fn emit_path(&mut self, tree: &Tree) {
        // The nodes 1..=m form the chain, root to leaf, in creation order.
        let labels: Vec<u32> = tree.item[1..]
            .iter()
            .map(|&i| tree.label[i as usize])
            .collect();
        let room = self.max_len - self.prefix.len();
        let mut cur = self.prefix.clone();
        for (k, &label) in labels.iter().enumerate() {
            cur.push(label);
            self.subsets(&labels[..k], 0, &mut cur, tree.count[k + 1], room - 1);
            cur.pop();
        }
    }

    /// Emits `cur` and `cur` plus every combination of `items[start..]` of up to `room` items.
    fn subsets(
        &mut self,
        items: &[u32],
        start: usize,
        cur: &mut Vec<u32>,
        count: u64,
        room: usize,
    ) {
        self.out.push(cur, count);
        if room == 0 {
            return;
        }
        for i in start..items.len() {
            cur.push(items[i]);
            self.subsets(items, i + 1, cur, count, room - 1);
            cur.pop();
        }
    }
}
