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
fn with_a_session_only_its_own_csrf_token_acts() {
    let s = Server::demo(&[]);
    let mut mario = Browser::new(&s.addr);
    assert_eq!(mario.login(MARIO.0, MARIO.1).status, 303);
    let session = mario.cookies.get("cds_session").unwrap().clone();
    // The attacker's own anonymous cookie and the token signed for it (a sibling subdomain
    // can plant the cookie in the patient's browser).
    let mut attacker = Browser::new(&s.addr);
    attacker.get("/accedi");
    let (pre, token) = (
        attacker.cookies.get("cds_pre").unwrap().clone(),
        attacker.csrf.clone().unwrap(),
    );
    let cookie = format!("cds_session={session}; cds_pre={pre}");
    let report = crate::orders::doc_id(&s, "Referto TC torace");
    let tries = [
        (
            format!("/documenti-interscambiati/{report}/nascondi"),
            String::new(),
        ),
        (
            "/assistenza".to_string(),
            "tipo=assistenza&oggetto=Prova&messaggio=Scritto+da+altri".to_string(),
        ),
        ("/esci".to_string(), String::new()),
    ];
    for (path, fields) in &tries {
        let body = format!("{fields}&csrf={}", client::enc(&token));
        let r = request(&s.addr, "POST", path, &[("Cookie", &cookie)], &body);
        assert_eq!(
            r.status, 403,
            "{path}: the anonymous token does not act for the patient"
        );
        let hx = request(
            &s.addr,
            "POST",
            path,
            &[("Cookie", &cookie), ("X-CSRF-Token", &token)],
            fields,
        );
        assert_eq!(hx.status, 403, "{path} (htmx)");
    }
    // Nothing was written: the report is not hidden, no request, the session lives.
    let db = crate::orders::db(&s);
    let hidden: i64 = db
        .query_row(
            "SELECT count(*) FROM documents WHERE public_id = ?1 AND hidden_at IS NOT NULL",
            [&report],
            |r| r.get(0),
        )
        .unwrap();
    let requests: i64 = db
        .query_row("SELECT count(*) FROM support_requests", [], |r| r.get(0))
        .unwrap();
    assert_eq!((hidden, requests), (0, 0));
    assert_eq!(mario.get("/dashboard").status, 200);
    // The session's own token still works; the anonymous one still works where it belongs
    // (the login form), and logs in as whoever types the PIN.
    let r = mario.post(&format!("/documenti-interscambiati/{report}/nascondi"), &[]);
    assert_eq!(r.status, 303);
    let body = format!(
        "codice_fiscale={}&pin={}&csrf={}",
        MARIO.0,
        MARIO.1,
        client::enc(&token)
    );
    let r = request(&s.addr, "POST", "/accedi", &[("Cookie", &cookie)], &body);
    assert_eq!(r.status, 303, "{}", r.body);
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

/// A self-signed certificate for 127.0.0.1 in `dir`.
fn test_certificate(dir: &TempDir) -> (std::path::PathBuf, std::path::PathBuf) {
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
    (cert, key)
}

/// curl over TLS with a cookie jar: `extra` arguments, the parsed response.
fn curl(
    cert: &std::path::Path,
    jar: &std::path::Path,
    extra: &[&str],
    url: &str,
) -> client::Response {
    let out = std::process::Command::new("curl")
        .args(["-s", "-i", "--cacert"])
        .arg(cert)
        .arg("-b")
        .arg(jar)
        .arg("-c")
        .arg(jar)
        .args(extra)
        .arg(url)
        .output()
        .unwrap();
    client::parse(&out.stdout)
}

#[test]
fn tls_sets_secure_host_cookies_and_hsts() {
    let dir = TempDir::new("tls");
    let (cert, key) = test_certificate(&dir);
    let s = Server::demo(&[
        ("CDS_TLS_CERT", cert.to_str().unwrap()),
        ("CDS_TLS_KEY", key.to_str().unwrap()),
    ]);
    let jar = dir.0.join("jar.txt");
    let base = format!("https://{}", s.addr);
    let r = curl(&cert, &jar, &[], &format!("{base}/accedi"));
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("strict-transport-security"),
        Some("max-age=31536000")
    );
    let cookie = r.header("set-cookie").unwrap();
    assert!(
        cookie.starts_with("__Host-cds_pre=")
            && cookie.contains("Secure")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && cookie.contains("Path=/")
            && !cookie.contains("Domain"),
        "{cookie}"
    );
    // A whole login over TLS: the session cookie is __Host- too, and opens the dashboard.
    let token = r.csrf().unwrap();
    let form = format!(
        "codice_fiscale={}&pin={}&csrf={}",
        MARIO.0,
        MARIO.1,
        client::enc(&token)
    );
    let r = curl(&cert, &jar, &["--data", &form], &format!("{base}/accedi"));
    assert_eq!(r.status, 303, "{}", r.body);
    let session = r.header("set-cookie").unwrap();
    assert!(
        session.starts_with("__Host-cds_session=") && session.contains("Secure"),
        "{session}"
    );
    let value = session
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    let r = curl(&cert, &jar, &[], &format!("{base}/dashboard"));
    assert_eq!(r.status, 200);
    // The same value under the plain name (what a sibling subdomain could set) opens nothing.
    let empty = dir.0.join("empty.txt");
    let planted = format!("cds_session={value}");
    let r = curl(
        &cert,
        &empty,
        &["-H", &format!("Cookie: {planted}")],
        &format!("{base}/dashboard"),
    );
    assert_eq!(r.status, 303, "only the __Host- cookie counts under TLS");
    // Plain HTTP on the TLS port gets nothing.
    let plain = std::process::Command::new("curl")
        .args(["-s", "-m", "3", &format!("http://{}/accedi", s.addr)])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("Accedi"));
}

#[test]
fn hsts_include_subdomains_is_a_setting() {
    let dir = TempDir::new("hsts");
    let (cert, key) = test_certificate(&dir);
    let s = Server::demo(&[
        ("CDS_TLS_CERT", cert.to_str().unwrap()),
        ("CDS_TLS_KEY", key.to_str().unwrap()),
        ("CDS_HTTP_HSTS_INCLUDE_SUBDOMAINS", "true"),
    ]);
    let r = curl(
        &cert,
        &dir.0.join("jar.txt"),
        &[],
        &format!("https://{}/accedi", s.addr),
    );
    assert_eq!(
        r.header("strict-transport-security"),
        Some("max-age=31536000; includeSubDomains")
    );
}
