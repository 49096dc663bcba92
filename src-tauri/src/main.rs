// Release builds on Windows get no console window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

fn main() -> ExitCode {
    match keywright_app_lib::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("keywright: the app could not start: {e}");
            ExitCode::FAILURE
        }
    }
}
