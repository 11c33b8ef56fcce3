//! The back office under `/operatore`: the ASL's own people. Operators log in with username,
//! password and (when an administrator requires it) a TOTP code; their session has its own
//! cookie and shorter timeouts and is never mixed with a patient's. Each route names the
//! least role that may use it (`Route::role`): one table, checked before any handler runs,
//! and the same table the route × role test walks.

pub mod audit_pages;
pub mod auth;
pub mod cli;
pub mod documents;
pub mod operators;
pub mod orders;
mod orders_store;
mod orders_views;
pub mod patient_form;
pub mod patient_import;
pub mod patients;
pub mod prices;
pub mod profile;
pub mod publish;
pub mod reconciliations;
pub mod requests;
mod requests_store;
mod requests_views;
mod spreadsheet;
pub mod store;
pub mod tokens;
pub mod totp;
pub mod views;

use crate::app::App;
use crate::error::{AppError, Kind};
use crate::http::req::Ctx;
use crate::http::resp::{self, Resp};
use crate::public_id::PublicId;
use hyper::Method;

pub const HOME: &str = "/operatore";
pub const LOGIN: &str = "/operatore/accedi";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Operatore,
    Amministratore,
}

impl Role {
    pub fn as_db(self) -> &'static str {
        match self {
            Role::Operatore => "operatore",
            Role::Amministratore => "amministratore",
        }
    }

    /// From the database (its CHECK allows only the two words).
    pub fn from_db(s: &str) -> Role {
        if s == "amministratore" {
            Role::Amministratore
        } else {
            Role::Operatore
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s.trim() {
            "operatore" => Some(Role::Operatore),
            "amministratore" => Some(Role::Amministratore),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Operatore => "Operatore",
            Role::Amministratore => "Amministratore",
        }
    }
}

/// Who may reach a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The login pages.
    Anyone,
    /// Logged in, second factor given.
    Role(Role),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Home,
    Login,
    /// `/operatore/accedi/codice`: the TOTP code, or its enrolment when required.
    LoginCode,
    Logout,
    Profile,
    Audit,
    AuditCsv,
    Patients,
    PatientNew,
    PatientImport,
    Patient(i64),
    PatientPin(i64),
    PatientPublish(i64),
    Document(PublicId),
    DocumentFile(PublicId),
    DocumentWithdraw(PublicId),
    Prices,
    Operators,
    Operator(i64),
    Tokens,
    TokenRevoke(i64),
    /// The requests inbox: assistance and availability requests of every patient.
    Requests,
    /// One request with its thread; POST replies and/or closes it.
    Request(PublicId),
    Orders,
    OrdersCsv,
    /// One order by its number: items, positions, receipt, events.
    Order(PublicId),
    /// "Ricontrolla pagamento": asks the provider now.
    OrderRecheck(PublicId),
    /// A flagged order handled: "Rimborso effettuato" and/or a "Nota".
    OrderFlag(PublicId),
    /// The runs of the reconciliation with the payment provider.
    Reconciliations,
    /// One run with its report.
    Reconciliation(i64),
    /// "Riconcilia ora".
    ReconcileNow,
    /// This browser marked (or unmarked) as a kiosk (`kiosk::pages`).
    Kiosk,
    NotFound,
}

