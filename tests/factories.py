"""Every test's way of making data, in one place."""

import factory
from django.contrib.auth import get_user_model

from assessments import services
from frameworks.fileformat import (
    DimensionSpec,
    FacetSpec,
    FacetValueSpec,
    FrameworkSpec,
    LevelSpec,
    QuestionSpec,
)
from frameworks.models import FrameworkVersion, Question
from frameworks.services import editors_group, framework_version_import
from organisations.models import ConsultantGrant, Membership, Organisation, Role

PASSWORD = "correct-horse-battery-staple"

LEVELS = (
    LevelSpec(1, "Initial", "Ad hoc."),
    LevelSpec(2, "Emerging", "Some practice."),
    LevelSpec(3, "Defined", "Agreed and documented."),
    LevelSpec(4, "Embedded", "Routine and measured."),
    LevelSpec(5, "Leading", "Continuously improving."),
)
LAYER = FacetSpec(
    slug="layer",
    name="Layer",
    description="What a question is about.",
    values=(
        FacetValueSpec("data", "Data", 0.5),
        FacetValueSpec("systems", "Systems", 0.3),
        FacetValueSpec("technology", "Technology", 0.2),
    ),
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@council{n}.example")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def editor(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(editors_group())
            self.is_staff = True
        if create:
            self.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Testshire Council {n}")
    kind = Organisation.Kind.DISTRICT
    region = Organisation.Region.SOUTH_WEST
    code = factory.Sequence(lambda n: f"X{n:08d}")
    size_band = Organisation.SizeBand.MEDIUM


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.RESPONDENT


class ConsultantGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsultantGrant

    consultant = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)


def make_spec(
    *,
    slug: str = "test-framework",
    version: str = "1.0.0",
    dimensions: int = 2,
    questions: int = 3,
    with_facet: bool = True,
    scoring: str = "weighted_mean",
) -> FrameworkSpec:
    """A complete, valid framework spec of any size."""
    layers = ("data", "systems", "technology")
    dims = []
    for d in range(dimensions):
        qs = []
        for q in range(questions):
            qs.append(
                QuestionSpec(
                    slug=f"d{d + 1}-q{q + 1}",
                    text=f"Question {q + 1} of dimension {d + 1}?",
                    help=f"Help for question {q + 1}.",
                    weight=1.0 + (q % 2),
                    tags={"layer": layers[(d + q) % 3]} if with_facet else {},
                    levels={lv.value: f"D{d + 1} Q{q + 1} at level {lv.value}." for lv in LEVELS},
                    recommendations={
                        lv.value: f"Move D{d + 1} Q{q + 1} up from {lv.value}."
                        for lv in LEVELS[:-1]
                    },
                )
            )
        dims.append(
            DimensionSpec(
                slug=f"dimension-{d + 1}",
                name=f"Dimension {d + 1}",
                description=f"About dimension {d + 1}.",
                weight=1.0 + d,
                questions=tuple(qs),
            )
        )
    return FrameworkSpec(
        slug=slug,
        name=f"Framework {slug}",
        version=version,
        description="A framework made for tests.",
        source={"references": ["https://example.org/source"]},
        scoring=scoring,
        levels=LEVELS,
        facets=(LAYER,) if with_facet else (),
        dimensions=tuple(dims),
    )


def make_version(*, publish: bool = True, **kwargs):
    return framework_version_import(spec=make_spec(**kwargs), publish=publish)


def submit(org, fv, levels, round_label="2026/27", lead=None):
    """A submitted assessment of `org` on `fv`, its agreed levels in question order."""
    lead = lead or MembershipFactory(organisation=org, role=Role.LEAD).user
    assessment = services.assessment_start(
        organisation=org, framework_version=fv, round_label=round_label, user=lead
    )
    qs = Question.objects.filter(dimension__framework_version=fv).order_by(
        "dimension__position", "position"
    )
    for question, level in zip(qs, levels, strict=True):
        services.agreed_answer_save(
            assessment=assessment,
            question=question,
            lead=lead,
            data=services.AnswerData(state="level", level=level, target_level=5),
            base_version=0,
        )
    services.assessment_submit(assessment=assessment, user=lead)
    return assessment, lead


def release(fv):
    """Release the framework version's peer figures now, as a platform admin does at the end
    of a collection window (between releases, figures follow only in batches)."""
    from benchmarks.services import peer_figures_release

    peer_figures_release(framework_version_ids=[fv.pk])


def largest_builtin():
    """The built-in framework version with the most questions (what `make bench` reports on),
    loaded from the library first."""
    from frameworks.builtin import library_files, library_load

    library_load()
    builtin = {path.parent.name for path in library_files()}
    return max(
        FrameworkVersion.objects.filter(status="published", framework__slug__in=builtin),
        key=lambda fv: Question.objects.filter(dimension__framework_version=fv).count(),
    )
