//! Path traversal in every path parameter — assets, documents' ids, share tokens, the
//! online viewer's names (with the share really open), the back office's file downloads,
//! the API's ids, the language — always 404, never a file from outside.

use super::{Watch, count, figures, no_file_leak};
use crate::client::{Browser, request};
use crate::shares::{CT, code, share};
use crate::{DEMO_TOKEN, MARIO, OPERATORE, Server};

/// Ways to say "go up" that a careless decoder would follow.
const UP: [&str; 10] = [
    "../../../../etc/passwd",
    "..%2f..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/%2e%2e/Cargo.toml",
    "%2e%2e%2f%2e%2e%2fCargo.toml",
    "..%5c..%5cCargo.toml",
    "....//....//etc/passwd",
    "%252e%252e%252fCargo.toml",
    "..%c0%af..%c0%afetc%c0%afpasswd",
    "%2fetc%2fpasswd",
    "data/cds-portal.db",
];

#[test]
fn traversal_in_every_path_parameter_is_a_404() {
    let s = Server::demo(&[]);
    let watch = Watch::start(&s.addr);
    let mut mario = Browser::new(&s.addr);
    assert_eq!(mario.login(MARIO.0, MARIO.1).status, 303);
    let (link, secret) = share(&mut mario, CT, "7");
    let mut doctor = Browser::new(&s.addr);
    doctor.get(&link);
    let opened = code(&mut doctor, &link, &secret);
    assert!(opened.status < 400, "{}", opened.body);
    let mut op = Browser::new(&s.addr);
    assert_eq!(op.operator_login(OPERATORE.0, OPERATORE.1).status, 303);
    let bearer = format!("Bearer {DEMO_TOKEN}");
    let mut tried = 0;
    for up in UP {
        let patient_paths = [
            format!("/assets/{up}"),
            format!("/assets/css/{up}"),
            format!("/assets/css/site.css/{up}"),
            format!("/documenti-interscambiati/{up}/download"),
            format!("/documenti-interscambiati/{up}"),
            format!("/documenti/{up}/anteprima"),
            format!("/ordini/{up}"),
            format!("/condivisioni/{up}/revoca"),
            format!("/lingua/{up}"),
            format!("/{up}"),
        ];
        for p in &patient_paths {
            let r = mario.get(p);
            assert_eq!(r.status, 404, "{p}: {}", r.body);
            no_file_leak(&r, p);
            tried += 1;
        }
        for p in [
            format!("{link}/viewer/VIEWER/{up}"),
            format!("{link}/viewer/DICOM/{up}"),
            format!("{link}/viewer/{up}"),
            format!("{link}/{up}"),
            format!("/condivisi/{up}/download"),
            format!("/condivisi/{up}/viewer/VIEWER/index.html"),
        ] {
            let r = doctor.get(&p);
            assert_eq!(r.status, 404, "{p}: {}", r.body);
            no_file_leak(&r, &p);
            tried += 1;
        }
        for p in [
            format!("/operatore/documenti/{up}/file"),
            format!("/operatore/documenti/{up}"),
            format!("/operatore/pazienti/{up}"),
            format!("/operatore/richieste/{up}"),
            format!("/operatore/{up}"),
        ] {
            let r = op.get(&p);
            assert_eq!(r.status, 404, "{p}: {}", r.body);
            no_file_leak(&r, &p);
            tried += 1;
        }
        for (method, p) in [
            ("GET", format!("/api/v1/pazienti/{up}/documenti")),
            ("DELETE", format!("/api/v1/documenti/{up}")),
            ("GET", format!("/api/v1/{up}")),
        ] {
            let r = request(&s.addr, method, &p, &[("Authorization", &bearer)], "");
            assert!((400..500).contains(&r.status), "{method} {p}: {}", r.status);
            no_file_leak(&r, &p);
            tried += 1;
        }
    }
    // The viewer still serves its own page for the same doctor (the checks above were not
    // refused for some other reason), and the assets their files.
    assert_eq!(mario.get("/assets/css/site.css").status, 200);
    let viewer = doctor.get(&format!("{link}/viewer/VIEWER/index.html"));
    assert!(
        viewer.status == 200 || viewer.status == 404,
        "{}",
        viewer.status
    );
    watch.finish();
    count(tried + 6, tried);
    figures();
}
