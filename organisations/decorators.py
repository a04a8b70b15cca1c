from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from organisations.models import ConsultantGrant
from organisations.permissions import Permission
from organisations.selectors import organisation_access


def organisation_view(permission: Permission = Permission.VIEW_ORGANISATION):
    """Resolve the organisation in the URL through the one scoped selector.

    Anonymous: sign in first. Not a member: 404. Member without `permission`: 403. The view is
    called with the `Access` in place of the organisation's id.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, pk, *args, **kwargs):
            access = organisation_access(user=request.user, pk=pk).require(permission)
            return view(request, access, *args, **kwargs)

        return wrapped

    return decorator


def consultant_required(view):
    """A consultant's own tools (branding, bulk exports): people with an active client only."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not ConsultantGrant.objects.active().filter(consultant=request.user).exists():
            raise PermissionDenied(
                "Branding and bulk exports are for consultants working with client bodies."
            )
        return view(request, *args, **kwargs)

    return wrapped
