//! Growth statistics that hold up against noise: Theil–Sen slope,
//! Mann–Kendall trend test, and a shape classifier that tells a leak (steady
//! or stepwise growth) from warm-up, bursts, churn and late growth.
//!
//! Everything works on irregularly spaced points: `xs` are hours (real or
//! synthetic), `ys` the values. Memory: the pairwise slopes of a short
//! series, a bracket's worth of them for a long one.

use super::types::{GrowthStats, Shape};

/// Half-width, as a share of the value range, of the band within which
/// points count as level when looking for a flat tail (warm-up plateau).
const FLAT_BAND: f64 = 0.05;

/// Computes the growth statistics of one series.
///
/// `xs` are the x positions in hours (ascending, ties allowed) and `ys` the
/// values; both have the same length (extra values in the longer one are
/// ignored). Fewer than `min_points` points (at least 2) give
/// [`Shape::Insufficient`].
pub fn growth_stats(xs: &[f64], ys: &[f64], min_points: usize) -> GrowthStats {
    let n = xs.len().min(ys.len());
    let (xs, ys) = (&xs[..n], &ys[..n]);
    let first = ys.first().copied().unwrap_or(0.0);
    let last = ys.last().copied().unwrap_or(0.0);
    let max = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let max = if max.is_finite() { max } else { 0.0 };
    let grew_intervals = ys.windows(2).filter(|w| w[1] > w[0]).count();
    let intervals = n.saturating_sub(1);
    let slope_per_hour = theil_sen(xs, ys);
    let (mk_s, mk_p) = mann_kendall(ys);
    let last_third_grows = last_third_grows(ys);
    let mut stats = GrowthStats {
        first,
        last,
        delta: last - first,
        max,
        grew_intervals,
        intervals,
        slope_per_hour,
        mk_s,
        mk_p,
        last_third_grows,
        shape: Shape::Insufficient,
    };
    stats.shape = if n < min_points.max(2) {
        Shape::Insufficient
    } else {
        classify(ys, &stats)
    };
    stats
}

/// Theil–Sen estimator: the median of the slopes of all point pairs with
/// distinct x. 0 when no such pair exists.
///
/// A long series (a day of snapshots a minute apart has a million pairs)
/// does not keep every slope: a sample of slopes brackets the median, one
/// pass over the pairs counts the slopes below the bracket and keeps those
/// inside (comparing each point's offsets from the bracket's lines, four
/// pairs at a time, and dividing only the pairs near or inside the
/// bracket: [`Offsets`]), and the median is selected among these. The
/// result is the same value, to the bit, as selecting it among all slopes
/// (which is done when the bracket misses, and for short series).
pub fn theil_sen(xs: &[f64], ys: &[f64]) -> f64 {
    let n = xs.len().min(ys.len());
    let (xs, ys) = (&xs[..n], &ys[..n]);
    // A level series (a pool that kept its size, a site that never grew:
    // a third of the series of a long soak) has only zero slopes: every
    // pair gives `0.0 / dx`, `+0.0` as `xs` ascend. Not worth n² divisions.
    if ys
        .iter()
        .all(|y| y.is_finite() && y.to_bits() == ys[0].to_bits())
        && xs.windows(2).all(|w| w[0] <= w[1])
    {
        return 0.0;
    }
    if n * n.saturating_sub(1) / 2 > KEEP_ALL_PAIRS
        && let Some(m) = bracketed_median_slope(xs, ys)
    {
        return m;
    }
    let mut slopes = Vec::with_capacity(n * n.saturating_sub(1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            if let Some(s) = slope(xs, ys, i, j) {
                slopes.push(s);
            }
        }
    }
    median(&mut slopes)
}

/// Points from which [`theil_sen`] counts slopes on two threads.
const PARALLEL_POINTS: usize = 1000;

/// The slopes of some rows of pairs against a bracket `lo..=hi`.
#[derive(Default)]
struct SlopeCounts {
    total: usize,
    below: usize,
    at_lo: usize,
    inside: Vec<f64>,
    at_hi: usize,
}

impl SlopeCounts {
    fn add(&mut self, o: SlopeCounts) {
        self.total += o.total;
        self.below += o.below;
        self.at_lo += o.at_lo;
        self.inside.extend(o.inside);
        self.at_hi += o.at_hi;
    }
}

