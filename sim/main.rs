//! The `hetsim` binary: parses arguments and maps errors to exit codes
//! (2: bad input, 1: anything else; see `hetsim::cli::exit_code`).

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Die quietly on a closed pipe (`hetsim policies | head`) like other Unix tools,
    // instead of panicking in println!.
    #[cfg(unix)]
    // SAFETY: setting a signal disposition to its default before any threads start.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    hetsim::cli::signals::install();
    let cli = hetsim::cli::Cli::parse();
    match hetsim::cli::main_with(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(hetsim::cli::exit_code(&e))
        }
    }
}
