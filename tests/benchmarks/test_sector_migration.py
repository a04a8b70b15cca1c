"""The migration to region and size groups within sectors splits each old group's working
values by sector and withdraws the old groups' released figures."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("benchmarks", "0002_peer_release")]
AFTER = [("benchmarks", "0003_region_and_size_groups_within_sectors")]


@pytest.mark.django_db(transaction=True)
def test_old_region_groups_are_split_by_sector_and_their_releases_withdrawn():
    executor = MigrationExecutor(connection)
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "benchmarks"]
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE + others).apps
    Organisation = apps.get_model("organisations", "Organisation")
    Framework = apps.get_model("frameworks", "Framework")
    FrameworkVersion = apps.get_model("frameworks", "FrameworkVersion")
    PeerValues = apps.get_model("benchmarks", "PeerValues")
    PeerRelease = apps.get_model("benchmarks", "PeerRelease")
    council, trust, board = (
        Organisation.objects.create(
            name=name, kind=kind, region="london", code=code, size_band="large"
        )
        for name, kind, code in (
            ("Council", "district", "E1"),
            ("Trust", "nhs_trust", "RX1"),
            ("Board", "icb", "QX1"),
        )
    )
    fv = FrameworkVersion.objects.create(
        framework=Framework.objects.create(slug="moved", name="Moved"), version="1.0.0"
    )
    everyone = {"organisation_ids": [trust.pk, council.pk, board.pk], "values": [2.0, 3.0, 4.0]}
    for key in ("all", "kind:district", "region:london", "size:large"):
        PeerValues.objects.create(
            framework_version=fv, group_key=key, measure="overall", **everyone
        )
        PeerRelease.objects.create(framework_version=fv, group_key=key, measures={})

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER + others).apps
    PeerValues = apps.get_model("benchmarks", "PeerValues")
    PeerRelease = apps.get_model("benchmarks", "PeerRelease")
    rows = {
        row.group_key: (row.organisation_ids, row.values)
        for row in PeerValues.objects.filter(framework_version_id=fv.pk)
    }
    assert rows == {
        "all": ([trust.pk, council.pk, board.pk], [2.0, 3.0, 4.0]),
        "kind:district": ([trust.pk, council.pk, board.pk], [2.0, 3.0, 4.0]),
        "region:nhs:london": ([trust.pk, board.pk], [2.0, 4.0]),
        "region:local:london": ([council.pk], [3.0]),
        "size:nhs:large": ([trust.pk, board.pk], [2.0, 4.0]),
        "size:local:large": ([council.pk], [3.0]),
    }
    assert sorted(PeerRelease.objects.values_list("group_key", flat=True)) == [
        "all",
        "kind:district",
    ]
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
