//! Paths decoded by a pure function into a typed route; one `match` dispatches.

use crate::app::App;
use crate::error::AppError;
use crate::http::req::Ctx;
use crate::http::resp::Resp;
use crate::http::routes::{NOT_A_ROUTE, routes};
use crate::public_id::PublicId;
use crate::{auth, documents, ops, orders, pages, sms, support};
use hyper::Method;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Home,
    Login,
    LoginSpid,
    LoginCie,
    /// `/accedi/oidc`: the SPID/CIE provider sends the browser back here.
    OidcCallback,
    NewPin,
    Logout,
    Dashboard,
    Documents,
    Exchanged,
    /// `/documenti-interscambiati/<id>/<action>`
    ExchangedDoc(PublicId, crate::documents::exchanged::Action),
    /// `/documenti/<id>/<anteprima|miniatura>`
    CatalogueDoc(PublicId, crate::documents::catalogue::Action),
    Orders,
    /// `/ordini/<number>` and `/ordini/<number>/<action>`
    Order(PublicId, crate::orders::Action),
    Cart,
    /// `/carrello/aggiungi`, `/carrello/ordina`, `/carrello/<id>/rimuovi`
    CartAction(crate::orders::cart::Action),
    Support,
    /// "Chi ha consultato i miei dati".
    Accesses,
    /// `/condivisioni`: the patient's shares with doctors (POST: a new one).
    Shares,
    /// `/condivisioni/<id>/revoca`
    ShareRevoke(PublicId),
    /// `/condivisi/<token>`: the doctor's page (POST: the code, or "prepara").
    Shared(PublicId),
    /// `/condivisi/<token>/download`
    SharedDownload(PublicId),
    /// `/condivisi/<token>/viewer/<name in the ZIP>`: the study viewed online.
    SharedViewer(PublicId, String),
    /// `POST /dashboard/avvisi`: SMS notices on or off.
    Notices,
    /// The back office, `/operatore/…`.
    Operator(crate::operator::Route),
    /// The ingest API, `/api/v1/…` (bearer tokens, JSON).
    Api(crate::api::Route),
    Manual,
    /// `/lingua/<it|en>`: the language switch.
    Language(String),
    Privacy,
    Accessibility,
    Asset(String),
    Logo,
    Favicon,
    Manifest,
    Healthz,
    Metrics,
    SandboxSms,
    SandboxPayments,
    SandboxSpid,
    NotFound,
}

/// `<id>/<action>` after a prefix: the id (when it is one) and the action's name ("" when
/// absent).
fn id_action(rest: &str) -> (Option<PublicId>, &str) {
    let mut parts = rest.splitn(2, '/');
    (
        PublicId::parse(parts.next().unwrap_or("")),
        parts.next().unwrap_or(""),
    )
}

impl Route {
    pub fn decode(path: &str) -> Route {
        if let Some(rest) = path.strip_prefix(crate::operator::HOME)
            && (rest.is_empty() || rest.starts_with('/'))
        {
            return Route::Operator(crate::operator::Route::decode(rest));
        }
        if let Some(rest) = path.strip_prefix(crate::api::PREFIX)
            && (rest.is_empty() || rest.starts_with('/'))
        {
            return Route::Api(crate::api::Route::decode(rest));
        }
        if let Some(rest) = path.strip_prefix("/assets/") {
            return if rest.is_empty() || rest.contains("..") {
                Route::NotFound
            } else {
                Route::Asset(rest.to_string())
            };
        }
        if let Some(rest) = path.strip_prefix("/documenti-interscambiati/") {
            let (id, action) = id_action(rest);
            return match (id, crate::documents::exchanged::Action::decode(action)) {
                (Some(id), Some(a)) => Route::ExchangedDoc(id, a),
                _ => Route::NotFound,
            };
        }
        if let Some(rest) = path.strip_prefix("/documenti/") {
            let (id, action) = id_action(rest);
            return match (id, crate::documents::catalogue::Action::decode(action)) {
                (Some(id), Some(a)) => Route::CatalogueDoc(id, a),
                _ => Route::NotFound,
            };
        }
        if let Some(rest) = path.strip_prefix("/ordini/") {
            let (number, action) = id_action(rest.trim_end_matches('/'));
            return match (number, crate::orders::Action::decode(action)) {
                (Some(n), Some(a)) => Route::Order(n, a),
                _ => Route::NotFound,
            };
        }
        if let Some(rest) = path.strip_prefix("/condivisioni/") {
            return match id_action(rest) {
                (Some(id), "revoca") => Route::ShareRevoke(id),
                _ => Route::NotFound,
            };
        }
        if let Some(rest) = path.strip_prefix("/condivisi/") {
            if let (Some(t), action) = id_action(rest)
                && let Some(name) = action.strip_prefix("viewer/")
            {
                return Route::SharedViewer(t, name.to_string());
            }
            return match id_action(rest.trim_end_matches('/')) {
                (Some(t), "") => Route::Shared(t),
                (Some(t), "download") => Route::SharedDownload(t),
                _ => Route::NotFound,
            };
        }
        if let Some(code) = path.strip_prefix("/lingua/") {
            return Route::Language(code.to_string());
        }
        if let Some(rest) = path.strip_prefix("/carrello/") {
            return crate::orders::cart::Action::decode(rest)
                .map(Route::CartAction)
                .unwrap_or(Route::NotFound);
        }
        match path.trim_end_matches('/') {
            "" => Route::Home,
            "/accedi" => Route::Login,
            "/accedi/spid" => Route::LoginSpid,
            "/accedi/cie" => Route::LoginCie,
            "/accedi/oidc" => Route::OidcCallback,
            "/nuovo-pin" => Route::NewPin,
            "/esci" => Route::Logout,
            "/dashboard" => Route::Dashboard,
            "/documenti" => Route::Documents,
            "/documenti-interscambiati" => Route::Exchanged,
            "/ordini" => Route::Orders,
            "/carrello" => Route::Cart,
            "/assistenza" => Route::Support,
            "/accessi" => Route::Accesses,
            "/condivisioni" => Route::Shares,
            "/dashboard/avvisi" => Route::Notices,
            "/manuale" => Route::Manual,
            "/privacy" => Route::Privacy,
            "/accessibilita" => Route::Accessibility,
            "/logo" => Route::Logo,
            "/favicon.ico" => Route::Favicon,
            crate::ui::manifest::PATH => Route::Manifest,
            "/healthz" => Route::Healthz,
            "/metrics" => Route::Metrics,
            "/sandbox/sms" => Route::SandboxSms,
            "/sandbox/pagamenti" => Route::SandboxPayments,
            "/sandbox/spid" => Route::SandboxSpid,
            _ => Route::NotFound,
        }
    }

