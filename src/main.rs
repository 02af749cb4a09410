use std::process::ExitCode;

use clap::Parser;
use snaplint::cli::{Cli, EXIT_ERROR, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("snaplint: error: {message}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