fn id(s: &str) -> Option<i64> {
    (!s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
        .filter(|n| *n > 0)
}

impl Route {
    /// The part of the path after `/operatore` ("" or "/…").
    pub fn decode(rest: &str) -> Route {
        let rest = rest.trim_end_matches('/');
        let parts: Vec<&str> = rest.split('/').skip(1).collect();
        let public = PublicId::parse;
        match parts.as_slice() {
            [] => Route::Home,
            ["accedi"] => Route::Login,
            ["accedi", "codice"] => Route::LoginCode,
            ["esci"] => Route::Logout,
            ["profilo"] => Route::Profile,
            ["registro"] => Route::Audit,
            ["registro.csv"] => Route::AuditCsv,
            ["pazienti"] => Route::Patients,
            ["pazienti", "nuovo"] => Route::PatientNew,
            ["pazienti", "importa"] => Route::PatientImport,
            ["pazienti", n] => id(n).map_or(Route::NotFound, Route::Patient),
            ["pazienti", n, "pin"] => id(n).map_or(Route::NotFound, Route::PatientPin),
            ["pazienti", n, "pubblica"] => id(n).map_or(Route::NotFound, Route::PatientPublish),
            ["documenti", d] => public(d).map_or(Route::NotFound, Route::Document),
            ["documenti", d, "file"] => public(d).map_or(Route::NotFound, Route::DocumentFile),
            ["documenti", d, "ritira"] => {
                public(d).map_or(Route::NotFound, Route::DocumentWithdraw)
            }
            ["listino"] => Route::Prices,
            ["operatori"] => Route::Operators,
            ["operatori", n] => id(n).map_or(Route::NotFound, Route::Operator),
            ["token"] => Route::Tokens,
            ["token", n, "revoca"] => id(n).map_or(Route::NotFound, Route::TokenRevoke),
            ["richieste"] => Route::Requests,
            ["richieste", p] => PublicId::parse(p).map_or(Route::NotFound, Route::Request),
            ["ordini"] => Route::Orders,
            ["ordini.csv"] => Route::OrdersCsv,
            ["ordini", p] => PublicId::parse(p).map_or(Route::NotFound, Route::Order),
            ["ordini", p, "ricontrolla"] => {
                PublicId::parse(p).map_or(Route::NotFound, Route::OrderRecheck)
            }
            ["ordini", p, "segnalazione"] => {
                PublicId::parse(p).map_or(Route::NotFound, Route::OrderFlag)
            }
            ["riconciliazioni"] => Route::Reconciliations,
            ["riconciliazioni", "avvia"] => Route::ReconcileNow,
            ["riconciliazioni", n] => id(n).map_or(Route::NotFound, Route::Reconciliation),
            ["chiosco"] => Route::Kiosk,
            _ => Route::NotFound,
        }
    }

    /// The least role allowed (the route × role test reads this table too).
    pub fn access(&self) -> Access {
        use Route::*;
        match self {
            Login | LoginCode | NotFound => Access::Anyone,
            Operators | Operator(_) | Tokens | TokenRevoke(_) | AuditCsv | Prices
            | ReconcileNow => Access::Role(Role::Amministratore),
            _ => Access::Role(Role::Operatore),
        }
    }

    /// POST routes whose body is a multipart upload, read as a stream by the handler
    /// (the CSRF token is its first field).
    pub fn streams_body(&self, method: &Method) -> bool {
        method == Method::POST && matches!(self, Route::PatientImport | Route::PatientPublish(_))
    }

    /// The login form is shown before any session exists: its CSRF token is the signed
    /// anonymous one.
    pub fn anonymous_form(&self) -> bool {
        matches!(self, Route::Login)
    }

    /// The route's pattern in `ROUTES` (see `http::router::Route::pattern`).
    pub fn pattern(&self) -> &'static str {
        use Route::*;
        match self {
            Home => "/operatore",
            Login => "/operatore/accedi",
            LoginCode => "/operatore/accedi/codice",
            Logout => "/operatore/esci",
            Profile => "/operatore/profilo",
            Audit => "/operatore/registro",
            AuditCsv => "/operatore/registro.csv",
            Patients => "/operatore/pazienti",
            PatientNew => "/operatore/pazienti/nuovo",
            PatientImport => "/operatore/pazienti/importa",
            Patient(_) => "/operatore/pazienti/{paziente}",
            PatientPin(_) => "/operatore/pazienti/{paziente}/pin",
            PatientPublish(_) => "/operatore/pazienti/{paziente}/pubblica",
            Document(_) => "/operatore/documenti/{documento}",
            DocumentFile(_) => "/operatore/documenti/{documento}/file",
            DocumentWithdraw(_) => "/operatore/documenti/{documento}/ritira",
            Prices => "/operatore/listino",
            Operators => "/operatore/operatori",
            Operator(_) => "/operatore/operatori/{operatore}",
            Tokens => "/operatore/token",
            TokenRevoke(_) => "/operatore/token/{token}/revoca",
            Requests => "/operatore/richieste",
            Request(_) => "/operatore/richieste/{richiesta}",
            Orders => "/operatore/ordini",
            OrdersCsv => "/operatore/ordini.csv",
            Order(_) => "/operatore/ordini/{ordine}",
            OrderRecheck(_) => "/operatore/ordini/{ordine}/ricontrolla",
            OrderFlag(_) => "/operatore/ordini/{ordine}/segnalazione",
            Reconciliations => "/operatore/riconciliazioni",
            Reconciliation(_) => "/operatore/riconciliazioni/{riconciliazione}",
            ReconcileNow => "/operatore/riconciliazioni/avvia",
            Kiosk => "/operatore/chiosco",
            NotFound => crate::http::routes::NOT_A_ROUTE,
        }
    }

    /// Label for metrics: bounded, never holds a path parameter.
    pub fn name(&self) -> &'static str {
        use Route::*;
        match self {
            Home => "op_home",
            Login => "op_login",
            LoginCode => "op_login_code",
            Logout => "op_logout",
            Profile => "op_profile",
            Audit => "op_audit",
            AuditCsv => "op_audit_csv",
            Patients => "op_patients",
            PatientNew => "op_patient_new",
            PatientImport => "op_patient_import",
            Patient(_) => "op_patient",
            PatientPin(_) => "op_patient_pin",
            PatientPublish(_) => "op_patient_publish",
            Document(_) => "op_document",
            DocumentFile(_) => "op_document_file",
            DocumentWithdraw(_) => "op_document_withdraw",
            Prices => "op_prices",
            Operators => "op_operators",
            Operator(_) => "op_operator",
            Tokens => "op_tokens",
            TokenRevoke(_) => "op_token_revoke",
            Requests => "op_requests",
            Request(_) => "op_request",
            Orders => "op_orders",
            OrdersCsv => "op_orders_csv",
            Order(_) => "op_order",
            OrderRecheck(_) => "op_order_recheck",
            OrderFlag(_) => "op_order_flag",
            Reconciliations => "op_reconciliations",
            Reconciliation(_) => "op_reconciliation",
            ReconcileNow => "op_reconcile_now",
            Kiosk => "op_kiosk",
            NotFound => "op_not_found",
        }
    }
}

