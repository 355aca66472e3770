//! Frame interning from raw bytes, and the `#` frame lines of `debug=1`
//! text profiles.

use super::fxhash::{FxHashMap, FxHasher};
use super::{lossy, parse_hex, parse_u64, rfind, split_tabs};
use crate::model::{FrameId, StackId, StrId, Tables};
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// A frame as raw bytes, owned (the key stored in [`FrameCache`]).
#[derive(Debug, PartialEq, Eq)]
struct OwnedFrame {
    function: Box<[u8]>,
    file: Box<[u8]>,
    line: u32,
}

/// A frame as raw bytes borrowed from the input: looked up without
/// copying it into a key first.
struct RawFrame<'a> {
    function: &'a [u8],
    file: &'a [u8],
    line: u32,
}

/// The one hash of a frame, shared by both key forms.
fn hash_frame<H: Hasher>(function: &[u8], file: &[u8], line: u32, h: &mut H) {
    h.write_usize(function.len());
    h.write(function);
    h.write(file);
    h.write_u32(line);
}

impl Hash for OwnedFrame {
    fn hash<H: Hasher>(&self, h: &mut H) {
        hash_frame(&self.function, &self.file, self.line, h);
    }
}

impl Hash for RawFrame<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        hash_frame(self.function, self.file, self.line, h);
    }
}

impl hashbrown::Equivalent<OwnedFrame> for RawFrame<'_> {
    fn equivalent(&self, key: &OwnedFrame) -> bool {
        self.line == key.line && *self.function == *key.function && *self.file == *key.file
    }
}

/// Interns frames, stacks and strings keyed by their raw bytes in fast
/// private maps, so each distinct (function, file, line) is converted and
/// normalised only once and [`Tables`] is consulted once per distinct item.
#[derive(Debug, Default)]
pub struct FrameCache {
    map: hashbrown::HashMap<OwnedFrame, FrameId, BuildHasherDefault<FxHasher>>,
    stacks: FxHashMap<Box<[FrameId]>, StackId>,
    strs: FxHashMap<Box<[u8]>, StrId>,
}

impl FrameCache {
    /// Empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The frame id of `function` at `file:line`, interning it in `tables`
    /// on first sight. Invalid UTF-8 is converted lossily.
    pub fn frame(
        &mut self,
        tables: &mut Tables,
        function: &[u8],
        file: &[u8],
        line: u32,
    ) -> FrameId {
        let raw = RawFrame {
            function,
            file,
            line,
        };
        if let Some(&id) = self.map.get(&raw) {
            return id;
        }
        let id = tables.intern_frame(&lossy(function), &lossy(file), line);
        self.map.insert(
            OwnedFrame {
                function: function.into(),
                file: file.into(),
                line,
            },
            id,
        );
        id
    }

    /// The id of a stack (leaf first), interning it on first sight.
    pub fn stack(&mut self, tables: &mut Tables, frames: &[FrameId]) -> StackId {
        if let Some(&id) = self.stacks.get(frames) {
            return id;
        }
        let id = tables.intern_stack(frames);
        self.stacks.insert(frames.into(), id);
        id
    }

    /// The id of a string given as raw bytes (converted lossily once).
    pub fn str(&mut self, tables: &mut Tables, bytes: &[u8]) -> StrId {
        if let Some(&id) = self.strs.get(bytes) {
            return id;
        }
        let id = tables.intern_str(&lossy(bytes));
        self.strs.insert(bytes.into(), id);
        id
    }

    /// An unsymbolised frame named by its address (`0x6e5046`).
    pub fn address(&mut self, tables: &mut Tables, addr: u64) -> FrameId {
        let mut buf = [0u8; 18];
        let name = hex_name(addr, &mut buf);
        self.frame(tables, name, b"", 0)
    }
}

/// Writes `0x…` (lower-case, no padding) into `buf` and returns it.
fn hex_name(addr: u64, buf: &mut [u8; 18]) -> &[u8] {
    let mut i = buf.len();
    let mut v = addr;
    loop {
        i -= 1;
        buf[i] = b"0123456789abcdef"[(v & 0xf) as usize];
        v >>= 4;
        if v == 0 {
            break;
        }
    }
    i -= 1;
    buf[i] = b'x';
    i -= 1;
    buf[i] = b'0';
    &buf[i..]
}

/// Splits `FILE:LINE` at the last `:`. `None` unless LINE is all digits.
/// Paths may contain spaces and `C:/`.
pub fn split_file_line(s: &[u8]) -> Option<(&[u8], u32)> {
    let colon = memchr::memrchr(b':', s)?;
    let line = u32::try_from(parse_u64(&s[colon + 1..])?).ok()?;
    Some((&s[..colon], line))
}

/// One `#` line of a text profile, borrowed from the input.
#[derive(Debug, PartialEq, Eq)]
pub struct HashFrame<'a> {
    /// The printed address (already return address − 1).
    pub addr: u64,
    /// Function and location; `None` for an unknown function (`#\t0x…`).
    pub symbol: Option<(&'a [u8], &'a [u8], u32)>,
}

