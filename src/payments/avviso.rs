//! The printed pagoPA payment notice ("Avviso di pagamento", SPECS.md §2): A4 PDF with every
//! field, the amount in Italian format, the notice code in groups of 4, and the QR code
//! `PAGOPA|002|<NAV>|<CF ente>|<cents>` (ECC level M, about 25 × 25 mm).

use super::notice::NoticeNumber;
use crate::error::{AppError, Context};
use crate::pdf::{A4, Page, document, mm};
use qrcode::{Color, EcLevel, QrCode};

pub struct Avviso<'a> {
    /// Ente creditore (≤ 50 characters) and its codice fiscale (11 digits).
    pub ente_name: &'a str,
    pub ente_cf: &'a str,
    pub settore: &'a str,
    pub cbill: Option<&'a str>,
    /// Destinatario (≤ 70 characters) and codice fiscale.
    pub payer_name: &'a str,
    pub payer_cf: &'a str,
    /// Oggetto (≤ 90 characters): never a clinical detail.
    pub subject: &'a str,
    pub amount_cents: i64,
    pub due: jiff::civil::Date,
    pub notice: &'a NoticeNumber,
}

/// The QR payload, exactly as pagoPA's apps read it.
pub fn qr_payload(notice: &NoticeNumber, ente_cf: &str, amount_cents: i64) -> String {
    format!("PAGOPA|002|{}|{ente_cf}|{amount_cents}", notice.as_str())
}

/// `22,00 €`, `1.234,50 €`.
pub fn amount(cents: i64) -> String {
    let euro = crate::ui::euro(cents);
    format!("{} €", euro.trim_start_matches("€ "))
}

fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

pub fn pdf(a: &Avviso) -> Result<Vec<u8>, AppError> {
    if a.ente_cf.len() != 11 || !a.ente_cf.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::bad_request(
            "il codice fiscale dell'ente creditore ha 11 cifre",
        ));
    }
    let payload = qr_payload(a.notice, a.ente_cf, a.amount_cents);
    let qr = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)
        .context("codice QR dell'avviso")?;
    let (ente, payer, subject) = (
        cut(a.ente_name, 50),
        cut(a.payer_name, 70),
        cut(a.subject, 90),
    );
    let due = a.due.strftime("%d/%m/%Y").to_string();
    let money = amount(a.amount_cents);
    let code = a.notice.grouped();
    let mut p = Page::default();
    let left = mm(18.0);
    let mut y = A4.1 - mm(25.0);
    p.text(left, y, 20.0, true, "AVVISO DI PAGAMENTO");
    y -= 22.0;
    p.text(left, y, 12.0, true, &subject);
    y -= 30.0;
    for (label, value, x) in [
        ("ENTE CREDITORE", ente.as_str(), left),
        ("DESTINATARIO AVVISO", payer.as_str(), A4.0 / 2.0),
    ] {
        p.text(x, y, 9.0, true, label);
        p.text(x, y - 16.0, 11.0, false, value);
    }
    p.text(
        left,
        y - 30.0,
        9.0,
        false,
        &format!("Cod. Fiscale {}", a.ente_cf),
    );
    p.text(
        A4.0 / 2.0,
        y - 30.0,
        9.0,
        false,
        &format!("Cod. Fiscale {}", a.payer_cf),
    );
    if !a.settore.is_empty() {
        p.text(left, y - 42.0, 9.0, false, a.settore);
    }
    y -= 75.0;
    p.line(left, y + 14.0, A4.0 - left, y + 14.0);
    p.text(left, y, 9.0, true, "QUANTO E QUANDO PAGARE?");
    p.text(
        left,
        y - 18.0,
        14.0,
        true,
        &format!("{money} entro il {due}"),
    );
    p.text(A4.0 / 2.0, y, 9.0, true, "DOVE PAGARE?");
    let where_to = [
        "Sul sito o con l'app della tua banca o degli altri canali di pagamento,",
        "usando il QR code o il codice avviso; oppure sul territorio, in banca,",
        "negli uffici postali, nei punti vendita SISAL, Lottomatica e Banca 5.",
    ];
    for (i, l) in where_to.iter().enumerate() {
        p.text(A4.0 / 2.0, y - 16.0 - 11.0 * i as f32, 8.0, false, l);
    }
    // The payment slip at the bottom: QR on the left, the data on the right.
    let slip = mm(90.0);
    p.line(left, slip + mm(8.0), A4.0 - left, slip + mm(8.0));
    p.text(left, slip, 10.0, true, "BANCHE E ALTRI CANALI");
    let side = mm(25.0);
    draw_qr(&mut p, &qr, left + mm(4.0), slip - mm(6.0) - side, side);
    let x = left + side + mm(16.0);
    let rows = [
        ("Destinatario", payer.as_str()),
        ("Ente Creditore", ente.as_str()),
        ("Oggetto del pagamento", subject.as_str()),
        ("Codice Avviso", code.as_str()),
        ("Cod. Fiscale Ente Creditore", a.ente_cf),
    ];
    let mut ry = slip - mm(8.0);
    for (label, value) in rows {
        p.text(x, ry, 8.0, false, label);
        p.text(x + mm(48.0), ry, 9.0, true, value);
        ry -= 13.0;
    }
    if let Some(cbill) = a.cbill {
        p.text(x, ry, 8.0, false, "Codice CBILL");
        p.text(x + mm(48.0), ry, 9.0, true, cbill);
        ry -= 13.0;
    }
    p.text(x, ry - 6.0, 12.0, true, &format!("Euro {money}"));
    p.text(left, mm(15.0), 7.0, false, "Avviso generato dal portale dell'ente creditore. Il pagamento è gestito dal sistema pagoPA.");
    Ok(document(&[p]))
}

