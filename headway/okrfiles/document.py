"""The typed contents of an OKR file, each part with where it was written.

Built by headway.okrfiles.parse; every value has been checked for type and range, but
nothing here has been checked against the database yet (refs may be unknown). Items compare
by identity, so the loader can key its plans by them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from headway.okrfiles.errors import Loc

Moment = date | datetime  # a date means midnight in the organization's time zone


@dataclass(eq=False)
class Item:
    loc: Loc
    # Where each key given in the file was written (field name -> location).
    locs: dict[str, Loc] = field(default_factory=dict, kw_only=True)

    def where(self, key: str) -> Loc:
        """The location of ``key`` if the file gave it, else of the whole item."""
        return self.locs.get(key, self.loc)


@dataclass
class Ref:
    """A name, email or ref pointing at another object, with where it was written."""

    value: str
    loc: Loc


@dataclass(eq=False)
class Settings(Item):
    time_zone: str | None = None
    on_track_max: Decimal | None = None
    at_risk_max: Decimal | None = None
    band_yellow_from: Decimal | None = None
    band_green_from: Decimal | None = None
    deteriorating_count: int | None = None


@dataclass(eq=False)
class TeamDoc(Item):
    name: str
    parent: Ref | None = None


@dataclass(eq=False)
class PersonDoc(Item):
    email: str
    name: str | None = None
    teams: list[Ref] = field(default_factory=list)
    role: str = "member"
    former: bool = False  # no longer a member; kept as the author or owner of older things


@dataclass(eq=False)
class CycleDoc(Item):
    name: str
    start: date | None = None
    end: date | None = None
    parent: Ref | None = None


@dataclass(eq=False)
class MeasurementDoc(Item):
    at: Moment | None
    value: Decimal | None
    key: str | None = None
    source: str = "import"


@dataclass(eq=False)
class KPIDoc(Item):
    ref: str | None
    name: str
    description: str = ""
    team: Ref | None = None
    owner: Ref | None = None
    unit: str = ""
    cadence: str = "monthly"
    aggregation: str = "last"
    direction: str = "higher_is_better"
    target: Decimal | None = None
    red: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    tolerance: Decimal | None = None
    private: bool = False
    measurements: list[MeasurementDoc] = field(default_factory=list)


@dataclass(eq=False)
class CheckInDoc(Item):
    at: Moment | None
    value: Decimal | None = None
    done: bool | None = None
    confidence: int | None = None
    note: str = ""
    by: Ref | None = None
    source: str = "import"


@dataclass(eq=False)
class InitiativeDoc(Item):
    title: str
    status: str = "planned"
    owner: Ref | None = None
    url: str = ""


@dataclass(eq=False)
class KeyResultDoc(Item):
    ref: str | None
    title: str
    type: str = "metric"
    start: Decimal | None = None
    target: Decimal | None = None
    bound: str = ""
    unit: str = ""
    weight: Decimal = Decimal(1)
    owner: Ref | None = None
    kpi: Ref | None = None
    kpi_value: str | None = None
    score: Decimal | None = None
    score_reason: str = ""
    initiatives: list[InitiativeDoc] = field(default_factory=list)
    checkins: list[CheckInDoc] = field(default_factory=list)


@dataclass
class ParentLink:
    ref: Ref
    weight: Decimal = Decimal(1)


@dataclass(eq=False)
class ObjectiveDoc(Item):
    ref: str | None
    title: str
    description: str = ""
    cycle: Ref | None = None
    team: Ref | None = None
    owner: Ref | None = None
    level: str = "team"
    kind: str = "aspirational"
    state: str = "active"
    private: bool = False
    progress_mode: str = "key_results"
    aligns_to: list[ParentLink] = field(default_factory=list)
    key_results: list[KeyResultDoc] = field(default_factory=list)


@dataclass
class Document:
    organization: str
    org_loc: Loc
    settings: Settings | None = None
    teams: list[TeamDoc] = field(default_factory=list)
    people: list[PersonDoc] = field(default_factory=list)
    cycles: list[CycleDoc] = field(default_factory=list)
    kpis: list[KPIDoc] = field(default_factory=list)
    objectives: list[ObjectiveDoc] = field(default_factory=list)
