//! Fuzzes the series CSV reader (`datacenter.carbon_intensity: {csv: FILE}` and the other
//! series): the first byte picks the options, the rest is the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hetsim_fuzz::check_series_csv(data);
});
