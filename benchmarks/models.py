"""Peer figures: every organisation's latest scores per peer group, kept sorted."""

from django.db import models


class PeerValues(models.Model):
    """Every organisation's latest score in one peer group, for one measure, kept sorted.

    Rebuilt when an assessment is submitted or reopened (and when peer groups change), so a
    dashboard reads a handful of rows however many bodies there are. Only `benchmarks` ever
    turns these into numbers a person sees.
    """

    framework_version = models.ForeignKey(
        "frameworks.FrameworkVersion", on_delete=models.CASCADE, related_name="+"
    )
    group_key = models.CharField(max_length=60)  # all, kind:unitary, region:london, group:7
    measure = models.CharField(max_length=20)  # "overall" or a dimension id
    organisation_ids = models.JSONField(default=list)
    values = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["framework_version", "group_key", "measure"],
                name="benchmarks_peervalues_unique",
            )
        ]

    def __str__(self):
        return f"{self.group_key} {self.measure} ({len(self.values)})"


class PeerRelease(models.Model):
    """One peer group's figures as last released: what every page and download shows.

    `PeerValues` follow every submission; released figures change in batches, so that no one
    submission (or reopening) can be read off as the difference between two versions of a
    group's figures. A group is released again once `disclosure.MIN_DIFFERENCE` of its bodies
    have submitted or reopened since (`pending`), or when a platform admin releases the
    framework version's figures at the end of a collection window.
    """

    framework_version = models.ForeignKey(
        "frameworks.FrameworkVersion", on_delete=models.CASCADE, related_name="+"
    )
    group_key = models.CharField(max_length=60)
    released_at = models.DateTimeField(null=True, blank=True)  # None: never released yet
    # measure -> [[organisation id, value], ...] as released
    measures = models.JSONField(default=dict)
    # Bodies that have submitted or reopened since the last release (each counted once).
    pending = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["framework_version", "group_key"], name="benchmarks_release_unique"
            )
        ]

    def __str__(self):
        return f"{self.group_key} released {self.released_at}"
