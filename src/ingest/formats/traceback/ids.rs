//! Goroutine id → position in the dump, for telling a second dump in the
//! same text (ids repeat) from the first.
//!
//! A dump of 70,000 goroutines looks up and inserts 70,000 ids; in a hash
//! map that was a seventh of the parse (a cache miss per goroutine and
//! rehashing as it grew). Ids are small, dense-ish and printed roughly in
//! order, so they go to pages of 4,096 slots allocated on first use: two
//! array reads per id, neighbours on the same cache lines. Ids too large
//! for the page table go to a hash map.

use super::super::textutil::fxhash::FxHashMap;

/// Ids per page.
const PAGE: usize = 4096;
/// Ids from this one on go to the map (the page table stays under 2 MB).
const DENSE_LIMIT: u64 = 1 << 30;
/// An empty slot.
const EMPTY: u32 = u32::MAX;

/// Goroutine id → index of its goroutine.
#[derive(Default)]
pub(super) struct SeenIds {
    pages: Vec<Option<Box<[u32; PAGE]>>>,
    sparse: FxHashMap<u64, usize>,
}

impl SeenIds {
    /// The index recorded for `id`.
    #[inline]
    pub fn get(&self, id: u64) -> Option<usize> {
        if id >= DENSE_LIMIT {
            return self.sparse.get(&id).copied();
        }
        let page = self.pages.get((id as usize) / PAGE)?.as_ref()?;
        match page[(id as usize) % PAGE] {
            EMPTY => None,
            i => Some(i as usize),
        }
    }

    /// Records `id` at `index` (replacing an earlier index).
    #[inline]
    pub fn insert(&mut self, id: u64, index: usize) {
        let Ok(small) = u32::try_from(index) else {
            self.sparse.insert(id, index);
            return;
        };
        if id >= DENSE_LIMIT || small == EMPTY {
            self.sparse.insert(id, index);
            return;
        }
        let (p, slot) = ((id as usize) / PAGE, (id as usize) % PAGE);
        if self.pages.len() <= p {
            self.pages.resize_with(p + 1, || None);
        }
        self.pages[p].get_or_insert_with(|| Box::new([EMPTY; PAGE]))[slot] = small;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_and_huge_ids() {
        let mut s = SeenIds::default();
        assert_eq!(s.get(1), None);
        for (i, id) in [1u64, 4095, 4096, 70_000, 5_000_000, DENSE_LIMIT, u64::MAX]
            .into_iter()
            .enumerate()
        {
            assert_eq!(s.get(id), None);
            s.insert(id, i);
            assert_eq!(s.get(id), Some(i), "id {id}");
        }
        s.insert(4096, 99);
        assert_eq!(s.get(4096), Some(99));
        assert_eq!(s.get(4097), None);
        assert_eq!(s.get(9_000_000), None);
    }
}
