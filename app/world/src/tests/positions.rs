//! Byte offsets to lines and columns, and how errors are shown.

use crate::LoadError;
use crate::error::{Locator, Pos};

#[test]
fn offsets_become_lines_and_character_columns() {
    let text = "ab\n枢纽x\n\nyz";
    let mut locator = Locator::new(text);
    assert_eq!(locator.pos(0), Pos::new(1, 1));
    assert_eq!(locator.pos(1), Pos::new(1, 2));
    assert_eq!(
        locator.pos(9),
        Pos::new(2, 3),
        "after two 3-byte characters"
    );
    assert_eq!(locator.pos(text.len() - 1), Pos::new(4, 2));
    assert_eq!(locator.pos(3), Pos::new(2, 1), "going back starts over");
}

#[test]
fn errors_show_only_the_parts_they_have() {
    let mut e = LoadError {
        file: "hubs.geojson".into(),
        line: 12,
        column: 5,
        field: Some("name_zh".into()),
        reason: "must not be empty".into(),
    };
    assert_eq!(
        e.to_string(),
        "hubs.geojson:12:5: field `name_zh`: must not be empty"
    );
    e.column = 0;
    assert_eq!(
        e.to_string(),
        "hubs.geojson:12: field `name_zh`: must not be empty"
    );
    e.line = 0;
    e.field = None;
    assert_eq!(e.to_string(), "hubs.geojson: must not be empty");
}
