//! A copy-free `profile.proto` decoder.
//!
//! The profile is read in one pass over its top-level fields: the string
//! table becomes slices of the input, functions, mappings and locations
//! small fixed-size records (all location lines in one shared vector), and
//! every sample stays an undecoded slice that [`SampleReader`] decodes into
//! reused buffers when it is converted. A heap profile of 13,000 samples
//! thus costs a handful of allocations instead of tens of thousands
//! (`prost` gives every sample three vectors and every string its own).
//!
//! It accepts what `prost` accepts for these messages: fields in any
//! order, repeated scalars packed or not (runs are appended), the last
//! value of a repeated scalar field winning, unknown fields skipped, a
//! second occurrence of a nested message merged into the first. Two
//! deliberate differences, both for input no Go writer produces: a
//! deprecated group (wire types 3 and 4) is refused rather than skipped,
//! and UTF-8 is never checked (see `pb.rs`).

/// A problem in the wire format, with the byte offset where it was seen.
pub(super) type DecodeError = String;

const VARINT: u8 = 0;
const FIXED64: u8 = 1;
const LEN: u8 = 2;
const FIXED32: u8 = 5;

/// One field value as it is on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Value<'a> {
    Varint(u64),
    Fixed64,
    Fixed32,
    Len(&'a [u8]),
}

impl Value<'_> {
    fn wire_type(self) -> u8 {
        match self {
            Value::Varint(_) => VARINT,
            Value::Fixed64 => FIXED64,
            Value::Fixed32 => FIXED32,
            Value::Len(_) => LEN,
        }
    }
}

/// Reads one message's fields in order.
struct Fields<'a> {
    data: &'a [u8],
    pos: usize,
    /// Offset of `data` in the whole profile, for messages.
    base: usize,
}

impl<'a> Fields<'a> {
    fn new(data: &'a [u8], base: usize) -> Self {
        Fields { data, pos: 0, base }
    }

    /// The next `(field number, value)`, or `None` at the end.
    ///
    /// Inlined into each message's loop with the usual case first (a
    /// one-byte tag, then a varint or a length that fits): a profile has
    /// some 90,000 fields, and as a call returning its `Result` through
    /// memory this took a ninth of a heap profile's decoding instructions.
    /// Anything else goes to [`Fields::next_field_slow`].
    #[inline(always)]
    fn next_field(&mut self) -> Result<Option<(u32, Value<'a>)>, DecodeError> {
        let pos = self.pos;
        let Some(&tag) = self.data.get(pos) else {
            return Ok(None);
        };
        // Fields 1 to 15 with wire type VARINT or LEN.
        if (8..0x80).contains(&tag) {
            let field = u32::from(tag >> 3);
            let mut at = pos + 1;
            match tag & 7 {
                0 => {
                    if let Some(v) = read_varint(self.data, &mut at) {
                        self.pos = at;
                        return Ok(Some((field, Value::Varint(v))));
                    }
                }
                2 => {
                    if let Some(len) = read_varint(self.data, &mut at)
                        && let Some(end) = usize::try_from(len)
                            .ok()
                            .and_then(|len| at.checked_add(len))
                        && end <= self.data.len()
                    {
                        self.pos = end;
                        return Ok(Some((field, Value::Len(&self.data[at..end]))));
                    }
                }
                _ => {}
            }
        }
        self.next_field_slow()
    }

