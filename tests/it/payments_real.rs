//! The real providers (PiemontePay, pagoPA GPD + Checkout) driven by the real binary against
//! the contract stub (`tests/contract/payments_stub.py`), which checks every request against
//! the providers' OpenAPI files with openapi-core: a patient buys, confirms, pays at the
//! provider's page and gets the order completed with the provider's receipt; the printed
//! notice is the provider's own when it has one; and no request breaks the spec.
//! Faults at each step: `payments_faults.rs`.

use crate::client::Browser;
use crate::orders::{CARTELLA, db, location, order_of, wait_state};
use crate::payments_stub::{
    GPD_CF, GPD_KEY, PP_BASE, PP_ORG, PP_PASS, PP_TYPE, PP_USER, PaymentsStub,
};
use crate::{MARIO, Server};

/// Which provider a test speaks to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    PiemontePay,
    Gpd,
}

/// The portal's settings for `kind` against `stub`: short timeouts, one retry, fast polls.
pub fn env(kind: Kind, stub: &PaymentsStub) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = [
        ("CDS_DEMO_CT_SLICES", "12"),
        ("CDS_PAYMENTS_ENTE_CF", GPD_CF),
        ("CDS_PAYMENTS_POLL_FIRST_SECS", "1"),
        ("CDS_PAYMENTS_POLL_MAX_SECS", "2"),
        ("CDS_PAYMENTS_CONNECTION_TIMEOUT_SECS", "2"),
        ("CDS_PAYMENTS_CONNECTION_RETRIES", "1"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let url = &stub.url;
    let more: Vec<(&str, String)> = match kind {
        Kind::PiemontePay => vec![
            ("CDS_PAYMENTS_PROVIDER", "piemontepay".into()),
            ("CDS_PAYMENTS_PROVIDER_NAME", "Piemonte Pay".into()),
            (
                "CDS_PAYMENTS_PIEMONTEPAY_URL",
                format!("{url}/epayapi/api/v1"),
            ),
            ("CDS_PAYMENTS_PIEMONTEPAY_ORGANIZATION", PP_ORG.into()),
            ("CDS_PAYMENTS_PIEMONTEPAY_PAYMENT_TYPE", PP_TYPE.into()),
            ("CDS_PAYMENTS_PIEMONTEPAY_USERNAME", PP_USER.into()),
            ("CDS_PAYMENTS_PIEMONTEPAY_PASSWORD", PP_PASS.into()),
        ],
        Kind::Gpd => vec![
            ("CDS_PAYMENTS_PROVIDER", "gpd".into()),
            ("CDS_PAYMENTS_PROVIDER_NAME", "pagoPA".into()),
            (
                "CDS_PAYMENTS_GPD_URL",
                format!("{url}/gpd/debt-positions-service/v1"),
            ),
            (
                "CDS_PAYMENTS_GPD_CHECKOUT_URL",
                format!("{url}/checkout/ec/v1"),
            ),
            ("CDS_PAYMENTS_GPD_SUBSCRIPTION_KEY", GPD_KEY.into()),
            (
                "CDS_PAYMENTS_GPD_IBAN",
                "IT60X0542811101000000123456".into(),
            ),
            ("CDS_PAYMENTS_GPD_TAXONOMY", "9/0201133IM/".into()),
            (
                "CDS_HTTP_PUBLIC_URL",
                "https://referti.asl.example.it".into(),
            ),
        ],
    };
    env.extend(more.into_iter().map(|(k, v)| (k.to_string(), v)));
    env
}

pub fn server(kind: Kind, stub: &PaymentsStub, extra: &[(&str, &str)]) -> Server {
    let owned = env(kind, stub);
    let mut all: Vec<(&str, &str)> = owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    all.extend_from_slice(extra);
    Server::demo(&all)
}

impl Kind {
    /// The operationId of "create the debt position" in the provider's spec.
    pub fn create_op(self) -> &'static str {
        match self {
            Kind::PiemontePay => "createDebtPosition",
            Kind::Gpd => "createPosition",
        }
    }
}

/// A draft of the cartella clinica with both consents given: its number.
pub fn draft(b: &mut Browser, s: &Server) -> String {
    draft_of(b, s, CARTELLA)
}

/// A draft of the document `title` with both consents given: its number.
pub fn draft_of(b: &mut Browser, s: &Server, title: &str) -> String {
    let number = order_of(b, s, title);
    let page = format!("/ordini/{number}");
    b.get(&page);
    location(&b.post(
        &format!("{page}/acquista"),
        &[("consenso_privacy", "1"), ("consenso_condizioni", "1")],
    ));
    b.get(&page);
    number
}

