//! CSV exports as a spreadsheet opens them (Excel in Italy): `;` between fields, a UTF-8
//! BOM so that accents read right, and a cell that starts like a formula (`=`, `+`, `-`,
//! `@`, a tab or a carriage return) written with a leading `'`, so that a name typed as
//! `=HYPERLINK(…)` stays text (CSV injection).

use crate::error::AppError;
use std::borrow::Cow;

pub struct Sheet(csv::Writer<Vec<u8>>);

fn io(e: csv::Error) -> AppError {
    AppError::internal(e)
}

/// A cell as text, whatever it starts with.
pub fn guard(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

impl Sheet {
    pub fn new(header: &[&str]) -> Result<Sheet, AppError> {
        let mut bytes = Vec::with_capacity(64 * 1024);
        bytes.extend_from_slice(b"\xEF\xBB\xBF");
        let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(bytes);
        w.write_record(header).map_err(io)?;
        Ok(Sheet(w))
    }

    pub fn row<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) -> Result<(), AppError> {
        self.0
            .write_record(cells.into_iter().map(|c| guard(c).into_owned()))
            .map_err(io)
    }

    pub fn finish(self) -> Result<Vec<u8>, AppError> {
        self.0
            .into_inner()
            .map_err(|e| AppError::internal(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bom_semicolons_and_formulas_as_text() {
        let mut s = Sheet::new(&["nome", "nota"]).unwrap();
        s.row(["Nicolò", "=HYPERLINK(\"http://x\")"]).unwrap();
        s.row(["@SUM(A1)", "a;b"]).unwrap();
        let text = String::from_utf8(s.finish().unwrap()).unwrap();
        assert_eq!(
            text,
            "\u{feff}nome;nota\nNicolò;\"'=HYPERLINK(\"\"http://x\"\")\"\n'@SUM(A1);\"a;b\"\n"
        );
    }
}
