//! Crash and delay points for the tests: `FAILPOINTS=name[=action][,…]` in the environment
//! arms the named points, each with `abort` (the default: the process dies as a SIGKILL
//! would, no destructor runs, nothing more is written) or `pause:MS` (the request waits
//! MS milliseconds there, so a test can act in the middle of it). Read once at start by
//! `init`; ignored with `production = true`.

use std::sync::OnceLock;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    Abort,
    Pause(u64),
}

static ARMED: OnceLock<Vec<(String, Action)>> = OnceLock::new();

fn parse(spec: &str) -> Vec<(String, Action)> {
    spec.split(',')
        .filter_map(|p| {
            let (name, action) = p.trim().split_once('=').unwrap_or((p.trim(), "abort"));
            let action = match action.strip_prefix("pause:") {
                Some(ms) => Action::Pause(ms.parse().ok()?),
                None if action == "abort" => Action::Abort,
                None => return None,
            };
            (!name.is_empty()).then(|| (name.to_string(), action))
        })
        .collect()
}

/// Reads `FAILPOINTS` (unless in production) and logs the points that are armed.
pub fn init(production: bool) {
    let armed = if production {
        Vec::new()
    } else {
        parse(&std::env::var("FAILPOINTS").unwrap_or_default())
    };
    if !armed.is_empty() {
        tracing::warn!("punti di prova attivi: {armed:?}");
    }
    let _ = ARMED.set(armed);
}

/// Aborts the process, or waits, when `name` is armed.
pub async fn hit(name: &str) {
    let Some((_, action)) = ARMED.get().and_then(|a| a.iter().find(|(n, _)| n == name)) else {
        return;
    };
    tracing::warn!("punto di prova: {name}");
    match action {
        Action::Abort => std::process::abort(),
        Action::Pause(ms) => tokio::time::sleep(Duration::from_millis(*ms)).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec() {
        assert_eq!(
            parse("a, b=pause:250,c=abort,d=bogus,=abort"),
            vec![
                ("a".into(), Action::Abort),
                ("b".into(), Action::Pause(250)),
                ("c".into(), Action::Abort)
            ]
        );
    }
}
