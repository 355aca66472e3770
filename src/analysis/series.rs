//! Building series from the archive: which process to analyse, which
//! snapshots are points of which series, and the per-site / per-stack values
//! at each point.
//!
//! Everything is indexed by dense integer ids (stack ids → site or stack
//! index through `Vec`s), so the cost is linear in the number of samples and
//! groups, with string work only once per distinct frame or stack.

use super::cause::{CauseInfo, Culprit, FrameClasses, culprit, group_cause};
use super::types::ProcessInfo;
use crate::model::{
    Archive, Format, FrameId, GoroutineGroup, ProfileKind, Snapshot, StackId, StrId, Tables,
};
use std::collections::HashMap;

/// One hour in nanoseconds: the synthetic spacing of sequence-only archives.
pub const SYNTHETIC_SPACING_NS: i64 = 3_600_000_000_000;

/// The snapshots of one process, in archive order.
#[derive(Clone, Debug)]
pub struct Segment {
    /// Indexes into `archive.snapshots`.
    pub snaps: Vec<usize>,
    /// What is known of the process.
    pub info: ProcessInfo,
    /// Why this segment started (restart evidence), for notes.
    pub reason: Option<String>,
}

#[derive(Default)]
struct Counters {
    build_id: Option<String>,
    num_gc: Option<u64>,
    total_alloc: Option<u64>,
    heap_alloc: Option<i64>,
    max_goid: Option<u64>,
}

/// Which evidence says a snapshot belongs to another process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Drop {
    BuildId,
    NumGc,
    TotalAlloc,
    HeapAlloc,
    GoroutineId,
}

impl Drop {
    /// The snapshot carries this counter.
    fn present(self, s: &Snapshot) -> bool {
        match self {
            Drop::BuildId => s.process.build_id.is_some(),
            Drop::NumGc => s.memstats.as_ref().and_then(|m| m.u64("NumGC")).is_some(),
            Drop::TotalAlloc => s
                .memstats
                .as_ref()
                .and_then(|m| m.u64("TotalAlloc"))
                .is_some(),
            Drop::HeapAlloc => heap_alloc_total(s).is_some(),
            Drop::GoroutineId => s
                .goroutines
                .as_ref()
                .and_then(|g| g.max_goroutine_id)
                .is_some(),
        }
    }
}

impl Counters {
    /// Why `s` cannot belong to the same process as what came before.
    fn restart_reason(&self, s: &Snapshot) -> Option<(Drop, String)> {
        if let (Some(a), Some(b)) = (&self.build_id, &s.process.build_id)
            && a != b
        {
            return Some((
                Drop::BuildId,
                format!("build id changed ({a} → {b}) at {}", s.path),
            ));
        }
        if let Some(ms) = &s.memstats {
            if let (Some(prev), Some(now)) = (self.num_gc, ms.u64("NumGC"))
                && now < prev
            {
                return Some((
                    Drop::NumGc,
                    format!("NumGC went down ({prev} → {now}) at {}", s.path),
                ));
            }
            if let (Some(prev), Some(now)) = (self.total_alloc, ms.u64("TotalAlloc"))
                && now < prev
            {
                return Some((
                    Drop::TotalAlloc,
                    format!("TotalAlloc went down at {}", s.path),
                ));
            }
        }
        if let (Some(prev), Some(now)) = (self.heap_alloc, heap_alloc_total(s))
            && (now as f64) < prev as f64 * 0.9
        {
            return Some((
                Drop::HeapAlloc,
                format!("cumulative allocations went down at {}", s.path),
            ));
        }
        if let (Some(prev), Some(now)) = (
            self.max_goid,
            s.goroutines.as_ref().and_then(|g| g.max_goroutine_id),
        ) && prev > 100
            && now.saturating_mul(2) < prev
        {
            return Some((
                Drop::GoroutineId,
                format!("goroutine ids restarted ({prev} → {now}) at {}", s.path),
            ));
        }
        None
    }

    fn update(&mut self, s: &Snapshot) {
        if s.process.build_id.is_some() {
            self.build_id.clone_from(&s.process.build_id);
        }
        if let Some(ms) = &s.memstats {
            self.num_gc = ms.u64("NumGC").or(self.num_gc);
            self.total_alloc = ms.u64("TotalAlloc").or(self.total_alloc);
        }
        if let Some(a) = heap_alloc_total(s) {
            self.heap_alloc = Some(a);
        }
        if let Some(id) = s.goroutines.as_ref().and_then(|g| g.max_goroutine_id) {
            self.max_goid = Some(id);
        }
    }
}

fn heap_alloc_total(s: &Snapshot) -> Option<i64> {
    let h = s.heap.as_ref()?;
    if !h.has_alloc || h.delta {
        return None;
    }
    Some(h.alloc_bytes_total())
}

/// Splits the archive into processes: a new one starts where the build id
/// changes or a counter that only grows goes down and stays down. A single
/// snapshot whose counter drops while the next one continues the old
/// sequence (or that is the last one with that counter) is an outlier — a
/// damaged or foreign file — and is left out; its index and the reason are
/// returned as the second value.
pub fn split_processes(archive: &Archive) -> (Vec<Segment>, Vec<(usize, String)>) {
    let all: Vec<usize> = (0..archive.snapshots.len()).collect();
    split_runs(archive, &all)
}