/// The back office's routes and their methods (`http::routes::routes`).
pub const ROUTES: &[(&str, &[&str])] = &[
    ("/operatore", &["GET"]),
    ("/operatore/accedi", &["GET", "POST"]),
    ("/operatore/accedi/codice", &["GET", "POST"]),
    ("/operatore/esci", &["POST"]),
    ("/operatore/profilo", &["GET", "POST"]),
    ("/operatore/registro", &["GET"]),
    ("/operatore/registro.csv", &["GET"]),
    ("/operatore/pazienti", &["GET", "POST"]),
    ("/operatore/pazienti/nuovo", &["GET", "POST"]),
    ("/operatore/pazienti/importa", &["GET", "POST"]),
    ("/operatore/pazienti/{paziente}", &["GET", "POST"]),
    ("/operatore/pazienti/{paziente}/pin", &["POST"]),
    ("/operatore/pazienti/{paziente}/pubblica", &["GET", "POST"]),
    ("/operatore/documenti/{documento}", &["GET"]),
    ("/operatore/documenti/{documento}/file", &["GET"]),
    ("/operatore/documenti/{documento}/ritira", &["POST"]),
    ("/operatore/listino", &["GET", "POST"]),
    ("/operatore/operatori", &["GET", "POST"]),
    ("/operatore/operatori/{operatore}", &["GET", "POST"]),
    ("/operatore/token", &["GET", "POST"]),
    ("/operatore/token/{token}/revoca", &["POST"]),
    ("/operatore/richieste", &["GET"]),
    ("/operatore/richieste/{richiesta}", &["GET", "POST"]),
    ("/operatore/ordini", &["GET"]),
    ("/operatore/ordini.csv", &["GET"]),
    ("/operatore/ordini/{ordine}", &["GET"]),
    ("/operatore/ordini/{ordine}/ricontrolla", &["POST"]),
    ("/operatore/ordini/{ordine}/segnalazione", &["POST"]),
    ("/operatore/riconciliazioni", &["GET"]),
    ("/operatore/riconciliazioni/avvia", &["POST"]),
    ("/operatore/riconciliazioni/{riconciliazione}", &["GET"]),
    ("/operatore/chiosco", &["GET", "POST"]),
];

