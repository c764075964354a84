//! Schema-only enums for query filters (issue 9, schema precision): the wire enums keep an
//! `unknown` catch-all so a console can read a newer backend, but as a filter `unknown` is
//! refused, so the OpenAPI document lists only the values a filter accepts. Never (de)serialised
//! by the server; the serde attributes only give utoipa the wire names.

use serde::Serialize;
use utoipa::ToSchema;

/// An action state a filter accepts.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionStateFilter {
    Pending,
    Executed,
    Rejected,
    Vetoed,
    Expired,
    RolledBack,
}

/// An industry a filter accepts.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IndustryFilter {
    Steel,
    NonFerrousMetals,
    Petrochemicals,
    BuildingMaterials,
    Aviation,
    Shipbuilding,
    ConstructionMachinery,
    AgriculturalMachinery,
    PowerEquipment,
    Automotive,
    Electronics,
    Textiles,
    LightIndustry,
    Pharmaceuticals,
}

/// An upgrade stage a filter accepts.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UpgradeStageFilter {
    Planned,
    Assessing,
    Deploying,
    Upgraded,
}

/// A technology a filter accepts.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TechnologyFilter {
    FiveG,
    FiveGA,
    Tsn,
    SinglePairEthernet,
    IndustrialOptical,
    EdgeComputing,
    CloudPlc,
}
