//! The example world directory, `examples/world`.

use std::path::Path;

use tianshu_api::UpgradeStage;

use crate::load;

#[test]
fn the_example_directory_loads_whole() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/world");
    let loaded = load(&dir).unwrap();
    let compute = loaded.inventory.compute.unwrap();
    assert_eq!(
        (
            compute.hubs.len(),
            compute.clusters.len(),
            compute.links.len()
        ),
        (8, 10, 22)
    );
    assert!(compute.hubs.iter().all(|h| !h.cluster_ids.is_empty()));
    let drawn = compute
        .links
        .iter()
        .filter(|l| l.route_km.is_some())
        .count();
    assert!((3..=4).contains(&drawn), "{drawn} links with a drawn route");
    let racks: u32 = compute.clusters.iter().map(|c| c.racks).sum();
    assert_eq!(racks, 1_460_000);

    let metros = loaded.inventory.metros.unwrap();
    assert_eq!(metros.len(), 8);
    assert!(
        metros.iter().all(|m| (4..=10).contains(&m.sites.len())),
        "4–10 sites per metro"
    );

    let enterprises = loaded.inventory.enterprises.unwrap();
    assert_eq!(enterprises.len(), 1000);
    let upgraded = enterprises
        .iter()
        .filter(|e| e.stage == UpgradeStage::Upgraded)
        .count();
    assert!((300..=400).contains(&upgraded), "{upgraded} upgraded");

    let files: Vec<_> = loaded.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        files,
        [
            "hubs.geojson",
            "clusters.geojson",
            "links.geojson",
            "metros.csv",
            "sites.csv",
            "enterprises.csv"
        ]
    );
}