/// Parses `#\t0xADDR[\t+FUNC+0xOFF\t+FILE:LINE]`. Fields are separated by
/// runs of TABs (names and paths may hold spaces). `None` when the line is
/// not a frame line (e.g. `# labels:` or `# runtime.MemStats`).
pub fn parse_hash_frame(line: &[u8]) -> Option<HashFrame<'_>> {
    let rest = line.strip_prefix(b"#\t")?;
    let mut fields = split_tabs(rest);
    let addr = parse_hex(fields.next()?)?;
    let Some(func) = fields.next() else {
        return Some(HashFrame { addr, symbol: None });
    };
    // `main.f+0x28`: the offset is after the last `+0x`.
    let func = match rfind(func, b"+0x") {
        Some(i) if i > 0 => &func[..i],
        _ => func,
    };
    let (file, line_no) = match fields.next() {
        Some(fl) => split_file_line(fl).unwrap_or((fl, 0)),
        None => (&b""[..], 0),
    };
    Some(HashFrame {
        addr,
        symbol: Some((func, file, line_no)),
    })
}

/// Reads the ` 0x…` return addresses after `@` of a record line.
/// `None` when a token is not hex.
pub fn parse_addresses(s: &[u8]) -> Option<Vec<u64>> {
    s.split(|&b| b == b' ' || b == b'\t')
        .filter(|t| !t.is_empty())
        .map(parse_hex)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_frame_lines() {
        let f =
            parse_hash_frame(b"#\t0x6e3d28\tmain.leakBytes+0x28\t/src/leaky/main.go:24").unwrap();
        assert_eq!(f.addr, 0x6e3d28);
        assert_eq!(
            f.symbol,
            Some((&b"main.leakBytes"[..], &b"/src/leaky/main.go"[..], 24))
        );
        let f = parse_hash_frame(b"#\t0x6e5046\tmain.(*Box[...]).Send+0xa6\t\t/my src/a b.go:31")
            .unwrap();
        assert_eq!(
            f.symbol,
            Some((&b"main.(*Box[...]).Send"[..], &b"/my src/a b.go"[..], 31))
        );
        let f = parse_hash_frame(b"#\t0x0").unwrap();
        assert_eq!(
            f,
            HashFrame {
                addr: 0,
                symbol: None
            }
        );
        let f =
            parse_hash_frame(b"#\t0x45619e\tC:/x/y.go.f+0xde\t\t\tC:/go/src/lock.go:270").unwrap();
        assert_eq!(
            f.symbol,
            Some((&b"C:/x/y.go.f"[..], &b"C:/go/src/lock.go"[..], 270))
        );
        assert_eq!(parse_hash_frame(b"# labels: {}"), None);
        assert_eq!(parse_hash_frame(b"# runtime.MemStats"), None);
    }

    #[test]
    fn file_line_from_the_right() {
        assert_eq!(
            split_file_line(b"C:/Users/x y/pprof.go:693"),
            Some((&b"C:/Users/x y/pprof.go"[..], 693))
        );
        assert_eq!(split_file_line(b"/a.go:"), None);
        assert_eq!(split_file_line(b"/a.go"), None);
    }

    #[test]
    fn address_frames_and_cache() {
        let mut t = Tables::new();
        let mut c = FrameCache::new();
        let a = c.address(&mut t, 0x6e5046);
        assert_eq!(t.frame_function(a), "0x6e5046");
        let z = c.address(&mut t, 0);
        assert_eq!(t.frame_function(z), "0x0");
        let m = c.address(&mut t, u64::MAX);
        assert_eq!(t.frame_function(m), "0xffffffffffffffff");
        let f1 = c.frame(&mut t, b"main.F[go.shape.int]", b"/a.go", 3);
        let f2 = c.frame(&mut t, b"main.F[...]", b"/a.go", 3);
        assert_eq!(f1, f2);
        assert_eq!(t.frame_function(f1), "main.F[...]");
        assert_eq!(c.frame(&mut t, b"main.F[...]", b"/a.go", 3), f1);
        let other = c.frame(&mut t, b"main.F[...]/a.go", b"", 3);
        assert_ne!(other, f1);
        let bad = c.frame(&mut t, b"main.\xff", b"", 0);
        assert_eq!(t.frame_function(bad), "main.\u{fffd}");
        let s1 = c.stack(&mut t, &[f1, bad]);
        assert_eq!(c.stack(&mut t, &[f1, bad]), s1);
        assert_eq!(t.stack(s1), &[f1, bad]);
        assert_ne!(c.stack(&mut t, &[bad, f1]), s1);
        let r = c.str(&mut t, b"chan send");
        assert_eq!(t.str(r), "chan send");
        assert_eq!(c.str(&mut t, b"chan send"), r);
    }

    #[test]
    fn addresses() {
        assert_eq!(parse_addresses(b" 0x1 0x2"), Some(vec![1, 2]));
        assert_eq!(parse_addresses(b""), Some(vec![]));
        assert_eq!(parse_addresses(b" 0x1 zz"), None);
    }
}
