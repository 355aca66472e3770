//! The `profile.proto` messages (package `perftools.profiles`), written by
//! hand as `#[derive(prost::Message)]` structs from the field table of
//! google/pprof's `proto/profile.proto`.
//!
//! A leaf module: the product encodes `--pprof` output with them
//! (`render::pprof_export`); the ingest tests encode test profiles. Reading
//! profiles does not use them (ingest has its own copy-free decoder).
//!
//! Why hand-written derives instead of generating code at build time:
//! * pure Rust with no build step — no `build.rs`, no `protoc` binary, no
//!   `prost-build`/`protox` (17 crates in the build instead of about 54, and
//!   a clean dev build seconds faster on 2-core CI);
//! * the schema is frozen in practice (Go writes the same proto3 scalars and
//!   messages since 2016), and prost skips unknown fields, so a newer writer
//!   adding fields still decodes.
//!
//! prost decodes repeated scalars in both the packed and the unpacked wire
//! form whatever the attribute says (the Go runtime packs only runs of more
//! than two values), and accepts fields in any order, so the string table
//! may come last.
//!
//! Deviation from the `.proto`: `string_table` is declared `bytes`, not
//! `string` (same wire format). Go's decoder does not check UTF-8 and prost
//! would reject the whole profile for one bad label; we decode lossily when
//! a string is used instead.

/// A whole profile (`perftools.profiles.Profile`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct Profile {
    /// Meaning of each entry of `Sample.value`.
    #[prost(message, repeated, tag = "1")]
    pub sample_type: Vec<ValueType>,
    /// The samples.
    #[prost(message, repeated, tag = "2")]
    pub sample: Vec<Sample>,
    /// Mapped binaries; the first is the main binary for Go.
    #[prost(message, repeated, tag = "3")]
    pub mapping: Vec<Mapping>,
    /// Code locations referenced by samples.
    #[prost(message, repeated, tag = "4")]
    pub location: Vec<Location>,
    /// Functions referenced by location lines.
    #[prost(message, repeated, tag = "5")]
    pub function: Vec<Function>,
    /// All strings; entry 0 must be empty. Every `int64` "string" field of
    /// any message indexes this table.
    #[prost(bytes = "vec", repeated, tag = "6")]
    pub string_table: Vec<Vec<u8>>,
    /// Regex of frames to drop (string index).
    #[prost(int64, tag = "7")]
    pub drop_frames: i64,
    /// Regex of frames to keep (string index).
    #[prost(int64, tag = "8")]
    pub keep_frames: i64,
    /// Collection time, Unix nanoseconds.
    #[prost(int64, tag = "9")]
    pub time_nanos: i64,
    /// Window length (CPU and delta profiles).
    #[prost(int64, tag = "10")]
    pub duration_nanos: i64,
    /// Kind of events between samples.
    #[prost(message, optional, tag = "11")]
    pub period_type: Option<ValueType>,
    /// Events between samples (MemProfileRate for heap).
    #[prost(int64, tag = "12")]
    pub period: i64,
    /// Free-text comments (string indexes).
    #[prost(int64, repeated, tag = "13")]
    pub comment: Vec<i64>,
    /// Preferred sample type (string index; 0 = unset = the last type).
    #[prost(int64, tag = "14")]
    pub default_sample_type: i64,
    /// Documentation link (string index).
    #[prost(int64, tag = "15")]
    pub doc_url: i64,
}

/// A type/unit pair such as `inuse_space`/`bytes` (string indexes).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ValueType {
    /// Type name (string index).
    #[prost(int64, tag = "1")]
    pub r#type: i64,
    /// Unit (string index).
    #[prost(int64, tag = "2")]
    pub unit: i64,
}

/// One sample: a stack with one value per sample type.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Sample {
    /// Location ids, leaf first.
    #[prost(uint64, repeated, tag = "1")]
    pub location_id: Vec<u64>,
    /// Values, in `sample_type` order.
    #[prost(int64, repeated, tag = "2")]
    pub value: Vec<i64>,
    /// Labels.
    #[prost(message, repeated, tag = "3")]
    pub label: Vec<Label>,
}

/// A sample label: string (`str`) or numeric (`num`, optional unit).
#[derive(Clone, PartialEq, prost::Message)]
pub struct Label {
    /// Key (string index).
    #[prost(int64, tag = "1")]
    pub key: i64,
    /// String value (string index), 0 when numeric.
    #[prost(int64, tag = "2")]
    pub str: i64,
    /// Numeric value.
    #[prost(int64, tag = "3")]
    pub num: i64,
    /// Unit of `num` (string index).
    #[prost(int64, tag = "4")]
    pub num_unit: i64,
}

/// A mapped binary or shared library.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Mapping {
    /// Unique nonzero id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// Start address.
    #[prost(uint64, tag = "2")]
    pub memory_start: u64,
    /// End address.
    #[prost(uint64, tag = "3")]
    pub memory_limit: u64,
    /// Offset in the file.
    #[prost(uint64, tag = "4")]
    pub file_offset: u64,
    /// Path of the binary (string index).
    #[prost(int64, tag = "5")]
    pub filename: i64,
    /// Build id (string index).
    #[prost(int64, tag = "6")]
    pub build_id: i64,
    /// Every location has function names.
    #[prost(bool, tag = "7")]
    pub has_functions: bool,
    /// Every location has file names.
    #[prost(bool, tag = "8")]
    pub has_filenames: bool,
    /// Every location has line numbers.
    #[prost(bool, tag = "9")]
    pub has_line_numbers: bool,
    /// Inlined frames are expanded.
    #[prost(bool, tag = "10")]
    pub has_inline_frames: bool,
}

