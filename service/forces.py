"""The police forces a figure can be about: a controlled vocabulary with stable ids.

A figure's `force` is one of these ids. A package about one force names it in its
disclosure's `force` (by the name below) and its figures inherit it; a survey of many
forces names the forces it asked (`forces`: a region below, or a list of ids) and gives
each figure's force in its own column, empty for a figure about all of them (a national
total). The loader refuses any other id, so a typo can never become a new force.

Ids are the force's name in lower case with hyphens, and never change once published.
"""

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, TypeAlias

from service.taxonomy import codes_enum


@dataclass(frozen=True, slots=True)
class Force:
    id: str
    name: str
    #: Where it polices: england_and_wales, scotland or northern_ireland.
    region: str
    note: str = ""


MERGED_2013 = "Merged into Police Scotland on 1 April 2013."


def _force(name: str, region: str = "england_and_wales", note: str = "") -> Force:
    return Force(re.sub(r"[^a-z0-9]+", "-", name.lower()), name, region, note)


#: The 43 territorial forces of England and Wales, then Scotland's and Northern Ireland's.
FORCES: tuple[Force, ...] = (
    _force("Avon and Somerset Constabulary"),
    _force("Bedfordshire Police"),
    _force("Cambridgeshire Constabulary"),
    _force("Cheshire Constabulary"),
    _force("City of London Police"),
    _force("Cleveland Police"),
    _force("Cumbria Constabulary"),
    _force("Derbyshire Constabulary"),
    _force("Devon and Cornwall Police"),
    _force("Dorset Police"),
    _force("Durham Constabulary"),
    _force("Dyfed-Powys Police"),
    _force("Essex Police"),
    _force("Gloucestershire Constabulary"),
    _force("Greater Manchester Police"),
    _force("Gwent Police"),
    _force("Hampshire Constabulary"),
    _force("Hertfordshire Constabulary"),
    _force("Humberside Police"),
    _force("Kent Police"),
    _force("Lancashire Constabulary"),
    _force("Leicestershire Police"),
    _force("Lincolnshire Police"),
    _force("Merseyside Police"),
    _force("Metropolitan Police Service"),
    _force("Norfolk Constabulary"),
    _force("North Wales Police"),
    _force("North Yorkshire Police"),
    _force("Northamptonshire Police"),
    _force("Northumbria Police"),
    _force("Nottinghamshire Police"),
    _force("South Wales Police"),
    _force("South Yorkshire Police"),
    _force("Staffordshire Police"),
    _force("Suffolk Constabulary"),
    _force("Surrey Police"),
    _force("Sussex Police"),
    _force("Thames Valley Police"),
    _force("Warwickshire Police"),
    _force("West Mercia Police"),
    _force("West Midlands Police"),
    _force("West Yorkshire Police"),
    _force("Wiltshire Police"),
    _force("Police Scotland", "scotland", "Scotland's single force since 1 April 2013."),
    _force("Central Scotland Police", "scotland", MERGED_2013),
    _force("Dumfries and Galloway Constabulary", "scotland", MERGED_2013),
    _force("Fife Constabulary", "scotland", MERGED_2013),
    _force("Grampian Police", "scotland", MERGED_2013),
    _force("Lothian and Borders Police", "scotland", MERGED_2013),
    _force("Northern Constabulary", "scotland", MERGED_2013),
    _force("Strathclyde Police", "scotland", MERGED_2013),
    _force("Tayside Police", "scotland", MERGED_2013),
    _force("Police Service of Northern Ireland", "northern_ireland"),
)

REGIONS: dict[str, str] = {
    "england_and_wales": "England and Wales",
    "scotland": "Scotland",
    "northern_ireland": "Northern Ireland",
}

BY_ID: dict[str, Force] = {f.id: f for f in FORCES}
BY_NAME: dict[str, Force] = {f.name: f for f in FORCES}
IDS: tuple[str, ...] = tuple(BY_ID)


def in_region(region: str) -> tuple[str, ...]:
    """The ids of a region's forces, in display order."""
    return tuple(f.id for f in FORCES if f.region == region)


if TYPE_CHECKING:
    ForceId: TypeAlias = str
else:
    ForceId: type[StrEnum] = codes_enum("ForceId", IDS)
