"""The layer axis: "data matters more than systems, and systems matter more than technology"
(the seeds). A framework names one facet as its layer axis (`layer_axis: true` in the file; a
facet with slug `layer` is it when none says so), and the order of that facet's values is the
roadmap order: the first value is the foundations, the last the most visible layer. The
`layer:` shorthand on a dimension in the file format tags every question in it.

Scoring's "technology ahead of data" flag and the report's roadmap (foundations first) read the
axis from the version's own data through this module, never by literal slugs.
"""

from collections.abc import Iterable
from dataclasses import dataclass

# Files written before facets could name their layer axis: a facet with this slug was it.
LEGACY_LAYER_FACET = "layer"


@dataclass(frozen=True)
class LayerAxis:
    facet: str
    # (slug, name) of each value, foundations first.
    values: tuple[tuple[str, str], ...]

    @property
    def foundations(self) -> tuple[str, str]:
        return self.values[0]

    @property
    def most_visible(self) -> tuple[str, str]:
        return self.values[-1]

    def rank(self, slug: str | None) -> int:
        """Position in roadmap order; anything else (no layer, another value) comes after."""
        slugs = [value for value, _ in self.values]
        return slugs.index(slug) if slug in slugs else len(slugs)


def layer_axis(facet: str, values: Iterable[tuple[str, str]]) -> LayerAxis | None:
    """The axis of a facet and its (slug, name) values in order; None for fewer than two
    values, which have no order to speak of."""
    values = tuple(values)
    return LayerAxis(facet=facet, values=values) if len(values) >= 2 else None


def axis_of(facets: Iterable) -> LayerAxis | None:
    """The layer axis among a version's facets: FacetSpecs, or Facet rows with their values
    fetched (`prefetch_related("values")`), in their order."""
    for facet in facets:
        if facet.layer_axis:
            values = facet.values.all() if hasattr(facet.values, "all") else facet.values
            return layer_axis(facet.slug, ((v.slug, v.name) for v in values))
    return None


# The built-in frameworks' axis, for code given no version (and for tests of the maths).
BUILT_IN = LayerAxis(
    facet=LEGACY_LAYER_FACET,
    values=(("data", "Data"), ("systems", "Systems"), ("technology", "Technology")),
)
