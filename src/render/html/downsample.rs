//! Fewer points for long series: a chart or sparkline of a day-long
//! archive (1,440 snapshots and more) would otherwise carry a point per
//! snapshot per line and make the report grow without bound. The points
//! are cut into equal buckets (by position) and each bucket keeps its
//! lowest and highest point, in time order, so spikes and dips stay
//! visible; the first and the last point are always kept. Charts and
//! sparklines say when they were drawn from fewer points.

use std::borrow::Cow;

/// At most `max` of `points` (at least 4 are kept): the points themselves
/// when there are no more than `max`, else the minimum and maximum of each
/// of `max / 2` buckets, plus the first and last point.
pub fn min_max(points: &[(i64, f64)], max: usize) -> Cow<'_, [(i64, f64)]> {
    let max = max.max(4);
    let n = points.len();
    if n <= max {
        return Cow::Borrowed(points);
    }
    let (first, last) = (points[0], points[n - 1]);
    let inner = &points[1..n - 1];
    let buckets = (max - 2) / 2;
    let mut out = Vec::with_capacity(max);
    out.push(first);
    for b in 0..buckets {
        let lo = b * inner.len() / buckets;
        let hi = (b + 1) * inner.len() / buckets;
        let chunk = &inner[lo..hi];
        let Some(mut a) = chunk.first().map(|_| 0) else {
            continue;
        };
        let mut z = a;
        for (i, p) in chunk.iter().enumerate() {
            if p.1 < chunk[a].1 {
                a = i;
            }
            if p.1 > chunk[z].1 {
                z = i;
            }
        }
        let (x, y) = (a.min(z), a.max(z));
        out.push(chunk[x]);
        if y != x {
            out.push(chunk[y]);
        }
    }
    out.push(last);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pts(vals: &[f64]) -> Vec<(i64, f64)> {
        vals.iter()
            .enumerate()
            .map(|(i, &v)| (i as i64 * 60, v))
            .collect()
    }

    #[test]
    fn short_series_are_kept_as_they_are() {
        let p = pts(&[1.0, 2.0, 3.0]);
        assert!(matches!(min_max(&p, 10), Cow::Borrowed(_)));
    }

    #[test]
    fn long_series_keep_ends_spikes_and_order() {
        let mut vals: Vec<f64> = (0..1440).map(f64::from).collect();
        vals[700] = 1e9; // a spike
        vals[900] = -5.0; // a dip
        let p = pts(&vals);
        let d = min_max(&p, 100);
        assert!(d.len() <= 100, "{}", d.len());
        assert_eq!(d.first(), p.first());
        assert_eq!(d.last(), p.last());
        assert!(d.iter().any(|q| q.1 == 1e9));
        assert!(d.iter().any(|q| q.1 == -5.0));
        assert!(d.windows(2).all(|w| w[0].0 < w[1].0), "time order");
    }
}