/// Counts the slopes of the pairs `(i, j)`, `i` in `rows`, `j > i`; with
/// `offsets`, dividing only the pairs their bounds leave in doubt.
fn count_slopes(
    xs: &[f64],
    ys: &[f64],
    rows: std::ops::Range<usize>,
    lo: f64,
    hi: f64,
    offsets: Option<&Offsets>,
) -> SlopeCounts {
    use std::cmp::Ordering;
    let n = xs.len().min(ys.len());
    let mut c = SlopeCounts::default();
    let classify = |c: &mut SlopeCounts, i: usize, j: usize| {
        let Some(s) = slope(xs, ys, i, j) else {
            return;
        };
        c.total += 1;
        match s.total_cmp(&lo) {
            Ordering::Less => c.below += 1,
            Ordering::Equal => c.at_lo += 1,
            Ordering::Greater => match s.total_cmp(&hi) {
                Ordering::Less => c.inside.push(s),
                Ordering::Equal => c.at_hi += 1,
                Ordering::Greater => {}
            },
        }
    };
    let Some(o) = offsets else {
        for i in rows {
            for j in i + 1..n {
                classify(&mut c, i, j);
            }
        }
        return c;
    };
    use wide::f64x4;
    const LANES: usize = 4;
    // Set lanes of a 4-bit mask.
    const ONES: [u8; 16] = [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4];
    let (w_lo, w_hi) = (f64x4::splat(-o.w_lo), f64x4::splat(o.w_hi));
    let (zero_lo, zero_hi) = (o.zero_lo, o.zero_hi);
    for i in rows {
        let (a_lo, a_hi) = (f64x4::splat(o.lo[i]), f64x4::splat(o.hi[i]));
        let start = o.next[i].min(n);
        let (z_lo, z_hi) = (&o.lo[start..n], &o.hi[start..n]);
        let mut below = 0usize;
        let mut doubt = 0usize;
        let mut at_zero = 0usize;
        // Four pairs at a time: the pairs surely below `lo` are counted,
        // those surely above `hi` passed, a zero slope at a zero edge
        // counted, the others (a bit each) divided.
        let mut chunks_lo = z_lo.chunks_exact(LANES);
        let mut chunks_hi = z_hi.chunks_exact(LANES);
        let mut j = start;
        for (l, h) in (&mut chunks_lo).zip(&mut chunks_hi) {
            let d_lo = f64x4::new([l[0], l[1], l[2], l[3]]) - a_lo;
            let d_hi = f64x4::new([h[0], h[1], h[2], h[3]]) - a_hi;
            let surely_below = d_lo.simd_lt(w_lo).to_bitmask();
            let surely_above = d_hi.simd_gt(w_hi).to_bitmask();
            let zero = if zero_lo {
                d_lo.simd_eq(f64x4::ZERO).to_bitmask()
            } else if zero_hi {
                d_hi.simd_eq(f64x4::ZERO).to_bitmask()
            } else {
                0
            } & !surely_below;
            below += usize::from(ONES[(surely_below & 15) as usize]);
            at_zero += usize::from(ONES[(zero & 15) as usize]);
            let mut bits = !(surely_below | surely_above | zero) & 15;
            while bits != 0 {
                classify(&mut c, i, j + bits.trailing_zeros() as usize);
                doubt += 1;
                bits &= bits - 1;
            }
            j += LANES;
        }
        // The last one to three pairs, one at a time (the same tests;
        // padding them into a chunk of four made the loop above slower).
        let (a_lo, a_hi) = (o.lo[i], o.hi[i]);
        let (w_lo, w_hi) = (-o.w_lo, o.w_hi);
        for (l, h) in chunks_lo.remainder().iter().zip(chunks_hi.remainder()) {
            let (d_lo, d_hi) = (l - a_lo, h - a_hi);
            let surely_below = d_lo < w_lo;
            let surely_above = d_hi > w_hi;
            let zero = ((zero_lo & (d_lo == 0.0)) | (zero_hi & (d_hi == 0.0))) & !surely_below;
            below += usize::from(surely_below);
            at_zero += usize::from(zero);
            if !(surely_below | surely_above | zero) {
                classify(&mut c, i, j);
                doubt += 1;
            }
            j += 1;
        }
        // Every pair with a later time has a finite slope ([`Offsets::new`]);
        // those in doubt were counted in `total` by `classify`. A zero
        // slope at a zero edge is that edge's (`lo` first, as `classify`).
        c.below += below;
        c.total += (n - start) - doubt;
        if zero_lo {
            c.at_lo += at_zero;
        } else {
            c.at_hi += at_zero;
        }
    }
    c
}

/// What [`count_slopes`] needs to classify most pairs without dividing:
/// for a bracket `lo..=hi`, each point's offset from the line of slope
/// `lo` (and `hi`) through the origin, and the first later point at
/// another time.
///
/// For points `i < j` at different times, the slope is below `lo` exactly
/// when `y[j] - lo·x[j] < y[i] - lo·x[i]`, and above `hi` exactly when
/// `y[j] - hi·x[j] > y[i] - hi·x[i]`. Computed in floating point these
/// differences carry rounding errors, and the slope [`slope`] divides out
/// carries its own; `w_lo` and `w_hi` bound both (with room to spare), so a
/// pair whose difference clears the bound is below `lo` (above `hi`) by the
/// divided slope too. The rest (the pairs inside the bracket and a thin
/// band around it) are divided and classified as before: the counts and
/// slopes are the same, to the bit.
struct Offsets {
    lo: Vec<f64>,
    hi: Vec<f64>,
    /// The first point after `i` at a later time.
    next: Vec<usize>,
    w_lo: f64,
    w_hi: f64,
    /// `lo` (`hi`) is `+0.0` and no value is `-0.0`: a pair of equal values
    /// (a difference of offsets of exactly zero) has the slope `+0.0`,
    /// that edge, without dividing. Nearly level series (a count that
    /// rarely changes) have their median there, and most of their pairs.
    zero_lo: bool,
    zero_hi: bool,
}

