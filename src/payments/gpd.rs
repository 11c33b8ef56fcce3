//! pagoPA GPD, Gestione Posizioni Debitorie (SPECS.md §3,
//! `tests/contract/specs/pagopa-gpd-debt-positions-v1.json`), and the pagoPA Checkout cart
//! behind "Procedi". Header `Ocp-Apim-Subscription-Key`; amounts in cents. The position is
//! published at creation with our notice number (the IUV from our sequence) and named by an
//! `iupd` made from it, so a repeated creation meets a 409 and reads the same position back.

use super::http::{Answer, Client, Method, scrub, status_error};
use super::provider::{
    Cancelled, NewPosition, Position, Provider, ProviderError, Receipt, Status, due_date_time_utc,
    parse_time,
};
use serde::Deserialize;
use serde_json::{Value, json};

pub struct Gpd {
    http: Client,
    base: String,
    checkout: String,
    key: String,
    ente_cf: String,
    company: String,
    iban: String,
    taxonomy: String,
    public_url: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct PositionAnswer {
    status: String,
    company_name: String,
    payment_option: Vec<OptionAnswer>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct OptionAnswer {
    iuv: String,
    nav: Option<String>,
    amount: i64,
    description: String,
    status: String,
    payment_date: Option<String>,
    psp_company: Option<String>,
    id_receipt: Option<String>,
}

fn refused(s: impl Into<String>) -> ProviderError {
    ProviderError::Refused(s.into())
}

/// The `iupd` of a notice: unique per ASL as the notice number is.
pub fn iupd(notice: &str) -> String {
    format!("CDS-{notice}")
}

/// ProblemJson: {title, status, detail}.
fn http_error(op: &str, a: &Answer) -> ProviderError {
    status_error(
        op,
        a,
        &["detail", "title"],
        "chiave di sottoscrizione o ente rifiutati da pagoPA",
    )
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

impl Gpd {
    pub fn new(cfg: &crate::config::Config) -> Result<Gpd, String> {
        let g = &cfg.payments.gpd;
        Ok(Gpd {
            http: Client::new(&cfg.payments.connection)?,
            base: g.url.trim_end_matches('/').to_string(),
            checkout: g.checkout_url.trim_end_matches('/').to_string(),
            key: crate::config::secret(
                &g.subscription_key,
                &g.subscription_key_file,
                "payments.gpd.subscription_key",
            )?,
            ente_cf: cfg.payments.ente_cf.clone(),
            company: truncate(cfg.payee(), 140),
            iban: g.iban.replace(' ', ""),
            taxonomy: g.taxonomy.clone(),
            public_url: cfg.http.public_url.trim_end_matches('/').to_string(),
        })
    }

    fn position_url(&self, iupd: &str) -> String {
        format!(
            "{}/organizations/{}/debtpositions/{}",
            self.base, self.ente_cf, iupd
        )
    }

    fn call(
        &self,
        op: &str,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Answer, ProviderError> {
        self.http.call(
            op,
            method,
            url,
            &[("Ocp-Apim-Subscription-Key", &self.key)],
            body,
            true,
        )
    }

    fn read(&self, iupd: &str) -> Result<Option<PositionAnswer>, ProviderError> {
        let op = "lettura della posizione debitoria";
        let a = self.call(op, Method::Get, &self.position_url(iupd), None)?;
        match a.status {
            200 => a.json(op).map(Some),
            404 => Ok(None),
            _ => Err(http_error(op, &a)),
        }
    }

    fn read_known(&self, p: &Position) -> Result<PositionAnswer, ProviderError> {
        self.read(&p.provider_ref)?
            .ok_or_else(|| refused("posizione debitoria sconosciuta a pagoPA (HTTP 404)"))
    }
}

/// The option of our IUV in a position.
fn option<'a>(pos: &'a PositionAnswer, iuv: &str) -> Option<&'a OptionAnswer> {
    pos.payment_option.iter().find(|o| o.iuv == iuv)
}

fn status_of(pos: &PositionAnswer, iuv: &str) -> Result<Status, ProviderError> {
    let option_paid = option(pos, iuv).is_some_and(|o| {
        matches!(
            o.status.as_str(),
            "PO_PAID" | "PO_PARTIALLY_REPORTED" | "PO_REPORTED"
        )
    });
    match pos.status.as_str() {
        _ if option_paid => Ok(Status::Paid),
        "PAID" | "REPORTED" | "PARTIALLY_PAID" => Ok(Status::Paid),
        "DRAFT" | "PUBLISHED" | "VALID" => Ok(Status::Unpaid),
        "INVALID" => Ok(Status::Cancelled),
        "EXPIRED" => Ok(Status::Expired),
        other => Err(ProviderError::Unavailable(format!(
            "stato della posizione sconosciuto {:?}",
            scrub(other)
        ))),
    }
}

impl Provider for Gpd {
    fn create(&self, p: &NewPosition) -> Result<Position, ProviderError> {
        let op = "creazione della posizione debitoria";
        let iupd = iupd(p.proposed.as_str());
        let causale = truncate(p.causale, 140);
        let body = json!({
            "iupd": iupd,
            "type": "F",
            "fiscalCode": p.payer_cf,
            "fullName": truncate(&format!("{} {}", p.payer_given, p.payer_family), 70),
            "email": p.payer_email,
            "companyName": self.company,
            "switchToExpired": true,
            "paymentOption": [{
                "iuv": p.proposed.iuv(),
                "amount": p.amount_cents,
                "description": causale,
                "isPartialPayment": false,
                "dueDate": due_date_time_utc(p.due),
                "transfer": [{
                    "idTransfer": "1",
                    "amount": p.amount_cents,
                    "remittanceInformation": causale,
                    "category": self.taxonomy,
                    "iban": self.iban,
                }],
            }],
        });
        let url = format!(
            "{}/organizations/{}/debtpositions?toPublish=true",
            self.base, self.ente_cf
        );
        let a = self.call(op, Method::Post, &url, Some(&body))?;
        let made = Position {
            notice_number: p.proposed.as_str().to_string(),
            iuv: p.proposed.iuv().to_string(),
            provider_ref: iupd.clone(),
        };
        match a.status {
            200 | 201 => Ok(made),
            // Made by an earlier attempt whose answer was lost: the same position, if it is.
            409 => match self.read(&iupd)? {
                Some(pos)
                    if option(&pos, &made.iuv).is_some_and(|o| o.amount == p.amount_cents) =>
                {
                    Ok(made)
                }
                _ => Err(refused(format!(
                    "{op}: pagoPA ha già una posizione diversa con lo stesso identificativo (HTTP 409)"
                ))),
            },
            _ => Err(http_error(op, &a)),
        }
    }

    /// A Checkout cart of the one notice: pagoPA answers 302 with the cart's page.
    fn payment_url(&self, p: &Position, return_url: &str) -> Result<String, ProviderError> {
        let op = "carrello pagoPA Checkout";
        let pos = self.read_known(p)?;
        let o = option(&pos, &p.iuv)
            .ok_or_else(|| refused(format!("{op}: la posizione non ha l'avviso {}", p.iuv)))?;
        let back = format!("{}{return_url}", self.public_url);
        let body = json!({
            "paymentNotices": [{
                "noticeNumber": o.nav.clone().unwrap_or_else(|| p.notice_number.clone()),
                "fiscalCode": self.ente_cf,
                "amount": o.amount,
                "companyName": if pos.company_name.is_empty() { &self.company } else { &pos.company_name },
                "description": truncate(&o.description, 140),
            }],
            "returnUrls": {
                "returnOkUrl": back,
                "returnCancelUrl": back,
                "returnErrorUrl": back,
            },
        });
        let a = self.http.call(
            op,
            Method::Post,
            &format!("{}/carts", self.checkout),
            &[],
            Some(&body),
            true,
        )?;
        match (a.status, a.location.as_deref()) {
            (302 | 303, Some(u)) if u.starts_with("https://") || u.starts_with("http://") => {
                Ok(u.to_string())
            }
            _ => Err(http_error(op, &a)),
        }
    }

    fn status(&self, p: &Position) -> Result<Status, ProviderError> {
        status_of(&self.read_known(p)?, &p.iuv)
    }

    fn receipt(&self, p: &Position) -> Result<Receipt, ProviderError> {
        let op = "ricevuta del pagamento";
        let pos = self.read_known(p)?;
        let o = option(&pos, &p.iuv)
            .ok_or_else(|| refused(format!("{op}: la posizione non ha l'avviso {}", p.iuv)))?;
        let iur = o
            .id_receipt
            .clone()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                refused(format!(
                    "{op}: nessuna ricevuta: pagamento non ancora registrato"
                ))
            })?;
        let paid_at = o
            .payment_date
            .as_deref()
            .and_then(|t| parse_time(t, &jiff::tz::TimeZone::UTC))
            .ok_or_else(|| refused(format!("{op}: data del pagamento mancante")))?;
        Ok(Receipt {
            iur,
            psp: o.psp_company.clone().unwrap_or_default(),
            paid_at,
            amount_cents: o.amount,
        })
    }

