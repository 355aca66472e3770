//! Decoded `profile.proto` → model: resolves string indexes and ids the way
//! google/pprof's `postDecode` + `CheckValid` do, classifies the profile by
//! its sample type names, and builds interned stacks.

use super::decode::{self, Label, SampleReader};
use crate::ingest::error::SkipReason;
use crate::ingest::formats::textutil::lossy;
use crate::ingest::limits::Limits;
use crate::model::{
    Format, FrameId, GoroutineData, GoroutineGroup, HeapData, HeapSample, HeapSamples, Parsed,
    ProfileKind, Snapshot, StackId, StrId, Tables,
};
use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// The `format` of every [`SkipReason::Malformed`] from this module.
pub(super) const FORMAT: &str = "pprof profile";

pub(super) fn malformed(detail: impl Into<String>) -> SkipReason {
    SkipReason::Malformed {
        format: FORMAT,
        detail: detail.into(),
    }
}

/// The string table, with pprof's bounds check on every index.
struct Strings<'a>(Vec<&'a [u8]>);

impl<'a> Strings<'a> {
    fn new(table: Vec<&'a [u8]>) -> Result<Self, SkipReason> {
        match table.first() {
            None => Err(malformed("no string table")),
            Some(first) if !first.is_empty() => Err(malformed("string_table[0] must be ''")),
            Some(_) => Ok(Strings(table)),
        }
    }

    /// Fails like [`Strings::get`] for an index out of range, without
    /// converting the string.
    fn check(&self, index: i64) -> Result<(), SkipReason> {
        match usize::try_from(index) {
            Ok(i) if i < self.0.len() => Ok(()),
            _ => self.get(index).map(|_| ()),
        }
    }

    /// True when the string at `index` is `s`.
    fn is(&self, index: i64, s: &str) -> bool {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.0.get(i))
            .is_some_and(|b| *b == s.as_bytes())
    }

    /// The string at `index`; invalid UTF-8 is replaced, not refused.
    fn get(&self, index: i64) -> Result<Cow<'a, str>, SkipReason> {
        self.bytes(index).map(lossy)
    }

    /// The bytes of the string at `index`.
    fn bytes(&self, index: i64) -> Result<&'a [u8], SkipReason> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.0.get(i))
            .copied()
            .ok_or_else(|| {
                malformed(format!(
                    "string index {index} out of range (the table has {} entries)",
                    self.0.len()
                ))
            })
    }
}

/// Largest number of entries reserved ahead from the profile's own counts.
const RESERVE_CAP: usize = 1 << 18;

/// What a profile becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// Heap or allocs.
    Heap(ProfileKind),
    /// Goroutine (`leak = false`) or goroutineleak; the value column.
    Goroutines { leak: bool, column: usize },
}

/// Maps a protobuf id (any u64) to a dense index. Ids are usually 1..=n, so
/// those go to a vector; anything else to a hash map.
struct IdIndex {
    dense: Vec<u32>,
    sparse: HashMap<u64, u32>,
}

const NONE: u32 = u32::MAX;

impl IdIndex {
    fn new(n: usize) -> Self {
        IdIndex {
            dense: vec![NONE; n + 1],
            sparse: HashMap::new(),
        }
    }

    /// Records `id → index`; false if the id was already present.
    fn insert(&mut self, id: u64, index: u32) -> bool {
        match usize::try_from(id).ok().and_then(|i| self.dense.get_mut(i)) {
            Some(slot) if *slot == NONE => {
                *slot = index;
                true
            }
            Some(_) => false,
            None => match self.sparse.entry(id) {
                Entry::Occupied(_) => false,
                Entry::Vacant(v) => {
                    v.insert(index);
                    true
                }
            },
        }
    }

    fn get(&self, id: u64) -> Option<u32> {
        match usize::try_from(id).ok().and_then(|i| self.dense.get(i)) {
            Some(&NONE) => None,
            Some(&i) => Some(i),
            None => self.sparse.get(&id).copied(),
        }
    }
}