    /// [`Fields::next_field`] for any tag, and every error.
    #[cold]
    #[inline(never)]
    fn next_field_slow(&mut self) -> Result<Option<(u32, Value<'a>)>, DecodeError> {
        if self.pos >= self.data.len() {
            return Ok(None);
        }
        let at = self.base + self.pos;
        let tag = self.varint()?;
        let field = tag >> 3;
        if field == 0 || field > (1 << 29) - 1 {
            return Err(format!("invalid field number {field} at byte {at}"));
        }
        let value = match (tag & 7) as u8 {
            VARINT => Value::Varint(self.varint()?),
            FIXED64 => {
                self.skip(8, at)?;
                Value::Fixed64
            }
            FIXED32 => {
                self.skip(4, at)?;
                Value::Fixed32
            }
            LEN => {
                let len = self.varint()?;
                let start = self.pos;
                let len =
                    usize::try_from(len).map_err(|_| format!("length too large at byte {at}"))?;
                self.skip(len, at)?;
                Value::Len(&self.data[start..start + len])
            }
            w => return Err(format!("unsupported wire type {w} at byte {at}")),
        };
        Ok(Some((field as u32, value)))
    }

    /// Offset in the whole profile of `m`, a slice of this message.
    fn offset_of(&self, m: &[u8]) -> usize {
        self.base + (m.as_ptr() as usize).saturating_sub(self.data.as_ptr() as usize)
    }

    fn skip(&mut self, n: usize, at: usize) -> Result<(), DecodeError> {
        match self.pos.checked_add(n) {
            Some(end) if end <= self.data.len() => {
                self.pos = end;
                Ok(())
            }
            _ => Err(format!(
                "field at byte {at} runs past the end of its message"
            )),
        }
    }

    fn varint(&mut self) -> Result<u64, DecodeError> {
        let at = self.base + self.pos;
        read_varint(self.data, &mut self.pos).ok_or_else(|| format!("invalid varint at byte {at}"))
    }
}

/// Reads a base-128 varint of at most 10 bytes (the tenth may only hold
/// the top bit, as in `prost`).
#[inline(always)]
pub(super) fn read_varint(data: &[u8], pos: &mut usize) -> Option<u64> {
    if let Some((v, n)) = short_varint(data, *pos) {
        *pos += n;
        return Some(v);
    }
    read_varint_slow(data, pos)
}

/// The varint at `data[pos..]` when it takes one or two bytes (tags,
/// lengths, location ids, small counts): its value and length. `None` for
/// anything else, longer or malformed.
#[inline(always)]
pub(super) fn short_varint(data: &[u8], pos: usize) -> Option<(u64, usize)> {
    let first = *data.get(pos)?;
    if first < 0x80 {
        return Some((u64::from(first), 1));
    }
    let second = *data.get(pos + 1)?;
    (second < 0x80).then(|| (u64::from(first & 0x7f) | (u64::from(second) << 7), 2))
}

/// Appends the varints of a packed run to `out`; `None` (with what came
/// before appended) when one is malformed.
fn push_packed(run: &[u8], out: &mut Vec<u64>) -> Option<()> {
    let mut at = 0;
    while at < run.len() {
        out.push(read_varint(run, &mut at)?);
    }
    Some(())
}

#[inline(never)]
fn read_varint_slow(data: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for i in 0..10 {
        let b = *data.get(*pos + i)?;
        if i == 9 && b > 1 {
            return None;
        }
        v |= u64::from(b & 0x7f) << (7 * i);
        if b < 0x80 {
            *pos += i + 1;
            return Some(v);
        }
    }
    None
}

/// The wire type a field of a known number must have.
fn wrong_type(field: u32, value: Value<'_>, expected: u8) -> DecodeError {
    format!(
        "field {field} has wire type {} (expected {expected})",
        value.wire_type()
    )
}

/// A scalar field: a varint.
fn scalar(field: u32, value: Value<'_>) -> Result<u64, DecodeError> {
    match value {
        Value::Varint(v) => Ok(v),
        other => Err(wrong_type(field, other, VARINT)),
    }
}

/// A repeated scalar field, packed (one length-delimited run) or not (one
/// varint); values are appended to `out` through `map`.
fn repeated<T>(
    field: u32,
    value: Value<'_>,
    out: &mut Vec<T>,
    map: impl Fn(u64) -> T,
) -> Result<(), DecodeError> {
    match value {
        Value::Varint(v) => out.push(map(v)),
        Value::Len(run) => {
            let mut pos = 0;
            while pos < run.len() {
                let v = read_varint(run, &mut pos)
                    .ok_or_else(|| format!("invalid packed varint in field {field}"))?;
                out.push(map(v));
            }
        }
        other => return Err(wrong_type(field, other, LEN)),
    }
    Ok(())
}

