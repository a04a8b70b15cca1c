"""Framework editors edit drafts here. Published and retired versions are read-only.

Every save goes through services.framework_version_content_save, which refuses anything
that is not a draft, so the rule holds even if a permission check were missed.
"""

from django.contrib import admin, messages

from frameworks import services
from frameworks.models import (
    Dimension,
    Facet,
    FacetValue,
    Framework,
    FrameworkVersion,
    Question,
    QuestionLevel,
    ScaleLevel,
)


def _version_of(obj) -> FrameworkVersion | None:
    if obj is None:
        return None
    if isinstance(obj, FrameworkVersion):
        return obj
    if isinstance(obj, ScaleLevel | Facet | Dimension):
        return obj.framework_version
    if isinstance(obj, FacetValue):
        return obj.facet.framework_version
    if isinstance(obj, Question):
        return obj.dimension.framework_version
    if isinstance(obj, QuestionLevel):
        return obj.question.dimension.framework_version
    raise TypeError(obj)


class DraftOnlyMixin:
    """Change, add and delete only while the object's version is a draft."""

    def _is_draft(self, obj) -> bool:
        version = _version_of(obj)
        return version is None or version.is_draft

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._is_draft(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._is_draft(obj)


class DraftOnlyInline(DraftOnlyMixin):
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._is_draft(obj)


class ScaleLevelInline(DraftOnlyInline, admin.TabularInline):
    model = ScaleLevel
    extra = 0


class FacetInline(DraftOnlyInline, admin.TabularInline):
    model = Facet
    extra = 0
    show_change_link = True


class DimensionInline(DraftOnlyInline, admin.TabularInline):
    model = Dimension
    extra = 0
    fields = ("position", "slug", "name", "weight")
    show_change_link = True


class QuestionInline(DraftOnlyInline, admin.StackedInline):
    model = Question
    extra = 0
    fields = ("position", "slug", "text", "weight")
    show_change_link = True


class QuestionLevelInline(DraftOnlyInline, admin.TabularInline):
    model = QuestionLevel
    extra = 0


class FacetValueInline(DraftOnlyInline, admin.TabularInline):
    model = FacetValue
    extra = 0


class ServiceSaveMixin:
    """Route every admin write through the draft guard and the audit log."""

    def save_model(self, request, obj, form, change):
        services.framework_version_content_save(
            instance=obj, framework_version=_version_of(obj), user=request.user
        )

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.framework_version_ensure_draft(framework_version=_version_of(obj))
            obj.delete()
        for instance in instances:
            services.framework_version_content_save(
                instance=instance, framework_version=_version_of(instance), user=request.user
            )
        formset.save_m2m()

    def delete_model(self, request, obj):
        services.framework_version_ensure_draft(framework_version=_version_of(obj))
        super().delete_model(request, obj)


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    readonly_fields = ("slug",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(ServiceSaveMixin, DraftOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "version", "status", "published_at")
    list_filter = ("status", "framework")
    fields = ("framework", "version", "name", "status", "description", "scoring", "source")
    readonly_fields = ("framework", "version", "status")
    inlines = [ScaleLevelInline, FacetInline, DimensionInline]
    actions = ["publish_selected"]

    def has_add_permission(self, request):
        # New versions come from the "new framework", "new draft" and upload pages.
        return False

    def save_model(self, request, obj, form, change):
        services.framework_version_content_save(
            instance=obj, framework_version=obj, user=request.user
        )

    @admin.action(description="Publish selected drafts")
    def publish_selected(self, request, queryset):
        for version in queryset:
            try:
                services.framework_version_publish(framework_version=version, user=request.user)
            except services.FrameworkVersionFrozen as exc:
                self.message_user(request, str(exc), messages.WARNING)
            except services.FrameworkVersionIncomplete as exc:
                self.message_user(
                    request,
                    f"{version} was not published: {'; '.join(exc.problems)}",
                    messages.ERROR,
                )
            else:
                self.message_user(request, f"{version} is published.", messages.SUCCESS)


@admin.register(Dimension)
class DimensionAdmin(ServiceSaveMixin, DraftOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "framework_version", "weight", "position")
    list_filter = ("framework_version__framework", "framework_version__status")
    search_fields = ("name", "slug")
    inlines = [QuestionInline]

    def get_readonly_fields(self, request, obj=None):
        return ("framework_version",) if obj else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "framework_version":
            kwargs["queryset"] = FrameworkVersion.objects.filter(
                status=FrameworkVersion.Status.DRAFT
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Question)
class QuestionAdmin(ServiceSaveMixin, DraftOnlyMixin, admin.ModelAdmin):
    list_display = ("text", "dimension", "weight")
    list_filter = ("dimension__framework_version__framework",)
    search_fields = ("text", "slug")
    filter_horizontal = ("tags",)
    inlines = [QuestionLevelInline]

    def get_readonly_fields(self, request, obj=None):
        return ("dimension",) if obj else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "dimension":
            kwargs["queryset"] = Dimension.objects.filter(
                framework_version__status=FrameworkVersion.Status.DRAFT
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Facet)
class FacetAdmin(ServiceSaveMixin, DraftOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "framework_version")
    inlines = [FacetValueInline]

    def get_readonly_fields(self, request, obj=None):
        return ("framework_version",) if obj else ()
