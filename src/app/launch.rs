//! Opening the real window: the renderer choice (glow or wgpu, chosen for speed where no GPU is found) and the
//! optional frame statistics (`--frame-stats`), measured by eframe itself around each whole frame (our UI,
//! tessellation and painting).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use egui::Ui;

use super::SegscopeApp;

/// Which renderer draws the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Renderer {
    /// wgpu where a GPU is found, glow (OpenGL) on software rendering: measured faster there (docs/PERFORMANCE.md).
    #[default]
    Auto,
    /// OpenGL through glow (llvmpipe without a GPU).
    Glow,
    /// wgpu (Vulkan/Metal/DX12; lavapipe without a GPU).
    Wgpu,
}

/// How to open the window.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// A CSV file to open instead of the embedded sample.
    pub file: Option<PathBuf>,
    /// The renderer.
    pub renderer: Renderer,
    /// Print frame-time percentiles on standard error when the window closes.
    pub frame_stats: bool,
}

/// The renderer [`Renderer::Auto`] stands for on this machine: glow when no GPU render node exists (a
/// virtual desktop, a remote session, Xvfb), wgpu otherwise. Without a GPU wgpu runs on a software Vulkan
/// driver (lavapipe): the same 20 mouse moves and 5 tab switches cost 5.8 s of CPU there against 1.4 s
/// for glow on llvmpipe (docs/PERFORMANCE.md).
pub fn resolve(renderer: Renderer) -> Renderer {
    match renderer {
        Renderer::Auto if !has_gpu_render_node(Path::new("/dev/dri")) => Renderer::Glow,
        Renderer::Auto => Renderer::Wgpu,
        r => r,
    }
}

/// True when `dri` holds a render node (`renderD*`), i.e. a GPU the process may draw with. Only Linux
/// exposes them; elsewhere the answer is true (macOS and Windows always have a hardware or a well-optimised
/// system renderer).
fn has_gpu_render_node(dri: &Path) -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// Opens the window and runs the app until it closes.
pub fn run_native(launch: Launch) -> eframe::Result<()> {
    let renderer = match resolve(launch.renderer) {
        Renderer::Glow => eframe::Renderer::Glow,
        _ => eframe::Renderer::Wgpu,
    };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("segscope")
            .with_app_id("segscope")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([900.0, 600.0])
            .with_drag_and_drop(true),
        renderer,
        ..Default::default()
    };
    let stats = launch
        .frame_stats
        .then(|| Arc::new(Mutex::new(FrameStats::default())));
    let recorder = stats.clone();
    let file = launch.file;
    let result = eframe::run_native(
        "segscope",
        options,
        Box::new(move |cc| {
            let app = SegscopeApp::from_creation_context(cc, file);
            Ok(Box::new(Timed {
                app,
                stats: recorder,
            }))
        }),
    );
    if let Some(stats) = stats {
        let stats = stats.lock().map(|s| s.clone()).unwrap_or_default();
        eprintln!("{}", stats.summary(renderer_name(renderer)));
    }
    result
}

fn renderer_name(r: eframe::Renderer) -> &'static str {
    match r {
        eframe::Renderer::Glow => "glow",
        eframe::Renderer::Wgpu => "wgpu",
    }
}

/// The app, with each frame's time recorded when asked.
struct Timed {
    app: SegscopeApp,
    stats: Option<Arc<Mutex<FrameStats>>>,
}

impl eframe::App for Timed {
    fn ui(&mut self, ui: &mut Ui, frame: &mut eframe::Frame) {
        if let (Some(stats), Some(seconds)) = (&self.stats, frame.info().cpu_usage)
            && let Ok(mut s) = stats.lock()
        {
            s.record(f64::from(seconds));
        }
        eframe::App::ui(&mut self.app, ui, frame);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.app.save(storage);
    }
}

/// Frame times in seconds (eframe's `cpu_usage` of the previous frame: input, our UI, tessellation, painting
/// and buffer swap, without vsync waits).
#[derive(Debug, Clone, Default)]
pub struct FrameStats {
    seconds: Vec<f64>,
}

impl FrameStats {
    /// Adds one frame.
    pub fn record(&mut self, seconds: f64) {
        if seconds.is_finite() && seconds >= 0.0 {
            self.seconds.push(seconds);
        }
    }

    /// One line: count, p50, p90, p99 and max in milliseconds.
    pub fn summary(&self, renderer: &str) -> String {
        if self.seconds.is_empty() {
            return format!("frame stats ({renderer}): no frames drawn");
        }
        let mut s = self.seconds.clone();
        s.sort_by(f64::total_cmp);
        let pick = |q: f64| {
            // Nearest-rank percentile: the smallest value with at least q of the frames at or below it.
            let rank = (q * s.len() as f64).ceil() as usize;
            s[rank.clamp(1, s.len()) - 1] * 1000.0
        };
        format!(
            "frame stats ({renderer}): {} frames, p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            s.len(),
            pick(0.5),
            pick(0.9),
            pick(0.99),
            s[s.len() - 1] * 1000.0
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let mut st = FrameStats::default();
        for ms in 1..=100 {
            st.record(f64::from(ms) / 1000.0);
        }
        st.record(f64::NAN);
        let line = st.summary("glow");
        assert_eq!(
            line,
            "frame stats (glow): 100 frames, p50 50.0 ms, p90 90.0 ms, p99 99.0 ms, max 100.0 ms"
        );
        assert!(FrameStats::default().summary("wgpu").contains("no frames"));
    }

    #[test]
    fn auto_picks_glow_without_a_render_node() {
        let dir = std::env::temp_dir().join(format!("segscope-dri-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        if cfg!(target_os = "linux") {
            assert!(!has_gpu_render_node(&dir));
            std::fs::write(dir.join("renderD128"), b"").unwrap();
            assert!(has_gpu_render_node(&dir));
            assert!(!has_gpu_render_node(&dir.join("absent")));
        }
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(resolve(Renderer::Glow), Renderer::Glow);
        assert_eq!(resolve(Renderer::Wgpu), Renderer::Wgpu);
        assert_ne!(resolve(Renderer::Auto), Renderer::Auto);
    }
}
