//! gzip layers with a bound on the decompressed size.
//!
//! A gzip bomb (a few kilobytes that inflate to gigabytes) must not exhaust
//! memory, so [`gunzip`] streams the output in chunks and stops as soon as it
//! would exceed the limit. It never reserves the limit up front: the buffer
//! starts at the size the trailer claims (bounded) and grows with the data
//! actually produced.

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
    gunzip_into(data, limit, &mut out)?;
    Ok(out)
}

/// [`gunzip`] into `out` (cleared first), so that a caller decompressing
/// file after file reuses one buffer. On an error `out` holds what was
/// produced before it.
pub fn gunzip_into(data: &[u8], limit: u64, out: &mut Vec<u8>) -> Result<(), SkipReason> {
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
        Ok(_) => Ok(()),
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
