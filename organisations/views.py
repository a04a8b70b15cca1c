from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from maturity.downloads import attachment
from maturity.forms import ConfirmForm
from organisations import audit, panels, selectors, services
from organisations.decorators import organisation_view
from organisations.forms import (
    AcceptInvitationForm,
    AuditFilterForm,
    ChangeRoleForm,
    GrantConsultantForm,
    InviteMemberForm,
)
from organisations.models import Invitation, Role
from organisations.permissions import Permission


@login_required
def your_organisations(request):
    clients = list(selectors.clients_for_consultant(user=request.user))
    return render(
        request,
        "organisations/your_organisations.html",
        {
            "memberships": selectors.memberships_for_user(user=request.user),
            "clients": clients,
            "panels": panels.your_organisations_page.render(request, clients=clients),
        },
    )


@organisation_view(Permission.VIEW_ORGANISATION)
def organisation_detail(request, access):
    context = {
        "access": access,
        "organisation": access.organisation,
        "members": selectors.organisation_members(access=access),
        "panels": panels.organisation_page.render(request, access=access),
    }
    if access.can(Permission.MANAGE_PEOPLE):
        context["invitations"] = selectors.organisation_pending_invitations(access=access)
        context["grants"] = selectors.organisation_grants(access=access)
    return render(request, "organisations/organisation.html", context)


def _invite(request, access, form, *, kind: str):
    """Send a member's or a consultant's invitation from the form; one page serves both."""
    consultant = kind == Invitation.Kind.CONSULTANT
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                organisation=access.organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data.get("role", ""),
                kind=kind,
                invited_by=request.user,
                base_url=request.build_absolute_uri("/"),
            )
        except services.AlreadyThere as exc:
            form.add_error("email", str(exc))
        else:
            given = "for consultant access" if consultant else f"as {invitation.role_label.lower()}"
            messages.success(
                request,
                f"Invitation sent to {invitation.email} {given}. The link in it works for 7 days.",
            )
            return redirect(access.organisation)
    return render(
        request,
        "organisations/invite.html",
        {"access": access, "form": form, "consultant": consultant},
    )


