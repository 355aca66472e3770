//! Go string quoting as printed in dumps: `%q` in `debug=1` label lines and
//! the runtime's own quoting of traceback header labels.

use super::lossy;

/// Decodes a Go double-quoted string at the start of `s` (which must begin
/// with `"`). Returns the decoded bytes and the number of input bytes used,
/// including both quotes. Handles `\a \b \f \n \r \t \v \\ \' \"`, `\xHH`,
/// octal `\ooo`, `\uHHHH` and `\UHHHHHHHH`. `None` when unterminated or an
/// escape is invalid.
pub fn unquote(s: &[u8]) -> Option<(Vec<u8>, usize)> {
    if s.first() != Some(&b'"') {
        return None;
    }
    let mut out = Vec::with_capacity(s.len());
    let mut i = 1;
    while i < s.len() {
        let b = s[i];
        match b {
            b'"' => return Some((out, i + 1)),
            b'\\' => {
                let e = *s.get(i + 1)?;
                i += 2;
                match e {
                    b'a' => out.push(0x07),
                    b'b' => out.push(0x08),
                    b'f' => out.push(0x0c),
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'v' => out.push(0x0b),
                    b'\\' | b'\'' | b'"' => out.push(e),
                    b'x' => {
                        out.push(hex_value(s.get(i..i + 2)?)? as u8);
                        i += 2;
                    }
                    b'u' | b'U' => {
                        let n = if e == b'u' { 4 } else { 8 };
                        let v = hex_value(s.get(i..i + n)?)?;
                        let c = char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER);
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        i += n;
                    }
                    b'0'..=b'7' => {
                        let digits = s.get(i - 1..i + 2)?;
                        let mut v: u32 = 0;
                        for &d in digits {
                            if !(b'0'..=b'7').contains(&d) {
                                return None;
                            }
                            v = v * 8 + u32::from(d - b'0');
                        }
                        out.push(u8::try_from(v).ok()?);
                        i += 2;
                    }
                    _ => return None,
                }
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    None
}

fn hex_value(digits: &[u8]) -> Option<u32> {
    let mut v: u32 = 0;
    for &d in digits {
        v = v.checked_mul(16)?
            + match d {
                b'0'..=b'9' => u32::from(d - b'0'),
                b'a'..=b'f' => u32::from(d - b'a' + 10),
                b'A'..=b'F' => u32::from(d - b'A' + 10),
                _ => return None,
            };
    }
    Some(v)
}

/// Reads one key or value: a quoted string, or a bare token ending at any
/// byte of `stops` (or the end). Returns the decoded text and bytes used.
fn token(s: &[u8], stops: &[u8]) -> Option<(String, usize)> {
    if s.first() == Some(&b'"') {
        let (bytes, used) = unquote(s)?;
        return Some((lossy(&bytes).into_owned(), used));
    }
    let end = s.iter().position(|b| stops.contains(b)).unwrap_or(s.len());
    let tok = super::trim_end_ws(&s[..end]);
    if tok.is_empty() {
        return None;
    }
    Some((lossy(tok).into_owned(), end))
}

/// Parses a label set `{k: v, "k 2": "v 2"}` (traceback headers) or
/// `{"k":"v", "k2":"v2"}` (`# labels:` lines of `debug=1`). `s` must start
/// with `{`; trailing bytes after the closing `}` are ignored. Pairs are
/// returned sorted by key. `None` when the text is not a well-formed set.
pub fn parse_labels(s: &[u8]) -> Option<Vec<(String, String)>> {
    let mut rest = s.strip_prefix(b"{")?;
    let mut out = Vec::new();
    loop {
        rest = super::trim_start_ws(rest);
        if let Some(r) = rest.strip_prefix(b"}") {
            let _ = r;
            break;
        }
        let (key, used) = token(rest, b":")?;
        rest = super::trim_start_ws(rest.get(used..)?);
        rest = rest.strip_prefix(b":")?;
        rest = super::trim_start_ws(rest);
        let (value, used) = token(rest, b",}")?;
        out.push((key, value));
        rest = super::trim_start_ws(rest.get(used..)?);
        match rest.first()? {
            b',' => rest = &rest[1..],
            b'}' => break,
            _ => return None,
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn unquote_escapes() {
        let (s, n) = unquote(br#""a\"b\\c\n\t\x41\u00e9\U0001F600\101" tail"#).unwrap();
        assert_eq!(String::from_utf8(s).unwrap(), "a\"b\\c\n\tAé😀A");
        assert_eq!(n, 37);
        assert_eq!(unquote(b"\"abc"), None);
        assert_eq!(unquote(b"\"a\\q\""), None);
        assert_eq!(unquote(b"abc"), None);
        // \xff is a raw byte (invalid UTF-8): kept as a byte.
        assert_eq!(unquote(b"\"\\xff\"").unwrap().0, vec![0xff]);
    }

    #[test]
    fn traceback_labels_mixed_quoting() {
        assert_eq!(
            parse_labels(br#"{"req id": "a b", worker: w0}"#).unwrap(),
            pairs(&[("req id", "a b"), ("worker", "w0")])
        );
        assert_eq!(
            parse_labels(br#"{z: "x,}y", a.b/c_d: "q\"uote"}"#).unwrap(),
            pairs(&[("a.b/c_d", "q\"uote"), ("z", "x,}y")])
        );
        assert_eq!(parse_labels(b"{}").unwrap(), vec![]);
    }

    #[test]
    fn debug1_labels() {
        assert_eq!(
            parse_labels(br#"{"worker":"w0", "req id":"a\nb"}"#).unwrap(),
            pairs(&[("req id", "a\nb"), ("worker", "w0")])
        );
    }

    #[test]
    fn malformed_labels() {
        assert_eq!(parse_labels(b"{a b}"), None);
        assert_eq!(parse_labels(b"{a: "), None);
        assert_eq!(parse_labels(b"{\"a: b}"), None);
        assert_eq!(parse_labels(b"a: b"), None);
    }
}
