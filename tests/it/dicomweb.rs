//! The DICOMweb archive against a real Orthanc (with its DICOMweb plugin) started on
//! loopback with a temp storage: recovery, a study missing, the archive down and back,
//! and a truncated multipart answer from a stub.

use crate::client::{self, Browser};
use crate::documents::{SMALL_DEMO, id_of};
use crate::stub::free_port;
use crate::{MARIO, Server, TempDir, eventually, shared_archive};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

const PATH: &str = "/documenti-interscambiati";

/// A real Orthanc with its DICOMweb plugin on loopback (also used by `archive_sync`).
pub(crate) struct Orthanc {
    child: Child,
    port: u16,
    /// `Authorization` header value when the PACS requires basic auth.
    auth: Option<String>,
    _dir: TempDir,
}

/// The PACS's user for the tests that turn authentication on.
const PACS_USER: (&str, &str) = ("cds", "s3greto-pacs");

impl Orthanc {
    pub(crate) fn start(port: u16) -> Orthanc {
        Orthanc::start_with(port, false)
    }

    fn start_with(port: u16, authenticated: bool) -> Orthanc {
        let dir = TempDir::new("orthanc");
        let config = serde_json::json!({
            "Name": "CDS test PACS",
            "HttpPort": port,
            "RemoteAccessAllowed": false,
            "AuthenticationEnabled": authenticated,
            "RegisteredUsers": {PACS_USER.0: PACS_USER.1},
            "DicomServerEnabled": false,
            "StorageDirectory": dir.0.join("storage"),
            "IndexDirectory": dir.0.join("index"),
            "Plugins": ["/usr/share/orthanc/plugins/libOrthancDicomWeb.so"],
            "DicomWeb": {"Enable": true, "Root": "/dicom-web/"},
        });
        let cfg = dir.0.join("orthanc.json");
        std::fs::write(&cfg, config.to_string()).unwrap();
        let log = std::fs::File::create(dir.0.join("orthanc.log")).unwrap();
        let child = Command::new("/usr/sbin/Orthanc")
            .arg(&cfg)
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("Orthanc installed (tests/install-deps.sh)");
        let addr = format!("127.0.0.1:{port}");
        let auth = authenticated.then(|| {
            format!(
                "Basic {}",
                base64(&format!("{}:{}", PACS_USER.0, PACS_USER.1))
            )
        });
        let headers: Vec<(&str, &str)> =
            auth.iter().map(|a| ("Authorization", a.as_str())).collect();
        assert!(
            eventually(20, || std::net::TcpStream::connect(&addr).is_ok()
                && client::request(&addr, "GET", "/system", &headers, "").status
                    == 200),
            "Orthanc answers"
        );
        Orthanc {
            child,
            port,
            auth,
            _dir: dir,
        }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}/dicom-web", self.port)
    }

    pub(crate) fn upload(&self, files: &[PathBuf]) {
        for f in files {
            let data = std::fs::read(f).unwrap();
            let auth = self
                .auth
                .as_ref()
                .map(|a| format!("Authorization: {a}\r\n"))
                .unwrap_or_default();
            let mut req = format!(
                "POST /instances HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{auth}Content-Type: application/dicom\r\nContent-Length: {}\r\n\r\n",
                data.len()
            )
            .into_bytes();
            req.extend_from_slice(&data);
            let r = client::raw(&format!("127.0.0.1:{}", self.port), &req);
            assert_eq!(r.status, 200, "upload {}: {}", f.display(), r.body);
        }
    }
}

impl Drop for Orthanc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The files of the demo CT (the first study in the shared archive's list).
pub(crate) fn ct_files() -> Vec<PathBuf> {
    let root = PathBuf::from(&shared_archive().0);
    let uid = std::fs::read_to_string(root.join("demo-studies.txt"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(uid))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

fn base64(s: &str) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    s.as_bytes()
        .chunks(3)
        .flat_map(|c| {
            let n = (c[0] as u32) << 16
                | (*c.get(1).unwrap_or(&0) as u32) << 8
                | *c.get(2).unwrap_or(&0) as u32;
            (0..4).map(move |i| {
                if i <= c.len() {
                    T[(n >> (18 - 6 * i) & 63) as usize] as char
                } else {
                    '='
                }
            })
        })
        .collect()
}

pub(crate) fn dicomweb_server_with(url: &str, extra: &[(&str, &str)]) -> Server {
    let mut env = SMALL_DEMO.to_vec();
    env.extend_from_slice(&[
        ("CDS_ARCHIVE_KIND", "dicomweb"),
        ("CDS_ARCHIVE_DICOMWEB_URL", url),
        ("CDS_ARCHIVE_DICOMWEB_RESPONSE_TIMEOUT_SECS", "5"),
    ]);
    // Last: a test's own settings (e.g. a shorter timeout) win.
    env.extend_from_slice(extra);
    Server::demo(&env)
}

/// A portal on this DICOMweb archive, Mario logged in, and the row after recovering his CT.
struct Recovered {
    server: Server,
    browser: Browser,
    ct: String,
    row: String,
}

fn recover_ct(url: &str, extra: &[(&str, &str)]) -> Recovered {
    let server = dicomweb_server_with(url, extra);
    let mut browser = Browser::new(&server.addr);
    browser.login(MARIO.0, MARIO.1);
    let ct = id_of(&browser.get(PATH), "TC torace senza mdc");
    let row = click(&mut browser, &ct);
    Recovered {
        server,
        browser,
        ct,
        row,
    }
}

pub(crate) fn click(b: &mut Browser, id: &str) -> String {
    let token = b.csrf.clone().unwrap();
    b.send(
        "POST",
        &format!("{PATH}/{id}/recupera"),
        &[("HX-Request", "true"), ("X-CSRF-Token", &token)],
        "",
    );
    let mut body = String::new();
    assert!(eventually(60, || {
        body = b
            .send(
                "GET",
                &format!("{PATH}/{id}/riga"),
                &[("HX-Request", "true")],
                "",
            )
            .body;
        !body.contains("Recupero in corso")
    }));
    body
}

fn sha256(data: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(data).to_vec()
}

#[test]
fn recovers_from_orthanc_and_explains_a_missing_study() {
    let files = ct_files();
    let pacs = Orthanc::start(free_port());
    pacs.upload(&files);
    let Recovered {
        server: s,
        browser: mut b,
        ct,
        row,
    } = recover_ct(&pacs.url(), &[]);
    assert!(row.contains("Disponibile"), "{row}\n{}", s.log());
    let dl = b.get(&format!("{PATH}/{ct}/download"));
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(dl.body_bytes())).unwrap();
    let mut got: Vec<Vec<u8>> = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        if f.name().unwrap().starts_with("DICOM/") {
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            got.push(sha256(&data));
        }
    }
    let mut want: Vec<Vec<u8>> = files
        .iter()
        .map(|f| sha256(&std::fs::read(f).unwrap()))
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want, "the archive's files, byte for byte");
    // The MR was never sent to this PACS.
    let week = b.get(&format!(
        "{PATH}?da={}",
        crate::documents::today()
            .checked_sub(jiff::Span::new().days(7))
            .unwrap()
    ));
    let mr = id_of(&week, "RM encefalo");
    let row = click(&mut b, &mr);
    assert!(
        row.contains("Recupero non riuscito") && row.contains("non è stato trovato"),
        "{row}"
    );
    assert!(row.contains("Riprova"));
}

