//! Flame graphs drawn by inferno and embedded as `<iframe srcdoc>`: each
//! graph is its own document, so the ids, scripts and styles inferno puts
//! into every SVG cannot clash, and hover, search and zoom work in each one.

use super::flame_size::svg_bytes_at_least;
use super::fold::{self, Pick, Stacks};
use crate::model::Archive;
use crate::model::time::rfc3339;
use inferno::flamegraph::{self, Options, Palette, color::BasicPalette};
use serde::Serialize;
use std::cell::{OnceCell, RefCell};
use std::collections::BTreeMap;
use std::io::Write;
use std::rc::Rc;

/// Subtrees below this fraction of the total are merged before drawing.
pub const MIN_FRACTION: f64 = 0.001;
/// A graph above this size is drawn again with coarser pruning.
pub const MAX_GRAPH_BYTES: usize = 300 * 1024;
/// Above this total, graphs are embedded gzip+base64 and inflated by the page.
pub const GZIP_ABOVE_BYTES: usize = 2 * 1024 * 1024;

/// Inferno's `min_width`: frames narrower than this percentage of the
/// total are not drawn (0.05 % is about half a pixel).
const MIN_WIDTH_PCT: f64 = 0.05;

/// Width of the drawing in SVG units. The graph is drawn at a fixed width
/// (not inferno's "fluid" mode, whose script measures the frame and gets 0
/// while Chromium throttles an off-screen iframe) and scaled by CSS.
/// 1,000 units with 16-unit text keep labels about 10 px tall in a 700 px
/// window and 16 px on a wide screen.
pub const IMAGE_WIDTH: u32 = 1000;

/// Label size of the frames, in SVG units.
const FONT_SIZE: usize = 16;

/// Height of one frame, in SVG units (room for [`FONT_SIZE`]).
const FRAME_HEIGHT: usize = 21;

/// Prepended to each SVG to make it a small HTML document: no margins, the
/// SVG scaled to the frame's width, and `history.replaceState` (which
/// throws in a srcdoc document) a no-op.
/// The Search control is made plainly visible (inferno draws it at 10 %
/// opacity until hovered).
const SRCDOC_HEAD: &str = "<!doctype html><meta charset=\"utf-8\"><style>html,body{margin:0;overflow:hidden}svg{display:block;width:100%;height:auto}svg #search{opacity:1;fill:#1f5fa8;font-weight:bold;text-decoration:underline}</style><script>history.replaceState=function(){}</script>";

/// One flame graph slot of the report: a drawn graph or a note saying why
/// there is none.
#[derive(Clone, Debug, Serialize)]
pub struct FlameGraph {
    /// Anchor id (`flame-heap`, …).
    pub id: &'static str,
    /// Heading.
    pub title: String,
    /// How to read it (plain text).
    pub caption: String,
    /// Which snapshots it was drawn from (plain text).
    pub source: String,
    /// The iframe document, already escaped for a double-quoted attribute.
    pub srcdoc: Option<String>,
    /// The iframe document gzip-compressed and base64-encoded (used instead
    /// of `srcdoc` when the page would get too big).
    pub gz: Option<String>,
    /// Height of the drawing in SVG units (its width is [`IMAGE_WIDTH`]).
    pub height: u32,
    /// Width of the drawing in SVG units.
    pub width: u32,
    /// Why the graph is missing.
    pub note: Option<String>,
}

impl FlameGraph {
    fn missing(id: &'static str, title: &str, caption: &str, note: String) -> Self {
        FlameGraph {
            id,
            title: title.to_string(),
            caption: caption.to_string(),
            source: String::new(),
            srcdoc: None,
            gz: None,
            height: 0,
            width: IMAGE_WIDTH,
            note: Some(note),
        }
    }
}

