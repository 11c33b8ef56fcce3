//! The test OpenID provider and its driver on their own, without the portal: discovery,
//! the code flow with PKCE, the id_token mutations, account switch, logout, private_key_jwt
//! with signed userinfo, key rotation. (The portal's own SPID/CIE tests are in oidc.rs.)

use crate::TempDir;
use crate::client::{self, Browser, enc, form};
use crate::oidc_op::*;
use sha2::{Digest, Sha256};
use std::path::Path;

const REDIRECT: &str = "http://127.0.0.1:9/accedi/oidc";
const POST_LOGOUT: &str = "http://127.0.0.1:9/accedi";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-verifier";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn random43(tag: &str) -> String {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).unwrap();
    let s = b64url(&b);
    assert_eq!(s.len(), 43, "{tag}");
    s
}

/// The code flow by hand, as the portal will do it: returns (token response, nonce).
fn login(
    op: &Op,
    browser: &mut Browser,
    client_id: &str,
    rp_key: Option<&Path>,
) -> (serde_json::Value, String) {
    let (state, nonce) = (random43("state"), random43("nonce"));
    let challenge = b64url(&Sha256::digest(VERIFIER.as_bytes()));
    let auth = format!(
        "{}/auth?client_id={client_id}&response_type=code&scope={}&redirect_uri={}&state={state}&nonce={nonce}&code_challenge={challenge}&code_challenge_method=S256&acr_values={}",
        op.url,
        enc("openid profile"),
        enc(REDIRECT),
        enc(SPID_L2),
    );
    let callback = follow_to_callback(browser, &auth, REDIRECT);
    assert!(callback.starts_with(&format!("{REDIRECT}?")), "{callback}");
    assert_eq!(
        query_param(&callback, "state").as_deref(),
        Some(state.as_str())
    );
    assert_eq!(
        query_param(&callback, "iss").as_deref(),
        Some(op.url.as_str())
    );
    let code = query_param(&callback, "code").expect("code");

    let discovery = op.discovery();
    let token_endpoint = discovery["token_endpoint"].as_str().unwrap();
    let (addr, path) = split_url(token_endpoint);
    let mut fields = vec![
        ("grant_type", "authorization_code".to_string()),
        ("code", code),
        ("redirect_uri", REDIRECT.to_string()),
        ("code_verifier", VERIFIER.to_string()),
    ];
    let mut headers = Vec::new();
    let basic = format!(
        "Basic {}",
        b64_std(format!("{CLIENT_ID}:{CLIENT_SECRET}").as_bytes())
    );
    match rp_key {
        None => headers.push(("Authorization", basic.as_str())),
        Some(pem) => {
            // private_key_jwt: aud = the token endpoint from discovery (BASE/test-token).
            let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
            header.kid = Some(JWT_CLIENT_KID.into());
            let claims = serde_json::json!({
                "iss": client_id, "sub": client_id, "aud": token_endpoint,
                "jti": random43("jti"), "iat": now(), "exp": now() + 60,
            });
            let key = jsonwebtoken::EncodingKey::from_ec_pem(&std::fs::read(pem).unwrap()).unwrap();
            let assertion = jsonwebtoken::encode(&header, &claims, &key).unwrap();
            fields.push((
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
            ));
            fields.push(("client_assertion", assertion));
        }
    }
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = client::request(&addr, "POST", &path, &headers, &form(&fields));
    assert_eq!(r.status, 200, "token: {} {}", r.body, op.log());
    (serde_json::from_str(&r.body).unwrap(), nonce)
}

fn b64_std(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(data)
}