impl Offsets {
    /// `None` when the bounds do not hold: times not ascending or not
    /// finite, values not finite, distinct times too close for [`slope`]
    /// to take apart, values or slopes near the end of the `f64` range.
    fn new(xs: &[f64], ys: &[f64], lo: f64, hi: f64) -> Option<Offsets> {
        const U: f64 = f64::EPSILON / 2.0;
        const BIG: f64 = 1e300;
        let n = xs.len().min(ys.len());
        let (xs, ys) = (&xs[..n], &ys[..n]);
        let (first, last) = (*xs.first()?, *xs.last()?);
        // Not a number counts as big.
        let big = |v: f64| v.abs() >= BIG || v.is_nan();
        if big(first) || big(last) || big(lo) || big(hi) || ys.iter().any(|&y| big(y)) {
            return None;
        }
        // The smallest step between two times (equal times are no pair).
        let mut gap = f64::INFINITY;
        for w in xs.windows(2) {
            let d = w[1] - w[0];
            if d < 0.0 || d.is_nan() {
                return None;
            }
            if d > 0.0 {
                gap = gap.min(d);
            }
        }
        let range = last - first;
        let x_max = first.abs().max(last.abs());
        let y_max = ys.iter().fold(0.0f64, |m, y| m.max(y.abs()));
        if !(gap > 4.0 * f64::EPSILON && 2.0 * y_max / gap < BIG) {
            return None;
        }
        // A pair whose slope is farther than `margin(t)` from `t` divides
        // to a slope on the same side of `t` (the division's three
        // roundings move it by at most 3u of its size, plus an ulp of `t`).
        let margin = |t: f64| 16.0 * U * t.abs() + 4.0 * f64::MIN_POSITIVE;
        // The offsets' rounding (2u of each term per point, two points)
        // plus the margin over the longest stretch of time.
        let bound = |t: f64| {
            16.0 * U * (y_max + t.abs() * x_max) + 2.0 * margin(t) * range + 8.0 * f64::MIN_POSITIVE
        };
        let offsets = |t: f64| xs.iter().zip(ys).map(|(x, y)| y - t * x).collect();
        let mut next = vec![n; n];
        for i in (0..n.saturating_sub(1)).rev() {
            next[i] = if xs[i + 1] > xs[i] {
                i + 1
            } else {
                next[i + 1]
            };
        }
        // With `t = +0.0` an offset is its value (`y - 0·x` is `y`, and
        // neither is `-0.0`), a difference of zero is `dy = +0.0`, and
        // `+0.0 / dx` is `+0.0`.
        let no_negative_zero = ys.iter().all(|y| y.to_bits() != (-0.0f64).to_bits());
        let zero = |t: f64| t.to_bits() == 0 && no_negative_zero;
        Some(Offsets {
            lo: offsets(lo),
            hi: offsets(hi),
            next,
            w_lo: bound(lo),
            w_hi: bound(hi),
            zero_lo: zero(lo),
            zero_hi: zero(hi) && !zero(lo),
        })
    }
}

/// Pairs up to which [`theil_sen`] keeps every slope.
const KEEP_ALL_PAIRS: usize = 1 << 16;

/// Slopes sampled to bracket the median of many.
const SLOPE_SAMPLE: usize = 8192;

/// The slope of points `i` and `j`, when their x differ and it is finite.
#[inline]
fn slope(xs: &[f64], ys: &[f64], i: usize, j: usize) -> Option<f64> {
    let dx = xs[j] - xs[i];
    if dx.abs() > f64::EPSILON {
        let s = (ys[j] - ys[i]) / dx;
        s.is_finite().then_some(s)
    } else {
        None
    }
}

/// The median of all pair slopes (as [`median`] would give it) found
/// through a bracket; `None` when the bracket missed it.
fn bracketed_median_slope(xs: &[f64], ys: &[f64]) -> Option<f64> {
    let (lo, hi) = slope_bracket(xs, ys)?;
    median_slope_within(xs, ys, lo, hi)
}

/// Two slopes that, judged by a sample of pair slopes, enclose the median.
fn slope_bracket(xs: &[f64], ys: &[f64]) -> Option<(f64, f64)> {
    let n = xs.len();
    // Pairs drawn by a fixed generator: which ones only decides how fast
    // the median is found, never its value.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut sample = Vec::with_capacity(SLOPE_SAMPLE);
    for _ in 0..SLOPE_SAMPLE * 2 {
        let (a, b) = (next(), next());
        if let Some(s) = slope(xs, ys, a.min(b), a.max(b)).filter(|_| a != b) {
            sample.push(s);
            if sample.len() == SLOPE_SAMPLE {
                break;
            }
        }
    }
    if sample.len() < SLOPE_SAMPLE / 2 {
        return None;
    }
    sample.sort_unstable_by(f64::total_cmp);
    // About six standard errors of the sampled median on either side.
    let margin = sample.len() / 32;
    let mid = sample.len() / 2;
    let lo = sample[mid.saturating_sub(margin)];
    let hi = sample[(mid + margin).min(sample.len() - 1)];
    Some((lo, hi))
}

