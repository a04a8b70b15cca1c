"""The fixed peer groups: region and size groups are formed within a sector, named in words,
and split their sector between them."""

from benchmarks import groups


def test_a_trusts_region_and_size_groups_are_nhs_groups():
    assert groups.fixed_keys(kind="nhs_trust", region="north_west", size_band="large") == (
        "all",
        "kind:nhs_trust",
        "region:nhs:north_west",
        "size:nhs:large",
    )
    assert groups.fixed_keys(kind="police", region="wales", size_band="small")[2:] == (
        "region:local:wales",
        "size:local:small",
    )


def test_groups_are_named_in_words():
    assert groups.label("region:nhs:north_west") == "NHS bodies in the North West"
    assert groups.plural("region:local:yorkshire") == (
        "local government bodies in Yorkshire and the Humber"
    )
    assert groups.label("region:central:uk_wide") == "Central government bodies across the UK"
    assert groups.label("size:nhs:very_large") == "Very large NHS bodies"
    assert groups.label("kind:icb") == "All integrated care boards"
    assert groups.plural("all") == "organisations"


def test_kinds_regions_and_sizes_split_their_sector_and_the_sectors_split_all():
    keys = [
        "all",
        "kind:nhs_trust",
        "kind:icb",
        "kind:unitary",
        "region:nhs:london",
        "region:local:london",
        "region:local:east",
        "size:nhs:large",
        "size:local:small",
        "group:7",
    ]
    assert groups.partitions(keys) == [
        ("all", ["sector:local", "sector:nhs"]),
        ("sector:local", ["kind:unitary"]),
        ("sector:local", ["region:local:london", "region:local:east"]),
        ("sector:local", ["size:local:small"]),
        ("sector:nhs", ["kind:nhs_trust", "kind:icb"]),
        ("sector:nhs", ["region:nhs:london"]),
        ("sector:nhs", ["size:nhs:large"]),
    ]
