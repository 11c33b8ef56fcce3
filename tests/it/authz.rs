//! The authorization table: every route the router lists (`cds_portal::routes()`, the
//! same list its debug build checks at dispatch) × every role × every method it accepts and
//! one it does not, against the statuses written in `authz_table.rs`, with the real ids of
//! patient A's data (Mario: documents, orders, a share, a request) in the paths. A route
//! without a row fails the test (which prints the row it would need), so does a row whose
//! route is gone. No answer is a 500, and none but A's own, the back office's and the
//! API's with its scope holds anything of A's: codice fiscale, name, phone, titles of the
//! documents only A has, order numbers, public ids, the share's link. Every GET is asked
//! again as HEAD, which must answer the same status and head with no body.

use crate::MARIO;
pub use crate::authz_world::{Who, World, multipart};
use crate::client::Response;
use std::collections::BTreeMap;

/// The columns of a row, in order.
pub const ROLES: [&str; 7] = [
    "anonimo",
    "paziente A",
    "paziente B",
    "operatore",
    "amministratore",
    "token",
    "token senza scope",
];
const A: usize = 1;
const OPERATOR_ROLES: [usize; 2] = [3, 4];
const TOKEN: usize = 5;

/// The method a route does not accept that the table tries: POST on a page, GET on an
/// action, DELETE where both are accepted (GET on the API's other routes).
pub fn wrong_method(methods: &[&str]) -> &'static str {
    match (methods.contains(&"GET"), methods.contains(&"POST")) {
        (true, true) => "DELETE",
        (true, false) => "POST",
        (false, _) => "GET",
    }
}

/// May `role` see A's data on `pattern`? A everywhere; the back office's roles there; the
/// token with the scope on the API.
fn may_see_a(role: usize, pattern: &str) -> bool {
    role == A
        || OPERATOR_ROLES.contains(&role) && pattern.starts_with("/operatore")
        || role == TOKEN && pattern.starts_with("/api/")
}

/// A cell: `L` (303 to the login of the route's side) or a status.
fn matches(cell: &str, pattern: &str, r: &Response) -> bool {
    if cell == "L" {
        let login = if pattern.starts_with("/operatore") {
            "/operatore/accedi"
        } else {
            "/accedi"
        };
        return r.status == 303 && r.header("location").is_some_and(|l| l.starts_with(login));
    }
    cell.parse::<u16>().ok() == Some(r.status)
}

fn cell_of(pattern: &str, r: &Response) -> String {
    if matches("L", pattern, r) {
        "L".into()
    } else {
        r.status.to_string()
    }
}

/// Rows that end the sessions the others use, sent last and in this order: A's logout, a
/// new PIN for A (it ends A's sessions), the operators' logout.
const ENDS_SESSIONS: &[&str] = &[
    "/esci",
    "/operatore/pazienti/{paziente}/pin",
    "/operatore/esci",
];

/// A's data that public pages show on purpose, the same to everyone: the demo's fake SPID
/// lists its identities (the sandboxes never run with `production = true`), the API's
/// description has A's codice fiscale as its example.
const SHOWN_TO_ALL: &[(&str, &str)] = &[
    ("/sandbox/spid", MARIO.0),
    ("/api/v1/openapi.json", MARIO.0),
];

/// Requests that act (a POST, PUT or DELETE the table expects to be accepted) go after every
/// other, in the table's order, so that what they change (a share revoked, a session ended)
/// does not change the answers the others get.
fn acts(method: &str, cell: &str) -> bool {
    method != "GET" && cell != "L" && cell.parse::<u16>().is_ok_and(|s| s < 400)
}

