//! SMS notices to patients: new documents were published, an operator replied to a request.
//! At most one of each kind a day (Europe/Rome), only to a patient with a mobile number
//! who has not turned them off, through the SMS queue. The text says nothing but that
//! something waits on the portal: never a title, a category or any health word.

use rusqlite::{Connection, OptionalExtension, params};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    Documents,
    #[allow(
        dead_code,
        reason = "issue 13 in progress: used by the publishing routes, the API and the PACS sync"
    )]
    Reply,
}

impl Notice {
    fn column(self) -> &'static str {
        match self {
            Notice::Documents => "notified_documents_on",
            Notice::Reply => "notified_reply_on",
        }
    }
}

/// The text of a notice; `portal` is the portal's address as patients type it.
pub fn text(notice: Notice, sender: &str, portal: &str) -> String {
    let portal = if portal.is_empty() {
        "dell'Azienda".to_string()
    } else {
        portal.to_string()
    };
    match notice {
        Notice::Documents => {
            format!("{sender}: ci sono nuovi documenti per te sul portale {portal}")
        }
        Notice::Reply => format!("{sender}: hai una nuova risposta sul portale {portal}"),
    }
}

/// The text of a notice as configured (`[notifications]`): empty when that kind is off,
/// and an empty text is never queued.
pub fn configured(config: &crate::config::Config, notice: Notice) -> String {
    let on = match notice {
        Notice::Documents => config.notifications.documents,
        Notice::Reply => config.notifications.replies,
    };
    if on {
        text(
            notice,
            &config.sms.sender_name,
            &config.notifications.portal_url,
        )
    } else {
        String::new()
    }
}

/// Queues the notice unless the patient has none of it today, no mobile number or turned
/// notices off; true when queued (wake the SMS sender then). In the caller's transaction.
pub fn queue(
    c: &Connection,
    patient: i64,
    notice: Notice,
    text: &str,
    now: i64,
) -> rusqlite::Result<bool> {
    if text.is_empty() {
        return Ok(false);
    }
    let day = crate::ui::time::day_of(now).to_string();
    let to: Option<String> = c
        .query_row(
            &format!(
                "UPDATE patients SET {col} = ?2
                 WHERE id = ?1 AND notify_sms = 1 AND mobile_e164 IS NOT NULL
                   AND ({col} IS NULL OR {col} != ?2)
                 RETURNING mobile_e164",
                col = notice.column()
            ),
            params![patient, day],
            |r| r.get(0),
        )
        .optional()?;
    match to {
        Some(to) => {
            super::queue::enqueue(c, &to, text, now)?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// The patient's choice (Dashboard): SMS notices on or off.
pub fn set_enabled(c: &Connection, patient: i64, on: bool) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE patients SET notify_sms = ?2 WHERE id = ?1",
        params![patient, on],
    )?;
    Ok(())
}

pub fn enabled(c: &Connection, patient: i64) -> rusqlite::Result<(bool, bool)> {
    c.query_row(
        "SELECT notify_sms, mobile_e164 IS NOT NULL FROM patients WHERE id = ?1",
        [patient],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_turned_off_is_never_queued() {
        let mut config = crate::config::Config::default();
        config.notifications.documents = false;
        assert_eq!(configured(&config, Notice::Documents), "");
        assert!(configured(&config, Notice::Reply).contains("nuova risposta"));
        let c = crate::db::migrate::memory();
        let p = crate::patients::store::upsert(
            &c,
            "RSSMRA80A01A182N",
            "M",
            "R",
            Some("+393331234567"),
            1,
        )
        .unwrap();
        assert!(!queue(&c, p, Notice::Documents, "", 1_780_000_000).unwrap());
        assert!(crate::sms::queue::queued(&c).unwrap() == 0);
    }

    #[test]
    fn one_a_day_of_each_kind_only_with_a_mobile_and_consent() {
        let c = crate::db::migrate::memory();
        let with = crate::patients::store::upsert(
            &c,
            "RSSMRA80A01A182N",
            "Mario",
            "Rossi",
            Some("+393331234567"),
            1,
        )
        .unwrap();
        let without =
            crate::patients::store::upsert(&c, "BNCGNN85T10A944S", "Gianni", "Bianchi", None, 1)
                .unwrap();
        let t = text(Notice::Documents, "ASL Demo", "https://referti.example.it");
        let day1 = 1_780_000_000;
        assert!(queue(&c, with, Notice::Documents, &t, day1).unwrap());
        assert!(
            !queue(&c, with, Notice::Documents, &t, day1 + 60).unwrap(),
            "same day"
        );
        assert!(
            queue(&c, with, Notice::Reply, &t, day1 + 60).unwrap(),
            "other kind"
        );
        assert!(
            queue(&c, with, Notice::Documents, &t, day1 + 86_400).unwrap(),
            "next day"
        );
        assert!(
            !queue(&c, without, Notice::Documents, &t, day1).unwrap(),
            "no mobile"
        );
        set_enabled(&c, with, false).unwrap();
        assert!(
            !queue(&c, with, Notice::Documents, &t, day1 + 3 * 86_400).unwrap(),
            "off"
        );
        let n: i64 = c
            .query_row("SELECT count(*) FROM sms_queue", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 3);
    }

    #[test]
    fn the_text_names_no_document() {
        let t = text(Notice::Documents, "ASL Demo", "https://referti.example.it");
        assert_eq!(
            t,
            "ASL Demo: ci sono nuovi documenti per te sul portale https://referti.example.it"
        );
        for word in ["referto", "esame", "cartella", "immagini", "ricovero"] {
            assert!(!t.to_lowercase().contains(word));
        }
    }
}
