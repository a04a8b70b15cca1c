"""Page panels: a page of a lower app shows a part that a higher app owns, without importing it.

Imports point one way (frameworks <- organisations <- assessments <- benchmarks <- improvement
<- reports), yet the organisation page lists dashboards and the results page offers the report.
So the lower app owns a `Panels` registry for its page, and the higher app registers a panel
there from its `AppConfig.ready()`: a template, and a function giving that template's context
(or None, to show nothing). What a panel shows, and who may see it, stays in the app that owns
it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    context: Callable[..., dict | None]
    order: int


class Panels:
    """The panels of one page, drawn in `order` (then name), each with the page's context."""

    def __init__(self, page: str):
        self.page = page
        self._panels: dict[str, Panel] = {}

    def register(self, name: str, *, template: str, order: int = 100):
        """Decorate `context(request, **page_context) -> dict | None`. Registering a name again
        replaces its panel."""

        def decorator(context: Callable[..., dict | None]):
            self._panels[name] = Panel(name, template, context, order)
            return context

        return decorator

    @property
    def names(self) -> list[str]:
        return [p.name for p in sorted(self._panels.values(), key=lambda p: (p.order, p.name))]

    def render(self, request, **page_context) -> list[SafeString]:
        rendered = []
        for name in self.names:
            panel = self._panels[name]
            context = panel.context(request, **page_context)
            if context is not None:
                rendered.append(
                    render_to_string(panel.template, {**page_context, **context}, request=request)
                )
        return rendered
