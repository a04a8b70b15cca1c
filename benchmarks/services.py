"""Keeps `PeerValues` in step with submissions: one pass over the latest scores at write time,
so reads stay flat as the number of bodies grows."""

from collections import defaultdict

from django.db import transaction

from assessments.models import Assessment, Score
from benchmarks.models import PeerValues
from frameworks.models import FrameworkVersion
from organisations.models import PeerGroup


@transaction.atomic
def peer_values_rebuild(*, framework_version_ids) -> int:
    """Recompute every peer group's sorted values for the given framework versions."""
    # Two bodies submitting on one version at once: without a lock each rebuild reads the
    # scores before the other commits, then both replace the rows (a unique-key collision, or
    # the later commit silently leaving the earlier score out). Locking the version rows (in pk
    # order, so two multi-version rebuilds cannot deadlock) makes rebuilds of a version take
    # turns; each reads after the previous one committed, so it sees every submitted score.
    versions = list(
        FrameworkVersion.objects.filter(pk__in=list(framework_version_ids))
        .order_by("pk")
        .select_for_update()
        .values_list("pk", flat=True)
    )
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


def peer_values_refresh_for_organisations(*, organisation_ids) -> int:
    """Rebuild every framework version on which these organisations have a latest submission
    (after they moved to another kind, region or size band)."""
    versions = (
        Assessment.objects.filter(organisation_id__in=list(organisation_ids))
        .filter(is_latest_submission=True)
        .values_list("framework_version_id", flat=True)
        .distinct()
    )
    return peer_values_rebuild(framework_version_ids=list(versions))