/// The median of all pair slopes if it lies in `lo..=hi`.
fn median_slope_within(xs: &[f64], ys: &[f64], lo: f64, hi: f64) -> Option<f64> {
    let n = xs.len();
    // One pass: slopes below `lo`, equal to `lo`, strictly inside, equal to
    // `hi` (ties, such as the zero slopes of a flat stretch, are counted,
    // not kept). A long series splits its rows between two threads, each
    // with about half the pairs (the counts add up; `inside` is sorted
    // below, so its order does not matter).
    let split = if n >= PARALLEL_POINTS
        && std::thread::available_parallelism().is_ok_and(|p| p.get() > 1)
    {
        // Row i has n - 1 - i pairs: the first 29 % of the rows hold half.
        n * 293 / 1000
    } else {
        n
    };
    let offsets = Offsets::new(xs, ys, lo, hi);
    let o = offsets.as_ref();
    let (first, second) = std::thread::scope(|scope| {
        let other = (split < n).then(|| scope.spawn(|| count_slopes(xs, ys, split..n, lo, hi, o)));
        let first = count_slopes(xs, ys, 0..split, lo, hi, o);
        (first, other.map(|h| h.join()))
    });
    let mut counts = first;
    match second {
        Some(Ok(c)) => counts.add(c),
        // A panic on the other thread (a bug): count its rows here.
        Some(Err(_)) => counts.add(count_slopes(xs, ys, split..n, lo, hi, o)),
        None => {}
    }
    let SlopeCounts {
        total,
        below,
        at_lo,
        mut inside,
        at_hi,
    } = counts;
    if total == 0 {
        return Some(0.0);
    }
    // The value of rank `k` (0-based, in `total_cmp` order), if bracketed.
    inside.sort_unstable_by(f64::total_cmp);
    let at = |k: usize| -> Option<f64> {
        let k = k.checked_sub(below)?;
        if k < at_lo {
            return Some(lo);
        }
        let k = k - at_lo;
        if let Some(&v) = inside.get(k) {
            return Some(v);
        }
        (k - inside.len() < at_hi).then_some(hi)
    };
    let upper = at(total / 2)?;
    if total % 2 == 1 {
        Some(upper)
    } else {
        Some((at(total / 2 - 1)? + upper) / 2.0)
    }
}

/// Median of a slice (reorders it); 0 for an empty slice.
pub fn median(v: &mut [f64]) -> f64 {
    let n = v.len();
    if n == 0 {
        return 0.0;
    }
    let cmp = |a: &f64, b: &f64| a.total_cmp(b);
    let mid = n / 2;
    let (lo, m, _) = v.select_nth_unstable_by(mid, cmp);
    let upper = *m;
    if n % 2 == 1 {
        upper
    } else {
        let lower = lo.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lower + upper) / 2.0
    }
}

/// Mann–Kendall trend test: the S statistic and the two-sided p-value from
/// the normal approximation with tie correction and continuity correction.
/// Fewer than 3 points give `(S, 1.0)`.
pub fn mann_kendall(ys: &[f64]) -> (i64, f64) {
    let n = ys.len();
    let (s, tie_term) = kendall(ys);
    if n < 3 {
        return (s, 1.0);
    }
    let nf = n as f64;
    let var = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - tie_term) / 18.0;
    if var <= 0.0 {
        return (s, 1.0);
    }
    let z = match s.cmp(&0) {
        std::cmp::Ordering::Greater => (s as f64 - 1.0) / var.sqrt(),
        std::cmp::Ordering::Less => (s as f64 + 1.0) / var.sqrt(),
        std::cmp::Ordering::Equal => 0.0,
    };
    let p = erfc(z.abs() / std::f64::consts::SQRT_2);
    (s, p.clamp(0.0, 1.0))
}

/// The Mann–Kendall S — over the pairs `i < j`, the number with
/// `ys[j] > ys[i]` less the number with `ys[j] < ys[i]` (equal values and
/// NaN count for neither) — and the tie term of its variance (`t(t−1)(2t+5)`
/// summed over the groups of `t > 1` equal values). O(n log n): S is the
/// pairs that compare less the ties and twice the inversions, counted while
/// merge-sorting; the sorted values give the tie groups.
fn kendall(ys: &[f64]) -> (i64, f64) {
    // NaN compares with nothing; -0 equals 0.
    let mut v: Vec<f64> = ys
        .iter()
        .filter(|y| !y.is_nan())
        .map(|&y| if y == 0.0 { 0.0 } else { y })
        .collect();
    let m = v.len() as i64;
    let mut scratch = vec![0.0; v.len()];
    let inversions = merge_count(&mut v, &mut scratch);
    // `v` is sorted now: the groups of equal values.
    let (mut ties, mut tie_term) = (0i64, 0.0);
    for run in v.chunk_by(|a, b| a == b) {
        let t = run.len() as i64;
        ties += t * (t - 1) / 2;
        if t > 1 {
            let t = t as f64;
            tie_term += t * (t - 1.0) * (2.0 * t + 5.0);
        }
    }
    (m * (m - 1) / 2 - ties - 2 * inversions, tie_term)
}

/// Sorts `v` (no NaN) and returns how many pairs `i < j` had
/// `v[i] > v[j]` (equal values are not inversions).
fn merge_count(v: &mut [f64], scratch: &mut [f64]) -> i64 {
    let n = v.len();
    if n < 2 {
        return 0;
    }
    let mid = n / 2;
    let (left, right) = v.split_at_mut(mid);
    let (sl, sr) = scratch.split_at_mut(mid);
    let mut count = merge_count(left, sl) + merge_count(right, sr);
    let (mut i, mut j) = (0, 0);
    for out in scratch[..n].iter_mut() {
        // Take from the left while it is not greater: equal values keep
        // their order and are not counted.
        if j == right.len() || (i < left.len() && left[i] <= right[j]) {
            *out = left[i];
            i += 1;
        } else {
            *out = right[j];
            j += 1;
            count += (left.len() - i) as i64;
        }
    }
    v.copy_from_slice(&scratch[..n]);
    count
}

/// Complementary error function (Chebyshev fit, fractional error below
/// 1.2e-7 everywhere), enough for a p-value.
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// Length of the third used for "the last third still grows": a third of the
/// points, at least one.
fn third_len(n: usize) -> usize {
    (n / 3).max(1)
}

