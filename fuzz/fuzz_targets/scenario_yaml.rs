//! Fuzzes the scenario loader on YAML text: `hetsim::scenario::parse_str(text, Format::Yaml, ..)`,
//! then the first steps of a run for accepted scenarios (see `hetsim_fuzz::check_scenario`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hetsim_fuzz::check_scenario(data, hetsim::scenario::Format::Yaml);
});
