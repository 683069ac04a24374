//! "Save as PNG…" / "Save as SVG…" for every plot of the app, in one place. A panel adds two calls:
//! [`plot_export_menu`] on its plot's response (the right-click menu; it also records where the plot
//! was drawn this frame) and [`save_button`] beside it. Both push
//! `Command::File(FileAction::SavePlot(kind, format))`; the app asks where to save, then
//!
//! - **SVG**: redraws the plot from the same data with [`crate::plot`] (the code `segscope plot` uses,
//!   so titles, axes and labels match) on a worker ([`svg_work`]), written atomically.
//! - **PNG**: at the end of the frame ([`Exporter::request`]) asks the integration for a screenshot of
//!   the viewport (`ViewportCommand::Screenshot`) with the plot's rectangle of that very frame; when the
//!   pixels arrive ([`Exporter::poll`]) a worker crops them to the plot ([`crop_png`], in physical
//!   pixels: points × pixels per point) and writes the PNG atomically.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::{Duration, Instant};

use egui::{ColorImage, Context, Id, Pos2, Rect, Response, Ui, pos2};
use ndarray::Array2;

use super::dialogs::DialogRequest;
use super::state::{AppState, Command, FileAction, FileWork};
use crate::error::{Error, Result};
use crate::export::io_err;
use crate::export::write::write_file;
use crate::jobs::Progress;
use crate::plot::{ScatterPlot, SweepPlot, of_run, render_svg};

/// A screenshot that has not arrived after this long is given up (the renderer cannot take them).
const SHOT_TIMEOUT: Duration = Duration::from_secs(10);

/// Which plot to save.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlotKind {
    /// The Choose K curves (the sweep).
    Curves,
    /// The PCA scatter on principal components `x` and `y` (0-based).
    Scatter {
        /// The x axis component.
        x: usize,
        /// The y axis component.
        y: usize,
    },
    /// The t-SNE map.
    Map,
    /// The dendrogram with its cut.
    Dendrogram,
    /// The per-row silhouette bars.
    Silhouette,
    /// The profiles heatmap.
    Profiles,
}

impl PlotKind {
    /// The file-name part: `customers_silhouette.svg`.
    pub fn file_part(self) -> &'static str {
        match self {
            Self::Curves => "choose_k",
            Self::Scatter { .. } => "scatter",
            Self::Map => "map",
            Self::Dendrogram => "dendrogram",
            Self::Silhouette => "silhouette",
            Self::Profiles => "profiles",
        }
    }

    /// The plot in a sentence ("the silhouette plot").
    pub fn what(self) -> &'static str {
        match self {
            Self::Curves => "the Choose K curves",
            Self::Scatter { .. } => "the scatter",
            Self::Map => "the map",
            Self::Dendrogram => "the dendrogram",
            Self::Silhouette => "the silhouette plot",
            Self::Profiles => "the profiles heatmap",
        }
    }

    /// The tab that shows it.
    fn tab(self) -> &'static str {
        match self {
            Self::Curves => "Choose K",
            Self::Scatter { .. } => "Scatter",
            Self::Map => "Map",
            Self::Dendrogram => "Dendrogram",
            Self::Silhouette => "Silhouette",
            Self::Profiles => "Profiles",
        }
    }

    /// Where the plot's rectangle of the last frame it was drawn in is kept (egui memory).
    fn rect_id(self) -> Id {
        Id::unique(("segscope_plot_rect", self.file_part()))
    }
}

/// PNG or SVG.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// A screenshot of the plot as shown.
    Png,
    /// The plot redrawn as vector graphics.
    Svg,
}

impl ImageFormat {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Svg => "svg",
        }
    }
}

/// The right-click menu of a plot ("Save as PNG…", "Save as SVG…"); also records the plot's rectangle
/// for the PNG screenshot. Call it every frame the plot is drawn, with the plot's response. Returns
/// whether the menu is open (a plot's own hover tooltip should then stay hidden: it would cover it).
pub fn plot_export_menu(
    ui: &Ui,
    response: &Response,
    kind: PlotKind,
    commands: &mut Vec<Command>,
) -> bool {
    record_rect(ui, response.rect, kind);
    context_menu(response, kind, commands);
    response.context_menu_opened()
}

/// [`plot_export_menu`] for an `egui_plot` plot, whose response covers the plot area only: the PNG
/// takes the whole block with the axes and their titles. `before` is `ui.cursor().min` just before
/// `Plot::show` (egui_plot lays the block out at the cursor); call this right after it.
pub fn egui_plot_menu(
    ui: &Ui,
    before: Pos2,
    response: &Response,
    kind: PlotKind,
    commands: &mut Vec<Command>,
) -> bool {
    let open = plot_export_menu(ui, response, kind, commands);
    let bottom = ui.cursor().min.y - ui.spacing().item_spacing.y;
    let block = Rect::from_min_max(before, pos2(response.rect.right(), bottom));
    record_rect(ui, block.union(response.rect), kind);
    open
}