const GET: &str = "GET, HEAD";
const GET_POST: &str = "GET, HEAD, POST";
const POST: &str = "POST";

/// Checks the route's access, then dispatches.
pub async fn dispatch(app: &App, route: &Route, ctx: &mut Ctx) -> Result<Resp, AppError> {
    if let Access::Role(least) = route.access() {
        let Some(s) = &ctx.operator else {
            return Err(AppError::new(
                Kind::Unauthenticated,
                "Accedi per continuare.",
            ));
        };
        if !s.verified {
            return Ok(resp::go_to(ctx, "/operatore/accedi/codice"));
        }
        if s.role < least {
            return Err(AppError::new(
                Kind::Forbidden,
                "Questa funzione è riservata agli amministratori.",
            ));
        }
    }
    let get = ctx.method == Method::GET || ctx.method == Method::HEAD;
    let post = ctx.method == Method::POST;
    use Route as R;
    match route {
        R::Home if get => views::home(app, ctx).await,
        R::Login if get => auth::page(app, ctx),
        R::Login if post => auth::submit(app, ctx).await,
        R::LoginCode if get => auth::code_page(app, ctx),
        R::LoginCode if post => auth::code_submit(app, ctx).await,
        R::Logout if post => auth::logout(app, ctx).await,
        R::Profile if get => profile::page(app, ctx),
        R::Profile if post => profile::submit(app, ctx).await,
        R::Audit if get => audit_pages::search(app, ctx).await,
        R::AuditCsv if get => audit_pages::csv(app, ctx).await,
        R::Patients if get || post => patients::search(app, ctx).await,
        R::PatientNew if get => patients::new_page(app, ctx),
        R::PatientNew if post => patients::create(app, ctx).await,
        R::PatientImport if get => patient_import::page(app, ctx),
        R::PatientImport if post => patient_import::import(app, ctx).await,
        R::Patient(id) if get => patients::show(app, ctx, *id).await,
        R::Patient(id) if post => patients::update(app, ctx, *id).await,
        R::PatientPin(id) if post => patients::send_pin(app, ctx, *id).await,
        R::PatientPublish(id) if get => publish::page(app, ctx, *id).await,
        R::PatientPublish(id) if post => publish::submit(app, ctx, *id).await,
        R::Document(d) if get => documents::show(app, ctx, d).await,
        R::DocumentFile(d) if get => documents::file(app, ctx, d).await,
        R::DocumentWithdraw(d) if post => documents::withdraw(app, ctx, d).await,
        R::Prices if get => prices::page(app, ctx).await,
        R::Prices if post => prices::submit(app, ctx).await,
        R::Operators if get => operators::list(app, ctx).await,
        R::Operators if post => operators::create(app, ctx).await,
        R::Operator(id) if get => operators::show(app, ctx, *id).await,
        R::Operator(id) if post => operators::act(app, ctx, *id).await,
        R::Tokens if get => tokens::list(app, ctx).await,
        R::Tokens if post => tokens::create(app, ctx).await,
        R::TokenRevoke(id) if post => tokens::revoke(app, ctx, *id).await,
        R::Requests if get => requests::list(app, ctx).await,
        R::Request(id) if get => requests::show(app, ctx, id).await,
        R::Request(id) if post => requests::act(app, ctx, id).await,
        R::Orders if get => orders::list(app, ctx).await,
        R::OrdersCsv if get => orders::csv(app, ctx).await,
        R::Order(number) if get => orders::show(app, ctx, number).await,
        R::OrderRecheck(number) if post => orders::recheck(app, ctx, number).await,
        R::OrderFlag(number) if post => orders::flag(app, ctx, number).await,
        R::Reconciliations if get => reconciliations::list(app, ctx).await,
        R::Reconciliation(id) if get => reconciliations::show(app, ctx, *id).await,
        R::ReconcileNow if post => reconciliations::start(app, ctx).await,
        R::Kiosk if get => crate::kiosk::pages::page(app, ctx),
        R::Kiosk if post => crate::kiosk::pages::submit(app, ctx).await,
        R::NotFound => Err(AppError::not_found()),
        R::Logout
        | R::PatientPin(_)
        | R::DocumentWithdraw(_)
        | R::TokenRevoke(_)
        | R::OrderRecheck(_)
        | R::OrderFlag(_)
        | R::ReconcileNow => Err(AppError::method_not_allowed(POST)),
        R::Login
        | R::LoginCode
        | R::Profile
        | R::PatientNew
        | R::PatientImport
        | R::Patient(_)
        | R::PatientPublish(_)
        | R::Prices
        | R::Operators
        | R::Operator(_)
        | R::Tokens
        | R::Request(_)
        | R::Kiosk => Err(AppError::method_not_allowed(GET_POST)),
        _ => Err(AppError::method_not_allowed(GET)),
    }
}