/// [`split_processes`] over some snapshots only (`idx`, ascending indexes
/// into `archive.snapshots`): the runs of one process between restarts.
pub fn split_runs(archive: &Archive, idx: &[usize]) -> (Vec<Segment>, Vec<(usize, String)>) {
    let snaps = &archive.snapshots;
    let mut segments: Vec<Segment> = Vec::new();
    let mut outliers: Vec<(usize, String)> = Vec::new();
    let mut cur: Vec<usize> = Vec::new();
    let mut reason: Option<String> = None;
    let mut counters = Counters::default();
    for (pos, &i) in idx.iter().enumerate() {
        let s = &snaps[i];
        if let Some((kind, why)) = counters.restart_reason(s) {
            let confirmed = kind == Drop::BuildId
                || idx[pos + 1..]
                    .iter()
                    .map(|&j| &snaps[j])
                    .find(|n| kind.present(n))
                    .and_then(|n| counters.restart_reason(n))
                    .is_some_and(|(k, _)| k == kind);
            if !confirmed {
                outliers.push((i, why));
                continue;
            }
            // Snapshots of the same moment belong with this one.
            let keep = cur
                .iter()
                .position(|&j| snaps[j].moment == s.moment)
                .unwrap_or(cur.len());
            let moved = cur.split_off(keep);
            if !cur.is_empty() {
                segments.push(make_segment(
                    archive,
                    std::mem::take(&mut cur),
                    reason.take(),
                ));
            }
            cur = moved;
            reason = Some(why);
            counters = Counters::default();
            for &j in &cur {
                counters.update(&snaps[j]);
            }
        }
        counters.update(s);
        cur.push(i);
    }
    if !cur.is_empty() {
        segments.push(make_segment(archive, cur, reason));
    }
    (segments, outliers)
}

fn make_segment(archive: &Archive, snaps: Vec<usize>, reason: Option<String>) -> Segment {
    let first_with = |f: &dyn Fn(&Snapshot) -> Option<String>| {
        snaps.iter().find_map(|&i| f(&archive.snapshots[i]))
    };
    let info = ProcessInfo {
        binary: first_with(&|s| s.process.binary.clone()),
        build_id: first_with(&|s| s.process.build_id.clone()),
        snapshots: snaps.len(),
        ..ProcessInfo::default()
    };
    Segment {
        snaps,
        info,
        reason,
    }
}

/// The points of one kind of series: one snapshot per moment.
#[derive(Clone, Debug, Default)]
pub struct Points {
    /// Indexes into `archive.snapshots`, in time order.
    pub snaps: Vec<usize>,
    /// Times (Unix ns, or synthetic).
    pub times: Vec<i64>,
    /// Times in hours from the first point of the segment.
    pub xs: Vec<f64>,
}

impl Points {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.snaps.len()
    }
    /// No points.
    pub fn is_empty(&self) -> bool {
        self.snaps.is_empty()
    }
}

/// The time axis of a segment.
#[derive(Clone, Debug)]
pub struct Timeline {
    /// Times are order indexes × one hour (no real times known).
    pub synthetic: bool,
    /// Origin of `xs` (ns).
    pub origin: i64,
    /// Moment → synthetic index (sorted distinct moments).
    moments: Vec<usize>,
}

impl Timeline {
    /// Builds the time axis of a segment.
    pub fn new(archive: &Archive, seg: &Segment) -> Timeline {
        let mut moments: Vec<usize> = seg
            .snaps
            .iter()
            .map(|&i| archive.snapshots[i].moment)
            .collect();
        moments.sort_unstable();
        moments.dedup();
        let times: Vec<Option<i64>> = seg
            .snaps
            .iter()
            .map(|&i| archive.snapshots[i].time)
            .collect();
        let all_timed = times.iter().all(Option::is_some);
        let lo = times.iter().flatten().min().copied();
        let hi = times.iter().flatten().max().copied();
        let span = match (lo, hi) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => 0,
        };
        let synthetic = !all_timed || (span <= 0 && moments.len() > 1);
        Timeline {
            synthetic,
            origin: if synthetic { 0 } else { lo.unwrap_or(0) },
            moments,
        }
    }

    /// The time of a snapshot on this axis.
    pub fn time_of(&self, s: &Snapshot) -> i64 {
        if self.synthetic {
            let idx = self.moments.binary_search(&s.moment).unwrap_or(0);
            idx as i64 * SYNTHETIC_SPACING_NS
        } else {
            s.time.unwrap_or(self.origin)
        }
    }

    /// Hours from the origin.
    pub fn hours(&self, t: i64) -> f64 {
        (t.saturating_sub(self.origin)) as f64 / SYNTHETIC_SPACING_NS as f64
    }
}

/// Chooses one snapshot per moment among those `accept` scores (higher is
/// better; `None` = not a point of this series).
pub fn points(
    archive: &Archive,
    seg: &Segment,
    tl: &Timeline,
    score: impl Fn(&Snapshot) -> Option<u32>,
) -> Points {
    let mut best: Vec<(usize, u32, usize)> = Vec::new(); // (moment, score, snap)
    for &i in &seg.snaps {
        let s = &archive.snapshots[i];
        let Some(sc) = score(s) else { continue };
        match best.iter_mut().find(|b| b.0 == s.moment) {
            Some(b) if sc > b.1 => *b = (s.moment, sc, i),
            Some(_) => {}
            None => best.push((s.moment, sc, i)),
        }
    }
    let mut chosen: Vec<(i64, usize, usize)> = best
        .into_iter()
        .map(|(m, _, i)| (tl.time_of(&archive.snapshots[i]), m, i))
        .collect();
    chosen.sort_unstable();
    Points {
        times: chosen.iter().map(|c| c.0).collect(),
        xs: chosen.iter().map(|c| tl.hours(c.0)).collect(),
        snaps: chosen.iter().map(|c| c.2).collect(),
    }
}

