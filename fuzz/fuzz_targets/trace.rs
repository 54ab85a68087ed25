//! Fuzzes the trace readers (SWF, CSV job list, Alibaba, Azure LLM, Gavel) in memory:
//! the first byte picks the format and the malformed-line policy, the rest is the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hetsim_fuzz::check_trace(data);
});
