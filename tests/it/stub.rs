//! A real HTTP SMS gateway on loopback: records every request it receives.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub authorization: String,
    pub json: serde_json::Value,
}

pub struct SmsStub {
    pub received: Arc<Mutex<Vec<Received>>>,
    pub port: u16,
}

impl SmsStub {
    /// Binds 127.0.0.1:`port` (0 = any free port) and serves forever in a thread.
    pub fn start(port: u16) -> SmsStub {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind stub");
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let sink = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut first = String::new();
                if reader.read_line(&mut first).is_err() {
                    continue;
                }
                let (mut len, mut auth) = (0usize, String::new());
                loop {
                    let mut l = String::new();
                    if reader.read_line(&mut l).unwrap_or(0) == 0 || l == "\r\n" {
                        break;
                    }
                    let lower = l.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                    if lower.starts_with("authorization:") {
                        auth = l["authorization:".len()..].trim().to_string();
                    }
                }
                let mut body = vec![0u8; len];
                let _ = reader.read_exact(&mut body);
                sink.lock().unwrap().push(Received {
                    path: first.split_whitespace().nth(1).unwrap_or("").to_string(),
                    authorization: auth,
                    json: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
                });
                let mut s = stream;
                let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\nConnection: close\r\n\r\n{\"status\":\"ok\"}");
            }
        });
        SmsStub { received, port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/api/sms", self.port)
    }

    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// A port that nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