#[test]
fn archive_down_then_back() {
    let port = free_port();
    let mut r = recover_ct(&format!("http://127.0.0.1:{port}/dicom-web"), &[]);
    assert!(
        r.row.contains("Recupero non riuscito") && r.row.contains("non risponde"),
        "{}",
        r.row
    );
    let pacs = Orthanc::start(port);
    pacs.upload(&ct_files());
    let row = click(&mut r.browser, &r.ct);
    assert!(
        row.contains("Disponibile"),
        "Riprova works once the archive is back: {row}"
    );
}

#[test]
fn truncated_multipart_is_reported() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut s = stream;
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: multipart/related; type=\"application/dicom\"; boundary=XyZ\r\nConnection: close\r\n\r\n--XyZ\r\nContent-Type: application/dicom\r\n\r\nDICM-half-a-file",
            );
        }
    });
    let r = recover_ct(&format!("http://127.0.0.1:{port}/dicom-web"), &[]);
    assert!(
        r.row.contains("Recupero non riuscito") && r.row.contains("dati incompleti"),
        "{}",
        r.row
    );
    assert!(r.server.log().contains("troncata"), "the log says why");
}

#[test]
fn basic_auth_from_config() {
    let pacs = Orthanc::start_with(free_port(), true);
    pacs.upload(&ct_files());
    // Wrong password: refused by the PACS, explained to the patient, logged for IT.
    let user = ("CDS_ARCHIVE_DICOMWEB_USERNAME", PACS_USER.0);
    let r = recover_ct(
        &pacs.url(),
        &[user, ("CDS_ARCHIVE_DICOMWEB_PASSWORD", "sbagliata")],
    );
    assert!(
        r.row.contains("Recupero non riuscito") && r.row.contains("non risponde"),
        "{}",
        r.row
    );
    assert!(
        r.server.log().contains("risposta 401"),
        "{}",
        r.server.log()
    );
    assert!(
        !r.server.log().contains("sbagliata"),
        "no password in the log"
    );
    drop(r);
    let r = recover_ct(
        &pacs.url(),
        &[user, ("CDS_ARCHIVE_DICOMWEB_PASSWORD", PACS_USER.1)],
    );
    assert!(r.row.contains("Disponibile"), "{}", r.server.log());
}

/// `POST /api/v1/documenti` naming `study`, with the demo token; the status.
fn api_publish(s: &Server, ext: &str, study: &str) -> u16 {
    let body = format!(
        r#"{{"codice_fiscale": "{}", "categoria": "Immagini diagnostiche", "titolo": "Studio dal PACS", "data": "2026-01-02", "id_esterno": "{ext}", "studio": "{study}"}}"#,
        MARIO.0
    );
    let req = format!(
        "POST /api/v1/documenti HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        crate::DEMO_TOKEN,
        body.len()
    );
    client::raw(&s.addr, req.as_bytes()).status
}

#[test]
fn the_api_looks_a_study_up_with_qido_rs() {
    let studies =
        std::fs::read_to_string(format!("{}/demo-studies.txt", shared_archive().0)).unwrap();
    let uids: Vec<&str> = studies
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    let port = free_port();
    let s = dicomweb_server_with(&format!("http://127.0.0.1:{port}/dicom-web"), &[]);
    assert_eq!(
        api_publish(&s, "PACS-1", uids[0]),
        503,
        "the archive is down"
    );
    let pacs = Orthanc::start(port);
    pacs.upload(&ct_files());
    assert_eq!(api_publish(&s, "PACS-1", uids[0]), 201, "{}", s.log());
    // The MR was never sent to this PACS.
    assert_eq!(api_publish(&s, "PACS-2", uids[1]), 422);
}
