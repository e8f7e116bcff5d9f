from django.contrib import admin

from headway.okrs.models import Alignment, CheckIn, Cycle, Initiative, KeyResult, Objective


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin[Cycle]):
    list_display = ("name", "start", "end", "parent", "organization")
    list_filter = ("organization",)
    list_select_related = ("parent", "organization")


class AlignmentInline(admin.TabularInline[Alignment, Objective]):
    model = Alignment
    fk_name = "child"
    extra = 0
    raw_id_fields = ("parent",)


class KeyResultInline(admin.StackedInline[KeyResult, Objective]):
    model = KeyResult
    extra = 0
    raw_id_fields = ("owner", "kpi")


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin[Objective]):
    list_display = ("title", "ref", "cycle", "team", "owner", "kind", "state", "private")
    list_filter = ("organization", "cycle", "kind", "state", "private")
    search_fields = ("title", "ref")
    list_select_related = ("cycle", "team", "owner")
    raw_id_fields = ("owner",)
    inlines = (AlignmentInline, KeyResultInline)


class CheckInInline(admin.TabularInline[CheckIn, KeyResult]):
    model = CheckIn
    extra = 0
    readonly_fields = ("at", "value", "done", "confidence", "note", "author", "source")
    can_delete = False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(KeyResult)
class KeyResultAdmin(admin.ModelAdmin[KeyResult]):
    list_display = ("title", "ref", "objective", "type", "start", "target", "weight", "kpi")
    list_filter = ("organization", "type")
    search_fields = ("title", "ref")
    list_select_related = ("objective", "kpi")
    raw_id_fields = ("objective", "owner", "kpi")
    inlines = (CheckInInline,)


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin[CheckIn]):
    """Check-ins are append-only: they can be added and read, never edited or deleted."""

    list_display = ("key_result", "at", "value", "done", "confidence", "author", "source")
    list_filter = ("organization", "source")
    list_select_related = ("key_result", "author")
    raw_id_fields = ("key_result", "author")
    date_hierarchy = "at"

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin[Initiative]):
    list_display = ("title", "key_result", "status", "owner")
    list_filter = ("organization", "status")
    list_select_related = ("key_result", "owner")
    raw_id_fields = ("key_result", "owner")


@admin.register(Alignment)
class AlignmentAdmin(admin.ModelAdmin[Alignment]):
    list_display = ("child", "parent", "weight")
    list_filter = ("organization",)
    list_select_related = ("child", "parent")
    raw_id_fields = ("child", "parent")