/// Rows of a list page (newest first), each page asked with one row more than `PAGE`.
pub const PAGE: i64 = 50;

/// A keyset page: the first `PAGE` rows, and the link to the next page (`prima=AT.ID`, the
/// last row's key, after the filter's `query`) when the extra row came.
pub fn keyset_page<T>(
    mut rows: Vec<T>,
    query: &str,
    key: impl Fn(&T) -> (i64, i64),
) -> (Vec<T>, Option<String>) {
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    let next = rows.last().filter(|_| more).map(|r| {
        let (at, id) = key(r);
        format!("{query}&prima={at}.{id}")
    });
    (rows, next)
}

/// «dal» and «al» (gg/mm/aaaa or aaaa-mm-gg) as the first and last second of those Rome days.
pub fn day_range(from: &str, to: &str) -> Result<(Option<i64>, Option<i64>), String> {
    let from = match from {
        "" => None,
        s => Some(crate::ui::time::day_start(
            crate::documents::filter::parse_date(s)
                .ok_or("Data «dal» non valida: usa gg/mm/aaaa.")?,
        )),
    };
    let to = match to {
        "" => None,
        s => Some(
            crate::ui::time::day_start(
                crate::documents::filter::parse_date(s)
                    .and_then(|d| d.tomorrow().ok())
                    .ok_or("Data «al» non valida: usa gg/mm/aaaa.")?,
            ) - 1,
        ),
    };
    Ok((from, to))
}

/// The keyset cursor `AT.ID` of a list page's `prima` parameter (`None`: the first page).
pub fn cursor(before: &str) -> Option<(i64, i64)> {
    let (at, id) = before.split_once('.')?;
    at.parse().ok().zip(id.parse().ok())
}

