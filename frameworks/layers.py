"""The layer axis, named once: "data matters more than systems, and systems matter more than
technology" (the seeds). A framework that declares a facet with slug `LAYER_FACET` tags its
questions by layer with these value slugs; the `layer:` shorthand on a dimension in the file
format tags every question in it. Scoring's "technology ahead of data" flag and the report's
roadmap (data before technology) read the layer through this module, never by literal slugs.

Whether a framework file may declare its own layer axis is for the framework editor to decide
later; until then this is the one place to change.
"""

LAYER_FACET = "layer"
DATA = "data"
SYSTEMS = "systems"
TECHNOLOGY = "technology"
# Foundations first: the order in which a roadmap tackles equal gaps.
LAYER_ORDER = (DATA, SYSTEMS, TECHNOLOGY)


def layer_rank(slug: str | None) -> int:
    """Position in LAYER_ORDER; anything else (no layer, another facet value) comes after."""
    return LAYER_ORDER.index(slug) if slug in LAYER_ORDER else len(LAYER_ORDER)