/// A nested message field.
fn message(field: u32, value: Value<'_>) -> Result<&[u8], DecodeError> {
    match value {
        Value::Len(m) => Ok(m),
        other => Err(wrong_type(field, other, LEN)),
    }
}

/// A type/unit pair (`ValueType`), string indexes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct ValueType {
    pub r#type: i64,
    pub unit: i64,
}

/// A mapping, string indexes for its names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Mapping {
    pub id: u64,
    pub filename: i64,
    pub build_id: i64,
}

/// A function, string indexes for its names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Function {
    pub id: u64,
    pub name: i64,
    pub system_name: i64,
    pub filename: i64,
}

/// One logical frame of a location.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Line {
    pub function_id: u64,
    pub line: i64,
}

/// A location; its lines are `Profile::lines[lines.0 .. lines.0 + lines.1]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Location {
    pub id: u64,
    pub address: u64,
    pub lines: (u32, u32),
}

/// A whole profile, borrowing strings and samples from the input.
#[derive(Debug, Default)]
pub(super) struct Profile<'a> {
    pub sample_type: Vec<ValueType>,
    /// Undecoded `Sample` messages.
    pub samples: Vec<&'a [u8]>,
    pub mapping: Vec<Mapping>,
    pub location: Vec<Location>,
    /// Lines of all locations.
    pub lines: Vec<Line>,
    pub function: Vec<Function>,
    pub string_table: Vec<&'a [u8]>,
    pub drop_frames: i64,
    pub keep_frames: i64,
    pub time_nanos: i64,
    pub duration_nanos: i64,
    pub period_type: Option<ValueType>,
    pub period: i64,
    pub comment: Vec<i64>,
    pub default_sample_type: i64,
    pub doc_url: i64,
    /// A `time_nanos` field followed a nonzero one: two profiles were
    /// concatenated (pprof refuses these; prost would merge them).
    pub concatenated: bool,
}

/// The tables of the last profile a thread decoded, emptied, for the next
/// one: a heap profile's ~8,000 samples, ~6,000 locations and lines and
/// ~7,000 strings filled vectors grown afresh each time, by doubling, and
/// moving (a megabyte per profile) into fresh pages.
#[derive(Default)]
struct Spare {
    samples: Vec<&'static [u8]>,
    string_table: Vec<&'static [u8]>,
    mapping: Vec<Mapping>,
    location: Vec<Location>,
    lines: Vec<Line>,
    function: Vec<Function>,
}

impl Spare {
    const EMPTY: Spare = Spare {
        samples: Vec::new(),
        string_table: Vec::new(),
        mapping: Vec::new(),
        location: Vec::new(),
        lines: Vec::new(),
        function: Vec::new(),
    };
}

thread_local! {
    // Taken and put back whole, like the goroutine list of the dump parser.
    static SPARE: std::cell::Cell<Spare> = const { std::cell::Cell::new(Spare::EMPTY) };
}

/// Largest table (in entries) kept for the next profile: a rare huge
/// profile does not pin its memory for the rest of the run.
const SPARE_MAX: usize = 1 << 20;

