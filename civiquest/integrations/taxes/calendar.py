"""The income-tax return calendar: three online deadlines by département zone, one entry per year.

The dates are data (``data/calendar.yaml``), not code: each spring's campaign is one new entry.
Zones (DGFiP): 1 = départements 01–19 and non-residents; 2 = 20–54, Corsica (2A/2B) included;
3 = 55–976 (overseas départements included).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DATA_FILE = Path(__file__).resolve().parent / "data" / "calendar.yaml"
NON_RESIDENT_ZONE = 1
ZONES = (1, 2, 3)
POSTCODE_RE = re.compile(r"(?<!\d)(\d{5})(?!\d)")


@dataclass(frozen=True)
class Campaign:
    year: int  # the spring of the return
    income_year: int
    opening: dt.date
    paper_deadline: dt.date
    online_deadlines: dict[int, dt.date]
    verified: bool
    sources: str = ""

    def online_deadline(self, zone: int) -> dt.date:
        return self.online_deadlines[zone]

    @property
    def last_deadline(self) -> dt.date:
        return max(self.online_deadlines.values())


@dataclass(frozen=True)
class TaxDeadline:
    campaign: Campaign
    zone: int | None  # None: the citizen's département is unknown (zone 1's date, the earliest, is given)
    due_on: dt.date


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


@functools.cache
def campaigns() -> dict[int, Campaign]:
    """Every campaign of the data file, by year (read once per process)."""
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))["campaigns"]
    result: dict[int, Campaign] = {}
    for year, entry in raw.items():
        deadlines = {int(zone): _date(day) for zone, day in entry["online_deadlines"].items()}
        if sorted(deadlines) != list(ZONES):
            raise ValueError(f"tax calendar {year}: one online deadline per zone 1, 2, 3 expected")
        result[int(year)] = Campaign(
            year=int(year),
            income_year=int(entry["income_year"]),
            opening=_date(entry["opening"]),
            paper_deadline=_date(entry["paper_deadline"]),
            online_deadlines=deadlines,
            verified=bool(entry.get("verified", False)),
            sources=str(entry.get("sources", "")),
        )
    return result


def departement_of(*, citycode: str = "", postcode: str = "") -> str | None:
    """The département code: "01"…"95", "2A"/"2B", "971"…"976"; from the INSEE code, else the postcode."""
    citycode = (citycode or "").strip().upper()
    if re.fullmatch(r"(2[AB]|\d{2})\d{3}", citycode):
        return citycode[:3] if citycode.startswith("97") else citycode[:2]
    postcode = (postcode or "").strip()
    if not re.fullmatch(r"\d{5}", postcode):
        return None
    if postcode.startswith("97"):
        return postcode[:3]
    if postcode.startswith("20"):
        # Corsica's postcodes: 200xx and 201xx are Corse-du-Sud, 202xx and 206xx Haute-Corse.
        return "2A" if postcode[2] in "01" else "2B"
    return postcode[:2]


def zone_of(departement: str | None) -> int | None:
    """The DGFiP zone of a département code (None when unknown or outside the three zones)."""
    if not departement:
        return None
    code = departement.strip().upper()
    if code in {"2A", "2B"}:
        return 2
    if not code.isdigit():
        return None
    number = int(code)
    if len(code) == 3:
        return 3 if 971 <= number <= 976 else None
    if 1 <= number <= 19:
        return 1
    if 20 <= number <= 54:
        return 2
    if 55 <= number <= 95:
        return 3
    return None


def postcode_in(text: str) -> str:
    """The last five-digit number of a free-text address (its postcode, in the French order)."""
    found = POSTCODE_RE.findall(text or "")
    return found[-1] if found else ""


def next_deadline(*, zone: int | None, today: dt.date) -> TaxDeadline | None:
    """The online deadline still ahead (today included) for this zone, in the first campaign that has one."""
    for year in sorted(campaigns()):
        campaign = campaigns()[year]
        due_on = campaign.online_deadline(zone or NON_RESIDENT_ZONE)
        if due_on >= today:
            return TaxDeadline(campaign=campaign, zone=zone, due_on=due_on)
    return None
