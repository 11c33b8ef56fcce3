//! Layering: a TOML table merged over the defaults, and `CDS_*` variables mapped onto
//! its leaves (`CDS_SESSION_IDLE_TIMEOUT_SECS` → `session.idle_timeout_secs`).

use super::Config;

pub fn env_name(path: &[String]) -> String {
    format!("CDS_{}", path.join("_").to_uppercase())
}

pub fn leaves(table: &toml::Table, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    for (k, v) in table {
        prefix.push(k.clone());
        match v {
            toml::Value::Table(t) => leaves(t, prefix, out),
            _ => out.push(prefix.clone()),
        }
        prefix.pop();
    }
}

pub fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

pub fn lookup_mut<'a>(table: &'a mut toml::Table, path: &[&str]) -> Option<&'a mut toml::Value> {
    let (last, head) = path.split_last()?;
    let mut t = table;
    for p in head {
        t = t.get_mut(*p)?.as_table_mut()?;
    }
    t.get_mut(*last)
}

pub fn apply_env(table: &mut toml::Table, name: &str, value: &str) -> Result<(), String> {
    let defaults = toml::Table::try_from(Config::default()).expect("the defaults serialise");
    let mut paths = Vec::new();
    leaves(&defaults, &mut Vec::new(), &mut paths);
    let path = paths
        .into_iter()
        .find(|p| env_name(p) == name)
        .ok_or_else(|| {
            format!("{name}: variabile sconosciuta (vedi `cds-portal check-config --keys`)")
        })?;
    let refs: Vec<&str> = path.iter().map(String::as_str).collect();
    let slot = lookup_mut(table, &refs).ok_or_else(|| format!("{name}: chiave mancante"))?;
    *slot = match slot {
        toml::Value::Boolean(_) => match value {
            "true" | "1" => toml::Value::Boolean(true),
            "false" | "0" => toml::Value::Boolean(false),
            _ => return Err(format!("{name}: atteso true o false")),
        },
        toml::Value::Integer(_) => value
            .trim()
            .parse::<i64>()
            .map(toml::Value::Integer)
            .map_err(|_| format!("{name}: atteso un numero intero"))?,
        // Lists: comma-separated.
        toml::Value::Array(_) => toml::Value::Array(
            value
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| toml::Value::String(v.into()))
                .collect(),
        ),
        _ => toml::Value::String(value.to_string()),
    };
    Ok(())
}
