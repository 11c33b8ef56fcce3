//! The world of the authorization and CSRF tables (`authz.rs`, `csrf_table.rs`): the demo
//! server with patient A's data made (a share, a request to the ASL, API tokens, a
//! reconciliation), the seven roles signed in, A's values for the paths' parameters, A's
//! secrets, and the requests each role sends.

use crate::client::{self, Browser, Response};
use crate::{ADMIN, DEMO_TOKEN, LAURA, MARIO, OPERATORE, Server};
use std::collections::BTreeMap;

/// What a role sends: its cookies, the CSRF token of its session (or the anonymous one),
/// its bearer token (on the API: the one with the route's scope, or one without).
#[derive(Clone, Default)]
pub struct Who {
    pub cookie: String,
    pub csrf: String,
    /// (on the API's read route, on every other route).
    pub bearer: Option<(String, String)>,
}

/// The demo server with A's data made and the seven roles signed in.
pub struct World {
    pub s: Server,
    pub who: Vec<Who>,
    /// `{name}` → the value of A's in the paths.
    pub params: BTreeMap<&'static str, String>,
    /// What B and the others must never see.
    pub secrets: Vec<String>,
    /// The share's code (the doctor's), kept for the CSRF table.
    pub share_code: String,
}

fn cookie_of(b: &Browser) -> String {
    b.cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn patient(s: &Server, who: (&str, &str, &str)) -> (Browser, Who) {
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.login(who.0, who.1).status, 303);
    assert_eq!(b.get("/dashboard").status, 200);
    let w = Who {
        cookie: cookie_of(&b),
        csrf: b.csrf.clone().unwrap(),
        bearer: None,
    };
    (b, w)
}

fn operator(s: &Server, who: (&str, &str)) -> (Browser, Who) {
    let mut b = Browser::new(&s.addr);
    assert_eq!(b.operator_login(who.0, who.1).status, 303);
    assert_eq!(b.get("/operatore").status, 200);
    let w = Who {
        cookie: cookie_of(&b),
        csrf: b.csrf.clone().unwrap(),
        bearer: None,
    };
    (b, w)
}

/// A new API token with `scopes` (made by the administrator): its secret.
fn token(admin: &mut Browser, client: &str, scopes: &[&str]) -> String {
    admin.get("/operatore/token");
    let mut fields = vec![("client", client), ("allow_ips", ""), ("giorni", "")];
    let names: Vec<String> = scopes.iter().map(|s| format!("scope_{s}")).collect();
    for n in &names {
        fields.push((n, "1"));
    }
    let r = admin.post("/operatore/token", &fields);
    assert_eq!(r.status, 200, "{}", r.body);
    let (_, rest) = r.body.split_once("class=\"secret\">").unwrap();
    rest.split('<').next().unwrap().to_string()
}

