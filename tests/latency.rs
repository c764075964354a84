//! Metro 1 ms access end to end: the national summary and what-if planning against the reference
//! backend on port 0, through the console's real client. A what-if must raise coverage where a
//! site is added near uncovered people, and must leave the live world exactly as it was.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use tianshu::api::{GeoPoint, LatencyGrid, WhatIfRequest};
use tianshu::backend::{self, BackendConfig, RunningBackend};
use tianshu::client::{ApiClient, ClientError};

async fn start_backend() -> RunningBackend {
    let mut config = BackendConfig {
        // Slow enough that the operators' own roll-out does not move a metro during a test.
        speed: 1.0,
        tick: Duration::from_millis(100),
        ..BackendConfig::default()
    };
    config.sim.seed = 11;
    config.sim.factory_count = 5_000;
    backend::start(config).await.expect("backend starts")
}

/// Centre of a cell, as the backend lays the grid out (1 km cells on a local frame).
fn cell_centre(grid: &LatencyGrid, cell: usize) -> GeoPoint {
    let (col, row) = (cell % grid.cols as usize, cell / grid.cols as usize);
    let km_lat = 111.32;
    let centre_lat = grid.origin.lat + f64::from(grid.rows) * grid.cell_km / km_lat / 2.0;
    let km_lon = km_lat * centre_lat.to_radians().cos();
    GeoPoint {
        lat: grid.origin.lat + (row as f64 + 0.5) * grid.cell_km / km_lat,
        lon: grid.origin.lon + (col as f64 + 0.5) * grid.cell_km / km_lon,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn national_summary_states_its_definitions() {
    let backend = start_backend().await;
    let api = ApiClient::new(&backend.base_url(), None).unwrap();
    let summary = api.latency_summary().await.unwrap();
    let metros = api.snapshot().await.unwrap().metros;
    assert_eq!(summary.metros_total as usize, metros.len());
    assert_eq!(summary.covered_rtt_ms, 1.0);
    assert_eq!(summary.target_share, 0.75);
    assert_eq!(summary.target_year, 2028);
    let meeting = metros
        .iter()
        .filter(|m| m.coverage_1ms >= summary.coverage_threshold)
        .count();
    assert_eq!(summary.metros_meeting as usize, meeting);
    assert!((summary.metro_share - meeting as f64 / metros.len() as f64).abs() < 1e-12);
    assert!((0.0..=1.0).contains(&summary.population_share));
    assert!(!summary.history.is_empty());
    assert_eq!(summary.metros.len(), metros.len());

    let doc: serde_json::Value =
        reqwest::get(format!("{}/api/v1/openapi.json", backend.base_url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    for path in ["/api/v1/latency/summary", "/api/v1/metros/{id}/whatif"] {
        assert!(doc["paths"][path].is_object(), "openapi.json lacks {path}");
    }
    let described = doc["paths"]["/api/v1/latency/summary"].to_string();
    assert!(described.contains("population-weighted"), "{described}");
    backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_what_if_site_raises_coverage_and_changes_nothing_live() {
    let backend = start_backend().await;
    let api = ApiClient::new(&backend.base_url(), None).unwrap();
    let metros = api.snapshot().await.unwrap().metros;
    let worst = metros
        .iter()
        .min_by(|a, b| a.coverage_1ms.total_cmp(&b.coverage_1ms))
        .unwrap()
        .clone();
    let grid = api.metro_latency(&worst.id).await.unwrap();
    assert_eq!(grid.nearest_site.len(), grid.rtt_ms.len());
    assert_eq!(grid.site_distance_km.len(), grid.rtt_ms.len());
    // The most populous cell outside 1 ms: a poorly covered area.
    let cell = (0..grid.rtt_ms.len())
        .filter(|c| grid.rtt_ms[*c] > 1.0)
        .max_by(|a, b| grid.population[*a].total_cmp(&grid.population[*b]))
        .expect("an uncovered cell");
    let request = WhatIfRequest {
        add: vec![cell_centre(&grid, cell)],
        remove: vec![],
    };
    let answer = api.what_if(&worst.id, &request).await.unwrap();
    assert_eq!(answer.before.coverage_1ms, worst.coverage_1ms);
    assert_eq!(answer.before.access_points, worst.access_points);
    assert!(
        answer.after.coverage_1ms > answer.before.coverage_1ms,
        "{:?}",
        answer
    );
    assert!(answer.after.median_rtt_ms <= answer.before.median_rtt_ms);
    assert_eq!(answer.after.access_points, worst.access_points + 1);
    assert_eq!(answer.rtt_ms_after.len(), grid.rtt_ms.len());
    assert!(answer.rtt_ms_after[cell] < grid.rtt_ms[cell]);

    // Taking every site away makes it worse, also only hypothetically.
    let all: Vec<u32> = (0..worst.access_points).collect();
    let none = api
        .what_if(
            &worst.id,
            &WhatIfRequest {
                add: vec![],
                remove: all,
            },
        )
        .await
        .unwrap();
    assert_eq!(none.after.access_points, 0);
    assert!(none.after.coverage_1ms < worst.coverage_1ms);

    // The live metro, its grid and the national figures are as they were.
    let live = api.snapshot().await.unwrap().metros;
    let again = live.iter().find(|m| m.id == worst.id).unwrap();
    assert_eq!(again, &worst);
    let grid_again = api.metro_latency(&worst.id).await.unwrap();
    assert_eq!(grid_again.rtt_ms, grid.rtt_ms);
    assert_eq!(grid_again.access_points, grid.access_points);

    // Refusals say why, with the right status.
    let far = GeoPoint {
        lat: worst.center.lat + 3.0,
        lon: worst.center.lon,
    };
    for (id, request, status, code) in [
        (
            worst.id.as_str(),
            WhatIfRequest {
                add: vec![far],
                remove: vec![],
            },
            422,
            "outside_grid",
        ),
        (
            worst.id.as_str(),
            WhatIfRequest {
                add: vec![],
                remove: vec![worst.access_points],
            },
            422,
            "no_such_site",
        ),
        (
            worst.id.as_str(),
            WhatIfRequest {
                add: vec![worst.center; 21],
                remove: vec![],
            },
            422,
            "too_many_sites",
        ),
        ("atlantis", WhatIfRequest::default(), 404, "not_found"),
    ] {
        match api.what_if(id, &request).await {
            Err(ClientError::Api { status: s, body }) => {
                assert_eq!((s, body.code.as_str()), (status, code), "{}", body.message);
            }
            other => panic!("expected {status} {code}, got {other:?}"),
        }
    }
    backend.shutdown().await;
}
