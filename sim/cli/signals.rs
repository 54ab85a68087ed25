//! Cleaning up on SIGINT, SIGTERM and SIGHUP: the staging folders and temporary
//! files of an interrupted run or sweep are removed (see
//! [`crate::output::remove_staging`]) and the process then dies of the signal as it
//! would have. The signals are blocked in every thread and taken by one thread with
//! `sigwait`, so the cleanup runs as ordinary code, not in a signal handler.

/// Blocks SIGINT, SIGTERM and SIGHUP and starts the thread that handles them. Call it
/// first in `main`, before any other thread starts (threads inherit the mask).
pub fn install() {
    #[cfg(unix)]
    // SAFETY: plain libc calls on a local signal set; no other thread exists yet.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut set, s);
        }
        if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
            return;
        }
        let spawned = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                let mut sig: libc::c_int = 0;
                if libc::sigwait(&set, &mut sig) != 0 {
                    return;
                }
                crate::output::remove_staging();
                // Die of the signal itself, so the parent sees how we ended.
                libc::signal(sig, libc::SIG_DFL);
                libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
                libc::raise(sig);
                libc::_exit(128 + sig);
            });
        if spawned.is_err() {
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        }
    }
}