    /// Label for metrics: bounded, never holds a path parameter.
    pub fn name(&self) -> &'static str {
        match self {
            Route::Home => "home",
            Route::Login => "login",
            Route::LoginSpid => "login_spid",
            Route::LoginCie => "login_cie",
            Route::OidcCallback => "oidc_callback",
            Route::NewPin => "new_pin",
            Route::Logout => "logout",
            Route::Dashboard => "dashboard",
            Route::Documents => "documents",
            Route::Exchanged => "exchanged",
            Route::ExchangedDoc(_, a) => match a {
                crate::documents::exchanged::Action::Row => "exchanged_row",
                crate::documents::exchanged::Action::Recover => "exchanged_recover",
                crate::documents::exchanged::Action::Hide
                | crate::documents::exchanged::Action::Show => "exchanged_hide",
                crate::documents::exchanged::Action::Download => "exchanged_download",
                crate::documents::exchanged::Action::SendToPhone => "exchanged_send_to_phone",
            },
            Route::CatalogueDoc(_, a) => a.name(),
            Route::Orders => "orders",
            Route::Order(_, a) => a.name(),
            Route::Cart => "cart",
            Route::CartAction(a) => a.name(),
            Route::Support => "support",
            Route::Accesses => "accesses",
            Route::Shares => "shares",
            Route::ShareRevoke(_) => "share_revoke",
            Route::Shared(_) => "shared",
            Route::SharedDownload(_) => "shared_download",
            Route::SharedViewer(..) => "shared_viewer",
            Route::Notices => "notices",
            Route::Operator(r) => r.name(),
            Route::Api(r) => r.name(),
            Route::Manual => "manual",
            Route::Language(_) => "language",
            Route::Privacy => "privacy",
            Route::Accessibility => "accessibility",
            Route::Asset(_) => "asset",
            Route::Logo => "logo",
            Route::Favicon => "favicon",
            Route::Manifest => "manifest",
            Route::Healthz => "healthz",
            Route::Metrics => "metrics",
            Route::SandboxSms => "sandbox_sms",
            Route::SandboxPayments => "sandbox_payments",
            Route::SandboxSpid => "sandbox_spid",
            Route::NotFound => "not_found",
        }
    }

    /// Routes whose handlers never need the session (no DB read for them).
    pub fn is_static(&self) -> bool {
        matches!(
            self,
            Route::Asset(_)
                | Route::Logo
                | Route::Favicon
                | Route::Manifest
                | Route::Healthz
                | Route::Metrics
        )
    }

    /// Routes whose forms are shown before login and carry the signed anonymous CSRF token
    /// (see `csrf::verify`); every other POST needs the session's token.
    pub fn anonymous_form(&self) -> bool {
        if let Route::Operator(r) = self {
            return r.anonymous_form();
        }
        matches!(
            self,
            Route::Login
                | Route::LoginSpid
                | Route::LoginCie
                | Route::NewPin
                | Route::Shared(_)
                | Route::SandboxPayments
                | Route::SandboxSpid
        )
    }
}

