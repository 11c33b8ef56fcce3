//! The ingest API `/api/v1`: every documented error for real, idempotent publishing,
//! PDFs, batches, withdrawal, and a published document on the patient's page (tokens and
//! schemathesis: `api_auth.rs`).

use super::client::{Browser, Response, raw};
use super::{DEMO_TOKEN, MARIO, Server, shared_archive};
use serde_json::{Value, json};

/// A registered patient the demo does not have.
const GIANNI: &str = "BNCGNN85T10A944B";

pub fn call(
    s: &Server,
    method: &str,
    path: &str,
    token: Option<&str>,
    ct: &str,
    body: &[u8],
) -> Response {
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
        s.addr,
        body.len()
    );
    if let Some(t) = token {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    if !ct.is_empty() {
        req.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    let mut bytes = format!("{req}\r\n").into_bytes();
    bytes.extend_from_slice(body);
    raw(&s.addr, &bytes)
}

fn json_call(
    s: &Server,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> (u16, Value) {
    let r = call(
        s,
        method,
        path,
        token,
        "application/json",
        body.to_string().as_bytes(),
    );
    (r.status, body_of(&r))
}

pub fn body_of(r: &Response) -> Value {
    assert_eq!(r.header("content-type"), Some("application/json"), "{r:?}");
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body))
}

fn demo_study() -> String {
    let list = std::fs::read_to_string(format!("{}/demo-studies.txt", shared_archive().0)).unwrap();
    list.split_whitespace().next().unwrap().to_string()
}

fn document(ext: &str, title: &str, study: &str) -> Value {
    json!({
        "codice_fiscale": MARIO.0, "categoria": "Immagini diagnostiche", "titolo": title,
        "data": jiff::Timestamp::now().to_string(), "id_esterno": ext, "studio": study
    })
}

