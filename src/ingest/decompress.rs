//! gzip layers with a bound on the decompressed size.
//!
//! A gzip bomb (a few kilobytes that inflate to gigabytes) must not exhaust
//! memory, so [`gunzip`] streams the output in chunks and stops as soon as it
//! would exceed the limit. It never reserves the limit up front: the buffer
//! starts at the size the trailer claims (bounded) and grows with the data
//! actually produced.
//!
//! A whole file in one gzip member, the usual case, is first inflated in
//! one call by libdeflate into a buffer of the size its trailer claims:
//! about 1.4 times as fast as streaming it through flate2 (zlib-rs) on the
//! heap profiles of the benchmark corpus (benches/README.md). Anything else
//! (several members, a trailer that lies, a corrupt or truncated stream, a
//! size over the limit) takes the streaming path, which says what is wrong.

use super::error::SkipReason;
use flate2::bufread::MultiGzDecoder;
use std::io::Read;

/// Largest initial buffer reserved from the size the gzip trailer claims
/// (the trailer is untrusted, so this is only a hint).
const MAX_HINT: u64 = 64 << 20;

/// True when the data starts with the gzip magic bytes.
pub fn is_gzip(data: &[u8]) -> bool {
    data.starts_with(&[0x1f, 0x8b])
}

/// Decompresses one gzip layer (all members, like Go's `gzip.Reader` in its
/// default multistream mode), refusing to produce more than `limit` bytes.
///
/// Errors:
/// * [`SkipReason::TooLarge`] when the output would exceed `limit`
///   (exactly `limit` bytes is accepted);
/// * [`SkipReason::BadGzip`] for a truncated or corrupt stream (bad header,
///   bad deflate data, CRC or length mismatch, trailing garbage). `offset` is
///   the number of decompressed bytes produced before the error; the detail
///   also says how far into the compressed input the decoder had read.
pub fn gunzip(data: &[u8], limit: u64) -> Result<Vec<u8>, SkipReason> {
    let mut out = Vec::new();
    let n = gunzip_into(data, limit, &mut out)?;
    out.truncate(n);
    Ok(out)
}

/// [`gunzip`] into `out`, so that a caller decompressing file after file
/// reuses one buffer: the bytes are `out[..n]` for the `n` returned (`out`
/// may be longer: its bytes past `n` are left from earlier files, kept so
/// that they need not be zeroed again). On an error `out` holds what was
/// produced before it.
pub fn gunzip_into(data: &[u8], limit: u64, out: &mut Vec<u8>) -> Result<usize, SkipReason> {
    if let Some(n) = inflate_single_member(data, limit, out) {
        return Ok(n);
    }
    let mut decoder = MultiGzDecoder::new(data);
    out.clear();
    // Room for what the trailer claims and a little more, so that reading
    // to the end neither reallocates nor zero-fills: `read_to_end` writes
    // into the spare capacity and probes for the end with a small read.
    out.reserve(initial_capacity(data, limit).saturating_add(64));
    // At most one byte more than the limit allows, so hitting the limit
    // exactly is not an error but one byte beyond it is.
    let read = (&mut decoder)
        .take(limit.saturating_add(1))
        .read_to_end(out);
    match read {
        Ok(_) if out.len() as u64 > limit => Err(SkipReason::TooLarge {
            what: "decompressed size",
            limit,
            flag: "--max-decompressed-size",
        }),
        Ok(_) => Ok(out.len()),
        Err(e) => {
            let consumed = data.len() - decoder.get_ref().len();
            let detail = if e.kind() == std::io::ErrorKind::UnexpectedEof {
                format!(
                    "stream ends early (all {} compressed bytes read)",
                    data.len()
                )
            } else {
                format!(
                    "{e} (after reading {consumed} of {} compressed bytes)",
                    data.len()
                )
            };
            Err(SkipReason::BadGzip {
                offset: out.len() as u64,
                detail,
            })
        }
    }
}

/// Largest size a trailer may claim for the one-call path: a lying
/// trailer costs at most zeroing this much before the streaming path runs.
const MAX_ONE_CALL: u64 = 256 << 20;

/// The largest ratio of decompressed to compressed size DEFLATE can reach
/// (a 258-byte match in about two bits), with room for the gzip framing.
const MAX_RATIO: u64 = 1032;

