//! TLS to the provider: the contract stub served over HTTPS with a certificate of a test CA
//! (made here with openssl) and asking for a client certificate, as intermediaries that
//! want mutual TLS do. With `payments.connection.ca_file` and the client certificate the
//! Conferma goes through; without the client certificate, or trusting only the system's
//! roots, the handshake fails and the patient reads the Italian message — nothing is made.

use crate::client::Browser;
use crate::orders::location;
use crate::payments_real::{Kind, draft, env, row};
use crate::payments_stub::PaymentsStub;
use crate::{MARIO, Server, TempDir};
use std::path::{Path, PathBuf};
use std::process::Command;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl (tests/install-deps.sh installs it)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A test CA, a server certificate for 127.0.0.1 and a client certificate, all signed by it.
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf, PathBuf, PathBuf) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=CDS test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    openssl(dir, &ca);
    for (name, cn, usage) in [
        ("server", "/CN=127.0.0.1", "serverAuth"),
        ("client", "/CN=cds-portal", "clientAuth"),
    ] {
        let (key, csr, pem, ext) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
            format!("{name}.ext"),
        );
        let mut req = vec!["req"];
        req.extend(ec);
        req.extend(["-keyout", &key, "-out", &csr, "-subj", cn]);
        openssl(dir, &req);
        let san = if name == "server" {
            "subjectAltName=IP:127.0.0.1\n"
        } else {
            ""
        };
        std::fs::write(
            dir.join(&ext),
            format!("{san}basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage={usage}\n"),
        )
        .unwrap();
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &pem,
                "-days",
                "2",
                "-extfile",
                &ext,
            ],
        );
    }
    (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
        dir.join("client.pem"),
        dir.join("client.key"),
    )
}

/// The portal against the stub's HTTPS side, with `extra` settings: the Conferma's status.
fn conferma_over_tls(stub: &PaymentsStub, https: &str, extra: &[(&str, &str)]) -> (u16, String) {
    let mut owned = env(Kind::PiemontePay, stub);
    for (k, v) in owned.iter_mut() {
        if k == "CDS_PAYMENTS_PIEMONTEPAY_URL" {
            *v = format!("{https}/epayapi/api/v1");
        }
    }
    let mut all: Vec<(&str, &str)> = owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    all.extend_from_slice(extra);
    let s = Server::demo(&all);
    let mut b = Browser::new(&s.addr);
    b.login(MARIO.0, MARIO.1);
    let number = draft(&mut b, &s);
    let r = b.post(
        &format!("/ordini/{number}/conferma"),
        &[("email", "mario.rossi@example.org")],
    );
    if r.status == 303 {
        assert_eq!(location(&r), format!("/ordini/{number}"));
    } else {
        assert!(
            r.body.contains("Il servizio di pagamento non risponde"),
            "{}",
            r.body
        );
    }
    (r.status, row(&s, &number).0)
}

#[test]
fn mutual_tls_to_the_provider_with_the_configured_roots_and_client_certificate() {
    let dir = TempDir::new("payments-tls");
    let (ca, cert, key, client, client_key) = certificates(&dir.0);
    let (stub, https) = PaymentsStub::start_tls(&cert, &key, Some(&ca));
    let (ca, client, client_key) = (
        ca.to_str().unwrap(),
        client.to_str().unwrap(),
        client_key.to_str().unwrap(),
    );
    let trusted = ("CDS_PAYMENTS_CONNECTION_CA_FILE", ca);
    let with_cert = [
        trusted,
        ("CDS_PAYMENTS_CONNECTION_CLIENT_CERT", client),
        ("CDS_PAYMENTS_CONNECTION_CLIENT_KEY", client_key),
    ];
    // Trusting only the system's roots: the test CA is unknown, nothing is sent.
    assert_eq!(
        conferma_over_tls(&stub, &https, &with_cert[1..]),
        (503, "draft".into())
    );
    // The right roots, no client certificate: the stub ends the handshake.
    assert_eq!(
        conferma_over_tls(&stub, &https, &[trusted]),
        (503, "draft".into())
    );
    assert_eq!(
        stub.count(Kind::PiemontePay.create_op()),
        0,
        "nothing reached it"
    );
    // Both: the position is made over mutual TLS.
    assert_eq!(
        conferma_over_tls(&stub, &https, &with_cert),
        (303, "pending".into())
    );
    assert_eq!(stub.count(Kind::PiemontePay.create_op()), 1);
    stub.assert_no_violations();
}
