//! A lower bound on the size of the SVG inferno draws from folded lines,
//! computed without drawing: a graph that is sure to be over the size cap
//! is pruned further before it is drawn, instead of being drawn and thrown
//! away (on a corpus of 3,000 allocation sites each heap graph was drawn
//! twice, the first time at 1.6 × the cap).
//!
//! The bound counts the frames inferno keeps (the nodes of the lines'
//! prefix tree at least `min_width` percent of the total wide, computed as
//! inferno 0.12 computes it) and, for each, the markup no frame goes
//! without (`<g>`, its `<title>`, `<rect>` and `<text>` with the shortest
//! values their formats allow) plus its name as the tooltip shows it.
//! Escaping, longer numbers, text labels and differential percentages only
//! add to the real size.

/// Bytes every drawn frame takes at least, besides its name and the count
/// name: `<g>` (3), `<title>` (7), ` (` count ` ` (at least 4 besides the
/// count name), `, 0.00%)` (8), `</title>` (8), the `<rect …/>` with seven
/// attributes of at least `0.0000%`, `1`, `0.0000%`, `1`, `rgb(0,0,0)`,
/// `0`, `0` (88), the `<text …></text>` with `0.0000%` and `0.00` (34)
/// and `</g>` (4).
const FRAME_MARKUP: usize = 3 + 7 + 4 + 8 + 8 + 88 + 34 + 4;

/// At least how many bytes inferno's SVG of `lines` has: the lines are
/// sorted folded stacks (`a;b;c 12`, or `a;b;c 10 12` for a
/// differential, whose width is the last count), `count_name` the unit
/// inferno prints and `min_width` its `min_width` option (percent of the
/// total below which a frame is left out).
pub fn svg_bytes_at_least(lines: &[String], count_name: &str, min_width: f64) -> usize {
    // Inferno sorts the lines as strings, then merges neighbours' common
    // frames (`a;b 1` and `a;b;c 1` around `a;b!x 1` draw `b` twice).
    let mut sorted: Vec<&str> = lines.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    let parsed: Vec<(&str, u64)> = sorted.into_iter().filter_map(path_and_width).collect();
    // A total past u64 (counts no real profile has) wraps in inferno's
    // sum: no bound then, the graph is drawn.
    let Some(total) = parsed
        .iter()
        .try_fold(0u64, |sum, &(_, n)| sum.checked_add(n))
        .filter(|&t| t > 0)
    else {
        return 0;
    };
    // As inferno computes it (`flamegraph::from_lines`).
    let width_per_time_pct = 100.0 / total as f64;
    let min_time = min_width / width_per_time_pct;
    let per_frame = FRAME_MARKUP + count_name.len();
    let kept = |name: &str, width: u64| {
        if (width as f64) < min_time {
            0
        } else {
            per_frame + deannotated_len(name)
        }
    };
    // The root (`all`), then every other frame as it closes.
    let mut bytes = per_frame;
    let mut open: Vec<(&str, u64)> = Vec::new();
    for (path, n) in parsed {
        let mut depth = 0;
        let mut frames = path.split(';');
        let mut pending = None;
        for f in frames.by_ref() {
            if open.get(depth).is_some_and(|o| o.0 == f) {
                depth += 1;
            } else {
                pending = Some(f);
                break;
            }
        }
        for (name, width) in open.drain(depth..) {
            bytes += kept(name, width);
        }
        open.extend(pending.into_iter().chain(frames).map(|f| (f, 0)));
        for o in &mut open {
            // Within the total: cannot overflow.
            o.1 += n;
        }
    }
    for (name, width) in open {
        bytes += kept(name, width);
    }
    bytes
}

/// The path and the width (last count) of a folded line, or `None` for a
/// line inferno ignores (no count, empty stack).
fn path_and_width(line: &str) -> Option<(&str, u64)> {
    let (rest, last) = line.trim().rsplit_once(' ')?;
    let width = last.parse().ok()?;
    // A differential line has a second count before it.
    let path = match rest.rsplit_once(' ') {
        Some((p, before)) if before.parse::<u64>().is_ok() => p,
        _ => rest,
    };
    (!path.is_empty()).then_some((path, width))
}

/// The length of a frame name as inferno prints it: without a trailing
/// `_[k]`, `_[w]`, `_[i]` or `_[j]` annotation.
fn deannotated_len(f: &str) -> usize {
    let b = f.as_bytes();
    let n = b.len();
    if n >= 4 && b[n - 1] == b']' && b[n - 4..n - 2] == *b"_[" && b"kwij".contains(&b[n - 2]) {
        n - 4
    } else {
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn counts_each_prefix_node_once() {
        let one = svg_bytes_at_least(&lines(&["a;b 1"]), "x", 0.0);
        // root, a, b
        assert_eq!(one, 3 * (FRAME_MARKUP + 1) + 2);
        // a and b shared, c new: one frame more.
        let two = svg_bytes_at_least(&lines(&["a;b 1", "a;b;c 1"]), "x", 0.0);
        assert_eq!(two, one + FRAME_MARKUP + 1 + 1);
        // The same name under another parent is another frame.
        let three = svg_bytes_at_least(&lines(&["a;b 1", "c;b 1"]), "x", 0.0);
        assert_eq!(three, 5 * (FRAME_MARKUP + 1) + 4);
        // Sorted as strings: `a;b!x` comes between, so `b` is drawn twice.
        let split = svg_bytes_at_least(&lines(&["a;b;c 1", "a;b 1", "a;b!x 1"]), "x", 0.0);
        assert_eq!(split, 6 * (FRAME_MARKUP + 1) + 1 + 1 + 3 + 1 + 1);
    }

    #[test]
    fn narrow_frames_are_left_out_and_differentials_use_the_last_count() {
        // `b` is 1 of 1,000: under 0.5 % it is not drawn.
        let l = lines(&["a 999", "b 1"]);
        assert_eq!(svg_bytes_at_least(&l, "x", 0.5), 2 * (FRAME_MARKUP + 1) + 1);
        assert_eq!(
            svg_bytes_at_least(&l, "x", 0.05),
            3 * (FRAME_MARKUP + 1) + 2
        );
        let d = lines(&["a 1 999", "b 999 1"]);
        assert_eq!(svg_bytes_at_least(&d, "x", 0.5), 2 * (FRAME_MARKUP + 1) + 1);
    }

    #[test]
    fn ignores_what_inferno_ignores_and_strips_annotations() {
        assert_eq!(svg_bytes_at_least(&lines(&["", "x", "a b"]), "n", 0.0), 0);
        let max = u64::MAX.to_string();
        assert_eq!(
            svg_bytes_at_least(&[format!("a {max}"), format!("b {max}")], "n", 0.0),
            0
        );
        assert_eq!(deannotated_len("f_[k]"), 1);
        assert_eq!(deannotated_len("f_[x]"), 5);
        assert_eq!(deannotated_len("[k]"), 3);
    }
}
