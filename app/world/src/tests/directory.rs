//! The directory as a whole: absent, empty, partial, with other files.

use std::path::Path;

use super::{Fixture, assert_at};
use crate::{FILES, load};

#[test]
fn a_directory_that_does_not_exist_is_an_error_about_it() {
    let dir = std::env::temp_dir().join("tianshu-world-test-no-such-directory");
    let e = load(&dir).unwrap_err();
    assert_at(&e, &dir.display().to_string(), 0, 0, None);
    assert!(
        e.to_string().starts_with(&format!("{}: ", dir.display())),
        "{e}"
    );
    let e = load(Path::new(file!())).unwrap_err();
    assert_eq!(e.line, 0, "a file, not a directory: {e}");
}

#[test]
fn a_directory_without_world_files_defines_nothing() {
    let fixture = Fixture::new(&[("notes.txt", "hello"), ("hubs.json", "not read")]);
    let loaded = fixture.load().unwrap();
    assert_eq!(loaded.inventory, Default::default());
    assert!(loaded.files.is_empty());
}

#[test]
fn only_enterprises_leaves_compute_and_metros_to_the_simulator() {
    let text =
        "id,name_en,province,lat,lon,industry,stage\n1,Plant,CN-GD,23.0,113.1,steel,planned\n";
    let fixture = Fixture::new(&[("enterprises.csv", text), ("README.md", "# ignored")]);
    let inventory = fixture.load().unwrap().inventory;
    assert!(inventory.compute.is_none() && inventory.metros.is_none());
    assert_eq!(inventory.enterprises.unwrap().len(), 1);
}

#[test]
fn one_bad_file_refuses_everything() {
    let good =
        "id,name_en,province,lat,lon,industry,stage\n1,Plant,CN-GD,23.0,113.1,steel,planned\n";
    let e = Fixture::new(&[("enterprises.csv", good), ("metros.csv", "id\n")])
        .load()
        .unwrap_err();
    assert_eq!(e.file, "metros.csv");
}

#[test]
fn the_file_list_names_every_file_read() {
    assert_eq!(FILES.len(), 8);
    for name in [
        "hubs.geojson",
        "clusters.geojson",
        "links.geojson",
        "metros.csv",
        "metros.geojson",
    ] {
        assert!(FILES.contains(&name), "{name}");
    }
    for name in ["sites.csv", "sites.geojson", "enterprises.csv"] {
        assert!(FILES.contains(&name), "{name}");
    }
}
