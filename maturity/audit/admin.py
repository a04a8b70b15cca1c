from django.contrib import admin

from maturity.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_email", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("actor_email", "object_repr", "action")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
