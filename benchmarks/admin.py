"""Platform admins see when each peer group's figures were last released, and release a
framework version's figures at the end of a collection window."""

from django.contrib import admin, messages

from benchmarks.models import PeerRelease
from benchmarks.services import peer_figures_release


@admin.register(PeerRelease)
class PeerReleaseAdmin(admin.ModelAdmin):
    list_display = ("framework_version", "group_key", "released_at", "changes_waiting")
    list_filter = ("framework_version",)
    search_fields = ("group_key",)
    fields = ("framework_version", "group_key", "released_at")
    readonly_fields = fields
    actions = ["release_versions"]

    @admin.display(description="Submissions waiting")
    def changes_waiting(self, obj):
        return len(obj.pending)

    @admin.action(description="Release all figures of the selected groups' framework versions")
    def release_versions(self, request, queryset):
        versions = set(queryset.values_list("framework_version_id", flat=True))
        groups = peer_figures_release(framework_version_ids=versions, user=request.user)
        self.message_user(
            request,
            f"Released {groups} peer groups' figures for {len(versions)} framework version(s).",
            messages.SUCCESS,
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
