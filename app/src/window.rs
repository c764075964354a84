//! Opens a window of the console with whoever draws it (issue 17): eframe + wgpu (on a GPU, with
//! the map layers as GPU paint callbacks), or Tianshu's CPU renderer (`software_window`).

use crate::software_window::{self, SoftwareApp};

/// Runs the window until it closes; `make` builds the app once the window's egui context
/// exists. `software`: the CPU renderer draws it (see `software_window::wants_software`).
pub fn run<A>(
    app_name: &str,
    viewport: egui::ViewportBuilder,
    software: bool,
    make: impl FnOnce(&egui::Context) -> anyhow::Result<A> + 'static,
) -> anyhow::Result<()>
where
    A: eframe::App + SoftwareApp + 'static,
{
    if software {
        return software_window::run(
            viewport,
            Box::new(move |ctx| Ok(Box::new(make(ctx)?) as Box<dyn SoftwareApp>)),
        );
    }
    let options = eframe::NativeOptions {
        viewport,
        renderer: eframe::Renderer::Wgpu,
        ..Default::default()
    };
    eframe::run_native(
        app_name,
        options,
        Box::new(move |cc| {
            if let Some(render_state) = &cc.wgpu_render_state {
                // Static basemap geometry goes to the GPU once (NativeOptions: no MSAA, no depth).
                tianshu_widgets::geo_layers::install_gpu_shapes(&cc.egui_ctx, render_state, 1);
            }
            Ok(Box::new(make(&cc.egui_ctx)?))
        }),
    )
    .map_err(|e| anyhow::anyhow!("the window could not be opened: {e}"))
}
