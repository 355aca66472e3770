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
/// inside, and the median is selected among these. The result is the same
/// value, to the bit, as selecting it among all slopes (which is done when
/// the bracket misses, and for short series).
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

/// Counts the slopes of the pairs `(i, j)`, `i` in `rows`, `j > i`.
fn count_slopes(
    xs: &[f64],
    ys: &[f64],
    rows: std::ops::Range<usize>,
    lo: f64,
    hi: f64,
) -> SlopeCounts {
    use std::cmp::Ordering;
    let n = xs.len().min(ys.len());
    let mut c = SlopeCounts::default();
    for i in rows {
        for j in i + 1..n {
            let Some(s) = slope(xs, ys, i, j) else {
                continue;
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
        }
    }
    c
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
    let (first, second) = std::thread::scope(|scope| {
        let other = (split < n).then(|| scope.spawn(|| count_slopes(xs, ys, split..n, lo, hi)));
        let first = count_slopes(xs, ys, 0..split, lo, hi);
        (first, other.map(|h| h.join()))
    });
    let mut counts = first;
    match second {
        Some(Ok(c)) => counts.add(c),
        // A panic on the other thread (a bug): count its rows here.
        Some(Err(_)) => counts.add(count_slopes(xs, ys, split..n, lo, hi)),
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

    #[test]
    fn median_even_and_odd() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&mut []), 0.0);
    }
}
