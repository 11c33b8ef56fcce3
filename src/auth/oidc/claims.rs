//! From the provider's claims to the person: the fiscal number ("TINIT-" stripped, the
//! codice fiscale checked), the names, and the SPID level (`acr`).

use super::Refusal;
use crate::config::OidcProvider;
use crate::patients::codice_fiscale::CodiceFiscale;
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub codice_fiscale: String,
    pub given_name: String,
    pub family_name: String,
}

/// The SPID level of an `acr` URI (`…/SpidL2` → 2); 0 when it is not one.
pub fn level(acr: &str) -> u8 {
    acr.trim()
        .rsplit_once("SpidL")
        .and_then(|(_, n)| n.parse::<u8>().ok())
        .filter(|n| (1..=3).contains(n))
        .unwrap_or(0)
}

/// The lowest level among the configured `acr_values` (space-separated): what a token must reach.
pub fn required_level(acr_values: &str) -> u8 {
    acr_values.split_whitespace().map(level).min().unwrap_or(0)
}

fn text(claims: &Map<String, Value>, name: &str) -> Option<String> {
    claims
        .get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The person in the ID token's claims, completed by userinfo's (same `sub` only).
pub fn identity(
    cfg: &OidcProvider,
    id: &Map<String, Value>,
    userinfo: &Map<String, Value>,
) -> Result<Identity, Refusal> {
    let from_userinfo = userinfo.get("sub").is_some() && userinfo.get("sub") == id.get("sub");
    let get = |name: &str| {
        text(id, name).or_else(|| from_userinfo.then(|| text(userinfo, name)).flatten())
    };
    let acr = text(id, "acr").unwrap_or_default();
    let need = required_level(&cfg.acr_values);
    if level(&acr) < need {
        return Err(Refusal::level(need));
    }
    let raw = get(&cfg.fiscal_claim).ok_or_else(Refusal::no_fiscal_number)?;
    let bare = raw
        .strip_prefix("TINIT-")
        .or_else(|| raw.strip_prefix("tinit-"))
        .unwrap_or(&raw);
    let cf = CodiceFiscale::parse(bare).map_err(|_| Refusal::bad_fiscal_number())?;
    Ok(Identity {
        codice_fiscale: cf.as_str().to_string(),
        given_name: get(&cfg.given_name_claim).unwrap_or_default(),
        family_name: get(&cfg.family_name_claim).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn levels() {
        assert_eq!(level("https://www.spid.gov.it/SpidL2"), 2);
        assert_eq!(level("https://www.spid.gov.it/SpidL3"), 3);
        assert_eq!(level("urn:something"), 0);
        assert_eq!(level("https://www.spid.gov.it/SpidL9"), 0);
        assert_eq!(
            required_level("https://www.spid.gov.it/SpidL2 https://www.spid.gov.it/SpidL3"),
            2
        );
    }

    #[test]
    fn fiscal_number_stripped_checked_and_completed_by_userinfo() {
        let cfg = OidcProvider::default();
        let id = claims(json!({"sub": "a", "acr": "https://www.spid.gov.it/SpidL2",
            "https://attributes.eid.gov.it/fiscal_number": "TINIT-rssmra80a01a182n", "given_name": "Mario"}));
        let ui = claims(json!({"sub": "a", "family_name": "Rossi"}));
        assert_eq!(
            identity(&cfg, &id, &ui).unwrap(),
            Identity {
                codice_fiscale: "RSSMRA80A01A182N".into(),
                given_name: "Mario".into(),
                family_name: "Rossi".into()
            }
        );
        // userinfo of another subject is ignored.
        let other = claims(json!({"sub": "b", "family_name": "Bianchi"}));
        assert_eq!(identity(&cfg, &id, &other).unwrap().family_name, "");
    }

    #[test]
    fn refusals() {
        let cfg = OidcProvider::default();
        let low = claims(json!({"sub": "a", "acr": "https://www.spid.gov.it/SpidL1",
            "https://attributes.eid.gov.it/fiscal_number": "TINIT-RSSMRA80A01A182N"}));
        assert_eq!(identity(&cfg, &low, &Map::new()).unwrap_err().code, "acr");
        let missing = claims(json!({"sub": "a", "acr": "https://www.spid.gov.it/SpidL2"}));
        assert_eq!(
            identity(&cfg, &missing, &Map::new()).unwrap_err().code,
            "fiscal_missing"
        );
        let bad = claims(json!({"sub": "a", "acr": "https://www.spid.gov.it/SpidL3",
            "https://attributes.eid.gov.it/fiscal_number": "TINIT-CCCFBA85D03L219B"}));
        assert_eq!(
            identity(&cfg, &bad, &Map::new()).unwrap_err().code,
            "fiscal_invalid"
        );
        // A renamed claim (proxies do that) is configurable.
        let cfg = OidcProvider {
            fiscal_claim: "fiscalNumber".into(),
            ..OidcProvider::default()
        };
        let renamed = claims(
            json!({"sub": "a", "acr": "https://www.spid.gov.it/SpidL2", "fiscalNumber": "TINIT-RSSMRA80A01A182N"}),
        );
        assert!(identity(&cfg, &renamed, &Map::new()).is_ok());
    }
}
