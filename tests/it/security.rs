//! CSRF, security headers, cookie flags under TLS, error pages and bad input.

use crate::client::{self, Browser, form, request};
use crate::{MARIO, Server, TempDir};

#[test]
fn csrf_is_required_on_every_post() {
    let s = Server::demo(&[]);
    let mut b = Browser::new(&s.addr);
    b.get("/accedi");
    let fields = [("codice_fiscale", MARIO.0), ("pin", MARIO.1)];
    // No token.
    let r = b.send("POST", "/accedi", &[], &form(&fields));
    assert_eq!(r.status, 403);
    assert!(r.body.contains("Ricarica la pagina"));
    // Tampered token.
    // (The last character changed for another one: pushing a fixed '0' left the token valid
    // whenever it already ended in '0' — a one-in-sixteen flake.)
    let mut t = b.csrf.clone().unwrap();
    let last = t.pop().unwrap();
    t.push(if last == '0' { '1' } else { '0' });
    let mut with = fields.to_vec();
    with.push(("csrf", &t));
    assert_eq!(b.send("POST", "/accedi", &[], &form(&with)).status, 403);
    // A valid token without its cookie (another browser).
    let good = b.csrf.clone().unwrap();
    let mut with = fields.to_vec();
    with.push(("csrf", &good));
    assert_eq!(
        request(&s.addr, "POST", "/accedi", &[], &form(&with)).status,
        403
    );
    // Logged in: logout without the session's token is refused and the session lives on.
    assert_eq!(b.login(MARIO.0, MARIO.1).status, 303);
    b.get("/dashboard");
    assert_eq!(b.send("POST", "/esci", &[], "csrf=nope").status, 403);
    assert_eq!(b.get("/dashboard").status, 200);
    // The htmx header works too.
    let token = b.csrf.clone().unwrap();
    assert_eq!(
        b.send("POST", "/esci", &[("X-CSRF-Token", &token)], "")
            .status,
        303
    );
}

#[test]
fn security_headers_on_pages_assets_and_errors() {
    let s = Server::demo(&[]);
    for path in ["/accedi", "/assets/css/site.css", "/non-esiste", "/healthz"] {
        let r = client::get(&s.addr, path);
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
            "{path}: {csp}"
        );
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
            "{path}"
        );
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{path}");
        assert!(
            r.header("strict-transport-security").is_none(),
            "no HSTS without TLS"
        );
    }
    let page = client::get(&s.addr, "/accedi");
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert!(
        !page.body.contains("<script>") && !page.body.contains("style="),
        "no inline script or style"
    );
    assert!(page.body.contains("<html lang=\"it\">"));
}

#[test]
fn not_found_and_method_not_allowed() {
    let s = Server::demo(&[]);
    let r = client::get(&s.addr, "/non-esiste");
    assert_eq!(r.status, 404);
    assert!(r.body.contains("Pagina non trovata"));
    let r = request(&s.addr, "DELETE", "/accedi", &[], "");
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("GET, HEAD, POST"));
    let r = client::get(&s.addr, "/esci");
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("POST"));
    assert!(r.body.contains("Operazione non consentita"));
    // Protected pages without a session go to the login, never a 500.
    for p in crate::SECTIONS {
        let r = client::get(&s.addr, p);
        assert_eq!(
            (r.status, r.header("location")),
            (303, Some("/accedi")),
            "{p}"
        );
    }
    // The manual helps before login too.
    let manual = client::get(&s.addr, "/manuale");
    assert_eq!(manual.status, 200);
    assert!(manual.body.contains("Richiedere un nuovo PIN") && manual.body.contains("Recupera"));
    // htmx requests get HX-Redirect instead.
    let r = request(&s.addr, "GET", "/dashboard", &[("HX-Request", "true")], "");
    assert_eq!(r.header("hx-redirect"), Some("/accedi"));
}

#[test]
fn bad_input_gets_a_4xx_page_never_a_500() {
    let s = Server::demo(&[]);
    let long = "A".repeat(200);
    let inputs = [
        "",
        &long,
        "ÀÈÌÒÙ€漢字😀RSSMRA80A",
        "' OR 1=1 --",
        "RSSMRA80A01A182N'; DROP TABLE patients;--",
        "%00%ff",
        "\u{0}",
    ];
    for input in inputs {
        for (path, second) in [("/accedi", "pin"), ("/nuovo-pin", "cellulare")] {
            let mut b = Browser::new(&s.addr);
            b.get(path);
            let r = b.post(path, &[("codice_fiscale", input), (second, input)]);
            assert!(
                (400..500).contains(&r.status),
                "{path} {input:?}: {}",
                r.status
            );
            assert!(
                r.header("content-type")
                    .unwrap_or_default()
                    .starts_with("text/html")
            );
            assert!(r.body.contains("codice fiscale") || r.body.contains("Codice Fiscale"));
        }
    }
    // Too large a body.
    let mut b = Browser::new(&s.addr);
    b.get("/accedi");
    let huge = "x".repeat(200_000);
    let r = b.post("/accedi", &[("codice_fiscale", &huge)]);
    assert_eq!(r.status, 413);
    assert!(r.body.contains("troppo grandi"));
    // Junk in query strings and paths.
    for p in [
        "/accedi?scaduta=%ZZ&x=%00",
        "/%FF%FE",
        "/assets/%2e%2e/schema.sql",
        "/assets/../Cargo.toml",
    ] {
        let r = client::get(&s.addr, p);
        assert!(r.status < 500, "{p}: {}", r.status);
    }
    // The patients are still all there.
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    let n: i64 = db
        .query_row("SELECT COUNT(*) FROM patients", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
    assert!(!s.log().contains(" 500 ") && !s.log().contains("status=500"));
}

#[test]
fn tls_sets_secure_cookies_and_hsts() {
    let dir = TempDir::new("tls");
    let (cert, key) = (dir.0.join("cert.pem"), dir.0.join("key.pem"));
    let ok = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
        ])
        .args([
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap()
        .success();
    assert!(ok, "openssl made a test certificate");
    let s = Server::demo(&[
        ("CDS_TLS_CERT", cert.to_str().unwrap()),
        ("CDS_TLS_KEY", key.to_str().unwrap()),
    ]);
    let out = std::process::Command::new("curl")
        .args(["-s", "-i", "--cacert"])
        .arg(&cert)
        .arg(format!("https://{}/accedi", s.addr))
        .output()
        .unwrap();
    let r = client::parse(&out.stdout);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        r.header("strict-transport-security")
            .unwrap_or_default()
            .contains("max-age=")
    );
    let cookie = r.header("set-cookie").unwrap();
    assert!(
        cookie.contains("Secure")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    // Plain HTTP on the TLS port gets nothing.
    let plain = std::process::Command::new("curl")
        .args(["-s", "-m", "3", &format!("http://{}/accedi", s.addr)])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("Accedi"));
}
