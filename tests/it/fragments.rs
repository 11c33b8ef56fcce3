//! The fragment contract: every htmx request of the patient's pages answers an element of
//! the kind its swap target is (a row for a row, the section for the section, children a
//! tbody or a div can hold for an inner swap), or `204` when nothing changed, or a
//! redirect/reload; out-of-band parts replace an element of the same kind. The test loads
//! each page, finds the trigger, sends the request htmx would send, checks the answer
//! against the target htmx would pick, applies the swap to its copy of the page and goes
//! on from there: several swaps in a row, in each state of the fragment. A last test
//! collects every htmx URL of every patient page and fails on one no line here fires.

use crate::client::{Browser, Response, enc};
use crate::html::{self, Doc};
use crate::orders::{FAST_PAYMENTS, confirm, doc_id, order_of, sandbox, wait_state};
use crate::{MARIO, Server};
use std::collections::BTreeSet;

/// A page as the browser holds it; swaps are applied to it.
pub struct Page {
    pub url: String,
    pub doc: Doc,
}

/// What a request did to the page.
#[derive(Debug, PartialEq)]
pub enum Swapped {
    /// 204: nothing swapped.
    Nothing,
    /// `HX-Refresh`: the page reloads.
    Refresh,
    /// `HX-Redirect` to this address.
    Redirect(String),
    /// The target (this tag) got the answer.
    Element(String),
}

