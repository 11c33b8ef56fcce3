//! Retention on the real binary: `cds-portal purge` on a running demo's data folder deletes
//! what is past its time — audit lines older than `retention.audit_months`, SMS texts older
//! than `retention.sms_days`, shares ended more than `retention.shares_days` ago (with their
//! accesses), the recovery (and its ZIP) of a document past its online window — keeps
//! everything younger, audits itself, and a second run deletes nothing more.

use crate::orders::db;
use crate::{MARIO, Server};
use std::process::Command;

const DAY: i64 = 86_400;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn purge(s: &Server, env: &[(&str, &str)]) -> (i32, String) {
    let out = Command::new(&*crate::BIN)
        .arg("purge")
        .arg("--data")
        .arg(s.data.0.join("data"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("CDS_LOG_FILTER", "warn")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

fn count(s: &Server, sql: &str) -> i64 {
    db(s).query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn purge_deletes_what_is_past_its_time_keeps_the_rest_and_audits_itself() {
    let s = Server::demo(&[]);
    let c = db(&s);
    let now = now();
    let patient: i64 = c
        .query_row(
            "SELECT id FROM patients WHERE codice_fiscale = ?1",
            [MARIO.0],
            |r| r.get(0),
        )
        .unwrap();
    let doc: i64 = c
        .query_row(
            "SELECT id FROM documents WHERE patient_id = ?1 ORDER BY id LIMIT 1",
            [patient],
            |r| r.get(0),
        )
        .unwrap();
    // Audit: 25 months old goes, 23 months old stays.
    for (age, action) in [(25 * 31 * DAY, "old_line"), (23 * 30 * DAY, "young_line")] {
        c.execute(
            "INSERT INTO audit_log (at, patient_id, action, detail) VALUES (?1, ?2, ?3, '')",
            rusqlite::params![now - age, patient, action],
        )
        .unwrap();
    }
    // SMS: sent 10 days ago (emptied), sent yesterday (kept), queued ten minutes ago and due
    // tomorrow (kept; the queue itself empties what it gives up).
    for (id, state, age) in [
        ("old", "sent", 10 * DAY),
        ("new", "sent", DAY),
        ("waiting", "queued", 600),
    ] {
        c.execute(
            "INSERT INTO sms_queue (message_id, to_e164, body, state, next_attempt_at, created_at, sent_at)
             VALUES (?1, '+393331234567', 'Il tuo PIN è 12345678', ?2, ?3, ?4, ?5)",
            rusqlite::params![
                format!("ret-{id}"),
                state,
                // The queued one is due tomorrow: the running server's queue leaves it be.
                if state == "queued" { now + DAY } else { now - age },
                now - age,
                (state == "sent").then_some(now - age)
            ],
        )
        .unwrap();
    }
    // Shares: expired 100 days ago (goes, with its access), revoked 200 days ago though it
    // would expire later (goes), expired 10 days ago (stays).
    for (name, expires, revoked) in [
        ("old", now - 100 * DAY, None),
        ("revoked", now + 10 * DAY, Some(now - 200 * DAY)),
        ("recent", now - 10 * DAY, None),
    ] {
        c.execute(
            "INSERT INTO shares (public_id, token_hash, code_mac, patient_id, document_id, created_at, expires_at, revoked_at)
             VALUES (?1, ?2, 'x', ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![
                format!("{name:0>32}"),
                name.as_bytes(),
                patient,
                doc,
                now - 300 * DAY,
                expires,
                revoked
            ],
        )
        .unwrap();
        let share = c.last_insert_rowid();
        c.execute(
            "INSERT INTO share_accesses (share_id, at, ip, what) VALUES (?1, ?2, '203.0.113.9', 'code_ok')",
            rusqlite::params![share, now - 300 * DAY],
        )
        .unwrap();
    }
    // A document past its online window with a ready ZIP, and one within it.
    let cache = s.data.0.join("data").join("retention-test");
    std::fs::create_dir_all(&cache).unwrap();
    let mut zips = Vec::new();
    for (name, day) in [
        ("old", "2000-01-01".to_string()),
        ("today", jiff::Zoned::now().date().to_string()),
    ] {
        c.execute(
            "INSERT INTO documents (public_id, patient_id, category, title, exchanged_at, exchange_day, published_at, source_kind, source_ref, created_at)
             VALUES (?1, ?2, 'Radiologia', 'Prova', ?3, ?4, ?3, 'pdf', 'x.pdf', ?3)",
            rusqlite::params![format!("{name:f>32}"), patient, now, day],
        )
        .unwrap();
        let d = c.last_insert_rowid();
        let zip = cache.join(format!("{name}.zip"));
        std::fs::write(&zip, b"PK").unwrap();
        c.execute(
            "INSERT INTO recoveries (document_id, state, requested_at, finished_at, file_path, file_name, file_size, expires_at)
             VALUES (?1, 'ready', ?2, ?2, ?3, 'x.zip', 2, ?4)",
            rusqlite::params![d, now, zip.to_str().unwrap(), now + DAY],
        )
        .unwrap();
        zips.push((d, zip));
    }
    drop(c);

    let (code, out) = purge(&s, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("recuperi fuori finestra 1") && out.contains("condivisioni 2"),
        "{out}"
    );
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM audit_log WHERE action = 'old_line'"
        ),
        0
    );
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM audit_log WHERE action = 'young_line'"
        ),
        1
    );
    let bodies: Vec<(String, String)> = db(&s)
        .prepare("SELECT message_id, body FROM sms_queue WHERE message_id LIKE 'ret-%' ORDER BY message_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        bodies[0],
        ("ret-new".into(), "Il tuo PIN è 12345678".into())
    );
    assert_eq!(bodies[1], ("ret-old".into(), String::new()));
    assert_eq!(bodies[2].1, "Il tuo PIN è 12345678", "not sent yet: kept");
    let shares: Vec<String> = db(&s)
        .prepare("SELECT public_id FROM shares WHERE public_id LIKE '%old' OR public_id LIKE '%revoked' OR public_id LIKE '%recent'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(shares, vec![format!("{:0>32}", "recent")]);
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM share_accesses WHERE share_id NOT IN (SELECT id FROM shares)"
        ),
        0,
        "accesses go with their share"
    );
    let (old, young) = (&zips[0], &zips[1]);
    assert_eq!(
        count(
            &s,
            &format!(
                "SELECT count(*) FROM recoveries WHERE document_id = {}",
                old.0
            )
        ),
        0
    );
    assert!(!old.1.exists(), "the ZIP past the window is deleted");
    assert_eq!(
        count(
            &s,
            &format!(
                "SELECT count(*) FROM recoveries WHERE document_id = {}",
                young.0
            )
        ),
        1
    );
    assert!(young.1.exists());
    let detail: String = db(&s)
        .query_row(
            "SELECT detail FROM audit_log WHERE action = 'retention_purge' ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        detail.contains("condivisioni 2") && detail.contains("righe di audit"),
        "{detail}"
    );
    assert!(!detail.contains(MARIO.0) && !detail.contains("PIN"));
    let integrity: String = db(&s)
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");

    // Again: nothing more to delete, one more audit line.
    let (code, out) = purge(&s, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("recuperi fuori finestra 0")
            && out.contains("testi SMS 0")
            && out.contains("condivisioni 0")
            && out.contains("righe di audit 0"),
        "{out}"
    );
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM audit_log WHERE action = 'retention_purge'"
        ),
        2
    );
    // The server went on answering.
    assert_eq!(crate::client::get(&s.addr, "/healthz").status, 200);
}

#[test]
fn a_retention_shorter_than_six_months_is_refused() {
    let s = Server::demo(&[]);
    let (code, out) = purge(&s, &[("CDS_RETENTION_AUDIT_MONTHS", "3")]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("retention: audit_months ≥ 6"), "{out}");
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM audit_log WHERE action = 'retention_purge'"
        ),
        0
    );
}
