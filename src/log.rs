//! One line per event on stderr, with a UTC timestamp. Never log a codice fiscale, a PIN,
//! a token or any health data: callers pass only ids, routes and outcomes.

fn line(level: &str, msg: &str) {
    eprintln!(
        "{} {level} {msg}",
        jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
    );
}

pub fn info(msg: &str) {
    line("INFO", msg);
}

pub fn warn(msg: &str) {
    line("WARN", msg);
}

pub fn error(msg: &str) {
    line("ERROR", msg);
}
