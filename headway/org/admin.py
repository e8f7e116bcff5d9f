from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from headway.org.models import Membership, Organization, Team, TeamMembership, User


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    ordering = ("email",)
    list_display = ("email", "name", "is_staff", "is_active")
    search_fields = ("email", "name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("name",)}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = ("name", "time_zone", "created_at")
    search_fields = ("name",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ("name", "parent", "organization")
    list_filter = ("organization",)
    search_fields = ("name",)
    list_select_related = ("parent", "organization")


class TeamMembershipInline(admin.TabularInline[TeamMembership, Membership]):
    model = TeamMembership
    extra = 0


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ("user", "organization", "role")
    list_filter = ("organization", "role")
    search_fields = ("user__email", "user__name")
    list_select_related = ("user", "organization")
    inlines = (TeamMembershipInline,)
