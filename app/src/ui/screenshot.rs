//! `--screenshot FILE.png`: once the view has drawn real data, capture the window, save it and
//! close the console.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

/// Frames drawn with data before capturing, so layout and textures have settled.
const SETTLE_FRAMES: u32 = 3;

/// What became of the screenshot; read by `main` after the window closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenshotOutcome {
    Pending = 0,
    Saved = 1,
    Failed = 2,
}

#[derive(Debug, Clone, Default)]
pub struct ScreenshotStatus(Arc<AtomicU8>);

impl ScreenshotStatus {
    pub fn get(&self) -> ScreenshotOutcome {
        match self.0.load(Ordering::SeqCst) {
            1 => ScreenshotOutcome::Saved,
            2 => ScreenshotOutcome::Failed,
            _ => ScreenshotOutcome::Pending,
        }
    }

    fn set(&self, outcome: ScreenshotOutcome) {
        self.0.store(outcome as u8, Ordering::SeqCst);
    }
}

pub struct ScreenshotJob {
    path: PathBuf,
    status: ScreenshotStatus,
    started: Instant,
    timeout: Duration,
    frames_ready: u32,
    requested: bool,
}

impl ScreenshotJob {
    pub fn new(path: PathBuf, timeout: Duration, status: ScreenshotStatus) -> Self {
        Self {
            path,
            status,
            started: Instant::now(),
            timeout,
            frames_ready: 0,
            requested: false,
        }
    }

    /// Called at the end of every frame.
    pub fn frame(&mut self, ctx: &egui::Context, ready: bool) {
        if self.status.get() != ScreenshotOutcome::Pending {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        if self.requested {
            return;
        }
        let timed_out = self.started.elapsed() > self.timeout;
        if ready {
            self.frames_ready += 1;
        }
        if self.frames_ready < SETTLE_FRAMES && !timed_out {
            // Keep frames coming until the capture: this mode is a one-shot, not a wall display.
            ctx.request_repaint_after(Duration::from_millis(100));
            return;
        }
        if timed_out {
            tracing::warn!(
                "no data within {:?}; capturing what is on screen",
                self.timeout
            );
        }
        self.requested = true;
        let path = self.path.clone();
        let status = self.status.clone();
        let repaint = ctx.clone();
        ctx.request_screenshot(move |image| {
            let outcome = match save_png(&path, &image) {
                Ok(()) if !timed_out => ScreenshotOutcome::Saved,
                Ok(()) => ScreenshotOutcome::Failed,
                Err(e) => {
                    tracing::error!("cannot save screenshot to {}: {e}", path.display());
                    ScreenshotOutcome::Failed
                }
            };
            status.set(outcome);
            repaint.request_repaint();
        });
        ctx.request_repaint();
    }
}

fn save_png(path: &std::path::Path, image: &egui::ColorImage) -> Result<(), image::ImageError> {
    let [w, h] = image.size;
    let mut bytes = Vec::with_capacity(w * h * 4);
    for pixel in &image.pixels {
        bytes.extend_from_slice(&pixel.to_srgba_unmultiplied());
    }
    image::save_buffer(
        path,
        &bytes,
        w as u32,
        h as u32,
        image::ExtendedColorType::Rgba8,
    )
}
