//! The plants table: `egui_extras::TableBuilder` with virtual rows (only the visible ones are
//! laid out, so 60,000 rows scroll like 60), sortable columns and a selection shared with the map.

use egui::{RichText, Sense};
use egui_extras::{Column, TableBuilder};

use super::{industry_name, provinces, stage_id, tech_name};
use crate::api::{FactoryPoints, FigureOrigin, SourceStatus, UnixMs};
use crate::i18n::{I18n, Lang};
use crate::state::provenance::Provenance;
use crate::ui::provenance;
use crate::ui::theme::Theme;

/// Columns the table sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortColumn {
    #[default]
    Id,
    Name,
    Province,
    Industry,
    Stage,
    Compliant,
}

/// Orders `rows` (indices into `points`) by `column`, ties by id; stable and total.
pub fn sort_rows(
    points: &FactoryPoints,
    rows: &mut [u32],
    column: SortColumn,
    ascending: bool,
    lang: Lang,
) {
    let id = |i: u32| points.ids.get(i as usize).copied().unwrap_or(0);
    let u8_at = |v: &[u8], i: u32| v.get(i as usize).copied().unwrap_or(0);
    match column {
        SortColumn::Id => rows.sort_by_key(|i| id(*i)),
        SortColumn::Name => {
            let names = match lang {
                Lang::En => &points.name_en,
                Lang::ZhCn => &points.name_zh,
            };
            rows.sort_by(|a, b| {
                let name = |i: u32| names.get(i as usize).map_or("", String::as_str);
                name(*a).cmp(name(*b)).then(id(*a).cmp(&id(*b)))
            });
        }
        SortColumn::Province => rows.sort_by(|a, b| {
            let p = |i: u32| points.province_of(i as usize).unwrap_or("");
            p(*a).cmp(p(*b)).then(id(*a).cmp(&id(*b)))
        }),
        SortColumn::Industry => rows.sort_by_key(|i| (u8_at(&points.industry, *i), id(*i))),
        SortColumn::Stage => rows.sort_by_key(|i| (u8_at(&points.stage, *i), id(*i))),
        SortColumn::Compliant => rows.sort_by_key(|i| {
            let c = points.compliant.get(*i as usize).copied().unwrap_or(false);
            (c, id(*i))
        }),
    }
    if !ascending {
        rows.reverse();
    }
}

pub struct TableOut {
    /// Plant clicked in the table.
    pub clicked: Option<u32>,
}

const ROW_HEIGHT: f32 = 22.0;

/// The origin of row `i`'s KPIs (none: the simulator's).
pub(super) fn kpi_origin(points: &FactoryPoints, i: usize) -> Option<FigureOrigin> {
    let k = *points.kpi_source.get(i)?;
    let source = points.kpi_sources.get(usize::from(k).checked_sub(1)?)?;
    Some(FigureOrigin {
        entity: format!("factory:{}", points.ids.get(i)?),
        metric: "kpis".into(),
        source: source.clone(),
        measured_at: points.kpi_measured_at.get(i).copied().unwrap_or(0),
        value: None,
    })
}

