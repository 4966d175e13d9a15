"""Where a learner practises, from the time zone they chose: the zone's country (the IANA zone table) decides
which region's resources and version of the course they get. Pure: a table lookup, no network, no clock."""

from __future__ import annotations

import functools
from importlib import resources

# The EU's members other than Ireland (which has a region of its own): 112 is their common emergency number.
_EU_MEMBERS = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IT LV LT LU MT NL PL PT RO SK SI ES SE"
EU_COUNTRIES = frozenset(_EU_MEMBERS.split())
REGION_OF_COUNTRY = {"US": "US", "PR": "US", "GU": "US", "VI": "US", "AS": "US", "MP": "US",
                     "GB": "UK", "IE": "IE", "CA": "CA", "AU": "AU"}  # fmt: skip


@functools.cache
def _country_of_zone() -> dict[str, str]:
    table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    countries = {}
    for line in table.splitlines():
        if line and not line.startswith("#"):
            code, _, zone = line.split("\t")[:3]
            countries[zone] = code
    return countries


def region_of_zone(zone: str) -> str:
    """US, UK, IE, CA, AU, EU, or INTL for everywhere else (and for zones with no country, such as UTC)."""
    country = _country_of_zone().get(zone)
    if country is None:
        return "INTL"
    if country in EU_COUNTRIES:
        return "EU"
    return REGION_OF_COUNTRY.get(country, "INTL")