fn multipart(meta: &Value, pdf: &[u8]) -> (String, Vec<u8>) {
    let b = "cdsapitestboundary";
    let mut body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"metadati\"\r\nContent-Type: application/json\r\n\r\n{meta}\r\n--{b}\r\nContent-Disposition: form-data; name=\"pdf\"; filename=\"r.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(pdf);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

#[test]
fn publishing_withdrawing_and_every_documented_error() {
    let s = Server::demo(&[
        ("CDS_API_MAX_JSON_BYTES", "8192"),
        ("CDS_DOCUMENTS_MAX_UPLOAD_MB", "1"),
    ]);
    let t = Some(DEMO_TOKEN);
    let study = demo_study();

    // The description, without a token.
    let r = call(&s, "GET", "/api/v1/openapi.json", None, "", b"");
    assert_eq!(r.status, 200);
    assert!(body_of(&r)["paths"]["/documenti/lotto"]["post"].is_object());

    // 401 with its challenge; 404 and 405 as JSON.
    let r = call(
        &s,
        "GET",
        &format!("/api/v1/pazienti/{}/documenti", MARIO.0),
        None,
        "",
        b"",
    );
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
    assert!(body_of(&r)["errore"].is_string());
    let r = call(&s, "GET", "/api/v1/nulla", t, "", b"");
    assert_eq!((r.status, body_of(&r)["errore"].is_string()), (404, true));
    let r = call(&s, "PATCH", "/api/v1/documenti/X1", t, "", b"");
    assert_eq!((r.status, r.header("allow")), (405, Some("DELETE")));
    body_of(&r);

    // Patients: 415, 400 with the fields, 413, 201 then 200.
    let path = format!("/api/v1/pazienti/{GIANNI}");
    let r = call(&s, "PUT", &path, t, "text/plain", b"nome=Gianni");
    assert_eq!(r.status, 415);
    let (st, b) = json_call(
        &s,
        "PUT",
        "/api/v1/pazienti/BNCGNN85T10A944X",
        t,
        &json!({"nome": " ", "cognome": "Bianchi", "cellulare": "333"}),
    );
    assert_eq!(st, 400);
    for f in ["codice_fiscale", "nome", "cellulare"] {
        assert!(b["campi"][f].is_string(), "{f}: {b}");
    }
    let big = json!({"nome": "G".repeat(9000), "cognome": "B"});
    assert_eq!(json_call(&s, "PUT", &path, t, &big).0, 413);

    // Publishing for a patient not registered yet: 422. (A PDF: the demo's studies are
    // Mario's and Laura's, and another person's study is refused for Gianni.)
    let report = std::fs::read(format!("{}/referto-rx-torace.pdf", shared_archive().1)).unwrap();
    let mut gianni = document("G-1", "RX mano", "");
    gianni.as_object_mut().unwrap().remove("studio");
    gianni["codice_fiscale"] = json!(GIANNI);
    gianni["categoria"] = json!("Referto");
    let (ct, body) = multipart(&gianni, &report);
    let r = call(&s, "POST", "/api/v1/documenti", t, &ct, &body);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Paziente sconosciuto"), "{}", r.body);
    let mut studied = document("G-2", "RX mano", &study);
    studied["codice_fiscale"] = json!(GIANNI);
    let (st, b) = json_call(&s, "POST", "/api/v1/documenti", t, &studied);
    assert_eq!(st, 422, "{b}");
    let person = json!({"nome": "Gianni", "cognome": "Bianchi", "cellulare": "+393471112233"});
    assert_eq!(
        json_call(&s, "PUT", &path, t, &person),
        (201, json!({"codice_fiscale": GIANNI, "creato": true}))
    );
    assert_eq!(json_call(&s, "PUT", &path, t, &person).0, 200);
    let (ct, body) = multipart(&gianni, &report);
    assert_eq!(
        call(&s, "POST", "/api/v1/documenti", t, &ct, &body).status,
        201
    );
    // Mario's CT for Gianni: another person's study.
    let (st, b) = json_call(&s, "POST", "/api/v1/documenti", t, &studied);
    assert_eq!(st, 422, "{b}");
    assert!(
        b["errore"]
            .as_str()
            .unwrap()
            .contains("altro codice fiscale"),
        "{b}"
    );

    // Idempotent by external id: 201, 200 with the same id, 409 with other content.
    let doc = document("RIS-42", "RX ginocchio via API", &study);
    let (st, first) = json_call(&s, "POST", "/api/v1/documenti", t, &doc);
    assert_eq!(
        (st, first["esito"].as_str()),
        (201, Some("pubblicato")),
        "{first}"
    );
    let (st, again) = json_call(&s, "POST", "/api/v1/documenti", t, &doc);
    assert_eq!((st, &again["id"]), (200, &first["id"]));
    let mut other = doc.clone();
    other["titolo"] = json!("Altro titolo");
    let (st, b) = json_call(&s, "POST", "/api/v1/documenti", t, &other);
    assert_eq!((st, &b["id"]), (409, &first["id"]));
    // 422 for a study the archive has not; 415 for a form; 400 for a bad category.
    assert_eq!(
        json_call(
            &s,
            "POST",
            "/api/v1/documenti",
            t,
            &document("X-1", "RX", "1.2.3.4")
        )
        .0,
        422
    );
    assert_eq!(
        call(&s, "POST", "/api/v1/documenti", t, "text/plain", b"x").status,
        415
    );
    let mut bad = document("X-2", "RX", &study);
    bad["categoria"] = json!("Ricetta");
    let (st, b) = json_call(&s, "POST", "/api/v1/documenti", t, &bad);
    assert_eq!(
        (st, b["campi"]["categoria"].is_string()),
        (400, true),
        "{b}"
    );

    // A PDF: 201, then 422 for a file that is not one, 413 past the limit.
    let pdf = std::fs::read(format!("{}/referto-tc-torace.pdf", shared_archive().1)).unwrap();
    let mut meta = document("PDF-1", "Referto PDF via API", "");
    meta.as_object_mut().unwrap().remove("studio");
    meta["categoria"] = json!("Referto");
    let (ct, body) = multipart(&meta, &pdf);
    let r = call(&s, "POST", "/api/v1/documenti", t, &ct, &body);
    assert_eq!(r.status, 201, "{}", r.body);
    let (ct, body) = multipart(&meta, &pdf);
    let wrong_part = String::from_utf8_lossy(&body).replace("name=\"pdf\"", "name=\"file\"");
    let r = call(
        &s,
        "POST",
        "/api/v1/documenti",
        t,
        &ct,
        wrong_part.as_bytes(),
    );
    assert_eq!(
        (r.status, body_of(&r)["campi"]["pdf"].is_string()),
        (400, true),
        "{}",
        r.body
    );
    let (ct, body) = multipart(&meta, b"\x89PNG\r\n\x1a\n not a pdf");
    assert_eq!(
        call(&s, "POST", "/api/v1/documenti", t, &ct, &body).status,
        422
    );
    let (ct, body) = multipart(&meta, &vec![b'%'; 1_100_000]);
    assert_eq!(
        call(&s, "POST", "/api/v1/documenti", t, &ct, &body).status,
        413
    );
    // Kept in the document store by its SHA-256.
    use sha2::Digest;
    let hex: String = sha2::Sha256::digest(&pdf)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let stored = format!("{}/sha256/{}/{hex}.pdf", shared_archive().1, &hex[..2]);
    assert_eq!(std::fs::read(&stored).unwrap(), pdf, "{stored}");

    // A batch: one result per item, in order.
    let batch = json!({"documenti": [document("B-1", "RX polso", &study), doc, {"titolo": 1}, document("B-2", "RX", "9.9")]});
    let (st, b) = json_call(&s, "POST", "/api/v1/documenti/lotto", t, &batch);
    assert_eq!(st, 200, "{b}");
    let states: Vec<u64> = b["risultati"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["stato"].as_u64().unwrap())
        .collect();
    assert_eq!(states, [201, 200, 400, 422]);
    assert_eq!(
        (b["pubblicati"].as_u64(), b["rifiutati"].as_u64()),
        (Some(1), Some(2))
    );

    // The patient sees what was published, listed for the system with its external id.
    let mut mario = Browser::new(&s.addr);
    assert_eq!(mario.login(MARIO.0, MARIO.1).status, 303);
    let page = mario.get("/documenti-interscambiati");
    assert!(page.body.contains("RX ginocchio via API"), "{}", page.body);
    // A patient's session cookie never authenticates the API.
    let cookie = mario
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let req = format!(
        "GET /api/v1/pazienti/{}/documenti HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: {cookie}\r\n\r\n",
        MARIO.0
    );
    assert_eq!(raw(&s.addr, req.as_bytes()).status, 401);
    let (st, list) = json_call(
        &s,
        "GET",
        &format!("/api/v1/pazienti/{}/documenti", MARIO.0),
        t,
        &json!(null),
    );
    assert_eq!(st, 200);
    let mine = list["documenti"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == first["id"])
        .unwrap()
        .clone();
    assert_eq!(
        (mine["id_esterno"].as_str(), mine["stato"].as_str()),
        (Some("RIS-42"), Some("disponibile"))
    );

    // Withdrawal: done, again, unknown; then gone from the patient's page.
    let (st, b) = json_call(&s, "DELETE", "/api/v1/documenti/RIS-42", t, &json!(null));
    assert_eq!((st, b["esito"].as_str()), (200, Some("ritirato")), "{b}");
    let (st, b) = json_call(&s, "DELETE", "/api/v1/documenti/RIS-42", t, &json!(null));
    assert_eq!((st, b["esito"].as_str()), (200, Some("gia_ritirato")));
    assert_eq!(
        json_call(&s, "DELETE", "/api/v1/documenti/RIS-43", t, &json!(null)).0,
        404
    );
    assert!(
        !mario
            .get("/documenti-interscambiati")
            .body
            .contains("RX ginocchio via API")
    );
    // In an order waiting for its payment: 409; bought: kept for the buyer.
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    let in_order = |ext: &str, state: &str| {
        db.execute(
            "INSERT INTO orders (number, patient_id, state, total_cents, causale, provider, provider_name, payee, created_at, updated_at)
             SELECT 'API-' || ?1, patient_id, ?2, 0, 'c', 'sandbox', 's', 'p', 1, 1 FROM documents WHERE external_id = ?1",
            [ext, state],
        )
        .unwrap();
        db.execute(
            "INSERT INTO order_items (order_id, document_id, title, category, price_cents)
             SELECT last_insert_rowid(), id, 't', 'c', 0 FROM documents WHERE external_id = ?1",
            [ext],
        )
        .unwrap();
    };
    in_order("PDF-1", "pending");
    let (st, b) = json_call(&s, "DELETE", "/api/v1/documenti/PDF-1", t, &json!(null));
    assert_eq!((st, b["id"].is_string()), (409, true), "{b}");
    in_order("B-1", "completed");
    let (st, b) = json_call(&s, "DELETE", "/api/v1/documenti/B-1", t, &json!(null));
    assert_eq!(
        (st, b["esito"].as_str()),
        (200, Some("conservato_per_acquirente")),
        "{b}"
    );
    // Every action is the token's in the audit log, without titles.
    let (n, titles): (i64, i64) = db
        .query_row(
            "SELECT count(*), sum(detail LIKE '%RX%') FROM audit_log WHERE actor = 'api'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(n >= 8, "{n}");
    assert_eq!(titles, 0);
    // The request log names the API's paths without their codice fiscale (once the
    // buffered log lines are written).
    assert!(
        crate::eventually(5, || s.log().contains("/api/v1/pazienti/{codice_fiscale}")),
        "{}",
        s.log()
    );
    assert!(!s.log().contains(GIANNI));
}

/// A study whose PatientID is another person's codice fiscale is refused, one by one and
/// in a batch (Laura's X-ray named for Mario), and nothing is published.
#[test]
fn another_persons_study_is_refused() {
    let s = Server::demo(&[]);
    let list = std::fs::read_to_string(format!("{}/demo-studies.txt", shared_archive().0)).unwrap();
    let laura_xray = list.split_whitespace().nth(2).unwrap().to_string();
    let (status, body) = json_call(
        &s,
        "POST",
        "/api/v1/documenti",
        Some(DEMO_TOKEN),
        &document("X-1", "RX di un'altra persona", &laura_xray),
    );
    assert_eq!(status, 422, "{body}");
    assert!(
        body["errore"]
            .as_str()
            .unwrap()
            .contains("altro codice fiscale"),
        "{body}"
    );
    let batch = json!({ "documenti": [
        document("X-2", "RX di un'altra persona", &laura_xray),
        document("X-3", "TC giusta", &demo_study()),
    ]});
    let (status, body) = json_call(
        &s,
        "POST",
        "/api/v1/documenti/lotto",
        Some(DEMO_TOKEN),
        &batch,
    );
    assert_eq!(status, 200, "{body}");
    let results = body["risultati"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(results[0]["stato"], 422, "{body}");
    assert!(
        results[1]["stato"] == 201 || results[1]["stato"] == 200,
        "{body}"
    );
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    let n: i64 = db
        .query_row(
            "SELECT count(*) FROM documents WHERE title = 'RX di un''altra persona'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0);
}