/// When no real times are known, orders goroutine points by their largest
/// goroutine id (ids are never reused, so they grow over a process's life):
/// a dump placed by a weak clue (file modification time) lands where its ids
/// say. Only a clear inversion (an id half again as large as a later one)
/// triggers this, since the largest id can dip a little when the newest
/// goroutine exits. A crash dump (panic, fatal error, SIGQUIT) ends its
/// process, so it goes after the dumps its ids tie with — and last when the
/// ids say nothing. The times of the points stay; the snapshots move.
/// Returns a note when something moved.
pub fn order_by_goroutine_ids(archive: &Archive, points: &mut Points) -> Option<String> {
    let snap = |k: usize| points.snaps.get(k).and_then(|&i| archive.snapshots.get(i));
    let is_crash = |k: usize| snap(k).is_some_and(|s| s.format == Format::Crash);
    let ids: Option<Vec<u64>> = (0..points.len())
        .map(|k| snap(k)?.goroutines.as_ref()?.max_goroutine_id)
        .collect();
    let inverted = ids.as_ref().is_some_and(|ids| {
        ids.iter().enumerate().any(|(k, &a)| {
            ids[k + 1..]
                .iter()
                .any(|&b| a as f64 > 1.5 * b as f64 + 10.0)
        })
    });
    let mut order: Vec<usize> = (0..points.len()).collect();
    match (&ids, inverted) {
        (Some(ids), true) => order.sort_by_key(|&k| (ids[k], is_crash(k), k)),
        _ => order.sort_by_key(|&k| (is_crash(k), k)),
    }
    if order.iter().enumerate().all(|(pos, &k)| pos == k) {
        return None;
    }
    // Name the dumps that moved later (the misplaced ones); the others only
    // shifted up to make room.
    let moved: Vec<&str> = order
        .iter()
        .enumerate()
        .filter(|(pos, k)| pos > *k)
        .filter_map(|(_, &k)| snap(k).map(|s| s.path.as_str()))
        .take(5)
        .collect();
    let note = format!(
        "Goroutine dumps without times were ordered by their largest goroutine id (ids only grow), \
         with crash dumps last (a crash ends the process): moved {}.",
        moved.join(", ")
    );
    points.snaps = order.iter().map(|&k| points.snaps[k]).collect();
    Some(note)
}

/// Score of a snapshot as a heap level point.
pub fn heap_level_score(s: &Snapshot) -> Option<u32> {
    let h = s.heap.as_ref()?;
    if !h.has_inuse || h.delta {
        return None;
    }
    let kind = match s.kind {
        ProfileKind::Heap => 2,
        ProfileKind::Allocs => 1,
        _ => return None,
    };
    Some(kind * 2 + u32::from(s.format == Format::Pprof))
}

/// Score of a snapshot as a goroutine level point (a full count, not a
/// goroutineleak list).
pub fn goroutine_level_score(s: &Snapshot) -> Option<u32> {
    let g = s.goroutines.as_ref()?;
    if g.leak_profile {
        return None;
    }
    let fmt = match s.format {
        Format::GoroutineDebug2 => 4,
        Format::Crash => 3,
        Format::Pprof => 2,
        _ => 1,
    };
    Some(if g.truncated { fmt } else { fmt + 10 })
}

/// Score of a snapshot as a MemStats point.
pub fn memstats_score(s: &Snapshot) -> Option<u32> {
    s.memstats.as_ref().map(|_| 1)
}

/// Maps stack ids to normalised stacks: frames of `runtime.*` and
/// `internal/runtime/*` removed, so the same code matches across formats
/// (`debug=1` drops leading runtime frames, `debug=2` hides them, protobuf
/// keeps them).
#[derive(Debug, Default)]
pub struct Normalizer {
    by_stack: Vec<u32>,
    ids: HashMap<Box<[FrameId]>, u32>,
    strip: Vec<u8>,
    buf: Vec<FrameId>,
    /// Number of normalised stacks.
    pub count: usize,
}

const UNSET: u32 = u32::MAX;

/// Frames some formats show and others hide: runtime frames and the
/// wrappers of `go` statements (`main.forward.gowrap1`, shown only at
/// traceback level ≥ 2).
fn is_hidden_frame(name: &str) -> bool {
    if name.starts_with("runtime.") || name.starts_with("internal/runtime/") {
        return true;
    }
    match name.rfind(".gowrap") {
        Some(i) => name[i + 7..].bytes().all(|b| b.is_ascii_digit()),
        None => false,
    }
}

impl Normalizer {
    /// The normalised id of a stack.
    pub fn get(&mut self, tables: &Tables, stack: StackId) -> u32 {
        let i = stack.0 as usize;
        if i >= self.by_stack.len() {
            self.by_stack.resize(i + 1, UNSET);
        }
        if self.by_stack[i] != UNSET {
            return self.by_stack[i];
        }
        self.buf.clear();
        for &f in tables.stack(stack) {
            let fi = f.0 as usize;
            if fi >= self.strip.len() {
                self.strip.resize(fi + 1, 2);
            }
            if self.strip[fi] == 2 {
                let name = tables.frame_function(f);
                self.strip[fi] = u8::from(is_hidden_frame(name));
            }
            if self.strip[fi] == 0 {
                self.buf.push(f);
            }
        }
        let next = self.ids.len() as u32;
        let id = *self.ids.entry(self.buf.as_slice().into()).or_insert(next);
        self.count = self.ids.len();
        self.by_stack[i] = id;
        id
    }
}

