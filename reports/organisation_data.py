"""All of an organisation's data in one JSON file, for its lead: to keep, to move elsewhere, or
to answer a request for the information the service holds.

The file carries the organisation's details, its people (members, invitations, consultant
access), every assessment with every person's answers and the agreed ones (evidence, links,
rationale, who and when), the stored scores and targets, and the record of changes. Peer
figures are not the organisation's own data and are left out.

The format is versioned (`format`, `version`): within a version fields are only ever added;
removing or renaming one makes a new version. Times are ISO 8601 in UTC and lists are in a
fixed order, so two downloads of unchanged data are identical but for `exported_at`. The whole
organisation is read in a fixed number of queries (one a table, and the record of changes in
batches), however many assessments it has.
"""

import json
from datetime import UTC, date, datetime

from django.core.paginator import Paginator
from django.db import transaction
from django.utils import timezone

from assessments.models import AgreedAnswer, Answer, Assessment, Score
from improvement.selectors import organisation_actions_data
from maturity.audit.describe import Kind, actor
from maturity.audit.models import AuditEvent
from maturity.audit.services import audit_record
from organisations import audit
from organisations.models import ConsultantGrant, Invitation, Membership
from organisations.permissions import Permission
from organisations.selectors import Access

FORMAT = "maturity-organisation-export"
VERSION = 1
ACTION = "data_export.download"
DOWNLOADS = Kind("downloads", "Downloads", order=80)
RECORD_BATCH = 500


def when(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def _person(user) -> dict | None:
    return None if user is None else {"name": user.full_name, "email": user.email}


def _answer_fields(answer) -> dict:
    return {
        "dimension": answer.question.dimension.slug,
        "question": answer.question.slug,
        "question_text": answer.question.text,
        "state": answer.state,
        "level": answer.level,
        "target_level": answer.target_level,
        "evidence": answer.evidence,
        "links": answer.link_list,
        "confidence": answer.confidence,
        "carried_over": answer.carried_over,
        "version": answer.version,
        "updated_at": when(answer.updated_at),
    }


def _question_order(answer) -> tuple:
    q = answer.question
    return (q.dimension.position, q.dimension_id, q.position, q.pk)


def _organisation(access: Access) -> dict:
    organisation = access.organisation
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "code": organisation.code,
        "kind": organisation.kind,
        "region": organisation.region,
        "size_band": organisation.size_band,
        "parent_code": organisation.parent.code if organisation.parent else None,
        "created_at": when(organisation.created_at),
    }


def _people(access: Access) -> dict:
    organisation = access.organisation
    members = Membership.objects.filter(organisation=organisation).select_related("user")
    invitations = Invitation.objects.filter(organisation=organisation).select_related(
        "invited_by", "accepted_by"
    )
    grants = ConsultantGrant.objects.filter(organisation=organisation).select_related(
        "consultant", "granted_by", "revoked_by"
    )
    return {
        "members": [
            {**_person(m.user), "role": m.role, "since": when(m.created_at)}
            for m in members.order_by("user__email", "pk")
        ],
        "invitations": [
            {
                "email": i.email,
                "kind": i.kind,
                "role": i.role,
                "invited_by": _person(i.invited_by),
                "created_at": when(i.created_at),
                "expires_at": when(i.expires_at),
                "accepted_at": when(i.accepted_at),
                "accepted_by": _person(i.accepted_by),
                "revoked_at": when(i.revoked_at),
            }
            for i in invitations.order_by("created_at", "pk")
        ],
        "consultants": [
            {
                **_person(g.consultant),
                "granted_by": _person(g.granted_by),
                "granted_at": when(g.granted_at),
                "revoked_by": _person(g.revoked_by),
                "revoked_at": when(g.revoked_at),
            }
            for g in grants.order_by("granted_at", "pk")
        ],
    }


