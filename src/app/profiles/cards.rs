//! A card per segment above the table: its colour, its name (editable: the name travels to the labelled
//! CSV's `segment_name`, the recipe and the model), size and share, bootstrap stability when computed, and
//! the engine's description in words ([`crate::analysis::describe`]).

use egui::{CornerRadius, Frame, Margin, RichText, ScrollArea, Sense, TextEdit, Ui, vec2};

use super::super::density_view::color_of;
use super::super::explore::{ExploreCommand, SegResult};
use super::super::format::{count, fmt_percent};
use super::super::state::Command;
use crate::analysis::stability::Verdict;

/// Width of a card.
const CARD_W: f32 = 250.0;
/// Width of a card with its frame (inner margin 8 on each side, stroke).
const CARD_OUTER_W: f32 = CARD_W + 2.0 * 8.0 + 2.0;
/// Tallest the card area grows before it scrolls.
const CARDS_MAX_H: f32 = 200.0;

/// The description without its "Segment N · 18% · " prefix (the card shows those already).
fn description_body(text: &str) -> &str {
    text.splitn(3, " · ").nth(2).unwrap_or(text)
}

/// The cards; a name edited and committed (Enter or focus lost) becomes a rename command.
pub(super) fn cards_ui(
    ui: &mut Ui,
    result: &SegResult,
    edits: &mut Vec<String>,
    commands: &mut Vec<Command>,
) {
    let k = result.seg.k;
    edits.resize(k, String::new());
    let rows: usize = result.profile.sizes.iter().sum();
    ScrollArea::vertical()
        .id_salt("segment_cards")
        .max_height(CARDS_MAX_H)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            // Rows of as many cards as fit: a wrapped layout cannot know a frame's width before it is
            // drawn, so it would let the last card of a row run past the edge.
            let gap = 8.0;
            let width_id = egui::Id::unique("segment_card_width");
            let card_w = ui
                .data(|d| d.get_temp::<f32>(width_id))
                .unwrap_or(CARD_OUTER_W);
            let per_row = (((ui.available_width() + gap) / (card_w + gap)).floor() as usize).max(1);
            ui.spacing_mut().item_spacing = vec2(gap, gap);
            let mut drawn = card_w;
            for (row, chunk) in edits.chunks_mut(per_row).enumerate() {
                ui.horizontal(|ui| {
                    for (i, edit) in chunk.iter_mut().enumerate() {
                        drawn = card_ui(ui, result, row * per_row + i, rows, edit, commands);
                    }
                });
            }
            // The width a card really takes (frame, margins, stroke) lays out the next frame.
            if (drawn - card_w).abs() > 0.5 {
                ui.data_mut(|d| d.insert_temp(width_id, drawn));
                ui.ctx().request_repaint();
            }
        });
}

fn card_ui(
    ui: &mut Ui,
    result: &SegResult,
    s: usize,
    rows: usize,
    edit: &mut String,
    commands: &mut Vec<Command>,
) -> f32 {
    let size = result.profile.sizes.get(s).copied().unwrap_or(0);
    let current = result.names.get(s).cloned().unwrap_or_default();
    Frame::group(ui.style())
        .inner_margin(Margin::same(8))
        .corner_radius(CornerRadius::same(6))
        .show(ui, |ui| {
            ui.set_width(CARD_W);
            ui.vertical(|ui| {
                ui.spacing_mut().item_spacing = vec2(6.0, 3.0);
                ui.horizontal(|ui| {
                    let (r, _) = ui.allocate_exact_size(vec2(12.0, 12.0), Sense::hover());
                    ui.painter()
                        .rect_filled(r, CornerRadius::same(2), color_of(&result.seg, s));
                    let label = ui.label(RichText::new(format!("{s}")).strong());
                    let field = ui
                        .add(
                            TextEdit::singleline(edit)
                                .id_salt(("segment_name", s))
                                .desired_width(CARD_W - 40.0)
                                .hint_text("name this segment"),
                        )
                        .labelled_by(label.id)
                        .on_hover_text(
                            "The segment's name: it goes into the labelled CSV (segment_name), the \
                             recipe and the model. Type a new one and press Enter; empty puts the \
                             suggested name back. Kept when you refit with the same K and seed.",
                        );
                    if field.lost_focus() && *edit != current {
                        commands.push(Command::Explore(ExploreCommand::RenameSegment(
                            s,
                            edit.clone(),
                        )));
                    } else if !field.has_focus() && *edit != current {
                        // Renamed elsewhere (or carried from a refit): show the name in use.
                        edit.clone_from(&current);
                    }
                });
                ui.horizontal_wrapped(|ui| {
                    ui.label(format!(
                        "Segment {s} · {} · {}",
                        count(size, "row"),
                        fmt_percent(size, rows)
                    ));
                    if let Some(j) = result
                        .stability
                        .as_ref()
                        .and_then(|st| st.jaccard.get(s))
                        .copied()
                    {
                        let verdict = Verdict::of(j);
                        let text = RichText::new(format!("{} (Jaccard {j:.2})", verdict.as_str()));
                        let text = match verdict {
                            Verdict::Dissolved | Verdict::Pattern => {
                                text.color(ui.visuals().warn_fg_color)
                            }
                            Verdict::Valid | Verdict::Stable => text.weak(),
                        };
                        ui.label(text).on_hover_text(
                            "Bootstrap stability (Hennig's clusterboot): the mean Jaccard overlap of \
                             this segment with its best match when the rows are resampled and \
                             clustered again. Below 0.6 it dissolves; 0.6–0.75 a pattern; 0.85 and \
                             more highly stable.",
                        );
                    }
                });
                if let Some(d) = result.descriptions.get(s) {
                    ui.add(egui::Label::new(description_body(&d.description)).wrap())
                        .on_hover_text(&d.description);
                }
            });
        })
        .response
        .rect
        .width()
}

#[cfg(test)]
mod tests {
    use super::description_body;

    #[test]
    fn the_card_drops_the_number_and_share_of_the_description() {
        assert_eq!(
            description_body("Segment 2 · 18% · recent (12 days vs 64 overall), frequent"),
            "recent (12 days vs 64 overall), frequent"
        );
        assert_eq!(description_body("no prefix"), "no prefix");
    }
}
