//! Remedies per cause: Markdown files under `report-templates/remedies/`
//! (compiled in), rendered with pulldown-cmark.
//!
//! The remedy files are our own text, but rendering treats them defensively
//! anyway (a `--templates` directory or a later edit must not be able to
//! inject markup): raw HTML is escaped and link/image URLs other than
//! http(s), relative or `#fragment` are neutralised.

use crate::analysis::Cause;
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html as cmark_html};

/// Every cause, in the order of the contract's vocabulary.
pub const ALL_CAUSES: [Cause; 11] = Cause::ALL;

/// The remedy's Markdown source for a cause.
pub fn markdown(cause: Cause) -> &'static str {
    match cause {
        Cause::ChanSend => include_str!("../../report-templates/remedies/chan-send.md"),
        Cause::ChanReceive => include_str!("../../report-templates/remedies/chan-receive.md"),
        Cause::Select => include_str!("../../report-templates/remedies/select.md"),
        Cause::NilChan => include_str!("../../report-templates/remedies/nil-chan.md"),
        Cause::Mutex => include_str!("../../report-templates/remedies/mutex.md"),
        Cause::Waitgroup => include_str!("../../report-templates/remedies/waitgroup.md"),
        Cause::Cond => include_str!("../../report-templates/remedies/cond.md"),
        Cause::IoWait => include_str!("../../report-templates/remedies/io-wait.md"),
        Cause::Sleep => include_str!("../../report-templates/remedies/sleep.md"),
        Cause::HeapGrowth => include_str!("../../report-templates/remedies/heap-growth.md"),
        Cause::Other => include_str!("../../report-templates/remedies/other.md"),
    }
}

/// The remedy rendered to HTML (raw HTML in the Markdown is escaped).
pub fn html(cause: Cause) -> String {
    markdown_to_html(markdown(cause))
}

/// The remedy's one-line gist (its first paragraph, plain text).
pub fn gist(cause: Cause) -> String {
    first_paragraph_text(markdown(cause))
}