/// Escapes text for a double-quoted HTML attribute (`&` and `"` only, the
/// two characters that can end or change the value).
pub fn attr_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 16);
    let mut rest = s;
    // Runs between the two characters copied whole (both are ASCII, so
    // every cut is at a character boundary).
    while let Some(i) = memchr::memchr2(b'&', b'"', rest.as_bytes()) {
        out.push_str(&rest[..i]);
        out.push_str(if rest.as_bytes()[i] == b'&' {
            "&amp;"
        } else {
            "&quot;"
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    out
}

/// Style of one graph.
#[derive(Clone, Copy)]
struct Style {
    count_name: &'static str,
    palette: Palette,
    negate: bool,
}

/// Draws folded lines with inferno; returns the SVG (from `<svg`) and its height.
fn draw(title: &str, style: Style, lines: &[String]) -> Option<(String, u32)> {
    if lines.is_empty() {
        return None;
    }
    let mut opts = Options::default();
    opts.title = title.to_string();
    opts.count_name = style.count_name.to_string();
    opts.colors = style.palette;
    opts.hash = true;
    opts.negate_differentials = style.negate;
    opts.min_width = MIN_WIDTH_PCT;
    opts.image_width = Some(IMAGE_WIDTH as usize);
    opts.font_size = FONT_SIZE;
    opts.frame_height = FRAME_HEIGHT;
    let mut out = Vec::new();
    flamegraph::from_lines(&mut opts, lines.iter().map(String::as_str), &mut out).ok()?;
    let svg = String::from_utf8(out).ok()?;
    let start = svg.find("<svg")?;
    let svg = label_root(&svg[start..]);
    let height = svg_height(&svg).unwrap_or(400);
    Some((svg, height))
}

/// Gives the root frame a label: inferno draws `all` without text, so the
/// widest bar of the graph says nothing. The label is the frame's own
/// tooltip (`all (4,428,697 bytes, 100%)`), already escaped by inferno.
fn label_root(svg: &str) -> String {
    const ROOT: &str = "<g><title>all (";
    let Some(g) = svg.find(ROOT) else {
        return svg.to_string();
    };
    let title_start = g + "<g><title>".len();
    let Some(title_len) = svg[title_start..].find("</title>") else {
        return svg.to_string();
    };
    let title = &svg[title_start..title_start + title_len];
    let Some(g_len) = svg[g..].find("</g>") else {
        return svg.to_string();
    };
    let group = &svg[g..g + g_len];
    match group.rfind("></text>") {
        Some(t) => {
            let at = g + t + 1;
            format!("{}{title}{}", &svg[..at], &svg[at..])
        }
        None => svg.to_string(),
    }
}

/// The `height` attribute of the root `<svg>` element.
fn svg_height(svg: &str) -> Option<u32> {
    let tag_end = svg.find('>')?;
    let tag = &svg[..tag_end];
    let i = tag.find(" height=\"")? + " height=\"".len();
    let rest = &tag[i..];
    let j = rest.find('"')?;
    rest[..j]
        .trim()
        .parse::<f64>()
        .ok()
        .map(|h| h.ceil() as u32)
}

/// Folded lines: the label path, and its weight in each profile.
type Folded = BTreeMap<String, [u64; 2]>;

/// The folds of one or two profiles, made once per pruning fraction from a
/// call tree built once: the two heap differentials (growth and what
/// vanished) fold the same pair at the same fractions, and each first
/// checks the unpruned fold.
struct Folds<'a> {
    archive: &'a Archive,
    profiles: Vec<&'a Stacks>,
    /// Their call tree, built at the first fold.
    tree: OnceCell<fold::Tree>,
    made: RefCell<Vec<(f64, Rc<Folded>)>>,
}

impl<'a> Folds<'a> {
    fn new(archive: &'a Archive, profiles: Vec<&'a Stacks>) -> Self {
        Folds {
            archive,
            profiles,
            tree: OnceCell::new(),
            made: RefCell::new(Vec::new()),
        }
    }

    /// The folds of a first and a last profile, when there are both.
    fn pair(
        archive: &'a Archive,
        first: Option<&'a Stacks>,
        last: Option<&'a Stacks>,
    ) -> Option<Self> {
        Some(Folds::new(archive, vec![first?, last?]))
    }

    /// [`fold::Tree::fold`] of the profiles at `fraction`.
    fn at(&self, fraction: f64) -> Rc<Folded> {
        if let Some((_, f)) = self.made.borrow().iter().find(|m| m.0 == fraction) {
            return Rc::clone(f);
        }
        let tree = self.tree.get_or_init(|| fold::Tree::new(&self.profiles));
        let f = Rc::new(tree.fold(&self.archive.tables, fraction));
        self.made.borrow_mut().push((fraction, Rc::clone(&f)));
        f
    }
}

/// Folds with growing pruning until the graph is small enough. A fold
/// whose size bound is already over the cap goes straight to the next
/// pruning, undrawn: the graph is the one drawing every fold would give.
fn draw_pruned(
    folds: &Folds<'_>,
    title: &str,
    style: Style,
    lines_of: impl Fn(&Folded) -> Vec<String>,
) -> Option<(String, u32)> {
    const ROUNDS: usize = 5;
    let mut fraction = MIN_FRACTION;
    let mut best = None;
    for round in 1..=ROUNDS {
        let lines = lines_of(&folds.at(fraction));
        let at_least = svg_bytes_at_least(&lines, style.count_name, MIN_WIDTH_PCT);
        if at_least > MAX_GRAPH_BYTES && round < ROUNDS {
            // Sure to be too big: not drawn to be thrown away.
            fraction *= 4.0;
            continue;
        }
        let drawn = draw(title, style, &lines)?;
        debug_assert!(
            at_least <= drawn.0.len(),
            "the size bound {at_least} is over the graph's {} bytes",
            drawn.0.len()
        );
        let small = drawn.0.len() <= MAX_GRAPH_BYTES;
        best = Some(drawn);
        if small {
            break;
        }
        fraction *= 4.0;
    }
    best
}

fn when(s: &Stacks) -> String {
    match s.time {
        Some(t) => format!("{} ({})", s.path, rfc3339(t)),
        None => s.path.clone(),
    }
}

fn finish(
    id: &'static str,
    title: &str,
    caption: &str,
    source: String,
    drawn: (String, u32),
) -> FlameGraph {
    let (svg, height) = drawn;
    let doc = format!("{SRCDOC_HEAD}{svg}");
    FlameGraph {
        id,
        title: title.to_string(),
        caption: caption.to_string(),
        source,
        srcdoc: Some(attr_escape(&doc)),
        gz: None,
        height,
        width: IMAGE_WIDTH,
        note: None,
    }
}

const HEAP_STYLE: Style = Style {
    count_name: "bytes",
    palette: Palette::Basic(BasicPalette::Mem),
    negate: false,
};
const GOR_STYLE: Style = Style {
    count_name: "goroutines",
    palette: Palette::Basic(BasicPalette::Aqua),
    negate: false,
};

/// The latest in-use heap graph.
fn heap_latest(archive: &Archive, last: Option<&Stacks>) -> FlameGraph {
    let (id, title) = ("flame-heap", "Heap in use (latest profile)");
    let caption = "Width is in-use bytes at the last GC before the profile was taken, per call path (root at the bottom, allocating function at the top). Hover for values, click to zoom, Search to highlight a function.";
    let Some(last) = last else {
        return FlameGraph::missing(
            id,
            title,
            caption,
            "No heap profile with in-use data in this archive.".into(),
        );
    };
    let folds = Folds::new(archive, vec![last]);
    match draw_pruned(&folds, title, HEAP_STYLE, fold::single_lines) {
        Some(d) => finish(id, title, caption, when(last), d),
        None => FlameGraph::missing(
            id,
            title,
            caption,
            "The latest heap profile holds no in-use bytes.".into(),
        ),
    }
}

/// Differential graph between the first and last profile of a kind
/// (`pair`, `None` when there are not both); with `vanished`, widths come
/// from the first profile so what disappeared shows.
fn differential(
    pair: Option<&Folds<'_>>,
    (id, title, caption): (&'static str, &str, &str),
    style: Style,
    vanished: bool,
) -> FlameGraph {
    let what = style.count_name;
    let Some((folds, &[first, last])) = pair.map(|p| (p, p.profiles.as_slice())) else {
        return FlameGraph::missing(
            id,
            title,
            caption,
            format!("Needs two snapshots with {what}; this archive has fewer."),
        );
    };
    if first.path == last.path && first.time == last.time {
        return FlameGraph::missing(
            id,
            title,
            caption,
            format!("Only one snapshot with {what}: nothing to compare."),
        );
    }
    let changed = folds
        .at(0.0)
        .values()
        .any(|w| if vanished { w[0] > w[1] } else { w[1] > w[0] });
    if !changed {
        let note = if vanished {
            format!("Nothing shrank or vanished between the first and last snapshot ({what}).")
        } else {
            format!("No growth between the first and last snapshot ({what}).")
        };
        return FlameGraph::missing(id, title, caption, note);
    }
    let style = Style {
        negate: vanished,
        ..style
    };
    let source = format!("{} → {}", when(first), when(last));
    match draw_pruned(folds, title, style, |f| fold::diff_lines(f, vanished)) {
        Some(d) => finish(id, title, caption, source, d),
        None => FlameGraph::missing(id, title, caption, format!("No {what} to draw.")),
    }
}

/// Latest goroutine graph.
fn goroutines_latest(archive: &Archive, last: Option<&Stacks>) -> FlameGraph {
    let (id, title) = ("flame-goroutines", "Goroutines (latest dump)");
    let caption = "Width is the number of goroutines per stack (root at the bottom, the blocking call at the top). A wide tower ending in a channel operation, select or lock is where goroutines pile up.";
    let Some(last) = last else {
        return FlameGraph::missing(
            id,
            title,
            caption,
            "No goroutine dump or profile in this archive.".into(),
        );
    };
    let folds = Folds::new(archive, vec![last]);
    match draw_pruned(&folds, title, GOR_STYLE, fold::single_lines) {
        Some(d) => finish(id, title, caption, when(last), d),
        None => FlameGraph::missing(
            id,
            title,
            caption,
            "The latest goroutine dump holds no goroutines.".into(),
        ),
    }
}

/// All flame graphs of the report, in display order. Graphs are embedded as
/// gzip+base64 when their plain total would exceed [`GZIP_ABOVE_BYTES`].
pub fn build_all(archive: &Archive) -> Vec<FlameGraph> {
    // The heap graphs on a second thread while this one draws the
    // goroutine graphs (rendering is otherwise single-threaded, after
    // the parallel reading); each first/last fold is made once.
    let (heap, goroutines) = std::thread::scope(|scope| {
        let heap = scope.spawn(|| heap_graphs(archive));
        let goroutines = goroutine_graphs(archive);
        (heap.join(), goroutines)
    });
    let heap = heap.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    let mut graphs: Vec<FlameGraph> = heap.into_iter().chain(goroutines).collect();
    let total: usize = graphs
        .iter()
        .filter_map(|g| g.srcdoc.as_ref())
        .map(String::len)
        .sum();
    if total > GZIP_ABOVE_BYTES {
        compress(&mut graphs);
    }
    graphs
}

/// The latest heap graph and the two differential ones.
fn heap_graphs(archive: &Archive) -> [FlameGraph; 3] {
    let first = fold::heap(archive, Pick::First);
    let last = fold::heap(archive, Pick::Last);
    // Both differentials fold the same pair: once.
    let pair = Folds::pair(archive, first.as_ref(), last.as_ref());
    [
        heap_latest(archive, last.as_ref()),
        differential(
            pair.as_ref(),
            (
                "flame-heap-diff",
                "Heap growth: first → last profile",
                "Widths are the last profile; red frames grew since the first profile, blue ones shrank (the deeper the colour, the larger the change). Absolute bytes, not normalised: growth is the leak signal.",
            ),
            HEAP_STYLE,
            false,
        ),
        differential(
            pair.as_ref(),
            (
                "flame-heap-vanished",
                "Heap, reversed: what the first profile held",
                "Widths are the first profile, so frames that shrank or vanished stay visible (blue); red still means growth.",
            ),
            HEAP_STYLE,
            true,
        ),
    ]
}

/// The latest goroutine graph and the differential one.
fn goroutine_graphs(archive: &Archive) -> [FlameGraph; 2] {
    let first = fold::goroutines(archive, Pick::First);
    let last = fold::goroutines(archive, Pick::Last);
    let pair = Folds::pair(archive, first.as_ref(), last.as_ref());
    [
        goroutines_latest(archive, last.as_ref()),
        differential(
            pair.as_ref(),
            (
                "flame-goroutines-diff",
                "Goroutine growth: first → last dump",
                "Widths are the last dump; red stacks gained goroutines since the first dump, blue ones lost some.",
            ),
            GOR_STYLE,
            false,
        ),
    ]
}

/// Switches every drawn graph to the gzip+base64 embedding.
pub fn compress(graphs: &mut [FlameGraph]) {
    for g in graphs {
        if let Some(doc) = g.srcdoc.take() {
            g.gz = Some(gzip_base64(&unescape_attr(&doc)));
        }
    }
}

fn unescape_attr(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&amp;", "&")
}

/// gzip (fixed header, no timestamp) then standard base64.
fn gzip_base64(s: &str) -> String {
    use base64::Engine;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let bytes = enc
        .write_all(s.as_bytes())
        .and_then(|_| enc.finish())
        .unwrap_or_default();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attr_escape_only_amp_and_quote() {
        assert_eq!(
            attr_escape(r#"<a href="x">&amp;</a>"#),
            "<a href=&quot;x&quot;>&amp;amp;</a>"
        );
        assert_eq!(unescape_attr(&attr_escape("\"&quot;&")), "\"&quot;&");
        // Multi-byte text around and between them is kept whole.
        assert_eq!(attr_escape("é&ü\"日本"), "é&amp;ü&quot;日本");
        assert_eq!(attr_escape(""), "");
        assert_eq!(attr_escape("plain"), "plain");
    }

    #[test]
    fn draws_svg_with_height_and_escaped_names() {
        let lines = vec!["main;<script>x 10".to_string(), "main;b&c 5".to_string()];
        let (svg, h) = draw("t", HEAP_STYLE, &lines).expect("drawn");
        assert!(svg.starts_with("<svg"));
        assert!(h > 50, "height {h}");
        assert!(svg.contains("&lt;script&gt;x"));
        assert!(!svg.contains("<script>x"));
        assert!(svg.contains("b&amp;c"));
    }

    #[test]
    fn empty_input_draws_nothing() {
        assert!(draw("t", HEAP_STYLE, &[]).is_none());
    }

    #[test]
    fn deterministic_colours() {
        let lines = vec!["main;a 10".to_string(), "main;b 5".to_string()];
        assert_eq!(draw("t", HEAP_STYLE, &lines), draw("t", HEAP_STYLE, &lines));
    }

    #[test]
    fn root_frame_gets_its_label() {
        let svg = r#"<svg><g><title>all (10 bytes, 100%)</title><rect x="0%"/><text x="0.2%" y="1"></text></g><g><title>f (5 bytes)</title><text>f</text></g></svg>"#;
        let got = label_root(svg);
        assert!(
            got.contains(r#"<text x="0.2%" y="1">all (10 bytes, 100%)</text></g><g><title>f"#),
            "{got}"
        );
        assert_eq!(label_root("<svg></svg>"), "<svg></svg>");
        let (drawn, _) = draw(
            "t",
            Style {
                count_name: "bytes",
                palette: Palette::Basic(BasicPalette::Aqua),
                negate: false,
            },
            &["main;f 10".to_string()],
        )
        .expect("drawn");
        assert!(drawn.contains(">all (10 bytes, 100%)</text>"), "{drawn}");
        assert!(drawn.contains("font-size:16px"));
    }

    #[test]
    fn svg_height_parses_root_attribute() {
        assert_eq!(
            svg_height(r#"<svg version="1.1" width="1200" height="342" x="1">"#),
            Some(342)
        );
        assert_eq!(svg_height("<svg>"), None);
    }

    #[test]
    fn gzip_is_deterministic_and_base64() {
        let a = gzip_base64("hello hello hello");
        assert_eq!(a, gzip_base64("hello hello hello"));
        assert!(a.starts_with("H4sI"), "{a}");
    }

    fn big_archive() -> Archive {
        use crate::model::{Format, HeapData, HeapSample, ProfileKind, Snapshot};
        let mut a = Archive::default();
        let mut stacks = Vec::new();
        for i in 0..4000u32 {
            let frames: Vec<_> = (0..20u32)
                .map(|d| {
                    let name = format!("pkg{}.fn{}_{}", d % 7, (i >> (d % 12)) % 50, d);
                    a.tables.intern_frame(&name, "f.go", d + 1)
                })
                .collect();
            stacks.push(a.tables.intern_stack(&frames));
        }
        for k in 0..2i64 {
            let mut s = Snapshot::new(Format::Pprof, ProfileKind::Heap);
            s.path = format!("heap-{k}");
            s.time = Some(k * 1_000_000_000);
            s.heap = Some(HeapData {
                has_inuse: true,
                samples: stacks
                    .iter()
                    .enumerate()
                    .map(|(i, st)| HeapSample {
                        stack: *st,
                        inuse_objects: 1,
                        inuse_bytes: 1000 + (i as i64 % 97) * 10 * (k + 1),
                        alloc_objects: 1,
                        alloc_bytes: 1,
                        object_size: None,
                    })
                    .collect(),
                ..Default::default()
            });
            a.snapshots.push(s);
        }
        a
    }

    #[test]
    fn huge_profiles_are_pruned_below_the_cap() {
        let a = big_archive();
        let graphs = build_all(&a);
        let heap = &graphs[0];
        let doc = heap.srcdoc.as_ref().expect("heap graph");
        assert!(
            doc.len() < MAX_GRAPH_BYTES + 2048,
            "heap graph is {} bytes",
            doc.len()
        );
        assert!(doc.contains("[small"), "small stacks were merged");
        let diff = graphs[1].srcdoc.as_ref().expect("diff graph");
        assert!(
            diff.len() < MAX_GRAPH_BYTES + 2048,
            "diff graph is {} bytes",
            diff.len()
        );
    }

    #[test]
    fn the_size_bound_is_below_the_drawing_and_close_to_it() {
        let a = big_archive();
        let first = fold::heap(&a, Pick::First).expect("first");
        let last = fold::heap(&a, Pick::Last).expect("last");
        let folds = Folds::new(&a, vec![&first, &last]);
        // What every drawing has besides its frames (script, styles).
        let base = |style| {
            draw("t", style, &["x 1".to_string()])
                .expect("drawn")
                .0
                .len()
        };
        let close = |bound: usize, svg: usize, base: usize| bound * 10 >= (svg - base) * 6;
        let mut checked = 0;
        for fraction in [0.0, MIN_FRACTION, MIN_FRACTION * 4.0, 0.05] {
            let f = folds.at(fraction);
            for (lines, style) in [
                (fold::diff_lines(&f, false), HEAP_STYLE),
                (fold::diff_lines(&f, true), HEAP_STYLE),
            ] {
                let bound = svg_bytes_at_least(&lines, style.count_name, MIN_WIDTH_PCT);
                let (svg, _) = draw("t", style, &lines).expect("drawn");
                assert!(bound <= svg.len(), "{bound} > {}", svg.len());
                assert!(
                    close(bound, svg.len(), base(style)),
                    "{bound} is under 60 % of {} - {}",
                    svg.len(),
                    base(style)
                );
                checked += 1;
            }
        }
        let single = Folds::new(&a, vec![&last]);
        for fraction in [0.0, MIN_FRACTION, 0.05] {
            let lines = fold::single_lines(&single.at(fraction));
            let bound = svg_bytes_at_least(&lines, GOR_STYLE.count_name, MIN_WIDTH_PCT);
            let (svg, _) = draw("t", GOR_STYLE, &lines).expect("drawn");
            assert!(bound <= svg.len() && close(bound, svg.len(), base(GOR_STYLE)));
            checked += 1;
        }
        assert_eq!(checked, 11);
    }

    #[test]
    fn compressed_embedding_round_trips() {
        use base64::Engine;
        use std::io::Read;
        let a = big_archive();
        let mut graphs = build_all(&a);
        let plain = unescape_attr(graphs[0].srcdoc.as_ref().expect("graph"));
        compress(&mut graphs);
        assert!(graphs[0].srcdoc.is_none());
        let b = base64::engine::general_purpose::STANDARD
            .decode(graphs[0].gz.as_ref().expect("gz"))
            .expect("base64");
        let mut out = String::new();
        flate2::read::GzDecoder::new(&b[..])
            .read_to_string(&mut out)
            .expect("gunzip");
        assert_eq!(out, plain);
        assert!(b.len() * 4 < plain.len(), "compresses well");
    }

    #[test]
    fn no_data_gives_notes() {
        let graphs = build_all(&Archive::default());
        assert_eq!(graphs.len(), 5);
        assert!(
            graphs
                .iter()
                .all(|g| g.srcdoc.is_none() && g.note.is_some())
        );
    }
}