/// Only the right-click menu, for one of several responses that make up a plot (whose whole
/// rectangle goes to [`record_rect`]).
pub fn context_menu(response: &Response, kind: PlotKind, commands: &mut Vec<Command>) {
    if response.sense.senses_click() {
        response.context_menu(|ui| menu_items(ui, kind, commands));
    } else {
        // A container (the profiles table): its cells take the clicks.
        response.container_context_menu(|ui| menu_items(ui, kind, commands));
    }
}

/// Records `rect` (clipped to what is visible) as where `kind` is drawn this frame, for plots that are
/// not one response (the Choose K grid of curves).
pub fn record_rect(ui: &Ui, rect: Rect, kind: PlotKind) {
    let visible = rect.intersect(ui.clip_rect());
    let frame = ui.ctx().cumulative_frame_nr();
    ui.ctx()
        .data_mut(|d| d.insert_temp(kind.rect_id(), (visible, frame)));
}

/// A small "Save plot" menu button with the same two entries as the right-click menu.
pub fn save_button(ui: &mut Ui, kind: PlotKind, commands: &mut Vec<Command>) {
    ui.menu_button("Save plot…", |ui| menu_items(ui, kind, commands))
        .response
        .on_hover_text(format!(
            "Save {} as a PNG image (as shown) or an SVG (vector) file; or right-click the plot",
            kind.what()
        ));
}

fn menu_items(ui: &mut Ui, kind: PlotKind, commands: &mut Vec<Command>) {
    if ui
        .button("Save as PNG…")
        .on_hover_text("The plot as shown, as an image")
        .clicked()
    {
        commands.push(Command::File(FileAction::SavePlot(kind, ImageFormat::Png)));
        ui.close();
    }
    if ui
        .button("Save as SVG…")
        .on_hover_text("The plot redrawn as vector graphics (as segscope plot draws it)")
        .clicked()
    {
        commands.push(Command::File(FileAction::SavePlot(kind, ImageFormat::Svg)));
        ui.close();
    }
}

/// Where `kind` was drawn in the current frame (`None`: not drawn this frame, or nothing visible).
pub fn drawn_rect(ctx: &Context, kind: PlotKind) -> Option<Rect> {
    let frame = ctx.cumulative_frame_nr();
    let (rect, at) = ctx.data(|d| d.get_temp::<(Rect, u64)>(kind.rect_id()))?;
    (at == frame && rect.is_positive()).then_some(rect)
}

/// The save dialog for `kind` in `format` (`customers_silhouette.svg`), or why it cannot be saved now
/// (checked before the dialog: a PNG needs its plot on screen in this frame, an SVG its data).
pub fn save_request(
    state: &AppState,
    ctx: &Context,
    kind: PlotKind,
    format: ImageFormat,
    stem: &str,
) -> std::result::Result<DialogRequest, String> {
    let unavailable = match format {
        ImageFormat::Png => png_unavailable(ctx, kind),
        ImageFormat::Svg => svg_unavailable(state, kind),
    };
    if let Some(e) = unavailable {
        return Err(e);
    }
    let (filter, extensions): (&str, &[&str]) = match format {
        ImageFormat::Png => ("PNG image", &["png"]),
        ImageFormat::Svg => ("SVG image", &["svg"]),
    };
    Ok(DialogRequest::SaveAs(
        format!("{stem}_{}.{}", kind.file_part(), format.extension()),
        filter,
        extensions,
    ))
}

/// Why a PNG of `kind` cannot be taken now (its plot is not on screen this frame), if so.
pub fn png_unavailable(ctx: &Context, kind: PlotKind) -> Option<String> {
    drawn_rect(ctx, kind).is_none().then(|| {
        format!(
            "Cannot save {} as PNG: it is not on screen. Show the {} tab first.",
            kind.what(),
            kind.tab()
        )
    })
}