/// One heap allocation site (a normalised stack).
#[derive(Clone, Debug)]
pub struct HeapSite {
    /// A stack id of the site as seen in the archive.
    pub stack: StackId,
    /// Culprit (innermost user frame).
    pub culprit: Option<Culprit>,
    /// Index into [`HeapSeries::funcs`].
    pub func: usize,
    /// Index into [`HeapSeries::lines`].
    pub line: usize,
}

/// Aggregated heap values of a function.
#[derive(Clone, Debug)]
pub struct HeapAgg {
    /// The culprit frame (the frame first seen).
    pub frame: Option<FrameId>,
    /// In-use bytes per point.
    pub bytes: Vec<f64>,
    /// In-use objects at the last point.
    pub last_objects: f64,
    /// Member sites.
    pub sites: Vec<usize>,
}

/// In-use bytes of a culprit file:line at the first and the last point:
/// all the findings ask of a line is which of a function's lines grew
/// most. (Whole series per line, and objects per point, were two thirds
/// of the analysis's memory on a day of snapshots, and never read.)
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineAgg {
    /// The culprit frame.
    pub frame: Option<FrameId>,
    /// In-use bytes at the first point.
    pub first_bytes: f64,
    /// In-use bytes at the last point.
    pub last_bytes: f64,
}

/// Heap series: every site, and aggregated by culprit function and by
/// culprit file:line.
#[derive(Clone, Debug, Default)]
pub struct HeapSeries {
    /// The points.
    pub points: Points,
    /// Sites.
    pub sites: Vec<HeapSite>,
    /// In-use bytes, `sites × points`, row-major.
    pub site_bytes: Vec<f64>,
    /// By culprit function.
    pub funcs: Vec<HeapAgg>,
    /// By culprit file:line.
    pub lines: Vec<LineAgg>,
    /// Total in-use bytes per point.
    pub totals: Vec<f64>,
}

impl HeapSeries {
    /// Bytes of a site over the points.
    pub fn site_row(&self, site: usize) -> &[f64] {
        let n = self.points.len();
        self.site_bytes.get(site * n..(site + 1) * n).unwrap_or(&[])
    }
}

const NO_FUNC: StrId = StrId(u32::MAX);

/// The index of normalised stack `ns` in `index` (by normalised id), set to
/// `next` the first time: (index, whether it is new).
fn dense_index(index: &mut Vec<u32>, ns: u32, next: usize) -> (usize, bool) {
    let ns = ns as usize;
    if ns >= index.len() {
        index.resize(ns + 1, UNSET);
    }
    match index[ns] {
        UNSET => {
            index[ns] = next as u32;
            (next, true)
        }
        i => (i as usize, false),
    }
}

/// Builds the heap series from the chosen points. A site absent from a
/// snapshot is 0 there.
///
/// Samples are summed snapshot by snapshot into one column per snapshot
/// (indexed by site, so the writes stay near each other), and every
/// [`CHUNK`] snapshots the columns are written into the site-major rows:
/// writing each sample straight into its site's row touched a new cache
/// line per sample. The function series are the sums of their sites' rows,
/// made row by row at the end (made chunk by chunk, they touched every
/// function's series at every chunk: a day of snapshots spent more time
/// there than anywhere else in the analysis). Either way each sum adds its
/// sites in site order.
pub fn build_heap(
    archive: &Archive,
    points: Points,
    norm: &mut Normalizer,
    classes: &mut FrameClasses,
) -> HeapSeries {
    let tables = &archive.tables;
    let n = points.len();
    let mut site_of_norm: Vec<u32> = Vec::new();
    let mut sites: Vec<HeapSite> = Vec::new();
    let mut site_bytes: Vec<f64> = Vec::new();
    let mut funcs: Vec<HeapAgg> = Vec::new();
    let mut lines: Vec<LineAgg> = Vec::new();
    let mut func_ids: HashMap<StrId, usize> = HashMap::new();
    let mut line_ids: HashMap<Option<FrameId>, usize> = HashMap::new();
    let mut totals = vec![0.0; n];
    // The columns of the snapshots since the last flush: (bytes, objects)
    // by site.
    let mut columns: Vec<(Vec<f64>, Vec<f64>)> = Vec::new();
    let mut spare: Vec<(Vec<f64>, Vec<f64>)> = Vec::new();
    let mut first = 0;
    // Rows for as many sites as there are distinct stacks (at least as many
    // as sites), reserved once: growing the rows chunk by chunk copied them
    // into fresh memory each time. Pages past the rows used stay untouched.
    let mut seen = vec![false; tables.sizes().2];
    let mut distinct = 0usize;
    for &si in &points.snaps {
        for s in archive.snapshots[si]
            .heap
            .iter()
            .flat_map(|h| h.samples.stacks())
        {
            if let Some(b) = seen.get_mut(s.0 as usize).filter(|b| !**b) {
                *b = true;
                distinct += 1;
            }
        }
    }
    site_bytes.reserve_exact(distinct.saturating_mul(n));
    drop(seen);
    for (p, &si) in points.snaps.iter().enumerate() {
        let mut col = spare.pop().unwrap_or_default();
        col.0.clear();
        col.1.clear();
        col.0.resize(sites.len(), 0.0);
        col.1.resize(sites.len(), 0.0);
        if let Some(h) = archive.snapshots[si].heap.as_ref() {
            for (stack, inuse_objects, inuse_bytes) in h.samples.inuse() {
                let ns = norm.get(tables, stack);
                let (site, new) = dense_index(&mut site_of_norm, ns, sites.len());
                if new {
                    let c = culprit(tables, classes, tables.stack(stack), false);
                    let fkey = c.map(|c| tables.frame(c.frame).function).unwrap_or(NO_FUNC);
                    let fl = c.map(|c| c.frame);
                    let func = *func_ids.entry(fkey).or_insert_with(|| {
                        funcs.push(HeapAgg::new(fl, n));
                        funcs.len() - 1
                    });
                    let line = *line_ids.entry(fl).or_insert_with(|| {
                        lines.push(LineAgg {
                            frame: fl,
                            ..LineAgg::default()
                        });
                        lines.len() - 1
                    });
                    funcs[func].sites.push(site);
                    sites.push(HeapSite {
                        stack,
                        culprit: c,
                        func,
                        line,
                    });
                    col.0.push(0.0);
                    col.1.push(0.0);
                }
                let b = inuse_bytes as f64;
                col.0[site] += b;
                // Objects are asked for at the last point only.
                if p + 1 == n {
                    col.1[site] += inuse_objects as f64;
                }
                totals[p] += b;
            }
        }
        columns.push(col);
        if columns.len() == CHUNK || p + 1 == n {
            site_bytes.resize(sites.len() * n, 0.0);
            flush_columns(
                &columns,
                first,
                n,
                &sites,
                &mut site_bytes,
                &mut funcs,
                &mut lines,
            );
            first = p + 1;
            spare.append(&mut columns);
        }
    }
    for (site, s) in sites.iter().enumerate() {
        let row = &site_bytes[site * n..(site + 1) * n];
        for (sum, &b) in funcs[s.func].bytes.iter_mut().zip(row) {
            *sum += b;
        }
    }
    HeapSeries {
        points,
        sites,
        site_bytes,
        funcs,
        lines,
        totals,
    }
}

