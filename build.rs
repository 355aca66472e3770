fn main() {
    // Only the report's templates: Markdown remedies and the built-in
    // ignore list under report-templates/ are compiled in by their modules.
    minijinja_embed::embed_templates!("report-templates", &[".html", ".css"][..]);
}
