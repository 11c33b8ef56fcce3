//! PiemontePay epayapi (SPECS.md §3, `tests/contract/specs/piemontepay-epayapi-v1.1.yaml`):
//! the Region of Piedmont's intermediary. HTTP Basic; amounts in euro decimals; an answer's
//! `codiceEsito` "000" is success. The intermediary makes the IUV and its codice avviso:
//! the portal keeps and shows what comes back. Our proposed notice number travels as
//! `identificativoPagamento`, which makes a repeated creation return the same position.

use super::http::{Answer, Client, Method, scrub, status_error};
use super::provider::{
    Cancelled, NewPosition, Position, Provider, ProviderError, Receipt, Status, due_date_time,
    parse_time,
};
use base64::Engine;
use serde::Deserialize;
use serde_json::{Value, json};

pub struct PiemontePay {
    http: Client,
    base: String,
    org: String,
    payment_type: String,
    auth: String,
}

/// What epayapi answers to most calls (fields absent in some answers).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Reference {
    codice_esito: Option<String>,
    descrizione_esito: Option<String>,
    iuv: Option<String>,
    codice_avviso: Option<String>,
    payment_url: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct PaymentData {
    identificativo_unico_riscossione: Option<String>,
    prestatore_di_servizi_di_pagamento: Option<String>,
    data_esito_pagamento: Option<String>,
    data_e_ora_operazione: Option<String>,
    importo_pagato: Option<f64>,
    importo_pagato_totale: Option<f64>,
}

fn refused(s: impl Into<String>) -> ProviderError {
    ProviderError::Refused(s.into())
}

/// Euro decimals from cents, exact to the cent (`2200` → `22.0`, `1999` → `19.99`).
fn euro(cents: i64) -> Value {
    json!((cents as f64) / 100.0)
}

fn cents(euro: f64) -> i64 {
    (euro * 100.0).round() as i64
}

/// epayapi's Result: {code, description} (or descrizioneEsito).
fn http_error(op: &str, a: &Answer) -> ProviderError {
    status_error(
        op,
        a,
        &["description", "descrizioneEsito"],
        "credenziali o ente rifiutati da PiemontePay",
    )
}

/// The answer's own outcome: "000" is success, anything else a refusal.
fn esito(op: &str, r: &Reference) -> Result<(), ProviderError> {
    match r.codice_esito.as_deref() {
        Some("000") | None => Ok(()),
        Some(code) => Err(refused(format!(
            "{op}: esito {code} {}",
            scrub(r.descrizione_esito.as_deref().unwrap_or(""))
        ))),
    }
}

impl PiemontePay {
    pub fn new(cfg: &crate::config::Config) -> Result<PiemontePay, String> {
        let pp = &cfg.payments.piemontepay;
        let password = crate::config::secret(
            &pp.password,
            &pp.password_file,
            "payments.piemontepay.password",
        )?;
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", pp.username, password));
        Ok(PiemontePay {
            http: Client::new(&cfg.payments.connection)?,
            base: pp.url.trim_end_matches('/').to_string(),
            org: seg(&pp.organization),
            payment_type: seg(&pp.payment_type),
            auth: format!("Basic {token}"),
        })
    }

    fn position_url(&self, iuv: &str, what: &str) -> String {
        format!(
            "{}/organizations/{}/paymenttypes/{}/debtpositions/{}{what}",
            self.base,
            self.org,
            self.payment_type,
            seg(iuv)
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
            &[("Authorization", &self.auth)],
            body,
            true,
        )
    }
}