/// Snapshots summed in columns before they are written into rows.
const CHUNK: usize = 32;

/// Writes the columns of points `first..` into the site rows (`n` points
/// each), adds the first and last point's bytes to the line sums and the
/// last point's objects to the function sums.
fn flush_columns(
    columns: &[(Vec<f64>, Vec<f64>)],
    first: usize,
    n: usize,
    sites: &[HeapSite],
    site_bytes: &mut [f64],
    funcs: &mut [HeapAgg],
    lines: &mut [LineAgg],
) {
    for (site, s) in sites.iter().enumerate() {
        let row = &mut site_bytes[site * n + first..site * n + first + columns.len()];
        for (k, (bytes, objects)) in columns.iter().enumerate() {
            let (Some(&b), Some(&o)) = (bytes.get(site), objects.get(site)) else {
                continue;
            };
            if b == 0.0 && o == 0.0 {
                continue;
            }
            row[k] = b;
            let p = first + k;
            if p == 0 {
                lines[s.line].first_bytes += b;
            }
            if p + 1 == n {
                lines[s.line].last_bytes += b;
                funcs[s.func].last_objects += o;
            }
        }
    }
}

impl HeapAgg {
    fn new(frame: Option<FrameId>, n: usize) -> Self {
        HeapAgg {
            frame,
            bytes: vec![0.0; n],
            last_objects: 0.0,
            sites: Vec::new(),
        }
    }
}

/// Evidence gathered for one normalised goroutine stack.
#[derive(Clone, Debug)]
pub struct GStack {
    /// Representative original stack (the largest group's).
    pub rep: StackId,
    rep_count: u64,
    /// Culprit.
    pub culprit: Option<Culprit>,
    /// Goroutines seen per cause (from wait reasons or frames), by
    /// `Cause as usize`.
    pub cause_votes: [u64; 11],
    /// Goroutines whose cause could not be seen.
    pub unknown: u64,
    /// Nil channel or `select {}` seen.
    pub forever: bool,
    /// A runtime-internal wait.
    pub runtime_wait: bool,
    /// Goroutine 1 (main) is among them.
    pub has_main_goroutine: bool,
    /// Largest number proven leaked in one snapshot (marks or leak profile).
    pub leaked: u64,
    /// Seen in a goroutineleak profile.
    pub in_leak_profile: bool,
    /// `created by` frames with goroutine counts.
    pub created_by: Vec<(FrameId, u64)>,
    /// Labels seen (at most [`MAX_LABELS`]).
    pub labels: Vec<(StrId, StrId)>,
    /// Longest wait in minutes.
    pub max_wait: Option<u32>,
    /// Wait reasons with goroutine counts.
    pub reasons: Vec<(StrId, u64)>,
    /// What the last point's dump shows of these goroutines.
    pub now: NowFacts,
}

/// What the last goroutine dump of a series shows of a stack's
/// goroutines: their waits and ids (the single-snapshot facts).
#[derive(Clone, Debug, Default)]
pub struct NowFacts {
    /// Goroutines by `N minutes` of wait (minutes, count), ascending.
    pub waits: Vec<(u32, u64)>,
    /// Smallest and largest goroutine id.
    pub id_range: Option<(u64, u64)>,
    /// Goroutines whose wait reason carries `(durable)`.
    pub durable: u64,
    /// Goroutines proven leaked in the last dump (marks, leak profiles).
    pub leaked: u64,
    /// The dump has one block per goroutine (debug=2, crash): ids and waits
    /// are known.
    pub per_goroutine: bool,
}

