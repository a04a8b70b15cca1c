"""The fixed peer groups: all organisations, the same kind, and, within the same sector (local
government, NHS, central government, other), the same region and the same size band. So an
NHS trust's "same region" group holds NHS bodies, not the councils around it.

A group is named by its key, as stored (`PeerValues`, `PeerRelease`): `all`, `kind:<kind>`,
`region:<sector>:<region>`, `size:<sector>:<size band>`, and `group:<id>` for an admin's named
group. The keys also say how the groups split one another, which the disclosure rules need
(`partitions`).
"""

from organisations.models import SECTOR_OF_KIND, Organisation

KIND_PLURALS = {
    Organisation.Kind.COUNTY: "county councils",
    Organisation.Kind.DISTRICT: "district councils",
    Organisation.Kind.UNITARY: "unitary authorities",
    Organisation.Kind.METROPOLITAN: "metropolitan boroughs",
    Organisation.Kind.LONDON_BOROUGH: "London boroughs",
    Organisation.Kind.NHS_TRUST: "NHS trusts",
    Organisation.Kind.ICB: "integrated care boards",
    Organisation.Kind.CENTRAL_DEPARTMENT: "central government departments",
    Organisation.Kind.ARMS_LENGTH_BODY: "arm's-length bodies",
    Organisation.Kind.POLICE: "police forces",
    Organisation.Kind.FIRE: "fire and rescue services",
    Organisation.Kind.OTHER: "other public bodies",
}

SECTOR_PLURALS = {
    Organisation.Sector.LOCAL: "local government bodies",
    Organisation.Sector.NHS: "NHS bodies",
    Organisation.Sector.CENTRAL: "central government bodies",
    Organisation.Sector.OTHER: "public bodies of other kinds",
}

REGIONS = dict(Organisation.Region.choices)
SIZES = dict(Organisation.SizeBand.choices)
# "NHS bodies in the North West", "... in London", "... across the UK".
_R = Organisation.Region
_THE = {_R.NORTH_EAST, _R.NORTH_WEST, _R.EAST_MIDLANDS, _R.WEST_MIDLANDS, _R.EAST}
_THE |= {_R.SOUTH_EAST, _R.SOUTH_WEST}
IN_REGION = {
    value: f"in the {name}" if value in _THE else f"in {name}" for value, name in REGIONS.items()
} | {_R.UK_WIDE: "across the UK"}


def fixed_keys(*, kind: str, region: str, size_band: str) -> tuple[str, str, str, str]:
    """The fixed groups a body of this kind, region and size band counts in."""
    sector = SECTOR_OF_KIND[kind]
    return ("all", f"kind:{kind}", f"region:{sector}:{region}", f"size:{sector}:{size_band}")


def plural(key: str) -> str:
    """The group in a sentence: "second lowest quarter of 12 NHS bodies in London"."""
    if key == "all":
        return "organisations"
    prefix, _, rest = key.partition(":")
    if prefix == "kind":
        return KIND_PLURALS[rest]
    sector, _, value = rest.partition(":")
    if prefix == "region":
        return f"{SECTOR_PLURALS[sector]} {IN_REGION[value]}"
    if prefix == "size":
        return f"{SIZES[value].lower()} {SECTOR_PLURALS[sector]}"
    raise ValueError(f"Not a fixed peer group: {key!r}")


def label(key: str) -> str:
    """The group on its own: "All NHS trusts", "NHS bodies in London", "Large NHS bodies"."""
    if key == "all":
        return "All organisations"
    if key.startswith("kind:"):
        return f"All {plural(key)}"
    words = plural(key)
    return words[0].upper() + words[1:]


def partitions(keys) -> list[tuple[str, list[str]]]:
    """How the fixed groups among `keys` split one another, as `(whole, parts)`: each sector's
    kinds, its regions and its size bands split the sector (`sector:<sector>`, a subtotal no
    page shows), and the sectors split all organisations."""
    split: dict[tuple[str, str], list[str]] = {}
    for key in keys:
        prefix, _, rest = key.partition(":")
        if prefix == "kind":
            split.setdefault((f"sector:{SECTOR_OF_KIND[rest]}", prefix), []).append(key)
        elif prefix in ("region", "size"):
            split.setdefault((f"sector:{rest.partition(':')[0]}", prefix), []).append(key)
    sectors = sorted({whole for whole, _ in split})
    return [("all", sectors)] + [(whole, parts) for (whole, _), parts in sorted(split.items())]


def names(prefix: str) -> dict[str, str]:
    """Every region or size group ("region" or "size") that can exist, sector by sector:
    the key's part after the prefix -> the group's name ("nhs:london" -> "NHS bodies in
    London"), in the order the choices are listed."""
    values = REGIONS if prefix == "region" else SIZES
    return {
        f"{sector}:{value}": label(f"{prefix}:{sector}:{value}")
        for sector in Organisation.Sector.values
        for value in values
    }