#[test]
fn code_flow_pkce_mutation_account_switch_and_logout() {
    let dir = TempDir::new("oidc-op");
    let keys = rsa_keys("k1", &dir.0);
    let op = Op::start(0, &keys, REDIRECT, POST_LOGOUT, None);
    assert!(op.url.starts_with("http://127.0.0.1:"));

    let d = op.discovery();
    assert_eq!(d["issuer"], op.url.as_str());
    assert_eq!(
        d["token_endpoint"],
        format!("{}/test-token", op.url).as_str()
    );
    assert_eq!(d["jwks_uri"], format!("{}/jwks", op.url).as_str());
    assert_eq!(
        d["end_session_endpoint"],
        format!("{}/session/end", op.url).as_str()
    );
    let jwks: serde_json::Value =
        serde_json::from_str(&client::get(&op.addr, "/jwks").body).unwrap();
    assert_eq!(jwks["keys"][0]["kid"], "k1");
    assert!(jwks["keys"][0].get("d").is_none(), "public keys only");

    let mut browser = op.browser();
    let (tokens, nonce) = login(&op, &mut browser, CLIENT_ID, None);
    let (header, claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], "k1");
    assert_eq!(claims[FISCAL_CLAIM], "TINIT-RSSMRA80A01A182N");
    assert_eq!(claims["given_name"], "Mario");
    assert_eq!(claims["family_name"], "Rossi");
    assert_eq!(claims["acr"], SPID_L2);
    assert_eq!(claims["nonce"], nonce.as_str());
    assert_eq!(claims["aud"], CLIENT_ID);
    assert_eq!(claims["iss"], op.url.as_str());

    // Plain JSON userinfo for cds-portal.
    let access = tokens["access_token"].as_str().unwrap();
    let bearer = format!("Bearer {access}");
    let ui = client::request(&op.addr, "GET", "/me", &[("Authorization", &bearer)], "");
    assert_eq!(ui.status, 200, "{}", ui.body);
    assert!(
        ui.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );

    // The next token response is altered, then back to normal; the account switch
    // applies in the same OP session.
    op.mutate("wrong_aud");
    op.next("nuovo", SPID_L3);
    let (tokens, _) = login(&op, &mut browser, CLIENT_ID, None);
    let (_, claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["aud"], "someone-else");
    assert_eq!(claims[FISCAL_CLAIM], "TINIT-MRTMTT25D09F205Z");
    assert_eq!(claims["acr"], SPID_L3);
    let (tokens, _) = login(&op, &mut browser, CLIENT_ID, None);
    let (_, claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["aud"], CLIENT_ID);

    // RP-initiated logout ends at the post-logout URL, by redirects.
    let end = format!(
        "{}?id_token_hint={}&post_logout_redirect_uri={}&state=bye",
        d["end_session_endpoint"].as_str().unwrap(),
        tokens["id_token"].as_str().unwrap(),
        enc(POST_LOGOUT)
    );
    let back = follow_to_callback(&mut browser, &end, POST_LOGOUT);
    assert_eq!(back, format!("{POST_LOGOUT}?state=bye"));
}

#[test]
fn private_key_jwt_signed_userinfo_and_key_rotation() {
    let dir = TempDir::new("oidc-op-jwt");
    let keys = rsa_keys("k1", &dir.0);
    let (rp_private, rp_public) = client_key(&dir.0);
    let mut op = Op::start(0, &keys, REDIRECT, POST_LOGOUT, Some(&rp_public));
    op.next("nofiscal", SPID_L2);

    let mut browser = op.browser();
    let (tokens, _) = login(&op, &mut browser, JWT_CLIENT_ID, Some(&rp_private));
    let (_, claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["aud"], JWT_CLIENT_ID);
    assert!(claims.get(FISCAL_CLAIM).is_none(), "{claims}");
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    let ui = client::request(&op.addr, "GET", "/me", &[("Authorization", &bearer)], "");
    assert_eq!(ui.status, 200, "{}", ui.body);
    assert_eq!(
        ui.header("content-type"),
        Some("application/jwt; charset=utf-8")
    );
    let (header, claims) = jwt_parts(ui.body.trim());
    assert_eq!(header["alg"], "RS256");
    assert_eq!(claims["sub"], "nofiscal");
    assert!(claims.get(FISCAL_CLAIM).is_none(), "{claims}");

    // Key rotation: same port, new key.
    let port = op.port;
    let keys2 = rsa_keys("k2", &dir.0);
    op.restart_with_keys(&keys2);
    assert_eq!(op.port, port);
    let jwks: serde_json::Value =
        serde_json::from_str(&client::get(&op.addr, "/jwks").body).unwrap();
    assert_eq!(jwks["keys"][0]["kid"], "k2");
    op.next("mario", SPID_L2);
    let (tokens, _) = login(&op, &mut browser, JWT_CLIENT_ID, Some(&rp_private));
    let (header, claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(header["kid"], "k2");
    assert_eq!(claims[FISCAL_CLAIM], "TINIT-RSSMRA80A01A182N");
    op.mutate("acr_low");
    let (tokens, _) = login(&op, &mut browser, JWT_CLIENT_ID, Some(&rp_private));
    let (header, claims) = jwt_parts(tokens["id_token"].as_str().unwrap());
    assert_eq!(header["kid"], "k2", "re-signed with the current key");
    assert_eq!(claims["acr"], SPID_L1);
}
