//! Every view of orders, the cart and Assistenza rendered in English, in every state and
//! with every message: no Italian message of their catalogues is left outside an element
//! marked `lang="it"` (data: titles, categories, the configuration's texts, replies).

use super::state::State;
use super::store::{Item, Order};
use super::{cart_views, views};
use crate::i18n::{Lang, Msg};
use crate::support::store::{Author, Kind, Reply, Request, State as RequestState};
use crate::support::{Draft, Errors, views as support_views};

/// What a person reads or hears: text nodes, and the attributes shown or read aloud,
/// outside the elements marked `lang="it"` (and outside scripts).
pub(crate) fn outside_italian(html: &str) -> String {
    const READ: &[&str] = &[
        "aria-label",
        "title",
        "alt",
        "placeholder",
        "data-label",
        "data-confirm",
        "data-copied",
        "value",
    ];
    let mut out = String::new();
    let mut italian: Option<(String, usize)> = None;
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        if italian.is_none() {
            out.push_str(&rest[..lt]);
            out.push('\n');
        }
        let after = &rest[lt + 1..];
        let gt = after.find('>').unwrap_or(after.len());
        let tag = &after[..gt];
        rest = after.get(gt + 1..).unwrap_or("");
        if tag.starts_with('!') {
            continue;
        }
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let void = matches!(
            name.as_str(),
            "br" | "input" | "meta" | "link" | "img" | "hr"
        ) || tag.ends_with('/');
        if let Some((open, depth)) = &mut italian {
            if name == *open && !void {
                if closing {
                    *depth -= 1;
                } else {
                    *depth += 1;
                }
                if *depth == 0 {
                    italian = None;
                }
            }
            continue;
        }
        if closing {
            continue;
        }
        if name == "script" || name == "style" {
            let end = format!("</{name}");
            rest = rest.find(&end).map(|i| &rest[i..]).unwrap_or("");
            continue;
        }
        if tag.contains("lang=\"it\"") && !void && name != "html" {
            italian = Some((name, 1));
            continue;
        }
        let button = name == "button"
            || (name == "input"
                && (tag.contains("type=\"submit\"") || tag.contains("type=\"button\"")));
        for attr in READ {
            if *attr == "value" && !button {
                continue;
            }
            let marker = format!(" {attr}=\"");
            if let Some(i) = tag.find(&marker) {
                let v = &tag[i + marker.len()..];
                out.push_str(v.split('"').next().unwrap_or(""));
                out.push('\n');
            }
        }
    }
    if italian.is_none() {
        out.push_str(rest);
    }
    out.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The Italian of the catalogues' messages (each part around its `{}`, four characters or
/// more, and not also part of the English) that a page shows outside `lang="it"`.
pub(crate) fn italian_left(html: &str, catalogues: &[&[(&str, Msg)]]) -> Vec<String> {
    let shown = outside_italian(html);
    let mut left = Vec::new();
    for (name, m) in catalogues.iter().flat_map(|c| c.iter()) {
        if m.it == m.en {
            continue;
        }
        for part in m.it.split("{}").map(str::trim) {
            if part.chars().count() >= 4 && !m.en.contains(part) && shown.contains(part) {
                left.push(format!("{name}: {part:?}"));
            }
        }
    }
    left
}

const CATALOGUES: &[&[(&str, Msg)]] = &[
    super::text::ALL,
    crate::support::text::ALL,
    crate::payments::text::ALL,
];

fn assert_english(what: &str, html: &str) {
    let left = italian_left(html, CATALOGUES);
    assert!(left.is_empty(), "{what}: Italian left: {left:?}\n{html}");
}

fn order(state: State) -> Order {
    Order {
        id: 1,
        number: "0123456789abcdef0123456789abcdef".into(),
        state,
        total_cents: 2200,
        vat_cents: 397,
        causale: "Download documenti clinici".into(),
        provider_name: "Piemonte Pay".into(),
        payee: "ASL Demo – Azienda Sanitaria Locale".into(),
        created_at: 1_784_116_800,
        consents_at: Some(1_784_116_800),
        payer_email: Some("mario.rossi@example.org".into()),
        notice_number: Some("301000000000000017".into()),
        iuv: None,
        due_at: Some(1_784_116_800),
        paid_at: (state == State::Completed).then_some(1_784_116_900),
        receipt: (state == State::Completed).then(|| "IUR 1 · PSP Sandbox".into()),
        flag: None,
    }
}

const STATES: [State; 6] = [
    State::Draft,
    State::Pending,
    State::Completed,
    State::Failed,
    State::Cancelled,
    State::Expired,
];