/// Inflates `data` into `out[..n]` in one libdeflate call when it is one
/// gzip member holding exactly the `n` bytes its trailer claims, within
/// `limit`. `out` only grows (zero-filled where it does). Returns `None`
/// (with `out` in any state) when that is not so or not sure: then the
/// streaming path decides.
///
/// libdeflate checks the member's CRC and size; it ignores what follows
/// the member, so the member must end the file: the trailer's size must
/// be the last four bytes of the file, and no second member may start
/// after the first header (every member starts with `1f 8b 08`; those
/// bytes inside compressed data merely send the file down the streaming
/// path).
fn inflate_single_member(data: &[u8], limit: u64, out: &mut Vec<u8>) -> Option<usize> {
    const HEADER: usize = 10;
    let tail = data.len().checked_sub(4).and_then(|at| data.get(at..))?;
    let claimed = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    let plausible = (data.len() as u64).saturating_mul(MAX_RATIO);
    if data.len() < HEADER + 8
        || claimed > limit
        || claimed > MAX_ONE_CALL
        || claimed > plausible
        || memchr::memmem::find(&data[HEADER..], &[0x1f, 0x8b, 0x08]).is_some()
    {
        return None;
    }
    let size = usize::try_from(claimed).ok()?;
    if out.len() < size {
        out.resize(size, 0);
    }
    let mut inflater = libdeflater::Decompressor::new();
    match inflater.gzip_decompress(data, &mut out[..size]) {
        Ok(n) if n == size => Some(n),
        _ => None,
    }
}

