//! Aggregated goroutine count profile (`goroutine?debug=1`,
//! `goroutineleak?debug=1`).
