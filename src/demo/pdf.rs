//! The demo's synthetic reports: pages of text lines.

use crate::pdf::{Page, document as pdf_document};

/// An A4 page: the first line as a title, the others as body text.
fn page(lines: &[&str]) -> Page {
    let mut page = Page::default();
    for (i, line) in lines.iter().enumerate() {
        if i == 0 {
            page.text(60.0, 780.0, 16.0, true, line);
        } else {
            page.text(60.0, 740.0 - 18.0 * i as f32, 11.0, false, line);
        }
    }
    page
}

/// Several pages, one per list of lines.
pub fn pages(pages: &[Vec<String>]) -> Vec<u8> {
    let pages: Vec<Page> = pages
        .iter()
        .map(|lines| page(&lines.iter().map(String::as_str).collect::<Vec<_>>()))
        .collect();
    pdf_document(&pages)
}
