"""Django admin for the leadership models; rights in schools come from memberships alone."""

from allauth.socialaccount.models import SocialApp, SocialToken
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import versions
from .models import (
    AuditEntry,
    District,
    DistrictPriority,
    Invitation,
    Membership,
    OutboxTask,
    School,
    SchoolYear,
    User,
)


class MarksSchoolAdmin(admin.ModelAdmin):
    """An admin page over a school's data: the admin is a writer like the services, so it marks
    the school's data version itself (its inlines save within the same request, before the
    commit the mark waits for). `school_path` leads from the model to the school's id."""

    school_path = "school_id"

    def _school_ids(self, queryset) -> list[int]:
        return [pk for pk in queryset.values_list(self.school_path, flat=True) if pk is not None]

    def save_model(self, request, obj, form, change):
        before = self._school_ids(type(obj).objects.filter(pk=obj.pk)) if change else []
        super().save_model(request, obj, form, change)
        after = self._school_ids(type(obj).objects.filter(pk=obj.pk))
        versions.mark_changed(school_ids=set(before) | set(after))

    def delete_model(self, request, obj):
        school_ids = self._school_ids(type(obj).objects.filter(pk=obj.pk))
        super().delete_model(request, obj)
        versions.mark_changed(school_ids=school_ids)

    def delete_queryset(self, request, queryset):
        school_ids = self._school_ids(queryset)
        super().delete_queryset(request, queryset)
        versions.mark_changed(school_ids=school_ids)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["school"]
    fields = ["role", "district", "school", "school_year", "is_active"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "preferred_language", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "preferred_language"]
    search_fields = ["email", "full_name"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "preferred_language"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]
    filter_horizontal = ["groups"]

    # Who a school's pages count and name moves with a person's memberships and account: the
    # schools of their memberships before and after an edit (the inline saves here) are
    # marked, and those of a person deleted (leadership.signals marks saves of the account
    # alone, from the memberships there at commit).
    @staticmethod
    def _schools_of(user_ids) -> set[int]:
        return set(
            Membership.objects.filter(user_id__in=list(user_ids), school__isnull=False)
            .values_list("school_id", flat=True)
            .distinct()
        )

    def save_related(self, request, form, formsets, change):
        before = self._schools_of([form.instance.pk]) if change else set()
        super().save_related(request, form, formsets, change)
        versions.mark_changed(school_ids=before | self._schools_of([form.instance.pk]))

    def delete_model(self, request, obj):
        school_ids = self._schools_of([obj.pk])
        super().delete_model(request, obj)
        versions.mark_changed(school_ids=school_ids)

    def delete_queryset(self, request, queryset):
        school_ids = self._schools_of(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        versions.mark_changed(school_ids=school_ids)


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "grade_span", "is_active"]
    list_filter = ["district", "is_active"]
    search_fields = ["name", "slug"]
    list_select_related = ["district"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin):
    list_display = ["label", "district", "start", "end", "is_current"]
    list_filter = ["district", "is_current"]
    list_select_related = ["district"]


@admin.register(Membership)
class MembershipAdmin(MarksSchoolAdmin):
    list_display = ["user", "role", "district", "school", "school_year", "is_active"]
    list_filter = ["role", "is_active", "district"]
    search_fields = ["user__email", "user__full_name", "school__name"]
    list_select_related = ["user", "district", "school", "school_year"]
    autocomplete_fields = ["user", "school"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "role",
        "school",
        "district",
        "created_at",
        "expires_at",
        "accepted_at",
    ]
    list_filter = ["role", "district"]
    search_fields = ["email", "full_name"]
    list_select_related = ["school", "district"]
    readonly_fields = ["nonce", "sent_at", "accepted_at", "accepted_by", "revoked_at", "invited_by"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "school"]
    list_filter = ["action"]
    search_fields = ["object_id", "actor__email"]
    list_select_related = ["actor", "school"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxTask)
class OutboxTaskAdmin(admin.ModelAdmin):
    """Background work waiting for the broker, and what was handed over; read only."""

    list_display = ["task", "args", "created_at", "dispatched_at", "attempts"]
    list_filter = [("dispatched_at", admin.EmptyFieldListFilter)]
    search_fields = ["task"]
    readonly_fields = ["task", "args", "created_at", "dispatched_at", "attempts", "last_error"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DistrictPriority)
class DistrictPriorityAdmin(admin.ModelAdmin):
    list_display = ["title", "district", "school_year"]
    list_filter = ["district", "school_year"]
    search_fields = ["title"]


# Single sign-on apps are configured per district on the district's page (SignOnProvider,
# fed to allauth by leadership.sso), never as allauth's own SocialApp rows, which would be
# ignored; tokens are not stored. Linked accounts (SocialAccount) stay visible.
for _model in (SocialApp, SocialToken):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