/// The part of `image` (a screenshot of the viewport) under `rect` (in points), as PNG bytes (RGBA).
/// `pixels_per_point` converts points to the image's pixels; the rectangle is clipped to the image.
pub fn crop_png(image: &ColorImage, rect: Rect, pixels_per_point: f32) -> Result<Vec<u8>> {
    let [w, h] = image.size;
    let px = |v: f32, max: usize| -> usize {
        let v = (v * pixels_per_point).round();
        if v.is_finite() && v > 0.0 {
            (v as usize).min(max)
        } else {
            0
        }
    };
    let (x0, x1) = (px(rect.min.x, w), px(rect.max.x, w));
    let (y0, y1) = (px(rect.min.y, h), px(rect.max.y, h));
    if x1 <= x0 || y1 <= y0 {
        return Err(Error::InvalidParameter(format!(
            "the plot is outside the screenshot ({w}×{h} pixels)"
        )));
    }
    let (cw, ch) = (x1 - x0, y1 - y0);
    let mut rgba = Vec::with_capacity(cw * ch * 4);
    for row in y0..y1 {
        for c in &image.pixels[row * w + x0..row * w + x1] {
            rgba.extend_from_slice(&c.to_srgba_unmultiplied());
        }
    }
    let too_big = |_| Error::InvalidParameter("the plot image is too large".into());
    let (cw, ch) = (
        u32::try_from(cw).map_err(too_big)?,
        u32::try_from(ch).map_err(too_big)?,
    );
    let png_err =
        |e: png::EncodingError| Error::InvalidParameter(format!("cannot encode PNG: {e}"));
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, cw, ch);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut wr = enc.write_header().map_err(png_err)?;
        wr.write_image_data(&rgba).map_err(png_err)?;
        wr.finish().map_err(png_err)?;
    }
    Ok(out)
}

/// The PNG screenshots of plots on their way: queued (the path is known, the screenshot is asked at
/// the end of the frame), then asked (waiting for the pixels).
#[derive(Debug, Default)]
pub struct Exporter {
    queued: Vec<(PlotKind, PathBuf)>,
    asked: Vec<Shot>,
}

#[derive(Debug)]
struct Shot {
    kind: PlotKind,
    path: PathBuf,
    rect: Rect,
    pixels_per_point: f32,
    rx: Receiver<Arc<ColorImage>>,
    since: Instant,
}

impl Exporter {
    /// Saves `kind` as a PNG to `path` once the frame is drawn.
    pub fn queue_png(&mut self, kind: PlotKind, path: PathBuf) {
        self.queued.push((kind, path));
    }

    /// Whether a screenshot is queued or awaited.
    pub fn is_busy(&self) -> bool {
        !self.queued.is_empty() || !self.asked.is_empty()
    }

    /// At the end of a frame (after every panel drew): asks a screenshot for each queued PNG whose plot
    /// was drawn in this frame. Returns the errors of the others.
    pub fn request(&mut self, ctx: &Context) -> Vec<String> {
        let mut errors = Vec::new();
        for (kind, path) in std::mem::take(&mut self.queued) {
            let Some(rect) = drawn_rect(ctx, kind) else {
                errors.extend(png_unavailable(ctx, kind));
                continue;
            };
            let (tx, rx) = channel();
            let repaint = ctx.clone();
            ctx.request_screenshot(move |image| {
                let _ = tx.send(image);
                repaint.request_repaint();
            });
            self.asked.push(Shot {
                kind,
                path,
                rect,
                pixels_per_point: ctx.pixels_per_point(),
                rx,
                since: Instant::now(),
            });
        }
        errors
    }

    /// The screenshots that arrived, as works that crop, encode and write them (`Err`: a screenshot
    /// that never came).
    pub fn poll(&mut self, input: Option<&Path>) -> Vec<std::result::Result<FileWork, String>> {
        let mut out = Vec::new();
        self.asked.retain(|shot| match shot.rx.try_recv() {
            Ok(image) => {
                out.push(Ok(png_work(shot, image, input)));
                false
            }
            Err(TryRecvError::Empty) if shot.since.elapsed() < SHOT_TIMEOUT => true,
            Err(_) => {
                out.push(Err(format!(
                    "Saving {} as PNG failed: the window's renderer sent no screenshot. Save it as SVG \
                     instead.",
                    shot.kind.what()
                )));
                false
            }
        });
        out
    }
}

fn png_work(shot: &Shot, image: Arc<ColorImage>, input: Option<&Path>) -> FileWork {
    let (rect, ppp, out) = (shot.rect, shot.pixels_per_point, shot.path.clone());
    let input = input.map(Path::to_path_buf);
    Box::new(move |p: &Progress| {
        p.set_stage("encoding the PNG", 0);
        let bytes = crop_png(&image, rect, ppp)?;
        p.check()?;
        let inputs: Vec<&Path> = input.as_deref().into_iter().collect();
        write_file(&out, &inputs, "the plot", |w| {
            w.write_all(&bytes).map_err(io_err)?;
            p.check()
        })?;
        Ok(format!("Saved the plot to {}", out.display()))
    })
}

