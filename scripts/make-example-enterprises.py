#!/usr/bin/env python3
"""Writes examples/world/enterprises.csv: 1,000 SYNTHETIC enterprises of the industrial network
upgrade programme, for the example world directory (issue 16). Not a real registry.

Cities come from assets/geo/cn_cities.csv (mainland only), drawn by population; each plant lies
within about 25 km of its city's centre. Stage mix about 35 % upgraded; technologies plausible
for the industry; dates in 2025–2026. Standard library only; the fixed seed makes the output the
same on every run.

    python3 scripts/make-example-enterprises.py [--rows 1000] [--seed 16] [--out PATH]
"""

import argparse
import csv
import datetime
import math
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CITIES = ROOT / "assets" / "geo" / "cn_cities.csv"
OUT = ROOT / "examples" / "world" / "enterprises.csv"

# industry: (weight, [(English works name, Chinese works name)], technology weights)
INDUSTRIES = {
    "steel": (8, [("Steel Works", "钢铁厂"), ("Rolling Mill", "轧钢厂")],
              {"five_g": 5, "industrial_optical": 4, "edge_computing": 4, "tsn": 2, "cloud_plc": 1}),
    "non_ferrous_metals": (5, [("Aluminium Smelter", "铝业冶炼厂"), ("Copper Works", "铜业厂")],
                           {"five_g": 5, "industrial_optical": 3, "edge_computing": 3, "cloud_plc": 1}),
    "petrochemicals": (7, [("Petrochemical Plant", "石化厂"), ("Refinery", "炼油厂")],
                       {"five_g": 4, "industrial_optical": 5, "edge_computing": 3, "single_pair_ethernet": 2}),
    "building_materials": (6, [("Cement Works", "水泥厂"), ("Ceramics Works", "陶瓷厂"), ("Glass Works", "玻璃厂")],
                           {"five_g": 5, "edge_computing": 3, "industrial_optical": 2, "cloud_plc": 1}),
    "aviation": (2, [("Aircraft Components Plant", "航空部件厂")],
                 {"tsn": 4, "five_g_a": 3, "edge_computing": 4, "industrial_optical": 3}),
    "shipbuilding": (2, [("Shipyard", "造船厂")],
                     {"five_g": 5, "five_g_a": 2, "edge_computing": 3, "industrial_optical": 2}),
    "construction_machinery": (6, [("Construction Machinery Works", "工程机械厂")],
                               {"five_g": 4, "tsn": 3, "edge_computing": 3, "cloud_plc": 3}),
    "agricultural_machinery": (3, [("Agricultural Machinery Works", "农机厂")],
                               {"five_g": 4, "edge_computing": 2, "cloud_plc": 2}),
    "power_equipment": (5, [("Power Equipment Works", "电力装备厂"), ("Transformer Works", "变压器厂")],
                        {"five_g": 4, "tsn": 3, "single_pair_ethernet": 3, "edge_computing": 3}),
    "automotive": (10, [("Auto Plant", "汽车厂"), ("Auto Parts Works", "汽车零部件厂")],
                   {"five_g": 5, "five_g_a": 3, "tsn": 5, "edge_computing": 4, "cloud_plc": 3}),
    "electronics": (12, [("Electronics Factory", "电子厂"), ("Semiconductor Fab", "半导体厂")],
                    {"five_g": 5, "five_g_a": 4, "tsn": 3, "single_pair_ethernet": 3, "edge_computing": 4}),
    "textiles": (8, [("Textile Mill", "纺织厂"), ("Dyeing Works", "印染厂")],
                 {"five_g": 5, "edge_computing": 2, "cloud_plc": 2}),
    "light_industry": (9, [("Furniture Works", "家具厂"), ("Household Appliances Works", "家电厂")],
                       {"five_g": 5, "edge_computing": 3, "cloud_plc": 2, "single_pair_ethernet": 1}),
    "pharmaceuticals": (5, [("Pharmaceutical Plant", "制药厂")],
                        {"five_g": 4, "industrial_optical": 3, "edge_computing": 4, "tsn": 2}),
}

STAGES = [("upgraded", 35), ("deploying", 25), ("assessing", 22), ("planned", 18)]
FIRST_DAY = datetime.date(2025, 1, 1)
LAST_DAY = datetime.date(2026, 12, 31)
KM_PER_DEG_LAT = 111.32


def pick(rng, weighted):
    """One key of a {key: weight} dict or a [(key, weight)] list."""
    items = list(weighted.items()) if isinstance(weighted, dict) else list(weighted)
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]


def technologies(rng, weights, stage):
    """A plausible set for the industry: more for plants further along."""
    count = {"planned": rng.randint(0, 1), "assessing": rng.randint(1, 2),
             "deploying": rng.randint(1, 3), "upgraded": rng.randint(2, 4)}[stage]
    chosen = []
    pool = dict(weights)
    for _ in range(min(count, len(pool))):
        tech = pick(rng, pool)
        chosen.append(tech)
        del pool[tech]
    order = list(weights)
    return sorted(chosen, key=order.index)


def day(rng, first, last):
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def dates(rng, stage):
    """(started_on, upgraded_on) as ISO dates or empty strings."""
    if stage == "planned":
        start = day(rng, datetime.date(2026, 1, 1), LAST_DAY) if rng.random() < 0.6 else None
        return (start.isoformat() if start else "", "")
    if stage == "upgraded":
        start = day(rng, FIRST_DAY, datetime.date(2026, 3, 31))
        done = min(start + datetime.timedelta(days=rng.randint(60, 300)), datetime.date(2026, 6, 30))
        return (start.isoformat(), done.isoformat())
    start = day(rng, FIRST_DAY, datetime.date(2026, 6, 30))
    return (start.isoformat(), "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with CITIES.open(encoding="utf-8") as f:
        cities = [c for c in csv.DictReader(f) if c["prov"] not in ("CN-TW", "CN-HK", "CN-MO")]
    city_weights = [math.sqrt(int(c["population"])) for c in cities]
    industry_weights = {k: v[0] for k, v in INDUSTRIES.items()}

    works_numbers = {}
    rows = []
    for id_ in range(1, args.rows + 1):
        city = rng.choices(cities, weights=city_weights)[0]
        industry = pick(rng, industry_weights)
        _, works, tech_weights = INDUSTRIES[industry]
        works_en, works_zh = rng.choice(works)
        key = (city["name_en"], works_en)
        works_numbers[key] = works_numbers.get(key, 0) + 1
        n = works_numbers[key]
        stage = pick(rng, STAGES)
        started, upgraded = dates(rng, stage)
        # Within about 25 km of the centre, uniform over the disc.
        r_km = 25.0 * math.sqrt(rng.random())
        angle = rng.uniform(0, 2 * math.pi)
        lat = float(city["lat"]) + r_km * math.sin(angle) / KM_PER_DEG_LAT
        lon = float(city["lon"]) + r_km * math.cos(angle) / (KM_PER_DEG_LAT * math.cos(math.radians(lat)))
        rows.append({
            "id": id_,
            "name_en": f"{city['name_en']} {works_en} No. {n}",
            "name_zh": f"{city['name_zh']}{works_zh}{n}号",
            "province": city["prov"],
            "city_en": city["name_en"],
            "city_zh": city["name_zh"],
            "lat": f"{lat:.5f}",
            "lon": f"{lon:.5f}",
            "industry": industry,
            "stage": stage,
            "technologies": ";".join(technologies(rng, tech_weights, stage)),
            "started_on": started,
            "upgraded_on": upgraded,
        })

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} synthetic enterprises to {args.out} (seed {args.seed})")


if __name__ == "__main__":
    main()