/// A first buffer size: the trailer's ISIZE field (size of the last member
/// modulo 2^32), bounded by the limit, by a fixed cap and by a plausible
/// compression ratio, so a lying trailer cannot make us reserve much.
fn initial_capacity(data: &[u8], limit: u64) -> usize {
    let claimed = data
        .len()
        .checked_sub(4)
        .and_then(|at| data.get(at..))
        .and_then(|tail| <[u8; 4]>::try_from(tail).ok())
        .map_or(0, |b| u64::from(u32::from_le_bytes(b)));
    let plausible = (data.len() as u64).saturating_mul(16);
    let hint = claimed.min(plausible).min(limit).min(MAX_HINT);
    usize::try_from(hint).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(data).expect("write to Vec");
        e.finish().expect("finish to Vec")
    }

    #[test]
    fn roundtrip() {
        let text = b"goroutine profile: total 3\n".repeat(100);
        let z = gz(&text);
        assert!(is_gzip(&z));
        assert!(!is_gzip(&text));
        assert_eq!(gunzip(&z, 1 << 20).expect("valid gzip"), text);
    }

    #[test]
    fn exact_limit_is_accepted_one_more_byte_is_not() {
        let text = vec![b'x'; 1000];
        let z = gz(&text);
        assert_eq!(gunzip(&z, 1000).expect("exactly at limit").len(), 1000);
        assert_eq!(
            gunzip(&z, 999),
            Err(SkipReason::TooLarge {
                what: "decompressed size",
                limit: 999,
                flag: "--max-decompressed-size",
            })
        );
    }

    #[test]
    fn two_members_are_concatenated() {
        let mut z = gz(b"first member, ");
        z.extend(gz(b"second member"));
        assert_eq!(
            gunzip(&z, 1 << 20).expect("two members"),
            b"first member, second member"
        );
    }

    #[test]
    fn one_member_takes_the_one_call_path() {
        let text: Vec<u8> = (0..50_000u32)
            .flat_map(|i| (i % 977).to_le_bytes())
            .collect();
        let z = gz(&text);
        // A buffer longer than the file keeps its tail; a shorter one grows.
        for left in [
            vec![7u8; text.len() + 100],
            b"left from the last file".to_vec(),
        ] {
            let mut out = left.clone();
            assert_eq!(
                inflate_single_member(&z, 1 << 20, &mut out),
                Some(text.len())
            );
            assert_eq!(out[..text.len()], text[..]);
            assert_eq!(out.len(), left.len().max(text.len()));
            assert_eq!(gunzip_into(&z, 1 << 20, &mut out), Ok(text.len()));
        }
        // Exactly at the limit, and one byte under it.
        let mut out = Vec::new();
        assert!(inflate_single_member(&z, text.len() as u64, &mut out).is_some());
        assert_eq!(
            inflate_single_member(&z, text.len() as u64 - 1, &mut out),
            None
        );
    }

    #[test]
    fn what_the_one_call_path_refuses_streams_as_before() {
        let text = b"goroutine 1 [running]:\nmain.main()\n".repeat(40);
        let one = gz(&text);
        let mut out = Vec::new();
        // The same member twice (`cat a.gz a.gz`): its trailer is the last
        // member's too, but a second header follows the first.
        let twice = [one.clone(), one.clone()].concat();
        assert_eq!(inflate_single_member(&twice, 1 << 20, &mut out), None);
        assert_eq!(
            gunzip(&twice, 1 << 20).expect("two members"),
            text.repeat(2)
        );
        // A trailer claiming more or less than the member holds.
        for claim in [text.len() as u32 + 1, text.len() as u32 - 1, u32::MAX] {
            let mut lying = one.clone();
            let at = lying.len() - 4;
            lying[at..].copy_from_slice(&claim.to_le_bytes());
            assert_eq!(inflate_single_member(&lying, 1 << 40, &mut out), None);
            assert!(matches!(
                gunzip(&lying, 1 << 40),
                Err(SkipReason::BadGzip { .. })
            ));
        }
        // Too short to hold a header and a trailer.
        assert_eq!(inflate_single_member(&one[..12], 1 << 20, &mut out), None);
        assert_eq!(inflate_single_member(&[], 1 << 20, &mut out), None);
    }

    #[test]
    fn truncated_stream_is_bad_gzip() {
        let text: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let z = gz(&text);
        let cut = &z[..z.len() / 2];
        match gunzip(cut, 1 << 30) {
            Err(SkipReason::BadGzip { offset, detail }) => {
                assert!(offset > 0 && offset < text.len() as u64, "offset {offset}");
                assert!(detail.contains("ends early"), "{detail}");
            }
            other => panic!("expected BadGzip, got {other:?}"),
        }
        // Only the header: nothing produced.
        match gunzip(&z[..10], 1 << 30) {
            Err(SkipReason::BadGzip { offset, .. }) => assert_eq!(offset, 0),
            other => panic!("expected BadGzip, got {other:?}"),
        }
    }

    #[test]
    fn corrupt_crc_is_bad_gzip() {
        let text = b"heap profile: 1: 2 [3: 4] @ heap/524288\n".repeat(50);
        let mut z = gz(&text);
        let crc_at = z.len() - 8;
        z[crc_at] ^= 0xff;
        match gunzip(&z, 1 << 20) {
            Err(SkipReason::BadGzip { offset, detail }) => {
                assert_eq!(offset, text.len() as u64);
                assert!(detail.contains("checksum"), "{detail}");
                assert!(detail.contains("compressed bytes"), "{detail}")
            }
            other => panic!("expected BadGzip, got {other:?}"),
        }
    }

    #[test]
    fn trailing_garbage_is_bad_gzip() {
        let mut z = gz(b"payload");
        z.extend_from_slice(b"garbage after the member");
        match gunzip(&z, 1 << 20) {
            Err(SkipReason::BadGzip { offset, detail }) => {
                assert_eq!(offset, 7);
                assert!(detail.contains("header"), "{detail}");
            }
            other => panic!("expected BadGzip, got {other:?}"),
        }
    }

    #[test]
    fn bomb_stops_at_the_limit() {
        // 50 MB of zeros compress to ~50 KB; refuse at 1 MB.
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..50 {
            e.write_all(&zeros).expect("write to Vec");
        }
        let z = e.finish().expect("finish");
        assert!(z.len() < 1 << 20, "bomb is {} bytes", z.len());
        // The trailer claims 50 MB, the hint must stay bounded.
        assert!(initial_capacity(&z, 1 << 20) <= 1 << 20);
        assert_eq!(
            gunzip(&z, 1 << 20),
            Err(SkipReason::TooLarge {
                what: "decompressed size",
                limit: 1 << 20,
                flag: "--max-decompressed-size",
            })
        );
    }

    #[test]
    fn capacity_hint_is_bounded_by_input_size() {
        // A 20-byte "gzip" whose trailer claims 4 GiB.
        let mut lying = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0];
        lying.extend_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(initial_capacity(&lying, 1 << 40), lying.len() * 16);
        assert_eq!(initial_capacity(&[], 1 << 40), 0);
    }
}
