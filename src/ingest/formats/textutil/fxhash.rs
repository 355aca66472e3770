//! A small, fast, non-cryptographic hasher (the multiply-rotate scheme of
//! rustc's FxHash) for the parsers' private lookup tables, where std's
//! SipHash dominated the profile. Output order never depends on it: maps
//! keyed with it are only used for lookups.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// The hasher state.
#[derive(Default, Clone, Copy, Debug)]
pub struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 56));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` using [`FxHasher`].
pub type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn distinguishes_lengths_and_content() {
        let b = BuildHasherDefault::<FxHasher>::default();
        let h = |s: &[u8]| b.hash_one(s);
        assert_ne!(h(b"a"), h(b"a\0"));
        assert_ne!(h(b"main.f"), h(b"main.g"));
        assert_eq!(h(b"0123456789abcdef!"), h(b"0123456789abcdef!"));
        let mut m: FxHashMap<Box<[u8]>, u32> = FxHashMap::default();
        m.insert(b"k"[..].into(), 1);
        assert_eq!(m.get(&b"k"[..]), Some(&1));
    }
}
