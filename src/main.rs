//! The `admin` binary: parse the arguments, run, and turn an error into one `error:` line, an
//! optional `hint:` line and the right exit code.
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match admin::cli::parse() {
        Ok(cli) => cli,
        Err(err) => return admin::usage::report_usage(&err),
    };
    match admin::run(cli) {
        Ok(code) => code,
        Err(err) => admin::exit_codes::report(&err),
    }
}
