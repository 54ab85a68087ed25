//! The HTML kit of every report page (run, compare, sweep): escaping, the embedded
//! style sheet, the page head and inlined SVG charts.

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The embedded style sheet of the run and comparison pages.
pub const STYLE: &str = r#"
body { font-family: "DejaVu Sans", Verdana, "Segoe UI", Helvetica, Arial, sans-serif;
  color: #1d1d1d; margin: 0 auto; max-width: 1240px; padding: 1.2em 1.6em 3em; line-height: 1.45; }
h1 { font-size: 1.9em; margin: 0.2em 0 0.1em; }
h2 { font-size: 1.35em; margin-top: 1.8em; border-bottom: 2px solid #ddd; padding-bottom: 0.2em; }
h3 { font-size: 1.1em; margin: 1.4em 0 0.3em; }
p.desc { font-size: 1.08em; max-width: 60em; }
.meta { color: #444; }
code, .num { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.92em; }
table { border-collapse: collapse; margin: 0.6em 0 1em; font-size: 0.93em; }
th, td { border-bottom: 1px solid #e2e2e2; padding: 0.28em 0.8em 0.28em 0; text-align: left; vertical-align: top; }
th { border-bottom: 2px solid #bbb; }
td.r, th.r { text-align: right; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; border-radius: 2px; margin-right: 0.4em; vertical-align: -0.1em; }
figure.chart { margin: 1.2em 0 2.2em; }
figure.chart svg { width: 100%; height: auto; display: block; border: 1px solid #eee; }
figcaption { font-size: 0.93em; color: #333; margin-top: 0.4em; max-width: 70em; }
.note { background: #fff8e1; border-left: 4px solid #f0b400; padding: 0.5em 0.8em; margin: 0.6em 0; }
nav ul { columns: 2; padding-left: 1.2em; }
footer { margin-top: 3em; color: #666; font-size: 0.88em; }
.pos { color: #b00020; } .neg { color: #006b3c; }
"#;

/// Inlines an SVG document with an accessible name.
pub fn inline_svg(svg: &str, title: &str) -> String {
    let body = svg.trim_start();
    let body = body.strip_prefix("<?xml").map_or(body, |rest| {
        rest.find("?>").map_or(body, |i| rest[i + 2..].trim_start())
    });
    body.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{}\" ", esc(title)),
        1,
    )
}

/// The page head with the embedded style.
pub fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"hetsim {}\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        esc(title),
        STYLE
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(esc("<a & 'b'>"), "&lt;a &amp; &#39;b&#39;&gt;");
    }
}