/// `v` emptied, as a vector of slices of another lifetime, in the same
/// allocation (collecting a vector's own iterator into one whose items
/// have its items' layout reuses its memory).
fn relabel<'b>(mut v: Vec<&[u8]>) -> Vec<&'b [u8]> {
    v.clear();
    v.into_iter().map(|_| -> &'b [u8] { &[] }).collect()
}

/// `v` emptied, when it is not too large to keep.
fn emptied<T>(mut v: Vec<T>) -> Vec<T> {
    if v.capacity() > SPARE_MAX {
        return Vec::new();
    }
    v.clear();
    v
}

/// Gives the tables of a profile converted to the thread's next
/// [`decode`].
pub(super) fn recycle(
    samples: Vec<&[u8]>,
    string_table: Vec<&[u8]>,
    mapping: Vec<Mapping>,
    location: Vec<Location>,
    lines: Vec<Line>,
    function: Vec<Function>,
) {
    let spare = Spare {
        samples: relabel(emptied(samples)),
        string_table: relabel(emptied(string_table)),
        mapping: emptied(mapping),
        location: emptied(location),
        lines: emptied(lines),
        function: emptied(function),
    };
    SPARE.set(spare);
}

impl Profile<'_> {
    /// What [`super::wire::Summary::looks_like_profile`] asks of the
    /// top-level fields: a sample type, and an empty first string.
    pub fn looks_like_profile(&self) -> bool {
        !self.sample_type.is_empty() && self.string_table.first().is_some_and(|s| s.is_empty())
    }
}

/// Decodes a raw (decompressed) `profile.proto`.
pub(super) fn decode(data: &[u8]) -> Result<Profile<'_>, DecodeError> {
    let spare = SPARE.take();
    let mut p = Profile {
        samples: relabel(spare.samples),
        string_table: relabel(spare.string_table),
        mapping: spare.mapping,
        location: spare.location,
        lines: spare.lines,
        function: spare.function,
        ..Profile::default()
    };
    let mut f = Fields::new(data, 0);
    while let Some((field, value)) = f.next_field()? {
        let base = match value {
            Value::Len(m) => f.offset_of(m),
            _ => 0,
        };
        match field {
            1 => p.sample_type.push(value_type(
                message(field, value)?,
                base,
                ValueType::default(),
            )?),
            2 => p.samples.push(message(field, value)?),
            3 => p.mapping.push(mapping(message(field, value)?, base)?),
            4 => {
                let loc = location(message(field, value)?, base, &mut p.lines)?;
                p.location.push(loc);
            }
            5 => p.function.push(function(message(field, value)?, base)?),
            6 => p.string_table.push(message(field, value)?),
            7 => p.drop_frames = scalar(field, value)? as i64,
            8 => p.keep_frames = scalar(field, value)? as i64,
            9 => {
                p.concatenated |= p.time_nanos != 0;
                p.time_nanos = scalar(field, value)? as i64;
            }
            10 => p.duration_nanos = scalar(field, value)? as i64,
            11 => {
                let prev = p.period_type.unwrap_or_default();
                p.period_type = Some(value_type(message(field, value)?, base, prev)?);
            }
            12 => p.period = scalar(field, value)? as i64,
            13 => repeated(field, value, &mut p.comment, |v| v as i64)?,
            14 => p.default_sample_type = scalar(field, value)? as i64,
            15 => p.doc_url = scalar(field, value)? as i64,
            _ => {}
        }
    }
    Ok(p)
}

/// Decodes a `ValueType` into `into` (a repeated occurrence merges).
fn value_type(m: &[u8], base: usize, mut into: ValueType) -> Result<ValueType, DecodeError> {
    let mut f = Fields::new(m, base);
    while let Some((field, value)) = f.next_field()? {
        match field {
            1 => into.r#type = scalar(field, value)? as i64,
            2 => into.unit = scalar(field, value)? as i64,
            _ => {}
        }
    }
    Ok(into)
}

fn mapping(m: &[u8], base: usize) -> Result<Mapping, DecodeError> {
    let mut out = Mapping::default();
    let mut f = Fields::new(m, base);
    while let Some((field, value)) = f.next_field()? {
        match field {
            1 => out.id = scalar(field, value)?,
            5 => out.filename = scalar(field, value)? as i64,
            6 => out.build_id = scalar(field, value)? as i64,
            2..=4 | 7..=10 => {
                scalar(field, value)?;
            }
            _ => {}
        }
    }
    Ok(out)
}

