//! Unit tests of the parent module, kept beside it so the module reads as what it does.

use super::figures::{rtt_from, rtt_to_hubs};
use super::*;
use crate::api::{BackboneLink, Cluster, GeoPoint, Hub};

#[test]
fn round_trips_take_the_shortest_path() {
    let cluster = |id: &str, hub: &str| Cluster {
        id: id.into(),
        hub_id: hub.into(),
        name_en: id.into(),
        name_zh: id.into(),
        location: GeoPoint { lat: 0.0, lon: 0.0 },
        racks: 1,
        occupancy: 0.5,
        compute_eflops: 1.0,
        utilization: 0.5,
        pue: 1.2,
        green_power_share: 0.5,
    };
    let link = |a: &str, b: &str, rtt: f64| BackboneLink {
        id: format!("{a}-{b}"),
        from_cluster: a.into(),
        to_cluster: b.into(),
        capacity_gbps: 400,
        utilization: 0.5,
        utilization_forward: 0.5,
        utilization_reverse: 0.5,
        route_km: 100.0,
        rtt_ms: rtt,
    };
    let hub = |id: &str, members: &[&str]| Hub {
        id: id.into(),
        name_en: id.into(),
        name_zh: id.into(),
        cluster_ids: members.iter().map(|m| (*m).into()).collect(),
    };
    let world = World {
        hubs: vec![hub("h1", &["a"]), hub("h2", &["b", "c"]), hub("h3", &["d"])],
        clusters: vec![
            cluster("a", "h1"),
            cluster("b", "h2"),
            cluster("c", "h2"),
            cluster("d", "h3"),
        ],
        links: vec![
            link("a", "b", 10.0),
            link("b", "c", 1.0),
            link("a", "c", 20.0),
        ],
        ..World::default()
    };
    assert_eq!(rtt_from(&world, 0), vec![0.0, 10.0, 11.0, f64::INFINITY]);
    let to_hubs = rtt_to_hubs(&world, &[0]);
    assert_eq!(to_hubs[0], (1, 10.0));
    assert!(to_hubs[1].1.is_infinite());
}
