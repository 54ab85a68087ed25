//! The `hetsim` binary: parses arguments and maps errors to exit codes
//! (2: bad input, 1: anything else; see `hetsim::cli::exit_code`).

fn main() -> std::process::ExitCode {
    hetsim::cli::main_with_policies(&[])
}
