"""Fictional demo history: three rounds of submitted assessments for the demo bodies.

So that a newcomer signing in as the demo lead sees a full benchmark dashboard at once: peers to
compare with, a trend over rounds, targets and the patterns the flags look for. Everything here is
invented and only meant for local use and screenshots.

How the numbers are made (deterministic for a seed, and per organisation, so the same body gets
the same answers whichever other bodies are loaded with it):

- Each body has a latent maturity, normal around 2.6 (sd 0.6), nudged by kind (central
  departments, arm's-length bodies and London boroughs a little higher, small districts a little
  lower, NHS trusts about average), region and size. Each framework, dimension and question gets
  its own offset for the body; a question's level is the latent plus offsets plus noise for the
  round, rounded and clipped onto the scale.
- Most bodies improve by about 0.2 to 0.4 levels a round; some stand still and a few decline.
  Some join in a later round, so they miss the earliest one.
- About 1.5% of answers are "not applicable" (the same questions every round) and 1.5% "don't
  know": both are left out of the scores, as the scoring module does for real answers.
- About 15% of bodies have technology running ahead of data: a weaker data layer and, on a
  version that declares the "technology ahead of data" flag (data-systems-technology 2.0.0),
  high answers on the questions it names (new systems, AI and automation begun). About 10% have
  one lens well ahead of the others (the "lens imbalance" flag on seven-tribes-of-digital); the
  lens is one that the flag compares in every version the body answers.
- Every demo body takes data-systems-technology and seven-tribes-of-digital; about 60% also take
  each of the other two built-in frameworks.
- The demo home organisation (`HOME_CODE`, where the demo lead works) takes all rounds of every
  framework, sets targets on almost every question, improves clearly from round to round (no
  question goes down) and always shows the technology-ahead-of-data flag where it is declared.
- Earlier rounds are on the version a framework's library starts from (1.0.0). Given
  `revisions` (later versions, at most one per framework: `library_revisions()` gives the
  built-in 2.0.0s), the home body and about three bodies in four take the last round on them,
  so their trend crosses the version boundary. Their answers are the ones they would have given
  on the earlier version, carried through the crosswalk: the same or reworded question keeps
  its answer, a split question's parts start from it (a level either way for some bodies; the
  home body's second part a level lower), a merged one takes the lowest, a dropped one is no
  longer asked, and a new question is answered a little below the body's average for that
  round (so the rest of the movement, beside the like-for-like part, is not always nothing).

Rows are written with bulk_create, not through the per-assessment services: scores come from
`scoring.compute_scores` on the same inputs `assessment_compute_scores` builds, and are stored in
the same shape as `store_scores`; each round's comparison with the body's round before comes
from `scoring.compare_rounds`, stored as `comparison_store` does (when both rounds are made in
the same load); each body's latest submission is then marked with
`refresh_latest_submissions`, as `assessment_submit` does. No audit events are recorded: this
is seed data, not anyone's change, and thousands of invented "submitted" events would bury the
real ones.
"""

import math
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from assessments import scoring
from assessments.models import AgreedAnswer, Assessment, Comparison, DimensionComparison, Score
from assessments.services import refresh_latest_submissions
from benchmarks.services import peer_figures_release, peer_values_rebuild
from frameworks.builtin import library_files
from frameworks.fileformat import (
    LENS_IMBALANCE,
    TECHNOLOGY_AHEAD_OF_DATA,
    FlagSpec,
    flags_from_json,
    version_key,
)
from frameworks.layers import LayerAxis
from frameworks.lineage import MERGED_FROM, NEW, SPLIT_FROM
from frameworks.models import FacetValue, FrameworkVersion, Question
from frameworks.selectors import framework_version_layer_axis, version_map
from organisations.models import Membership, Organisation, Role

K = Organisation.Kind
R = Organisation.Region
S = Organisation.SizeBand
State = AgreedAnswer.State
Confidence = AgreedAnswer.Confidence

DEFAULT_ROUNDS = ("2023/24", "2024/25", "2025/26")
DEFAULT_SEED = 2026
HOME_CODE = "ZU0001"
DEMO_CODE = re.compile(r"Z[A-Z][0-9]{4}")

DATA_SYSTEMS_TECHNOLOGY = "data-systems-technology"
SEVEN_TRIBES = "seven-tribes-of-digital"
PERSON_CENTRED = "person-centred-persistent-delivery"
DELIVERY_AND_GOVERNANCE = "delivery-and-governance"
BUILTIN_SLUGS = (DATA_SYSTEMS_TECHNOLOGY, SEVEN_TRIBES, PERSON_CENTRED, DELIVERY_AND_GOVERNANCE)
TAKEN_BY_ALL = frozenset({DATA_SYSTEMS_TECHNOLOGY, SEVEN_TRIBES})
PARTIAL_SHARE = 0.6  # of bodies taking each of the other frameworks
REVISED_SHARE = 0.75  # of bodies taking the last round on the later versions, when given them
NEW_QUESTION_LAG = 0.6  # how far below a body's average a question new in a revision starts
ADOPTION_LEAD = 0.8  # how far above its average a body with technology ahead of data answers