/// A path segment: what the configuration or the provider gave, percent-encoded.
fn seg(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

impl Provider for PiemontePay {
    fn create(&self, p: &NewPosition) -> Result<Position, ProviderError> {
        let op = "creazione della posizione debitoria";
        let url = format!(
            "{}/organizations/{}/paymenttypes/{}/debtpositions",
            self.base, self.org, self.payment_type
        );
        let body = json!({
            "identificativoPagamento": p.proposed.as_str(),
            "importo": euro(p.amount_cents),
            "causale": p.causale,
            "dataScadenza": due_date_time(p.due),
            "codiceFiscalePartitaIVAPagatore": p.payer_cf,
            "nome": p.payer_given,
            "cognome": p.payer_family,
            "email": p.payer_email,
        });
        let a = self.call(op, Method::Post, &url, Some(&body))?;
        if a.status != 201 && a.status != 200 {
            return Err(http_error(op, &a));
        }
        let r: Reference = a.json(op)?;
        esito(op, &r)?;
        match (r.iuv, r.codice_avviso) {
            (Some(iuv), Some(notice)) if !iuv.is_empty() && !notice.is_empty() => Ok(Position {
                notice_number: notice,
                iuv,
                provider_ref: p.proposed.as_str().to_string(),
            }),
            _ => Err(ProviderError::Unavailable(format!(
                "{op}: risposta senza iuv o codice avviso"
            ))),
        }
    }

    fn payment_url(&self, p: &Position, _return_url: &str) -> Result<String, ProviderError> {
        let op = "indirizzo di pagamento";
        let url = format!(
            "{}/organizations/{}/debtpositions/{}/payment",
            self.base,
            self.org,
            seg(&p.iuv)
        );
        let a = self.call(op, Method::Post, &url, None)?;
        if a.status != 200 && a.status != 201 {
            return Err(http_error(op, &a));
        }
        let r: Reference = a.json(op)?;
        esito(op, &r)?;
        match r.payment_url {
            Some(u) if u.starts_with("https://") || u.starts_with("http://") => Ok(u),
            _ => Err(refused(format!(
                "{op}: nessun indirizzo valido nella risposta"
            ))),
        }
    }

    fn status(&self, p: &Position) -> Result<Status, ProviderError> {
        let op = "stato della posizione";
        let a = self.call(op, Method::Get, &self.position_url(&p.iuv, "/status"), None)?;
        if a.status != 200 {
            return Err(http_error(op, &a));
        }
        let v: Value = a.json(op)?;
        if let Some(result) = v.get("result")
            && let Ok(r) = serde_json::from_value::<Reference>(json!({
                "codiceEsito": result.get("code"),
                "descrizioneEsito": result.get("description"),
            }))
        {
            esito(op, &r)?;
        }
        let code = match v.get("code") {
            Some(Value::String(s)) => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        match code.as_str() {
            "0" => Ok(Status::Paid),
            // Non pagato; non ancora attiva.
            "1" | "3" => Ok(Status::Unpaid),
            "2" => Ok(Status::Cancelled),
            "4" => Ok(Status::Expired),
            other => Err(ProviderError::Unavailable(format!(
                "{op}: codice di stato sconosciuto {:?}",
                scrub(other)
            ))),
        }
    }

    fn receipt(&self, p: &Position) -> Result<Receipt, ProviderError> {
        let op = "dati del pagamento";
        let a = self.call(
            op,
            Method::Get,
            &self.position_url(&p.iuv, "/paymentdata"),
            None,
        )?;
        if a.status != 200 {
            return Err(http_error(op, &a));
        }
        let d: PaymentData = a.json(op)?;
        let iur = d
            .identificativo_unico_riscossione
            .filter(|s| !s.is_empty())
            .ok_or_else(|| refused(format!("{op}: nessun IUR: pagamento non ancora registrato")))?;
        let paid_at = d
            .data_esito_pagamento
            .or(d.data_e_ora_operazione)
            .as_deref()
            .and_then(|t| parse_time(t, crate::ui::time::rome()))
            .ok_or_else(|| refused(format!("{op}: data del pagamento mancante")))?;
        Ok(Receipt {
            iur,
            psp: d.prestatore_di_servizi_di_pagamento.unwrap_or_default(),
            paid_at,
            amount_cents: d
                .importo_pagato
                .or(d.importo_pagato_totale)
                .map(cents)
                .unwrap_or(0),
        })
    }

    fn cancel(&self, p: &Position) -> Result<Cancelled, ProviderError> {
        let op = "annullamento della posizione";
        let a = self.call(op, Method::Delete, &self.position_url(&p.iuv, ""), None)?;
        match a.status {
            200 | 204 => {
                let r: Reference = serde_json::from_slice::<Value>(&a.body)
                    .ok()
                    .and_then(|v| {
                        serde_json::from_value(json!({
                            "codiceEsito": v.get("code"),
                            "descrizioneEsito": v.get("description"),
                        }))
                        .ok()
                    })
                    .unwrap_or_default();
                esito(op, &r)?;
                Ok(Cancelled::Done)
            }
            404 => Ok(Cancelled::NotFound),
            // Refused: paid, or already closed. The status tells which.
            400 | 409 | 422 => match self.status(p)? {
                Status::Paid => Ok(Cancelled::Paid),
                Status::Cancelled | Status::Expired => Ok(Cancelled::Done),
                _ => Err(http_error(op, &a)),
            },
            _ => Err(http_error(op, &a)),
        }
    }

    fn notice_pdf(&self, p: &Position) -> Result<Option<Vec<u8>>, ProviderError> {
        let op = "avviso di pagamento";
        let a = self.call(
            op,
            Method::Get,
            &self.position_url(&p.iuv, "/paymentnotice"),
            None,
        )?;
        if a.status == 404 {
            return Ok(None);
        }
        if a.status != 200 {
            return Err(http_error(op, &a));
        }
        let v: Value = a.json(op)?;
        let Some(b64) = v.get("paymentnotice").and_then(Value::as_str) else {
            return Ok(None);
        };
        let pdf = base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .map_err(|_| refused(format!("{op}: PDF non decodificabile")))?;
        if !pdf.starts_with(b"%PDF-") {
            return Err(refused(format!("{op}: il documento ricevuto non è un PDF")));
        }
        Ok(Some(pdf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euro_decimals_are_exact_to_the_cent() {
        for (c, s) in [
            (2200, "22.0"),
            (1999, "19.99"),
            (5, "0.05"),
            (123456, "1234.56"),
        ] {
            assert_eq!(euro(c).to_string(), s);
            assert_eq!(cents(euro(c).as_f64().unwrap()), c);
        }
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(seg("ASL TO/4"), "ASL%20TO%2F4");
        assert_eq!(
            seg("R21302109B416DECA57BA302200"),
            "R21302109B416DECA57BA302200"
        );
    }
}
