//! The `admin` binary: parse the arguments, run, and turn an error into one `error:` line, an
//! optional `hint:` line and the right exit code.
use std::process::ExitCode;

/// mimalloc (its 2.x line: Cargo.toml), for Rust's allocations and (its `override` feature)
/// SQLite's and the C library's: one allocator in the process. A reading of the past, `publish`
/// and `verify` of a large log allocate and free millions of small values, many freed on another
/// thread than the one that made them; glibc's malloc gave back and took again pages by the
/// hundred thousand there.
/// Measured in docs/benchmarks.md ("allocator").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