    /// A published position is invalidated; one still in draft is deleted.
    fn cancel(&self, p: &Position) -> Result<Cancelled, ProviderError> {
        let op = "annullamento della posizione";
        let url = format!("{}/invalidate", self.position_url(&p.provider_ref));
        let a = self.call(op, Method::Post, &url, None)?;
        match a.status {
            200 => return Ok(Cancelled::Done),
            404 => return Ok(Cancelled::NotFound),
            409 => {}
            _ => return Err(http_error(op, &a)),
        }
        let Some(pos) = self.read(&p.provider_ref)? else {
            return Ok(Cancelled::NotFound);
        };
        match status_of(&pos, &p.iuv)? {
            Status::Paid => Ok(Cancelled::Paid),
            Status::Cancelled | Status::Expired => Ok(Cancelled::Done),
            _ => {
                let d = self.call(
                    op,
                    Method::Delete,
                    &self.position_url(&p.provider_ref),
                    None,
                )?;
                match d.status {
                    200 | 204 => Ok(Cancelled::Done),
                    404 => Ok(Cancelled::NotFound),
                    _ => Err(http_error(op, &d)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(status: &str, option: &str) -> PositionAnswer {
        PositionAnswer {
            status: status.into(),
            company_name: String::new(),
            payment_option: vec![OptionAnswer {
                iuv: "01000000000000144".into(),
                status: option.into(),
                ..Default::default()
            }],
        }
    }

    #[test]
    fn position_statuses_map_to_the_order_machine() {
        let iuv = "01000000000000144";
        for (s, o, want) in [
            ("VALID", "PO_UNPAID", Status::Unpaid),
            ("PUBLISHED", "PO_UNPAID", Status::Unpaid),
            ("PAID", "PO_PAID", Status::Paid),
            ("REPORTED", "PO_REPORTED", Status::Paid),
            ("VALID", "PO_PAID", Status::Paid),
            ("INVALID", "PO_UNPAID", Status::Cancelled),
            ("EXPIRED", "PO_UNPAID", Status::Expired),
        ] {
            assert_eq!(status_of(&pos(s, o), iuv).unwrap(), want, "{s}/{o}");
        }
        assert!(status_of(&pos("WHATEVER", "PO_UNPAID"), iuv).is_err());
    }
}
