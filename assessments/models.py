"""When and how well: assessments, each person's answers, the agreed answers and stored scores."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from assessments import scoring


class Assessment(models.Model):
    """One organisation scoring itself on one framework version, in one round."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Collecting answers"
        IN_REVIEW = "in_review", "Agreeing answers"
        SUBMITTED = "submitted", "Submitted"

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="assessments"
    )
    framework_version = models.ForeignKey(
        "frameworks.FrameworkVersion", on_delete=models.PROTECT, related_name="+"
    )
    round_label = models.CharField(max_length=40)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The organisation's most recent submission on this framework version: what peers compare
    # against. Kept by the submit and reopen services so dashboards need no "latest" subquery.
    is_latest_submission = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "framework_version", "round_label"],
                name="assessments_one_assessment_per_round",
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(
                fields=["framework_version", "organisation"],
                condition=models.Q(is_latest_submission=True),
                name="assessments_latest_submission",
            ),
        ]

    def __str__(self):
        return f"{self.organisation}, {self.round_label}"

    def get_absolute_url(self):
        return reverse(
            "assessments:assessment", kwargs={"pk": self.organisation_id, "apk": self.pk}
        )

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class AnswerFields(models.Model):
    """What an answer holds, for a respondent's own answer and for the agreed one alike."""

    class State(models.TextChoices):
        LEVEL = "level", "A level"
        NOT_APPLICABLE = "na", "Not applicable"
        DONT_KNOW = "dont_know", "Don't know"

    class Confidence(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    question = models.ForeignKey("frameworks.Question", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, blank=True)
    level = models.IntegerField(null=True, blank=True)
    target_level = models.IntegerField(null=True, blank=True)
    evidence = models.TextField(blank=True)
    links = models.TextField(blank=True, help_text="One web address a line.")
    confidence = models.CharField(max_length=10, choices=Confidence.choices, blank=True)
    # Optimistic concurrency: a save names the version it started from; a stale one is refused.
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def scored_level(self) -> int | None:
        return self.level if self.state == self.State.LEVEL else None

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class Answer(AnswerFields):
    """One respondent's own answer to one question."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="answers"
    )
    carried_over = models.BooleanField(
        default=False, help_text="Copied from the last round and not yet changed."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question", "respondent"], name="assessments_answer_unique"
            )
        ]

    def __str__(self):
        # Ids only: this is written into the audit log on every save, without extra queries.
        return f"Answer by person {self.respondent_id} to question {self.question_id}"


class AgreedAnswer(AnswerFields):
    """The organisation's answer, set by a lead: what scores and benchmarks use."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="agreed_answers"
    )
    rationale = models.TextField(blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    carried_over = models.BooleanField(default=False)

    class Review(models.TextChoices):
        """Why an answer carried over across a framework change needs checking."""

        REWORDED = "reworded", "the question was worded differently"
        SPLIT = "split-from", "this was part of a broader question"
        MERGED = "merged-from", "this was covered by several questions"

    # Carried over from a question that changed (the crosswalk): shown to the lead and the
    # respondents until someone saves this agreed answer.
    review = models.CharField(max_length=20, choices=Review.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"], name="assessments_agreed_unique"
            )
        ]

    def __str__(self):
        return f"Agreed answer to question {self.question_id}"


