//! A small PDF writer: A4 pages of text (Helvetica, WinAnsi) and filled rectangles. Enough
//! for the payment notice and the demo's reports, without a 100-crate PDF library.

pub const A4: (f32, f32) = (595.28, 841.89);

/// Millimetres to PDF points.
pub fn mm(v: f32) -> f32 {
    v * 72.0 / 25.4
}

#[derive(Default)]
pub struct Page {
    ops: Vec<u8>,
}

/// WinAnsi: Latin-1 for the Italian letters, 0x80 for the euro sign.
fn winansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '€' => 0x80,
            '–' => 0x96,
            '’' => 0x92,
            c if (c as u32) < 256 => c as u8,
            _ => b'?',
        })
        .collect()
}

impl Page {
    /// Text with its baseline at (x, y) points from the bottom left.
    pub fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, s: &str) {
        let font = if bold { "F2" } else { "F1" };
        self.ops
            .extend_from_slice(format!("BT /{font} {size:.1} Tf {x:.2} {y:.2} Td (").as_bytes());
        for b in winansi(s) {
            if matches!(b, b'(' | b')' | b'\\') {
                self.ops.push(b'\\');
            }
            self.ops.push(b);
        }
        self.ops.extend_from_slice(b") Tj ET\n");
    }

    /// A filled black rectangle.
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32) {
        self.ops
            .extend_from_slice(format!("{x:.3} {y:.3} {w:.3} {h:.3} re f\n").as_bytes());
    }

    /// A thin line.
    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        self.ops
            .extend_from_slice(format!("0.5 w {x1:.2} {y1:.2} m {x2:.2} {y2:.2} l S\n").as_bytes());
    }
}

/// The whole file: catalog, page tree, two fonts, one content stream per page.
pub fn document(pages: &[Page]) -> Vec<u8> {
    let n = pages.len();
    // Objects: 1 catalog, 2 pages, 3 F1, 4 F2, then (page, content) pairs.
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 5 + 2 * i)).collect();
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    ];
    for (i, p) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {:.2} {:.2}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                A4.0,
                A4.1,
                6 + 2 * i
            )
            .into_bytes(),
        );
        objects.push(
            [
                format!("<< /Length {} >>\nstream\n", p.ops.len()).into_bytes(),
                p.ops.clone(),
                b"\nendstream".to_vec(),
            ]
            .concat(),
        );
    }
    let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        pdf.extend_from_slice(obj);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xref_points_at_the_objects() {
        let mut p = Page::default();
        p.text(60.0, 780.0, 16.0, true, "Referto (prova) – 22,00 €");
        p.rect(10.0, 10.0, 5.0, 5.0);
        let pdf = document(&[p]);
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-1.4") && text.ends_with("%%EOF\n"));
        assert!(
            pdf.windows(4).any(|w| w == b"\x96 22"),
            "en dash and euro in WinAnsi"
        );
        let startxref: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(pdf[startxref..].starts_with(b"xref"));
        let table = String::from_utf8_lossy(&pdf[startxref..]);
        for line in table.lines().skip(3).take(6) {
            let off: usize = line[..10].parse().unwrap();
            assert!(
                pdf[off..].starts_with(b"")
                    && String::from_utf8_lossy(&pdf[off..off + 8]).contains(" 0 obj"),
                "{line}"
            );
        }
    }
}
