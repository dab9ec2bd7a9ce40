//! Lays out a result document as an A4 PDF with `krilla`: paragraphs and label/value rows,
//! wrapped to the page's width (measured with `rustybuzz`, the shaper krilla draws with), on as
//! many pages as they need, in DejaVu Sans (embedded, subset: it covers Cyrillic; the files and
//! their licence are in `crates/cases/fonts/`).

use krilla::action::LinkAction;
use krilla::annotation::{LinkAnnotation, Target};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::{Font, TextDirection};
use krilla::Document;

static REGULAR: &[u8] = include_bytes!("../../../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../../fonts/DejaVuSans-Bold.ttf");

const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 56.0;
const BOTTOM: f32 = PAGE_HEIGHT - 56.0;
const LABEL_WIDTH: f32 = 150.0;
const GUTTER: f32 = 12.0;
const BODY: f32 = 10.0;

/// One piece of a document, top to bottom.
#[derive(Debug, Clone)]
pub enum Block {
    /// Bold text of the given size.
    Heading(String, f32),
    /// Body text.
    Text(String),
    /// A label and its value side by side.
    Row(String, String),
    /// A link, written out in full so it can also be typed from paper.
    Link(String),
    /// A thin line across the page.
    Rule,
    /// Vertical space, in points.
    Space(f32),
    /// The rest starts on a new page.
    PageBreak,
}

/// Everything a document needs besides its blocks.
pub struct Meta<'a> {
    pub title: &'a str,
    pub language: &'a str,
}

#[derive(Clone, Copy, PartialEq)]
enum Weight {
    Regular,
    Bold,
}

struct Line {
    x: f32,
    y: f32,
    size: f32,
    weight: Weight,
    text: String,
    /// The whole URL this line is part of, if it is a link.
    link: Option<String>,
}

#[derive(Default)]
struct Page {
    lines: Vec<Line>,
    rules: Vec<f32>,
}

struct Shaper {
    regular: rustybuzz::Face<'static>,
    bold: rustybuzz::Face<'static>,
}

