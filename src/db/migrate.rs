//! `schema.sql` is a ledger of numbered steps; `PRAGMA user_version` says how many are applied.

use crate::error::{AppError, Context, Kind};
use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;
use std::path::Path;

pub const SCHEMA: &str = include_str!("../../schema.sql");

/// The steps of a ledger, in order: `(number, sql)`.
pub fn steps(ledger: &str) -> Vec<(u32, String)> {
    let mut out: Vec<(u32, String)> = Vec::new();
    for line in ledger.lines() {
        if let Some(n) = line
            .strip_prefix("-- step ")
            .and_then(|n| n.trim().parse().ok())
        {
            out.push((n, String::new()));
        } else if let Some((_, sql)) = out.last_mut() {
            sql.push_str(line);
            sql.push('\n');
        }
    }
    out
}

pub fn latest() -> u32 {
    steps(SCHEMA).last().map(|s| s.0).unwrap_or(0)
}

/// For unit tests and the fuzz targets: an in-memory database with the whole schema.
pub fn memory() -> Connection {
    let mut c = Connection::open_in_memory().unwrap();
    upgrade(&mut c, None, SCHEMA).unwrap();
    c
}

/// Applies the missing steps, each in one transaction. An existing DB is first copied
/// with `VACUUM INTO` next to `db_path` so that a failed upgrade loses nothing.
pub fn upgrade(
    conn: &mut Connection,
    db_path: Option<&Path>,
    ledger: &str,
) -> Result<u32, AppError> {
    let steps = steps(ledger);
    let latest = steps.last().map(|s| s.0).unwrap_or(0);
    // For the steps that compute a column from Rust (step 13: the surname's search key).
    conn.create_scalar_function(
        "cds_fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(crate::patients::store::surname_key(&ctx.get::<String>(0)?)),
    )
    .context("funzione cds_fold per l'aggiornamento dello schema")?;
    let current: u32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .context("lettura della versione dello schema")?;
    if current > latest {
        return Err(AppError::new(
            Kind::Conflict,
            format!(
                "il database ha lo schema {current}, più recente di quello che questo programma conosce \
                 ({latest}): usa una versione più recente di cds-portal"
            ),
        ));
    }
    if current > 0
        && current < latest
        && let Some(path) = db_path
    {
        let backup = path.with_extension(format!("pre-step{}.db", current + 1));
        let _ = std::fs::remove_file(&backup);
        conn.execute("VACUUM INTO ?1", [backup.to_string_lossy()])
            .context("copia di sicurezza prima dell'aggiornamento")?;
    }
    for (n, sql) in steps.into_iter().filter(|(n, _)| *n > current) {
        let mut step = || -> rusqlite::Result<()> {
            let tx = conn.transaction()?;
            tx.execute_batch(&sql)?;
            tx.pragma_update(None, "user_version", n)?;
            tx.commit()
        };
        step().context(format!("schema, passo {n}"))?;
    }
    Ok(latest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump(conn: &Connection) -> Vec<(String, String)> {
        let mut stmt = conn
            .prepare(
                "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn stepwise_upgrade_equals_fresh_db() {
        let dir = std::env::temp_dir().join(format!("cds-mig-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let all = steps(SCHEMA);
        assert!(!all.is_empty());
        // Upgrade one step at a time, reopening the file in between, as releases would.
        let path = dir.join("stepwise.db");
        let _ = std::fs::remove_file(&path);
        for i in 1..=all.len() {
            let partial: String = all[..i]
                .iter()
                .map(|(n, s)| format!("-- step {n}\n{s}"))
                .collect();
            let mut conn = Connection::open(&path).unwrap();
            upgrade(&mut conn, Some(&path), &partial).unwrap();
        }
        let stepwise = Connection::open(&path).unwrap();
        let mut fresh = Connection::open_in_memory().unwrap();
        upgrade(&mut fresh, None, SCHEMA).unwrap();
        assert_eq!(dump(&stepwise), dump(&fresh));
        let v: u32 = stepwise
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, latest());
        drop(stepwise);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn newer_db_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", latest() + 1)
            .unwrap();
        let err = upgrade(&mut conn, None, SCHEMA).unwrap_err();
        assert!(err.message.italian().contains("più recente"), "{err}");
    }

    /// SHA-256 (first 16 hex digits) of every shipped step, without the blank lines that end
    /// it (the last step gains one when a step follows). A shipped step is never edited: a
    /// database that applied it would differ from a fresh one. A new step adds its line.
    const SHIPPED: &[(u32, &str)] = &[
        (1, "2568c2d98e5a850c"),
        (2, "e4605c8c19486d83"),
        (3, "f605b887d1112367"),
        (4, "6d0efd1956d414b9"),
        (5, "325c1059e22a0e62"),
        (6, "b7dafe8fc4c01fcd"),
        (7, "f1c29dac80c5b4d3"),
        (8, "10a044fe188eedc2"),
        (9, "91d4d7db12647810"),
        (10, "3c2caadc8fcc0671"),
        (11, "155b1bd9101ff6a4"),
        (12, "c8352fb957569345"),
        (13, "8b08eac5a5d57868"),
    ];

    #[test]
    fn shipped_steps_are_never_edited() {
        let now: Vec<(u32, String)> = steps(SCHEMA)
            .into_iter()
            .map(|(n, sql)| {
                (
                    n,
                    crate::crypto::hex(&crate::crypto::sha256(sql.trim_end().as_bytes()))[..16]
                        .to_string(),
                )
            })
            .collect();
        for (n, hash) in SHIPPED {
            let found = now.iter().find(|(m, _)| m == n).map(|(_, h)| h.as_str());
            assert_eq!(
                found,
                Some(*hash),
                "schema.sql step {n} was edited (or removed): add a new step instead"
            );
        }
        let listed: Vec<u32> = SHIPPED.iter().map(|(n, _)| *n).collect();
        let missing: Vec<_> = now.iter().filter(|(n, _)| !listed.contains(n)).collect();
        assert!(
            missing.is_empty(),
            "a new step: add its hash to SHIPPED: {missing:?}"
        );
    }

    #[test]
    fn steps_are_numbered_in_order() {
        let numbers: Vec<u32> = steps(SCHEMA).iter().map(|s| s.0).collect();
        let expected: Vec<u32> = (1..=numbers.len() as u32).collect();
        assert_eq!(numbers, expected);
    }
}
