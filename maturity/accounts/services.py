from django.db import transaction

from maturity.audit.services import audit_record


@transaction.atomic
def user_update_details(*, user, full_name: str) -> None:
    old = user.full_name
    user.full_name = full_name.strip()
    user.save(update_fields=["full_name"])
    if old != user.full_name:
        audit_record(
            actor=user, action="user.update", obj=user, changes={"full_name": [old, user.full_name]}
        )
