"""What is measured: frameworks, their versions, dimensions, questions and level descriptors.

Only a draft version changes. The rule is enforced in services.py and the admin; the models
only describe the shape.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

SLUG_MAX = 80


class Framework(models.Model):
    slug = models.SlugField(max_length=SLUG_MAX, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        permissions = [("author_framework", "Can write, import and publish frameworks")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("frameworks:framework", kwargs={"slug": self.slug})


class FrameworkVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    class Scoring(models.TextChoices):
        WEIGHTED_MEAN = "weighted_mean", "Weighted mean"
        LOWEST = "lowest", "Lowest level reached (gated)"

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=40)
    name = models.CharField(max_length=200, help_text="The framework's name in this version.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    description = models.TextField(blank=True)
    source = models.JSONField(default=dict, blank=True)
    scoring = models.CharField(
        max_length=20, choices=Scoring.choices, default=Scoring.WEIGHTED_MEAN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cloned_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="clones"
    )
    # Who published the framework text, under which licence and when (optional, from the file).
    licence = models.CharField(max_length=200, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    publication_date = models.DateField(null=True, blank=True)
    # The flags the framework means (fileformat.FlagSpec as {"code", "questions"}) and the
    # earlier questions it no longer asks ({"version", "question", "reason"}), from the file.
    flags = models.JSONField(default=list, blank=True)
    dropped = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["framework__name", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "version"], name="frameworks_version_unique_per_framework"
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.version}"

    def get_absolute_url(self):
        return reverse(
            "frameworks:version",
            kwargs={"slug": self.framework.slug, "version": self.version},
        )

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ScaleLevel(models.Model):
    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="levels"
    )
    value = models.IntegerField()
    label = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["framework_version", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework_version", "value"], name="frameworks_level_unique_value"
            ),
        ]

    def __str__(self):
        return f"{self.value}. {self.label}"


class Facet(models.Model):
    """A second axis that tags questions, such as layer: data, systems, technology."""

    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="facets"
    )
    slug = models.SlugField(max_length=SLUG_MAX)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    # The layer axis (data, systems, technology...): its values' order is the roadmap's order,
    # foundations first. At most one facet per version.
    layer_axis = models.BooleanField(default=False)

    class Meta:
        ordering = ["framework_version", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework_version", "slug"], name="frameworks_facet_unique_slug"
            ),
            models.UniqueConstraint(
                fields=["framework_version"],
                condition=models.Q(layer_axis=True),
                name="frameworks_facet_one_layer_axis",
            ),
        ]

    def __str__(self):
        return self.name


class FacetValue(models.Model):
    facet = models.ForeignKey(Facet, on_delete=models.CASCADE, related_name="values")
    slug = models.SlugField(max_length=SLUG_MAX)
    name = models.CharField(max_length=200)
    weight = models.FloatField(default=1.0, validators=[MinValueValidator(0.0001)])
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["facet", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["facet", "slug"], name="frameworks_facetvalue_unique"),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0), name="frameworks_facetvalue_weight_positive"
            ),
        ]

    def __str__(self):
        return f"{self.facet.name}: {self.name}"


class Dimension(models.Model):
    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="dimensions"
    )
    slug = models.SlugField(max_length=SLUG_MAX)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    weight = models.FloatField(default=1.0, validators=[MinValueValidator(0.0001)])
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["framework_version", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework_version", "slug"], name="frameworks_dimension_unique_slug"
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0), name="frameworks_dimension_weight_positive"
            ),
        ]

    def __str__(self):
        return self.name


class Question(models.Model):
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="questions")
    slug = models.SlugField(max_length=SLUG_MAX)
    text = models.TextField()
    help = models.TextField(blank=True)
    weight = models.FloatField(default=1.0, validators=[MinValueValidator(0.0001)])
    position = models.PositiveIntegerField(default=0)
    tags = models.ManyToManyField(FacetValue, blank=True, related_name="questions")
    # Crosswalk: confirmed as new in this version (no ancestor). A question of a version drafted
    # from another with neither links nor this mark has not been reviewed yet.
    new_in_version = models.BooleanField(default=False)

    class Meta:
        ordering = ["dimension__position", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "slug"], name="frameworks_question_unique_slug"
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0), name="frameworks_question_weight_positive"
            ),
        ]

    def __str__(self):
        return self.text


class QuestionLevel(models.Model):
    """What a question looks like at one level of the scale, and how to move up from it."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="levels")
    value = models.IntegerField()
    descriptor = models.TextField()
    recommendation = models.TextField(blank=True)

    class Meta:
        ordering = ["question", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "value"], name="frameworks_questionlevel_unique_value"
            ),
        ]

    def __str__(self):
        return f"Level {self.value}"


class QuestionLink(models.Model):
    """The crosswalk: how a question relates to a question of an earlier version of the same
    framework, so trends and carry-over can cross the version boundary.

    `same` and `reworded` have exactly one ancestor; `split-from` one ancestor shared with the
    other questions it was split into; `merged-from` two or more ancestors. A link proposed by
    the editor (same slug, similar text) is unconfirmed until the person editing confirms it.
    """

    class Relation(models.TextChoices):
        SAME = "same", "Same"
        REWORDED = "reworded", "Reworded"
        SPLIT_FROM = "split-from", "Split from"
        MERGED_FROM = "merged-from", "Merged from"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="links")
    ancestor = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="descendant_links"
    )
    relation = models.CharField(max_length=20, choices=Relation.choices)
    confirmed = models.BooleanField(default=True)

    class Meta:
        ordering = ["question", "ancestor__dimension__position", "ancestor__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "ancestor"], name="frameworks_questionlink_unique"
            ),
        ]

    def __str__(self):
        return f"{self.question.slug} {self.get_relation_display().lower()} {self.ancestor.slug}"
