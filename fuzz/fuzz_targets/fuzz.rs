//! One libFuzzer binary for every target: `CDS_FUZZ_TARGET` names it (see `tests/fuzz.sh`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn target() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| std::env::var("CDS_FUZZ_TARGET").expect("CDS_FUZZ_TARGET"))
}

fuzz_target!(|data: &[u8]| {
    assert!(cds_portal::fuzzing::run(target(), data), "unknown target");
});
