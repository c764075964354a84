//! The factory desk as a PDF page for the plant's records: the plant, its KPIs against what its
//! workloads need, its network as built, the workloads and whether they are served, and its
//! actions with predicted against measured effect — drawn as SVG (light theme, for paper) and
//! converted like the scorecard (`scorecard_doc::pdf`), off the UI thread.

use std::fmt::Write as _;

use crate::api::{Action, FactoryDetail, Lang, UnixMs};
use crate::client::document_export::Document;
use crate::i18n::I18n;
use crate::scorecard_doc::draw::{hex, text, wrap};
use crate::ui::factories::{industry_name, stage_id, tech_name};
use crate::ui::theme::Theme;

/// A4 landscape at 96 px per inch.
const W: f32 = 1123.0;
const H: f32 = 794.0;
const MARGIN: f32 = 36.0;

/// Everything the page needs, taken from the desk when the button was pressed.
#[derive(Debug, Clone, PartialEq)]
pub struct PlantDeskExport {
    pub detail: FactoryDetail,
    pub actions: Vec<Action>,
    pub lang: Lang,
    pub as_of: UnixMs,
    pub simulated: bool,
}

impl Document for PlantDeskExport {
    fn file_stem(&self) -> String {
        format!("tianshu-plant-{}", self.detail.factory.id)
    }

    fn extension(&self) -> &'static str {
        "pdf"
    }

    fn render(&self) -> Result<Vec<u8>, String> {
        crate::scorecard_doc::pdf(&[self.svg()?]).map_err(|e| e.to_string())
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl PlantDeskExport {
    /// The page as SVG.
    pub fn svg(&self) -> Result<String, String> {
        let i18n = I18n::new(self.lang);
        let theme = Theme::built_in("office-light").map_err(|e| e.to_string())?;
        let (fg, dim) = (hex(theme.text), hex(theme.text_dim));
        let (ok, bad) = (hex(theme.ok), hex(theme.danger));
        let f = &self.detail.factory;
        let mut out = String::new();
        let _ = writeln!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}">"#
        );
        let _ = writeln!(
            out,
            r#"<rect x="0" y="0" width="{W}" height="{H}" fill="{}"/>"#,
            hex(theme.background)
        );
        text(
            &mut out,
            MARGIN,
            52.0,
            24.0,
            &fg,
            &format!("{} #{}", i18n.pick(&f.name_en, &f.name_zh), f.id),
        );
        let line = format!(
            "{} · {} · {} · {}",
            i18n.pick(&f.city_en, &f.city_zh),
            crate::ui::progress::province_name(&f.province, &i18n),
            industry_name(&i18n, f.industry),
            i18n.tr(stage_id(f.stage)),
        );
        text(&mut out, MARGIN, 78.0, 14.0, &dim, &line);
        let as_of = i18n.tr_args("review-as-of", &[("date", i18n.date(self.as_of).into())]);
        let badge = if self.simulated {
            format!("{} · {}", as_of, i18n.tr("simulated-badge"))
        } else {
            as_of
        };
        text(&mut out, W - MARGIN - 320.0, 52.0, 13.0, &dim, &badge);

        // Left column: KPIs, then the network as built.
        let mut y = 118.0;
        text(&mut out, MARGIN, y, 16.0, &fg, &i18n.tr("plant-kpis"));
        y += 24.0;
        for (label, measured, required, pass) in
            crate::ui::factories::page::kpi_rows(&f.kpis, &f.required)
        {
            text(&mut out, MARGIN, y, 13.0, &fg, &i18n.tr(label));
            text(&mut out, MARGIN + 150.0, y, 13.0, &fg, &measured);
            text(&mut out, MARGIN + 280.0, y, 13.0, &dim, &required);
            let (word, colour) = if pass {
                ("plant-pass", &ok)
            } else {
                ("plant-fail", &bad)
            };
            text(&mut out, MARGIN + 420.0, y, 13.0, colour, &i18n.tr(word));
            y += 20.0;
        }
        y += 18.0;
        text(&mut out, MARGIN, y, 16.0, &fg, &i18n.tr("plant-as-built"));
        y += 24.0;
        for u in &self.detail.checklist {
            let (id, colour) = crate::ui::plant::network::status(u.status, &theme);
            text(
                &mut out,
                MARGIN,
                y,
                13.0,
                &fg,
                &tech_name(&i18n, u.technology),
            );
            text(
                &mut out,
                MARGIN + 200.0,
                y,
                13.0,
                &hex(colour),
                &i18n.tr(id),
            );
            text(&mut out, MARGIN + 330.0, y, 13.0, &dim, &i18n.date(u.date));
            y += 20.0;
            if y > H - MARGIN {
                break;
            }
        }

        // Right column: workloads, then actions with predicted and measured effect.
        let x = W / 2.0 + 10.0;
        let width = W - MARGIN - x;
        let mut y = 118.0;
        text(&mut out, x, y, 16.0, &fg, &i18n.tr("plant-workloads"));
        y += 24.0;
        for w in &self.detail.workloads {
            let short = w.shortfalls(&f.kpis);
            let (verdict, colour) = if short.is_empty() {
                (i18n.tr("plant-served"), &ok)
            } else {
                let what: Vec<String> = short
                    .iter()
                    .map(|k| i18n.tr(&format!("plant-short-{k}")))
                    .collect();
                (
                    i18n.tr_args("plant-not-served", &[("what", what.join(", ").into())]),
                    &bad,
                )
            };
            text(
                &mut out,
                x,
                y,
                13.0,
                &fg,
                &i18n.tr(&format!("workload-{}", w.id)),
            );
            text(&mut out, x + 250.0, y, 13.0, colour, &verdict);
            y += 16.0;
            text(
                &mut out,
                x,
                y,
                11.0,
                &dim,
                &crate::ui::plant::network::needs_line(w, &i18n),
            );
            y += 22.0;
        }
        y += 12.0;
        text(&mut out, x, y, 16.0, &fg, &i18n.tr("plant-actions-effect"));
        y += 24.0;
        if self.actions.is_empty() {
            text(&mut out, x, y, 13.0, &dim, &i18n.tr("plant-no-actions"));
        }
        for a in self.actions.iter().take(8) {
            let head = format!(
                "#{} · {} · {}",
                a.id,
                i18n.tr(crate::ui::agents::state_id(a.state)),
                i18n.pick(&a.summary_en, &a.summary_zh)
            );
            for l in wrap(&head, 13.0, width, 1) {
                text(&mut out, x, y, 13.0, &fg, &l);
            }
            y += 17.0;
            let effect =
                crate::ui::agents::gateway_card::effect_summary(a, &i18n).unwrap_or_else(|| {
                    i18n.pick(&a.predicted_impact_en, &a.predicted_impact_zh)
                        .to_owned()
                });
            for l in wrap(&effect, 11.0, width, 2) {
                text(&mut out, x, y, 11.0, &dim, &l);
                y += 15.0;
            }
            y += 6.0;
            if y > H - MARGIN {
                break;
            }
        }
        let _ = writeln!(out, "</svg>");
        Ok(out)
    }
}
