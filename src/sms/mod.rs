//! SMS: a gateway trait with two real implementations (console outbox, HTTP JSON POST)
//! and a queue in SQLite that retries with backoff, so that an outage loses no message.

pub mod notify;
pub mod queue;
pub mod sandbox;

use crate::config::Sms as SmsConfig;

pub struct Outgoing {
    /// Unique per message: the gateway can use it to drop duplicates.
    pub message_id: String,
    pub to_e164: String,
    pub body: String,
}

pub trait Gateway: Send + Sync {
    /// Delivers one message; `Err` is a reason for the log (no content, no number).
    fn send(&self, msg: &Outgoing) -> Result<(), String>;
    /// True when the delivered text is kept in the outbox table (console gateway).
    fn keeps_copy(&self) -> bool {
        false
    }
}

pub fn gateway(cfg: &SmsConfig) -> Box<dyn Gateway> {
    match cfg.gateway {
        crate::config::SmsGateway::Http => Box::new(HttpGateway::new(&cfg.http)),
        crate::config::SmsGateway::Console => Box::new(Console),
    }
}

/// Logs that a message was "sent" and keeps it in `sms_console_outbox`.
pub struct Console;

impl Gateway for Console {
    fn send(&self, msg: &Outgoing) -> Result<(), String> {
        tracing::info!(
            "sms console: messaggio {} a {} nell'outbox",
            msg.message_id,
            mask(&msg.to_e164)
        );
        Ok(())
    }
    fn keeps_copy(&self) -> bool {
        true
    }
}

/// A configurable JSON POST with a bearer token.
pub struct HttpGateway {
    agent: ureq::Agent,
    cfg: crate::config::SmsHttp,
}

impl HttpGateway {
    pub fn new(cfg: &crate::config::SmsHttp) -> HttpGateway {
        HttpGateway {
            agent: crate::http::agent(cfg.timeout_secs),
            cfg: cfg.clone(),
        }
    }
}

impl Gateway for HttpGateway {
    fn send(&self, msg: &Outgoing) -> Result<(), String> {
        let mut body = serde_json::Map::new();
        body.insert(self.cfg.to_field.clone(), msg.to_e164.clone().into());
        body.insert(self.cfg.text_field.clone(), msg.body.clone().into());
        if !self.cfg.sender.is_empty() {
            body.insert(
                self.cfg.sender_field.clone(),
                self.cfg.sender.clone().into(),
            );
        }
        if !self.cfg.id_field.is_empty() {
            body.insert(self.cfg.id_field.clone(), msg.message_id.clone().into());
        }
        let mut req = self.agent.post(&self.cfg.url);
        if !self.cfg.token.is_empty() {
            req = req.header("Authorization", format!("Bearer {}", self.cfg.token));
        }
        // The error text of a transport failure never holds the request body.
        let resp = req
            .send_json(serde_json::Value::Object(body))
            .map_err(|e| format!("gateway non raggiungibile: {e}"))?;
        let status = resp.status().as_u16();
        if (200..300).contains(&status) {
            Ok(())
        } else {
            Err(format!("il gateway ha risposto {status}"))
        }
    }
}

/// `+393331234567` → `+39333*****67`: enough to tell messages apart in a log.
pub fn mask(e164: &str) -> String {
    e164.char_indices()
        .map(|(i, c)| if i >= 6 && i + 2 < e164.len() { '*' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn mask_hides_the_middle() {
        assert_eq!(super::mask("+393331234567"), "+39333*****67");
    }
}
