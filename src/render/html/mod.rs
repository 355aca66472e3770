//! The self-contained HTML report: minijinja templates (compiled in from
//! `report-templates/`, overridable with `--templates DIR`), hand-drawn SVG
//! charts and inferno flame graphs embedded as `<iframe srcdoc>`. The page
//! loads nothing from the network and opens offline.

pub mod chart;
pub mod context;
#[cfg(any(test, feature = "testkit"))]
pub mod demo;
pub mod downsample;
pub mod fix;
pub mod flame;
mod flame_size;
pub mod fold;
pub mod overview;

use super::{Exporter, RenderError, ReportInput};
use minijinja::{Environment, UndefinedBehavior, Value, value::Serde};

/// The template rendered for the report.
pub const ENTRY_TEMPLATE: &str = "report.html";

/// Writes the HTML report.
pub struct HtmlExporter {
    /// Templates overriding the built-in ones (`--templates DIR`): (name, source).
    /// Only names ending in `.html` or `.css` are used.
    pub templates: Vec<(String, String)>,
}

/// True for names the template environment takes (`.html`, `.css`).
pub fn is_template_name(name: &str) -> bool {
    name.ends_with(".html") || name.ends_with(".css")
}

/// The template environment: built-in templates, then the overrides,
/// strict about undefined values, HTML autoescape by file name.
pub fn environment(overrides: &[(String, String)]) -> Result<Environment<'static>, RenderError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_formatter(|out, state, value| {
        // Text from dumps may carry control and bidi characters: shown
        // visibly (crate::text), then HTML-escaped.
        match value.as_str() {
            Some(s) if !value.is_safe() && s.chars().any(crate::text::is_hidden) => {
                let shown = crate::text::visible(s).into_owned();
                minijinja::escape_formatter(out, state, &Value::from(shown))
            }
            _ => minijinja::escape_formatter(out, state, value),
        }
    });
    minijinja_embed::load_templates!(&mut env);
    for (name, source) in overrides.iter().filter(|(n, _)| is_template_name(n)) {
        env.add_template_owned(name.clone(), source.clone())
            .map_err(|e| RenderError(format!("template {name}: {e:#}")))?;
    }
    Ok(env)
}

/// Names of the built-in templates, sorted.
pub fn builtin_template_names() -> Vec<String> {
    let mut env = Environment::new();
    minijinja_embed::load_templates!(&mut env);
    let mut names: Vec<String> = env.templates().map(|(n, _)| n.to_string()).collect();
    names.sort();
    names
}

impl HtmlExporter {
    /// Renders to a string.
    pub fn render_string(&self, input: &ReportInput<'_>) -> Result<String, RenderError> {
        self.render_view(&context::build(input))
    }

    /// [`HtmlExporter::render_string`] with the flame graphs already drawn
    /// ([`flame::build_all`] of the input's archive), as bytes.
    pub fn render_with_flames(
        &self,
        input: &ReportInput<'_>,
        flames: Vec<flame::FlameGraph>,
    ) -> Result<Vec<u8>, RenderError> {
        self.render_view(&context::build_with(input, Some(flames)))
            .map(String::into_bytes)
    }

    /// Renders an already built view (tests use it to force the compressed
    /// flame graph embedding).
    pub fn render_view(&self, view: &context::View) -> Result<String, RenderError> {
        let env = environment(&self.templates)?;
        let tmpl = env
            .get_template(ENTRY_TEMPLATE)
            .map_err(|e| RenderError(format!("{e:#}")))?;
        tmpl.render(Serde(view))
            .map_err(|e| RenderError(format!("cannot render the HTML report: {e:#}")))
    }
}

impl Exporter for HtmlExporter {
    fn render(&self, input: &ReportInput<'_>) -> Result<Vec<u8>, RenderError> {
        self.render_string(input).map(String::into_bytes)
    }
}

#[cfg(test)]
mod tests;
