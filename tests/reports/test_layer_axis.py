"""The report's roadmap order and its "technology ahead of data" flag come from the framework's
own layer axis (frameworks/layers.py), not from the built-in slugs data, systems, technology."""

import dataclasses

import pytest

from frameworks.fileformat import FacetSpec, FacetValueSpec, FlagSpec
from frameworks.services import framework_version_import
from reports.report import report_context
from tests.factories import OrganisationFactory, make_spec, submit

pytestmark = pytest.mark.django_db

TIER = FacetSpec(
    slug="tier",
    name="Tier",
    values=(
        FacetValueSpec("foundations", "Foundations"),
        FacetValueSpec("platforms", "Platforms"),
        FacetValueSpec("devices", "Devices"),
    ),
    layer_axis=True,
)


def tiered(*tiers: str, flags=(), slug="tiered"):
    """A published version of one dimension whose questions, in order, are on these tiers."""
    spec = make_spec(slug=slug, dimensions=1, questions=len(tiers), with_facet=False)
    (dimension,) = spec.dimensions
    questions = tuple(
        dataclasses.replace(q, weight=1.0, tags={"tier": tier})
        for q, tier in zip(dimension.questions, tiers, strict=True)
    )
    spec = dataclasses.replace(
        spec,
        facets=(TIER,),
        dimensions=(dataclasses.replace(dimension, questions=questions),),
        flags=flags,
    )
    return framework_version_import(spec=spec, publish=True)


def test_the_roadmap_takes_equal_gaps_in_the_layer_axis_order():
    fv = tiered("devices", "platforms", "foundations")  # the file lists the foundations last
    assessment, _ = submit(OrganisationFactory(), fv, [2, 2, 2])  # equal gaps to target 5
    roadmap = report_context(assessment=assessment)["roadmap"]
    assert [item["layer"] for item in roadmap] == ["foundations", "platforms", "devices"]


def test_the_report_flags_the_most_visible_layer_running_ahead_of_the_foundations():
    # d1-q1, on the devices tier, asks how far new devices have been rolled out.
    declared = (FlagSpec("technology-ahead-of-data", questions=("d1-q1",)),)
    fv = tiered("devices", "foundations", flags=declared)
    assessment, _ = submit(OrganisationFactory(), fv, [5, 2])
    flags = report_context(assessment=assessment)["flags"]
    assert [f.message for f in flags] == [
        "New systems, automation or AI (5.0) are a level or more ahead of foundations (2.0): "
        "they have been started before foundations are ready."
    ]
    # The same answers on a framework that does not declare the flag: nothing.
    undeclared = tiered("devices", "foundations", slug="untiered")
    assessment, _ = submit(OrganisationFactory(), undeclared, [5, 2])
    assert report_context(assessment=assessment)["flags"] == []