fn function(m: &[u8], base: usize) -> Result<Function, DecodeError> {
    let mut out = Function::default();
    let mut f = Fields::new(m, base);
    while let Some((field, value)) = f.next_field()? {
        match field {
            1 => out.id = scalar(field, value)?,
            2 => out.name = scalar(field, value)? as i64,
            3 => out.system_name = scalar(field, value)? as i64,
            4 => out.filename = scalar(field, value)? as i64,
            5 => {
                scalar(field, value)?;
            }
            _ => {}
        }
    }
    Ok(out)
}

fn location(m: &[u8], base: usize, lines: &mut Vec<Line>) -> Result<Location, DecodeError> {
    let mut out = Location {
        lines: (lines.len() as u32, 0),
        ..Location::default()
    };
    let mut f = Fields::new(m, base);
    while let Some((field, value)) = f.next_field()? {
        match field {
            1 => out.id = scalar(field, value)?,
            3 => out.address = scalar(field, value)?,
            2 | 5 => {
                scalar(field, value)?;
            }
            4 => {
                let lm = message(field, value)?;
                let mut line = Line::default();
                let mut lf = Fields::new(lm, f.offset_of(lm));
                while let Some((field, value)) = lf.next_field()? {
                    match field {
                        1 => line.function_id = scalar(field, value)?,
                        2 => line.line = scalar(field, value)? as i64,
                        3 => {
                            scalar(field, value)?;
                        }
                        _ => {}
                    }
                }
                lines.push(line);
            }
            _ => {}
        }
    }
    out.lines.1 = lines.len() as u32 - out.lines.0;
    Ok(out)
}

/// A sample label (string indexes, or a number).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Label {
    pub key: i64,
    pub str: i64,
    pub num: i64,
    pub num_unit: i64,
}

/// Decodes samples one at a time into buffers it keeps.
#[derive(Debug, Default)]
pub(super) struct SampleReader {
    /// Location ids, leaf first (after [`SampleReader::read_deferred`]:
    /// only when `ids_run` is `None`).
    pub location_id: Vec<u64>,
    /// After [`SampleReader::read_deferred`]: the sample's location ids
    /// when they came as one packed run, left undecoded (a byte range of
    /// the message; its varints are not checked yet).
    pub ids_run: Option<(usize, usize)>,
    /// Values, in `sample_type` order.
    pub value: Vec<i64>,
    /// Labels.
    pub label: Vec<Label>,
}

impl SampleReader {
    /// Decodes one `Sample` message into the buffers.
    #[cfg(test)]
    pub fn read(&mut self, m: &[u8]) -> Result<(), DecodeError> {
        self.read_deferred(m)?;
        if let Some((start, end)) = self.ids_run.take()
            && push_packed(&m[start..end], &mut self.location_id).is_none()
        {
            // The general reader says what is wrong.
            return self.read_general(m);
        }
        Ok(())
    }

    /// [`SampleReader::read`], except that location ids that came as one
    /// packed run (as every Go writer puts them) are left in `ids_run` for
    /// the caller to decode as it uses them. Their varints are not checked:
    /// a caller that finds one malformed calls
    /// [`SampleReader::read_general`] for the error.
    #[inline]
    pub fn read_deferred(&mut self, m: &[u8]) -> Result<(), DecodeError> {
        if self.read_fast(m).is_some() {
            return Ok(());
        }
        self.read_general(m)
    }