/// The last third of the points still grows: its median is above the
/// median of the middle third by at least a tenth of the value range, and
/// the series does not end in a flat run longer than any earlier flat run
/// (a warm-up that reached its plateau).
fn last_third_grows(ys: &[f64]) -> bool {
    let n = ys.len();
    if n < 3 {
        return n == 2 && ys[1] > ys[0];
    }
    let range = range_of(ys);
    if range <= 0.0 {
        return false;
    }
    let tl = third_len(n);
    let mut last: Vec<f64> = ys[n - tl..].to_vec();
    let mut mid: Vec<f64> = ys[n.saturating_sub(2 * tl)..n - tl].to_vec();
    let rises = median(&mut last) - median(&mut mid) >= 0.1 * range;
    rises && !ends_in_plateau(ys, range)
}

/// The series ends in a flat run (every point of it within a band of 5 %
/// of the range around the last value) that is long (at least two
/// intervals and a third of them) and longer than every earlier flat run by
/// more than one interval. Stepwise growth has earlier flat runs of the
/// same length, and steady growth has no long flat run at all, so neither
/// ends in a plateau by this rule.
fn ends_in_plateau(ys: &[f64], range: f64) -> bool {
    let n = ys.len();
    if n < 3 {
        return false;
    }
    let band = FLAT_BAND * range;
    let last = ys[n - 1];
    let tail_points = ys
        .iter()
        .rev()
        .take_while(|&&y| (y - last).abs() <= band)
        .count();
    let tail = tail_points - 1;
    let intervals = n - 1;
    // Greedy flat runs before the tail, anchored at each run's first point.
    let prefix = &ys[..n - tail_points];
    let mut longest_before = 0usize;
    let mut start = 0usize;
    while start < prefix.len() {
        let anchor = prefix[start];
        let mut end = start + 1;
        while end < prefix.len() && (prefix[end] - anchor).abs() <= band {
            end += 1;
        }
        longest_before = longest_before.max(end - start - 1);
        start = end;
    }
    tail >= 2 && tail * 3 >= intervals && tail > longest_before + 1
}

fn range_of(ys: &[f64]) -> f64 {
    let lo = ys.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if lo.is_finite() && hi.is_finite() {
        hi - lo
    } else {
        0.0
    }
}

