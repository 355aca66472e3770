//! Numbers and names as a person reads them in a sentence. The numbers
//! follow the one policy of [`crate::units`] (re-exported here under the
//! names the analysis uses); the names are shortened here.

pub use crate::units::{RateUnit, bytes, count, rate_in, signed_bytes, signed_count};

/// The last element of a path (`/src/leaky/main.go` → `main.go`).
pub fn short_file(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// `func (file:line)` with the short file name; just `func` when the file is
/// unknown.
pub fn func_at(function: &str, file: &str, line: u32) -> String {
    if file.is_empty() {
        function.to_string()
    } else {
        format!("{function} ({}:{line})", short_file(file))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(short_file("/src/leaky/main.go"), "main.go");
        assert_eq!(short_file("C:\\x\\y.go"), "y.go");
        assert_eq!(
            func_at("main.produce", "/a/main.go", 16),
            "main.produce (main.go:16)"
        );
        assert_eq!(func_at("0x6e5046", "", 0), "0x6e5046");
    }

    #[test]
    fn numbers_follow_the_units_policy() {
        assert_eq!(bytes(77.0 * 1024.0 * 1024.0), "77 MiB");
        assert_eq!(signed_count(-3.0), "-3");
        assert_eq!(count(1240.0), "1,240");
    }
}