impl Shaper {
    fn new() -> Result<Shaper, String> {
        let face = |data: &'static [u8]| {
            rustybuzz::Face::from_slice(data, 0).ok_or_else(|| "font unreadable".to_owned())
        };
        Ok(Shaper {
            regular: face(REGULAR)?,
            bold: face(BOLD)?,
        })
    }

    fn width(&self, text: &str, size: f32, weight: Weight) -> f32 {
        let face = match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        };
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        let shaped = rustybuzz::shape(face, &[], buffer);
        let units: i32 = shaped.glyph_positions().iter().map(|p| p.x_advance).sum();
        units as f32 * size / f32::from(face.units_per_em() as u16)
    }

    /// Greedy wrapping on spaces; a word wider than the line (a URL) is cut where it must be.
    fn wrap(&self, text: &str, size: f32, weight: Weight, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size, weight) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                for ch in word.chars() {
                    let mut next = line.clone();
                    next.push(ch);
                    if !line.is_empty() && self.width(&next, size, weight) > width {
                        lines.push(std::mem::take(&mut line));
                        line.push(ch);
                    } else {
                        line = next;
                    }
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// Where the next line goes: the pages so far and the height reached on the last one.
struct Cursor {
    pages: Vec<Page>,
    y: f32,
}

impl Cursor {
    /// Starts a new page unless `height` more points fit on this one.
    fn room_for(&mut self, height: f32) {
        if self.y + height > BOTTOM {
            self.new_page();
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = MARGIN;
    }

    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.pages.push(Page::default());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn put(&mut self, x: f32, size: f32, weight: Weight, text: String, link: Option<String>) {
        let y = self.y + size;
        self.page().lines.push(Line {
            x,
            y,
            size,
            weight,
            text,
            link,
        });
    }
}

/// Places the blocks on pages.
fn lay_out(shaper: &Shaper, blocks: &[Block]) -> Vec<Page> {
    let mut at = Cursor {
        pages: vec![Page::default()],
        y: MARGIN,
    };
    let full = PAGE_WIDTH - 2.0 * MARGIN;
    let value_x = MARGIN + LABEL_WIDTH + GUTTER;
    let value_width = full - LABEL_WIDTH - GUTTER;
    for block in blocks {
        let (text, size, weight, link) = match block {
            Block::Heading(text, size) => (text, *size, Weight::Bold, None),
            Block::Text(text) => (text, BODY, Weight::Regular, None),
            Block::Link(url) => (url, BODY, Weight::Regular, Some(url.clone())),
            Block::Row(label, value) => {
                let labels = shaper.wrap(label, BODY, Weight::Bold, LABEL_WIDTH);
                let values = shaper.wrap(value, BODY, Weight::Regular, value_width);
                let height = labels.len().max(values.len());
                let line_height = BODY * 1.45;
                // A row stays on one page (unless it is longer than a page).
                at.room_for(line_height * height as f32);
                for i in 0..height {
                    at.room_for(line_height);
                    if let Some(l) = labels.get(i) {
                        at.put(MARGIN, BODY, Weight::Bold, l.clone(), None);
                    }
                    if let Some(v) = values.get(i) {
                        at.put(value_x, BODY, Weight::Regular, v.clone(), None);
                    }
                    at.y += line_height;
                }
                at.y += BODY * 0.4;
                continue;
            }
            Block::Rule => {
                let y = at.y + 4.0;
                at.page().rules.push(y);
                at.y += 12.0;
                continue;
            }
            Block::Space(points) => {
                at.y += points;
                continue;
            }
            Block::PageBreak => {
                at.new_page();
                continue;
            }
        };
        let line_height = size * 1.45;
        for line in shaper.wrap(text, size, weight, full) {
            at.room_for(line_height);
            at.put(MARGIN, size, weight, line, link.clone());
            at.y += line_height;
        }
        at.y += size * 0.4;
    }
    at.pages
}

/// The PDF's bytes. Fails only if a font cannot be read or krilla refuses the document.
pub fn render(meta: &Meta<'_>, blocks: &[Block]) -> Result<Vec<u8>, String> {
    let shaper = Shaper::new()?;
    let regular = Font::new(REGULAR.into(), 0).ok_or("font unreadable")?;
    let bold = Font::new(BOLD.into(), 0).ok_or("font unreadable")?;
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or("page size")?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(meta.title.to_owned())
            .language(meta.language.to_owned())
            .creator("Portico".to_owned()),
    );
    for laid in lay_out(&shaper, blocks) {
        let mut page = document.start_page_with(settings.clone());
        let mut links = Vec::new();
        {
            let mut surface = page.surface();
            for line in &laid.lines {
                let font = match line.weight {
                    Weight::Regular => regular.clone(),
                    Weight::Bold => bold.clone(),
                };
                surface.draw_text(
                    Point::from_xy(line.x, line.y),
                    font,
                    line.size,
                    &line.text,
                    false,
                    TextDirection::Auto,
                );
                if let Some(url) = &line.link {
                    let width = shaper.width(&line.text, line.size, line.weight);
                    if let Some(rect) =
                        Rect::from_xywh(line.x, line.y - line.size, width, line.size * 1.3)
                    {
                        links.push((rect, url.clone()));
                    }
                }
            }
            surface.set_stroke(Some(Stroke::default()));
            surface.set_fill(None);
            for y in &laid.rules {
                let mut path = PathBuilder::new();
                path.move_to(MARGIN, *y);
                path.line_to(PAGE_WIDTH - MARGIN, *y);
                if let Some(path) = path.finish() {
                    surface.draw_path(&path);
                }
            }
            surface.finish();
        }
        // A link that wraps over several lines is one URL: every part opens the whole of it.
        for (rect, url) in links {
            page.add_annotation(
                LinkAnnotation::new(rect, Target::Action(LinkAction::new(url).into())).into(),
            );
        }
        page.finish();
    }
    document.finish().map_err(|e| format!("{e:?}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn long_words_and_paragraphs_wrap_within_the_width() {
        let shaper = Shaper::new().unwrap();
        let lines = shaper.wrap(
            "Заявлението е одобрено от Столична община. https://portico.example/documents/ABCD-EFGH-JKLM-NPQR-ABCD-EFGH-JKLM-NPQR",
            BODY,
            Weight::Regular,
            150.0,
        );
        assert!(lines.len() > 2, "{lines:?}");
        for line in &lines {
            assert!(shaper.width(line, BODY, Weight::Regular) <= 150.0, "{line}");
        }
        assert_eq!(lines.concat().replace(' ', "").chars().count(),
            "Заявлението е одобрено от Столична община. https://portico.example/documents/ABCD-EFGH-JKLM-NPQR-ABCD-EFGH-JKLM-NPQR".replace(' ', "").chars().count());
    }

    #[test]
    fn many_rows_flow_onto_further_pages() {
        let shaper = Shaper::new().unwrap();
        let blocks: Vec<Block> = (0..120)
            .map(|i| Block::Row(format!("Поле {i}"), "стойност".into()))
            .collect();
        let pages = lay_out(&shaper, &blocks);
        assert!(pages.len() >= 2);
        for page in &pages {
            assert!(page.lines.iter().all(|l| l.y <= BOTTOM + BODY));
        }
        let pdf = render(
            &Meta {
                title: "t",
                language: "bg",
            },
            &blocks,
        )
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
