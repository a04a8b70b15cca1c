"""The assessments app's actions as sentences in the record of changes (maturity.audit.describe).

Registered from assessments.hooks. One describer serves answers, agreed answers and the
assessments themselves, so a batch looks up its answers, questions, assessments and scale
levels once, whatever mix of events it holds.
"""

from collections.abc import Sequence

from assessments.models import AgreedAnswer, Answer, AnswerFields, Assessment
from frameworks.models import ScaleLevel
from maturity.audit.describe import Kind, actor, listed, old_new, quoted, was
from maturity.audit.models import AuditEvent

ANSWERS = Kind("answers", "Answers", order=40)
AGREED_ANSWERS = Kind("agreed-answers", "Agreed answers", order=50)
ASSESSMENTS = Kind(
    "assessments", "Assessments started, finished answering, submitted or reopened", order=60
)
EVIDENCE = Kind("evidence-files", "Evidence files attached, removed or erased", order=55)
KINDS = {"answer": ANSWERS, "agreed_answer": AGREED_ANSWERS, "assessment": ASSESSMENTS}

ROWS = {"answer": Answer, "agreed_answer": AgreedAnswer}
OTHER_FIELDS = (
    ("evidence", "the evidence"),
    ("links", "the links to evidence"),
    ("rationale", "the rationale"),
)


def _prefix(event: AuditEvent) -> str:
    return event.action.partition(".")[0]


def describe_assessment_events(events: Sequence[AuditEvent]) -> list[str | None]:
    rows: dict[tuple[str, str], dict] = {}
    for prefix, model in ROWS.items():
        ids = [e.object_id for e in events if _prefix(e) == prefix and e.object_id.isdigit()]
        if ids:
            for row in model.objects.filter(pk__in=ids).values(
                "pk", "assessment_id", "question__text"
            ):
                rows[prefix, str(row["pk"])] = row
    assessment_ids = {row["assessment_id"] for row in rows.values()}
    assessment_ids |= {
        int(e.object_id) for e in events if _prefix(e) == "assessment" and e.object_id.isdigit()
    }
    assessments = (
        Assessment.objects.select_related("framework_version", "carried_from").in_bulk(
            assessment_ids
        )
        if assessment_ids
        else {}
    )
    levels = {}
    if rows:
        versions = {a.framework_version_id for a in assessments.values()}
        levels = {
            (level.framework_version_id, level.value): str(level)
            for level in ScaleLevel.objects.filter(framework_version_id__in=versions)
        }
    told = []
    for event in events:
        prefix = _prefix(event)
        changes = event.changes if isinstance(event.changes, dict) else {}
        if prefix in ROWS:
            row = rows.get((prefix, event.object_id))
            assessment = assessments.get(row["assessment_id"]) if row else None
            told.append(
                _answer(event, changes, row, assessment, levels, agreed=prefix == "agreed_answer")
            )
        else:
            assessment = (
                assessments.get(int(event.object_id)) if event.object_id.isdigit() else None
            )
            told.append(_assessment(event, changes, assessment))
    return told


def _title(assessment: Assessment | None) -> str:
    if assessment is None:
        return "an assessment"
    fv = assessment.framework_version
    return f"the {assessment.round_label} assessment ({fv.name} {fv.version})"


def _assessment(event, changes, assessment) -> str | None:
    who = actor(event)
    match event.action:
        case "assessment.start":
            carried = changes.get("answers_carried_over")
            sentence = f"{who} started {_title(assessment)}"
            if isinstance(carried, int) and carried > 0:
                source = assessment and assessment.carried_from
                origin = f"the {source.round_label} assessment" if source else "the last round"
                answers = "agreed answer" if carried == 1 else "agreed answers"
                sentence += f", carrying over {carried} {answers} from {origin}"
                to_check = changes.get("answers_to_check")
                if isinstance(to_check, int) and to_check > 0:
                    sentence += (
                        f", {to_check} of them to check because their questions changed"
                        if carried > 1
                        else ", to check because its question changed"
                    )
            return sentence
        case "assessment.submit":
            overall = changes.get("overall")
            scoring = f", scoring {overall} overall" if overall not in (None, "") else ""
            return f"{who} submitted {_title(assessment)}{scoring}"
        case "assessment.reopen":
            reason = " ".join(str(changes.get("reason") or "").split())
            because = f" because: {reason}" if reason else ""
            again = (
                ", asking everyone to check their answers again"
                if changes.get("asked_again")
                else ""
            )
            return f"{who} reopened {_title(assessment)}{again}{because}"
        case "assessment.finish":
            answered = changes.get("answered")
            count = f" ({answered} answered)" if isinstance(answered, int) else ""
            return f"{who} finished answering {_title(assessment)}{count}"
    return None


