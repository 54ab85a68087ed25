//! Chunked prefill (`batching: {mode: chunked, chunk_size}`): a timeline computed by
//! hand, with energy shares and tokens per bin.

use crate::serving::{blocks, close, spec};
use hetsim::serving::sim::simulate;
use hetsim::serving::*;

/// One instance, chunks of 100 prefill tokens, the tiny profile (prefill x / 1000 s at
/// x batch tokens; decode 0.02 s alone), 100 / 50 / 10 W prefill / decode / idle:
/// - 0: A (P 250, T 2) arrives; its first chunk, 100 tokens: 0.1 s, to 0.1.
/// - 0.05: B (P 100, T 3) arrives and waits (a prefill block is not cut).
/// - 0.1: A's second chunk takes the whole budget (B waits): 0.1 s, to 0.2.
/// - 0.2: A's last 50 tokens and B's first 50: 0.1 s, to 0.3: A's first token.
/// - 0.3: A's decode with B's last 50 prompt tokens, mixed, 51 tokens:
///   1.1 x 0.051 = 0.0561 s, to 0.3561: A done, B's first token.
/// - 0.3561: B's 2 decodes alone, 0.02 s each (one block of k = 2), to 0.3961.
#[test]
fn chunked_prefill_timeline_by_hand() {
    let mut s = spec(
        Scheduler::TokenJsq,
        &[Role::Both],
        &[(0.0, 250, 2), (0.05, 100, 3)],
        1,
    );
    s.batching.chunk = Some(100);
    let o = simulate(&s);
    let want = [
        (0.0, 0.1, 1, 1, true),
        (0.1, 0.1, 1, 1, true),
        (0.2, 0.1, 1, 2, true),
        (0.3, 0.0561, 1, 2, true),
        (0.3561, 0.02, 2, 1, false),
    ];
    let got = blocks(&o);
    assert_eq!(got.len(), want.len(), "{got:?}");
    for (g, w) in got.iter().zip(want) {
        close(g.0, w.0);
        close(g.1, w.1);
        assert_eq!((g.2, g.3, g.4), (w.2, w.3, w.4), "{got:?}");
    }
    let r = &o.requests;
    close(r[0].prefill_end.unwrap(), 0.3);
    close(r[0].done.unwrap(), 0.3561);
    close(r[1].prefill_end.unwrap(), 0.3561);
    close(r[1].done.unwrap(), 0.3961);
    // Energy by tokens processed: A has the first two blocks (10 J each), half of the
    // third, 1 of the fourth's 51 tokens (5.61 J); B the rest and its decodes (2 J).
    close(r[0].energy_j, 10.0 + 10.0 + 5.0 + 5.61 / 51.0);
    close(r[1].energy_j, 5.0 + 5.61 * 50.0 / 51.0 + 2.0);
    close(o.busy_j[0], 35.61 + 2.0);
    // Tokens: A's first at 0.3; A's second and B's first at 0.3561, B's at 0.3761 and
    // 0.3961: all in the first 1 s bin, 5 = the two requests' outputs.
    assert_eq!(o.bin_tokens, vec![5]);
    assert_eq!(o.final_memory, vec![1000]);
}

/// With a chunk as large as any prompt and one request at a time, chunked batching
/// gives splitwise-compat's timeline.
#[test]
fn chunked_equals_compat_when_prompts_fit_a_chunk() {
    let reqs = [(0.0, 100, 3), (1.0, 200, 2), (2.0, 150, 4)];
    let compat = simulate(&spec(Scheduler::TokenJsq, &[Role::Both], &reqs, 1));
    let mut s = spec(Scheduler::TokenJsq, &[Role::Both], &reqs, 1);
    s.batching.chunk = Some(1000);
    let chunked = simulate(&s);
    assert_eq!(compat.requests, chunked.requests);
    assert_eq!(blocks(&compat), blocks(&chunked));
}
