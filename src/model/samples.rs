//! The samples of a heap profile, packed: an archive keeps every sample of
//! every heap snapshot until the analysis has read them all (snapshots are
//! put in time order only once every file is read), and at 56 bytes a
//! sample that memory was a large part of a run's cost: every page of it is
//! fresh, and a fresh page costs more to fault in and zero than the sample
//! costs to parse. Here a sample's stack id stays a fixed-width entry (ids
//! are rewritten in place when a file's tables join the archive's) and its
//! five values are zigzag varints in one byte string, ~10 bytes instead of
//! 40 for the values of a typical Go heap profile. Samples are read in
//! order, as every reader does.

use super::intern::StackId;
use super::snapshot::HeapSample;
use std::fmt;

/// The samples of one heap profile, in file order. Iterating yields
/// [`HeapSample`]s by value; [`HeapSamples::stacks_mut`] rewrites the stack
/// ids in place.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct HeapSamples {
    stacks: Vec<StackId>,
    /// Per sample: in-use objects, in-use bytes, alloc objects, alloc
    /// bytes (zigzag varints), then the object size (0 when unknown, else
    /// its zigzag value + 1).
    values: Vec<u8>,
    /// The four values summed in sample order (saturating), kept as
    /// samples are pushed: totals are asked for several times per
    /// snapshot, and each pass would unpack every sample.
    sums: [i64; 4],
}

impl HeapSamples {
    /// No samples.
    pub fn new() -> Self {
        Self::default()
    }

    /// No samples yet, writing the values of those to come into `buffer`
    /// (cleared; its capacity reused) with room for `n` stacks. See
    /// [`HeapSamples::compact`].
    pub fn in_buffer(mut buffer: Vec<u8>, n: usize) -> Self {
        buffer.clear();
        HeapSamples {
            stacks: Vec::with_capacity(n),
            values: buffer,
            sums: [0; 4],
        }
    }

    /// Moves the values into an allocation of exactly their size and
    /// returns the buffer they were written into, to be reused by the next
    /// [`HeapSamples::in_buffer`]: the kept copy touches only the memory it
    /// needs, the buffer's pages are warm from one profile to the next.
    pub fn compact(&mut self) -> Vec<u8> {
        let exact = self.values.as_slice().to_vec();
        std::mem::replace(&mut self.values, exact)
    }

    /// Appends one sample.
    pub fn push(&mut self, s: HeapSample) {
        self.stacks.push(s.stack);
        let four = [
            s.inuse_objects,
            s.inuse_bytes,
            s.alloc_objects,
            s.alloc_bytes,
        ];
        for (sum, x) in self.sums.iter_mut().zip(four) {
            *sum = sum.saturating_add(x);
        }
        let v = &mut self.values;
        put_varint(v, zigzag(s.inuse_objects));
        put_varint(v, zigzag(s.inuse_bytes));
        put_varint(v, zigzag(s.alloc_objects));
        put_varint(v, zigzag(s.alloc_bytes));
        // 0 for none, else the size's zigzag value + 1: 65 bits for
        // `i64::MIN` (a varint has room for 70).
        put_varint(v, s.object_size.map_or(0, |x| u128::from(zigzag(x)) + 1));
    }

    /// In-use objects, in-use bytes, alloc objects and alloc bytes summed
    /// over all samples, in order, saturating at the `i64` range.
    pub fn sums(&self) -> [i64; 4] {
        self.sums
    }

    /// How many samples.
    pub fn len(&self) -> usize {
        self.stacks.len()
    }

    /// True when there is no sample.
    pub fn is_empty(&self) -> bool {
        self.stacks.is_empty()
    }

    /// The samples in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            stacks: self.stacks.iter(),
            values: &self.values,
        }
    }

    /// Each sample's stack, in-use objects and in-use bytes, in order:
    /// [`HeapSamples::iter`] without decoding the alloc columns and the
    /// object size, which are stepped over (the per-snapshot series read
    /// only in-use numbers, for every sample of every snapshot).
    pub fn inuse(&self) -> InUse<'_> {
        InUse {
            stacks: self.stacks.iter(),
            values: &self.values,
        }
    }

    /// The stack ids in sample order.
    pub fn stacks(&self) -> &[StackId] {
        &self.stacks
    }

    /// The stack ids in sample order, to be rewritten in place.
    pub fn stacks_mut(&mut self) -> &mut [StackId] {
        &mut self.stacks
    }

    /// The samples unpacked (tests and one-off lookups by position).
    pub fn to_vec(&self) -> Vec<HeapSample> {
        self.iter().collect()
    }

    /// Bytes held (the stack ids and the packed values).
    #[cfg(test)]
    fn packed_bytes(&self) -> usize {
        self.stacks.len() * std::mem::size_of::<StackId>() + self.values.len()
    }
}