class Score(models.Model):
    """A score stored at submission, so dashboards read rows and never recompute."""

    class Scope(models.TextChoices):
        OVERALL = "overall", "Overall"
        DIMENSION = "dimension", "Dimension"
        FACET = "facet", "Facet value"
        GRID = "grid", "Dimension by facet value"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    scope = models.CharField(max_length=10, choices=Scope.choices)
    dimension = models.ForeignKey(
        "frameworks.Dimension", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    facet_value = models.ForeignKey(
        "frameworks.FacetValue", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    value = models.FloatField(null=True)
    band_value = models.IntegerField(null=True)
    target = models.FloatField(null=True)
    answered = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)

    class Meta:
        # Written only by assessment_submit, which replaces an assessment's scores as a whole.
        indexes = [models.Index(fields=["assessment", "scope"])]

    def __str__(self):
        return f"{self.scope} {self.value}"


class Comparison(models.Model):
    """This submission against the organisation's previous one on the same framework, stored
    at submission like every other score, so pages that show movement never recompute it.

    Across framework versions, `like_for_like` is the movement over the `comparable` questions
    only (same or reworded one to one through the crosswalk), both rounds scored with this
    version's weights; the rest of `movement` comes from the framework's changes.
    """

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="comparison"
    )
    previous = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+")
    version_changed = models.BooleanField()
    comparable = models.PositiveIntegerField()  # of this version's questions
    questions = models.PositiveIntegerField()  # in this version
    previous_questions = models.PositiveIntegerField()  # in the previous one's version
    movement = models.FloatField(null=True)  # None: a round without an overall score
    like_for_like = models.FloatField(null=True)

    def __str__(self):
        return f"Comparison of assessment {self.assessment_id} with {self.previous_id}"

    @property
    def rest(self) -> float | None:
        """What the framework's changes (questions added, removed, split or merged, weights)
        contribute to the movement."""
        if self.movement is None or self.like_for_like is None:
            return None
        return self.movement - self.like_for_like

    @property
    def version_note(self) -> list[str]:
        """Where the framework changed, the sentences every page shows (none where it did not).
        Needs `assessment` and `previous` with their framework versions loaded."""
        if not self.version_changed:
            return []
        return scoring.version_change_sentences(
            earlier_version=self.previous.framework_version.version,
            later_version=self.assessment.framework_version.version,
            comparable=self.comparable,
            questions=self.questions,
            movement=self.movement,
            like_for_like=self.like_for_like,
        )


class DimensionComparison(models.Model):
    """A dimension's movement within a `Comparison`. `previous_dimension` is the earlier
    dimension that most of this one's comparable questions come from; without one (no
    comparable questions, or a tie) only the like-for-like movement can be given."""

    comparison = models.ForeignKey(Comparison, on_delete=models.CASCADE, related_name="dimensions")
    dimension = models.ForeignKey(
        "frameworks.Dimension", on_delete=models.PROTECT, related_name="+"
    )
    previous_dimension = models.ForeignKey(
        "frameworks.Dimension", null=True, on_delete=models.PROTECT, related_name="+"
    )
    comparable = models.PositiveIntegerField()
    movement = models.FloatField(null=True)
    like_for_like = models.FloatField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comparison", "dimension"], name="assessments_dimensioncomparison_unique"
            )
        ]

    def __str__(self):
        return f"Dimension {self.dimension_id} movement {self.movement}"


class Participation(models.Model):
    """One person's part in answering an assessment: whether they have told the lead they have
    finished. Answering again, or a lead asking everyone again after a reopen, clears it."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="participations"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "person"], name="assessments_participation_unique"
            )
        ]

    def __str__(self):
        return f"Person {self.person_id} in assessment {self.assessment_id}"


class EvidenceFile(models.Model):
    """A file a person attached as evidence. The blob is in the default file storage under a
    key nobody can guess and that never holds the person's file name; `name` is the safe name
    shown and downloaded. One file may be linked to answers in several rounds (carried over),
    so it is erased as a whole, never copied."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=200, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10)  # an extension of assessments.evidence.KINDS
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name

    @property
    def kind_label(self) -> str:
        from assessments.evidence import KINDS

        kind = KINDS.get(self.kind)
        return kind.label if kind else self.kind.upper()


class EvidenceLink(models.Model):
    """A file attached to one respondent's answer or to one agreed answer."""

    file = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="links")
    # The answer's assessment, kept here so limits and listings need no join through answers.
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="evidence_links"
    )
    answer = models.ForeignKey(
        Answer, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence_links"
    )
    agreed_answer = models.ForeignKey(
        AgreedAnswer,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence_links",
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answer__isnull=False, agreed_answer__isnull=True)
                | models.Q(answer__isnull=True, agreed_answer__isnull=False),
                name="assessments_evidencelink_one_answer",
            ),
            models.UniqueConstraint(
                fields=["file", "answer"], name="assessments_evidencelink_answer_unique"
            ),
            models.UniqueConstraint(
                fields=["file", "agreed_answer"], name="assessments_evidencelink_agreed_unique"
            ),
        ]

    def __str__(self):
        return f"Evidence file {self.file_id} in assessment {self.assessment_id}"