#[test]
fn orders_views_in_every_state() {
    let l = Lang::En;
    let item = Item {
        public_id: "0123456789abcdef0123456789abcdef".into(),
        title: "Cartella clinica – ricovero in Medicina Interna".into(),
        category: "Cartella clinica".into(),
        price_cents: 2200,
        vat_pct: 22,
    };
    let all: Vec<Order> = STATES.iter().map(|s| order(*s)).collect();
    for o in &all {
        let mut page = String::new();
        page += &views::details(l, o).into_string();
        page += &views::items(l, std::slice::from_ref(&item), o).into_string();
        for (flagged, kiosk) in [(false, false), (true, true)] {
            page += &views::next_steps(l, o, "t", flagged, kiosk).into_string();
        }
        for view in [
            views::View::Detail,
            views::View::Row(views::Origin::Orders),
            views::View::Row(views::Origin::Dashboard),
        ] {
            page += &views::status(l, &o.number, o.state, view).into_string();
        }
        page += &views::row(l, o, views::Origin::Dashboard).into_string();
        assert_english(&format!("{:?}", o.state), &page);
        assert!(
            page.contains(l.t(o.state.msg())) && page.contains("€22.00"),
            "{page}"
        );
    }
    let mut page = views::table(l, &all, "All orders", views::Origin::Orders).into_string();
    page += &views::table(l, &[], "All orders", views::Origin::Orders).into_string();
    let o = order(State::Draft);
    page += &views::consents_form(
        l,
        &o,
        "t",
        "Dichiaro di aver letto l'informativa",
        "Accetto le condizioni di vendita",
        Some(l.t(super::text::CONSENTS_REQUIRED)),
    )
    .into_string();
    page +=
        &views::payer_form(l, &o, "t", "x", Some(l.t(super::text::EMAIL_INVALID))).into_string();
    assert_english("lists and forms", &page);
    assert!(page.contains("<span lang=\"it\">Dichiaro di aver letto"));
    assert!(page.contains("Ticket ID") || !page.contains("ticket"));
}

#[test]
fn the_cart_in_english() {
    let l = Lang::En;
    let item = |flagged| super::cart_store::Item {
        document_id: 1,
        public_id: "0123456789abcdef0123456789abcdef".into(),
        title: "Cartella clinica".into(),
        category: "Cartella clinica".into(),
        price_cents: 2200,
        flagged,
    };
    let mut page = String::new();
    for items in [vec![], vec![item(false)], vec![item(false), item(true)]] {
        for code in ["aggiunto", "gia", "rimosso"] {
            let m = cart_views::outcome(code).map(|m| l.t(m));
            page += &cart_views::section(l, &items, "t", 22, m).into_string();
        }
    }
    assert_english("cart", &page);
    assert!(page.contains("€22.00 VAT 22%") && page.contains("Your cart is empty."));
}

#[test]
fn support_in_english() {
    let l = Lang::En;
    let request = |kind, state, author| Request {
        id: 1,
        public_id: "0123456789abcdef0123456789abcdef".into(),
        kind,
        order_number: Some("0123456789abcdef0123456789abcdef".into()),
        document_title: Some("Referto TC torace".into()),
        period: "marzo 2026".into(),
        subject: "PIN".into(),
        message: "Help".into(),
        state,
        created_at: 1_784_116_800,
        replies: vec![Reply {
            author,
            body: "Abbiamo verificato il numero: riprova ora.".into(),
            at: 1_784_116_900,
        }],
    };
    let requests = vec![
        request(Kind::Assistance, RequestState::Open, Author::Patient),
        request(Kind::Availability, RequestState::Answered, Author::Operator),
        request(Kind::Assistance, RequestState::Closed, Author::Operator),
    ];
    let draft = Draft::default();
    let errors = crate::support::validate(&Draft {
        kind: "altro".into(),
        period: "p".repeat(300),
        ..Draft::default()
    })
    .unwrap_err();
    let mut page = support_views::intro(l).into_string();
    for (errors, alert) in [
        (&errors, Some(("danger", crate::support::text::NOT_SENT))),
        (
            &Errors::default(),
            Some(("success", crate::support::text::SENT)),
        ),
    ] {
        let form = support_views::FormView {
            draft: &draft,
            errors,
            order: Some("0123456789abcdef0123456789abcdef"),
            document: Some("Referto TC torace"),
            csrf: "t",
        };
        page += &support_views::content(l, alert, &form, &requests).into_string();
        page += &support_views::content(l, None, &form, &[]).into_string();
    }
    assert_english("support", &page);
    assert!(page.contains("<p lang=\"it\">Abbiamo verificato"), "{page}");
    assert!(page.contains("REPLY RECEIVED") && page.contains("Request for availability"));
}

#[test]
fn the_check_finds_italian_outside_lang_it_only() {
    let html = "<p>Ordine non trovato.</p><td data-label=\"Numero ordine\">x</td>";
    assert_eq!(italian_left(html, CATALOGUES).len(), 2);
    let data = "<p lang=\"it\">Ordine non trovato. <b>Numero ordine</b></p><p>Order not found.</p>";
    assert!(italian_left(data, CATALOGUES).is_empty());
}
