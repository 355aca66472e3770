//! Helpers shared by unit tests.

/// A deterministic pseudo-random sequence (xorshift64) from `state` (not 0):
/// generated test data is the same on every run.
pub fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}
