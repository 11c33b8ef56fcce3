//! A small HTTP/1.1 client over a raw TCP stream (`Connection: close`), so tests see
//! exactly what the server sends, and a `Browser` that keeps cookies and CSRF tokens.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub raw_body: Vec<u8>,
}

impl Response {
    pub fn body_bytes(&self) -> Vec<u8> {
        self.raw_body.clone()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The value of `<input name="csrf" value="...">` or `<meta name="csrf-token">`.
    pub fn csrf(&self) -> Option<String> {
        for marker in ["name=\"csrf\" value=\"", "name=\"csrf-token\" content=\""] {
            if let Some(i) = self.body.find(marker) {
                let rest = &self.body[i + marker.len()..];
                return rest.split('"').next().map(str::to_string);
            }
        }
        None
    }
}

pub fn raw(addr: &str, request: &[u8]) -> Response {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(request).unwrap();
    read_response(&mut s)
}

pub fn read_response(s: &mut TcpStream) -> Response {
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).expect("read response");
    parse(&buf)
}

pub fn parse(buf: &[u8]) -> Response {
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
        .unwrap_or(buf.len());
    let raw_body = buf[split..].to_vec();
    let text = String::from_utf8_lossy(&buf[..split]);
    let head = text.trim_end();
    let body = String::from_utf8_lossy(&raw_body).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body,
        raw_body,
    }
}

pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Response {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if method == "POST" {
        req.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    req.push_str(body);
    raw(addr, req.as_bytes())
}

pub fn get(addr: &str, path: &str) -> Response {
    request(addr, "GET", path, &[], "")
}

/// The text of the first element whose opening tag contains `marker` (e.g. `id="ticket"`):
/// from the end of that tag to the next `<`.
pub fn element_text(html: &str, marker: &str) -> Option<String> {
    let (_, rest) = html.split_once(marker)?;
    let (_, text) = rest.split_once('>')?;
    Some(text.split('<').next().unwrap_or_default().to_string())
}

/// A form value, percent-encoded as browsers send it.
pub fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A `multipart/form-data` body: the text fields in order, then one file (field name, file
/// name, content type, bytes). Returns the Content-Type header and the body.
pub fn multipart(
    fields: &[(&str, &str)],
    file: Option<(&str, &str, &str, &[u8])>,
) -> (String, Vec<u8>) {
    let boundary = "----cdsTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((field, name, ctype, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: {ctype}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Sends a request with a body of any bytes and its Content-Type.
pub fn request_bytes(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    content_type: &str,
    body: &[u8],
) -> Response {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!(
        "Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    ));
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    raw(addr, &bytes)
}

/// Keeps cookies like a browser and fills in the CSRF token of the last page.
pub struct Browser {
    pub addr: String,
    pub cookies: BTreeMap<String, String>,
    pub csrf: Option<String>,
}

impl Browser {
    pub fn new(addr: &str) -> Browser {
        Browser {
            addr: addr.to_string(),
            cookies: BTreeMap::new(),
            csrf: None,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn absorb(&mut self, r: &Response) {
        for c in r.headers_named("set-cookie") {
            let pair = c.split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() || c.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
        if let Some(t) = r.csrf() {
            self.csrf = Some(t);
        }
    }

    pub fn send(
        &mut self,
        method: &str,
        path: &str,
        extra: &[(&str, &str)],
        body: &str,
    ) -> Response {
        let cookie = self.cookie_header();
        let mut headers: Vec<(&str, &str)> = extra.to_vec();
        if !cookie.is_empty() {
            headers.push(("Cookie", &cookie));
        }
        let r = request(&self.addr, method, path, &headers, body);
        self.absorb(&r);
        r
    }

    pub fn get(&mut self, path: &str) -> Response {
        self.send("GET", path, &[], "")
    }

    /// POSTs a form with the current CSRF token added.
    pub fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf.clone().unwrap_or_default();
        let mut all = fields.to_vec();
        all.push(("csrf", &token));
        self.send("POST", path, &[], &form(&all))
    }

    /// POSTs a multipart form as a browser does: the CSRF token first, then the fields and
    /// the file.
    pub fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &str, &[u8])>,
    ) -> Response {
        let token = self.csrf.clone().unwrap_or_default();
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        let (ctype, body) = multipart(&all, file);
        let cookie = self.cookie_header();
        let r = request_bytes(
            &self.addr,
            "POST",
            path,
            &[("Cookie", &cookie)],
            &ctype,
            &body,
        );
        self.absorb(&r);
        r
    }

    /// A POST as htmx sends it: `HX-Request` and the CSRF token in a header.
    pub fn hx_post(&mut self, path: &str) -> Response {
        let token = self.csrf.clone().unwrap_or_default();
        self.send(
            "POST",
            path,
            &[("HX-Request", "true"), ("X-CSRF-Token", &token)],
            "",
        )
    }

    /// A GET as htmx sends it.
    pub fn hx_get(&mut self, path: &str) -> Response {
        self.send("GET", path, &[("HX-Request", "true")], "")
    }

    /// Opens the login page and signs in; returns the POST's response.
    pub fn login(&mut self, cf: &str, pin: &str) -> Response {
        self.get("/accedi");
        self.post("/accedi", &[("codice_fiscale", cf), ("pin", pin)])
    }

    /// Opens the operators' login page and signs in (no TOTP); returns the POST's response.
    pub fn operator_login(&mut self, username: &str, password: &str) -> Response {
        self.get("/operatore/accedi");
        self.post(
            "/operatore/accedi",
            &[("username", username), ("password", password)],
        )
    }
}