impl Route {
    /// Requests whose body the handler reads as a stream (uploads).
    pub fn streams_body(&self, method: &Method) -> bool {
        match self {
            Route::Operator(r) => r.streams_body(method),
            // The API reads its own body: JSON within `api.max_json_bytes`, PDFs streamed.
            Route::Api(_) => true,
            _ => false,
        }
    }
}

const GET: &str = "GET, HEAD";
const GET_POST: &str = "GET, HEAD, POST";
const POST: &str = "POST";

pub async fn dispatch(app: &App, route: &Route, ctx: &mut Ctx) -> Result<Resp, AppError> {
    // A route missing from `ROUTES` has no row in the route × role tables: a debug build
    // (the one the tests run) refuses to serve it.
    debug_assert!(
        route.pattern() == NOT_A_ROUTE || routes().any(|(p, _)| *p == route.pattern()),
        "{} is missing from http::routes::ROUTES (and from tests/it/authz_table.rs)",
        route.pattern()
    );
    let get = ctx.method == Method::GET || ctx.method == Method::HEAD;
    let post = ctx.method == Method::POST;
    match route {
        Route::Home if get => pages::home(app, ctx),
        Route::Login if get && app.config.auth.pin => auth::pin_login::page(app, ctx),
        Route::Login if post && app.config.auth.pin => auth::pin_login::submit(app, ctx).await,
        Route::NewPin if get && app.config.auth.pin => auth::pin_reset::page(app, ctx),
        Route::NewPin if post && app.config.auth.pin => auth::pin_reset::submit(app, ctx).await,
        Route::Login | Route::NewPin if !app.config.auth.pin => Err(AppError::not_found()),
        Route::LoginSpid if get => auth::identity::page(app, ctx, "spid"),
        Route::LoginCie if get => auth::identity::page(app, ctx, "cie"),
        Route::LoginSpid if post => auth::oidc::start(app, ctx, "spid").await,
        Route::LoginCie if post => auth::oidc::start(app, ctx, "cie").await,
        Route::LoginSpid | Route::LoginCie => Err(AppError::method_not_allowed(GET_POST)),
        Route::OidcCallback if get => auth::oidc::callback(app, ctx).await,
        // Demo only: `sandbox = true`, which production refuses.
        Route::SandboxSpid if (get || post) && app.config.sandbox => {
            auth::identity::sandbox(app, ctx).await
        }
        Route::Logout if post => auth::sessions::logout(app, ctx).await,
        Route::Exchanged if get => documents::exchanged::list(app, ctx).await,
        Route::ExchangedDoc(id, action) if action.is_post() == post && (get || post) => {
            documents::exchanged::document(app, ctx, id, *action).await
        }
        Route::ExchangedDoc(_, action) if action.is_post() => {
            Err(AppError::method_not_allowed(POST))
        }
        Route::Dashboard if get => orders::dashboard::page(app, ctx).await,
        Route::Documents if get => documents::catalogue::list(app, ctx).await,
        Route::CatalogueDoc(id, action) if get => {
            documents::catalogue::document(app, ctx, id, *action).await
        }
        Route::Orders if get => orders::pages::list(app, ctx).await,
        Route::Order(number, action) if action.is_post() == post && (get || post) => {
            orders::pages::order(app, ctx, number, *action).await
        }
        Route::Order(_, action) if action.is_post() => Err(AppError::method_not_allowed(POST)),
        Route::Cart if get => orders::cart::page(app, ctx).await,
        Route::CartAction(action) if post => orders::cart::action(app, ctx, action).await,
        Route::CartAction(_) => Err(AppError::method_not_allowed(POST)),
        Route::Support if get => support::page(app, ctx).await,
        Route::Support if post => support::submit(app, ctx).await,
        Route::Support => Err(AppError::method_not_allowed(GET_POST)),
        Route::Accesses if get => crate::audit::pages::page(app, ctx).await,
        Route::Shares if get => crate::shares::patient::list(app, ctx).await,
        Route::Shares if post => crate::shares::patient::create(app, ctx).await,
        Route::ShareRevoke(id) if post => crate::shares::patient::revoke(app, ctx, id).await,
        Route::Shared(t) if get => crate::shares::doctor::page(app, ctx, t).await,
        Route::Shared(t) if post => crate::shares::doctor::submit(app, ctx, t).await,
        Route::SharedDownload(t) if get => crate::shares::doctor::download(app, ctx, t).await,
        Route::SharedViewer(t, name) if get => {
            crate::shares::viewer::serve(app, ctx, t, name).await
        }
        Route::Shares | Route::Shared(_) => Err(AppError::method_not_allowed(GET_POST)),
        Route::ShareRevoke(_) => Err(AppError::method_not_allowed(POST)),
        Route::Notices if post => orders::dashboard::notices(app, ctx).await,
        Route::Notices => Err(AppError::method_not_allowed(POST)),
        Route::Operator(r) => crate::operator::dispatch(app, r, ctx).await,
        Route::Api(r) => Ok(crate::api::serve(app, r, ctx).await),
        Route::Manual if get => crate::manual::page(app, ctx),
        Route::Language(code) if get => crate::i18n::switch(ctx, code),
        Route::Privacy | Route::Accessibility if get => pages::legal(app, ctx, route),
        Route::Asset(name) if get => {
            crate::http::assets::serve(name, ctx).ok_or_else(AppError::not_found)
        }
        Route::Logo if get => pages::logo(app, ctx),
        Route::Favicon if get => {
            crate::http::assets::serve("img/favicon.svg", ctx).ok_or_else(AppError::not_found)
        }
        Route::Manifest if get => Ok(crate::ui::manifest::serve(app)),
        Route::Healthz if get => ops::healthz(app).await,
        // Counters are for the machine's own scraper, not for the internet.
        Route::Metrics if get && ctx.ip.is_loopback() => ops::metrics(app).await,
        Route::Metrics if get => Err(AppError::not_found()),
        Route::SandboxSms if get && app.config.sandbox => sms::sandbox::outbox(app, ctx).await,
        Route::SandboxPayments
            if (get || post)
                && app.config.payments.provider == crate::config::PaymentProvider::Sandbox =>
        {
            crate::payments::sandbox::pages::handle(app, ctx).await
        }
        // The sandboxes, where enabled, with a method they do not take.
        Route::SandboxSms if app.config.sandbox => Err(AppError::method_not_allowed(GET)),
        Route::SandboxSpid if app.config.sandbox => Err(AppError::method_not_allowed(GET_POST)),
        Route::SandboxPayments
            if app.config.payments.provider == crate::config::PaymentProvider::Sandbox =>
        {
            Err(AppError::method_not_allowed(GET_POST))
        }
        Route::NotFound | Route::SandboxSms | Route::SandboxPayments | Route::SandboxSpid => {
            Err(AppError::not_found())
        }
        Route::Login | Route::NewPin => Err(AppError::method_not_allowed(GET_POST)),
        Route::Logout => Err(AppError::method_not_allowed(POST)),
        _ => Err(AppError::method_not_allowed(GET)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_paths() {
        let table = [
            ("/", Route::Home),
            ("/accedi", Route::Login),
            ("/accedi/", Route::Login),
            ("/nuovo-pin", Route::NewPin),
            ("/documenti-interscambiati", Route::Exchanged),
            ("/assets/css/site.css", Route::Asset("css/site.css".into())),
            ("/assets/../schema.sql", Route::NotFound),
            ("/assets/", Route::NotFound),
            ("/healthz", Route::Healthz),
            ("/manifest.webmanifest", Route::Manifest),
            (
                "/documenti-interscambiati/0123456789abcdef0123456789abcdef/recupera",
                Route::ExchangedDoc(
                    PublicId::parse("0123456789abcdef0123456789abcdef").unwrap(),
                    crate::documents::exchanged::Action::Recover,
                ),
            ),
            (
                "/documenti-interscambiati/0123456789ABCDEF0123456789abcdef/recupera",
                Route::NotFound,
            ),
            ("/ordini/123/stato", Route::NotFound),
            ("/carrello/xyz/rimuovi", Route::NotFound),
            ("/documenti-interscambiati/x/nope", Route::NotFound),
            ("/documenti-interscambiati/x", Route::NotFound),
            ("/accedi/xyz", Route::NotFound),
            ("/DOCUMENTI", Route::NotFound),
            ("/operatore", Route::Operator(crate::operator::Route::Home)),
            (
                "/operatore/operatori/7",
                Route::Operator(crate::operator::Route::Operator(7)),
            ),
            ("/operatorex", Route::NotFound),
            ("/accessi", Route::Accesses),
            (
                "/api/v1/documenti",
                Route::Api(crate::api::Route::Documents),
            ),
            ("/api/v1", Route::Api(crate::api::Route::NotFound)),
            ("/api/v1x", Route::NotFound),
            (
                "/condivisi/0123456789abcdef0123456789abcdef/viewer/DICOM/S0001/I0001",
                Route::SharedViewer(
                    PublicId::parse("0123456789abcdef0123456789abcdef").unwrap(),
                    "DICOM/S0001/I0001".into(),
                ),
            ),
            ("/condivisi/x/viewer/VIEWER/index.html", Route::NotFound),
        ];
        for (path, route) in table {
            assert_eq!(Route::decode(path), route, "{path}");
        }
    }
}