impl World {
    pub fn new() -> World {
        let s = Server::demo(&[]);
        let anon = {
            let mut b = Browser::new(&s.addr);
            b.get("/accedi");
            Who {
                cookie: cookie_of(&b),
                csrf: b.csrf.clone().unwrap(),
                bearer: None,
            }
        };
        let (mut a_browser, a) = patient(&s, MARIO);
        let (_, b) = patient(&s, LAURA);
        let (_, op) = operator(&s, OPERATORE);
        let (mut admin_browser, admin) = operator(&s, ADMIN);
        // A's data that the demo does not make: a share, a request to the ASL.
        let (link, share_code) = crate::shares::share(&mut a_browser, crate::shares::CT, "7");
        a_browser.get("/assistenza");
        let r = a_browser.post(
            "/assistenza",
            &[
                ("tipo", "assistenza"),
                ("oggetto", "Richiesta di Mario per la tabella"),
                ("messaggio", "Testo della richiesta di Mario"),
            ],
        );
        assert!(r.status < 400, "{}: {}", r.status, r.body);
        // Tokens: one that only reads, one that only writes, and one to revoke.
        let reader = token(&mut admin_browser, "AUTHZ-LETTORE", &["documents:read"]);
        let writer = token(
            &mut admin_browser,
            "AUTHZ-SCRITTORE",
            &["patients:write", "documents:write"],
        );
        token(&mut admin_browser, "AUTHZ-DA-REVOCARE", &["documents:read"]);
        // A reconciliation run to look at.
        admin_browser.get("/operatore/riconciliazioni");
        let r = admin_browser.post("/operatore/riconciliazioni/avvia", &[]);
        assert_eq!(r.status, 303, "{}", r.body);
        let db = crate::orders::db(&s);
        let finished = || {
            db.query_row(
                "SELECT count(*) FROM reconciliations WHERE finished_at IS NULL",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
                == 0
        };
        assert!(crate::eventually(30, finished), "the reconciliation ends");
        let one = |sql: &str| -> String {
            db.query_row(sql, [], |r| r.get::<_, rusqlite::types::Value>(0))
                .map(|v| match v {
                    rusqlite::types::Value::Integer(n) => n.to_string(),
                    rusqlite::types::Value::Text(t) => t,
                    other => panic!("{sql}: {other:?}"),
                })
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        };
        let mario = "(SELECT id FROM patients WHERE codice_fiscale = 'RSSMRA80A01A182N')";
        let mut params = BTreeMap::new();
        params.insert(
            "documento",
            one(&format!(
                "SELECT public_id FROM documents WHERE patient_id = {mario} AND title = '{}'",
                crate::shares::CT
            )),
        );
        // The back office's file route serves PDFs (a study is recovered, not served): one
        // of A's, so that the table shows who gets it.
        params.insert(
            "documento_pdf",
            one(&format!(
                "SELECT public_id FROM documents WHERE patient_id = {mario}
                 AND source_kind = 'pdf' ORDER BY id LIMIT 1"
            )),
        );
        params.insert(
            "ordine",
            one(&format!(
                "SELECT number FROM orders WHERE patient_id = {mario} AND state = 'pending'"
            )),
        );
        params.insert(
            "condivisione",
            one(&format!(
                "SELECT public_id FROM shares WHERE patient_id = {mario}"
            )),
        );
        params.insert("link", link.trim_start_matches("/condivisi/").to_string());
        params.insert(
            "richiesta",
            one(&format!(
                "SELECT public_id FROM support_requests WHERE patient_id = {mario}"
            )),
        );
        params.insert("nome", "VIEWER/index.html".into());
        params.insert("file", "css/site.css".into());
        params.insert("lingua", "en".into());
        params.insert("paziente", one(&format!("SELECT {mario}")));
        params.insert(
            "operatore",
            one("SELECT id FROM operators WHERE username = 'operatore'"),
        );
        params.insert(
            "token",
            one("SELECT id FROM api_tokens WHERE client = 'AUTHZ-DA-REVOCARE'"),
        );
        params.insert(
            "riconciliazione",
            one("SELECT max(id) FROM reconciliations"),
        );
        params.insert("codice_fiscale", MARIO.0.into());
        params.insert("id_esterno", "AUTHZ-1".into());
        // A's: every order number, every document's public id, the titles B has not.
        let mut secrets: Vec<String> = vec![
            MARIO.0.into(),
            MARIO.2.into(),
            MARIO.2.trim_start_matches("+39").into(),
            "Mario".into(),
            "Rossi".into(),
            params["link"].clone(),
            params["condivisione"].clone(),
            params["richiesta"].clone(),
            "Richiesta di Mario".into(),
        ];
        for sql in [
            format!("SELECT number FROM orders WHERE patient_id = {mario}"),
            format!("SELECT public_id FROM documents WHERE patient_id = {mario}"),
            format!(
                "SELECT DISTINCT title FROM documents WHERE patient_id = {mario}
                 AND title NOT IN (SELECT title FROM documents WHERE patient_id != {mario})"
            ),
        ] {
            let mut st = db.prepare(&sql).unwrap();
            let rows = st.query_map([], |r| r.get::<_, String>(0)).unwrap();
            secrets.extend(rows.map(Result::unwrap));
        }
        let tokens = |read: &str, other: &str| Who {
            bearer: Some((read.to_string(), other.to_string())),
            ..Who::default()
        };
        World {
            who: vec![
                anon,
                a,
                b,
                op,
                admin,
                tokens(DEMO_TOKEN, DEMO_TOKEN),
                tokens(&writer, &reader),
            ],
            s,
            params,
            secrets,
            share_code,
        }
    }

    /// `pattern` with A's values.
    pub fn path(&self, pattern: &str) -> String {
        let mut p = pattern.to_string();
        if p == "/operatore/documenti/{documento}/file" {
            p = p.replace("{documento}", "{documento_pdf}");
        }
        for (k, v) in &self.params {
            p = p.replace(&format!("{{{k}}}"), v);
        }
        assert!(!p.contains('{'), "{pattern}: a parameter without a value");
        p
    }

    /// The request `who` sends: its cookie, its bearer token, and on a POST its CSRF token
    /// (`csrf`: the field's value, `None` for none) in the form (or first in a multipart
    /// upload's).
    pub fn send(
        &self,
        who: &Who,
        method: &str,
        pattern: &str,
        csrf: Option<&str>,
        fields: &str,
    ) -> Response {
        let path = self.path(pattern);
        let api = pattern.starts_with("/api/");
        let mut headers: Vec<(&str, String)> = Vec::new();
        if !who.cookie.is_empty() {
            headers.push(("Cookie", who.cookie.clone()));
        }
        if let Some((read, other)) = &who.bearer {
            // The API's one read route wants documents:read, every other a write scope.
            let reads = method == "GET" || method == "HEAD";
            let t = if api && reads && pattern.ends_with("/documenti") {
                read
            } else {
                other
            };
            headers.push(("Authorization", format!("Bearer {t}")));
        }
        let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        if method == "GET" || method == "HEAD" || method == "DELETE" && api {
            return client::request_bytes(&self.s.addr, method, &path, &h, "text/plain", b"");
        }
        if api {
            return client::request_bytes(
                &self.s.addr,
                method,
                &path,
                &h,
                "application/json",
                b"{}",
            );
        }
        if multipart(pattern) {
            let mut all: Vec<(&str, &str)> = csrf.map(|t| ("csrf", t)).into_iter().collect();
            let pairs: Vec<(String, String)> = form_urlencoded::parse(fields.as_bytes())
                .into_owned()
                .collect();
            all.extend(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            let (ct, body) = client::multipart(&all, None);
            return client::request_bytes(&self.s.addr, method, &path, &h, &ct, &body);
        }
        let mut body = fields.to_string();
        if let Some(t) = csrf {
            if !body.is_empty() {
                body.push('&');
            }
            body.push_str(&format!("csrf={}", client::enc(t)));
        }
        client::request_bytes(
            &self.s.addr,
            method,
            &path,
            &h,
            "application/x-www-form-urlencoded",
            body.as_bytes(),
        )
    }

    /// The first of A's secrets in `r` (head and body), if any; not those in `path`, the
    /// request's own (an id the asker typed comes back in links and forms).
    pub fn leak(&self, path: &str, r: &Response) -> Option<&str> {
        let head: String = r
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}\n"))
            .collect();
        let text = format!("{head}\n{}", r.body);
        self.secrets
            .iter()
            .filter(|s| !path.contains(s.as_str()))
            .find(|s| text.contains(s.as_str()) || text.contains(&escaped(s)))
            .map(String::as_str)
    }
}

/// The upload forms: multipart, the CSRF token their first field.
pub fn multipart(pattern: &str) -> bool {
    pattern == "/operatore/pazienti/importa" || pattern == "/operatore/pazienti/{paziente}/pubblica"
}

/// `s` as HTML shows it.
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
