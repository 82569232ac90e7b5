//! Text as the page shows it: escaping for markup, and the estimated width
//! of a string in a sans-serif font, so that labels can be cut to fit
//! without a script to measure them.

/// Escapes text for element content and attribute values; control
/// characters become U+FFFD, as in text tables.
pub(super) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if c.is_control() => o.push('\u{fffd}'),
            c => o.push(c),
        }
    }
    o
}

/// Estimated advance of `c` in ems of a sans-serif font.
fn char_w(c: char) -> f64 {
    match c {
        '\u{300}'..='\u{36f}'
        | '\u{200b}'..='\u{200f}'
        | '\u{fe00}'..='\u{fe0f}'
        | '\u{e0000}'..='\u{e01ef}' => 0.0,
        'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | 'I' | ' ' => 0.3,
        'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '-' | '/' => 0.4,
        'm' | 'w' | 'M' | 'W' | '@' | '%' => 0.95,
        c if c.is_ascii_uppercase() => 0.74,
        c if c.is_ascii() => 0.63,
        '\u{1100}'..='\u{115f}'
        | '\u{2e80}'..='\u{a4cf}'
        | '\u{ac00}'..='\u{d7a3}'
        | '\u{f900}'..='\u{faff}'
        | '\u{fe30}'..='\u{fe4f}'
        | '\u{ff00}'..='\u{ff60}'
        | '\u{ffe0}'..='\u{ffe6}'
        | '\u{1f000}'..='\u{1faff}'
        | '\u{20000}'..='\u{3fffd}' => 1.2,
        _ => 0.7,
    }
}

/// Estimated width of `s` at `font` px.
pub(super) fn text_w(s: &str, font: f64) -> f64 {
    s.chars().map(char_w).sum::<f64>() * font
}

/// `s` cut to about `max_w` px at `font` px, ending in an ellipsis when cut.
pub(super) fn truncate(s: &str, max_w: f64, font: f64) -> String {
    if text_w(s, font) <= max_w {
        return s.to_string();
    }
    let budget = max_w - char_w('…') * font;
    let mut w = 0.0;
    let mut out = String::new();
    for c in s.chars() {
        w += char_w(c) * font;
        if w > budget {
            break;
        }
        out.push(c);
    }
    // A joiner or space left at the cut would dangle before the ellipsis.
    while out.ends_with('\u{200d}') || out.ends_with(' ') {
        out.pop();
    }
    out.push('…');
    out
}
