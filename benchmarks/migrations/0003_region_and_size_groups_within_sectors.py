"""Region and size peer groups are formed within a sector: `region:london` becomes
`region:local:london`, `region:nhs:london` and so on.

The working values of each old group are split by the sector of each body in it (they stay
sorted). The old groups' released figures are withdrawn, and the new groups are first released
as any group is: once 3 of their bodies have submitted or reopened, or when a platform admin
releases a version's figures (`manage.py release_figures`). Releasing them at once would let
the old and new figures of a region be compared while they differ by a body or two.
"""

from collections import defaultdict

from django.db import migrations

# As in organisations.models.SECTOR_OF_KIND when this migration was written.
SECTOR_OF_KIND = {
    "county": "local",
    "district": "local",
    "unitary": "local",
    "metropolitan": "local",
    "london_borough": "local",
    "police": "local",
    "fire": "local",
    "nhs_trust": "nhs",
    "icb": "nhs",
    "central_department": "central",
    "arms_length_body": "central",
    "other": "other",
}


def _old(key: str) -> bool:
    return key.startswith(("region:", "size:")) and key.count(":") == 1


def split_by_sector(apps, schema_editor):
    PeerValues = apps.get_model("benchmarks", "PeerValues")
    PeerRelease = apps.get_model("benchmarks", "PeerRelease")
    Organisation = apps.get_model("organisations", "Organisation")
    kinds = dict(Organisation.objects.values_list("pk", "kind"))
    for row in PeerValues.objects.all():
        if not _old(row.group_key):
            continue
        prefix, value = row.group_key.split(":")
        split = defaultdict(lambda: ([], []))
        for org, score in zip(row.organisation_ids, row.values, strict=True):
            orgs, scores = split[SECTOR_OF_KIND.get(kinds.get(org), "other")]
            orgs.append(org)
            scores.append(score)
        for sector, (orgs, scores) in split.items():
            PeerValues.objects.create(
                framework_version_id=row.framework_version_id,
                group_key=f"{prefix}:{sector}:{value}",
                measure=row.measure,
                organisation_ids=orgs,
                values=scores,
            )
        row.delete()
    PeerRelease.objects.filter(
        pk__in=[r.pk for r in PeerRelease.objects.only("group_key") if _old(r.group_key)]
    ).delete()


def merge_sectors(apps, schema_editor):
    """Back to groups across sectors: drop the new groups; the next submission rebuilds the
    working values."""
    for name in ("PeerValues", "PeerRelease"):
        model = apps.get_model("benchmarks", name)
        model.objects.filter(
            pk__in=[
                r.pk
                for r in model.objects.only("group_key")
                if r.group_key.startswith(("region:", "size:")) and r.group_key.count(":") == 2
            ]
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("benchmarks", "0002_peer_release"),
        ("organisations", "0002_organisation_code_letters_and_digits"),
    ]

    operations = [migrations.RunPython(split_by_sector, merge_sectors)]