/// The URL pattern of a trigger: ids (32 hex) as `{id}`, no query.
pub fn pattern(url: &str) -> String {
    let path = url.split('?').next().unwrap_or_default();
    path.split('/')
        .map(|s| {
            if s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
                "{id}"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Elements htmx sends a request from, with their method and URL.
pub fn triggers(doc: &Doc) -> Vec<(usize, &'static str, String)> {
    let mut out = Vec::new();
    for (i, e) in doc.els.iter().enumerate() {
        if let Some(u) = e.attr("hx-get") {
            out.push((i, "GET", u.to_string()));
        }
        if let Some(u) = e.attr("hx-post") {
            out.push((i, "POST", u.to_string()));
        }
    }
    out
}

/// The form fields a submission sends (hidden and typed inputs, checked boxes, selects,
/// text areas), with `fill` overriding or adding values.
fn fields(doc: &Doc, form: usize, fill: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for i in doc.descendants(form) {
        let e = doc.el(i);
        let Some(name) = e.attr("name") else { continue };
        let value = match e.tag.as_str() {
            "input" if matches!(e.attr("type"), Some("checkbox" | "radio")) => {
                if e.attr("checked").is_none() {
                    continue;
                }
                e.attr("value").unwrap_or("on").to_string()
            }
            "input" => e.attr("value").unwrap_or_default().to_string(),
            "textarea" => e.text.clone(),
            "select" => doc
                .descendants(i)
                .into_iter()
                .map(|o| doc.el(o))
                .find(|o| o.attr("selected").is_some())
                .and_then(|o| o.attr("value"))
                .unwrap_or_default()
                .to_string(),
            _ => continue,
        };
        out.push((name.to_string(), value));
    }
    for (k, v) in fill {
        out.retain(|(n, _)| n != k);
        out.push((k.to_string(), v.to_string()));
    }
    out
}

fn encode(fields: &[(String, String)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Whether `child` may stand directly inside `parent` (an inner swap's roots).
fn allowed_child(parent: &str, child: &str) -> bool {
    const TABLE_PARTS: &[&str] = &[
        "tr", "td", "th", "tbody", "thead", "tfoot", "caption", "colgroup",
    ];
    const LIST_PARTS: &[&str] = &["li", "dt", "dd", "option", "optgroup"];
    const BLOCKS: &[&str] = &[
        "div",
        "p",
        "section",
        "article",
        "table",
        "ul",
        "ol",
        "dl",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "footer",
        "nav",
        "main",
        "aside",
        "fieldset",
        "figure",
        "details",
        "dialog",
        "blockquote",
        "pre",
        "hr",
    ];
    match parent {
        "tbody" | "thead" | "tfoot" => child == "tr",
        "tr" => matches!(child, "td" | "th"),
        "table" => matches!(
            child,
            "caption" | "colgroup" | "thead" | "tbody" | "tfoot" | "tr"
        ),
        "ul" | "ol" => child == "li",
        "dl" => matches!(child, "dt" | "dd" | "div"),
        "select" => matches!(child, "option" | "optgroup"),
        "span" | "a" | "button" | "label" | "strong" | "em" | "p" | "h1" | "h2" | "h3" | "h4"
        | "h5" | "h6" => !BLOCKS.contains(&child) && !TABLE_PARTS.contains(&child),
        _ => !TABLE_PARTS.contains(&child) && !LIST_PARTS.contains(&child),
    }
}

impl Page {
    pub fn load(b: &mut Browser, url: &str) -> Page {
        let r = b.get(url);
        assert_eq!(r.status, 200, "GET {url}: {}", r.body);
        Page {
            url: url.to_string(),
            doc: html::parse(&r.body),
        }
    }

    /// The first trigger whose URL contains `part` (and whose element matches `within`,
    /// when given: an element id among its ancestors).
    fn trigger(&self, part: &str, within: Option<&str>) -> (usize, &'static str, String) {
        triggers(&self.doc)
            .into_iter()
            .find(|(i, _, u)| {
                u.contains(part)
                    && within.is_none_or(|id| {
                        self.doc
                            .ancestry(*i)
                            .iter()
                            .any(|&a| self.doc.el(a).attr("id") == Some(id))
                    })
            })
            .unwrap_or_else(|| panic!("{}: no htmx trigger with {part:?} in {within:?}", self.url))
    }

    /// htmx's target for a trigger: `hx-target` (inherited) as `this`, `#id` or
    /// `closest <sel>`; the element itself when there is none. Returns it with the selector.
    fn target(&self, el: usize) -> (usize, String) {
        let sel = self.doc.inherited(el, "hx-target").unwrap_or("this".into());
        let found = if sel == "this" {
            Some(el)
        } else if let Some(id) = sel.strip_prefix('#') {
            self.doc.by_id(id)
        } else if let Some(s) = sel.strip_prefix("closest ") {
            self.doc.closest(el, s)
        } else {
            panic!("{}: hx-target {sel:?} not understood by the test", self.url)
        };
        let t =
            found.unwrap_or_else(|| panic!("{}: hx-target {sel:?} is not on the page", self.url));
        (t, sel)
    }

    /// Sends what htmx sends for the trigger with `part` in its URL, checks the answer
    /// against the target and applies the swap. `fill` sets form fields.
    pub fn fire(
        &mut self,
        b: &mut Browser,
        part: &str,
        within: Option<&str>,
        fill: &[(&str, &str)],
    ) -> (Response, Swapped) {
        let (el, method, mut url) = self.trigger(part, within);
        let form = self.doc.closest(el, "form");
        let mut body = String::new();
        if let Some(f) = form {
            let fs = encode(&fields(&self.doc, f, fill));
            if method == "GET" {
                url = format!("{url}{}{fs}", if url.contains('?') { '&' } else { '?' });
            } else {
                body = fs;
            }
        }
        let token = self
            .doc
            .find_all(|e| e.tag == "meta" && e.attr("name") == Some("csrf-token"))
            .first()
            .and_then(|&m| self.doc.el(m).attr("content"))
            .unwrap_or_default()
            .to_string();
        let headers = [
            ("HX-Request", "true"),
            ("X-CSRF-Token", token.as_str()),
            ("HX-Current-URL", self.url.as_str()),
        ];
        let r = b.send(method, &url, &headers, &body);
        let swapped = self.check_and_swap(el, &url, &r);
        (r, swapped)
    }

    fn check_and_swap(&mut self, el: usize, url: &str, r: &Response) -> Swapped {
        let what = format!("{} → {url} ({})", self.url, r.status);
        if let Some(to) = r.header("hx-redirect") {
            return Swapped::Redirect(to.to_string());
        }
        if r.header("hx-refresh") == Some("true") {
            assert!(
                r.body.is_empty(),
                "{what}: a reload with a body nobody sees"
            );
            return Swapped::Refresh;
        }
        if r.status == 204 {
            assert!(r.body.is_empty(), "{what}: 204 with a body");
            return Swapped::Nothing;
        }
        assert!(r.status < 500, "{what}: {}", r.body);
        let (target, sel, style) = match r.header("hx-retarget") {
            Some(t) => {
                let id = t.strip_prefix('#').expect("HX-Retarget by id");
                let found = self
                    .doc
                    .by_id(id)
                    .unwrap_or_else(|| panic!("{what}: HX-Retarget {t} not on the page"));
                (
                    found,
                    t.to_string(),
                    r.header("hx-reswap").unwrap_or("innerHTML").to_string(),
                )
            }
            None => {
                let (t, sel) = self.target(el);
                let style = self
                    .doc
                    .inherited(el, "hx-swap")
                    .unwrap_or("innerHTML".into());
                (t, sel, style)
            }
        };
        let style = style
            .split_whitespace()
            .next()
            .unwrap_or("innerHTML")
            .to_string();
        let frag = html::parse(&r.body);
        let (oob, main): (Vec<usize>, Vec<usize>) = frag
            .roots
            .iter()
            .partition(|&&i| frag.el(i).attr("hx-swap-oob").is_some());
        let t = self.doc.el(target).clone();
        let mut edits: Vec<((usize, usize), String)> = Vec::new();
        match style.as_str() {
            "outerHTML" => {
                assert!(
                    main.len() == 1 && frag.stray_text().is_empty(),
                    "{what}: an outer swap of <{}> needs exactly one element, got {:?}: {}",
                    t.tag,
                    main.iter().map(|&i| &frag.el(i).tag).collect::<Vec<_>>(),
                    r.body
                );
                let new = frag.el(main[0]);
                assert_eq!(
                    new.tag, t.tag,
                    "{what}: <{}> answered for a <{}> target ({sel}): {}",
                    new.tag, t.tag, r.body
                );
                if let Some(id) = t.attr("id") {
                    assert_eq!(
                        new.attr("id"),
                        Some(id),
                        "{what}: the new element keeps the target's id"
                    );
                }
                if let Some(s) = sel.strip_prefix("closest ") {
                    assert!(new.matches(s), "{what}: the new element is no longer {s:?}");
                }
                if t.tag == "tr" {
                    let cells = |d: &Doc, i: usize| {
                        d.el(i)
                            .children
                            .iter()
                            .filter(|&&c| matches!(d.el(c).tag.as_str(), "td" | "th"))
                            .count()
                    };
                    assert_eq!(
                        cells(&frag, main[0]),
                        cells(&self.doc, target),
                        "{what}: a row with another number of cells"
                    );
                }
                edits.push((t.outer, frag.outer_html(main[0]).to_string()));
            }
            "innerHTML" => {
                for &i in &main {
                    assert!(
                        allowed_child(&t.tag, &frag.el(i).tag),
                        "{what}: <{}> cannot stand inside the target <{}> ({sel}): {}",
                        frag.el(i).tag,
                        t.tag,
                        r.body
                    );
                }
                let inner: String = {
                    let mut s = r.body.clone();
                    for &i in oob.iter().rev() {
                        let (a, b) = frag.el(i).outer;
                        s.replace_range(a..b, "");
                    }
                    s
                };
                edits.push((t.inner, inner));
            }
            other => panic!("{what}: hx-swap {other:?} not understood by the test"),
        }
        for &i in &oob {
            let e = frag.el(i);
            let id = e
                .attr("id")
                .unwrap_or_else(|| panic!("{what}: an out-of-band element without id"));
            let old = self
                .doc
                .by_id(id)
                .unwrap_or_else(|| panic!("{what}: out-of-band #{id} is not on the page"));
            assert_eq!(
                e.tag,
                self.doc.el(old).tag,
                "{what}: out-of-band #{id} changes its kind"
            );
            edits.push((
                self.doc.el(old).outer,
                frag.outer_html(i).replace(" hx-swap-oob=\"true\"", ""),
            ));
        }
        edits.sort_by_key(|((a, _), _)| std::cmp::Reverse(*a));
        let mut source = self.doc.source.clone();
        for ((a, b), s) in edits {
            source.replace_range(a..b, &s);
        }
        self.doc = html::parse(&source);
        Swapped::Element(t.tag)
    }

    /// The rows of the table body that holds `#id`, with their cell counts.
    pub fn rows_around(&self, id: &str) -> Vec<usize> {
        let tr = self
            .doc
            .by_id(id)
            .unwrap_or_else(|| panic!("{}: #{id} is gone", self.url));
        let tbody = self.doc.el(tr).parent.unwrap();
        assert_eq!(self.doc.el(tbody).tag, "tbody", "#{id} is a row of a tbody");
        self.doc
            .children_tagged(tbody, "tr")
            .into_iter()
            .map(|r| self.doc.children_tagged(r, "td").len())
            .collect()
    }

    pub fn text_of(&self, id: &str) -> String {
        self.doc.el(self.doc.by_id(id).unwrap()).text.clone()
    }

    pub fn polls(&self, id: &str) -> bool {
        let e = self.doc.by_id(id).unwrap();
        std::iter::once(e).chain(self.doc.descendants(e)).any(|i| {
            self.doc
                .el(i)
                .attr("hx-trigger")
                .is_some_and(|t| t.starts_with("every"))
        })
    }
}

/// Mario's demo order that waits for its payment.
fn pending_order(s: &Server) -> (String, String) {
    crate::orders::db(s)
        .query_row(
            "SELECT o.number, o.notice_number FROM orders o JOIN patients p ON p.id = o.patient_id
             WHERE p.codice_fiscale = ?1 AND o.state = 'pending' ORDER BY o.id LIMIT 1",
            [MARIO.0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

#[test]
fn order_status_rows_and_page_through_the_payment() {
    let s = Server::demo(FAST_PAYMENTS);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let (number, ticket) = pending_order(&s);
    let row_id = format!("ordine-{number}");
    let status = format!("/ordini/{number}/stato");
    let mut ordini = Page::load(&mut b, "/ordini");
    let mut dashboard = Page::load(&mut b, "/dashboard");
    let mut detail = Page::load(&mut b, &format!("/ordini/{number}?origine=dashboard"));
    let (rows_o, rows_d) = (ordini.rows_around(&row_id), dashboard.rows_around(&row_id));
    assert!(
        rows_o.iter().all(|&n| n == 5) && rows_d.iter().all(|&n| n == 5),
        "{rows_o:?} {rows_d:?}"
    );

    // Pending: three polls each, nothing swapped, the rows whole.
    for _ in 0..3 {
        for p in [&mut ordini, &mut dashboard, &mut detail] {
            let (_, sw) = p.fire(&mut b, &status, None, &[]);
            assert_eq!(sw, Swapped::Nothing, "{}", p.url);
        }
    }
    assert_eq!(ordini.rows_around(&row_id), rows_o);
    assert!(ordini.polls(&row_id) && dashboard.polls(&row_id));

    // Paid on the portal: the rows become COMPLETATO with Download, the page reloads.
    let mut pay = Browser::new(&s.addr);
    pay.login(MARIO.0, MARIO.1);
    sandbox(&mut pay, &ticket, "paga");
    wait_state(&s, &number, "completed");
    for (p, rows, link) in [
        (&mut ordini, &rows_o, format!("/ordini/{number}#documenti")),
        (
            &mut dashboard,
            &rows_d,
            format!("/ordini/{number}?origine=dashboard#documenti"),
        ),
    ] {
        let (_, sw) = p.fire(&mut b, &status, None, &[]);
        assert_eq!(sw, Swapped::Element("tr".into()), "{}", p.url);
        assert_eq!(
            &p.rows_around(&row_id),
            rows,
            "{}: same rows, five cells each",
            p.url
        );
        let row = p.text_of(&row_id);
        assert!(
            row.contains("COMPLETATO") && row.contains("Download"),
            "{row}"
        );
        assert!(!p.polls(&row_id), "{}: the row no longer polls", p.url);
        let tr = p.doc.by_id(&row_id).unwrap();
        assert!(
            p.doc
                .descendants(tr)
                .iter()
                .any(|&i| p.doc.el(i).attr("href") == Some(link.as_str())),
            "{}: {link}",
            p.url
        );
    }
    let (_, sw) = detail.fire(&mut b, &status, None, &[]);
    assert_eq!(sw, Swapped::Refresh);
    let again = Page::load(&mut b, &detail.url.clone());
    assert!(
        again
            .doc
            .find_all(|e| e.attr("hx-get").is_some())
            .is_empty(),
        "a paid order's page polls nothing"
    );
    let back = again
        .doc
        .find_all(|e| e.tag == "a" && e.text.starts_with("← Indietro"));
    assert_eq!(
        again.doc.el(back[0]).attr("href"),
        Some("/dashboard"),
        "Indietro leads back to the Dashboard"
    );

    // The bought documents on the order's page are Documenti Interscambiati's rows.
    let mut again = again;
    let rows = again
        .doc
        .find_all(|e| e.tag == "tr" && e.attr("id").is_some_and(|i| i.starts_with("doc-")));
    assert!(!rows.is_empty(), "the paid order lists its documents");
    let (_, sw) = again.fire(&mut b, "/recupera", Some("documenti"), &[]);
    assert_eq!(sw, Swapped::Element("tr".into()));
}

#[test]
fn document_rows_recover_poll_hide_and_show() {
    let s = Server::demo(&[("CDS_DEMO_CT_SLICES", "12")]);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let mut p = Page::load(&mut b, "/documenti-interscambiati");
    let ct = doc_id(&s, "TC torace senza mdc");
    let row = format!("doc-{ct}");
    let base = format!("/documenti-interscambiati/{ct}");
    let rows = p.rows_around(&row);

    // Recupera: the row itself, polling while the job runs, until Disponibile.
    let (_, sw) = p.fire(&mut b, &format!("{base}/recupera"), None, &[]);
    assert_eq!(sw, Swapped::Element("tr".into()));
    let mut polls = 0;
    while p.polls(&row) {
        std::thread::sleep(std::time::Duration::from_millis(200));
        let (_, sw) = p.fire(&mut b, &format!("{base}/riga"), None, &[]);
        assert_eq!(sw, Swapped::Element("tr".into()));
        assert_eq!(p.rows_around(&row), rows);
        polls += 1;
        assert!(polls < 300, "still recovering after 60 s");
    }
    assert!(
        p.text_of(&row).contains("Disponibile"),
        "{}",
        p.text_of(&row)
    );
    let auto = p.doc.find_all(|e| e.attr("data-auto-download").is_some());
    assert_eq!(auto.len(), 1, "the row started here downloads by itself");

    // Nascondi, then with "Mostra anche…" Mostra di nuovo: rows in place.
    let (_, sw) = p.fire(&mut b, &format!("{base}/nascondi"), None, &[]);
    assert_eq!(sw, Swapped::Element("tr".into()));
    assert!(p.text_of(&row).contains("Nascosto"));
    let (_, sw) = p.fire(&mut b, &format!("{base}/mostra"), None, &[]);
    assert_eq!(sw, Swapped::Element("tr".into()));
    assert!(!p.text_of(&row).contains("Nascosto"));
    assert_eq!(p.rows_around(&row), rows);

    // The same document on a later visit: Disponibile, nothing downloads by itself.
    let later = Page::load(&mut b, "/documenti-interscambiati");
    assert!(later.text_of(&row).contains("Disponibile"));
    assert!(
        later
            .doc
            .find_all(|e| e.attr("data-auto-download").is_some())
            .is_empty()
    );

    // The filter: results into #risultati, twice; a wrong date: an alert in the same place.
    let today = crate::documents::today();
    let from = today
        .checked_sub(jiff::ToSpan::days(10))
        .unwrap()
        .to_string();
    let (r, sw) = p.fire(
        &mut b,
        "/documenti-interscambiati",
        Some("filtri"),
        &[("da", &from), ("categoria", "Referto")],
    );
    assert_eq!((r.status, sw), (200, Swapped::Element("div".into())));
    let (r, sw) = p.fire(
        &mut b,
        "/documenti-interscambiati",
        Some("filtri"),
        &[("da", "31/02/2026")],
    );
    assert_eq!((r.status, sw), (422, Swapped::Element("div".into())));
    assert!(
        p.text_of("risultati").contains("data"),
        "{}",
        p.text_of("risultati")
    );
}

#[test]
fn catalogue_cart_and_support() {
    let s = Server::demo(FAST_PAYMENTS);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let cartella = doc_id(&s, crate::orders::CARTELLA);
    let mut p = Page::load(&mut b, "/documenti");

    // The preview into the dialog, twice; the category filter into #risultati.
    for _ in 0..2 {
        let (_, sw) = p.fire(
            &mut b,
            &format!("/documenti/{cartella}/anteprima"),
            None,
            &[],
        );
        assert_eq!(sw, Swapped::Element("dialog".into()));
        assert!(p.text_of("anteprima").contains("Medicina Interna"));
    }
    let (_, sw) = p.fire(
        &mut b,
        "/documenti",
        Some("filtri"),
        &[("categoria", "Cartella clinica")],
    );
    assert_eq!(sw, Swapped::Element("div".into()));
    let (r, sw) = p.fire(
        &mut b,
        "/documenti",
        Some("filtri"),
        &[("categoria", "Nessuna")],
    );
    assert_eq!((r.status, sw), (422, Swapped::Element("div".into())));

    // "Aggiungi Carrello": the slot and, out of band, the header's count.
    let slot = format!("carrello-{cartella}");
    let (_, sw) = p.fire(&mut b, "/carrello/aggiungi", Some(&slot), &[]);
    assert_eq!(sw, Swapped::Element("div".into()));
    assert!(
        p.text_of(&slot).contains("Nel carrello"),
        "{}",
        p.text_of(&slot)
    );
    assert_eq!(p.text_of("cart-count").trim(), "1");

    // Carrello: Rimuovi answers the section (empty now) with the count out of band.
    let mut c = Page::load(&mut b, "/carrello");
    let (_, sw) = c.fire(&mut b, &format!("/carrello/{cartella}/rimuovi"), None, &[]);
    assert_eq!(sw, Swapped::Element("section".into()));
    assert!(c.text_of("carrello").contains("Il carrello è vuoto"));
    assert_eq!(c.text_of("cart-count").trim(), "0");

    // Two documents in, one out, then Procedi all'ordine: a whole-page redirect.
    let mut p = Page::load(&mut b, "/documenti");
    let other = doc_id(&s, "Cartella clinica – ricovero in Chirurgia Generale");
    for id in [&cartella, &other] {
        let (_, sw) = p.fire(
            &mut b,
            "/carrello/aggiungi",
            Some(&format!("carrello-{id}")),
            &[],
        );
        assert_eq!(sw, Swapped::Element("div".into()));
    }
    assert_eq!(p.text_of("cart-count").trim(), "2");
    let mut c = Page::load(&mut b, "/carrello");
    let (_, sw) = c.fire(&mut b, &format!("/carrello/{other}/rimuovi"), None, &[]);
    assert_eq!(sw, Swapped::Element("section".into()));
    assert_eq!(c.text_of("cart-count").trim(), "1");
    let (_, sw) = c.fire(&mut b, "/carrello/ordina", None, &[]);
    let number = match sw {
        Swapped::Redirect(to) => to.strip_prefix("/ordini/").unwrap().to_string(),
        other => panic!("Procedi all'ordine: {other:?}"),
    };

    // Assistenza about that order: the form's answer fills #assistenza, twice.
    let mut a = Page::load(&mut b, &format!("/assistenza?ordine={number}"));
    let (r, sw) = a.fire(
        &mut b,
        "/assistenza",
        Some("assistenza"),
        &[("oggetto", "")],
    );
    assert_eq!((r.status, sw), (422, Swapped::Element("div".into())));
    let fill = [
        ("tipo", "assistenza"),
        ("oggetto", "Avviso"),
        ("messaggio", "Non riesco a pagare."),
    ];
    let (r, sw) = a.fire(&mut b, "/assistenza", Some("assistenza"), &fill);
    assert_eq!((r.status, sw), (200, Swapped::Element("div".into())));
    assert!(a.text_of("richieste").contains("Non riesco a pagare."));
}

#[test]
fn an_error_answer_is_an_alert_in_alerts() {
    let s = Server::demo(FAST_PAYMENTS);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let cartella = doc_id(&s, crate::orders::CARTELLA);
    let mut p = Page::load(&mut b, "/documenti");
    // Ordered meanwhile in another tab: this page's "Aggiungi Carrello" is refused (409).
    let number = order_of(&mut b, &s, crate::orders::CARTELLA);
    confirm(&mut b, &number);
    let (r, sw) = p.fire(
        &mut b,
        "/carrello/aggiungi",
        Some(&format!("carrello-{cartella}")),
        &[],
    );
    assert_eq!((r.status, sw), (409, Swapped::Element("div".into())));
    assert!(
        p.text_of("alerts").contains("ordine"),
        "{}",
        p.text_of("alerts")
    );
}

/// Every htmx request pattern of the patient's pages, with the test above that fires it.
const COVERED: &[(&str, &str)] = &[
    (
        "GET /ordini/{id}/stato",
        "order_status_rows_and_page_through_the_payment",
    ),
    (
        "POST /documenti-interscambiati/{id}/recupera",
        "document_rows_recover_poll_hide_and_show (+ the order page)",
    ),
    (
        "GET /documenti-interscambiati/{id}/riga",
        "document_rows_recover_poll_hide_and_show",
    ),
    (
        "POST /documenti-interscambiati/{id}/nascondi",
        "document_rows_recover_poll_hide_and_show",
    ),
    (
        "POST /documenti-interscambiati/{id}/mostra",
        "document_rows_recover_poll_hide_and_show",
    ),
    (
        "GET /documenti-interscambiati",
        "document_rows_recover_poll_hide_and_show (filter)",
    ),
    ("GET /documenti", "catalogue_cart_and_support (filter)"),
    (
        "GET /documenti/{id}/anteprima",
        "catalogue_cart_and_support",
    ),
    (
        "POST /carrello/aggiungi",
        "catalogue_cart_and_support, an_error_answer_is_an_alert_in_alerts",
    ),
    ("POST /carrello/{id}/rimuovi", "catalogue_cart_and_support"),
    ("POST /carrello/ordina", "catalogue_cart_and_support"),
    ("POST /assistenza", "catalogue_cart_and_support"),
];

#[test]
fn every_htmx_request_on_the_patients_pages_has_a_line_here() {
    let s = Server::demo(FAST_PAYMENTS);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    // A recovery under way (its row polls) and a document in the cart.
    let ct = doc_id(&s, "TC torace senza mdc");
    b.get("/documenti-interscambiati");
    b.post(&format!("/documenti-interscambiati/{ct}/recupera"), &[]);
    b.get("/documenti");
    b.post(
        "/carrello/aggiungi",
        &[("documento", &doc_id(&s, crate::orders::CARTELLA))],
    );
    let orders: Vec<String> = crate::orders::db(&s)
        .prepare("SELECT number FROM orders")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let year_ago = crate::documents::today()
        .checked_sub(jiff::ToSpan::days(365))
        .unwrap();
    let mut pages: Vec<String> = crate::SECTIONS.iter().map(|p| p.to_string()).collect();
    pages.push(format!(
        "/documenti-interscambiati?da={year_ago}&a={}&nascosti=1",
        crate::documents::today()
    ));
    pages.extend(orders.iter().map(|n| format!("/ordini/{n}")));
    pages.push("/manuale".into());
    let mut seen = BTreeSet::new();
    for url in &pages {
        let p = Page::load(&mut b, url);
        for (_, method, u) in triggers(&p.doc) {
            seen.insert((format!("{method} {}", pattern(&u)), url.clone()));
        }
    }
    let covered: BTreeSet<&str> = COVERED.iter().map(|(p, _)| *p).collect();
    let missing: Vec<_> = seen
        .iter()
        .filter(|(p, _)| !covered.contains(p.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "htmx requests without a fragment test line: {missing:?}"
    );
    assert!(seen.len() >= 8, "the pages were read: {seen:?}");
}
