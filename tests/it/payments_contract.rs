//! The payments contract stub tested on its own, with hand-built requests: it behaves like
//! PiemontePay epayapi, pagoPA GPD and Checkout, its validator bites on requests that break the
//! providers' specs, every fault kind does what it says, and it answers fast.

use crate::payments_stub::*;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn json_of(r: &crate::client::Response) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {} {}", r.status, r.body))
}

fn pp_body(id: &str, importo: f64) -> String {
    json!({
        "causale": "Copia cartella clinica",
        "codiceFiscalePartitaIVAPagatore": "RSSMRA80A01A182N",
        "nome": "Mario",
        "cognome": "Rossi",
        "email": "mario.rossi@example.it",
        "importo": importo,
        "dataScadenza": due_date(),
        "identificativoPagamento": id,
    })
    .to_string()
}

/// A due date 30 days ahead, UTC.
fn due_date() -> String {
    (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 30))
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn gpd_body(iupd: &str, iuv: &str, cents: i64) -> Value {
    json!({
        "iupd": iupd,
        "type": "F",
        "fiscalCode": "RSSMRA80A01A182N",
        "fullName": "Mario Rossi",
        "companyName": "ASL Test",
        "switchToExpired": false,
        "paymentOption": [{
            "iuv": iuv,
            "amount": cents,
            "description": "Copia cartella clinica",
            "isPartialPayment": false,
            "dueDate": due_date(),
            "transfer": [{
                "idTransfer": "1",
                "amount": cents,
                "remittanceInformation": "Copia cartella clinica",
                "category": "9/0101108TS/",
                "iban": "IT60X0542811101000000123456",
            }],
        }],
    })
}

fn pp_positions() -> String {
    format!("{PP_BASE}/organizations/{PP_ORG}/paymenttypes/{PP_TYPE}/debtpositions")
}

fn gpd_positions() -> String {
    format!("{GPD_BASE}/organizations/{GPD_CF}/debtpositions")
}

/// Sends a raw request and reads until the stub closes: None when it answered nothing (closed
/// or reset the connection, or `timeout` passed).
fn raw_answer(addr: &str, req: &[u8], timeout: Duration) -> Option<Vec<u8>> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(timeout)).unwrap();
    s.write_all(req).unwrap();
    let mut buf = Vec::new();
    match s.read_to_end(&mut buf) {
        Ok(_) if !buf.is_empty() => Some(buf),
        _ => None,
    }
}

fn pp_create_raw(stub: &PaymentsStub, id: &str) -> Vec<u8> {
    let body = pp_body(id, 22.0);
    format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAuthorization: {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        pp_positions(),
        stub.addr,
        PaymentsStub::pp_auth(),
        body.len()
    )
    .into_bytes()
}