MEAN_MATURITY, MATURITY_SD = 2.6, 0.6
KIND_OFFSET = {
    K.CENTRAL_DEPARTMENT: 0.3,
    K.ARMS_LENGTH_BODY: 0.25,
    K.LONDON_BOROUGH: 0.25,
    K.COUNTY: 0.1,
    K.METROPOLITAN: 0.05,
    K.ICB: 0.05,
    K.UNITARY: 0.0,
    K.NHS_TRUST: 0.0,
    K.POLICE: -0.05,
    K.OTHER: -0.1,
    K.FIRE: -0.15,
    K.DISTRICT: -0.15,
}
SMALL_DISTRICT_OFFSET = -0.15  # on top of the district offset
REGION_OFFSET = {
    R.LONDON: 0.1,
    R.SOUTH_EAST: 0.08,
    R.EAST: 0.04,
    R.UK_WIDE: 0.05,
    R.SCOTLAND: 0.05,
    R.WALES: 0.0,
    R.SOUTH_WEST: 0.0,
    R.WEST_MIDLANDS: -0.02,
    R.EAST_MIDLANDS: -0.05,
    R.NORTH_WEST: -0.03,
    R.YORKSHIRE: -0.05,
    R.NORTH_EAST: -0.08,
    R.NORTHERN_IRELAND: -0.05,
}

TECH_AHEAD_SHARE = 0.15
ONE_LENS_SHARE = 0.10
NOT_APPLICABLE_SHARE = 0.015
DONT_KNOW_SHARE = 0.015
# Lenses that most often capture what "digital" means, by the seven tribes framework's account
# (Catherine Howe: a leadership group often gives "digital" one meaning). Each is a lens of both
# 1.0.0 and 2.0.0 (1.0.0's "channel-shift" is not), so one running ahead stays ahead on 2.0.0.
LENS_CAPTURE_WEIGHT = {
    "social-media-and-communications": 3,
    "architecture-and-infrastructure": 3,
    "data-and-insight": 2,
}


@dataclass(frozen=True)
class RoundsResult:
    """What demo_rounds_load did, for the setup_demo command to print."""

    assessments_created: int
    assessments_skipped: int  # already there for that organisation, framework version and round
    answers_created: int
    scores_created: int
    organisations: int
    rounds: tuple[str, ...]
    frameworks: tuple[str, ...]  # versions used, e.g. "Seven tribes of digital 1.0.0", then later
    frameworks_missing: tuple[str, ...]  # asked for but not loaded and published: skipped


# ---------------------------------------------------------------------------------------------
# Framework versions, read once


@dataclass(frozen=True)
class _Question:
    pk: int
    slug: str
    dimension_key: str
    weight: float
    tags: dict[str, str]


@dataclass
class _Version:
    fv: FrameworkVersion
    slug: str
    scale: tuple[scoring.Level, ...]
    dimensions: list[scoring.DimensionIn]
    dimension_slugs: dict[str, str]  # key (pk as str) to slug
    questions: list[_Question]
    facet_value_ids: dict[tuple[str, str], int]
    declared: tuple[FlagSpec, ...]  # the flags the version declares
    layer_axis: LayerAxis | None  # read only when it declares technology ahead of data
    adoption: frozenset[str]  # the questions technology ahead of data reads
    lenses: frozenset[str]  # the dimensions lens imbalance compares (none: not declared)

    @property
    def scale_values(self) -> tuple[int, ...]:
        return tuple(level.value for level in self.scale)


def _load_version(fv: FrameworkVersion) -> _Version:
    """The inputs assessment_compute_scores reads, in the same order, for every assessment."""
    dimensions = list(fv.dimensions.all())
    declared = {flag.code: flag for flag in flags_from_json(fv.flags)}
    lens, adoption = declared.get(LENS_IMBALANCE), declared.get(TECHNOLOGY_AHEAD_OF_DATA)
    questions = [
        _Question(
            pk=q.pk,
            slug=q.slug,
            dimension_key=str(q.dimension_id),
            weight=q.weight,
            tags={t.facet.slug: t.slug for t in q.tags.all()},
        )
        for q in Question.objects.filter(dimension__framework_version=fv).prefetch_related(
            "tags__facet"
        )
    ]
    return _Version(
        fv=fv,
        slug=fv.framework.slug,
        scale=tuple(scoring.Level(lv.value, lv.label) for lv in fv.levels.all()),
        dimensions=[scoring.DimensionIn(str(d.pk), d.name, d.weight) for d in dimensions],
        dimension_slugs={str(d.pk): d.slug for d in dimensions},
        questions=questions,
        facet_value_ids={
            (v.facet.slug, v.slug): v.pk
            for v in FacetValue.objects.filter(facet__framework_version=fv).select_related("facet")
        },
        declared=tuple(declared.values()),
        layer_axis=framework_version_layer_axis(framework_version=fv) if adoption else None,
        adoption=frozenset(adoption.questions if adoption else ()),
        # The lens flag's own lens dimensions when it names them, else every dimension.
        lenses=frozenset((lens.dimensions or [d.slug for d in dimensions]) if lens else ()),
    )