/// One machine address, possibly several logical (inlined) frames.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Location {
    /// Unique nonzero id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// Mapping id, 0 when unknown.
    #[prost(uint64, tag = "2")]
    pub mapping_id: u64,
    /// Instruction address (call-site PC).
    #[prost(uint64, tag = "3")]
    pub address: u64,
    /// Logical frames, innermost inlined first, physical function last.
    #[prost(message, repeated, tag = "4")]
    pub line: Vec<Line>,
    /// Frames were folded by the writer.
    #[prost(bool, tag = "5")]
    pub is_folded: bool,
}

/// One logical frame of a location.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Line {
    /// Function id (0 = unknown).
    #[prost(uint64, tag = "1")]
    pub function_id: u64,
    /// Source line.
    #[prost(int64, tag = "2")]
    pub line: i64,
    /// Source column (Go never writes it).
    #[prost(int64, tag = "3")]
    pub column: i64,
}

/// A function.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Function {
    /// Unique nonzero id.
    #[prost(uint64, tag = "1")]
    pub id: u64,
    /// Name (string index).
    #[prost(int64, tag = "2")]
    pub name: i64,
    /// Mangled name (string index).
    #[prost(int64, tag = "3")]
    pub system_name: i64,
    /// Source file (string index).
    #[prost(int64, tag = "4")]
    pub filename: i64,
    /// Line of the `func` declaration.
    #[prost(int64, tag = "5")]
    pub start_line: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    fn varint(mut v: u64, out: &mut Vec<u8>) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    /// A Sample with `location_id` and `value` written field by field
    /// (unpacked, as the Go runtime does for one or two values).
    fn unpacked_sample(locs: &[u64], values: &[i64]) -> Vec<u8> {
        let mut s = Vec::new();
        for &l in locs {
            s.push(0x08); // field 1, varint
            varint(l, &mut s);
        }
        for &v in values {
            s.push(0x10); // field 2, varint
            varint(v as u64, &mut s);
        }
        s
    }

    /// The same sample with both fields packed (field 1/2, length-delimited).
    fn packed_sample(locs: &[u64], values: &[i64]) -> Vec<u8> {
        let mut s = Vec::new();
        for (tag, vals) in [
            (0x0a, locs.to_vec()),
            (0x12, values.iter().map(|&v| v as u64).collect()),
        ] {
            let mut payload = Vec::new();
            for v in vals {
                varint(v, &mut payload);
            }
            s.push(tag);
            varint(payload.len() as u64, &mut s);
            s.extend(payload);
        }
        s
    }

    #[test]
    fn packed_and_unpacked_repeated_fields_decode_alike() {
        let locs = [3, 1, 2];
        let values = [7, -5, 1 << 40];
        let unpacked = Sample::decode(&unpacked_sample(&locs, &values)[..]).expect("unpacked");
        let packed = Sample::decode(&packed_sample(&locs, &values)[..]).expect("packed");
        assert_eq!(unpacked.location_id, locs);
        assert_eq!(unpacked.value, values);
        assert_eq!(packed, unpacked);
        // Mixed: one packed run followed by unpacked entries appends.
        let mut mixed = packed_sample(&[9], &[]);
        mixed.extend(unpacked_sample(&[8], &[4]));
        let m = Sample::decode(&mixed[..]).expect("mixed");
        assert_eq!(m.location_id, [9, 8]);
        assert_eq!(m.value, [4]);
    }

    #[test]
    fn negative_values_are_ten_byte_varints() {
        let s = unpacked_sample(&[], &[-1]);
        assert_eq!(s.len(), 11);
        assert_eq!(Sample::decode(&s[..]).expect("decodes").value, [-1]);
    }

    #[test]
    fn field_numbers_match_the_proto() {
        // ValueType{type: 1, unit: 2} encodes as fields 1 and 2.
        let vt = ValueType { r#type: 1, unit: 2 }.encode_to_vec();
        assert_eq!(vt, [0x08, 1, 0x10, 2]);
        // Profile.time_nanos is field 9, default_sample_type 14, string 6.
        let p = Profile {
            time_nanos: 5,
            default_sample_type: 1,
            string_table: vec![b"".to_vec()],
            ..Default::default()
        }
        .encode_to_vec();
        assert_eq!(p, [0x32, 0, 0x48, 5, 0x70, 1]);
        // Location.line is field 4, Line.function_id 1 and line 2.
        let loc = Location {
            id: 1,
            line: vec![Line {
                function_id: 2,
                line: 3,
                column: 0,
            }],
            ..Default::default()
        }
        .encode_to_vec();
        assert_eq!(loc, [0x08, 1, 0x22, 4, 0x08, 2, 0x10, 3]);
    }
}
