//! The factory desk (issue 18): one plant's page filling a workstation — its decisions first, its
//! KPIs against what its workloads need over 24 h / 7 days / 30 days, its network as built, the
//! workloads and whether they are served, its actions' predicted against measured effect, and
//! the page as a PDF; no text over other text from a laptop to a 4K screen, in both languages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use tianshu::client::{ClientEvent, Command};
use tianshu::i18n::Lang;
use tianshu::plant_doc::PlantDeskExport;
use tianshu::settings::{Profile, Settings};
use tianshu::ui::ConsoleApp;

mod console_support;
use console_support::*;

/// The desk of a plant with an agent, one of its actions pending and one executed with a
/// measured effect, its page data delivered.
fn desk(lang: Lang, size: egui::Vec2) -> (Harness<'static, ConsoleApp>, Fixture, u32) {
    let (world, plant) = world_with_an_agents_plant();
    let detail = world.sim.factory_detail(plant.id).expect("detail");
    let mut snapshot = simulated_snapshot();
    let agent = plant.agent_id.clone().expect("agent");
    let mut open = pending_action(902, snapshot.server_time);
    open.agent_id = agent.clone();
    open.summary_en = "Retune the welding cell's TSN schedule".into();
    let mut done = pending_action(903, snapshot.server_time);
    done.agent_id = agent;
    done.state = tianshu::api::ActionState::Executed;
    done.summary_en = "Move vision inference to the edge node".into();
    done.predicted = vec![tianshu::api::Effect {
        metric: "latency_ms".into(),
        before: 9.0,
        after: 4.0,
        unit: "ms".into(),
        r#where: None,
    }];
    done.outcome = Some(tianshu::api::ActionOutcome {
        status: tianshu::api::OutcomeStatus::Executed,
        details: "measured on the line".into(),
        measured: None,
        effects: vec![tianshu::api::Effect {
            metric: "latency_ms".into(),
            before: 9.0,
            after: 4.6,
            unit: "ms".into(),
            r#where: None,
        }],
        at: snapshot.server_time,
    });
    // Another agent's action on the plant's group (province/industry): it waits for this
    // manager too.
    let industry = serde_json::to_value(plant.industry).unwrap();
    let mut on_group = pending_action(904, snapshot.server_time);
    on_group.agent_id = "agent-group-tuner".into();
    on_group.target = format!("group:{}/{}", plant.province, industry.as_str().unwrap());
    on_group.summary_en = "Tune the group's edge inference".into();
    snapshot.actions = vec![open, done, on_group];
    let settings = Settings {
        profile: Profile::Factory,
        factory: Some(plant.id),
        ..Settings::default()
    };
    let (mut harness, fixture) = console_with(settings, lang, size, 0.25);
    connect(&fixture, snapshot);
    fixture
        .to_ui
        .try_send(ClientEvent::FactoryDetail(Box::new(detail)))
        .expect("send");
    harness.run_steps(4);
    (harness, fixture, plant.id)
}

#[test]
fn the_desk_answers_the_plant_managers_questions_on_one_page() {
    let (mut harness, mut fixture, id) = desk(Lang::En, egui::vec2(1920.0, 1080.0));
    // Its decisions first.
    harness.get_by_label("Pending actions for this plant: 2");
    assert_eq!(
        harness
            .query_all_by_label("Tune the group's edge inference")
            .count(),
        2,
        "an action on the plant's group is one of its decisions"
    );
    // On its card (to decide) and among the plant's actions.
    assert_eq!(
        harness
            .query_all_by_label("Retune the welding cell's TSN schedule")
            .count(),
        2
    );
    // KPIs against their requirement, over a window the manager picks.
    harness.get_by_label("Network KPIs against what the workloads need");
    assert_eq!(
        harness.query_all_by_label_contains(", needed ").count(),
        4,
        "one per KPI"
    );
    harness.get_by_label("30 days").click();
    harness.run_steps(2);
    let texts = drawn_texts(harness.output());
    assert!(
        texts.iter().any(|(_, t, _)| t.ends_with(" d")),
        "the axis counts days: {texts:?}"
    );
    // The network as built and the workloads it serves (or not).
    harness.get_by_label("The plant's network as built");
    harness.get_by_label("AI and control workloads it carries");
    assert!(
        harness.query_all_by_label_contains("Served").count()
            + harness.query_all_by_label_contains("Not served").count()
            >= 3
    );
    // Its actions with predicted against measured effect.
    harness.get_by_label("Actions: predicted against measured effect");
    harness.get_by_label_contains("predicted 9 → 4 ms, measured 9 → 4.6 ms");
    // The page as a PDF, through the client like every export.
    while fixture.from_ui.try_recv().is_ok() {}
    harness.get_by_label("Export page as PDF").click();
    harness.run_steps(2);
    let mut exported = None;
    while let Ok(c) = fixture.from_ui.try_recv() {
        if let Command::ExportDocument(job) = c {
            exported = job.0.as_any().downcast_ref::<PlantDeskExport>().cloned();
        }
    }
    let job = exported.expect("the export left as one command");
    assert_eq!(job.detail.factory.id, id);
    assert_eq!(job.actions.len(), 3);
    let pdf = tianshu::client::document_export::Document::render(&job).expect("renders");
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
}

/// The page as the PDF draws it names the plant, its workloads and its actions, in Chinese too.
#[test]
fn the_desks_pdf_page_holds_what_the_desk_shows() {
    let (harness, _fixture, _) = desk(Lang::ZhCn, egui::vec2(1920.0, 1080.0));
    let state = &harness.state().state;
    let detail = state.factory_detail.clone().expect("detail");
    let job = PlantDeskExport {
        detail: detail.clone(),
        actions: state.actions.values().cloned().collect(),
        lang: Lang::ZhCn,
        as_of: NOW,
        simulated: true,
    };
    let svg = job.svg().expect("svg");
    assert!(svg.contains(&detail.factory.name_zh), "the plant");
    assert!(svg.contains("网络承载的 AI 与控制业务"), "the workloads");
    assert!(svg.contains("模拟数据"), "labelled simulated");
    assert!(svg.contains("#903"), "its actions");
}

/// No text over other text on the desk, from a laptop to a 4K screen, in both languages.
#[test]
fn no_desk_text_is_drawn_over_other_text() {
    for size in [
        egui::vec2(1280.0, 720.0),
        egui::vec2(1920.0, 1080.0),
        egui::vec2(3840.0, 2160.0),
    ] {
        for lang in [Lang::En, Lang::ZhCn] {
            let (harness, _fixture, _) = desk(lang, size);
            let over = overlapping(&drawn_texts(harness.output()));
            assert!(over.is_empty(), "{size:?} {lang:?}: {over:?}");
        }
    }
}

#[test]
fn desk_snapshots() {
    let mut results = egui_kittest::SnapshotResults::new();
    for (lang, tag) in [(Lang::En, "en"), (Lang::ZhCn, "zh")] {
        let (mut harness, _fixture, _) = desk(lang, egui::vec2(1920.0, 1080.0));
        harness.snapshot(format!("factory_desk_{tag}"));
        results.extend_harness(&mut harness);
    }
}