/// Converts a decoded profile. `name` is the file path (block vs mutex).
pub(super) fn convert(
    p: decode::Profile<'_>,
    name: &str,
    limits: &Limits,
    mut tables: Tables,
) -> Result<Parsed, SkipReason> {
    let decode::Profile {
        sample_type,
        samples: sample,
        mapping,
        location,
        lines,
        function,
        string_table,
        drop_frames,
        keep_frames,
        time_nanos,
        duration_nanos,
        period_type,
        period,
        comment,
        default_sample_type,
        doc_url,
        concatenated: _,
    } = p;
    let string_table_len = string_table.len();
    let strings = Strings::new(string_table)?;
    // pprof resolves every string index and refuses the profile if one is
    // out of range, even for fields nobody reads.
    for index in [drop_frames, keep_frames, default_sample_type, doc_url]
        .into_iter()
        .chain(comment)
        .chain(period_type.iter().flat_map(|t| [t.r#type, t.unit]))
    {
        strings.check(index)?;
    }
    let (types, default_type) = sample_types(
        &sample_type,
        default_sample_type,
        sample.is_empty(),
        &strings,
    )?;
    let target = classify(&types, &default_type, name, duration_nanos)?;

    let mut snapshot = Snapshot::new(
        Format::Pprof,
        match target {
            Target::Heap(kind) => kind,
            Target::Goroutines { leak: false, .. } => ProfileKind::Goroutine,
            Target::Goroutines { leak: true, .. } => ProfileKind::GoroutineLeak,
        },
    );
    snapshot.embedded_time = (time_nanos > 0).then_some(time_nanos);
    snapshot.duration_nanos = (duration_nanos > 0).then_some(duration_nanos);

    read_mappings(&mapping, &strings, &mut snapshot)?;

    // Sizes known up front: every string may be a name, every line a frame,
    // every sample a stack of a dozen frames or more. Capped: the counts come
    // from untrusted input.
    let hint = |n: usize| n.min(RESERVE_CAP);
    tables.reserve(
        hint(string_table_len),
        hint(lines.len()),
        hint(sample.len()),
        hint(sample.len().saturating_mul(16)),
    );
    tables.begin_stream(stream_of(&target));
    let (location_ids, location_frames, location_spans) =
        intern_locations(&location, &lines, &function, &strings, &mut tables)?;

    let by_id = location_ids
        .dense
        .iter()
        .map(|&i| match location_spans.get(i as usize) {
            Some(&span) if i != NONE => Slot::new(i, span, &location_frames),
            _ => Slot::ABSENT,
        })
        .collect();
    let mut stacks = StackBuilder {
        location_ids,
        by_id,
        location_frames,
        location_spans,
        max_depth: limits.max_stack_depth,
        buf: Vec::new(),
        cut: 0,
    };
    // A sample's packed location ids are its key.
    tables.begin_sequence(stream_of(&target), stacks.context());
    let columns = types.len();
    match target {
        Target::Heap(_) => {
            let delta = duration_nanos > 0;
            let heap = heap_data(
                &sample,
                &types,
                period,
                delta,
                &strings,
                &mut stacks,
                &mut tables,
            )?;
            if heap.delta {
                snapshot.warnings.push(format!(
                    "delta profile: values are differences over {}",
                    seconds(duration_nanos)
                ));
            }
            snapshot.heap = Some(heap);
        }
        Target::Goroutines { leak, column } => {
            let cols = (columns, column);
            snapshot.goroutines = Some(goroutine_data(
                &sample,
                cols,
                leak,
                &strings,
                &mut stacks,
                &mut tables,
            )?);
        }
    }
    snapshot.warnings.extend(stacks.cut_warning());
    decode::recycle(sample, strings.0, mapping, location, lines, function);
    Ok(Parsed { snapshot, tables })
}

/// (type, unit) names of the sample values, in order.
type TypeNames<'a> = Vec<(String, Cow<'a, str>)>;

/// The (type, unit) names of the sample values and the default sample
/// type's name (the last type when the profile names none).
fn sample_types<'a>(
    sample_type: &[decode::ValueType],
    default_sample_type: i64,
    no_samples: bool,
    strings: &Strings<'a>,
) -> Result<(TypeNames<'a>, String), SkipReason> {
    let types = sample_type
        .iter()
        .map(|t| Ok((strings.get(t.r#type)?.into_owned(), strings.get(t.unit)?)))
        .collect::<Result<Vec<_>, SkipReason>>()?;
    if types.is_empty() {
        return Err(if no_samples {
            SkipReason::NotUsed("pprof profile without sample types".into())
        } else {
            malformed("missing sample type information")
        });
    }
    let default_type = match default_sample_type {
        0 => types.last().map(|t| t.0.clone()).unwrap_or_default(),
        i => strings.get(i)?.into_owned(),
    };
    Ok((types, default_type))
}

/// Checks the mappings (pprof requires nonzero unique ids and valid
/// strings) and takes the process's binary name and build id from the
/// first one.
fn read_mappings(
    mapping: &[decode::Mapping],
    strings: &Strings,
    snapshot: &mut Snapshot,
) -> Result<(), SkipReason> {
    let mut mapping_ids = IdIndex::new(mapping.len());
    for (i, m) in mapping.iter().enumerate() {
        let file = strings.get(m.filename)?;
        let build_id = strings.get(m.build_id)?;
        check_id("mapping", m.id, mapping_ids.insert(m.id, i as u32))?;
        if i == 0 {
            let base = file.rsplit(['/', '\\']).next().unwrap_or_default();
            snapshot.process.binary = (!base.is_empty()).then(|| base.to_string());
            snapshot.process.build_id = (!build_id.is_empty()).then(|| build_id.into_owned());
        }
    }
    Ok(())
}

thread_local! {
    /// The buffer a worker packs a heap profile's sample values into before
    /// they are copied out at their exact size ([`HeapSamples::compact`]):
    /// its pages stay warm from one profile to the next.
    static VALUES: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// The heap samples of a heap/allocs profile, values by sample type name.
fn heap_data(
    sample: &[&[u8]],
    types: &[(String, Cow<'_, str>)],
    period: i64,
    delta: bool,
    strings: &Strings,
    stacks: &mut StackBuilder,
    tables: &mut Tables,
) -> Result<HeapData, SkipReason> {
    let col = |n: &str| types.iter().position(|t| t.0 == n);
    let cols = [
        col("inuse_objects"),
        col("inuse_space"),
        col("alloc_objects"),
        col("alloc_space"),
    ];
    let mut s = SampleReader::default();
    let mut samples = HeapSamples::in_buffer(VALUES.take(), sample.len());
    for raw in sample {
        s.read_deferred(raw).map_err(malformed)?;
        check_values(&s, types.len())?;
        let (stack, _) = stacks.build_sample(&mut s, raw, tables)?;
        let v = |c: Option<usize>| c.and_then(|c| s.value.get(c)).copied().unwrap_or(0);
        let object_size = s
            .label
            .iter()
            .find(|l| l.str == 0 && l.num != 0 && strings.is(l.key, "bytes"))
            .map(|l| l.num);
        check_label_strings(&s.label, strings)?;
        samples.push(HeapSample {
            stack,
            inuse_objects: v(cols[0]),
            inuse_bytes: v(cols[1]),
            alloc_objects: v(cols[2]),
            alloc_bytes: v(cols[3]),
            object_size,
        });
    }
    VALUES.set(samples.compact());
    Ok(HeapData {
        period,
        sample_types: types.iter().map(|t| t.0.clone()).collect(),
        has_inuse: cols[0].is_some() || cols[1].is_some(),
        has_alloc: cols[2].is_some() || cols[3].is_some(),
        delta,
        samples,
    })
}

/// The goroutine groups of a goroutine/goroutineleak profile: samples with
/// the same stack and labels merged. `(columns, column)`: how many values a
/// sample has and which one is the count.
fn goroutine_data(
    sample: &[&[u8]],
    (columns, column): (usize, usize),
    leak: bool,
    strings: &Strings,
    stacks: &mut StackBuilder,
    tables: &mut Tables,
) -> Result<GoroutineData, SkipReason> {
    let mut s = SampleReader::default();
    let mut groups: Vec<GoroutineGroup> = Vec::new();
    let mut seen: HashMap<(StackId, Vec<(StrId, StrId)>), usize> = HashMap::new();
    let mut total = 0u64;
    for raw in sample {
        s.read_deferred(raw).map_err(malformed)?;
        check_values(&s, columns)?;
        let value = s.value.get(column).copied().unwrap_or(0);
        let count = u64::try_from(value)
            .map_err(|_| malformed(format!("negative goroutine count {value}")))?;
        let (stack, cut) = stacks.build_sample(&mut s, raw, tables)?;
        let labels = goroutine_labels(&s.label, strings, tables)?;
        total = total.saturating_add(count);
        match seen.entry((stack, labels)) {
            Entry::Occupied(e) => {
                let g = &mut groups[*e.get()];
                g.count = g.count.saturating_add(count);
                if leak {
                    g.leaked = g.count;
                }
            }
            Entry::Vacant(e) => {
                let labels = e.key().1.clone();
                e.insert(groups.len());
                groups.push(GoroutineGroup {
                    leaked: if leak { count } else { 0 },
                    labels,
                    elided: cut,
                    ..GoroutineGroup::new(stack, count)
                });
            }
        }
    }
    Ok(GoroutineData {
        total,
        groups,
        leak_profile: leak,
        per_goroutine: false,
        max_goroutine_id: None,
        truncated: false,
    })
}

/// Picks what the profile is from its sample type names.
fn classify(
    types: &[(String, Cow<'_, str>)],
    default_type: &str,
    name: &str,
    duration_nanos: i64,
) -> Result<Target, SkipReason> {
    let has = |n: &str| types.iter().any(|t| t.0 == n);
    let column = |n: &str| types.iter().position(|t| t.0 == n);
    let heap_types = [
        "inuse_space",
        "inuse_objects",
        "alloc_space",
        "alloc_objects",
    ];
    if heap_types.iter().any(|t| has(t)) {
        let allocs = matches!(default_type, "alloc_space" | "alloc_objects");
        return Ok(Target::Heap(if allocs {
            ProfileKind::Allocs
        } else {
            ProfileKind::Heap
        }));
    }
    for (type_name, leak) in [("goroutineleak", true), ("goroutine", false)] {
        if let Some(column) = column(type_name) {
            if duration_nanos > 0 {
                return Err(SkipReason::NotUsed(format!(
                    "{type_name} delta profile (counts are differences over {})",
                    seconds(duration_nanos)
                )));
            }
            return Ok(Target::Goroutines { leak, column });
        }
    }
    let what = if has("samples") || has("cpu") {
        "CPU profile".to_string()
    } else if has("contentions") || has("delay") {
        let base = name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if base.contains("mutex") {
            "mutex profile".to_string()
        } else if base.contains("block") {
            "block profile".to_string()
        } else {
            "block or mutex profile".to_string()
        }
    } else if has("threadcreate") {
        "threadcreate profile".to_string()
    } else {
        let list: Vec<String> = types.iter().map(|t| format!("{}/{}", t.0, t.1)).collect();
        format!(
            "pprof profile with sample types {} (not a Go heap or goroutine profile)",
            list.join(", ")
        )
    };
    Err(SkipReason::NotUsed(what))
}

fn check_id(what: &str, id: u64, inserted: bool) -> Result<(), SkipReason> {
    if id == 0 {
        Err(malformed(format!("found {what} with reserved id 0")))
    } else if !inserted {
        Err(malformed(format!("multiple {what}s with the same id {id}")))
    } else {
        Ok(())
    }
}

fn check_values(s: &SampleReader, columns: usize) -> Result<(), SkipReason> {
    if s.value.len() == columns {
        Ok(())
    } else {
        Err(malformed(format!(
            "a sample has {} values for {columns} sample types",
            s.value.len()
        )))
    }
}

/// Resolves label strings as pprof does (for heap samples, whose labels we
/// otherwise only scan for `bytes`).
fn check_label_strings(labels: &[Label], strings: &Strings) -> Result<(), SkipReason> {
    for l in labels {
        strings.check(l.key)?;
        strings.check(l.str)?;
        strings.check(l.num_unit)?;
    }
    Ok(())
}

/// A goroutine sample's labels as interned pairs sorted by key, then value.
/// As in pprof, a label with a string value is a string label; otherwise,
/// when it has a number or a unit, a numeric one (value printed as the
/// number, followed by the unit if any); otherwise it is ignored.
fn goroutine_labels(
    raw: &[Label],
    strings: &Strings,
    tables: &mut Tables,
) -> Result<Vec<(StrId, StrId)>, SkipReason> {
    let mut labels = Vec::with_capacity(raw.len());
    for l in raw {
        let key = strings.get(l.key)?;
        let value = if l.str != 0 {
            strings.get(l.str)?.into_owned()
        } else if l.num != 0 || l.num_unit != 0 {
            let unit = strings.get(l.num_unit)?;
            if unit.is_empty() {
                l.num.to_string()
            } else {
                format!("{} {unit}", l.num)
            }
        } else {
            continue;
        };
        labels.push((key.into_owned(), value));
    }
    labels.sort();
    Ok(labels
        .iter()
        .map(|(k, v)| (tables.intern_str(k), tables.intern_str(v)))
        .collect())
}

/// Interns every location's logical frames once. Returns the location id
/// index, the flat frame list and each location's span in it.
#[allow(clippy::type_complexity)]
fn intern_locations(
    locations: &[decode::Location],
    lines: &[decode::Line],
    functions: &[decode::Function],
    strings: &Strings,
    tables: &mut Tables,
) -> Result<(IdIndex, Vec<FrameId>, Vec<(u32, u32)>), SkipReason> {
    let mut function_ids = IdIndex::new(functions.len());
    for (i, f) in functions.iter().enumerate() {
        strings.check(f.system_name)?;
        strings.check(f.name)?;
        strings.check(f.filename)?;
        check_id("function", f.id, function_ids.insert(f.id, i as u32))?;
    }
    // Each function's (normalised name, file) interned on first use.
    let mut function_strs: Vec<Option<(StrId, StrId)>> = vec![None; functions.len()];
    let mut location_ids = IdIndex::new(locations.len());
    let mut frames = Vec::with_capacity(lines.len());
    let mut spans = Vec::with_capacity(locations.len());
    for (i, loc) in locations.iter().enumerate() {
        check_id("location", loc.id, location_ids.insert(loc.id, i as u32))?;
        let start = frames.len() as u32;
        let address = || format!("0x{:x}", loc.address);
        let (first, count) = (loc.lines.0 as usize, loc.lines.1 as usize);
        let loc_lines = lines.get(first..first + count).unwrap_or_default();
        if loc_lines.is_empty() {
            frames.push(tables.intern_frame(&address(), "", 0));
        }
        for line in loc_lines {
            let number = u32::try_from(line.line.max(0)).unwrap_or(u32::MAX);
            let fi = function_ids.get(line.function_id).map(|i| i as usize);
            let frame = match fi.and_then(|i| Some((i, functions.get(i)?))) {
                Some((i, f)) => {
                    let ids = match function_strs.get(i).copied().flatten() {
                        Some(ids) => Some(ids),
                        None => {
                            let name = strings.bytes(f.name)?;
                            if name.is_empty() {
                                None
                            } else {
                                let file = strings.bytes(f.filename)?;
                                let ids = tables.intern_function_bytes(name, file, |t| {
                                    (
                                        t.intern_str(&crate::model::normalize_function_name(
                                            &lossy(name),
                                        )),
                                        t.intern_str(&lossy(file)),
                                    )
                                });
                                if let Some(slot) = function_strs.get_mut(i) {
                                    *slot = Some(ids);
                                }
                                Some(ids)
                            }
                        }
                    };
                    match ids {
                        Some((function, file)) => tables.intern_frame_at(
                            frames.len(),
                            crate::model::Frame {
                                function,
                                file,
                                line: number,
                            },
                        ),
                        None => {
                            let file = strings.get(f.filename)?;
                            tables.intern_frame(&address(), &file, number)
                        }
                    }
                }
                // pprof keeps a line whose function id is unknown, with no
                // function: all we can name it by is the address.
                None => tables.intern_frame(&address(), "", number),
            };
            frames.push(frame);
        }
        spans.push((start, frames.len() as u32 - start));
    }
    Ok((location_ids, frames, spans))
}

/// A location as [`StackBuilder`] looks it up by id, in four bytes (the
/// table of a profile's ~6,000 locations then fits the first-level cache):
/// its one frame (most locations: no inlined call), or, with
/// [`Slot::SPAN`] set, the index of its entry in `location_spans`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Slot(u32);

impl Slot {
    /// Set for a location given by its span (several frames, or a frame
    /// id too large to hold here).
    const SPAN: u32 = 1 << 31;
    /// No such location, or one whose index does not fit beside
    /// [`Slot::SPAN`]: looked up by id the slow way.
    const ABSENT: Slot = Slot(u32::MAX);

    /// The slot of location `index`, whose frames are `frames[start..start
    /// + len]`.
    fn new(index: u32, (start, len): (u32, u32), frames: &[FrameId]) -> Slot {
        match (len, frames.get(start as usize)) {
            (1, Some(f)) if f.0 < Self::SPAN => Slot(f.0),
            _ if index < Self::SPAN - 1 => Slot(Self::SPAN | index),
            _ => Self::ABSENT,
        }
    }

    /// The frame of a one-frame location.
    #[inline(always)]
    fn single(self) -> Option<FrameId> {
        (self.0 & Self::SPAN == 0).then_some(FrameId(self.0))
    }
}

/// Builds leaf-first logical stacks from location id lists.
struct StackBuilder {
    location_ids: IdIndex,
    /// Each location by id, for the usual dense ids.
    by_id: Vec<Slot>,
    location_frames: Vec<FrameId>,
    location_spans: Vec<(u32, u32)>,
    max_depth: usize,
    buf: Vec<FrameId>,
    /// Stacks cut at `max_depth`.
    cut: usize,
}

impl StackBuilder {
    /// The warning about stacks cut to `max_depth`, if any was.
    fn cut_warning(&self) -> Option<String> {
        (self.cut > 0).then(|| {
            format!(
                "{} stack(s) deeper than {} frames were cut to their {} leaf-most frames (raise the limit with --max-stack-depth)",
                self.cut, self.max_depth, self.max_depth
            )
        })
    }

    /// The span of a location whose id is not dense, or the error for an
    /// unknown id.
    #[cold]
    fn sparse_span(&self, id: u64) -> Result<&[FrameId], SkipReason> {
        self.location_ids
            .get(id)
            .and_then(|i| self.location_spans.get(i as usize))
            .and_then(|&(start, len)| {
                self.location_frames
                    .get(start as usize..(start as usize).checked_add(len as usize)?)
            })
            .ok_or_else(|| malformed(format!("a sample refers to unknown location id {id}")))
    }

    /// The frames of location `id`; `slot` keeps a one-frame location's
    /// frame.
    #[inline(always)]
    fn frames<'s>(&'s self, id: u64, slot: &'s mut FrameId) -> Result<&'s [FrameId], SkipReason> {
        match usize::try_from(id).ok().and_then(|i| self.by_id.get(i)) {
            Some(&s) if s != Slot::ABSENT => match s.single() {
                Some(frame) => {
                    *slot = frame;
                    Ok(std::slice::from_ref(slot))
                }
                None => Ok(self.span((s.0 & !Slot::SPAN) as usize)),
            },
            _ => self.sparse_span(id),
        }
    }

    /// The frames of the location at `index` (in profile order).
    fn span(&self, index: usize) -> &[FrameId] {
        self.location_spans
            .get(index)
            .and_then(|&(start, len)| {
                self.location_frames
                    .get(start as usize..(start as usize).checked_add(len as usize)?)
            })
            .unwrap_or_default()
    }

    /// What a sample's packed location ids mean in this profile (its key,
    /// see [`Tables::begin_sequence`]): each dense id's frames as
    /// [`StackBuilder::frames`] gives them (their count, then the frames;
    /// `u32::MAX` for an unknown id). `None` when some ids are sparse (then
    /// looked up elsewhere), so keys are not compared. Two profiles with
    /// the same context turn the same ids into the same frames.
    fn context(&self) -> Option<Vec<u32>> {
        if !self.location_ids.sparse.is_empty() {
            return None;
        }
        let mut out = Vec::with_capacity(self.by_id.len() + self.location_frames.len());
        let mut one = FrameId(0);
        for id in 0..self.by_id.len() as u64 {
            match self.frames(id, &mut one) {
                Ok(frames) => {
                    out.push(frames.len() as u32);
                    out.extend(frames.iter().map(|f| f.0));
                }
                Err(_) => out.push(u32::MAX),
            }
        }
        Some(out)
    }

    /// The interned stack of the sample `raw` that `s` read with
    /// [`SampleReader::read_deferred`], and whether it was cut.
    fn build_sample(
        &mut self,
        s: &mut SampleReader,
        raw: &[u8],
        tables: &mut Tables,
    ) -> Result<(StackId, bool), SkipReason> {
        if let Some((start, end)) = s.ids_run {
            let run = &raw[start..end];
            // The previous profile's sample at this place had the same ids,
            // which meant the same frames: its stack, not cut (only stacks
            // built whole are given a key).
            if let Some(stack) = tables.predicted_by_key(run) {
                return Ok((tables.accept_predicted(stack, Some(run)), false));
            }
            if let Some(built) = self.build_packed(run, tables)? {
                return Ok(built);
            }
            // A malformed id: the general reader says what is wrong.
            s.read_general(raw).map_err(malformed)?;
        }
        self.build(&s.location_id, tables)
    }

    /// The interned stack of a sample, and whether it was cut.
    ///
    /// No cache of location id lists: building the frame list and looking
    /// it up in the stack table costs less than hashing, boxing and
    /// freeing every distinct id list (measured on 120 heap profiles).
    fn build(&mut self, ids: &[u64], tables: &mut Tables) -> Result<(StackId, bool), SkipReason> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let mut one = FrameId(0);
        for &id in ids {
            buf.extend_from_slice(self.frames(id, &mut one)?);
        }
        let built = self.intern(&mut buf, None, tables);
        self.buf = buf;
        Ok(built)
    }

    /// Interns the frames in `buf`, cut to the depth limit, with `key`
    /// unless they were cut.
    fn intern(
        &mut self,
        buf: &mut Vec<FrameId>,
        key: Option<&[u8]>,
        tables: &mut Tables,
    ) -> (StackId, bool) {
        let cut = buf.len() > self.max_depth;
        if cut {
            buf.truncate(self.max_depth);
            self.cut += 1;
        }
        (
            tables.intern_stack_in_sequence(buf, key.filter(|_| !cut)),
            cut,
        )
    }

    /// [`StackBuilder::build`] from a packed run of location ids, decoded
    /// as they are used and compared with the stack the tables predict as
    /// they go: when it is that stack (usually), no frame is copied and no
    /// list compared afterwards. `Ok(None)`: a malformed varint (the caller
    /// asks the general reader for the error).
    fn build_packed(
        &mut self,
        run: &[u8],
        tables: &mut Tables,
    ) -> Result<Option<(StackId, bool)>, SkipReason> {
        let (expected, predicted) = tables.predicted_stack().unwrap_or((StackId(0), &[]));
        let mut one = FrameId(0);
        let mut at = 0;
        // Frames of the prediction matched so far. (`buf` is taken for the
        // call and put back on success: an error ends the profile.)
        let mut matched = 0usize;
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let mut diverged = false;
        while at < run.len() {
            (at, matched) = skip_predicted(&self.by_id, run, at, predicted, matched);
            if at == run.len() {
                break;
            }
            // Read through a copy: `at` itself, never borrowed, can stay
            // in a register.
            let mut next = at;
            let Some(id) = decode::read_varint(run, &mut next) else {
                return Ok(None);
            };
            at = next;
            let span = self.frames(id, &mut one)?;
            if predicted.get(matched..matched + span.len()) == Some(span) {
                matched += span.len();
                continue;
            }
            // The first difference: what matched so far is the start.
            buf.extend_from_slice(&predicted[..matched]);
            buf.extend_from_slice(span);
            diverged = true;
            break;
        }
        if !diverged {
            if matched == predicted.len() && matched > 0 && matched <= self.max_depth {
                self.buf = buf;
                return Ok(Some((tables.accept_predicted(expected, Some(run)), false)));
            }
            buf.extend_from_slice(&predicted[..matched]);
        }
        while at < run.len() {
            let Some(id) = decode::read_varint(run, &mut at) else {
                return Ok(None);
            };
            buf.extend_from_slice(self.frames(id, &mut one)?);
        }
        let built = self.intern(&mut buf, Some(run), tables);
        self.buf = buf;
        Ok(Some(built))
    }
}

/// Steps over the ids of `run` from byte `at` on while each is the usual
/// case: an id of one or two bytes, a location of one frame (no inlined
/// call), the frame `predicted` has at `matched`. Returns where it stopped
/// (byte, frames matched). A stack is ~30 ids deep, and this loop is most
/// of a heap profile's conversion: its own function, so that its cursors
/// stay in registers. (Reading every id with `read_varint` first and
/// testing the slot after took 4 % more instructions.)
#[inline(never)]
fn skip_predicted(
    by_id: &[Slot],
    run: &[u8],
    mut at: usize,
    predicted: &[FrameId],
    mut matched: usize,
) -> (usize, usize) {
    while let Some(&want) = predicted.get(matched)
        && let Some((id, n)) = decode::short_varint(run, at)
        && by_id.get(id as usize).and_then(|s| s.single()) == Some(want)
    {
        at += n;
        matched += 1;
    }
    (at, matched)
}

/// The stream a profile belongs to in its worker's tables: heap and
/// goroutine profiles are each predicted from the last of their kind.
fn stream_of(target: &Target) -> u32 {
    match target {
        Target::Heap(_) => 1,
        Target::Goroutines { .. } => 2,
    }
}

/// `420 s`, `1.5 s`.
fn seconds(nanos: i64) -> String {
    let s = format!("{:.3}", nanos as f64 / 1e9);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s} s")
}
