//! Full goroutine dumps (`debug=2`, `runtime.Stack`) and the same blocks
//! inside panic / fatal error / SIGQUIT output.