impl NowFacts {
    /// Adds a group of the last dump.
    pub fn absorb(&mut self, grp: &GoroutineGroup, durable: bool, per_goroutine: bool) {
        self.per_goroutine |= per_goroutine;
        for &(m, c) in &grp.waits {
            tally(&mut self.waits, m, c);
        }
        self.waits.sort_unstable();
        if let Some((lo, hi)) = grp.id_range {
            self.id_range = Some(match self.id_range {
                Some((a, b)) => (a.min(lo), b.max(hi)),
                None => (lo, hi),
            });
        }
        if durable {
            self.durable = self.durable.saturating_add(grp.count);
        }
        self.leaked = self.leaked.saturating_add(grp.leaked);
    }
}

impl GStack {
    /// A stack seen for the first time, with no evidence yet.
    fn new(rep: StackId, culprit: Option<Culprit>) -> GStack {
        GStack {
            rep,
            rep_count: 0,
            culprit,
            cause_votes: [0; 11],
            unknown: 0,
            forever: false,
            runtime_wait: false,
            has_main_goroutine: false,
            leaked: 0,
            in_leak_profile: false,
            created_by: Vec::new(),
            labels: Vec::new(),
            max_wait: None,
            reasons: Vec::new(),
            now: NowFacts::default(),
        }
    }

    /// Adds the evidence of one group of a dump (`leak_profile`: the dump
    /// is a goroutineleak profile; `debug1`: it is in debug=1 format).
    fn absorb(&mut self, grp: &GoroutineGroup, ci: CauseInfo, leak_profile: bool, debug1: bool) {
        // Prefer a representative from a format that keeps the most frames.
        let rep_weight = grp.count.saturating_add(if debug1 { 0 } else { 1 << 40 });
        if rep_weight > self.rep_count {
            self.rep_count = rep_weight;
            self.rep = grp.stack;
        }
        if ci.unknown {
            self.unknown = self.unknown.saturating_add(grp.count.max(1));
        } else {
            let v = &mut self.cause_votes[ci.cause as usize];
            *v = v.saturating_add(grp.count.max(1));
        }
        self.forever |= ci.forever;
        self.runtime_wait |= ci.runtime_wait;
        self.has_main_goroutine |= grp.sample_ids.contains(&1);
        let leaked = if leak_profile {
            self.in_leak_profile = true;
            grp.count.max(grp.leaked)
        } else {
            grp.leaked
        };
        self.leaked = self.leaked.max(leaked);
        if let Some(cb) = grp.created_by {
            tally(&mut self.created_by, cb, grp.count);
        }
        for &l in &grp.labels {
            if self.labels.len() < MAX_LABELS && !self.labels.contains(&l) {
                self.labels.push(l);
            }
        }
        if let Some(w) = grp.max_wait_minutes {
            self.max_wait = Some(self.max_wait.map_or(w, |m| m.max(w)));
        }
        if let Some(r) = grp.wait_reason {
            tally(&mut self.reasons, r, grp.count);
        }
    }
}

/// Adds `c` to the entry of `id`, or appends one.
pub fn tally<T: PartialEq + Copy>(acc: &mut Vec<(T, u64)>, id: T, c: u64) {
    match acc.iter_mut().find(|x| x.0 == id) {
        Some(x) => x.1 = x.1.saturating_add(c),
        None => acc.push((id, c)),
    }
}

/// At most this many distinct labels are kept per stack.
pub const MAX_LABELS: usize = 16;

/// Goroutine series: the count of every normalised stack at each point.
#[derive(Clone, Debug, Default)]
pub struct GoroutineSeries {
    /// The points.
    pub points: Points,
    /// Stacks.
    pub stacks: Vec<GStack>,
    /// Counts, `stacks × points`, row-major.
    pub counts: Vec<f64>,
    /// Total goroutines per point (the dumps' totals).
    pub totals: Vec<f64>,
    /// goroutineleak profiles (debug=1/protobuf) seen, and how many of them
    /// were empty.
    pub leak_profiles: (usize, usize),
}

impl GoroutineSeries {
    /// Counts of a stack over the points.
    pub fn row(&self, stack: usize) -> &[f64] {
        let n = self.points.len();
        self.counts.get(stack * n..(stack + 1) * n).unwrap_or(&[])
    }
}

