//! How wide a text is in the embedded font, so amounts can be right-aligned and long
//! descriptions wrapped (krilla draws text but does not measure it).

use std::sync::OnceLock;

use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, MetadataProvider};

use super::FONT;

struct Metrics {
    font: FontRef<'static>,
    glyphs: GlyphMetrics<'static>,
    units_per_em: f32,
}

fn metrics() -> Option<&'static Metrics> {
    static METRICS: OnceLock<Option<Metrics>> = OnceLock::new();
    METRICS
        .get_or_init(|| {
            let font = FontRef::new(FONT).ok()?;
            let glyphs = font.glyph_metrics(Size::unscaled(), LocationRef::default());
            let units_per_em = f32::from(
                font.metrics(Size::unscaled(), LocationRef::default())
                    .units_per_em,
            );
            Some(Metrics {
                font,
                glyphs,
                units_per_em,
            })
        })
        .as_ref()
}

/// The width of `text` at `size` points. A character the font lacks counts as half an em.
pub(crate) fn width(text: &str, size: f32) -> f32 {
    let Some(metrics) = metrics() else {
        return text.chars().count() as f32 * size * 0.6;
    };
    let charmap = metrics.font.charmap();
    let units: f32 = text
        .chars()
        .map(|character| {
            charmap
                .map(character)
                .and_then(|glyph| metrics.glyphs.advance_width(glyph))
                .unwrap_or(metrics.units_per_em / 2.0)
        })
        .sum();
    units * size / metrics.units_per_em
}

/// `text` broken into lines no wider than `limit` at `size`, at spaces where it can be (a word
/// longer than the line is cut where it must be). Given line breaks are kept.
pub(crate) fn wrap(text: &str, size: f32, limit: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split(' ').filter(|word| !word.is_empty()) {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if width(&candidate, size) <= limit {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word wider than the line on its own: cut it character by character.
            for character in word.chars() {
                line.push(character);
                if width(&line, size) > limit && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::take(&mut line));
                    line.push(character);
                }
            }
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::{width, wrap};

    #[test]
    fn wider_texts_measure_wider_and_scale_with_the_size() {
        assert!(width("100,00 ₺", 10.0) > width("1,00 ₺", 10.0));
        let small = width("Genel toplam", 10.0);
        assert!((width("Genel toplam", 20.0) - 2.0 * small).abs() < 0.01);
        assert!(small > 30.0 && small < 80.0, "{small}");
    }

    #[test]
    fn long_descriptions_wrap_at_spaces_and_keep_every_word() {
        let text = "Yıllık abonelik — Teknik Destek, Muhasebe ve Satış departmanları için";
        let lines = wrap(text, 9.0, 120.0);
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines.iter().all(|line| width(line, 9.0) <= 120.0));
        assert_eq!(lines.join(" "), text);
        let long = "A".repeat(80);
        assert!(
            wrap(&long, 9.0, 50.0)
                .iter()
                .all(|line| width(line, 9.0) <= 50.0)
        );
        assert_eq!(wrap("", 9.0, 50.0), vec![String::new()]);
    }
}
