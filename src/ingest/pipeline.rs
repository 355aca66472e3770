//! Parallel work with an in-order, streaming merge.
//!
//! [`map_in_order`] runs `work(i)` for `i` in `0..n` on several threads and
//! hands every result to `merge` on the calling thread, strictly in index
//! order, as soon as it and all earlier ones are ready. Results do not pile
//! up: a worker does not start item `i` while `i` is more than a small
//! window ahead of the merge, so memory holds at most a few decoded files
//! at a time whatever the number of files, and the merge (interning into
//! the archive's tables) overlaps the decoding of later files.
//!
//! Each worker owns one scratch value `S` (a read buffer) that it passes to
//! every `work` call, so large buffers are allocated once per thread, not
//! once per file.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// How many items past the next one to merge a worker may start, per
/// thread.
const WINDOW_PER_THREAD: usize = 4;

/// Results waiting for their turn, and the merge position.
struct State<T> {
    ready: BTreeMap<usize, T>,
    /// Index of the next result to merge.
    next_merge: usize,
    /// The merging side stopped (finished or unwinding): workers quit.
    closed: bool,
    /// A worker panicked: its result will never come.
    failed: bool,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    /// Signalled when a result arrives or the merge position moves.
    changed: Condvar,
    next_item: AtomicUsize,
}

impl<T> Shared<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(&self, guard: MutexGuard<'a, State<T>>) -> MutexGuard<'a, State<T>> {
        self.changed
            .wait(guard)
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Closes the shared state when the merging side leaves, even by a panic,
/// so that no worker waits forever.
struct CloseOnDrop<'a, T>(&'a Shared<T>);

impl<T> Drop for CloseOnDrop<'_, T> {
    fn drop(&mut self) {
        self.0.lock().closed = true;
        self.0.changed.notify_all();
    }
}

/// Marks the shared state failed when a worker unwinds, so that the merge
/// does not wait for a result that will never come.
struct FailOnPanic<'a, T>(&'a Shared<T>);

impl<T> Drop for FailOnPanic<'_, T> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.lock().failed = true;
            self.0.changed.notify_all();
        }
    }
}

/// Runs `work(i, scratch)` for every `i` in `0..n` on up to `threads`
/// threads and calls `merge(i, result)` on the calling thread in index
/// order; each thread makes its scratch with `init`. With one thread (or
/// one item) everything runs on the calling thread.
pub fn map_in_order<T, S, I, W, M>(n: usize, threads: usize, init: I, work: W, mut merge: M)
where
    T: Send,
    I: Fn() -> S + Sync,
    W: Fn(usize, &mut S) -> T + Sync,
    M: FnMut(usize, T),
{
    let threads = threads.clamp(1, n.max(1));
    if threads == 1 {
        let mut scratch = init();
        for i in 0..n {
            let t = work(i, &mut scratch);
            merge(i, t);
        }
        return;
    }
    let window = threads * WINDOW_PER_THREAD;
    let shared = Shared {
        state: Mutex::new(State {
            ready: BTreeMap::new(),
            next_merge: 0,
            closed: false,
            failed: false,
        }),
        changed: Condvar::new(),
        next_item: AtomicUsize::new(0),
    };
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (shared, work, init) = (&shared, &work, &init);
            scope.spawn(move || {
                let _fail = FailOnPanic(shared);
                let mut scratch = init();
                loop {
                    let i = shared.next_item.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        return;
                    }
                    {
                        let mut st = shared.lock();
                        while !st.closed && i >= st.next_merge + window {
                            st = shared.wait(st);
                        }
                        if st.closed {
                            return;
                        }
                    }
                    let t = work(i, &mut scratch);
                    let mut st = shared.lock();
                    if st.closed {
                        return;
                    }
                    st.ready.insert(i, t);
                    drop(st);
                    shared.changed.notify_all();
                }
            });
        }
        let _close = CloseOnDrop(&shared);
        for i in 0..n {
            let t = {
                let mut st = shared.lock();
                loop {
                    if let Some(t) = st.ready.remove(&i) {
                        break t;
                    }
                    // A worker died; the scope re-raises its panic.
                    if st.failed {
                        return;
                    }
                    st = shared.wait(st);
                }
            };
            merge(i, t);
            shared.lock().next_merge = i + 1;
            shared.changed.notify_all();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_in_order_with_any_thread_count() {
        for threads in [1, 2, 3, 8] {
            let mut got = Vec::new();
            map_in_order(
                50,
                threads,
                Default::default,
                |i, calls: &mut usize| {
                    *calls += 1;
                    // Uneven work so results arrive out of order.
                    if i % 7 == 0 {
                        std::thread::sleep(std::time::Duration::from_millis(2));
                    }
                    i * 10
                },
                |i, t| got.push((i, t)),
            );
            let want: Vec<(usize, usize)> = (0..50).map(|i| (i, i * 10)).collect();
            assert_eq!(got, want, "threads = {threads}");
        }
    }

    #[test]
    fn scratch_is_reused_within_a_thread() {
        let mut total_calls = 0;
        map_in_order(
            10,
            1,
            Default::default,
            |_, calls: &mut usize| {
                *calls += 1;
                *calls
            },
            |_, calls| total_calls = calls,
        );
        assert_eq!(total_calls, 10);
    }

    #[test]
    fn no_items_and_more_threads_than_items() {
        let mut got = Vec::new();
        map_in_order(
            0,
            4,
            Default::default,
            |i, _: &mut ()| i,
            |i, _| got.push(i),
        );
        assert!(got.is_empty());
        map_in_order(
            2,
            16,
            Default::default,
            |i, _: &mut ()| i + 1,
            |_, t| got.push(t),
        );
        assert_eq!(got, [1, 2]);
    }

    #[test]
    fn workers_stay_within_the_window() {
        let started = AtomicUsize::new(0);
        let mut max_ahead = 0;
        map_in_order(
            200,
            2,
            Default::default,
            |_, _: &mut ()| started.fetch_add(1, Ordering::SeqCst) + 1,
            |i, _| {
                let ahead = started.load(Ordering::SeqCst).saturating_sub(i + 1);
                max_ahead = max_ahead.max(ahead);
            },
        );
        assert!(
            max_ahead <= 2 * WINDOW_PER_THREAD + 2,
            "workers ran {max_ahead} items ahead"
        );
    }

    #[test]
    fn a_panicking_worker_does_not_hang_the_merge() {
        let r = std::panic::catch_unwind(|| {
            map_in_order(
                100,
                2,
                Default::default,
                |i, _: &mut ()| {
                    assert!(i != 5, "work fails");
                    i
                },
                |_, _| {},
            )
        });
        assert!(r.is_err());
    }

    #[test]
    fn a_panicking_merge_does_not_hang_the_workers() {
        let r = std::panic::catch_unwind(|| {
            map_in_order(
                100,
                2,
                Default::default,
                |i, _: &mut ()| i,
                |i, _| assert!(i < 3, "merge stops"),
            )
        });
        assert!(r.is_err());
    }
}