/// What an SVG of a plot is drawn from (shared with the worker).
enum Source {
    Sweep(Box<crate::analysis::Sweep>, Option<usize>),
    Run(
        Arc<super::explore::SegResult>,
        Arc<super::explore::PreparedData>,
    ),
    Map(
        Arc<super::explore::SegResult>,
        Arc<super::explore::Embedding>,
    ),
}

/// The work that redraws `kind` as SVG with [`crate::plot`] and writes it to `out`, or why there is
/// nothing to draw.
pub fn svg_work(
    state: &AppState,
    kind: PlotKind,
    out: PathBuf,
) -> std::result::Result<FileWork, String> {
    let source = svg_source(state, kind)?;
    let input = state.dataset().and_then(|d| d.path.clone());
    Ok(Box::new(move |p: &Progress| {
        p.set_stage("drawing the SVG", 0);
        let svg = draw_svg(&source, kind, p)?;
        p.check()?;
        let inputs: Vec<&Path> = input.as_deref().into_iter().collect();
        write_file(&out, &inputs, "the plot", |w| {
            w.write_all(svg.as_bytes()).map_err(io_err)?;
            p.check()
        })?;
        Ok(format!("Saved the plot to {}", out.display()))
    }))
}

/// Why `kind` cannot be saved as SVG now, if so (checked before the save dialog).
pub fn svg_unavailable(state: &AppState, kind: PlotKind) -> Option<String> {
    svg_source(state, kind).err()
}

fn svg_source(state: &AppState, kind: PlotKind) -> std::result::Result<Source, String> {
    let ex = &state.explorer;
    let not_yet = || {
        format!(
            "Nothing to save yet: {} is still being computed.",
            kind.what()
        )
    };
    if kind == PlotKind::Curves {
        let view = ex.sweep().ok_or_else(not_yet)?;
        let sweep = view.done.clone().ok_or_else(not_yet)?;
        return Ok(Source::Sweep(Box::new(sweep), ex.current_k()));
    }
    let result = Arc::clone(ex.result().ok_or_else(not_yet)?);
    let prepared = Arc::clone(ex.prepared().ok_or_else(not_yet)?);
    if result.seg.labels.len() != prepared.n_rows() {
        return Err(not_yet());
    }
    match kind {
        PlotKind::Map => {
            let e = ex.embedding().ok_or_else(not_yet)?;
            Ok(Source::Map(result, Arc::clone(e)))
        }
        PlotKind::Dendrogram if of_run::dendrogram(&result).is_none() => Err(
            "No dendrogram to save: the segments were not fitted by a hierarchical method.".into(),
        ),
        PlotKind::Silhouette
            if of_run::silhouette(&result).is_none() && result.silhouette_sample.is_none() =>
        {
            Err(
                "No silhouette plot to save: the silhouette is undefined for this segmentation."
                    .into(),
            )
        }
        _ => Ok(Source::Run(result, prepared)),
    }
}

fn draw_svg(source: &Source, kind: PlotKind, progress: &Progress) -> Result<String> {
    let missing = || Error::InvalidParameter(format!("{} is not available", kind.what()));
    match (source, kind) {
        (Source::Sweep(sweep, k), _) => render_svg(&SweepPlot {
            sweep,
            chosen_k: *k,
        }),
        (Source::Map(result, e), _) => {
            let labels: Vec<usize> = e
                .rows
                .iter()
                .map(|&r| result.seg.labels.get(r).copied().unwrap_or(0))
                .collect();
            let xy = Array2::from_shape_fn((e.xy.len(), 2), |(i, j)| f64::from(e.xy[i][j]));
            render_svg(&ScatterPlot {
                xy: xy.view(),
                labels: &labels,
                k: result.seg.k,
                noise: result.seg.noise_segment(),
                names: &result.names,
                title: format!(
                    "Segments on the t-SNE map ({}, {} segments)",
                    result.seg.method,
                    result.seg.n_clusters()
                ),
                x_title: "t-SNE 1".into(),
                y_title: "t-SNE 2".into(),
            })
        }
        (Source::Run(result, prepared), PlotKind::Scatter { x, y }) => {
            let map = scatter_map(prepared, x, y, progress)?;
            render_svg(&of_run::scatter(result, &map))
        }
        (Source::Run(result, _), PlotKind::Dendrogram) => {
            render_svg(&of_run::dendrogram(result).ok_or_else(missing)?)
        }
        (Source::Run(result, _), PlotKind::Silhouette) => match of_run::silhouette(result) {
            Some(plot) => render_svg(&plot),
            None => sampled_silhouette_svg(result).ok_or_else(missing)?,
        },
        (Source::Run(result, _), PlotKind::Profiles) => render_svg(&of_run::profiles(result)),
        (Source::Run(..), PlotKind::Curves | PlotKind::Map) => Err(missing()),
    }
}