def _resolve_versions(
    frameworks: Iterable[str | FrameworkVersion] | None,
) -> tuple[list[FrameworkVersion], list[str]]:
    """Published versions to use, and what was asked for but is not there.

    A slug means the first version in frameworks/library (as library_load loads it: 1.0.0, the
    version the demo history starts from), or failing that the framework's most recently
    published version. A FrameworkVersion is used as given when it is published.
    """
    wanted = list(BUILTIN_SLUGS if frameworks is None else frameworks)
    library: dict[str, str] = {}
    for slug, version in _library_versions():
        library.setdefault(slug, version)
    found: list[FrameworkVersion] = []
    missing: list[str] = []
    for item in wanted:
        if isinstance(item, FrameworkVersion):
            if item.is_published:
                found.append(item)
            else:
                missing.append(str(item))
            continue
        published = FrameworkVersion.objects.filter(
            framework__slug=item, status=FrameworkVersion.Status.PUBLISHED
        ).select_related("framework")
        fv = published.filter(version=library[item]).first() if item in library else None
        fv = fv or published.order_by("-published_at", "-pk").first()
        if fv is None:
            missing.append(item)
        elif fv not in found:
            found.append(fv)
    return found, missing


def _library_versions() -> list[tuple[str, str]]:
    """(framework slug, version) of each file in frameworks/library, oldest first."""
    return [(path.parent.name, path.stem) for path in library_files()]


def library_revisions() -> list[FrameworkVersion]:
    """The latest version of each built-in framework whose library holds more than its first,
    where loaded and published: what demo bodies answer their last round on (2.0.0)."""
    versions: dict[str, list[str]] = {}
    for slug, version in _library_versions():
        versions.setdefault(slug, []).append(version)
    found = []
    for slug, held in versions.items():
        if len(held) > 1:
            fv = (
                FrameworkVersion.objects.filter(
                    framework__slug=slug, version=held[-1], status=FrameworkVersion.Status.PUBLISHED
                )
                .select_related("framework")
                .first()
            )
            if fv is not None:
                found.append(fv)
    return found


@dataclass
class _Revision:
    """A later version of a framework in use, and where its questions' answers come from."""

    version: _Version
    base: _Version  # the version it revises, as the earlier rounds use it
    # per question of `version`: its relation to `base` and its ancestors' places in `base`
    sources: list[tuple[str, list[int]]]
    comparable: dict[str, str]  # question keys, later to earlier, as compare_rounds takes them

    @classmethod
    def load(cls, fv: FrameworkVersion, base: _Version) -> "_Revision":
        lineage = version_map(earlier=base.fv, later=fv)
        version = _load_version(fv)
        place = {q.pk: i for i, q in enumerate(base.questions)}
        return cls(
            version=version,
            base=base,
            sources=[
                (lineage.relation[q.pk], sorted(place[a] for a in lineage.ancestors[q.pk]))
                for q in version.questions
            ],
            comparable={str(later): str(earlier) for later, earlier in lineage.comparable.items()},
        )

    def answers(
        self, answers: Sequence["_AnswerIn"], *, rng: random.Random, profile: "_Profile"
    ) -> list["_AnswerIn"]:
        """What the body answers on this version, given its answers on the base version."""
        home = profile.home
        scale = self.version.scale_values
        levels = [a.level for a in answers if a.level is not None]
        mean = sum(levels) / len(levels) if levels else scale[0]
        sets_targets = any(a.target is not None for a in answers)
        row = []
        split: set[int] = set()  # ancestors whose first part has been answered
        for question, (relation, sources) in zip(self.version.questions, self.sources, strict=True):
            before = [answers[i] for i in sources]
            shift = rng.choice((-1, 0, 0, 1))  # drawn for every question, whatever it is
            if relation == NEW:
                # Nobody has worked on a new question yet: it starts a little below the rest,
                # except the new systems and AI a body with technology ahead of data has begun.
                ahead = profile.tech_ahead and question.slug in self.version.adoption
                lag = -ADOPTION_LEAD if ahead else NEW_QUESTION_LAG
                level = _onto_scale(mean - lag + rng.gauss(0.0, 0.25 if home else 0.5), scale)
                target = _step_up(level, 1, scale) if sets_targets else None
                row.append(_AnswerIn(State.LEVEL, level, target, Confidence.MEDIUM))
                continue
            if relation == MERGED_FROM:
                levelled = [a for a in before if a.level is not None]
                before = [min(levelled, key=lambda a: a.level)] if levelled else before
            answer = before[0]
            if relation == SPLIT_FROM and answer.level is not None:
                # The parts of a split question need not stand level: the home body's second
                # part is a level lower; other bodies' parts move a level either way at random.
                if home:
                    shift = -1 if sources[0] in split else 0
                split.add(sources[0])
                if shift:
                    level = (
                        _step_up(answer.level, shift, scale)
                        if shift > 0
                        else _step_down(answer.level, scale)
                    )
                    target = None if answer.target is None else max(answer.target, level)
                    answer = _AnswerIn(answer.state, level, target, answer.confidence)
            row.append(answer)
        if profile.tech_ahead:
            row = _ensure_tech_ahead(self.version, row)
        return row