#[allow(clippy::too_many_arguments)]
pub fn table_ui(
    ui: &mut egui::Ui,
    points: &FactoryPoints,
    rows: &[u32],
    // (column, descending)
    sort: &mut (SortColumn, bool),
    selected: Option<u32>,
    scroll_to_selected: bool,
    (i18n, theme): (&I18n, &Theme),
    // The sources' health and the server's clock, for each row's KPI provenance.
    (sources, server_now): (&[SourceStatus], Option<UnixMs>),
) -> TableOut {
    let mut out = TableOut { clicked: None };
    // Labels that select text would take the clicks meant for the row.
    ui.style_mut().interaction.selectable_labels = false;
    let names = provinces::names();
    // The name takes what the fixed columns and a minimal technologies column leave, so the
    // table never runs under the panel beside it on a narrow window.
    let spacing = ui.spacing().item_spacing.x * 7.0;
    let fixed = 60.0 + 96.0 + 150.0 + 96.0 + 84.0 + spacing;
    let name_width = (ui.available_width() - fixed - 120.0).clamp(100.0, 300.0);
    let mut table = TableBuilder::new(ui)
        .id_salt("factories_table")
        .striped(true)
        .sense(Sense::click())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::exact(60.0))
        .column(Column::exact(name_width).clip(true))
        .column(Column::exact(96.0))
        .column(Column::exact(150.0).clip(true))
        .column(Column::exact(96.0))
        .column(Column::exact(84.0))
        .column(Column::remainder().at_least(40.0).clip(true))
        .min_scrolled_height(80.0)
        .max_scroll_height(f32::INFINITY);
    if scroll_to_selected
        && let Some(row) = selected.and_then(|id| {
            rows.iter()
                .position(|i| points.ids.get(*i as usize) == Some(&id))
        })
    {
        table = table.scroll_to_row(row, Some(egui::Align::Center));
    }
    let headers = [
        ("factories-col-id", Some(SortColumn::Id)),
        ("col-name", Some(SortColumn::Name)),
        ("col-province", Some(SortColumn::Province)),
        ("col-industry", Some(SortColumn::Industry)),
        ("col-stage", Some(SortColumn::Stage)),
        ("factories-col-compliant", Some(SortColumn::Compliant)),
        ("col-tech", None),
    ];
    table
        .header(ROW_HEIGHT + 4.0, |mut header| {
            for (id, column) in headers {
                header.col(|ui| {
                    let mut text = i18n.tr(id);
                    if let Some(c) = column {
                        if sort.0 == c {
                            text.push_str(if sort.1 { " ▼" } else { " ▲" });
                        }
                        if crate::ui::wall::is_wall(ui) {
                            // A header, not a sort button, on the wall.
                            ui.label(RichText::new(text).strong());
                        } else if ui
                            .add(egui::Button::new(RichText::new(text).strong()).frame(false))
                            .clicked()
                        {
                            *sort = if sort.0 == c {
                                (c, !sort.1)
                            } else {
                                (c, false)
                            };
                        }
                    } else {
                        ui.label(RichText::new(text).strong());
                    }
                });
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, rows.len(), |mut row| {
                let Some(&i) = rows.get(row.index()) else {
                    return;
                };
                let i = i as usize;
                let id = points.ids.get(i).copied().unwrap_or(0);
                row.set_selected(selected == Some(id));
                row.col(|ui| {
                    ui.label(RichText::new(id.to_string()).color(theme.text_dim));
                });
                row.col(|ui| {
                    let name = i18n.pick(
                        points.name_en.get(i).map_or("", String::as_str),
                        points.name_zh.get(i).map_or("", String::as_str),
                    );
                    let r = ui.add(egui::Label::new(name).sense(Sense::click()));
                    if r.clicked() {
                        out.clicked = Some(id);
                    }
                });
                row.col(|ui| {
                    let p = points.province_of(i).unwrap_or("");
                    ui.label(provinces::name(names, p, i18n));
                });
                row.col(|ui| {
                    if let Some(ind) = points.industry_of(i) {
                        ui.label(industry_name(i18n, ind));
                    }
                });
                row.col(|ui| {
                    if let Some(stage) = points.stage_of(i) {
                        let colour = theme.stages[usize::from(points.stage[i]).min(3)];
                        ui.label(
                            RichText::new(format!("● {}", i18n.tr(stage_id(stage)))).color(colour),
                        );
                    }
                });
                row.col(|ui| {
                    let ok = points.compliant.get(i).copied().unwrap_or(false);
                    let text = if ok {
                        i18n.tr("factories-pass")
                    } else {
                        i18n.tr("factories-fail")
                    };
                    // The verdict rests on the plant's KPIs: say where they come from.
                    let origin = kpi_origin(points, i);
                    let p = Provenance::of(origin.as_ref(), sources);
                    provenance::figure(
                        ui,
                        RichText::new(text).color(theme.good_or_bad(ok)),
                        &p,
                        i18n,
                        theme,
                        server_now,
                    );
                });
                row.col(|ui| {
                    let techs: Vec<String> = points
                        .technologies_of(i)
                        .into_iter()
                        .map(|t| tech_name(i18n, t))
                        .collect();
                    ui.label(techs.join(", "));
                });
                if row.response().clicked() {
                    out.clicked = Some(id);
                }
            });
        });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{FactoryPoints, FactoryQuery, UpgradeStage};

    fn points() -> FactoryPoints {
        FactoryPoints {
            ids: vec![1, 2, 3, 4],
            lat: vec![30.0; 4],
            lon: vec![110.0; 4],
            stage: vec![3, 0, 3, 1],
            industry: vec![2, 2, 0, 5],
            province: vec![1, 0, 1, 0],
            tech: vec![0b1, 0, 0b101, 0b10],
            compliant: vec![true, false, false, true],
            name_en: vec![
                "Wuxi B".into(),
                "Anshan A".into(),
                "Wuxi A".into(),
                "Dalian".into(),
            ],
            name_zh: vec![
                "无锡乙".into(),
                "鞍山甲".into(),
                "无锡甲".into(),
                "大连".into(),
            ],
            provinces: vec!["CN-LN".into(), "CN-JS".into()],
            ..FactoryPoints::default()
        }
    }

    fn ids(p: &FactoryPoints, rows: &[u32]) -> Vec<u32> {
        rows.iter().map(|i| p.ids[*i as usize]).collect()
    }

    #[test]
    fn sorts_by_each_column_both_ways_with_id_ties() {
        let p = points();
        let mut rows: Vec<u32> = vec![3, 1, 0, 2];
        sort_rows(&p, &mut rows, SortColumn::Id, true, Lang::En);
        assert_eq!(ids(&p, &rows), [1, 2, 3, 4]);
        sort_rows(&p, &mut rows, SortColumn::Id, false, Lang::En);
        assert_eq!(ids(&p, &rows), [4, 3, 2, 1]);
        sort_rows(&p, &mut rows, SortColumn::Name, true, Lang::En);
        assert_eq!(ids(&p, &rows), [2, 4, 3, 1]);
        sort_rows(&p, &mut rows, SortColumn::Stage, true, Lang::En);
        assert_eq!(ids(&p, &rows), [2, 4, 1, 3]);
        sort_rows(&p, &mut rows, SortColumn::Stage, false, Lang::En);
        assert_eq!(ids(&p, &rows), [3, 1, 4, 2]);
        sort_rows(&p, &mut rows, SortColumn::Province, true, Lang::En);
        assert_eq!(ids(&p, &rows), [1, 3, 2, 4], "CN-JS before CN-LN");
        sort_rows(&p, &mut rows, SortColumn::Industry, true, Lang::En);
        assert_eq!(ids(&p, &rows), [3, 1, 2, 4]);
        sort_rows(&p, &mut rows, SortColumn::Compliant, true, Lang::En);
        assert_eq!(ids(&p, &rows), [2, 3, 1, 4]);
    }

    #[test]
    fn point_filters_combine() {
        let p = points();
        let q = FactoryQuery {
            province: Some("cn-js".into()),
            stage: Some(UpgradeStage::Upgraded),
            ..Default::default()
        };
        assert_eq!(p.filter(&q), [0, 2]);
        let q = FactoryQuery {
            compliant: Some(false),
            tech: Some(crate::api::Technology::Tsn),
            ..Default::default()
        };
        assert_eq!(p.filter(&q), [2]);
        let by_id = FactoryQuery {
            q: Some("#4".into()),
            ..Default::default()
        };
        assert_eq!(p.filter(&by_id), [3]);
        let zh = FactoryQuery {
            q: Some("无锡".into()),
            ..Default::default()
        };
        assert_eq!(p.filter(&zh), [0, 2]);
        let unknown = FactoryQuery {
            province: Some("CN-XX".into()),
            ..Default::default()
        };
        assert!(p.filter(&unknown).is_empty());
    }
}
