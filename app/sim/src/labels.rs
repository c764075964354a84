//! Names and wire keys of the enums the simulator talks about: industries in English and
//! Chinese, and the snake_case keys the API uses for summaries and group ids.

use serde::Serialize;

use crate::api::{Industry, Technology, UpgradeStage};

/// The serde (wire) name of a unit enum variant, e.g. `five_g_a`.
pub fn wire_key<T: Serialize + std::fmt::Debug>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{value:?}").to_lowercase(),
    }
}

pub fn industry_index(industry: Industry) -> usize {
    Industry::ALL
        .iter()
        .position(|i| *i == industry)
        .unwrap_or(0)
}

pub fn technology_index(tech: Technology) -> usize {
    Technology::ALL.iter().position(|t| *t == tech).unwrap_or(0)
}

pub fn stage_index(stage: UpgradeStage) -> usize {
    UpgradeStage::ALL
        .iter()
        .position(|s| *s == stage)
        .unwrap_or(0)
}

/// English name as used in plant names: "Foshan Automotive Plant 0123".
pub fn industry_en(industry: Industry) -> &'static str {
    match industry {
        Industry::Unknown => "Unknown",
        Industry::Steel => "Steel",
        Industry::NonFerrousMetals => "Non-ferrous Metals",
        Industry::Petrochemicals => "Petrochemical",
        Industry::BuildingMaterials => "Building Materials",
        Industry::Aviation => "Aviation",
        Industry::Shipbuilding => "Shipbuilding",
        Industry::ConstructionMachinery => "Construction Machinery",
        Industry::AgriculturalMachinery => "Agricultural Machinery",
        Industry::PowerEquipment => "Power Equipment",
        Industry::Automotive => "Automotive",
        Industry::Electronics => "Electronics",
        Industry::Textiles => "Textile",
        Industry::LightIndustry => "Light Industry",
        Industry::Pharmaceuticals => "Pharmaceutical",
    }
}

/// Chinese name: "佛山汽车工厂0123".
pub fn industry_zh(industry: Industry) -> &'static str {
    match industry {
        Industry::Unknown => "未知",
        Industry::Steel => "钢铁",
        Industry::NonFerrousMetals => "有色金属",
        Industry::Petrochemicals => "石化",
        Industry::BuildingMaterials => "建材",
        Industry::Aviation => "航空",
        Industry::Shipbuilding => "船舶",
        Industry::ConstructionMachinery => "工程机械",
        Industry::AgriculturalMachinery => "农机装备",
        Industry::PowerEquipment => "电力装备",
        Industry::Automotive => "汽车",
        Industry::Electronics => "电子信息",
        Industry::Textiles => "纺织",
        Industry::LightIndustry => "轻工",
        Industry::Pharmaceuticals => "医药",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn wire_keys_are_snake_case() {
        assert_eq!(wire_key(&Technology::FiveGA), "five_g_a");
        assert_eq!(wire_key(&Industry::NonFerrousMetals), "non_ferrous_metals");
        assert_eq!(wire_key(&UpgradeStage::Upgraded), "upgraded");
    }

    #[test]
    fn indices_round_trip() {
        for (i, industry) in Industry::ALL.iter().enumerate() {
            assert_eq!(industry_index(*industry), i);
        }
        for (i, tech) in Technology::ALL.iter().enumerate() {
            assert_eq!(technology_index(*tech), i);
        }
        assert_eq!(stage_index(UpgradeStage::Upgraded), 3);
    }
}