# ---------------------------------------------------------------------------------------------
# Invented answers


def _rng(seed: int, *parts: object) -> random.Random:
    """A generator of its own for each body (and framework): a str seed is hashed stably."""
    return random.Random(":".join(str(p) for p in (seed, *parts)))  # noqa: S311 - demo data


@dataclass(frozen=True)
class _Profile:
    """One body's latent maturity and how it moves over the rounds."""

    base: float  # latent level at the middle round
    slope: float  # change per round
    start: int  # index of the first round the body took part in
    sets_targets: bool
    tech_ahead: bool
    one_lens: bool
    home: bool = False


def _profile(org: Organisation, *, seed: int, rounds: int) -> _Profile:
    if org.code == HOME_CODE:
        return _Profile(
            base=2.9,
            slope=0.5,
            start=0,
            sets_targets=True,
            tech_ahead=True,
            one_lens=False,
            home=True,
        )
    rng = _rng(seed, org.code, "profile")
    base = rng.gauss(MEAN_MATURITY, MATURITY_SD)
    base += KIND_OFFSET.get(org.kind, 0.0) + REGION_OFFSET.get(org.region, 0.0)
    if org.kind == K.DISTRICT and org.size_band == S.SMALL:
        base += SMALL_DISTRICT_OFFSET
    trend = rng.random()
    if trend < 0.08:  # a few decline
        slope = rng.gauss(-0.2, 0.08)
    elif trend < 0.22:  # some stand still
        slope = rng.gauss(0.0, 0.05)
    else:  # most improve by about 0.2 to 0.4 a round
        slope = rng.gauss(0.32, 0.08)
    joined = rng.random()
    start = 0 if joined < 0.8 else 1 if joined < 0.95 else 2
    return _Profile(
        base=base,
        slope=slope,
        start=min(start, rounds - 1),
        sets_targets=rng.random() < 0.65,
        tech_ahead=rng.random() < TECH_AHEAD_SHARE,
        one_lens=rng.random() < ONE_LENS_SHARE,
    )


@dataclass(frozen=True)
class _AnswerIn:
    state: str
    level: int | None
    target: int | None
    confidence: str


@dataclass
class _Plan:
    """One body's invented answers on one framework version, for every round."""

    start: int
    answers: list[list[_AnswerIn]]  # per round, aligned with _Version.questions
    submitted_at: list[datetime]


def _onto_scale(value: float, scale_values: Sequence[int]) -> int:
    rounded = math.floor(value + 0.5)
    return min(scale_values, key=lambda v: (abs(v - rounded), v))


def _step_up(level: int, steps: int, scale_values: Sequence[int]) -> int:
    index = scale_values.index(level)
    return scale_values[min(index + steps, len(scale_values) - 1)]


def _step_down(level: int, scale_values: Sequence[int]) -> int:
    return scale_values[max(scale_values.index(level) - 1, 0)]


def _submission_time(label: str, index: int, count: int, rng: random.Random) -> datetime:
    """A working-hours time in March of the round's second year ("2023/24": March 2024)."""
    year = _round_year(label) or timezone.now().year - (count - 1 - index)
    when = datetime(year, 3, 1, 9, 0, tzinfo=UTC) + timedelta(
        days=rng.randint(0, 27), hours=rng.randint(0, 7), minutes=rng.randint(0, 59)
    )
    latest = timezone.now() - timedelta(days=1)
    return min(when, latest)