def _answer(event, changes, row, assessment, levels, *, agreed: bool) -> str | None:
    if event.action not in ("answer.save", "agreed_answer.save"):
        return None
    version = assessment.framework_version_id if assessment else None

    def level(value) -> str | None:
        if value is None:
            return None
        return levels.get((version, value), f"level {value}")

    def answer(state, value) -> str | None:
        if state == AnswerFields.State.LEVEL:
            return level(value)
        if state in AnswerFields.State.values:
            return AnswerFields.State(state).label
        return None

    who = actor(event)
    question = quoted(row["question__text"]) if row else "a question"
    whose = "the agreed answer" if agreed else "their answer"
    main = None
    states, values = old_new(changes, "state"), old_new(changes, "level")
    if states or values:
        # A level can only change on a levelled answer, so no state change means "level".
        old_state, new_state = states or (AnswerFields.State.LEVEL,) * 2
        old_value, new_value = values or (None, None)
        old, new = answer(old_state, old_value), answer(new_state, new_value)
        if new is None:
            main = f"{who} cleared {whose} to {question} ({was(old)})"
        elif agreed:
            how = "at" if new_state == AnswerFields.State.LEVEL else "as"
            main = f"{who} agreed {question} {how} {new} ({was(old)})"
        else:
            main = f"{who} answered {question} with {new} ({was(old)})"
    details = []
    if targets := old_new(changes, "target_level"):
        old, new = (level(v) for v in targets)
        details.append(f"the target level to {new or 'not set'} ({was(old)})")
    if confidences := old_new(changes, "confidence"):
        old, new = (
            AnswerFields.Confidence(v).label.lower()
            if v in AnswerFields.Confidence.values
            else None
            for v in confidences
        )
        details.append(f"the confidence to {new or 'not set'} ({was(old)})")
    details += [words for field, words in OTHER_FIELDS if field in changes]
    where = f" in the {assessment.round_label} assessment" if assessment else ""
    if main and details:
        return f"{main}, and changed {listed(details)}{where}"
    if main:
        return f"{main}{where}"
    if details:
        return f"{who} changed {listed(details)} for {whose} to {question}{where}"
    if "review" in changes:
        return f"{who} checked the carried-over agreed answer to {question}{where}"
    return None


def describe_evidence_events(events: Sequence[AuditEvent]) -> list[str | None]:
    """Told from what the event kept (the file may be erased since): its name, and for an
    erasure the rounds it was in."""
    ids = set()
    for event in events:
        changes = event.changes if isinstance(event.changes, dict) else {}
        ids |= {a for a in [changes.get("assessment"), *changes.get("assessments", [])] if a}
    rounds = dict(
        Assessment.objects.filter(pk__in=[i for i in ids if isinstance(i, int)]).values_list(
            "pk", "round_label"
        )
    )
    told = []
    for event in events:
        changes = event.changes if isinstance(event.changes, dict) else {}
        who, name = actor(event), quoted(str(changes.get("name") or "a file"))
        where = rounds.get(changes.get("assessment"))
        in_round = f" in the {where} assessment" if where else ""
        match event.action:
            case "evidence.attach":
                whose = "the agreed answer" if changes.get("agreed") else "their answer"
                told.append(f"{who} attached {name} to {whose}{in_round}")
            case "evidence.use_for_agreed":
                told.append(f"{who} used {name} as evidence for the agreed answer{in_round}")
            case "evidence.remove":
                deleted = ", which deleted it" if changes.get("deleted") else ""
                told.append(f"{who} removed {name} from an answer{in_round}{deleted}")
            case "evidence.erase":
                labels = [rounds[a] for a in changes.get("assessments", []) if a in rounds]
                from_rounds = f" from the {listed(labels)} assessments" if labels else ""
                told.append(f"{who} erased {name} for good{from_rounds}")
            case "evidence.prune":
                told.append(f"{who} deleted {name}, which no answer used any more")
            case _:
                told.append(None)
    return told
