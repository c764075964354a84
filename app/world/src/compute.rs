//! The compute part: `hubs.geojson`, `clusters.geojson` and the optional `links.geojson`, read
//! together since clusters name hubs and links name clusters.

use std::collections::HashMap;

use tianshu_api::Hub;
use tianshu_api::inventory::{ClusterDef, ComputeInventory, LinkDef};

use crate::error::LoadError;
use crate::fields;
use crate::geojson::{self, Feature};

pub(crate) const HUBS: &str = "hubs.geojson";
pub(crate) const CLUSTERS: &str = "clusters.geojson";
pub(crate) const LINKS: &str = "links.geojson";

/// Where each id was first seen, to refuse a second feature with the same one.
#[derive(Default)]
struct Ids(HashMap<String, usize>);

impl Ids {
    /// Records `id` as the `index`th feature's, or refuses it (at `feature`) if already taken.
    fn insert(&mut self, id: &str, index: usize, feature: &Feature) -> Result<(), LoadError> {
        if self.0.contains_key(id) {
            return Err(feature.error("id", format!("`{id}` is used by an earlier feature")));
        }
        self.0.insert(id.to_owned(), index);
        Ok(())
    }

    fn get(&self, id: &str) -> Option<usize> {
        self.0.get(id).copied()
    }
}

/// Reads the compute part from the texts of its files.
pub(crate) fn read(
    hubs: &str,
    clusters: &str,
    links: Option<&str>,
) -> Result<ComputeInventory, LoadError> {
    let (mut hubs, hub_features, hub_ids) = read_hubs(hubs)?;
    let (clusters, cluster_ids) = read_clusters(clusters, &hub_ids)?;
    for cluster in &clusters {
        if let Some(i) = hub_ids.get(&cluster.hub_id) {
            hubs[i].cluster_ids.push(cluster.id.clone());
        }
    }
    if let Some((hub, feature)) = hubs
        .iter()
        .zip(&hub_features)
        .find(|(h, _)| h.cluster_ids.is_empty())
    {
        let reason = format!("hub `{}` has no cluster in {CLUSTERS}", hub.id);
        return Err(feature.error("id", reason));
    }
    let links = match links {
        Some(text) => read_links(text, &cluster_ids)?,
        None => Vec::new(),
    };
    Ok(ComputeInventory {
        hubs,
        clusters,
        links,
    })
}

/// The hubs, their features (for errors found later) and their ids.
fn read_hubs(text: &str) -> Result<(Vec<Hub>, Vec<Feature>, Ids), LoadError> {
    let features = geojson::features(HUBS, text)?;
    let mut ids = Ids::default();
    let mut hubs = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let id = f.text("id", fields::id)?;
        ids.insert(&id, i, f)?;
        let name_en = f.text("name_en", fields::name)?;
        let name_zh = f.text("name_zh", fields::name)?;
        f.point_or_null()?;
        hubs.push(Hub {
            id,
            name_en,
            name_zh,
            cluster_ids: Vec::new(),
        });
    }
    Ok((hubs, features, ids))
}

fn read_clusters(text: &str, hubs: &Ids) -> Result<(Vec<ClusterDef>, Ids), LoadError> {
    let features = geojson::features(CLUSTERS, text)?;
    let mut ids = Ids::default();
    let mut clusters = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let id = f.text("id", fields::id)?;
        ids.insert(&id, i, f)?;
        let hub_id = f.text("hub", fields::id)?;
        if hubs.get(&hub_id).is_none() {
            return Err(f.error("hub", format!("no hub `{hub_id}` in {HUBS}")));
        }
        let racks = f.whole("racks", 0)?;
        let racks =
            u32::try_from(racks).map_err(|_| f.error("racks", format!("{racks} is too large")))?;
        clusters.push(ClusterDef {
            id,
            hub_id,
            name_en: f.text("name_en", fields::name)?,
            name_zh: f.text("name_zh", fields::name)?,
            location: f.point()?,
            racks,
            compute_eflops: f.required_number("compute_eflops", 0.0, f64::MAX)?,
            occupancy: f.number("occupancy", 0.0, 1.0)?,
            pue: f.number("pue", 1.0, 3.0)?,
            green_power_share: f.number("green_power_share", 0.0, 1.0)?,
        });
    }
    Ok((clusters, ids))
}

fn read_links(text: &str, ids: &Ids) -> Result<Vec<LinkDef>, LoadError> {
    let features = geojson::features(LINKS, text)?;
    let mut link_ids = Ids::default();
    let mut links = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let id = f.text("id", fields::id)?;
        link_ids.insert(&id, i, f)?;
        let end = |key: &str| -> Result<String, LoadError> {
            let cluster = f.text(key, fields::id)?;
            match ids.get(&cluster) {
                Some(_) => Ok(cluster),
                None => Err(f.error(key, format!("no cluster `{cluster}` in {CLUSTERS}"))),
            }
        };
        let from_cluster = end("from")?;
        let to_cluster = end("to")?;
        if from_cluster == to_cluster {
            return Err(f.error(
                "to",
                format!("the link must join two clusters; both ends are `{to_cluster}`"),
            ));
        }
        let capacity = f.whole("capacity_gbps", 1)?;
        let capacity_gbps = u32::try_from(capacity)
            .map_err(|_| f.error("capacity_gbps", format!("{capacity} is too large")))?;
        let route = f.line_string()?;
        let route_km = (route.len() > 2).then(|| {
            route
                .windows(2)
                .map(|w| fields::haversine_km(w[0], w[1]))
                .sum()
        });
        links.push(LinkDef {
            id,
            from_cluster,
            to_cluster,
            capacity_gbps,
            route_km,
        });
    }
    Ok(links)
}