def _plan(
    version: _Version,
    org: Organisation,
    profile: _Profile,
    *,
    seed: int,
    rounds: Sequence[str],
) -> _Plan | None:
    """The body's answers for every round (None if it does not take this framework).

    Every draw is made whatever already exists, so skipping an existing round never changes the
    answers of the others.
    """
    rng = _rng(seed, org.code, version.slug)
    start = profile.start
    if version.slug not in TAKEN_BY_ALL and not profile.home:
        if rng.random() >= PARTIAL_SHARE:
            return None
        if rng.random() < 0.15:
            start = min(start + 1, len(rounds) - 1)
    scale = version.scale_values
    home = profile.home
    framework_offset = rng.gauss(0.0, 0.1 if home else 0.25)
    dim_offset = {d.key: rng.gauss(0.0, 0.15 if home else 0.25) for d in version.dimensions}
    dim_slope = {d.key: rng.gauss(0.0, 0.03 if home else 0.06) for d in version.dimensions}
    question_offset = [rng.gauss(0.0, 0.3 if home else 0.4) for _ in version.questions]
    not_applicable = [rng.random() < NOT_APPLICABLE_SHARE for _ in version.questions]

    if profile.tech_ahead and version.slug == DATA_SYSTEMS_TECHNOLOGY:
        # Seed 003: new systems and AI begun while the data is not ready. The data layer lags
        # in every version; the questions on what has been begun exist from 2.0.0.
        lead = 1.2 if home else rng.gauss(1.5, 0.2)
        for i, q in enumerate(version.questions):
            if q.slug in version.adoption:
                question_offset[i] += lead * 0.65
            elif q.tags.get("layer") == "data":
                question_offset[i] -= lead * 0.35
    if profile.one_lens and version.lenses:
        keys = [d.key for d in version.dimensions]
        lenses = [k for k in keys if version.dimension_slugs[k] in version.lenses]
        # The lenses that capture "digital" most often when the version has them: they are
        # lenses in every version, so the pattern carries through the crosswalk to 2.0.0.
        candidates = [
            k for k in lenses if version.dimension_slugs[k] in LENS_CAPTURE_WEIGHT
        ] or lenses
        weights = [LENS_CAPTURE_WEIGHT.get(version.dimension_slugs[k], 1) for k in candidates]
        top = rng.choices(candidates, weights)[0]
        for key in keys:
            dim_offset[key] += 1.7 if key == top else -0.45

    middle = (len(rounds) - 1) / 2
    answers: list[list[_AnswerIn]] = []
    submitted: list[datetime] = []
    for r, label in enumerate(rounds):
        submitted.append(_submission_time(label, r, len(rounds), rng))
        latent = profile.base + profile.slope * (r - middle) + framework_offset
        previous = answers[-1] if answers else None
        row = []
        for i, q in enumerate(version.questions):
            noise = rng.gauss(0.0, 0.25 if home else 0.35)
            dont_know = rng.random() < DONT_KNOW_SHARE * (1.4 if r == 0 else 0.8)
            stretch = 2 if rng.random() < 0.12 else 1
            sets_target = profile.sets_targets and rng.random() < (0.95 if home else 0.85)
            confidence = rng.choices(
                (Confidence.LOW, Confidence.MEDIUM, Confidence.HIGH), (1, 2, 1)
            )[0]
            if not_applicable[i]:
                row.append(_AnswerIn(State.NOT_APPLICABLE, None, None, ""))
                continue
            if dont_know and not home:
                row.append(_AnswerIn(State.DONT_KNOW, None, None, Confidence.LOW))
                continue
            value = (
                latent
                + dim_offset[q.dimension_key]
                + dim_slope[q.dimension_key] * (r - middle)
                + question_offset[i]
                + noise
            )
            level = _onto_scale(value, scale)
            if home and previous is not None and previous[i].level is not None:
                level = max(level, previous[i].level)  # the home body never goes backwards
            target = _step_up(level, stretch, scale) if sets_target else None
            row.append(_AnswerIn(State.LEVEL, level, target, confidence))
        if profile.tech_ahead:
            row = _ensure_tech_ahead(version, row)
        answers.append(row)
    return _Plan(start=start, answers=answers, submitted_at=submitted)


def _round(version: _Version, answers: Sequence[_AnswerIn]) -> scoring.Round:
    """As assessment_round, from invented answers instead of AgreedAnswer rows."""
    return scoring.Round(
        scale=version.scale,
        dimensions=version.dimensions,
        questions=[
            scoring.QuestionIn(
                key=str(q.pk),
                dimension=q.dimension_key,
                weight=q.weight,
                level=a.level if a.state == State.LEVEL else None,
                target=a.target,
                tags=q.tags,
            )
            for q, a in zip(version.questions, answers, strict=True)
        ],
        rule=version.fv.scoring,
    )


def _compute(version: _Version, answers: Sequence[_AnswerIn]) -> scoring.Scores:
    """As assessment_compute_scores, from invented answers instead of AgreedAnswer rows."""
    inputs = _round(version, answers)
    return scoring.compute_scores(
        scale=inputs.scale,
        dimensions=inputs.dimensions,
        questions=inputs.questions,
        rule=inputs.rule,
    )