#[test]
fn piemontepay_create_status_pay_receipt_notice_delete() {
    let stub = PaymentsStub::start_with(&["--check-responses"]);
    let auth = PaymentsStub::pp_auth();
    let h = [("Authorization", auth.as_str())];
    let base = pp_positions();

    let r = stub.send("POST", &base, &h, Some(&pp_body("ORD-1", 22.0)));
    assert_eq!(r.status, 201, "{}", r.body);
    let created = json_of(&r);
    assert_eq!(created["codiceEsito"], "000");
    assert_eq!(created["identificativoPagamento"], "ORD-1");
    let iuv = created["iuv"].as_str().unwrap().to_string();
    assert_eq!(iuv.len(), 27, "{iuv}");
    assert!(iuv.starts_with('R'), "{iuv}");
    assert!(
        iuv[1..]
            .chars()
            .all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c))
    );
    let avviso = created["codiceAvviso"].as_str().unwrap().to_string();
    assert!(
        avviso.len() == 18 && avviso.starts_with('3') && avviso.chars().all(|c| c.is_ascii_digit()),
        "{avviso}"
    );
    // Idempotent by identificativoPagamento: the same position again.
    let again = json_of(&stub.send("POST", &base, &h, Some(&pp_body("ORD-1", 22.0))));
    assert_eq!(again["iuv"], iuv.as_str());
    assert_eq!(again["codiceAvviso"], avviso.as_str());
    assert_eq!(stub.count("createDebtPosition"), 2);
    assert_eq!(stub.positions()["piemontepay"].as_array().unwrap().len(), 1);

    let status = |iuv: &str| {
        let r = stub.send("GET", &format!("{base}/{iuv}/status"), &h, None);
        assert_eq!(r.status, 200, "{}", r.body);
        let v = json_of(&r);
        assert_eq!(v["result"]["code"], "000");
        v["code"].as_str().unwrap().to_string()
    };
    assert_eq!(status(&iuv), "1");
    let r = stub.send("GET", &format!("{base}/{iuv}/paymentdata"), &h, None);
    assert_eq!(r.status, 404, "not paid yet: {}", r.body);
    assert_eq!(json_of(&r)["code"], "404");

    // "Procedi": the payment URL, a page with "Paga".
    let r = stub.send(
        "POST",
        &format!("{PP_BASE}/organizations/{PP_ORG}/debtpositions/{iuv}/payment"),
        &h,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let v = json_of(&r);
    assert_eq!(v["codiceEsito"], "000");
    let url = v["paymentUrl"].as_str().unwrap();
    let page = url.strip_prefix(stub.url.as_str()).expect(url);
    assert_eq!(page, format!("/_stub/portal/{iuv}"));
    let r = stub.send("GET", page, &[], None);
    assert!(
        r.body.contains("Paga") && r.body.contains(&avviso),
        "{}",
        r.body
    );
    let r = stub.send("POST", &format!("{page}/pay"), &[], None);
    assert!(r.body.contains("Pagamento eseguito"), "{}", r.body);
    assert_eq!(status(&iuv), "0");

    let r = stub.send("GET", &format!("{base}/{iuv}/paymentdata"), &h, None);
    assert_eq!(r.status, 200, "{}", r.body);
    let data = json_of(&r);
    assert!(
        !data["identificativoUnicoRiscossione"]
            .as_str()
            .unwrap()
            .is_empty()
    );
    assert!(
        !data["prestatoreDiServiziDiPagamento"]
            .as_str()
            .unwrap()
            .is_empty()
    );
    assert!(data["dataEsitoPagamento"].is_string());
    assert_eq!(data["importoPagato"], 22.0);
    assert_eq!(data["codiceAvviso"], avviso.as_str());
    assert_eq!(data["identificativoUnicoVersamento"], iuv.as_str());

    let r = stub.send("GET", &format!("{base}/{iuv}/paymentnotice"), &h, None);
    assert_eq!(r.status, 200, "{}", r.body);
    let v = json_of(&r);
    use base64::Engine;
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(v["paymentnotice"].as_str().unwrap())
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-") && pdf.ends_with(b"%%EOF\n"));

    // A paid position cannot be deleted.
    let r = stub.send("DELETE", &format!("{base}/{iuv}"), &h, None);
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(json_of(&r)["code"], "400");

    // Another one, deleted by the portal: 2 Annullato dall'Ente, no longer payable.
    let second = json_of(&stub.send("POST", &base, &h, Some(&pp_body("ORD-2", 15.5))));
    let iuv2 = second["iuv"].as_str().unwrap().to_string();
    assert_ne!(iuv2, iuv);
    assert_ne!(second["codiceAvviso"], avviso.as_str());
    let r = stub.send("DELETE", &format!("{base}/{iuv2}"), &h, None);
    assert_eq!((r.status, json_of(&r)["code"].clone()), (200, json!("000")));
    assert_eq!(status(&iuv2), "2");
    let r = stub.send(
        "POST",
        &format!("{PP_BASE}/organizations/{PP_ORG}/debtpositions/{iuv2}/payment"),
        &h,
        None,
    );
    assert_eq!(json_of(&r)["codiceEsito"], "100");

    // Driven from the control API: expired (4), cancelled by the ente (2), paid (0).
    let ids: Vec<String> = ["ORD-3", "ORD-4", "ORD-5"]
        .iter()
        .map(|id| {
            json_of(&stub.send("POST", &base, &h, Some(&pp_body(id, 7.0))))["iuv"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    stub.expire(&ids[0]);
    stub.cancel(&ids[1]);
    let paid = stub.pay_pp(&ids[2]);
    assert!(paid["iur"].is_string(), "{paid}");
    assert_eq!(
        ids.iter().map(|i| status(i)).collect::<Vec<_>>(),
        ["4", "2", "0"]
    );

    // Business errors: 201 with codiceEsito "100", as epayapi reports them.
    let no_cf = json!({"causale": "x", "importo": 22.0, "identificativoPagamento": "ORD-6"});
    for body in [pp_body("ORD-7", 0.0), no_cf.to_string()] {
        let r = stub.send("POST", &base, &h, Some(&body));
        assert_eq!(r.status, 201, "{}", r.body);
        let v = json_of(&r);
        assert_eq!(v["codiceEsito"], "100", "{v}");
        assert!(!v["descrizioneEsito"].as_str().unwrap().is_empty());
    }

    // Unknown IUV, organization or payment type: 404; wrong password: 401 (not a violation).
    for path in [
        format!("{base}/RFFFFFFFFFFFFFFFFFFFFFFFFFF/status"),
        format!("{PP_BASE}/organizations/OTHER/paymenttypes/{PP_TYPE}/debtpositions/{iuv}/status"),
        format!("{PP_BASE}/organizations/{PP_ORG}/paymenttypes/OTHER/debtpositions/{iuv}/status"),
    ] {
        let r = stub.send("GET", &path, &h, None);
        assert_eq!(r.status, 404, "{path}: {}", r.body);
        assert_eq!(json_of(&r)["code"], "404");
    }
    let r = stub.send(
        "GET",
        &format!("{base}/{iuv}/status"),
        &[("Authorization", "Basic d3Jvbmc6d3Jvbmc=")],
        None,
    );
    assert_eq!((r.status, json_of(&r)["code"].clone()), (401, json!("401")));
    assert!(r.header("www-authenticate").unwrap().starts_with("Basic"));

    stub.assert_no_violations();
    // The log masks credentials.
    let log = stub.requests().to_string();
    assert!(
        log.contains("Basic ***") && !log.contains(&auth[6..]),
        "{log}"
    );
}

#[test]
fn gpd_create_get_pay_invalidate_delete() {
    let stub = PaymentsStub::start_with(&["--check-responses"]);
    let h = [("Ocp-Apim-Subscription-Key", GPD_KEY)];
    let base = gpd_positions();
    let create = |iupd: &str, iuv: &str| {
        stub.send(
            "POST",
            &format!("{base}?toPublish=true"),
            &h,
            Some(&gpd_body(iupd, iuv, 2200).to_string()),
        )
    };
    let get = |iupd: &str| {
        let r = stub.send("GET", &format!("{base}/{iupd}"), &h, None);
        (
            r.status,
            serde_json::from_str::<Value>(&r.body).unwrap_or(Value::Null),
        )
    };

    let iupd = format!("{GPD_CF}-7f1e0c9a-0000-4000-8000-000000000001");
    let r = create(&iupd, "01000000000000001");
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(r.header("x-request-id").is_some());
    let v = json_of(&r);
    assert_eq!(v["status"], "VALID");
    assert_eq!(v["paymentOption"][0]["nav"], "301000000000000001");
    let (status, v) = get(&iupd);
    assert_eq!(status, 200);
    assert_eq!(v["status"], "VALID");
    assert_eq!(v["paymentOption"][0]["status"], "PO_UNPAID");
    assert_eq!(v["paymentOption"][0]["amount"], 2200);

    // The same iupd again, or its IUV under another iupd: 409.
    assert_eq!(create(&iupd, "01000000000000009").status, 409);
    let r = create(&format!("{GPD_CF}-other"), "01000000000000001");
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(json_of(&r)["status"], 409);

    // Paid: PAID, PO_PAID with the receipt's data; no longer invalidable nor deletable.
    let paid = stub.pay_gpd_nav("301000000000000001");
    assert_eq!(paid["status"], "PAID", "{paid}");
    let (_, v) = get(&iupd);
    assert_eq!(v["status"], "PAID");
    let po = &v["paymentOption"][0];
    assert_eq!(po["status"], "PO_PAID");
    for k in ["paymentDate", "pspCompany", "idReceipt", "paymentMethod"] {
        assert!(po[k].is_string(), "{k}: {po}");
    }
    let r = stub.send("POST", &format!("{base}/{iupd}/invalidate"), &h, None);
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(
        stub.send("DELETE", &format!("{base}/{iupd}"), &h, None)
            .status,
        409
    );

    // Invalidated by the portal: INVALID, then once more 409; deleted: gone.
    let iupd2 = format!("{GPD_CF}-7f1e0c9a-0000-4000-8000-000000000002");
    assert_eq!(create(&iupd2, "01000000000000002").status, 201);
    let r = stub.send("POST", &format!("{base}/{iupd2}/invalidate"), &h, None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(json_of(&r)["status"], "INVALID");
    assert_eq!(
        stub.send("POST", &format!("{base}/{iupd2}/invalidate"), &h, None)
            .status,
        409
    );
    let r = stub.send("DELETE", &format!("{base}/{iupd2}"), &h, None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(get(&iupd2).0, 404);

    // Control API: expired, cancelled by the ente (INVALID).
    let iupd3 = format!("{GPD_CF}-7f1e0c9a-0000-4000-8000-000000000003");
    let iupd4 = format!("{GPD_CF}-7f1e0c9a-0000-4000-8000-000000000004");
    assert_eq!(create(&iupd3, "01000000000000003").status, 201);
    assert_eq!(create(&iupd4, "01000000000000004").status, 201);
    stub.expire(&iupd3);
    stub.cancel("301000000000000004");
    assert_eq!(get(&iupd3).1["status"], "EXPIRED");
    assert_eq!(get(&iupd4).1["status"], "INVALID");

    // Unknown iupd 404, another organization 403, a wrong key 401 (not a violation).
    assert_eq!(get(&format!("{GPD_CF}-nope")).0, 404);
    let r = stub.send(
        "GET",
        &format!("{GPD_BASE}/organizations/99999999999/debtpositions/{iupd}"),
        &h,
        None,
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let r = stub.send(
        "GET",
        &format!("{base}/{iupd}"),
        &[("Ocp-Apim-Subscription-Key", "wrong")],
        None,
    );
    assert_eq!(r.status, 401, "{}", r.body);
    stub.assert_no_violations();
}

#[test]
fn checkout_cart_redirects_to_a_page_that_pays_in_gpd() {
    let stub = PaymentsStub::start_with(&["--check-responses"]);
    let h = [("Ocp-Apim-Subscription-Key", GPD_KEY)];
    let iupd = format!("{GPD_CF}-cart-1");
    let r = stub.send(
        "POST",
        &format!("{}?toPublish=true", gpd_positions()),
        &h,
        Some(&gpd_body(&iupd, "02000000000000001", 2200).to_string()),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let cart = |nav: &str| {
        json!({
            "paymentNotices": [{
                "noticeNumber": nav,
                "fiscalCode": GPD_CF,
                "amount": 2200,
                "companyName": "ASL Test",
                "description": "Copia cartella clinica",
            }],
            "returnUrls": {
                "returnOkUrl": "https://portale.example.it/ordini/1?esito=ok",
                "returnCancelUrl": "https://portale.example.it/ordini/1?esito=annullato",
                "returnErrorUrl": "https://portale.example.it/ordini/1?esito=errore",
            },
            "emailNotice": "mario.rossi@example.it",
            "idCart": "ORD-1",
        })
        .to_string()
    };
    let r = stub.send(
        "POST",
        &format!("{CHECKOUT_BASE}/carts"),
        &[],
        Some(&cart("302000000000000001")),
    );
    assert_eq!(r.status, 302, "{}", r.body);
    let location = r.header("location").unwrap().to_string();
    let page = location.strip_prefix(stub.url.as_str()).expect(&location);
    let r = stub.send("GET", page, &[], None);
    assert!(
        r.body.contains("Paga") && r.body.contains("Annulla"),
        "{}",
        r.body
    );
    let r = stub.send("POST", &format!("{page}/pay"), &[], None);
    assert_eq!(r.status, 303);
    assert_eq!(
        r.header("location"),
        Some("https://portale.example.it/ordini/1?esito=ok")
    );
    let r = stub.send("GET", &format!("{}/{iupd}", gpd_positions()), &h, None);
    assert_eq!(json_of(&r)["status"], "PAID");

    // A cart of a notice paid meanwhile: still 302 (Checkout shows the error on its page),
    // noted, not a violation.
    let r = stub.send(
        "POST",
        &format!("{CHECKOUT_BASE}/carts"),
        &[],
        Some(&cart("302000000000000001")),
    );
    assert_eq!(r.status, 302);
    let page = r.header("location").unwrap()[stub.url.len()..].to_string();
    assert!(
        stub.send("GET", &page, &[], None)
            .body
            .contains("Non e' possibile pagare")
    );
    let reqs = stub.requests();
    let last = reqs.as_array().unwrap().last().unwrap();
    assert!(!last["notes"].as_array().unwrap().is_empty(), "{last}");
    stub.assert_no_violations();
}

#[test]
fn requests_that_break_the_specs_are_caught() {
    let stub = PaymentsStub::start();
    let auth = PaymentsStub::pp_auth();
    let pp = [("Authorization", auth.as_str())];
    let key = [("Ocp-Apim-Subscription-Key", GPD_KEY)];
    let pp_base = pp_positions();
    let gpd_create = format!("{}?toPublish=true", gpd_positions());
    let good = || gpd_body(&format!("{GPD_CF}-bad"), "03000000000000001", 2200);
    let with = |f: &dyn Fn(&mut Value)| {
        let mut b = good();
        f(&mut b);
        b.to_string()
    };
    let unknown_cart = json!({
        "paymentNotices": [{"noticeNumber": "30300000000000001", "fiscalCode": GPD_CF,
                            "amount": 100, "companyName": "ASL", "description": "x"}],
        "returnUrls": {"returnOkUrl": "https://a.it/ok", "returnCancelUrl": "https://a.it/ko"},
    });
    #[allow(clippy::type_complexity)]
    let cases: Vec<(
        &str,
        &str,
        String,
        Vec<(&str, &str)>,
        Option<String>,
        u16,
        &str,
    )> = vec![
        (
            "GPD amount as a string",
            "POST",
            gpd_create.clone(),
            key.to_vec(),
            Some(with(&|b| b["paymentOption"][0]["amount"] = json!("2200"))),
            400,
            "is not of type 'integer'",
        ),
        (
            "GPD without iupd",
            "POST",
            gpd_create.clone(),
            key.to_vec(),
            Some(with(&|b| {
                b.as_object_mut().unwrap().remove("iupd");
            })),
            400,
            "'iupd' is a required property",
        ),
        (
            "GPD without subscription key",
            "POST",
            gpd_create.clone(),
            vec![],
            Some(good().to_string()),
            401,
            "Security not found",
        ),
        (
            "GPD option amount not the sum of its transfers",
            "POST",
            gpd_create.clone(),
            key.to_vec(),
            Some(with(&|b| b["paymentOption"][0]["amount"] = json!(2300))),
            400,
            "is not the sum of its transfers",
        ),
        (
            "GPD IUV of 16 digits",
            "POST",
            gpd_create.clone(),
            key.to_vec(),
            Some(with(&|b| {
                b["paymentOption"][0]["iuv"] = json!("0300000000000001")
            })),
            400,
            "17 digits expected",
        ),
        (
            "GPD description over 140",
            "POST",
            gpd_create.clone(),
            key.to_vec(),
            Some(with(&|b| {
                b["paymentOption"][0]["description"] = json!("x".repeat(141))
            })),
            400,
            "is too long",
        ),
        (
            "GPD property that the schema does not have",
            "POST",
            gpd_create.clone(),
            key.to_vec(),
            Some(with(&|b| b["codiceFiscale"] = json!("RSSMRA80A01A182N"))),
            400,
            "Additional properties are not allowed",
        ),
        (
            "GPD dueDate with an offset",
            "POST",
            gpd_create.clone(),
            key.to_vec(),
            Some(with(&|b| {
                b["paymentOption"][0]["dueDate"] = json!("2099-01-31T23:59:59+01:00")
            })),
            400,
            "LocalDateTime",
        ),
        (
            "GPD not published",
            "POST",
            gpd_positions(),
            key.to_vec(),
            Some(good().to_string()),
            400,
            "toPublish=true expected",
        ),
        (
            "PiemontePay importo \"22,00\"",
            "POST",
            pp_base.clone(),
            pp.to_vec(),
            Some(r#"{"importo": "22,00", "identificativoPagamento": "X"}"#.into()),
            400,
            "'22,00' is not of type 'number'",
        ),
        (
            "PiemontePay importo 22.001",
            "POST",
            pp_base.clone(),
            pp.to_vec(),
            Some(pp_body("X", 22.001)),
            400,
            "more than 2 decimals",
        ),
        (
            "PiemontePay components not adding up",
            "POST",
            pp_base.clone(),
            pp.to_vec(),
            Some(
                r#"{"importo": 22.00, "codiceFiscalePartitaIVAPagatore": "RSSMRA80A01A182N",
                    "identificativoPagamento": "X",
                    "componentiPagamento": [{"importo": 20.00}, {"importo": 1.00}]}"#
                    .into(),
            ),
            400,
            "add up to 21",
        ),
        (
            "PiemontePay without Authorization",
            "POST",
            pp_base.clone(),
            vec![],
            Some(pp_body("X", 22.0)),
            401,
            "missing Authorization",
        ),
        (
            "PiemontePay status without Authorization (declared security)",
            "GET",
            format!("{pp_base}/RFFFFFFFFFFFFFFFFFFFFFFFFFF/status"),
            vec![],
            None,
            401,
            "Security not found",
        ),
        (
            "PiemontePay path that does not exist",
            "POST",
            format!("{PP_BASE}/organizations/{PP_ORG}/debtpositions"),
            pp.to_vec(),
            Some(pp_body("X", 22.0)),
            400,
            "Path not found",
        ),
        (
            "PiemontePay wrong method",
            "GET",
            pp_base.clone(),
            pp.to_vec(),
            None,
            400,
            "Operation get not found",
        ),
        (
            "Checkout notice number of 17 digits, returnErrorUrl missing",
            "POST",
            format!("{CHECKOUT_BASE}/carts"),
            vec![],
            Some(unknown_cart.to_string()),
            400,
            "'returnErrorUrl' is a required property",
        ),
    ];
    for (name, method, path, headers, body, status, says) in &cases {
        let r = stub.send(method, path, headers, body.as_deref());
        assert_eq!(r.status, *status, "{name}: {}", r.body);
        let reqs = stub.requests();
        let last = reqs.as_array().unwrap().last().unwrap().clone();
        let found = last["violations"].to_string();
        assert!(found.contains(says), "{name}: wanted {says:?} in {found}");
    }
    // One message, for whoever reads the test's output.
    let v = stub.violations();
    eprintln!("example violation: {}", v[0]["violations"][0]);
    assert_eq!(v.as_array().unwrap().len(), cases.len(), "{v:#}");

    // A cart naming a notice GPD does not know: recorded, yet answered 302 as Checkout does.
    let cart = json!({
        "paymentNotices": [{"noticeNumber": "303000000000000099", "fiscalCode": GPD_CF,
                            "amount": 100, "companyName": "ASL", "description": "x"}],
        "returnUrls": {"returnOkUrl": "https://a.it/ok", "returnCancelUrl": "https://a.it/ko",
                       "returnErrorUrl": "https://a.it/err"},
    });
    let r = stub.send(
        "POST",
        &format!("{CHECKOUT_BASE}/carts"),
        &[],
        Some(&cart.to_string()),
    );
    assert_eq!(r.status, 302);
    assert!(stub.violations().to_string().contains("unknown to GPD"));
    let caught =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| stub.assert_no_violations()));
    assert!(caught.is_err(), "assert_no_violations must fail now");
}

#[test]
fn every_fault_kind() {
    let stub = PaymentsStub::start();
    let key = [("Ocp-Apim-Subscription-Key", GPD_KEY)];
    let auth = PaymentsStub::pp_auth();
    let pp = [("Authorization", auth.as_str())];
    let pp_base = pp_positions();
    let gpd_create = format!("{}?toPublish=true", gpd_positions());
    let pp_count = || stub.positions()["piemontepay"].as_array().unwrap().len();

    // Error statuses: the provider's error body, nothing done.
    for (i, kind) in ["401", "403", "404", "409", "422", "500", "502"]
        .iter()
        .enumerate()
    {
        stub.fault("createPosition", kind, 1);
        let body = gpd_body(
            &format!("{GPD_CF}-f{i}"),
            &format!("0400000000000000{i}"),
            500,
        );
        let r = stub.send("POST", &gpd_create, &key, Some(&body.to_string()));
        assert_eq!(r.status.to_string(), *kind, "{}", r.body);
        let v = json_of(&r);
        if *kind == "403" {
            assert_eq!(v["statusCode"], 403);
        } else {
            assert_eq!(v["status"], kind.parse::<u16>().unwrap(), "{v}");
        }
    }
    assert_eq!(stub.positions()["gpd"].as_array().unwrap().len(), 0);
    stub.fault("createDebtPosition", "500", 1);
    let r = stub.send("POST", &pp_base, &pp, Some(&pp_body("F-500", 22.0)));
    assert_eq!((r.status, json_of(&r)["code"].clone()), (500, json!("500")));
    assert_eq!(pp_count(), 0);

    // slow: done, answered late (the portal timed out); the retry finds the same position.
    stub.fault_slow("createDebtPosition", 1500, 1);
    let t = Instant::now();
    let answer = raw_answer(
        &stub.addr,
        &pp_create_raw(&stub, "F-SLOW"),
        Duration::from_millis(300),
    );
    assert!(answer.is_none(), "timed out before the answer");
    assert!(t.elapsed() < Duration::from_millis(1400));
    assert_eq!(pp_count(), 1, "the provider did the work");
    let r = stub.send("POST", &pp_base, &pp, Some(&pp_body("F-SLOW", 22.0)));
    assert_eq!(r.status, 201);
    assert_eq!(pp_count(), 1);

    // slow-before: waits, then does it.
    stub.faults(json!([{"op": "createDebtPosition", "kind": "slow-before", "delay_ms": 300}]));
    let t = Instant::now();
    let r = stub.send("POST", &pp_base, &pp, Some(&pp_body("F-SLOWB", 22.0)));
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!(r.status, 201);
    assert_eq!(pp_count(), 2);

    // malformed: done, answered 201 with truncated JSON.
    stub.fault("createDebtPosition", "malformed", 1);
    let r = stub.send("POST", &pp_base, &pp, Some(&pp_body("F-MAL", 22.0)));
    assert_eq!(r.status, 201);
    assert_eq!(r.body, r#"{"codiceEsito": "000", "iu"#);
    assert!(serde_json::from_str::<Value>(&r.body).is_err());
    assert_eq!(pp_count(), 3);

    // html: a 502 page from the proxy, nothing done.
    stub.fault("createDebtPosition", "html", 1);
    let r = stub.send("POST", &pp_base, &pp, Some(&pp_body("F-HTML", 22.0)));
    assert_eq!(r.status, 502);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(r.body.contains("502 Bad Gateway"));
    assert_eq!(pp_count(), 3);

    // reset: the connection closed without an answer, nothing done.
    stub.fault("createDebtPosition", "reset", 1);
    let answer = raw_answer(
        &stub.addr,
        &pp_create_raw(&stub, "F-RST"),
        Duration::from_secs(10),
    );
    assert!(answer.is_none());
    assert_eq!(pp_count(), 3);
    // reset-after: done, then closed without an answer.
    stub.fault("createDebtPosition", "reset-after", 1);
    let answer = raw_answer(
        &stub.addr,
        &pp_create_raw(&stub, "F-RSTA"),
        Duration::from_secs(10),
    );
    assert!(answer.is_none());
    assert_eq!(pp_count(), 4);

    // esito: epayapi's business failure, nothing done.
    stub.fault("createDebtPosition", "esito", 1);
    let r = stub.send("POST", &pp_base, &pp, Some(&pp_body("F-ESITO", 22.0)));
    assert_eq!(r.status, 201);
    assert_eq!(json_of(&r)["codiceEsito"], "100");
    assert_eq!(pp_count(), 4);

    // "*" and times -1: every operation until reset; "carts" names Checkout's POST /carts.
    stub.fault("*", "500", -1);
    for _ in 0..2 {
        assert_eq!(
            stub.send("POST", &pp_base, &pp, Some(&pp_body("F-ALL", 22.0)))
                .status,
            500
        );
        assert_eq!(
            stub.send("GET", &format!("{}/x", gpd_positions()), &key, None)
                .status,
            500
        );
    }
    stub.reset();
    stub.fault("carts", "422", 1);
    let cart = json!({
        "paymentNotices": [{"noticeNumber": "304000000000000001", "fiscalCode": GPD_CF,
                            "amount": 100, "companyName": "ASL", "description": "x"}],
        "returnUrls": {"returnOkUrl": "https://a.it/ok", "returnCancelUrl": "https://a.it/ko",
                       "returnErrorUrl": "https://a.it/err"},
    });
    let r = stub.send(
        "POST",
        &format!("{CHECKOUT_BASE}/carts"),
        &[],
        Some(&cart.to_string()),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    // Unknown fault names are refused, so a typo in a test fails loudly.
    let (status, _) = stub.control(
        "POST",
        "faults",
        Some(json!([{"op": "createDebtPositon", "kind": "500"}])),
    );
    assert_eq!(status, 400);
    assert_eq!(stub.count("createDebtPosition"), 0, "reset forgets counts");
}

#[test]
fn answers_within_a_few_milliseconds() {
    let stub = PaymentsStub::start();
    let auth = PaymentsStub::pp_auth();
    let pp = [("Authorization", auth.as_str())];
    let key = [("Ocp-Apim-Subscription-Key", GPD_KEY)];
    let pp_base = pp_positions();
    let mut client_ms = Vec::new();
    for i in 0..25 {
        let t = Instant::now();
        let r = stub.send(
            "POST",
            &pp_base,
            &pp,
            Some(&pp_body(&format!("L-{i}"), 22.0)),
        );
        client_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let iuv = json_of(&r)["iuv"].as_str().unwrap().to_string();
        let t = Instant::now();
        stub.send("GET", &format!("{pp_base}/{iuv}/status"), &pp, None);
        client_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let iupd = format!("{GPD_CF}-lat-{i}");
        let body = gpd_body(&iupd, &format!("050000000000000{i:02}"), 2200).to_string();
        let t = Instant::now();
        let r = stub.send(
            "POST",
            &format!("{}?toPublish=true", gpd_positions()),
            &key,
            Some(&body),
        );
        client_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(r.status, 201, "{}", r.body);
        let t = Instant::now();
        stub.send("GET", &format!("{}/{iupd}", gpd_positions()), &key, None);
        client_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    stub.assert_no_violations();
    // The bases a portal is configured with, and what the stub said about the spec files.
    assert_eq!(stub.pp_url(), format!("{}/epayapi/api/v1", stub.url));
    assert_eq!(
        stub.gpd_url(),
        format!("{}/gpd/debt-positions-service/v1", stub.url)
    );
    assert_eq!(stub.checkout_url(), format!("{}/checkout/ec/v1", stub.url));
    assert!(
        stub.log().contains("loaded without the spec check"),
        "{}",
        stub.log()
    );
    let mut server_ms: Vec<f64> = stub
        .requests()
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["ms"].as_f64())
        .collect();
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        (v[v.len() / 2], v[v.len() * 9 / 10])
    };
    let (server, server_p90) = median(&mut server_ms);
    let (client, client_p90) = median(&mut client_ms);
    eprintln!(
        "payments stub: {} requests, server side median {server:.2} ms (p90 {server_p90:.2}), \
         client side with a new connection each median {client:.2} ms (p90 {client_p90:.2})",
        server_ms.len()
    );
    // Generous bound: the machine may be busy with other tests.
    assert!(server < 15.0, "median {server:.2} ms");
}

#[test]
fn concurrent_creates_of_one_payment_make_one_position() {
    let stub = PaymentsStub::start();
    let auth = PaymentsStub::pp_auth();
    let iuvs: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..24)
            .map(|_| {
                s.spawn(|| {
                    let h = [("Authorization", auth.as_str())];
                    let r = stub.send("POST", &pp_positions(), &h, Some(&pp_body("ORD-C", 9.9)));
                    assert_eq!(r.status, 201, "{}", r.body);
                    json_of(&r)["iuv"].as_str().unwrap().to_string()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(iuvs.iter().all(|i| *i == iuvs[0]), "{iuvs:?}");
    assert_eq!(stub.count("createDebtPosition"), 24);
    assert_eq!(stub.positions()["piemontepay"].as_array().unwrap().len(), 1);
    stub.assert_no_violations();
}
