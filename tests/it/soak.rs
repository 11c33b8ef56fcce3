//! The soak figures (issue 16, item 10) every resistance suite writes after its checks pass:
//! `$CDS_SOAK_DIR/<suite>.txt` (default `target/soak`; a relative folder is taken from the
//! repo's root), lines `key value` — `suite`, `when`, then the suite's counts among `runs`,
//! `kills`, `requests`, `bad_inputs`, `leaks`, `double_payments`. `bench/soak.sh` sums them.
//! The file is written whole or not at all (a `.part` renamed), so a reader never sees half.

use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    root.join(std::env::var("CDS_SOAK_DIR").unwrap_or_else(|_| "target/soak".into()))
}

/// Writes (or rewrites) `suite`'s figures.
pub fn write(suite: &str, figures: &[(&str, u64)]) {
    let dir = dir();
    std::fs::create_dir_all(&dir).unwrap();
    let when = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ");
    let mut text = format!("suite {suite}\nwhen {when}\n");
    for (k, v) in figures {
        text.push_str(&format!("{k} {v}\n"));
    }
    let file = dir.join(format!("{suite}.txt"));
    let part = dir.join(format!("{suite}.txt.part"));
    std::fs::write(&part, text).unwrap();
    std::fs::rename(&part, &file).unwrap();
}