/// (state, notice number, iuv, provider_ref, flag, receipt) of an order.
pub type Row = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub fn row(s: &Server, number: &str) -> Row {
    db(s)
        .query_row(
            "SELECT state, notice_number, iuv, provider_ref, flag, receipt FROM orders WHERE number = ?1",
            [number],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .unwrap()
}

pub fn total_cents(s: &Server, number: &str) -> i64 {
    db(s)
        .query_row(
            "SELECT total_cents FROM orders WHERE number = ?1",
            [number],
            |r| r.get(0),
        )
        .unwrap()
}

/// Pays the order's position at the stub, as the patient would at the provider's page.
pub fn pay(kind: Kind, stub: &PaymentsStub, s: &Server, number: &str) {
    let (_, notice, iuv, ..) = row(s, number);
    match kind {
        Kind::PiemontePay => stub.pay_pp(&iuv.unwrap()),
        Kind::Gpd => stub.pay_gpd_nav(&notice.unwrap()),
    };
}

fn journey(kind: Kind) {
    let stub = PaymentsStub::start();
    let s = server(kind, &stub, &[]);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let number = draft(&mut b, &s);
    let page = format!("/ordini/{number}");
    let r = b.post(
        &format!("{page}/conferma"),
        &[("email", "mario.rossi@example.org")],
    );
    assert_eq!(location(&r), page, "{kind:?}");
    let (state, notice, iuv, provider_ref, ..) = row(&s, &number);
    assert_eq!(state, "pending", "{kind:?}");
    let (notice, iuv, provider_ref) = (notice.unwrap(), iuv.unwrap(), provider_ref.unwrap());
    let shown = b.get(&page);
    let ticket = crate::client::element_text(&shown.body, "id=\"ticket\"").unwrap();
    let sent = stub.requests();
    let creates: Vec<&serde_json::Value> = sent
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["op"] == kind.create_op())
        .collect();
    assert_eq!(creates.len(), 1, "{kind:?}: one creation: {sent}");
    let body = &creates[0]["body"];
    let cents = total_cents(&s, &number);
    match kind {
        Kind::PiemontePay => {
            // The intermediary made the IUV and the codice avviso: the portal keeps both
            // and shows its IUV as the ticket, as the ASL's manual does.
            assert!(iuv.starts_with('R') && iuv.len() == 27, "{iuv}");
            assert_eq!(ticket, iuv);
            assert!(shown.body.contains(&notice), "the codice avviso is shown");
            // Euro decimals, our notice as identificativoPagamento, no clinical detail.
            assert_eq!(body["importo"].as_f64().unwrap(), cents as f64 / 100.0);
            assert_eq!(
                body["identificativoPagamento"].as_str(),
                Some(provider_ref.as_str())
            );
            assert_eq!(body["codiceFiscalePartitaIVAPagatore"], MARIO.0);
            assert_eq!(body["causale"], "Download documenti clinici");
        }
        Kind::Gpd => {
            // Our NAV from the IUV sequence; the iupd named after it.
            cds_portal::payments::notice::NoticeNumber::parse(&notice).unwrap();
            assert_eq!(ticket, notice);
            assert_eq!(provider_ref, format!("CDS-{notice}"));
            let option = &body["paymentOption"][0];
            assert_eq!(option["amount"].as_i64(), Some(cents));
            assert_eq!(option["iuv"].as_str(), Some(&notice[1..]));
            assert_eq!(option["transfer"][0]["iban"], "IT60X0542811101000000123456");
            assert_eq!(option["transfer"][0]["category"], "9/0201133IM/");
            assert_eq!(body["iupd"].as_str(), Some(provider_ref.as_str()));
        }
    }

    // The printed notice: PiemontePay's own PDF; for GPD, ours with the pagoPA QR code.
    let pdf = b.get(&format!("{page}/avviso"));
    assert_eq!(pdf.status, 200);
    assert!(pdf.raw_body.starts_with(b"%PDF-"));
    let text = crate::orders::pdftotext(&pdf.raw_body);
    match kind {
        Kind::PiemontePay => {
            // Byte for byte what PiemontePay gives for the position.
            let path = format!(
                "{PP_BASE}/organizations/{PP_ORG}/paymenttypes/{PP_TYPE}/debtpositions/{iuv}/paymentnotice"
            );
            let auth = PaymentsStub::pp_auth();
            let theirs = stub.send("GET", &path, &[("Authorization", &auth)], None);
            let v: serde_json::Value = serde_json::from_str(&theirs.body).unwrap();
            use base64::Engine;
            let pdf_theirs = base64::engine::general_purpose::STANDARD
                .decode(v["paymentnotice"].as_str().unwrap())
                .unwrap();
            assert_eq!(pdf.raw_body, pdf_theirs, "the provider's own notice");
        }
        Kind::Gpd => {
            let grouped = cds_portal::payments::notice::NoticeNumber::parse(&notice)
                .unwrap()
                .grouped();
            assert!(text.contains(&grouped), "ours, with the NAV: {text}");
        }
    }

    // "Procedi": to the provider's page (PiemontePay's URL; GPD's Checkout cart).
    let r = b.post(&format!("{page}/paga"), &[]);
    let to = location(&r);
    assert!(to.starts_with(&stub.url), "{kind:?}: {to}");
    match kind {
        Kind::PiemontePay => assert!(to.contains(&iuv), "{to}"),
        Kind::Gpd => {
            let carts: Vec<serde_json::Value> = stub
                .requests()
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["op"] == "PostCarts")
                .cloned()
                .collect();
            assert_eq!(carts.len(), 1);
            let cart = &carts[0]["body"];
            assert_eq!(cart["paymentNotices"][0]["noticeNumber"], notice.as_str());
            assert_eq!(cart["paymentNotices"][0]["amount"].as_i64(), Some(cents));
            assert_eq!(
                cart["returnUrls"]["returnOkUrl"],
                format!("https://referti.asl.example.it{page}")
            );
        }
    }
    pay(kind, &stub, &s, &number);
    wait_state(&s, &number, "completed");
    let (.., receipt) = row(&s, &number);
    let receipt = receipt.unwrap();
    assert!(
        receipt.starts_with("IUR ") && receipt.contains(" · PSP "),
        "{receipt}"
    );
    let done = b.get(&page);
    assert!(done.body.contains("COMPLETATO"), "{}", done.body);
    stub.assert_no_violations();
    // Nothing of the patient's in the portal's log.
    let log = s.log();
    assert!(
        !log.contains(MARIO.0) && !log.contains("mario.rossi"),
        "{log}"
    );
}

#[test]
fn piemontepay_buy_confirm_pay_and_complete_with_the_receipt() {
    journey(Kind::PiemontePay);
}

#[test]
fn gpd_buy_confirm_pay_through_checkout_and_complete_with_the_receipt() {
    journey(Kind::Gpd);
}
