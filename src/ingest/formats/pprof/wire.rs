//! A cheap walk over the top-level fields of a protobuf message, without
//! decoding or allocating anything: enough to tell a `Profile` from any
//! other bytes, and to catch what prost silently accepts but pprof rejects
//! (two `time_nanos` fields = concatenated profiles).

/// What the walk saw at the top level of a would-be `Profile`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Summary {
    /// Number of `sample_type` (field 1) entries.
    pub sample_types: usize,
    /// Number of `string_table` (field 6) entries.
    pub strings: usize,
    /// Length of the first `string_table` entry, if there is one.
    pub first_string_len: Option<usize>,
    /// A `time_nanos` (field 9) field follows a nonzero one: two profiles
    /// were concatenated (pprof refuses these).
    pub concatenated: bool,
}

impl Summary {
    /// A string table starting with `""` and at least one sample type.
    pub fn looks_like_profile(&self) -> bool {
        self.sample_types > 0 && self.first_string_len == Some(0)
    }
}

use super::decode::read_varint as varint;

const VARINT: u64 = 0;
const FIXED64: u64 = 1;
const LEN: u64 = 2;
const FIXED32: u64 = 5;

/// Walks all top-level fields. Fails on a malformed field or on a field of
/// `Profile` (1–15) with the wrong wire type; unknown higher field numbers
/// are skipped like any protobuf decoder does.
pub(super) fn scan(data: &[u8]) -> Result<Summary, String> {
    let mut s = Summary::default();
    let mut pos = 0usize;
    let mut time_seen = false;
    while pos < data.len() {
        let at = pos;
        let tag = varint(data, &mut pos).ok_or_else(|| format!("bad field tag at byte {at}"))?;
        let field = tag >> 3;
        let wire = tag & 7;
        let fits = match field {
            0 => return Err(format!("field number 0 at byte {at}")),
            1..=6 | 11 => wire == LEN,
            7..=10 | 12 | 14 | 15 => wire == VARINT,
            13 => wire == VARINT || wire == LEN,
            _ => matches!(wire, VARINT | FIXED64 | LEN | FIXED32),
        };
        if !fits {
            return Err(format!(
                "field {field} has wire type {wire} at byte {at}, not a pprof profile"
            ));
        }
        match wire {
            VARINT => {
                let v =
                    varint(data, &mut pos).ok_or_else(|| format!("bad varint at byte {pos}"))?;
                if field == 9 {
                    s.concatenated |= time_seen;
                    time_seen |= v != 0;
                }
            }
            FIXED64 => pos = skip(data, pos, 8).ok_or("truncated fixed64")?,
            FIXED32 => pos = skip(data, pos, 4).ok_or("truncated fixed32")?,
            _ => {
                let len =
                    varint(data, &mut pos).ok_or_else(|| format!("bad length at byte {pos}"))?;
                let len = usize::try_from(len).map_err(|_| "length too large")?;
                pos = skip(data, pos, len).ok_or_else(|| {
                    format!("field {field} at byte {at} runs past the end of the data")
                })?;
                match field {
                    1 => s.sample_types += 1,
                    6 => {
                        if s.strings == 0 {
                            s.first_string_len = Some(len);
                        }
                        s.strings += 1;
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(s)
}

fn skip(data: &[u8], pos: usize, n: usize) -> Option<usize> {
    let end = pos.checked_add(n)?;
    (end <= data.len()).then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_profile_is_recognised() {
        // sample_type {type:1 unit:2}, string_table "", "goroutine", "count",
        // time_nanos 5.
        let data = [
            0x0a, 4, 0x08, 1, 0x10, 2, 0x32, 0, 0x32, 1, b'g', 0x32, 1, b'c', 0x48, 5,
        ];
        let s = scan(&data).expect("valid");
        assert_eq!(
            s,
            Summary {
                sample_types: 1,
                strings: 3,
                first_string_len: Some(0),
                concatenated: false,
            }
        );
        assert!(s.looks_like_profile());
    }

    #[test]
    fn text_and_junk_are_rejected() {
        for text in [
            &b"heap profile: 1: 2 [3: 4] @ heap/1048576\n"[..],
            b"goroutine 1 [running]:\nmain.main()\n",
            b"{\"memstats\": {}}",
            b"\x0a\xff",
            b"",
        ] {
            let ok = scan(text).map(|s| s.looks_like_profile()).unwrap_or(false);
            assert!(!ok, "{:?}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn first_string_must_be_empty() {
        let data = [0x0a, 0, 0x32, 1, b'x'];
        let s = scan(&data).expect("valid wire format");
        assert_eq!(s.first_string_len, Some(1));
        assert!(!s.looks_like_profile());
    }

    #[test]
    fn wrong_wire_type_for_known_field_fails() {
        // field 9 (time_nanos) as length-delimited.
        assert!(scan(&[0x4a, 0]).is_err());
        // unknown field 20, fixed32: skipped.
        let s = scan(&[0xa5, 0x01, 1, 2, 3, 4]).expect("unknown field skipped");
        assert_eq!(s, Summary::default());
    }

    #[test]
    fn concatenation_shows_two_time_fields() {
        let one = [0x0a, 0, 0x32, 0, 0x48, 1];
        assert!(!scan(&one).expect("valid").concatenated);
        let two: Vec<u8> = one.iter().chain(one.iter()).copied().collect();
        assert!(scan(&two).expect("valid").concatenated);
        // A zero time first is not a concatenation (pprof checks nonzero).
        assert!(!scan(&[0x48, 0, 0x48, 1]).expect("valid").concatenated);
    }
}