def _flags(version: _Version, answers: Sequence[_AnswerIn]) -> list[scoring.Flag]:
    """The flags the version declares, as the results page finds them on these answers."""
    levels = {
        q.slug: a.level
        for q, a in zip(version.questions, answers, strict=True)
        if q.slug in version.adoption and a.state == State.LEVEL
    }
    return scoring.flags(
        scores=_compute(version, answers),
        dimension_names={},
        declared=version.declared,
        layer_axis=version.layer_axis,
        question_levels=levels,
        dimension_slugs=version.dimension_slugs,
    )


def _is_tech_ahead(version: _Version, answers: Sequence[_AnswerIn]) -> bool:
    return any(f.code == scoring.TECHNOLOGY_AHEAD_OF_DATA for f in _flags(version, answers))


def _ensure_tech_ahead(version: _Version, answers: list[_AnswerIn]) -> list[_AnswerIn]:
    """Raise a body's answers on the questions "technology ahead of data" reads (new systems, AI
    and automation begun) until its results show the flag, or they are at the top of the scale.
    Nothing to do on a version that does not declare the flag."""
    scale = version.scale_values
    for _ in range(len(scale) if version.adoption else 0):
        if _is_tech_ahead(version, answers):
            break
        answers = [
            _AnswerIn(
                a.state,
                _step_up(a.level, 1, scale),
                None if a.target is None else _step_up(a.level, 2, scale),
                a.confidence,
            )
            if a.level is not None and q.slug in version.adoption
            else a
            for q, a in zip(version.questions, answers, strict=True)
        ]
    return answers


# ---------------------------------------------------------------------------------------------
# Rows


class _RowMaker:
    """Model instances built from positional values, Django's fast path (about half the cost).

    Positions come from the model's own fields, so a field added later keeps its default.
    """

    def __init__(self, model, *names: str, **fixed):
        fields = model._meta.concrete_fields
        position = {f.attname: i for i, f in enumerate(fields)}
        self.model = model
        self.template = [None if f.primary_key else f.get_default() for f in fields]
        for name, value in fixed.items():
            self.template[position[name]] = value
        self.positions = [position[name] for name in names]

    def __call__(self, *values):
        row = self.template.copy()
        for i, value in zip(self.positions, values, strict=True):
            row[i] = value
        return self.model(*row)


_score = _RowMaker(
    Score,
    "assessment_id",
    "scope",
    "dimension_id",
    "facet_value_id",
    "value",
    "band_value",
    "target",
    "answered",
    "total",
)
_agreed_answer = _RowMaker(
    AgreedAnswer,
    "assessment_id",
    "question_id",
    "state",
    "level",
    "target_level",
    "confidence",
    "set_by_id",
    version=1,
)


def _score_rows(version: _Version, assessment_id: int, scores: scoring.Scores) -> list[Score]:
    """The rows store_scores writes for these scores, in the same order and shape."""
    rows: list[Score] = []

    def row(scope, score, dimension_id=None, facet_value_id=None, target=None):
        rows.append(
            _score(
                assessment_id,
                scope,
                dimension_id,
                facet_value_id,
                score.value if score else None,
                score.band_value if score else None,
                target.value if target else None,
                score.answered if score else 0,
                score.total if score else 0,
            )
        )

    row(Score.Scope.OVERALL, scores.overall)
    for key, score in scores.dimensions.items():
        row(Score.Scope.DIMENSION, score, dimension_id=int(key), target=scores.targets.get(key))
    values = version.facet_value_ids
    for (facet, value), score in scores.facets.items():
        row(Score.Scope.FACET, score, facet_value_id=values[(facet, value)])
    for (dimension, facet, value), score in scores.grid.items():
        row(Score.Scope.GRID, score, int(dimension), values[(facet, value)])
    return rows


def _difference(later: scoring.Score | None, earlier: scoring.Score | None) -> float | None:
    return later.value - earlier.value if later and earlier else None


def _comparison_rows(
    assessment: Assessment,
    previous_id: int,
    later: tuple[_Version, Sequence[_AnswerIn], scoring.Scores],
    earlier: tuple[_Version, Sequence[_AnswerIn], scoring.Scores],
    revised: _Revision | None,
) -> tuple[Comparison, list[DimensionComparison]]:
    """The rows comparison_store writes for this round against the one before (`revised`: the
    framework's revision, when this round is on it)."""
    version, answers, scores = later
    if earlier[0] is not version:
        result = scoring.compare_rounds(
            earlier=_round(*earlier[:2]),
            later=_round(version, answers),
            comparable=revised.comparable,
        )
    else:
        # On one version every question compares with itself, so the like-for-like movement is
        # the whole movement: what compare_rounds finds, without scoring both rounds again.
        n = len(version.questions)
        per_dimension = Counter(q.dimension_key for q in version.questions)
        moved = {
            d.key: _difference(scores.dimensions[d.key], earlier[2].dimensions[d.key])
            for d in version.dimensions
        }
        overall = _difference(scores.overall, earlier[2].overall)
        result = scoring.Comparison(
            comparable=n,
            questions=n,
            previous_questions=n,
            overall=scoring.Movement(overall, overall),
            dimensions={
                key: scoring.DimensionMovement(
                    movement, movement, previous=key, comparable=per_dimension[key]
                )
                for key, movement in moved.items()
            },
        )
    comparison = Comparison(
        assessment=assessment,
        previous_id=previous_id,
        version_changed=earlier[0] is not version,
        comparable=result.comparable,
        questions=result.questions,
        previous_questions=result.previous_questions,
        movement=result.overall.movement,
        like_for_like=result.overall.like_for_like,
    )
    return comparison, [
        DimensionComparison(
            comparison=comparison,
            dimension_id=int(key),
            previous_dimension_id=int(d.previous) if d.previous else None,
            comparable=d.comparable,
            movement=d.movement,
            like_for_like=d.like_for_like,
        )
        for key, d in result.dimensions.items()
    ]


