//! The site's route list: each route's pattern (the path with its parameters named) and
//! the methods it accepts. `tests/it/authz*.rs` and `csrf_table.rs` walk it, so a new route
//! cannot go untested for who may use it.

use super::router::Route;

impl Route {
    /// The route's pattern as `ROUTES` lists it: the path with its parameters named
    /// (`{documento}`, `{ordine}`…). Exhaustive on purpose: a new route does not compile
    /// without one, and a pattern missing from `ROUTES` stops a debug build's dispatch (and
    /// so the route × role tables of `tests/it/authz*.rs`, which need a row for each).
    pub fn pattern(&self) -> &'static str {
        use crate::documents::catalogue::Action as C;
        use crate::documents::exchanged::Action as X;
        use crate::orders::Action as O;
        use crate::orders::cart::Action as K;
        match self {
            Route::Home => "/",
            Route::Login => "/accedi",
            Route::LoginSpid => "/accedi/spid",
            Route::LoginCie => "/accedi/cie",
            Route::OidcCallback => "/accedi/oidc",
            Route::NewPin => "/nuovo-pin",
            Route::Logout => "/esci",
            Route::Dashboard => "/dashboard",
            Route::Documents => "/documenti",
            Route::Exchanged => "/documenti-interscambiati",
            Route::ExchangedDoc(_, a) => match a {
                X::Row => "/documenti-interscambiati/{documento}/riga",
                X::Recover => "/documenti-interscambiati/{documento}/recupera",
                X::Hide => "/documenti-interscambiati/{documento}/nascondi",
                X::Show => "/documenti-interscambiati/{documento}/mostra",
                X::Download => "/documenti-interscambiati/{documento}/download",
                X::SendToPhone => "/documenti-interscambiati/{documento}/invia-cellulare",
            },
            Route::CatalogueDoc(_, a) => match a {
                C::Preview => "/documenti/{documento}/anteprima",
                C::Thumbnail => "/documenti/{documento}/miniatura",
            },
            Route::Orders => "/ordini",
            Route::Order(_, a) => match a {
                O::Show => "/ordini/{ordine}",
                O::Status => "/ordini/{ordine}/stato",
                O::Buy => "/ordini/{ordine}/acquista",
                O::Confirm => "/ordini/{ordine}/conferma",
                O::Notice => "/ordini/{ordine}/avviso",
                O::Pay => "/ordini/{ordine}/paga",
                O::Retry => "/ordini/{ordine}/ripeti",
                O::Cancel => "/ordini/{ordine}/annulla",
            },
            Route::Cart => "/carrello",
            Route::CartAction(a) => match a {
                K::Add => "/carrello/aggiungi",
                K::Checkout => "/carrello/ordina",
                K::Remove(_) => "/carrello/{documento}/rimuovi",
            },
            Route::Support => "/assistenza",
            Route::Accesses => "/accessi",
            Route::Shares => "/condivisioni",
            Route::ShareRevoke(_) => "/condivisioni/{condivisione}/revoca",
            Route::Shared(_) => "/condivisi/{link}",
            Route::SharedDownload(_) => "/condivisi/{link}/download",
            Route::SharedViewer(..) => "/condivisi/{link}/viewer/{nome}",
            Route::Notices => "/dashboard/avvisi",
            Route::Operator(r) => r.pattern(),
            Route::Api(r) => r.template(),
            Route::Manual => "/manuale",
            Route::Language(_) => "/lingua/{lingua}",
            Route::Privacy => "/privacy",
            Route::Accessibility => "/accessibilita",
            Route::Asset(_) => "/assets/{file}",
            Route::Logo => "/logo",
            Route::Favicon => "/favicon.ico",
            Route::Manifest => crate::ui::manifest::PATH,
            Route::Healthz => "/healthz",
            Route::Metrics => "/metrics",
            Route::SandboxSms => "/sandbox/sms",
            Route::SandboxPayments => "/sandbox/pagamenti",
            Route::SandboxSpid => "/sandbox/spid",
            Route::NotFound => NOT_A_ROUTE,
        }
    }
}

/// The pattern of the paths that are no route (404).
pub const NOT_A_ROUTE: &str = "(sconosciuto)";

