"""Who takes part in the demo's call (pure): a pool of plausible, made-up organisations per region.

Real calls see the same university or cluster in several proposals, and experts who work for, or used to work
for, an applicant: a shared pool per region gives the demo both.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PLACES = {
    "AT-4": ("Linz", "Wels", "Steyr"),
    "AT-5": ("Salzburg", "Hallein", "Saalfelden"),
    "DE-BY": ("Munich", "Augsburg", "Regensburg", "Nuremberg"),
    "DE-BW": ("Stuttgart", "Karlsruhe", "Freiburg", "Ulm"),
    "IT-21": ("Turin", "Novara", "Cuneo"),
    "IT-25": ("Milan", "Bergamo", "Brescia", "Como"),
    "IT-32": ("Trento", "Rovereto"),
    "IT-34": ("Padua", "Verona", "Vicenza", "Treviso"),
    "SI": ("Ljubljana", "Maribor", "Celje"),
    "FR-BFC": ("Besancon", "Belfort", "Dijon"),
    "CH-FR": ("Fribourg", "Bulle", "Murten"),
}
SME_FORMS = {"AT": "GmbH", "DE": "GmbH", "IT": "Srl", "SI": "d.o.o.", "FR": "SAS", "CH": "SA"}
LARGE_FORMS = {"AT": "AG", "DE": "AG", "IT": "SpA", "SI": "d.d.", "FR": "SA", "CH": "AG"}
SME_TRADES = (
    "Sensorik",
    "Robotics",
    "Biomaterials",
    "Composites",
    "Photonics",
    "Machine Vision",
    "Hydrogen Systems",
    "Battery Recycling",
    "Agritech",
    "Circular Plastics",
    "Timber Engineering",
    "Mobility Labs",
)
INSTITUTES = ("Applied Materials", "Production Technology", "Bioeconomy", "Mobility Research", "Environmental Systems")
INDUSTRIES = ("Industries", "Automotive Systems", "Energy", "Steelworks")
CLUSTERS = ("Mechatronics", "Cleantech", "Plastics", "Food", "Wood", "Automotive")
# Regions that are not part of the call: their partners may join at their own cost.
OUTSIDE_REGIONS = (("IT-42", "IT", ("Genoa", "La Spezia")), ("FR-ARA", "FR", ("Lyon", "Grenoble")))


@dataclass(frozen=True, slots=True)
class Organisation:
    name: str
    legal_id: str
    region_code: str
    country: str
    kind: str  # an organisation type of shared/rules: sme, university, ...

    @property
    def domain(self) -> str:
        return "".join(ch if ch.isalnum() else "-" for ch in self.name.casefold()).strip("-") + ".example.org"


def country_of(region_code: str) -> str:
    return region_code[:2]


def organisation_pool(region: Mapping[str, Any]) -> list[Organisation]:
    """Every organisation of one region, of every type (the region may not fund all of them)."""
    code = region["code"]
    return _pool(code, country_of(code), PLACES.get(code, (region["name"],)), region["name"])


def outside_pool() -> list[Organisation]:
    """SMEs from regions outside the call."""
    return [
        organisation
        for code, country, places in OUTSIDE_REGIONS
        for organisation in _pool(code, country, places, places[0])
        if organisation.kind == "sme"
    ]


def _pool(code: str, country: str, places: tuple[str, ...], region_name: str) -> list[Organisation]:
    def make(name: str, kind: str) -> Organisation:
        return Organisation(name, legal_id(country, name), code, country, kind)

    sme, large = SME_FORMS.get(country, "Ltd"), LARGE_FORMS.get(country, "Corp")
    pool = [make(f"{place} {trade} {sme}", "sme") for place in places for trade in SME_TRADES]
    pool += [make(f"University of {place}", "university") for place in places]
    pool += [
        make(f"{place} Institute for {field}", "research_organisation") for place in places for field in INSTITUTES
    ]
    pool += [make(f"{places[0]} {industry} {large}", "large_enterprise") for industry in INDUSTRIES]
    pool += [make(f"{region_name} {theme} Cluster", "cluster_organisation") for theme in CLUSTERS]
    return pool


def legal_id(country: str, name: str) -> str:
    """A stable, made-up register number: the same organisation always has the same one."""
    digits = int(hashlib.sha256(name.encode()).hexdigest(), 16) % 10**9
    return f"{country}{digits:09d}"
