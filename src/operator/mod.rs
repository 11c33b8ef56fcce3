//! The back office under `/operatore`: the ASL's own people. Operators log in with username,
//! password and (when an administrator requires it) a TOTP code; their session has its own
//! cookie and shorter timeouts and is never mixed with a patient's. Each route names the
//! least role that may use it (`Route::role`): one table, checked before any handler runs,
//! and the same table the route × role test walks.

pub mod audit_pages;
pub mod auth;
pub mod cli;
pub mod operators;
pub mod orders;
mod orders_store;
mod orders_views;
pub mod requests;
mod requests_store;
mod requests_views;
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
        match parts.as_slice() {
            [] => Route::Home,
            ["accedi"] => Route::Login,
            ["accedi", "codice"] => Route::LoginCode,
            ["esci"] => Route::Logout,
            ["profilo"] => Route::Profile,
            ["registro"] => Route::Audit,
            ["registro.csv"] => Route::AuditCsv,
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
            _ => Route::NotFound,
        }
    }

    /// The least role allowed (the route × role test reads this table too).
    pub fn access(&self) -> Access {
        use Route::*;
        match self {
            Login | LoginCode | NotFound => Access::Anyone,
            Operators | Operator(_) | Tokens | TokenRevoke(_) | AuditCsv => {
                Access::Role(Role::Amministratore)
            }
            _ => Access::Role(Role::Operatore),
        }
    }

    /// POST routes whose body is a multipart upload, read as a stream by the handler
    /// (the CSRF token is its first field).
    pub fn streams_body(&self, method: &Method) -> bool {
        let _ = method;
        false
    }

    /// The login form is shown before any session exists: its CSRF token is the signed
    /// anonymous one.
    pub fn anonymous_form(&self) -> bool {
        matches!(self, Route::Login)
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
            NotFound => "op_not_found",
        }
    }
}

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
        R::Profile if get => auth::profile(app, ctx),
        R::Profile if post => auth::profile_submit(app, ctx).await,
        R::Audit if get => audit_pages::search(app, ctx).await,
        R::AuditCsv if get => audit_pages::csv(app, ctx).await,
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
        R::NotFound => Err(AppError::not_found()),
        R::Logout | R::TokenRevoke(_) | R::OrderRecheck(_) | R::OrderFlag(_) => {
            Err(AppError::method_not_allowed(POST))
        }
        R::Login
        | R::LoginCode
        | R::Profile
        | R::Operators
        | R::Operator(_)
        | R::Tokens
        | R::Request(_) => Err(AppError::method_not_allowed(GET_POST)),
        _ => Err(AppError::method_not_allowed(GET)),
    }
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
        ];
        for (path, route) in table {
            assert_eq!(Route::decode(path), route, "{path}");
        }
    }

    #[test]
    fn administration_is_for_administrators() {
        for r in [Route::Operators, Route::Tokens, Route::AuditCsv] {
            assert_eq!(r.access(), Access::Role(Role::Amministratore), "{r:?}");
        }
        assert_eq!(Route::Audit.access(), Access::Role(Role::Operatore));
        // The inbox and the orders are the operators' daily work.
        for r in [
            Route::Requests,
            Route::Orders,
            Route::OrdersCsv,
            Route::OrderFlag(pid()),
        ] {
            assert_eq!(r.access(), Access::Role(Role::Operatore), "{r:?}");
        }
        assert_eq!(Route::Login.access(), Access::Anyone);
        assert!(Role::Amministratore > Role::Operatore);
    }
}