/// Every route of the site outside the back office and the API, with the methods it
/// accepts when enabled ("GET" includes HEAD; the PIN login, the sandboxes and `/metrics`
/// answer only where the configuration allows them). `routes()` adds the back office's
/// and the API's. A new route needs a line here and a row in `tests/it/authz_table.rs`.
pub const ROUTES: &[(&str, &[&str])] = &[
    ("/", &["GET"]),
    ("/accedi", &["GET", "POST"]),
    ("/accedi/spid", &["GET", "POST"]),
    ("/accedi/cie", &["GET", "POST"]),
    ("/accedi/oidc", &["GET"]),
    ("/nuovo-pin", &["GET", "POST"]),
    ("/esci", &["POST"]),
    ("/dashboard", &["GET"]),
    ("/dashboard/avvisi", &["POST"]),
    ("/documenti", &["GET"]),
    ("/documenti/{documento}/anteprima", &["GET"]),
    ("/documenti/{documento}/miniatura", &["GET"]),
    ("/documenti-interscambiati", &["GET"]),
    ("/documenti-interscambiati/{documento}/riga", &["GET"]),
    ("/documenti-interscambiati/{documento}/recupera", &["POST"]),
    ("/documenti-interscambiati/{documento}/nascondi", &["POST"]),
    ("/documenti-interscambiati/{documento}/mostra", &["POST"]),
    ("/documenti-interscambiati/{documento}/download", &["GET"]),
    (
        "/documenti-interscambiati/{documento}/invia-cellulare",
        &["POST"],
    ),
    ("/ordini", &["GET"]),
    ("/ordini/{ordine}", &["GET"]),
    ("/ordini/{ordine}/stato", &["GET"]),
    ("/ordini/{ordine}/acquista", &["POST"]),
    ("/ordini/{ordine}/conferma", &["POST"]),
    ("/ordini/{ordine}/avviso", &["GET"]),
    ("/ordini/{ordine}/paga", &["POST"]),
    ("/ordini/{ordine}/ripeti", &["POST"]),
    ("/ordini/{ordine}/annulla", &["POST"]),
    ("/carrello", &["GET"]),
    ("/carrello/aggiungi", &["POST"]),
    ("/carrello/ordina", &["POST"]),
    ("/carrello/{documento}/rimuovi", &["POST"]),
    ("/assistenza", &["GET", "POST"]),
    ("/accessi", &["GET"]),
    ("/condivisioni", &["GET", "POST"]),
    ("/condivisioni/{condivisione}/revoca", &["POST"]),
    ("/condivisi/{link}", &["GET", "POST"]),
    ("/condivisi/{link}/download", &["GET"]),
    ("/condivisi/{link}/viewer/{nome}", &["GET"]),
    ("/manuale", &["GET"]),
    ("/lingua/{lingua}", &["GET"]),
    ("/privacy", &["GET"]),
    ("/accessibilita", &["GET"]),
    ("/assets/{file}", &["GET"]),
    ("/logo", &["GET"]),
    ("/favicon.ico", &["GET"]),
    (crate::ui::manifest::PATH, &["GET"]),
    ("/healthz", &["GET"]),
    ("/metrics", &["GET"]),
    ("/sandbox/sms", &["GET"]),
    ("/sandbox/pagamenti", &["GET", "POST"]),
    ("/sandbox/spid", &["GET", "POST"]),
];

/// Every route of the whole site (patients', back office, API): (pattern, methods).
pub fn routes() -> impl Iterator<Item = &'static (&'static str, &'static [&'static str])> {
    ROUTES
        .iter()
        .chain(crate::operator::ROUTES)
        .chain(crate::api::ROUTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path of `pattern` with sample values for its parameters.
    fn sample(pattern: &str) -> String {
        let id = "0123456789abcdef0123456789abcdef";
        [
            ("{documento}", id),
            ("{ordine}", id),
            ("{condivisione}", id),
            ("{link}", id),
            ("{richiesta}", id),
            ("{nome}", "VIEWER/index.html"),
            ("{file}", "css/site.css"),
            ("{lingua}", "en"),
            ("{paziente}", "7"),
            ("{operatore}", "7"),
            ("{token}", "7"),
            ("{riconciliazione}", "7"),
            ("{codice_fiscale}", "RSSMRA80A01A182N"),
            ("{id_esterno}", "RIS%3A42"),
        ]
        .iter()
        .fold(pattern.to_string(), |p, (k, v)| p.replace(k, v))
    }

    /// Every listed pattern decodes, from a path made of it, back to itself; none is listed
    /// twice; each names its methods.
    #[test]
    fn every_listed_pattern_decodes_to_itself() {
        let mut seen = std::collections::HashSet::new();
        for (pattern, methods) in routes() {
            let path = sample(pattern);
            assert!(
                !path.contains('{'),
                "{pattern}: a parameter without a sample"
            );
            assert_eq!(Route::decode(&path).pattern(), *pattern, "{path}");
            assert!(seen.insert(*pattern), "{pattern} listed twice");
            assert!(!methods.is_empty(), "{pattern}");
            for m in *methods {
                assert!(
                    ["GET", "POST", "PUT", "DELETE"].contains(m),
                    "{pattern}: {m}"
                );
            }
        }
        assert_eq!(Route::decode("/nulla").pattern(), NOT_A_ROUTE);
        assert_eq!(Route::decode("/operatore/nulla").pattern(), NOT_A_ROUTE);
        assert_eq!(Route::decode("/api/v1/nulla").pattern(), NOT_A_ROUTE);
    }
}