/// The QR modules as filled squares, `side` points wide, bottom-left at (x, y); the page
/// around stays blank for the quiet zone.
fn draw_qr(p: &mut Page, qr: &QrCode, x: f32, y: f32, side: f32) {
    let n = qr.width();
    let cell = side / n as f32;
    let colors = qr.to_colors();
    for row in 0..n {
        for col in 0..n {
            if colors[row * n + col] == Color::Dark {
                p.rect(
                    x + col as f32 * cell,
                    y + side - (row + 1) as f32 * cell,
                    cell,
                    cell,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn sample() -> (NoticeNumber, Vec<u8>) {
        let n = NoticeNumber::new("01", 1).unwrap();
        let a = Avviso {
            ente_name: "ASL Demo – Azienda Sanitaria Locale",
            ente_cf: "12345678901",
            settore: "Ufficio Cartelle Cliniche",
            cbill: Some("AAA01"),
            payer_name: "Mario Rossi",
            payer_cf: "RSSMRA80A01A182N",
            subject: "Download documenti clinici",
            amount_cents: 2200,
            due: jiff::civil::date(2026, 12, 26),
            notice: &n,
        };
        let bytes = pdf(&a).unwrap();
        (n, bytes)
    }

    #[test]
    fn payload_and_amounts() {
        let n = NoticeNumber::new("01", 1).unwrap();
        assert_eq!(
            qr_payload(&n, "12345678901", 2200),
            "PAGOPA|002|301000000000000144|12345678901|2200"
        );
        assert_eq!(amount(2200), "22,00 €");
        assert_eq!(amount(123450), "1.234,50 €");
    }

    #[test]
    fn refuses_a_bad_ente_cf() {
        let n = NoticeNumber::new("01", 1).unwrap();
        let a = Avviso {
            ente_name: "x",
            ente_cf: "123",
            settore: "",
            cbill: None,
            payer_name: "y",
            payer_cf: "z",
            subject: "s",
            amount_cents: 1,
            due: jiff::civil::date(2026, 1, 1),
            notice: &n,
        };
        assert!(pdf(&a).is_err());
    }

    /// The text read back by poppler's pdftotext, the QR decoded by zbarimg from the
    /// rendered page (Debian poppler-utils and zbar-tools, installed by tests/install-deps.sh).
    #[test]
    fn readable_by_pdftotext_and_zbarimg() {
        let (n, bytes) = sample();
        let dir = std::env::temp_dir().join(format!("cds-avviso-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("avviso.pdf");
        std::fs::write(&file, &bytes).unwrap();
        let text = Command::new("pdftotext")
            .args(["-layout"])
            .arg(&file)
            .arg("-")
            .output()
            .expect("pdftotext installed");
        let text = String::from_utf8_lossy(&text.stdout);
        for needle in [
            "AVVISO DI PAGAMENTO",
            "Download documenti clinici",
            "ASL Demo – Azienda Sanitaria Locale",
            "12345678901",
            "Mario Rossi",
            "RSSMRA80A01A182N",
            "22,00 € entro il 26/12/2026",
            "3010 0000 0000 0001 44",
            "AAA01",
        ] {
            assert!(text.contains(needle), "{needle} in:\n{text}");
        }
        let png = dir.join("page");
        let ok = Command::new("pdftoppm")
            .args(["-r", "200", "-png", "-f", "1", "-l", "1"])
            .arg(&file)
            .arg(&png)
            .status()
            .unwrap();
        assert!(ok.success());
        let rendered = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "png"))
            .unwrap();
        let qr = Command::new("zbarimg")
            .args(["--raw", "-q"])
            .arg(&rendered)
            .output()
            .expect("zbarimg installed");
        assert_eq!(
            String::from_utf8_lossy(&qr.stdout).trim(),
            qr_payload(&n, "12345678901", 2200)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
