//! The enterprise part: `enterprises.csv`, one row per enterprise of the upgrade programme.
//!
//! Built for 100,000 rows and more: one record buffer for every row, enum names looked up in
//! small tables, and no allocation per row beyond the strings of the [`EnterpriseDef`] itself.

use std::collections::HashSet;

use csv::StringRecord;
use tianshu_api::inventory::EnterpriseDef;
use tianshu_api::{GeoPoint, Industry, Technology, UpgradeStage};

use crate::error::LoadError;
use crate::fields::{self, Names, Reason};
use crate::table::{Column, Row, Table};

pub(crate) const ENTERPRISES: &str = "enterprises.csv";

/// The columns of `enterprises.csv`, found by header name.
struct Columns {
    id: Column,
    name_en: Option<Column>,
    name_zh: Option<Column>,
    /// Where an error about both names being empty points: `name_en`, else `name_zh`.
    name_either: Column,
    province: Column,
    city_en: Option<Column>,
    city_zh: Option<Column>,
    lat: Column,
    lon: Column,
    industry: Column,
    stage: Column,
    technologies: Option<Column>,
    started_on: Option<Column>,
    upgraded_on: Option<Column>,
}

/// The names of the enums a row refers to.
struct Vocabulary {
    industries: Names<Industry>,
    stages: Names<UpgradeStage>,
    technologies: Names<Technology>,
}

/// Reads the enterprises of `enterprises.csv`'s `text`, in file order.
pub(crate) fn read(text: &str) -> Result<Vec<EnterpriseDef>, LoadError> {
    let mut table = Table::open(ENTERPRISES, text)?;
    let h = &table.header;
    let name_en = h.optional("name_en")?;
    let name_zh = h.optional("name_zh")?;
    let name_either = match name_en.or(name_zh) {
        Some(column) => column,
        None => h.required("name_en")?,
    };
    let columns = Columns {
        id: h.required("id")?,
        name_en,
        name_zh,
        name_either,
        province: h.required("province")?,
        city_en: h.optional("city_en")?,
        city_zh: h.optional("city_zh")?,
        lat: h.required("lat")?,
        lon: h.required("lon")?,
        industry: h.required("industry")?,
        stage: h.required("stage")?,
        technologies: h.optional("technologies")?,
        started_on: h.optional("started_on")?,
        upgraded_on: h.optional("upgraded_on")?,
    };
    let vocabulary = Vocabulary {
        industries: Names::industries(),
        stages: Names::stages(),
        technologies: Names::technologies(),
    };
    // A rough guess from the file's size keeps the vector from regrowing many times.
    let mut enterprises = Vec::with_capacity(text.len() / 160);
    let mut ids = HashSet::with_capacity(text.len() / 160);
    let mut record = StringRecord::new();
    while table.next(&mut record)? {
        let row = table.header.row(&record);
        let enterprise = columns.read(&row, &vocabulary)?;
        if !ids.insert(enterprise.id) {
            let reason = format!("{} is used by an earlier row", enterprise.id);
            return Err(row.error(columns.id, reason));
        }
        enterprises.push(enterprise);
    }
    Ok(enterprises)
}

impl Columns {
    /// One row as an enterprise.
    fn read(&self, row: &Row<'_>, vocabulary: &Vocabulary) -> Result<EnterpriseDef, LoadError> {
        let id = row.parse(self.id, |t| {
            let id = fields::whole(t, 1)?;
            u32::try_from(id).map_err(|_| format!("{id} is larger than {}", u32::MAX))
        })?;
        let (name_en, name_zh) = self.names(row)?;
        let stage = row.parse(self.stage, |t| vocabulary.stages.parse(t))?;
        let started_on = self.date(row, self.started_on)?;
        let upgraded_on = self.date(row, self.upgraded_on)?;
        if let (Some(start), Some(done), Some(column)) = (started_on, upgraded_on, self.upgraded_on)
            && done < start
        {
            return Err(row.error(column, "is before started_on"));
        }
        Ok(EnterpriseDef {
            id,
            name_en,
            name_zh,
            province: row.parse(self.province, fields::province)?,
            city_en: self.optional_name(row, self.city_en)?,
            city_zh: self.optional_name(row, self.city_zh)?,
            location: GeoPoint {
                lat: row.parse(self.lat, |t| fields::number(t).and_then(fields::lat))?,
                lon: row.parse(self.lon, |t| fields::number(t).and_then(fields::lon))?,
            },
            industry: row.parse(self.industry, |t| vocabulary.industries.parse(t))?,
            stage,
            technologies: match self.technologies {
                Some(column) => row.parse(column, |t| technologies(t, &vocabulary.technologies))?,
                None => Vec::new(),
            },
            started_on,
            upgraded_on,
        })
    }

    /// `name_en` and `name_zh`: at least one given; the other defaults to it.
    fn names(&self, row: &Row<'_>) -> Result<(String, String), LoadError> {
        let en = self.optional_name(row, self.name_en)?;
        let zh = self.optional_name(row, self.name_zh)?;
        match (en.is_empty(), zh.is_empty()) {
            (false, false) => Ok((en, zh)),
            (false, true) => Ok((en.clone(), en)),
            (true, false) => Ok((zh.clone(), zh)),
            (true, true) => Err(row.error(
                self.name_either,
                "name_en and name_zh are both empty; give at least one",
            )),
        }
    }

    /// An optional text column (empty when absent).
    fn optional_name(&self, row: &Row<'_>, column: Option<Column>) -> Result<String, LoadError> {
        match column {
            Some(column) => row.parse(column, fields::optional_name),
            None => Ok(String::new()),
        }
    }

    /// An optional date column: empty or absent is `None`.
    fn date(&self, row: &Row<'_>, column: Option<Column>) -> Result<Option<i64>, LoadError> {
        match column {
            Some(column) if !row.text(Some(column)).is_empty() => {
                row.parse(column, fields::date).map(Some)
            }
            _ => Ok(None),
        }
    }
}

/// A `;`-separated list of technology names (empty pieces skipped, repeats dropped).
fn technologies(text: &str, names: &Names<Technology>) -> Result<Vec<Technology>, Reason> {
    let mut list = Vec::new();
    for piece in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let technology = names.parse(piece)?;
        if !list.contains(&technology) {
            list.push(technology);
        }
    }
    Ok(list)
}