@organisation_view(Permission.MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def invite_member(request, access):
    return _invite(
        request, access, InviteMemberForm(request.POST or None), kind=Invitation.Kind.MEMBER
    )


@organisation_view(Permission.MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def grant_consultant(request, access):
    return _invite(
        request,
        access,
        GrantConsultantForm(request.POST or None),
        kind=Invitation.Kind.CONSULTANT,
    )


@organisation_view(Permission.MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def change_role(request, access, membership_pk):
    membership = selectors.organisation_membership(access=access, pk=membership_pk)
    form = ChangeRoleForm(request.POST or None, initial={"role": membership.role})
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_change_role(
                membership=membership,
                role=form.cleaned_data["role"],
                by=request.user,
                base_url=request.build_absolute_uri("/"),
            )
        except services.LastLeadError as exc:
            form.add_error("role", str(exc))
        else:
            messages.success(
                request,
                f"{membership.user} is now a {Role(form.cleaned_data['role']).label.lower()}.",
            )
            return redirect(access.organisation)
    return render(
        request,
        "organisations/change_role.html",
        {"access": access, "membership": membership, "form": form},
    )


def _confirm(request, access, *, submit_label, title, body, act, done):
    """A destructive action behind a warning-button confirmation page (GET shows, POST acts).

    `act()` does the change and may raise LastLeadError, shown on the page; `done` is the
    success message.
    """
    form = ConfirmForm(request.POST or None, submit_label=submit_label)
    form.helper.inputs[0].field_classes = "govuk-button govuk-button--warning"
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            act()
        except services.LastLeadError as exc:
            error = str(exc)
        else:
            messages.success(request, done)
            return redirect(access.organisation)
    return render(
        request,
        "organisations/confirm.html",
        {"access": access, "form": form, "error": error, "title": title, "body": body},
    )


@organisation_view(Permission.MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def remove_member(request, access, membership_pk):
    membership = selectors.organisation_membership(access=access, pk=membership_pk)
    return _confirm(
        request,
        access,
        submit_label="Remove from organisation",
        title=f"Remove {membership.user} from {access.organisation.name}?",
        body="They will no longer be able to see or answer this organisation's assessments. "
        "Answers they have already given are kept.",
        act=lambda: services.membership_remove(membership=membership, by=request.user),
        done=f"{membership.user} was removed from the organisation.",
    )


@organisation_view(Permission.MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def revoke_invitation(request, access, invitation_pk):
    invitation = selectors.organisation_invitation(access=access, pk=invitation_pk)
    return _confirm(
        request,
        access,
        submit_label="Withdraw invitation",
        title=f"Withdraw the invitation to {invitation.email}?",
        body="The link in the email will stop working. You can invite them again later.",
        act=lambda: services.invitation_revoke(invitation=invitation, by=request.user),
        done=f"The invitation to {invitation.email} was withdrawn.",
    )


@organisation_view(Permission.MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def revoke_grant(request, access, grant_pk):
    grant = selectors.organisation_grant(access=access, pk=grant_pk)
    return _confirm(
        request,
        access,
        submit_label="Withdraw access",
        title=f"Withdraw {grant.consultant}'s access to {access.organisation.name}?",
        body="They will immediately stop seeing this organisation's assessments, results and "
        "reports. Reports they have already downloaded stay with them.",
        act=lambda: services.consultant_grant_revoke(grant=grant, by=request.user),
        done=f"{grant.consultant} no longer has access.",
    )


def _audit_filters(request, access) -> AuditFilterForm:
    return AuditFilterForm(
        request.GET,
        people=selectors.organisation_audit_people(access=access),
        kinds=audit.kind_choices(),
    )


@organisation_view(Permission.VIEW_RECORD)
@require_GET
def audit_log(request, access):
    form = _audit_filters(request, access)
    page, lines = None, []
    if form.is_valid():  # bad filters show their errors and no results, never everything
        events = selectors.organisation_audit_events(access=access, **form.filters)
        page = Paginator(events, 50).get_page(request.GET.get("page"))
        lines = audit.describe(page.object_list)
    return render(
        request,
        "organisations/audit_log.html",
        {"access": access, "form": form, "page": page, "lines": lines},
    )


@organisation_view(Permission.VIEW_RECORD)
@require_GET
def audit_csv(request, access):
    form = _audit_filters(request, access)
    if not form.is_valid():  # back to the page, which says what to fix
        url = reverse("organisations:audit_log", kwargs={"pk": access.organisation.pk})
        return redirect(f"{url}?{request.GET.urlencode()}")
    events = selectors.organisation_audit_events(access=access, **form.filters)
    response = HttpResponse(audit.record_csv(events), content_type="text/csv; charset=utf-8")
    return attachment(
        response, "record-of-changes", access.organisation.code or "organisation", extension="csv"
    )


def _invalid(request, exc):
    return render(request, "organisations/invitation_invalid.html", {"reason": str(exc)})


@never_cache  # names the invitee and their organisation: never kept by a shared cache
@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """The link in an invitation email: create an account or sign in, then join."""
    try:
        invite = services.invitation_from_token(token)
    except services.InvitationInvalid as exc:
        return _invalid(request, exc)
    user = request.user
    has_account = get_user_model().objects.filter(email__iexact=invite.email).exists()
    form = None
    if not user.is_authenticated and not has_account:
        form = AcceptInvitationForm(request.POST or None, email=invite.email)
        if request.method == "POST" and form.is_valid():
            try:
                new_user = services.account_create_for_invitation(
                    invitation=invite,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                    base_url=request.build_absolute_uri("/"),
                )
            except services.InvitationInvalid as exc:
                return render(
                    request, "organisations/invitation_invalid.html", {"reason": str(exc)}
                )
            login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome. You have joined {invite.organisation.name}.")
            return redirect(invite.organisation)
    elif user.is_authenticated and request.method == "POST":
        try:
            services.invitation_accept(
                invitation=invite, user=user, base_url=request.build_absolute_uri("/")
            )
        except services.InvitationInvalid as exc:
            return _invalid(request, exc)
        messages.success(request, f"You have joined {invite.organisation.name}.")
        return redirect(invite.organisation)
    confirm = ConfirmForm(submit_label="Accept invitation") if user.is_authenticated else None
    return render(
        request,
        "organisations/invitation.html",
        {
            "invitation": invite,
            "form": form,
            "confirm": confirm,
            "has_account": has_account,
            "email_matches": user.is_authenticated and user.email.lower() == invite.email,
            "sign_in_url": f"{reverse('accounts:login')}?next={request.path}",
        },
    )