    /// The common shape only: packed location ids and values, and labels,
    /// all well formed. `None` on anything else (an unknown field, a
    /// malformed varint, …): [`SampleReader::read_general`] then reads the
    /// message again and says what is wrong.
    #[inline]
    fn read_fast(&mut self, m: &[u8]) -> Option<()> {
        self.location_id.clear();
        self.value.clear();
        self.label.clear();
        self.ids_run = None;
        let mut pos = 0;
        while pos < m.len() {
            let tag = *m.get(pos)?;
            pos += 1;
            match tag {
                // 1: location_id, 2: value (packed runs).
                0x0a | 0x12 => {
                    let len = usize::try_from(read_varint(m, &mut pos)?).ok()?;
                    let end = pos.checked_add(len).filter(|&e| e <= m.len())?;
                    let start = pos;
                    pos = end;
                    if tag == 0x0a {
                        // The first run is kept undecoded; a second one
                        // (runs are appended) decodes both.
                        if self.ids_run.is_none() && self.location_id.is_empty() {
                            self.ids_run = Some((start, end));
                            continue;
                        }
                        if let Some((s, e)) = self.ids_run.take() {
                            push_packed(&m[s..e], &mut self.location_id)?;
                        }
                        push_packed(&m[start..end], &mut self.location_id)?;
                    } else {
                        let run = &m[start..end];
                        let mut at = 0;
                        while at < run.len() {
                            self.value.push(read_varint(run, &mut at)? as i64);
                        }
                    }
                }
                // 3: label.
                0x1a => {
                    let len = usize::try_from(read_varint(m, &mut pos)?).ok()?;
                    let end = pos.checked_add(len).filter(|&e| e <= m.len())?;
                    let lm = &m[pos..end];
                    pos = end;
                    let mut l = Label::default();
                    let mut at = 0;
                    while at < lm.len() {
                        let t = lm[at];
                        at += 1;
                        let v = read_varint(lm, &mut at)? as i64;
                        match t {
                            0x08 => l.key = v,
                            0x10 => l.str = v,
                            0x18 => l.num = v,
                            0x20 => l.num_unit = v,
                            _ => return None,
                        }
                    }
                    self.label.push(l);
                }
                _ => return None,
            }
        }
        Some(())
    }

