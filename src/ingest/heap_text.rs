//! Legacy text heap/allocs profile (`heap?debug=1`) with its MemStats block.
