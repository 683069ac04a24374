//! The desktop app (placeholder until the app module lands).

/// Opens the window.
pub fn run_native(_file: Option<std::path::PathBuf>) -> eframe::Result<()> {
    Ok(())
}