    /// Any valid `Sample` message (fields in any order, unpacked runs,
    /// unknown fields), with an error that says what is wrong.
    pub fn read_general(&mut self, m: &[u8]) -> Result<(), DecodeError> {
        self.ids_run = None;
        self.location_id.clear();
        self.value.clear();
        self.label.clear();
        let mut f = Fields::new(m, 0);
        while let Some((field, value)) = f.next_field()? {
            match field {
                1 => repeated(field, value, &mut self.location_id, |v| v)?,
                2 => repeated(field, value, &mut self.value, |v| v as i64)?,
                3 => {
                    let lm = message(field, value)?;
                    let mut l = Label::default();
                    let mut lf = Fields::new(lm, 0);
                    while let Some((field, value)) = lf.next_field()? {
                        match field {
                            1 => l.key = scalar(field, value)? as i64,
                            2 => l.str = scalar(field, value)? as i64,
                            3 => l.num = scalar(field, value)? as i64,
                            4 => l.num_unit = scalar(field, value)? as i64,
                            _ => {}
                        }
                    }
                    self.label.push(l);
                }
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::formats::pprof::pb;
    use prost::Message;

    /// The decoded profile in prost's types, to compare with prost.
    fn to_pb(p: &Profile<'_>) -> Result<pb::Profile, DecodeError> {
        let vt = |v: &ValueType| pb::ValueType {
            r#type: v.r#type,
            unit: v.unit,
        };
        let mut r = SampleReader::default();
        let mut samples = Vec::new();
        for s in &p.samples {
            r.read(s)?;
            samples.push(pb::Sample {
                location_id: r.location_id.clone(),
                value: r.value.clone(),
                label: r
                    .label
                    .iter()
                    .map(|l| pb::Label {
                        key: l.key,
                        str: l.str,
                        num: l.num,
                        num_unit: l.num_unit,
                    })
                    .collect(),
            });
        }
        Ok(pb::Profile {
            sample_type: p.sample_type.iter().map(vt).collect(),
            sample: samples,
            mapping: p
                .mapping
                .iter()
                .map(|m| pb::Mapping {
                    id: m.id,
                    filename: m.filename,
                    build_id: m.build_id,
                    ..Default::default()
                })
                .collect(),
            location: p
                .location
                .iter()
                .map(|l| pb::Location {
                    id: l.id,
                    address: l.address,
                    line: p.lines[l.lines.0 as usize..(l.lines.0 + l.lines.1) as usize]
                        .iter()
                        .map(|x| pb::Line {
                            function_id: x.function_id,
                            line: x.line,
                            column: 0,
                        })
                        .collect(),
                    ..Default::default()
                })
                .collect(),
            function: p
                .function
                .iter()
                .map(|f| pb::Function {
                    id: f.id,
                    name: f.name,
                    system_name: f.system_name,
                    filename: f.filename,
                    start_line: 0,
                })
                .collect(),
            string_table: p.string_table.iter().map(|s| s.to_vec()).collect(),
            drop_frames: p.drop_frames,
            keep_frames: p.keep_frames,
            time_nanos: p.time_nanos,
            duration_nanos: p.duration_nanos,
            period_type: p.period_type.as_ref().map(vt),
            period: p.period,
            comment: p.comment.clone(),
            default_sample_type: p.default_sample_type,
            doc_url: p.doc_url,
        })
    }

    /// Fields this decoder does not keep, cleared for comparison.
    fn reduce(mut p: pb::Profile) -> pb::Profile {
        for m in &mut p.mapping {
            *m = pb::Mapping {
                id: m.id,
                filename: m.filename,
                build_id: m.build_id,
                ..Default::default()
            };
        }
        for l in &mut p.location {
            l.mapping_id = 0;
            l.is_folded = false;
            for x in &mut l.line {
                x.column = 0;
            }
        }
        for f in &mut p.function {
            f.start_line = 0;
        }
        p
    }

    fn sample_profile() -> pb::Profile {
        pb::Profile {
            sample_type: vec![pb::ValueType { r#type: 1, unit: 2 }],
            sample: vec![
                pb::Sample {
                    location_id: vec![1, 2, 300],
                    value: vec![-5],
                    label: vec![pb::Label {
                        key: 3,
                        str: 0,
                        num: 4096,
                        num_unit: 2,
                    }],
                },
                pb::Sample {
                    location_id: vec![7],
                    value: vec![1 << 40],
                    label: vec![],
                },
            ],
            mapping: vec![pb::Mapping {
                id: 1,
                memory_start: 0x400000,
                filename: 2,
                build_id: 1,
                has_functions: true,
                ..Default::default()
            }],
            location: vec![pb::Location {
                id: 1,
                mapping_id: 1,
                address: 0x4a0b0c,
                line: vec![
                    pb::Line {
                        function_id: 1,
                        line: 10,
                        column: 3,
                    },
                    pb::Line {
                        function_id: 2,
                        line: -1,
                        column: 0,
                    },
                ],
                is_folded: true,
            }],
            function: vec![pb::Function {
                id: 1,
                name: 1,
                system_name: 1,
                filename: 2,
                start_line: 9,
            }],
            string_table: vec![
                b"".to_vec(),
                b"a".to_vec(),
                b"b\xff".to_vec(),
                b"bytes".to_vec(),
            ],
            drop_frames: 0,
            keep_frames: 1,
            time_nanos: 1_700_000_000_000_000_000,
            duration_nanos: -3,
            period_type: Some(pb::ValueType { r#type: 1, unit: 2 }),
            period: 512 * 1024,
            comment: vec![1, 2, 3],
            default_sample_type: 1,
            doc_url: 2,
        }
    }

    #[test]
    fn recycled_tables_keep_their_memory() {
        let text = b"0123456789".to_vec();
        let mut v: Vec<&[u8]> = Vec::with_capacity(100);
        v.extend(text.chunks(2));
        let (ptr, cap) = (v.as_ptr() as usize, v.capacity());
        let back: Vec<&'static [u8]> = relabel(v);
        assert!(back.is_empty());
        assert_eq!((back.as_ptr() as usize, back.capacity()), (ptr, cap));
        // What a decode leaves is taken by the next one, emptied.
        recycle(
            back,
            Vec::new(),
            Vec::new(),
            vec![Location::default()],
            Vec::new(),
            Vec::new(),
        );
        let p = decode(&[]).expect("an empty message decodes");
        assert!(p.samples.is_empty() && p.location.is_empty());
        assert_eq!(p.samples.capacity(), cap);
        assert!(p.location.capacity() >= 1);
        // Too large a table is not kept.
        recycle(
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::with_capacity(SPARE_MAX + 1),
            Vec::new(),
            Vec::new(),
        );
        assert_eq!(decode(&[]).expect("empty").location.capacity(), 0);
    }

    #[test]
    fn decodes_like_prost() {
        let want = sample_profile();
        let bytes = want.encode_to_vec();
        let got = to_pb(&decode(&bytes).expect("decodes")).expect("samples decode");
        assert_eq!(got, reduce(want));
    }

    #[test]
    fn unpacked_repeats_and_unknown_fields() {
        // Sample: location_id 5 unpacked, then a packed run [6, 7], an
        // unknown fixed32 field 9, value -1 (10 bytes).
        let mut s = vec![0x08, 5, 0x0a, 2, 6, 7, 0x4d, 1, 2, 3, 4, 0x10];
        s.extend([0xff; 9]);
        s.push(0x01);
        let mut r = SampleReader::default();
        r.read(&s).expect("decodes");
        assert_eq!(r.location_id, [5, 6, 7]);
        assert_eq!(r.value, [-1]);
        // Reading again clears the buffers.
        r.read(&[0x08, 1]).expect("decodes");
        assert_eq!(r.location_id, [1]);
        assert!(r.value.is_empty());
    }

    #[test]
    fn scalars_last_wins_and_value_types_merge() {
        // time_nanos 1 then 2; period_type {type 5} then {unit 6}.
        let data = [0x48, 1, 0x48, 2, 0x5a, 2, 0x08, 5, 0x5a, 2, 0x10, 6];
        let p = decode(&data).expect("decodes");
        assert_eq!(p.time_nanos, 2);
        assert_eq!(p.period_type, Some(ValueType { r#type: 5, unit: 6 }));
        let want = pb::Profile::decode(&data[..]).expect("prost decodes");
        assert_eq!(want.period_type, Some(pb::ValueType { r#type: 5, unit: 6 }));
    }

    #[test]
    fn malformed_input_is_an_error() {
        for bad in [
            &[0x08][..],   // truncated varint
            &[0x12, 5, 1], // length past the end
            &[0x00, 1],    // field 0
            &[0x4a, 0],    // time_nanos as length-delimited
            &[0x0b],       // group start
            &[
                0x48, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02,
            ], // 10th byte > 1
            &[0x22, 2, 0x22, 5], // a location's line runs past the location
        ] {
            assert!(decode(bad).is_err(), "{bad:?}");
            assert!(pb::Profile::decode(bad).is_err(), "prost accepts {bad:?}");
        }
        let mut r = SampleReader::default();
        assert!(r.read(&[0x0a, 1, 0x80]).is_err(), "truncated packed varint");
        assert!(r.read(&[0x1a, 2, 0x08, 0x80]).is_err(), "truncated label");
    }

    proptest::proptest! {
        #[test]
        fn random_bytes_never_panic_and_agree_with_prost_on_success(
            data in proptest::collection::vec(proptest::num::u8::ANY, 0..256)
        ) {
            if let Ok(p) = decode(&data)
                && let Ok(ours) = to_pb(&p)
                && let Ok(theirs) = pb::Profile::decode(&data[..])
            {
                proptest::prop_assert_eq!(ours, reduce(theirs));
            }
        }
    }
}
