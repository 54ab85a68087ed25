//! The `hetsim` binary: parses arguments and maps errors to exit codes
//! (2: bad input, 1: anything else).

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = hetsim::cli::Cli::parse();
    match hetsim::cli::main_with(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {:#}", e.error);
            ExitCode::from(e.code)
        }
    }
}
