"""Keeps `PeerValues` in step with submissions: one pass over the latest scores at write time,
so reads stay flat as the number of bodies grows."""

from collections import defaultdict

from django.db import transaction

from assessments.models import Assessment, Score
from benchmarks.models import PeerValues
from organisations.models import PeerGroup


@transaction.atomic
def peer_values_rebuild(*, framework_version_ids) -> int:
    """Recompute every peer group's sorted values for the given framework versions."""
    versions = list(framework_version_ids)
    memberships = defaultdict(list)
    for group_id, org_id in PeerGroup.organisations.through.objects.values_list(
        "peergroup_id", "organisation_id"
    ):
        memberships[org_id].append(f"group:{group_id}")
    rows = Score.objects.filter(
        assessment__framework_version_id__in=versions,
        assessment__is_latest_submission=True,
        assessment__status=Assessment.Status.SUBMITTED,
        scope__in=[Score.Scope.OVERALL, Score.Scope.DIMENSION],
        value__isnull=False,
    ).values_list(
        "assessment__framework_version_id",
        "assessment__organisation_id",
        "assessment__organisation__kind",
        "assessment__organisation__region",
        "assessment__organisation__size_band",
        "dimension_id",
        "value",
    )
    collected = defaultdict(list)
    for fv, org, kind, region, size, dimension, value in rows:
        measure = str(dimension) if dimension else "overall"
        for key in ("all", f"kind:{kind}", f"region:{region}", f"size:{size}", *memberships[org]):
            collected[(fv, key, measure)].append((value, org))
    PeerValues.objects.filter(framework_version_id__in=versions).delete()
    objects = []
    for (fv, key, measure), pairs in collected.items():
        pairs.sort()
        objects.append(
            PeerValues(
                framework_version_id=fv,
                group_key=key,
                measure=measure,
                organisation_ids=[org for _, org in pairs],
                values=[value for value, _ in pairs],
            )
        )
    PeerValues.objects.bulk_create(objects, batch_size=500)
    return len(objects)
