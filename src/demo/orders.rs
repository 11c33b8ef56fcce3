//! The demo's past orders: one in each state for Mario Rossi, each on its own priced
//! cartella clinica of an admission more than 45 days ago (in Documenti, not in Documenti
//! Interscambiati), with their positions in the sandbox payment portal (so the pending one
//! can be paid there, and the failed one retried). Made again on every demo start.

use crate::config::Config;
use crate::documents::store::{NewDocument, insert};
use crate::error::{AppError, Context};
use crate::orders::state::{Event, apply};
use crate::orders::store::{self, Terms};
use crate::payments::provider::{NewPosition, Provider, Receipt};
use crate::payments::sandbox::Sandbox;
use rusqlite::{Connection, params};

struct Past {
    title: &'static str,
    price: i64,
    days_ago: i64,
    /// The events after confirmation.
    end: &'static str,
}

const PAST: &[Past] = &[
    Past {
        title: "Cartella clinica – day hospital Oncologia",
        price: 2200,
        days_ago: 40,
        end: "completed",
    },
    Past {
        title: "Cartella clinica – ricovero in Geriatria",
        price: 2200,
        days_ago: 35,
        end: "expired",
    },
    Past {
        title: "Cartella clinica – ricovero in Cardiologia",
        price: 2200,
        days_ago: 20,
        end: "cancelled",
    },
    Past {
        title: "Cartella clinica – Pronto Soccorso",
        price: 1500,
        days_ago: 6,
        end: "failed",
    },
    Past {
        title: "Cartella clinica – ricovero in Neurologia",
        price: 2200,
        days_ago: 2,
        end: "pending",
    },
];

pub fn seed(c: &Connection, config: &Config) -> Result<(), AppError> {
    let sandbox = Sandbox::open(
        &config.data_dir.join("sandbox-pagopa.db"),
        config.payee(),
        &config.payments.ente_cf,
        config.payments.sandbox_confirm_secs,
    )?;
    let mario: i64 = c
        .query_row(
            "SELECT id FROM patients WHERE codice_fiscale = 'RSSMRA80A01A182N'",
            [],
            |r| r.get(0),
        )
        .context("ordini demo")?;
    let now = jiff::Timestamp::now().as_second();
    let day = 86_400;
    let terms = Terms {
        causale: &config.payments.causale,
        provider: "sandbox",
        provider_name: &config.payments.provider_name,
        payee: config.payee(),
        vat_pct: config.payments.vat_pct,
    };
    for p in PAST {
        let at = now - p.days_ago * day;
        let public_id = insert(
            c,
            &NewDocument {
                patient_id: mario,
                category: "Cartella clinica",
                title: p.title,
                exchanged_at: at - 60 * day,
                source_kind: "pdf",
                source_ref: "cartella-clinica.pdf",
                price_cents: p.price,
            },
            at - 2 * day,
        )
        .context("ordini demo")?;
        let doc: i64 = c
            .query_row(
                "SELECT id FROM documents WHERE public_id = ?1",
                [&public_id],
                |r| r.get(0),
            )
            .context("ordini demo")?;
        c.execute(
            "UPDATE documents SET ward = ?2, pages = 48 WHERE id = ?1",
            params![doc, p.title.rsplit(" in ").next().unwrap_or("")],
        )
        .context("ordini demo")?;
        let number = store::create(c, mario, &[doc], &terms, at)?;
        let order = store::get(c, mario, &number)?
            .ok_or_else(|| AppError::internal("ordine demo mancante"))?;
        store::set_consents(c, order.id, at + 60)?;
        store::set_email(c, order.id, "mario.rossi@example.org", at + 60)?;
        let notice = store::reserve_notice(c, order.id, &config.payments.segregation_code)?;
        let proposed =
            crate::payments::notice::NoticeNumber::parse(&notice).context("ordini demo")?;
        let expired = p.end == "expired";
        let due = crate::ui::time::day_of(if expired { now - day } else { at + 30 * day });
        let position = sandbox
            .create(&NewPosition {
                proposed: &proposed,
                amount_cents: p.price,
                causale: &config.payments.causale,
                due,
                payer_cf: "RSSMRA80A01A182N",
                payer_given: "Mario",
                payer_family: "Rossi",
                payer_email: "mario.rossi@example.org",
            })
            .context("ordini demo")?;
        let confirm = Event::Confirm {
            position,
            amount_cents: p.price,
            due_at: if expired { now - day } else { at + 30 * day },
            next_check_at: now + 5,
        };
        apply(c, order.id, &confirm, at + 120)?;
        let end = match p.end {
            "completed" => Some(Event::Paid(Receipt {
                iur: format!("DEMO{}", &notice[10..]),
                psp: "PSP Sandbox".into(),
                paid_at: at + 600,
                amount_cents: p.price,
            })),
            "expired" => Some(Event::Expired),
            "cancelled" => {
                let position = crate::payments::provider::Position {
                    notice_number: notice.clone(),
                    iuv: String::new(),
                    provider_ref: String::new(),
                };
                crate::payments::provider::Provider::cancel(&sandbox, &position)
                    .context("ordini demo")?;
                Some(Event::ProviderCancelled)
            }
            "failed" => {
                sandbox
                    .fail(&notice, "RSSMRA80A01A182N")
                    .context("ordini demo")?;
                Some(Event::Failed {
                    reason: "Pagamento rifiutato dal prestatore di servizi di pagamento".into(),
                    at: at + 900,
                })
            }
            _ => None,
        };
        if let Some(ev) = end {
            apply(c, order.id, &ev, at + 900)?;
        }
    }
    Ok(())
}