def _assessments(access: Access) -> list[dict]:
    assessments = list(
        Assessment.objects.filter(organisation=access.organisation)
        .select_related("framework_version__framework", "created_by", "submitted_by")
        .order_by("created_at", "pk")
    )
    ids = [a.pk for a in assessments]
    answers: dict[int, list] = {pk: [] for pk in ids}
    agreed: dict[int, list] = {pk: [] for pk in ids}
    scores: dict[int, list] = {pk: [] for pk in ids}
    for answer in Answer.objects.filter(assessment_id__in=ids).select_related(
        "question__dimension", "respondent"
    ):
        answers[answer.assessment_id].append(answer)
    for answer in AgreedAnswer.objects.filter(assessment_id__in=ids).select_related(
        "question__dimension", "set_by"
    ):
        agreed[answer.assessment_id].append(answer)
    for score in Score.objects.filter(assessment_id__in=ids).select_related(
        "dimension", "facet_value__facet"
    ):
        scores[score.assessment_id].append(score)
    return [
        {
            "id": a.pk,
            "framework": a.framework_version.framework.slug,
            "framework_name": a.framework_version.name,
            "framework_version": a.framework_version.version,
            "round": a.round_label,
            "status": a.status,
            "due_date": when(a.due_date),
            "carried_from": a.carried_from_id,
            "created_at": when(a.created_at),
            "created_by": _person(a.created_by),
            "submitted_at": when(a.submitted_at),
            "submitted_by": _person(a.submitted_by),
            "answers": [
                {"respondent": _person(x.respondent), **_answer_fields(x)}
                for x in sorted(
                    answers[a.pk], key=lambda x: (_question_order(x), x.respondent.email)
                )
            ],
            "agreed_answers": [
                {**_answer_fields(x), "rationale": x.rationale, "set_by": _person(x.set_by)}
                for x in sorted(agreed[a.pk], key=_question_order)
            ],
            "scores": [_score(s) for s in sorted(scores[a.pk], key=_score_order)],
        }
        for a in assessments
    ]


SCOPE_ORDER = {scope: n for n, scope in enumerate(Score.Scope.values)}


def _score_order(score: Score) -> tuple:
    dimension = score.dimension
    value = score.facet_value
    return (
        SCOPE_ORDER.get(score.scope, len(SCOPE_ORDER)),
        (dimension.position, dimension.pk) if dimension else (-1, -1),
        (value.facet.position, value.position, value.pk) if value else (-1, -1, -1),
    )


def _score(score: Score) -> dict:
    value = score.facet_value
    return {
        "scope": score.scope,
        "dimension": score.dimension.slug if score.dimension else None,
        "facet": value.facet.slug if value else None,
        "facet_value": value.slug if value else None,
        "value": score.value,
        "band": score.band_value,
        "target": score.target,
        "answered": score.answered,
        "total": score.total,
    }


def _record(access: Access) -> list[dict]:
    """The record of changes, oldest first, each change with its sentence and recorded values;
    described RECORD_BATCH events at a time, as the record's CSV is."""
    events = (
        AuditEvent.objects.filter(organisation_id=access.organisation.pk)
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    pages = Paginator(events, RECORD_BATCH)
    return [
        {
            "at": when(line.event.created_at),
            "who": line.who,
            "who_email": line.event.actor_email,
            "kind": line.kind.slug,
            "action": line.event.action,
            "object_type": line.event.object_type,
            "object_id": line.event.object_id,
            "what": line.sentence,
            "changes": line.event.changes,
        }
        for number in pages.page_range
        for line in audit.describe(pages.page(number).object_list)
    ]


def organisation_data(*, access: Access, user) -> dict:
    """Everything the organisation holds, as plain values (see the module's docstring)."""
    access.require(Permission.EXPORT_ALL_DATA)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": when(timezone.now()),
        "exported_by": _person(user),
        "organisation": _organisation(access),
        "people": _people(access),
        "assessments": _assessments(access),
        "actions": organisation_actions_data(organisation=access.organisation),
        "record_of_changes": _record(access),
    }


def organisation_data_download(*, access: Access, user) -> bytes:
    """The JSON file, and a line in the record of changes saying who downloaded it."""
    with transaction.atomic():
        data = organisation_data(access=access, user=user)
        audit_record(
            actor=user,
            action=ACTION,
            obj=access.organisation,
            changes={"format": FORMAT, "version": VERSION},
            organisation_id=access.organisation.pk,
        )
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def describe_downloads(events) -> list[str | None]:
    return [
        f"{actor(e)} downloaded all the organisation's data" if e.action == ACTION else None
        for e in events
    ]
