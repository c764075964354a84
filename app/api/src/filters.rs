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
    Approved,
    Failed,
    RollbackPending,
}

/// An industry a filter accepts: every [`crate::Industry`] but the catch-all, listed from
/// `Industry::ALL` so the two can never disagree.
pub struct IndustryFilter;

impl utoipa::PartialSchema for IndustryFilter {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let names: Vec<String> = crate::Industry::ALL
            .iter()
            .filter_map(|i| serde_json::to_value(i).ok())
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("An industry a filter accepts."))
            .enum_values(Some(names))
            .into()
    }
}

impl ToSchema for IndustryFilter {}

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
