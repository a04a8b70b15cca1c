"""Platform admins manage organisations and peer groups here. People's access is managed by
each organisation's leads in the service itself, so memberships and grants are read-only here."""

from django.contrib import admin
from django.forms.models import model_to_dict

from maturity.audit.services import audit_record
from organisations.models import (
    CLASSIFYING_FIELDS,
    ConsultantGrant,
    Invitation,
    Membership,
    Organisation,
    PeerGroup,
)
from organisations.signals import organisations_reclassified, peer_groups_changed


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region", "code", "size_band")
    list_filter = ("kind", "region", "size_band")
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change):
        before = model_to_dict(Organisation.objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        after = model_to_dict(obj)
        if change and any(before[f] != after[f] for f in CLASSIFYING_FIELDS):
            organisations_reclassified.send(sender=Organisation, organisation_ids=[obj.pk])
        audit_record(
            actor=request.user,
            action="organisation.update" if change else "organisation.create",
            obj=obj,
            changes={
                k: [before.get(k), v] for k, v in after.items() if before.get(k) != v and k != "id"
            },
            organisation_id=obj.pk,
        )

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PeerGroup)
class PeerGroupAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)
    autocomplete_fields = ("organisations",)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Membership changed: the group's peer figures must follow (benchmarks listens).
        peer_groups_changed.send(sender=PeerGroup, peer_group=form.instance)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "organisation", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "organisation__name")


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ("email", "organisation", "kind", "role", "created_at", "accepted_at")
    search_fields = ("email", "organisation__name")


@admin.register(ConsultantGrant)
class ConsultantGrantAdmin(ReadOnlyAdmin):
    list_display = ("consultant", "organisation", "granted_at", "revoked_at")
    search_fields = ("consultant__email", "organisation__name")
