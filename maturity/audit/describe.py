"""Audit events told as sentences people read, by the app that owns each action.

The record of changes is drawn by `organisations`, yet answers and submissions belong to
`assessments`, which organisations may not import. So this module owns the registry, and each
app registers, per action prefix ("membership", "answer"), the kind of change it is and a
function that turns a batch of its events into sentences. A describer loads the names it needs
(people, questions, assessments) for the whole batch at once, so a page of fifty events costs
the same queries as a page of one. An action nobody registered still reads as a plain sentence.

The registrations are also the one place that says which actions make up each kind of change,
for the filters as much as for the "Kind" column.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import prefetch_related_objects
from django.db.models.functions import Lower

from maturity.audit.models import AuditEvent

QUESTION_LENGTH = 50
SERVICE = "The service"


@dataclass(frozen=True)
class Kind:
    """A kind of change a person filters by: `slug` for the address, `label` for people."""

    slug: str
    label: str
    order: int = 100


OTHER = Kind("other", "Other", order=1000)

# Sentences for `events`, in the same order; None for one it cannot tell (the plain sentence
# is used instead).
Describer = Callable[[Sequence[AuditEvent]], Sequence[str | None]]


@dataclass(frozen=True)
class Line:
    """One event as the record shows it."""

    event: AuditEvent
    who: str
    kind: Kind
    sentence: str


def prefix_of(action: str) -> str:
    return action.partition(".")[0]


class Describers:
    def __init__(self):
        self._registered: dict[str, tuple[Kind, Describer]] = {}

    def register(self, prefix: str, *, kind: Kind, describe: Describer) -> None:
        """Describe the actions `<prefix>.*` with `describe`, as changes of `kind`. Prefixes
        sharing one function are described in one call, so they can share their look-ups.
        Registering a prefix again replaces it."""
        self._registered[prefix] = (kind, describe)

    def kinds(self) -> list[Kind]:
        unique = {kind.slug: kind for kind, _ in self._registered.values()}
        return sorted(unique.values(), key=lambda k: (k.order, k.label))

    def kind_of(self, action: str) -> Kind:
        registered = self._registered.get(prefix_of(action))
        return registered[0] if registered else OTHER

    def prefixes(self, kind_slug: str) -> list[str]:
        """The action prefixes that make up a kind of change."""
        return sorted(p for p, (kind, _) in self._registered.items() if kind.slug == kind_slug)

    def describe(self, events: Iterable[AuditEvent]) -> list[Line]:
        events = list(events)
        prefetch_related_objects(events, "actor")  # nothing to do if already joined
        batches: dict[Describer, list[AuditEvent]] = {}
        for event in events:
            registered = self._registered.get(prefix_of(event.action))
            if registered:
                batches.setdefault(registered[1], []).append(event)
        sentences: dict[int, str | None] = {}
        for describe, batch in batches.items():
            told = list(describe(batch))
            if len(told) != len(batch):
                raise ValueError(f"{describe.__qualname__} told {len(told)} of {len(batch)}")
            sentences.update(zip((id(e) for e in batch), told, strict=True))
        return [
            Line(
                event=event,
                who=actor(event),
                kind=self.kind_of(event.action),
                sentence=sentences.get(id(event)) or plain_sentence(event),
            )
            for event in events
        ]


describers = Describers()


# --- Helpers for describers -------------------------------------------------------------------


def person(user) -> str:
    """How the record names someone: their full name, else their email address."""
    return (user.full_name or "").strip() or user.email


def actor(event: AuditEvent) -> str:
    """Who made the change, even if their account has since gone."""
    if event.actor is not None:
        return person(event.actor)
    return event.actor_email or SERVICE


def people_by_email(emails: Iterable[str]) -> dict[str, str]:
    """{lower-cased email: name} for the people with accounts, in one query; others are absent."""
    wanted = {e.lower() for e in emails if isinstance(e, str) and e}
    if not wanted:
        return {}
    users = (
        get_user_model()
        .objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=wanted)
        .only("email", "full_name")
    )
    return {u.email.lower(): person(u) for u in users}


def shorten(text: str, limit: int = QUESTION_LENGTH) -> str:
    """Long text cut at a word, with an ellipsis, so a sentence stays readable."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:-\u2013") + "\u2026"


def quoted(text: str) -> str:
    return f"'{shorten(text)}'"


def was(old: str | None) -> str:
    return f"was {old}" if old not in (None, "") else "was not set"


def article(noun: str) -> str:
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


def listed(parts: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    parts = list(parts)
    if len(parts) < 2:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def old_new(changes: dict, field: str) -> tuple[object, object] | None:
    """The [old, new] pair a service recorded for a field, or None if it is not a pair."""
    value = changes.get(field)
    if isinstance(value, list | tuple) and len(value) == 2:
        return value[0], value[1]
    return None


PAST = {
    "create": "added",
    "update": "changed",
    "delete": "deleted",
    "remove": "removed",
    "save": "saved",
    "revoke": "withdrew",
    "accept": "accepted",
    "submit": "submitted",
    "reopen": "reopened",
    "start": "started",
    "publish": "published",
    "retire": "retired",
    "import": "imported",
}


def plain_sentence(event: AuditEvent) -> str:
    """For an action no app describes: who, and what in words, never the recorded values."""
    thing, _, verb = event.action.partition(".")
    thing = thing.replace("_", " ").strip() or "record"
    verb = verb.replace("_", " ").replace(".", " ").strip()
    if verb in PAST:
        return f"{actor(event)} {PAST[verb]} {article(thing)}"
    return f"{actor(event)} made a change: {thing} {verb}".rstrip()
