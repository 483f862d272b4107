#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| resp_core_fuzz::check_topology(data));