/// Builds the goroutine series. Every goroutine snapshot of the segment
/// contributes evidence (causes, proof, labels); only the chosen points
/// contribute counts.
pub fn build_goroutines(
    archive: &Archive,
    seg: &Segment,
    points: Points,
    norm: &mut Normalizer,
    classes: &mut FrameClasses,
) -> GoroutineSeries {
    let tables = &archive.tables;
    let n = points.len();
    let mut point_of: HashMap<usize, usize> = HashMap::new();
    for (p, &si) in points.snaps.iter().enumerate() {
        point_of.insert(si, p);
    }
    let mut stack_of_norm: Vec<u32> = Vec::new();
    let mut stacks: Vec<GStack> = Vec::new();
    let mut counts: Vec<f64> = Vec::new();
    let mut totals = vec![0.0; n];
    let mut leak_profiles = (0usize, 0usize);
    let mut cause_cache: HashMap<(StackId, Option<StrId>), CauseInfo> = HashMap::new();
    for &si in &seg.snaps {
        let snap = &archive.snapshots[si];
        let Some(g) = snap.goroutines.as_ref() else {
            continue;
        };
        let point = point_of.get(&si).copied();
        if let Some(p) = point {
            totals[p] = g.total as f64;
        }
        if g.leak_profile {
            leak_profiles.0 += 1;
            if g.groups.iter().all(|x| x.count == 0) {
                leak_profiles.1 += 1;
            }
        }
        let debug1 = snap.format == Format::GoroutineDebug1;
        for grp in &g.groups {
            let ns = norm.get(tables, grp.stack);
            let (idx, new) = dense_index(&mut stack_of_norm, ns, stacks.len());
            if new {
                stacks.push(GStack::new(
                    grp.stack,
                    culprit(tables, classes, tables.stack(grp.stack), true),
                ));
                counts.resize(counts.len() + n, 0.0);
            }
            let key = (grp.stack, grp.wait_reason);
            let ci = *cause_cache.entry(key).or_insert_with(|| {
                let reason = grp.wait_reason.map(|r| tables.str(r));
                group_cause(tables, reason, tables.stack(grp.stack))
            });
            stacks[idx].absorb(grp, ci, g.leak_profile, debug1);
            if let Some(p) = point {
                counts[idx * n + p] += grp.count as f64;
                if p + 1 == n {
                    let durable = grp
                        .wait_reason
                        .is_some_and(|r| tables.str(r).ends_with("(durable)"));
                    stacks[idx].now.absorb(grp, durable, g.per_goroutine);
                }
            }
        }
    }
    GoroutineSeries {
        points,
        stacks,
        counts,
        totals,
        leak_profiles,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{GoroutineData, GoroutineGroup, HeapData, HeapSample, MemStats, MemValue};

    fn goroutine_snap(
        tables: &mut Tables,
        moment: usize,
        time: Option<i64>,
        fns: &[&str],
        count: u64,
    ) -> Snapshot {
        let frames: Vec<FrameId> = fns
            .iter()
            .map(|f| tables.intern_frame(f, "m.go", 3))
            .collect();
        let stack = tables.intern_stack(&frames);
        let mut s = Snapshot::new(Format::GoroutineDebug2, ProfileKind::Goroutine);
        s.moment = moment;
        s.time = time;
        s.path = format!("g{moment}.txt");
        s.goroutines = Some(GoroutineData {
            total: count,
            groups: vec![GoroutineGroup::new(stack, count)],
            ..Default::default()
        });
        s
    }

    #[test]
    fn restart_splits_and_largest_is_chosen() {
        let mut a = Archive::default();
        for i in 0..5 {
            let mut s = Snapshot::new(Format::HeapText, ProfileKind::Heap);
            s.moment = i;
            s.path = format!("h{i}");
            let mut ms = MemStats::default();
            let gc = if i < 2 { 10 + i as u64 } else { i as u64 };
            ms.set("NumGC", MemValue::U64(gc));
            s.memstats = Some(ms);
            a.snapshots.push(s);
        }
        let (segs, outliers) = split_processes(&a);
        assert!(outliers.is_empty());
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[0].snaps, vec![0, 1]);
        assert_eq!(segs[1].snaps, vec![2, 3, 4]);
        assert!(
            segs[1]
                .reason
                .as_deref()
                .unwrap_or("")
                .contains("NumGC went down")
        );
        assert_eq!(segs[1].info.snapshots, 3);
    }

    #[test]
    fn a_lone_counter_drop_is_an_outlier() {
        let mut a = Archive::default();
        for (i, gc) in [10u64, 11, 3, 12, 13, 2].iter().enumerate() {
            let mut s = Snapshot::new(Format::HeapText, ProfileKind::Heap);
            s.moment = i;
            s.path = format!("h{i}");
            let mut ms = MemStats::default();
            ms.set("NumGC", MemValue::U64(*gc));
            s.memstats = Some(ms);
            a.snapshots.push(s);
        }
        let (segs, outliers) = split_processes(&a);
        assert_eq!(segs.len(), 1);
        assert_eq!(segs[0].snaps, vec![0, 1, 3, 4]);
        assert_eq!(outliers.iter().map(|o| o.0).collect::<Vec<_>>(), vec![2, 5]);
    }

    #[test]
    fn build_id_change_splits_with_its_moment() {
        let mut a = Archive::default();
        for i in 0..4 {
            // A text dump (no build id) and a protobuf at each moment.
            let mut t = Snapshot::new(Format::GoroutineDebug1, ProfileKind::Goroutine);
            t.moment = i;
            a.snapshots.push(t);
            let mut p = Snapshot::new(Format::Pprof, ProfileKind::Heap);
            p.moment = i;
            p.process.build_id = Some(if i < 3 { "aaa" } else { "bbb" }.into());
            a.snapshots.push(p);
        }
        let (segs, _) = split_processes(&a);
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[1].snaps, vec![6, 7]);
        assert_eq!(segs[1].info.build_id.as_deref(), Some("bbb"));
    }

    #[test]
    fn synthetic_timeline_without_times() {
        let mut t = Tables::new();
        let mut a = Archive::default();
        for i in 0..3 {
            let s = goroutine_snap(&mut t, i * 2, None, &["main.w"], 1);
            a.snapshots.push(s);
        }
        a.tables = t;
        let (segs, _) = split_processes(&a);
        let tl = Timeline::new(&a, &segs[0]);
        assert!(tl.synthetic);
        let p = points(&a, &segs[0], &tl, goroutine_level_score);
        assert_eq!(p.xs, vec![0.0, 1.0, 2.0]);
        assert_eq!(p.times[2], 2 * SYNTHETIC_SPACING_NS);
    }

    #[test]
    fn unknown_times_follow_goroutine_ids() {
        let mut t = Tables::new();
        let mut a = Archive::default();
        for (m, id) in [(0usize, 16u64), (1, 88), (2, 26), (3, 42)] {
            let mut s = goroutine_snap(&mut t, m, None, &["main.w"], 1);
            if let Some(g) = s.goroutines.as_mut() {
                g.max_goroutine_id = Some(id);
            }
            a.snapshots.push(s);
        }
        a.tables = t;
        let (segs, _) = split_processes(&a);
        let tl = Timeline::new(&a, &segs[0]);
        let mut p = points(&a, &segs[0], &tl, goroutine_level_score);
        let note = order_by_goroutine_ids(&a, &mut p).expect("moved");
        assert_eq!(p.snaps, vec![0, 2, 3, 1]);
        assert!(note.ends_with("moved g1.txt."), "{note}");
        // Already in order: nothing moves.
        assert_eq!(order_by_goroutine_ids(&a, &mut p), None);
        // A crash dump goes last among equal ids, and last without ids.
        a.snapshots[1].format = Format::Crash;
        if let Some(g) = a.snapshots[1].goroutines.as_mut() {
            g.max_goroutine_id = Some(42);
        }
        let mut p = points(&a, &segs[0], &tl, goroutine_level_score);
        order_by_goroutine_ids(&a, &mut p).expect("moved");
        assert_eq!(p.snaps, vec![0, 2, 3, 1]);
        for s in &mut a.snapshots {
            if let Some(g) = s.goroutines.as_mut() {
                g.max_goroutine_id = None;
            }
        }
        let mut p = points(&a, &segs[0], &tl, goroutine_level_score);
        order_by_goroutine_ids(&a, &mut p).expect("moved");
        assert_eq!(p.snaps, vec![0, 2, 3, 1]);
    }

    #[test]
    fn goroutine_counts_match_across_formats() {
        let mut t = Tables::new();
        let mut a = Archive::default();
        // protobuf keeps runtime frames, debug=2 hides them: same stack.
        let mut s0 = goroutine_snap(
            &mut t,
            0,
            Some(0),
            &["runtime.gopark", "runtime.chansend1", "main.p"],
            5,
        );
        s0.format = Format::Pprof;
        let s1 = goroutine_snap(&mut t, 1, Some(60_000_000_000), &["main.p"], 7);
        a.snapshots.push(s0);
        a.snapshots.push(s1);
        a.tables = t;
        let (segs, _) = split_processes(&a);
        let tl = Timeline::new(&a, &segs[0]);
        assert!(!tl.synthetic);
        let p = points(&a, &segs[0], &tl, goroutine_level_score);
        assert!((p.xs[1] - 1.0 / 60.0).abs() < 1e-12);
        let mut norm = Normalizer::default();
        let mut cl = FrameClasses::default();
        let gs = build_goroutines(&a, &segs[0], p, &mut norm, &mut cl);
        assert_eq!(gs.stacks.len(), 1);
        assert_eq!(gs.row(0), &[5.0, 7.0]);
        assert_eq!(
            gs.stacks[0].cause_votes[crate::analysis::types::Cause::ChanSend as usize],
            5
        );
        // debug=2 with no reason and a user leaf counts as unknown.
        assert_eq!(gs.stacks[0].unknown, 7);
    }

    #[test]
    fn heap_sites_absent_are_zero_and_aggregate() {
        let mut t = Tables::new();
        let f1 = t.intern_frame("main.put", "c.go", 35);
        let f2 = t.intern_frame("main.put", "c.go", 36);
        let root = t.intern_frame("main.main", "m.go", 9);
        let s1 = t.intern_stack(&[f1, root]);
        let s2 = t.intern_stack(&[f2, root]);
        let mut a = Archive::default();
        for i in 0..3 {
            let mut s = Snapshot::new(Format::Pprof, ProfileKind::Heap);
            s.moment = i;
            s.time = Some(i as i64 * SYNTHETIC_SPACING_NS);
            let mut samples = vec![HeapSample {
                stack: s1,
                inuse_objects: 1,
                inuse_bytes: 100 * (i as i64 + 1),
                alloc_objects: 0,
                alloc_bytes: 0,
                object_size: None,
            }];
            if i == 2 {
                samples.push(HeapSample {
                    stack: s2,
                    inuse_objects: 2,
                    inuse_bytes: 50,
                    alloc_objects: 0,
                    alloc_bytes: 0,
                    object_size: None,
                });
            }
            s.heap = Some(HeapData {
                has_inuse: true,
                samples: samples.into(),
                ..Default::default()
            });
            a.snapshots.push(s);
        }
        // A delta profile is not a level.
        let mut d = Snapshot::new(Format::Pprof, ProfileKind::Heap);
        d.moment = 3;
        d.time = Some(3 * SYNTHETIC_SPACING_NS);
        d.heap = Some(HeapData {
            has_inuse: true,
            delta: true,
            ..Default::default()
        });
        a.snapshots.push(d);
        a.tables = t;
        let (segs, _) = split_processes(&a);
        let tl = Timeline::new(&a, &segs[0]);
        let p = points(&a, &segs[0], &tl, heap_level_score);
        assert_eq!(p.len(), 3);
        let mut norm = Normalizer::default();
        let mut cl = FrameClasses::default();
        let hs = build_heap(&a, p, &mut norm, &mut cl);
        assert_eq!(hs.sites.len(), 2);
        assert_eq!(hs.site_row(1), &[0.0, 0.0, 50.0]);
        assert_eq!(hs.funcs.len(), 1);
        assert_eq!(hs.funcs[0].bytes, vec![100.0, 200.0, 350.0]);
        assert_eq!(hs.funcs[0].last_objects, 3.0);
        assert_eq!(hs.lines.len(), 2);
        assert_eq!(hs.totals, vec![100.0, 200.0, 350.0]);
    }
}