impl fmt::Debug for HeapSamples {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl FromIterator<HeapSample> for HeapSamples {
    fn from_iter<I: IntoIterator<Item = HeapSample>>(iter: I) -> Self {
        let mut out = HeapSamples::new();
        for s in iter {
            out.push(s);
        }
        out
    }
}

impl From<Vec<HeapSample>> for HeapSamples {
    fn from(v: Vec<HeapSample>) -> Self {
        v.into_iter().collect()
    }
}

impl<'a> IntoIterator for &'a HeapSamples {
    type Item = HeapSample;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// The samples of a [`HeapSamples`], in order.
#[derive(Clone, Debug)]
pub struct Iter<'a> {
    stacks: std::slice::Iter<'a, StackId>,
    values: &'a [u8],
}

impl Iterator for Iter<'_> {
    type Item = HeapSample;

    #[inline]
    fn next(&mut self) -> Option<HeapSample> {
        let stack = *self.stacks.next()?;
        let v = &mut self.values;
        let inuse_objects = unzigzag(take_varint::<u64>(v));
        let inuse_bytes = unzigzag(take_varint::<u64>(v));
        let alloc_objects = unzigzag(take_varint::<u64>(v));
        let alloc_bytes = unzigzag(take_varint::<u64>(v));
        let size = take_varint::<u128>(v);
        Some(HeapSample {
            stack,
            inuse_objects,
            inuse_bytes,
            alloc_objects,
            alloc_bytes,
            object_size: (size != 0).then(|| unzigzag((size - 1) as u64)),
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.stacks.size_hint()
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// The in-use numbers of a [`HeapSamples`], in order: (stack, in-use
/// objects, in-use bytes).
#[derive(Clone, Debug)]
pub struct InUse<'a> {
    stacks: std::slice::Iter<'a, StackId>,
    values: &'a [u8],
}

impl Iterator for InUse<'_> {
    type Item = (StackId, i64, i64);

    #[inline]
    fn next(&mut self) -> Option<(StackId, i64, i64)> {
        let stack = *self.stacks.next()?;
        let v = &mut self.values;
        let objects = unzigzag(take_varint::<u64>(v));
        let bytes = unzigzag(take_varint::<u64>(v));
        skip_varints::<3>(v);
        Some((stack, objects, bytes))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.stacks.size_hint()
    }
}

impl ExactSizeIterator for InUse<'_> {}

/// Advances `v` past `N` varints: the bytes with the high bit clear end
/// them, found 16 at a time when the `N` lie within the next 16 bytes (a
/// sample's alloc columns and size usually take 4 to 8), else one by one.
#[inline]
fn skip_varints<const N: usize>(v: &mut &[u8]) {
    if let Some(window) = v.first_chunk::<16>() {
        const HIGH: u128 = u128::from_ne_bytes([0x80; 16]);
        // A bit set at each byte that ends a varint (little-endian: byte i
        // is bits 8i..8i+8).
        let mut ends = !u128::from_le_bytes(*window) & HIGH;
        for _ in 1..N {
            ends &= ends.wrapping_sub(1);
        }
        if ends != 0 {
            *v = &v[ends.trailing_zeros() as usize / 8 + 1..];
            return;
        }
    }
    for _ in 0..N {
        let end = v.iter().position(|&b| b < 0x80).map_or(v.len(), |i| i + 1);
        *v = &v[end..];
    }
}

#[inline]
fn zigzag(x: i64) -> u64 {
    ((x << 1) ^ (x >> 63)) as u64
}

#[inline]
fn unzigzag(x: u64) -> i64 {
    ((x >> 1) as i64) ^ -((x & 1) as i64)
}

/// An unsigned integer written as a varint: `u64` for the counts, `u128`
/// for the one value that needs a 65th bit.
trait Varint: Copy + From<u8> + std::ops::BitOrAssign + std::ops::Shl<u32, Output = Self> {
    /// The low 7 bits and whether more remain after them.
    fn low7(self) -> (u8, Option<Self>);
}

impl Varint for u64 {
    #[inline]
    fn low7(self) -> (u8, Option<Self>) {
        (self as u8 & 0x7f, (self >= 0x80).then_some(self >> 7))
    }
}

impl Varint for u128 {
    #[inline]
    fn low7(self) -> (u8, Option<Self>) {
        (self as u8 & 0x7f, (self >= 0x80).then_some(self >> 7))
    }
}

#[inline]
fn put_varint<T: Varint>(out: &mut Vec<u8>, mut x: T) {
    loop {
        match x.low7() {
            (b, Some(rest)) => {
                out.push(b | 0x80);
                x = rest;
            }
            (b, None) => {
                out.push(b);
                return;
            }
        }
    }
}

/// The varint at the start of `v`, which is advanced past it. The bytes
/// were written by [`put_varint`] with the same `T`: a value is complete
/// and fits.
#[inline]
fn take_varint<T: Varint>(v: &mut &[u8]) -> T {
    let mut x = T::from(0);
    let mut shift = 0;
    while let Some((&b, rest)) = v.split_first() {
        *v = rest;
        x |= T::from(b & 0x7f) << shift;
        if b < 0x80 {
            break;
        }
        shift += 7;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(stack: u32, v: [i64; 4], size: Option<i64>) -> HeapSample {
        HeapSample {
            stack: StackId(stack),
            inuse_objects: v[0],
            inuse_bytes: v[1],
            alloc_objects: v[2],
            alloc_bytes: v[3],
            object_size: size,
        }
    }

    #[test]
    fn samples_come_back_as_pushed_at_the_edges_of_every_width() {
        let edges = [
            0,
            1,
            -1,
            63,
            64,
            -64,
            -65,
            127,
            128,
            1 << 20,
            -(1 << 40),
            i64::MAX,
            i64::MIN,
            i64::MAX - 1,
            i64::MIN + 1,
        ];
        let mut all = Vec::new();
        for (k, &a) in edges.iter().enumerate() {
            for &b in &edges {
                let size = match k % 3 {
                    0 => None,
                    1 => Some(b),
                    _ => Some(0),
                };
                all.push(sample(k as u32, [a, b, b.wrapping_neg(), a ^ b], size));
            }
        }
        let packed: HeapSamples = all.iter().cloned().collect();
        assert_eq!(packed.len(), all.len());
        assert_eq!(packed.to_vec(), all);
        // The in-use numbers alone: the alloc columns and sizes of every
        // width are stepped over (within 16 bytes and not, and near the
        // end, where fewer than 16 are left).
        let inuse: Vec<_> = all
            .iter()
            .map(|s| (s.stack, s.inuse_objects, s.inuse_bytes))
            .collect();
        assert_eq!(packed.inuse().collect::<Vec<_>>(), inuse);
        for n in 0..all.len() {
            let part: HeapSamples = all[..n].iter().cloned().collect();
            assert_eq!(part.inuse().collect::<Vec<_>>(), inuse[..n]);
        }
        // Sums saturate in sample order, as a fold over the samples would.
        let fold = |f: fn(&HeapSample) -> i64| all.iter().fold(0i64, |a, s| a.saturating_add(f(s)));
        assert_eq!(
            packed.sums(),
            [
                fold(|s| s.inuse_objects),
                fold(|s| s.inuse_bytes),
                fold(|s| s.alloc_objects),
                fold(|s| s.alloc_bytes)
            ]
        );
        // One sample at a time, through a reused buffer.
        let mut buf = Vec::new();
        for s in &all {
            let mut one = HeapSamples::in_buffer(buf, 1);
            one.push(s.clone());
            buf = one.compact();
            assert_eq!(one.to_vec(), vec![s.clone()]);
            assert_eq!(one.values.capacity(), one.values.len());
        }
    }

    #[test]
    fn a_typical_sample_packs_into_a_fraction_of_its_unpacked_size() {
        let s: HeapSamples = (0..1000)
            .map(|i| {
                sample(
                    i,
                    [3, 3 * 96, 40 + i as i64, (40 + i as i64) * 96],
                    Some(96),
                )
            })
            .collect();
        let unpacked = s.len() * std::mem::size_of::<HeapSample>();
        assert!(
            s.packed_bytes() * 3 < unpacked,
            "{} vs {unpacked}",
            s.packed_bytes()
        );
    }

    #[test]
    fn stack_ids_are_rewritten_in_place_and_equality_is_sample_by_sample() {
        let mut a: HeapSamples = vec![
            sample(1, [1, 2, 3, 4], None),
            sample(2, [5, 6, 7, 8], Some(9)),
        ]
        .into();
        for s in a.stacks_mut() {
            s.0 += 10;
        }
        let b: HeapSamples = vec![
            sample(11, [1, 2, 3, 4], None),
            sample(12, [5, 6, 7, 8], Some(9)),
        ]
        .into();
        assert_eq!(a, b);
        assert_ne!(a, HeapSamples::from(vec![sample(11, [1, 2, 3, 4], None)]));
        assert_eq!(format!("{:?}", HeapSamples::new()), "[]");
        assert_eq!(a.sums(), [6, 8, 10, 12]);
    }
}
