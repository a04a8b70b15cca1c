"""Peer values: the working values (`PeerValues`), kept in step with every submission in one
pass over the latest scores, so reads stay flat as the number of bodies grows; and the released
figures (`PeerRelease`) that pages show, which follow in batches."""

from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from assessments.models import Assessment, Score
from benchmarks import disclosure
from benchmarks.groups import fixed_keys
from benchmarks.models import PeerRelease, PeerValues
from frameworks.models import FrameworkVersion
from maturity.audit.services import audit_record
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
        fixed = fixed_keys(kind=kind, region=region, size_band=size)
        for key in (*fixed, *memberships[org]):
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
    (after they moved to another kind, region or size band); the move counts as a change in
    the groups they left and joined."""
    versions = list(
        Assessment.objects.filter(organisation_id__in=list(organisation_ids))
        .filter(is_latest_submission=True)
        .values_list("framework_version_id", flat=True)
        .distinct()
    )
    rows = peer_values_rebuild(framework_version_ids=versions)
    for version in versions:
        peer_releases_note(framework_version_id=version, organisation_ids=organisation_ids)
    return rows


def _working(framework_version_id: int) -> dict[str, dict[str, list[list]]]:
    """group key -> measure -> [[organisation id, value], ...] as the working values stand."""
    groups: dict[str, dict[str, list[list]]] = defaultdict(dict)
    for row in PeerValues.objects.filter(framework_version_id=framework_version_id):
        groups[row.group_key][row.measure] = [
            [org, value] for org, value in zip(row.organisation_ids, row.values, strict=True)
        ]
    return groups


def _members(measures: dict) -> set[int]:
    return {org for pairs in measures.values() for org, _ in pairs}


@transaction.atomic
def peer_releases_note(*, framework_version_id: int, organisation_ids) -> list[str]:
    """These bodies submitted, reopened or moved group: count each once as a change in every
    group it is in now or was in at the last release, and release each group that has now
    seen `MIN_DIFFERENCE` changes. Returns the group keys released.

    Call after `peer_values_rebuild`, in the same transaction: it holds the version's row lock,
    so two submissions cannot both count themselves into the same release.
    """
    changed = set(organisation_ids)
    working = _working(framework_version_id)
    releases = {
        r.group_key: r
        for r in PeerRelease.objects.select_for_update().filter(
            framework_version_id=framework_version_id
        )
    }
    now = timezone.now()
    released = []
    touched = {key for key, measures in working.items() if _members(measures) & changed}
    touched |= {key for key, r in releases.items() if _members(r.measures) & changed}
    for key in sorted(touched):
        release = releases.get(key) or PeerRelease(
            framework_version_id=framework_version_id, group_key=key
        )
        pending = set(release.pending) | changed
        if len(pending) >= disclosure.MIN_DIFFERENCE:
            release.measures = working.get(key, {})
            release.released_at = now
            release.pending = []
            released.append(key)
        else:
            release.pending = sorted(pending)
        release.save()
    return released


@transaction.atomic
def peer_figures_release(*, framework_version_ids, user=None, audit: bool = True) -> int:
    """Release every group's figures as they stand now (a platform admin, at the end of a
    collection window). Returns how many groups were released. `audit=False` is for seed data
    only (the demo), which records no events."""
    count = 0
    now = timezone.now()
    for version in (
        FrameworkVersion.objects.filter(pk__in=list(framework_version_ids))
        .order_by("pk")
        .select_for_update()
    ):
        working = _working(version.pk)
        releases = {
            r.group_key: r
            for r in PeerRelease.objects.select_for_update().filter(framework_version=version)
        }
        for key in sorted(set(working) | set(releases)):
            release = releases.get(key) or PeerRelease(framework_version=version, group_key=key)
            release.measures = working.get(key, {})
            release.released_at = now
            release.pending = []
            release.save()
            count += 1
        if audit:
            audit_record(
                actor=user,
                action="peer_figures.release",
                obj=version,
                changes={"groups": len(set(working) | set(releases))},
            )
    return count