/// Classifies the shape of a series of at least two points.
fn classify(ys: &[f64], st: &GrowthStats) -> Shape {
    let n = ys.len();
    let range = range_of(ys);
    if range <= 0.0 {
        return Shape::Flat;
    }
    let (first, last, max) = (st.first, st.last, st.max);
    let net = last - first;

    // Burst: a peak well above both ends, and the end is back near the start.
    let peak_rise = max - first.max(last);
    if peak_rise >= 0.5 * range && (last - first).abs() <= 0.25 * (max - first.min(last)) {
        return Shape::Burst;
    }

    let monotone_up = ys.windows(2).all(|w| w[1] >= w[0]);
    let monotone_down = ys.windows(2).all(|w| w[1] <= w[0]);
    let significant_up = st.mk_s > 0 && st.mk_p < 0.05;
    let significant_down = st.mk_s < 0 && st.mk_p < 0.05;

    if net <= -0.5 * range && (significant_down || monotone_down) {
        return Shape::Shrinking;
    }

    // Late growth: flat for the first two thirds, then a rise at the end
    // seen in at least two snapshots (one high last point proves nothing).
    if n >= 3 {
        let tl = third_len(n);
        let head = &ys[..n - tl];
        let head_max = head.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let elevated = ys[n - tl..]
            .iter()
            .filter(|&&y| y - head_max >= 0.25 * range)
            .count();
        if range_of(head) <= 0.2 * range
            && last - head_max >= 0.5 * range
            && last >= max
            && elevated >= 2
        {
            return Shape::LateGrowth;
        }
    }

    let trend = significant_up || (monotone_up && st.grew_intervals >= 2);
    if trend && net >= 0.5 * range {
        if st.last_third_grows {
            return Shape::Growing;
        }
        return Shape::Plateau;
    }
    // A rise that flattened but is not significant as a trend (few points).
    if net >= 0.5 * range && !st.last_third_grows && ends_in_plateau(ys, range) {
        return Shape::Plateau;
    }
    Shape::Flat
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::xorshift;

    fn hours(n: usize) -> Vec<f64> {
        (0..n).map(|i| i as f64).collect()
    }

    fn shape_of(ys: &[f64]) -> GrowthStats {
        growth_stats(&hours(ys.len()), ys, 3)
    }

    /// Deterministic pseudo-noise in [-1, 1].
    fn noise(i: usize) -> f64 {
        let x = (i as u64)
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((x >> 33) % 2001) as f64 / 1000.0 - 1.0
    }

    #[test]
    fn steady_growth_is_growing() {
        let ys: Vec<f64> = (0..10).map(|i| 10.0 + 12.0 * i as f64).collect();
        let st = shape_of(&ys);
        assert_eq!(st.shape, Shape::Growing);
        assert_eq!(st.grew_intervals, 9);
        assert_eq!(st.intervals, 9);
        assert!((st.slope_per_hour - 12.0).abs() < 1e-9);
        assert_eq!(st.mk_s, 45);
        assert!(st.mk_p < 0.001, "p = {}", st.mk_p);
        assert!(st.last_third_grows);
        assert_eq!(st.delta, 108.0);
    }

    #[test]
    fn long_steady_growth_is_growing() {
        // Many small steps: each step is far below 5 % of the range.
        let ys: Vec<f64> = (0..120)
            .map(|i| 500_000.0 + 1_000_000.0 * i as f64 + 3_000.0 * noise(i))
            .collect();
        let st = shape_of(&ys);
        assert_eq!(st.shape, Shape::Growing, "{:?}", st.shape);
        assert!((st.slope_per_hour - 1_000_000.0).abs() < 10_000.0);
    }

    #[test]
    fn stepwise_growth_is_growing() {
        let ys = [10., 10., 10., 10., 20., 20., 20., 20., 30., 30., 30., 30.];
        let st = shape_of(&ys);
        assert_eq!(st.shape, Shape::Growing, "{st:?}");
        assert_eq!(st.grew_intervals, 2);
        assert!(st.mk_p < 0.01);
    }

    #[test]
    fn warmup_plateau_is_not_growing() {
        let ys = [
            0., 40., 70., 90., 100., 100., 101., 100., 100., 99., 100., 100.,
        ];
        let st = shape_of(&ys);
        assert_eq!(st.shape, Shape::Plateau, "{st:?}");
        assert!(!st.last_third_grows);
        // Reaches the plateau at two thirds: still a plateau (long flat tail).
        let ys = [0., 20., 40., 60., 80., 100., 100., 100., 100.];
        assert_eq!(shape_of(&ys).shape, Shape::Plateau);
    }

    #[test]
    fn burst_that_drains_is_burst() {
        let ys = [100., 100., 102., 350., 600., 420., 180., 101., 100., 100.];
        let st = shape_of(&ys);
        assert_eq!(st.shape, Shape::Burst, "{st:?}");
        assert_eq!(st.max, 600.0);
    }

    #[test]
    fn sawtooth_and_churn_are_flat() {
        let ys = [
            100., 130., 160., 100., 130., 160., 100., 130., 160., 100., 130., 160.,
        ];
        let st = shape_of(&ys);
        assert_eq!(st.shape, Shape::Flat, "{st:?}");
        assert!(st.mk_p > 0.05);
        let churn: Vec<f64> = (0..20)
            .map(|i| 5_000_000.0 + 800_000.0 * noise(i))
            .collect();
        assert_eq!(shape_of(&churn).shape, Shape::Flat);
    }

    #[test]
    fn late_growth_is_late() {
        let ys = [
            100., 101., 100., 100., 102., 100., 101., 100., 100., 140., 180., 230.,
        ];
        let st = shape_of(&ys);
        assert_eq!(st.shape, Shape::LateGrowth, "{st:?}");
        assert!(st.last_third_grows);
        // A single high last point is not enough.
        let ys = [
            100., 101., 100., 100., 102., 100., 101., 100., 100., 100., 100., 900.,
        ];
        assert_eq!(shape_of(&ys).shape, Shape::Flat);
    }

    #[test]
    fn noisy_steady_growth_is_growing() {
        let ys: Vec<f64> = (0..15)
            .map(|i| 1000.0 + 100.0 * i as f64 + 140.0 * noise(i))
            .collect();
        let st = shape_of(&ys);
        assert_eq!(st.shape, Shape::Growing, "{st:?}");
        assert!(st.grew_intervals < st.intervals);
        assert!(
            (st.slope_per_hour - 100.0).abs() < 25.0,
            "{}",
            st.slope_per_hour
        );
    }

    #[test]
    fn tiny_growth_is_growing_shape_but_small() {
        // The shape is intrinsic; thresholds (applied by findings) reject it.
        let ys = [20., 20., 21., 21., 22., 22., 23.];
        let st = shape_of(&ys);
        assert_eq!(st.delta, 3.0);
        assert_eq!(st.shape, Shape::Growing);
    }

    #[test]
    fn shrinking_and_flat_and_insufficient() {
        let ys = [100., 90., 80., 70., 60.];
        assert_eq!(shape_of(&ys).shape, Shape::Shrinking);
        assert_eq!(shape_of(&[5., 5., 5.]).shape, Shape::Flat);
        let st = shape_of(&[1., 2.]);
        assert_eq!(st.shape, Shape::Insufficient);
        assert_eq!(st.intervals, 1);
        assert_eq!(shape_of(&[]).shape, Shape::Insufficient);
    }

    #[test]
    fn irregular_spacing_and_duplicate_times() {
        let xs = [0.0, 0.5, 0.5, 2.0, 5.0];
        let ys = [0.0, 5.0, 5.0, 20.0, 50.0];
        assert!((theil_sen(&xs, &ys) - 10.0).abs() < 1e-9);
        let st = growth_stats(&xs, &ys, 3);
        assert_eq!(st.shape, Shape::Growing);
    }

    #[test]
    fn mann_kendall_values() {
        // Known value: n = 10 strictly increasing: S = 45, var = 125, z = 44/11.18.
        let ys: Vec<f64> = (0..10).map(|i| i as f64).collect();
        let (s, p) = mann_kendall(&ys);
        assert_eq!(s, 45);
        let z: f64 = 44.0 / 125f64.sqrt();
        assert!((p - erfc(z / std::f64::consts::SQRT_2)).abs() < 1e-12);
        assert!(p < 1e-4);
        let (s, p) = mann_kendall(&[1.0, 1.0, 1.0]);
        assert_eq!(s, 0);
        assert_eq!(p, 1.0);
        assert!((erfc(0.0) - 1.0).abs() < 1e-6);
        assert!((erfc(1.0) - 0.157_299_207).abs() < 1e-6);
        assert!((erfc(-1.0) - 1.842_700_793).abs() < 1e-6);
    }

    /// The plain definition: every slope kept, the median selected.
    /// S over all pairs, as the definition reads.
    fn kendall_s_all_pairs(ys: &[f64]) -> i64 {
        let mut s = 0;
        for i in 0..ys.len() {
            for j in i + 1..ys.len() {
                let d = ys[j] - ys[i];
                s += i64::from(d > 0.0) - i64::from(d < 0.0);
            }
        }
        s
    }

    #[test]
    fn level_series_give_the_slope_all_pairs_give() {
        let asc: Vec<f64> = (0..1500).map(|i| f64::from(i / 3)).collect();
        let desc: Vec<f64> = asc.iter().rev().copied().collect();
        for y in [0.0, -0.0, 7.5, -1e300] {
            let ys = vec![y; asc.len()];
            for xs in [&asc, &desc] {
                let (got, want) = (theil_sen(xs, &ys), theil_sen_all_pairs(xs, &ys));
                assert_eq!(got.to_bits(), want.to_bits(), "level {y}");
            }
        }
        // Not level: one point off.
        let mut ys = vec![3.0; 400];
        ys[399] = 4.0;
        let xs: Vec<f64> = (0..400).map(f64::from).collect();
        assert_eq!(theil_sen(&xs, &ys), theil_sen_all_pairs(&xs, &ys));
    }

    #[test]
    fn kendall_s_counts_every_pair_with_ties_nan_zeros_and_infinities() {
        let mut rnd = xorshift(11);
        let special = [
            0.0,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e308,
            -1e308,
        ];
        for case in 0..200 {
            let n = [0, 1, 2, 3, 7, 64, 301][case % 7];
            let ys: Vec<f64> = (0..n)
                .map(|i| match (case / 7) % 5 {
                    0 => (rnd() % 4) as f64,
                    1 => special[(rnd() % special.len() as u64) as usize],
                    2 => i as f64 * 0.5 + (rnd() % 3) as f64,
                    3 => -(i as f64),
                    _ => (rnd() % 1000) as f64 - 500.0,
                })
                .collect();
            assert_eq!(kendall(&ys).0, kendall_s_all_pairs(&ys), "{ys:?}");
        }
    }

    fn theil_sen_all_pairs(xs: &[f64], ys: &[f64]) -> f64 {
        let n = xs.len().min(ys.len());
        let mut slopes = Vec::new();
        for i in 0..n {
            for j in i + 1..n {
                if let Some(s) = slope(xs, ys, i, j) {
                    slopes.push(s);
                }
            }
        }
        median(&mut slopes)
    }

    #[test]
    fn long_series_give_the_median_of_all_slopes_to_the_bit() {
        let mut rnd = xorshift(7);
        for case in 0..24 {
            let n = [363, 500, 800, 1440][case % 4];
            let mut xs = Vec::with_capacity(n);
            let mut ys = Vec::with_capacity(n);
            let (mut x, mut y) = (0.0f64, 0.0f64);
            for i in 0..n {
                // Irregular spacing, repeated times, steps, flat stretches,
                // noise, a sign change, negative zeros.
                x += match rnd() % 10 {
                    0 => 0.0,
                    1 => 0.5,
                    _ => 1.0 / 60.0,
                };
                y = match case % 6 {
                    0 => y + (rnd() % 1000) as f64,
                    1 => y + if i % 97 == 0 { 4096.0 } else { 0.0 },
                    2 => (rnd() % 5) as f64,
                    3 => 1e9 - i as f64 * 3.0 + (rnd() % 7) as f64,
                    4 => 42.0,
                    _ => {
                        if rnd().is_multiple_of(3) {
                            -0.0
                        } else {
                            (rnd() % 3) as f64 - 1.0
                        }
                    }
                };
                xs.push(x);
                ys.push(y);
            }
            let want = theil_sen_all_pairs(&xs, &ys);
            let got = theil_sen(&xs, &ys);
            assert_eq!(
                got.to_bits(),
                want.to_bits(),
                "case {case}: {got} vs {want}"
            );
            // The bracket, not the fallback, found it.
            if let Some(b) = bracketed_median_slope(&xs, &ys) {
                assert_eq!(b.to_bits(), want.to_bits(), "case {case}");
            } else {
                panic!("case {case}: the bracket missed");
            }
        }
    }

    #[test]
    fn ties_at_the_edges_of_the_bracket_are_ranked_like_the_rest() {
        // Two snapshot times, 400 points each, the first all zero: the
        // slopes are the second time's values, each taken 400 times. With
        // 52 % of them equal to 1 and the rest distinct and above (below),
        // the median is 1 and so is the bracket's lower (upper) edge.
        for (above, odd) in [(true, false), (false, false), (true, true), (false, true)] {
            let n = 400;
            let mut xs = vec![0.0; n];
            let mut ys = vec![0.0; n];
            for i in 0..n {
                xs.push(1.0);
                let rest = if above {
                    2.0 + i as f64
                } else {
                    0.5 - i as f64
                };
                ys.push(if i < n * 52 / 100 { 1.0 } else { rest });
            }
            if odd {
                // One more point at a third time: an odd count of slopes.
                xs.push(2.0);
                ys.push(1.0);
            }
            let (lo, hi) = slope_bracket(&xs, &ys).expect("a bracket");
            let want = theil_sen_all_pairs(&xs, &ys);
            assert_eq!(want, 1.0);
            assert_eq!((lo == want, hi == want), (above, !above), "{lo} {hi}");
            let got = bracketed_median_slope(&xs, &ys).expect("bracketed");
            assert_eq!(got.to_bits(), want.to_bits());
        }
    }

    /// The counts of [`count_slopes`] as a comparable tuple (`inside`
    /// sorted, by bits).
    fn counts(c: SlopeCounts) -> (usize, usize, usize, usize, Vec<u64>) {
        let mut inside: Vec<u64> = c.inside.iter().map(|s| s.to_bits()).collect();
        inside.sort_unstable();
        (c.total, c.below, c.at_lo, c.at_hi, inside)
    }

    #[test]
    fn offsets_count_like_dividing_every_pair() {
        let mut rnd = xorshift(5);
        let mut checked = 0;
        for case in 0..72 {
            let n = [2, 9, 64, 300][case % 4];
            let mut xs = Vec::with_capacity(n);
            let mut ys = Vec::with_capacity(n);
            let mut x = [0.0, 1e4, -3.0][case % 3];
            for i in 0..n {
                // Minutes in hours (rounded), repeated times, big gaps.
                x += match rnd() % 8 {
                    0 => 0.0,
                    1 => 7.0,
                    _ => 1.0 / 60.0,
                };
                let xf = x;
                let y = match (case / 4) % 6 {
                    // Points on a line, computed: slopes a rounding apart.
                    0 => 1e9 + 3.7 * xf,
                    1 => -2.5e14 + 1e11 / 3.0 * xf,
                    // Steps and noise on large values.
                    2 => 1e15 + (rnd() % 5) as f64 * 4096.0,
                    // Small values, a flat stretch with a zero slope.
                    3 => {
                        if i < n / 2 {
                            0.0
                        } else {
                            (rnd() % 3) as f64 * 1e-3
                        }
                    }
                    // Negative zeros among level stretches.
                    4 => [0.0, -0.0, 1.0][(rnd() % 3) as usize],
                    _ => (rnd() % 1000) as f64 - 500.0 + i as f64,
                };
                xs.push(xf);
                ys.push(y);
            }
            let mut all: Vec<f64> = Vec::new();
            for i in 0..n {
                for j in i + 1..n {
                    all.extend(slope(&xs, &ys, i, j));
                }
            }
            all.sort_unstable_by(f64::total_cmp);
            if all.is_empty() {
                continue;
            }
            // Brackets whose edges are slopes of pairs (ties at the edges,
            // a bracket of one value), their neighbours a bit away, and
            // zero.
            let k = all.len();
            let pick = |f: usize| all[(k * f / 8).min(k - 1)];
            let next = |v: f64| f64::from_bits(v.to_bits() + 1);
            let brackets = [
                (pick(3), pick(5)),
                (pick(4), pick(4)),
                (next(pick(2)), pick(6)),
                (pick(0), pick(7)),
                (-0.0, 0.0),
                (0.0, next(0.0)),
                (0.0, 0.0),
                (-0.0, -0.0),
                (pick(1).min(-1.0), 0.0),
                (pick(4) * (1.0 - 1e-15), pick(4) * (1.0 + 1e-15)),
            ];
            for (lo, hi) in brackets {
                let (lo, hi) = (lo.min(hi), lo.max(hi));
                let want = counts(count_slopes(&xs, &ys, 0..n, lo, hi, None));
                let Some(o) = Offsets::new(&xs, &ys, lo, hi) else {
                    continue;
                };
                for rows in [0..n, 0..n / 3, n / 3..n] {
                    let a = counts(count_slopes(&xs, &ys, rows.clone(), lo, hi, None));
                    let b = counts(count_slopes(&xs, &ys, rows, lo, hi, Some(&o)));
                    assert_eq!(a, b, "case {case}, bracket {lo}..{hi}");
                }
                assert_eq!(counts(count_slopes(&xs, &ys, 0..n, lo, hi, Some(&o))), want);
                checked += 1;
            }
        }
        // Most series and brackets went through the offsets.
        assert!(checked > 300, "{checked}");
    }

    #[test]
    fn offsets_refuse_what_their_bounds_do_not_cover() {
        let xs = [0.0, 1.0, 2.0];
        assert!(Offsets::new(&xs, &[1.0, 2.0, 3.0], 0.5, 1.5).is_some());
        // Times out of order, not finite; values not finite or huge; a
        // bracket edge that is not a number; times too close.
        assert!(Offsets::new(&[1.0, 0.0, 2.0], &[1.0, 2.0, 3.0], 0.5, 1.5).is_none());
        assert!(Offsets::new(&[0.0, f64::NAN, 2.0], &[1.0, 2.0, 3.0], 0.5, 1.5).is_none());
        assert!(Offsets::new(&xs, &[1.0, f64::INFINITY, 3.0], 0.5, 1.5).is_none());
        assert!(Offsets::new(&xs, &[1.0, 1e305, 3.0], 0.5, 1.5).is_none());
        assert!(Offsets::new(&xs, &[1.0, 2.0, 3.0], f64::NAN, 1.5).is_none());
        assert!(Offsets::new(&[0.0, 1e-16, 2.0], &[1.0, 2.0, 3.0], 0.5, 1.5).is_none());
        // Equal times are no pair: the next later point is skipped to.
        let o =
            Offsets::new(&[0.0, 0.0, 1.0, 1.0], &[1.0, 2.0, 3.0, 4.0], 0.0, 9.0).expect("offsets");
        assert_eq!(o.next, vec![2, 2, 4, 4]);
    }

    #[test]
    fn median_even_and_odd() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&mut []), 0.0);
    }
}