/// The remedy's first paragraph as Markdown source on one line (code spans
/// kept), for embedding in the Markdown summary. Trusted text: it comes from
/// the compiled-in remedy files.
pub fn gist_markdown(cause: Cause) -> String {
    first_paragraph_source(markdown(cause))
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Renders Markdown to HTML safely: raw HTML (block and inline) becomes
/// escaped text, and unsafe link/image destinations become `#`.
pub fn markdown_to_html(src: &str) -> String {
    let parser = Parser::new_ext(src, options()).map(sanitize_event);
    let mut out = String::with_capacity(src.len() * 3 / 2);
    cmark_html::push_html(&mut out, parser);
    out
}

fn sanitize_event(ev: Event<'_>) -> Event<'_> {
    match ev {
        Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        other => other,
    }
}

fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    if is_safe_url(&url) {
        url
    } else {
        CowStr::Borrowed("#")
    }
}

/// True for `http:`/`https:` URLs, fragments and relative references
/// (no scheme). Everything else (`javascript:`, `data:`, `vbscript:`, …,
/// also with case tricks or embedded control characters) is unsafe.
pub fn is_safe_url(url: &str) -> bool {
    if url.chars().any(|c| c.is_control()) {
        return false;
    }
    let url = url.trim_start();
    // A scheme is whatever precedes the first ':' if that comes before any
    // '/', '?' or '#'.
    match url.find([':', '/', '?', '#']) {
        Some(i) if url.as_bytes().get(i) == Some(&b':') => {
            let scheme = url[..i].to_ascii_lowercase();
            scheme == "http" || scheme == "https"
        }
        _ => true,
    }
}

/// The first paragraph's text without markup (code spans keep their text,
/// line breaks become spaces).
fn first_paragraph_text(src: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for ev in Parser::new_ext(src, options()) {
        match ev {
            Event::Start(Tag::Paragraph) => inside = true,
            Event::End(TagEnd::Paragraph) if inside => break,
            Event::Text(t) | Event::Code(t) if inside => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak if inside => out.push(' '),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// The first paragraph's Markdown source joined into one line.
fn first_paragraph_source(src: &str) -> String {
    src.trim_start()
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cause_has_a_remedy_with_go_code_and_a_gist() {
        for cause in ALL_CAUSES {
            let md = markdown(cause);
            assert!(md.contains("```go\n"), "{} lacks a go block", cause.name());
            let lines = md.lines().count();
            assert!(
                (25..=60).contains(&lines),
                "{}: {lines} lines",
                cause.name()
            );
            let g = gist(cause);
            assert!(g.len() > 60, "{}: gist too short: {g}", cause.name());
            assert!(!g.contains('`'), "{}: gist keeps markup: {g}", cause.name());
            assert!(!g.contains('\n'));
            let h = html(cause);
            assert!(
                h.contains("<code class=\"language-go\">"),
                "{}",
                cause.name()
            );
            assert!(h.contains("<h2>Why it leaks</h2>"), "{}", cause.name());
        }
    }

    #[test]
    fn gist_is_the_first_paragraph() {
        assert_eq!(
            gist(Cause::NilChan).split(':').next().unwrap(),
            "Goroutines are blocked forever on a nil channel"
        );
        assert!(gist(Cause::Mutex).contains("defer mu.Unlock()"));
        assert!(gist_markdown(Cause::Mutex).contains("`defer mu.Unlock()`"));
        assert!(!gist_markdown(Cause::Mutex).contains("Why it leaks"));
    }

    #[test]
    fn remedies_teach_the_principles() {
        let all: String = ALL_CAUSES.iter().map(|&c| markdown(c)).collect();
        for needle in [
            "defer close(ch)",
            "for it := range ch",
            "close(done)",
            "ctx.Done()",
            "context.WithCancel",
            "context.WithTimeout",
            "defer cancel()",
            "defer c.mu.Unlock()",
            "defer wg.Done()",
            "defer resp.Body.Close()",
            "io.Copy(io.Discard, resp.Body)",
            "defer t.Stop()",
            "time.After",
            "bytes.Clone",
            "append([]byte(nil), buf[:n]...)",
            "SetReadDeadline",
            "http.Client{Timeout",
            "make(chan T, 1)",
            "nil channel",
            "goroutineleak",
            "proves nothing",
            "HeapInuse",
        ] {
            assert!(all.contains(needle), "no remedy mentions {needle}");
        }
    }

    #[test]
    fn remedies_are_valid_minijinja_sources() {
        // build.rs embeds every file under report-templates/, remedies
        // included, and the HTML environment parses them eagerly.
        let mut env = minijinja::Environment::new();
        for cause in ALL_CAUSES {
            env.add_template(cause.name(), markdown(cause))
                .unwrap_or_else(|e| panic!("{}: {e}", cause.name()));
        }
    }

    #[test]
    fn raw_html_is_escaped() {
        let h = markdown_to_html(
            "Hi <script>alert(1)</script> there\n\n<img src=x onerror=alert(1)>\n",
        );
        assert!(!h.contains("<script>"), "{h}");
        assert!(!h.contains("<img"), "{h}");
        assert!(h.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{h}");
        assert!(h.contains("&lt;img src=x onerror=alert(1)&gt;"), "{h}");
    }

    #[test]
    fn unsafe_urls_are_neutralised() {
        let h = markdown_to_html(
            "[a](javascript:alert(1)) [b](JavaScript:x) ![c](data:image/png;base64,AA) \
             [d](https://go.dev/doc) [e](#top) [f](../x.html) [g](<java\tscript:x>)\n",
        );
        assert!(!h.to_ascii_lowercase().contains("javascript:"), "{h}");
        assert!(!h.contains("data:"), "{h}");
        assert!(h.contains("href=\"https://go.dev/doc\""), "{h}");
        assert!(h.contains("href=\"#top\""), "{h}");
        assert!(h.contains("href=\"../x.html\""), "{h}");
        assert_eq!(h.matches("href=\"#\"").count(), 3, "{h}");
        assert!(h.contains("src=\"#\""), "{h}");
    }

    #[test]
    fn url_safety_rules() {
        assert!(is_safe_url("http://x"));
        assert!(is_safe_url("HTTPS://x"));
        assert!(is_safe_url("a/b:c"));
        assert!(is_safe_url("?q=a:b"));
        assert!(is_safe_url("#frag:x"));
        assert!(!is_safe_url("javascript:alert(1)"));
        assert!(!is_safe_url(" vbscript:x"));
        assert!(!is_safe_url("java\nscript:x"));
        assert!(!is_safe_url("mailto:x@y"));
    }
}
