//! "Invia al mio cellulare": at a kiosk a document is not downloaded on the shared machine;
//! the patient gets an SMS at the mobile number registered with the ASL — never a number
//! typed at the kiosk — with the portal's address and nothing else (no title, no category,
//! no health word). At most one every `MIN_GAP_SECS` per patient; each one is in the audit
//! log with the document.

use crate::app::App;
use crate::auth::sessions::Session;
use crate::documents::store::DocRow;
use crate::error::{AppError, Kind};
use crate::http::req::Ctx;

/// The shortest wait between two kiosk SMS to one patient.
pub const MIN_GAP_SECS: i64 = 120;
const ACTION: &str = "kiosk_sms";

/// The SMS: who sends it and where to go.
pub fn text(sender: &str, portal: &str) -> String {
    let portal = if portal.is_empty() {
        "dell'Azienda".to_string()
    } else {
        portal.to_string()
    };
    format!(
        "{sender}: i documenti che hai scelto al chiosco ti aspettano sul portale {portal}. Accedi con SPID, CIE o codice fiscale e PIN."
    )
}

/// Queues the SMS for `d` (an available document of the patient's): the masked number it
/// goes to.
pub async fn send(app: &App, ctx: &Ctx, s: &Session, d: &DocRow) -> Result<String, AppError> {
    if !ctx.kiosk {
        return Err(AppError::new(Kind::Forbidden, super::text::KIOSK_ONLY));
    }
    if d.locked() {
        return Err(AppError::new(Kind::Conflict, super::text::PAID));
    }
    let cfg = &app.config;
    let body = text(&cfg.sms.sender_name, &cfg.notifications.portal_url);
    let (patient, doc, now, ip) = (s.patient_id, d.id, app.now(), ctx.ip.to_string());
    let sent = app
        .db
        .write(move |tx| {
            let Some(mobile) = crate::patients::store::get(tx, patient)?.and_then(|p| p.mobile)
            else {
                return Ok(Err(AppError::new(Kind::Conflict, super::text::NO_MOBILE)));
            };
            if crate::audit::done_since(tx, patient, ACTION, now - MIN_GAP_SECS)? {
                return Ok(Err(AppError::new(
                    Kind::TooManyRequests,
                    super::text::JUST_SENT,
                )));
            }
            crate::sms::queue::enqueue(tx, &mobile, &body, now)?;
            crate::audit::document_access(tx, now, patient, doc, ACTION, &ip)?;
            Ok(Ok(crate::sms::mask(&mobile)))
        })
        .await??;
    app.sms_wakeup.notify_one();
    Ok(sent)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_text_says_where_and_nothing_else() {
        let t = super::text("ASL Demo", "referti.asl.example.it");
        assert!(
            t.starts_with("ASL Demo: ") && t.contains("referti.asl.example.it"),
            "{t}"
        );
        assert!(t.chars().count() <= 160, "one SMS: {}", t.chars().count());
    }
}
