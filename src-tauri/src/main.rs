// Release builds on Windows get no console window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

fn main() -> ExitCode {
    // Returns only when the environment is already in place, or could not be put in place:
    // then the app runs without it (it is about memory, not correctness).
    if let Err(e) = keywright_app_lib::process_env::apply() {
        eprintln!("keywright: starting without the memory settings ({e})");
    }
    match keywright_app_lib::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("keywright: the app could not start: {e}");
            ExitCode::FAILURE
        }
    }
}