#[test]
fn every_route_for_every_role_and_method() {
    let w = World::new();
    let table = crate::authz_table::ROWS;
    let routes: Vec<(&str, &[&str])> = cds_portal::routes().copied().collect();
    let mut failures = Vec::new();
    // Rows for every route, and every method tried; no row for a route that is gone.
    let mut wanted: Vec<(&str, Vec<&str>)> = Vec::new();
    for (pattern, methods) in &routes {
        let mut all = methods.to_vec();
        all.push(wrong_method(methods));
        wanted.push((pattern, all));
    }
    let mut missing = Vec::new();
    for (pattern, methods) in &wanted {
        for m in methods {
            if !table.iter().any(|(p, tm, _)| p == pattern && tm == m) {
                missing.push((*pattern, *m));
            }
        }
    }
    for (p, m, cells) in table {
        if !wanted.iter().any(|(wp, ms)| wp == p && ms.contains(m)) {
            failures.push(format!(
                "row {p} {m}: no such route or method in cds_portal::routes()"
            ));
        }
        if cells.split_whitespace().count() != ROLES.len() {
            failures.push(format!("row {p} {m}: {} cells", ROLES.len()));
        }
    }
    // The rows' requests (and those of the rows missing, `None`): first those that change
    // nothing, then those that act, the logouts last.
    let mut order: Vec<(usize, &str, &str, Option<&str>)> = Vec::new();
    for (p, m, cells) in table {
        if wanted.iter().any(|(wp, _)| wp == p) {
            for (role, cell) in cells.split_whitespace().enumerate() {
                order.push((role, p, m, Some(cell)));
            }
        }
    }
    for (p, m) in &missing {
        for role in 0..ROLES.len() {
            order.push((role, p, m, None));
        }
    }
    order.sort_by_key(|(_, p, m, c)| {
        let acting = c.map_or(*m != "GET", |c| acts(m, c));
        let last = ENDS_SESSIONS
            .iter()
            .position(|e| e == p)
            .filter(|_| *m != "GET");
        (last, acting)
    });
    let mut sent = 0;
    let mut today: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for (role, pattern, method, cell) in order {
        let who = &w.who[role];
        let r = w.send(who, method, pattern, Some(&who.csrf), "");
        sent += 1;
        let name = ROLES[role];
        if r.status >= 500 {
            failures.push(format!("{name} {method} {pattern}: {}", r.status));
        }
        match cell {
            Some(cell) if !matches(cell, pattern, &r) => failures.push(format!(
                "{name} {method} {pattern}: {} (to {:?}) instead of {cell}: {}",
                r.status,
                r.header("location"),
                r.body.chars().take(200).collect::<String>()
            )),
            Some(_) => {}
            None => {
                let cells = today
                    .entry((pattern, method))
                    .or_insert_with(|| vec![String::new(); ROLES.len()]);
                cells[role] = cell_of(pattern, &r);
            }
        }
        // HEAD, which every GET route takes: GET's status and head, no body.
        if method == "GET" {
            let h = w.send(who, "HEAD", pattern, None, "");
            sent += 1;
            if h.status != r.status
                || h.header("location") != r.header("location")
                || !h.raw_body.is_empty()
            {
                failures.push(format!(
                    "{name} HEAD {pattern}: {} (to {:?}, {} bytes of body) where GET had {} (to {:?})",
                    h.status,
                    h.header("location"),
                    h.raw_body.len(),
                    r.status,
                    r.header("location")
                ));
            }
        }
        if !may_see_a(role, pattern)
            && let Some(secret) = w.leak(&w.path(pattern), &r)
            && !SHOWN_TO_ALL.contains(&(pattern, secret))
        {
            failures.push(format!(
                "{name} {method} {pattern}: A's «{secret}» in the answer"
            ));
        }
    }
    // A route without its row: what the row would be, from the answers it gets now.
    for (pattern, method) in &missing {
        failures.push(format!(
            "no row for {method} {pattern}; today's answers (check them before pasting):\n    (\"{pattern}\", \"{method}\", \"{}\"),",
            today[&(*pattern, *method)].join(" ")
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(sent > 7 * routes.len(), "{sent} requests");
    crate::soak::write("authz", &[("requests", sent as u64), ("leaks", 0)]);
}