def _demo_organisations() -> list[Organisation]:
    return [org for org in Organisation.objects.all() if DEMO_CODE.fullmatch(org.code)]


def _leads(org_ids: set[int]) -> dict[int, int]:
    """Each organisation's first lead (user id), if it has one."""
    leads: dict[int, int] = {}
    for org_id, user_id in (
        Membership.objects.filter(role=Role.LEAD)
        .order_by("created_at", "pk")
        .values_list("organisation_id", "user_id")
    ):
        if org_id in org_ids:
            leads.setdefault(org_id, user_id)
    return leads


def _chunks(items: Sequence[int], size: int = 500) -> Iterable[Sequence[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass
class _Counts:
    created: int = 0
    skipped: int = 0
    answers: int = 0
    scores: int = 0
    created_ids: list[int] = field(default_factory=list)


@transaction.atomic
def demo_rounds_load(
    *,
    rounds: Sequence[str] = DEFAULT_ROUNDS,
    seed: int = DEFAULT_SEED,
    organisations: Iterable[Organisation] | None = None,
    frameworks: Iterable[str | FrameworkVersion] | None = None,
    revisions: Iterable[FrameworkVersion] = (),
) -> RoundsResult:
    """Give the demo bodies submitted assessments over `rounds` on the built-in frameworks.

    `organisations` defaults to every demo body (codes like ZD0001; see demo.organisations), and
    `frameworks` to the four built-in slugs (or pass FrameworkVersions). Frameworks that are not
    loaded and published are skipped and listed in the result: run library_load() first.
    `revisions`, later published versions of those frameworks (at most one each; the demo
    passes `library_revisions()`), are what most bodies take the last round on (see the
    module's notes); one that is not later than its framework's version in use is skipped.

    Idempotent: an (organisation, framework, round) that already has an assessment, on any
    version, is left alone and counted as skipped, so a second call creates nothing. The same
    seed always gives the same answers. Writes Assessment, AgreedAnswer, Score and Comparison
    rows in bulk and records no audit events (seed data, not anyone's change).
    """
    rounds = tuple(label.strip() for label in rounds)
    if len(set(rounds)) != len(rounds) or not all(rounds):
        raise ValueError(f"Round labels must be distinct and not empty, got {rounds!r}")
    fvs, missing = _resolve_versions(frameworks)
    bases: dict[int, FrameworkVersion] = {}  # by framework id: the version each revision revises
    later: list[FrameworkVersion] = []
    for revision in revisions:
        base = next((fv for fv in fvs if fv.framework_id == revision.framework_id), None)
        if (
            base is None
            or base.framework_id in bases
            or not revision.is_published
            or version_key(revision.version) <= version_key(base.version)
        ):
            missing.append(str(revision))
        else:
            bases[base.framework_id] = base
            later.append(revision)
    orgs = sorted(
        _demo_organisations() if organisations is None else list(organisations),
        key=lambda o: o.code,
    )
    result = dict(
        organisations=len(orgs),
        rounds=rounds,
        frameworks=tuple(str(fv) for fv in (*fvs, *later)),
        frameworks_missing=tuple(missing),
    )
    if not orgs or not fvs:
        return RoundsResult(0, 0, 0, 0, **result)

    versions = [_load_version(fv) for fv in fvs]
    # By framework id: the revision of the framework and the version it revises.
    loaded = {v.fv.pk: v for v in versions}
    revised = {
        fv.framework_id: _Revision.load(fv, loaded[bases[fv.framework_id].pk]) for fv in later
    }
    org_ids = {o.pk for o in orgs}
    leads = _leads(org_ids)
    # By framework, not version: a body answers a framework once a round, on one version.
    existing: dict[tuple[int, int, str], int] = {
        (org_id, framework_id, label): pk
        for pk, org_id, framework_id, label in Assessment.objects.filter(
            framework_version__framework__in=[fv.framework_id for fv in fvs],
            round_label__in=rounds,
        ).values_list("pk", "organisation_id", "framework_version__framework_id", "round_label")
        if org_id in org_ids
    }
    profiles = {o.pk: _profile(o, seed=seed, rounds=len(rounds)) for o in orgs}
    codes = {o.pk: o.code for o in orgs}
    # Drawn from a generator of their own, so the other draws stay as they were without one.
    moves = {
        o.pk: profiles[o.pk].home or _rng(seed, o.code, "revision").random() < REVISED_SHARE
        for o in orgs
    }
    plans: dict[tuple[int, int], tuple[_Version, _Plan]] = {}
    for org in orgs:
        for version in versions:
            plan = _plan(version, org, profiles[org.pk], seed=seed, rounds=rounds)
            if plan is not None:
                plans[(org.pk, version.fv.pk)] = (version, plan)

    made: dict[tuple[int, int, str], tuple[_Version, Sequence[_AnswerIn], scoring.Scores]] = {}
    counts = _Counts()
    for r, label in enumerate(rounds):
        year = _round_year(label)
        due = date(year, 3, 31) if year else None
        todo: list[tuple[Assessment, _Version, list[_AnswerIn]]] = []
        for (org_id, _), (version, plan) in plans.items():
            if r < plan.start:
                continue
            framework_id = version.fv.framework_id
            if (org_id, framework_id, label) in existing:
                counts.skipped += 1
                continue
            round_answers = plan.answers[r]
            revision = revised.get(framework_id)
            if revision and r == len(rounds) - 1 and moves[org_id]:
                round_answers = revision.answers(
                    round_answers,
                    rng=_rng(seed, codes[org_id], "revision", version.slug, label),
                    profile=profiles[org_id],
                )
                version = revision.version
            lead = leads.get(org_id)
            assessment = Assessment(
                organisation_id=org_id,
                framework_version_id=version.fv.pk,
                round_label=label,
                due_date=due,
                status=Assessment.Status.SUBMITTED,
                carried_from_id=(
                    existing.get((org_id, framework_id, rounds[r - 1])) if r else None
                ),
                created_by_id=lead,
                submitted_at=plan.submitted_at[r],
                submitted_by_id=lead,
            )
            todo.append((assessment, version, round_answers))
        Assessment.objects.bulk_create([a for a, _, _ in todo])
        answers: list[AgreedAnswer] = []
        scores: list[Score] = []
        comparisons: list[tuple[Comparison, list[DimensionComparison]]] = []
        for assessment, version, round_answers in todo:
            key = (assessment.organisation_id, version.fv.framework_id, label)
            existing[key] = assessment.pk
            made[key] = (version, round_answers, _compute(version, round_answers))
            before = (*key[:2], rounds[r - 1])
            if r and before in made:  # what assessment_submit stores beside the scores
                comparisons.append(
                    _comparison_rows(
                        assessment, existing[before], made[key], made[before], revised.get(key[1])
                    )
                )
            lead = assessment.created_by_id
            answers.extend(
                _agreed_answer(assessment.pk, q.pk, a.state, a.level, a.target, a.confidence, lead)
                for q, a in zip(version.questions, round_answers, strict=True)
            )
            scores.extend(_score_rows(version, assessment.pk, made[key][2]))
        AgreedAnswer.objects.bulk_create(answers)
        Score.objects.bulk_create(scores)
        Comparison.objects.bulk_create([c for c, _ in comparisons])
        DimensionComparison.objects.bulk_create(row for _, rows in comparisons for row in rows)
        counts.created += len(todo)
        counts.answers += len(answers)
        counts.scores += len(scores)
        counts.created_ids.extend(a.pk for a, _, _ in todo)

    # auto_now_add and auto_now stamp "now" on insert; date the history where it belongs.
    for ids in _chunks(counts.created_ids):
        Assessment.objects.filter(pk__in=ids).update(
            created_at=F("submitted_at") - timedelta(days=42)
        )
        AgreedAnswer.objects.filter(assessment_id__in=ids).update(
            updated_at=Subquery(
                Assessment.objects.filter(pk=OuterRef("assessment_id")).values("submitted_at")[:1]
            )
        )
    if counts.created:
        fv_ids = [fv.pk for fv in (*fvs, *later)]
        # What assessment_submit keeps up to date: the latest submission that peers compare with.
        refresh_latest_submissions(framework_version_ids=fv_ids, organisation_ids=sorted(org_ids))
        peer_values_rebuild(framework_version_ids=fv_ids)
        # The demo history is a finished collection window: its figures are released.
        peer_figures_release(framework_version_ids=fv_ids, audit=False)
    return RoundsResult(
        assessments_created=counts.created,
        assessments_skipped=counts.skipped,
        answers_created=counts.answers,
        scores_created=counts.scores,
        **result,
    )


def _round_year(label: str) -> int | None:
    """The year a round ends in: 2024 for "2023/24"."""
    match = re.match(r"\s*(\d{4})", label)
    return int(match.group(1)) + 1 if match else None