/// Reads a back-office upload (multipart), its first field the operator's CSRF token.
pub async fn read_upload(
    app: &App,
    ctx: &mut Ctx,
    max_file: u64,
) -> Result<crate::http::upload::Upload, AppError> {
    let me = auth::current(ctx)?.clone();
    let body = ctx
        .upload
        .take()
        .ok_or_else(|| AppError::bad_request("Modulo senza contenuto."))?;
    let check = |token: &str| crate::crypto::same(&me.csrf_token, token);
    crate::http::upload::read(
        ctx.header("content-type"),
        body,
        &app.config.data_dir.join("tmp"),
        &crate::http::upload::Limits {
            max_file,
            timeout: std::time::Duration::from_secs(300),
            idle: std::time::Duration::from_secs(app.config.http.body_read_timeout_secs.max(1)),
        },
        Some(&check),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pid() -> PublicId {
        PublicId::parse("0123456789abcdef0123456789abcdef").unwrap()
    }

    #[test]
    fn decodes_paths() {
        let table = [
            ("", Route::Home),
            ("/", Route::Home),
            ("/accedi", Route::Login),
            ("/accedi/codice", Route::LoginCode),
            ("/operatori/12", Route::Operator(12)),
            ("/pazienti/12", Route::Patient(12)),
            ("/pazienti/3/pubblica", Route::PatientPublish(3)),
            ("/pazienti/0", Route::NotFound),
            (
                "/documenti/0123456789abcdef0123456789abcdef/ritira",
                Route::DocumentWithdraw(
                    PublicId::parse("0123456789abcdef0123456789abcdef").unwrap(),
                ),
            ),
            ("/documenti/..%2f/file", Route::NotFound),
            ("/operatori/0", Route::NotFound),
            ("/operatori/-1", Route::NotFound),
            ("/operatori/1x", Route::NotFound),
            ("/operatori/99999999999999999999", Route::NotFound),
            ("/token/4/revoca", Route::TokenRevoke(4)),
            ("/nulla", Route::NotFound),
            ("/richieste", Route::Requests),
            ("/richieste/", Route::Requests),
            (
                "/richieste/0123456789abcdef0123456789abcdef",
                Route::Request(pid()),
            ),
            (
                "/richieste/0123456789ABCDEF0123456789abcdef",
                Route::NotFound,
            ),
            ("/richieste/12", Route::NotFound),
            ("/ordini", Route::Orders),
            ("/ordini.csv", Route::OrdersCsv),
            (
                "/ordini/0123456789abcdef0123456789abcdef",
                Route::Order(pid()),
            ),
            (
                "/ordini/0123456789abcdef0123456789abcdef/ricontrolla",
                Route::OrderRecheck(pid()),
            ),
            (
                "/ordini/0123456789abcdef0123456789abcdef/segnalazione",
                Route::OrderFlag(pid()),
            ),
            (
                "/ordini/0123456789abcdef0123456789abcdef/altro",
                Route::NotFound,
            ),
            ("/ordini/../ricontrolla", Route::NotFound),
            ("/riconciliazioni", Route::Reconciliations),
            ("/riconciliazioni/7", Route::Reconciliation(7)),
            ("/riconciliazioni/avvia", Route::ReconcileNow),
            ("/riconciliazioni/0", Route::NotFound),
        ];
        for (path, route) in table {
            assert_eq!(Route::decode(path), route, "{path}");
        }
    }

    #[test]
    fn a_keyset_page_links_the_next_only_when_there_is_one() {
        let rows: Vec<(i64, i64)> = (0..=PAGE).map(|i| (1000 - i, i + 1)).collect();
        let (page, next) = keyset_page(rows.clone(), "cf=X", |r| *r);
        assert_eq!(page.len() as i64, PAGE);
        assert_eq!(next.as_deref(), Some("cf=X&prima=951.50"));
        let (page, next) = keyset_page(rows[..PAGE as usize].to_vec(), "cf=X", |r| *r);
        assert_eq!((page.len() as i64, next), (PAGE, None));
    }

    #[test]
    fn administration_is_for_administrators() {
        for r in [
            Route::Operators,
            Route::Tokens,
            Route::AuditCsv,
            Route::ReconcileNow,
        ] {
            assert_eq!(r.access(), Access::Role(Role::Amministratore), "{r:?}");
        }
        assert_eq!(Route::Audit.access(), Access::Role(Role::Operatore));
        // The inbox and the orders are the operators' daily work.
        for r in [
            Route::Requests,
            Route::Orders,
            Route::OrdersCsv,
            Route::OrderFlag(pid()),
            Route::Reconciliations,
            Route::Reconciliation(1),
        ] {
            assert_eq!(r.access(), Access::Role(Role::Operatore), "{r:?}");
        }
        assert_eq!(Route::Login.access(), Access::Anyone);
        assert!(Role::Amministratore > Role::Operatore);
    }
}