/// Above the exact limit, the silhouette plot of the run API's stratified sample (what the Silhouette
/// tab draws then), titled as such.
fn sampled_silhouette_svg(result: &super::explore::SegResult) -> Option<Result<String>> {
    let sample = result.silhouette_sample.as_ref()?;
    let labels: Vec<usize> = sample
        .rows
        .iter()
        .filter_map(|&r| result.seg.labels.get(r).copied())
        .collect();
    if labels.len() != sample.values.len() {
        return None;
    }
    Some(render_svg(&crate::plot::SilhouettePlot {
        labels: &labels,
        silhouette: &sample.values,
        k: result.seg.k,
        noise: result.seg.noise_segment(),
        names: &result.names,
        mean: result.silhouette_sampled.as_ref().map(|e| e.mean),
        title: format!(
            "Silhouette per row ({}, {} segments), a sample of {} of {} rows",
            result.seg.method,
            result.seg.n_clusters(),
            labels.len(),
            result.seg.labels.len()
        ),
    }))
}

/// The PCA map on components `x` and `y` as the Scatter tab shows it (its stored scores), titled like
/// `segscope plot` ("PC1 (42.0% of variance)"); the first two components computed afresh when the
/// scores were not kept.
fn scatter_map(
    prepared: &super::explore::PreparedData,
    x: usize,
    y: usize,
    progress: &Progress,
) -> Result<of_run::Map> {
    let (Some(scores), Some(pca)) = (&prepared.scores, &prepared.pca) else {
        return of_run::pca_map(prepared, progress);
    };
    if x >= scores.ncols() || y >= scores.ncols() {
        return of_run::pca_map(prepared, progress);
    }
    let title = |c: usize| {
        pca.explained_variance_ratio.get(c).map_or_else(
            || format!("PC{}", c + 1),
            |r| format!("PC{} ({:.1}% of variance)", c + 1, 100.0 * r),
        )
    };
    let xy = Array2::from_shape_fn((scores.nrows(), 2), |(i, j)| {
        scores[[i, if j == 0 { x } else { y }]]
    });
    Ok(of_run::Map {
        xy,
        x_title: title(x),
        y_title: title(y),
        what: "PCA".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::{Color32, pos2};

    /// A 10×6 image whose pixel (x, y) has red x·20, green y·40 (test data, not a theme colour).
    #[allow(clippy::disallowed_methods)]
    fn gradient() -> ColorImage {
        let pixels = (0..6u8)
            .flat_map(|y| (0..10u8).map(move |x| Color32::from_rgb(x * 20, y * 40, 7)))
            .collect();
        ColorImage::new([10, 6], pixels)
    }

    fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
            .read_info()
            .unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgba);
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
    }

    #[test]
    fn crop_takes_the_rect_in_physical_pixels() {
        // Points (1, 1)–(3, 2.5) at 2 pixels per point: pixels x 2..6, y 2..5.
        let rect = Rect::from_min_max(pos2(1.0, 1.0), pos2(3.0, 2.5));
        let (w, h, rgba) = decode(&crop_png(&gradient(), rect, 2.0).unwrap());
        assert_eq!((w, h), (4, 3));
        assert_eq!(&rgba[..4], &[40, 80, 7, 255]);
        let last = rgba.len() - 4;
        assert_eq!(&rgba[last..], &[100, 160, 7, 255]);
    }

    #[test]
    fn crop_is_clipped_to_the_image_and_refuses_an_empty_rect() {
        let rect = Rect::from_min_max(pos2(-5.0, 4.0), pos2(50.0, 50.0));
        let (w, h, rgba) = decode(&crop_png(&gradient(), rect, 1.0).unwrap());
        assert_eq!((w, h), (10, 2));
        assert_eq!(&rgba[..4], &[0, 160, 7, 255]);
        let outside = Rect::from_min_max(pos2(20.0, 0.0), pos2(30.0, 5.0));
        assert!(crop_png(&gradient(), outside, 1.0).is_err());
        assert!(crop_png(&gradient(), Rect::NOTHING, 1.0).is_err());
        let nan = Rect::from_min_max(pos2(f32::NAN, 0.0), pos2(3.0, 3.0));
        let (w, _, _) = decode(&crop_png(&gradient(), nan, 1.0).unwrap());
        assert_eq!(w, 3);
    }
}
