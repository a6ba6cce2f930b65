"""The L&D lead manages people, roles and organisations here."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import Count
from django.shortcuts import redirect, render

from people import services
from people.models import Organisation, OrganisationDomain, OrganisationLog, User
from people.roles import ALL_ROLES, SUPERUSER_ONLY_APPS

# Only a superuser sees or posts these: with them anyone could make themselves all-powerful.
SUPERUSER_ONLY_USER_FIELDS = ("is_staff", "is_superuser", "user_permissions")


class ReadOnlyAdminMixin:
    """Never added, changed or deleted by hand: a record of what happened (every app's logs)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PersonCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "job_title", "organisation")


class PersonChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = PersonChangeForm
    add_form = PersonCreationForm
    list_display = ("email", "full_name", "job_title", "organisation", "roles", "is_active")
    list_filter = (
        "groups",
        "organisation__sector",
        "is_active",
        "is_staff",
        "organisation__is_partner",
    )
    search_fields = ("email", "full_name", "job_title", "organisation__name")
    ordering = ("full_name", "email")
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)
    filter_horizontal = ("groups", "user_permissions")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "job_title", "organisation")}),
        (
            "Roles",
            {"fields": ("groups",), "description": "Trainer, L&D lead, Organisation manager."},
        ),
        (
            "Access",
            {
                "fields": ("is_active", "is_staff", "is_superuser", "user_permissions"),
                "classes": ("collapse",),
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "full_name",
                    "job_title",
                    "organisation",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # A field left out of the fieldsets is left out of the form, so a posted value is ignored.
        return [
            (
                name,
                {
                    **opts,
                    "fields": [f for f in opts["fields"] if f not in SUPERUSER_ONLY_USER_FIELDS],
                },
            )
            for name, opts in fieldsets
            if any(f not in SUPERUSER_ONLY_USER_FIELDS for f in opts["fields"])
        ]

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return self.list_filter
        return [f for f in self.list_filter if f not in SUPERUSER_ONLY_USER_FIELDS]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            # The lead gives roles, nothing else a group might carry.
            kwargs["queryset"] = Group.objects.filter(name__in=ALL_ROLES)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        # Changing a superuser (their password included) is for superusers.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="Roles")
    def roles(self, obj):
        return ", ".join(g.name for g in obj.groups.all()) or "Practitioner"


class OrganisationDomainInline(admin.TabularInline):
    model = OrganisationDomain
    extra = 1


class MergeTargetForm(forms.Form):
    target = forms.ModelChoiceField(
        label="Merge the selected organisations into",
        queryset=Organisation.objects.partners(),
        empty_label="Select a partner organisation",
    )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "sector", "is_partner", "domain_list", "people_count", "created_at")
    list_filter = ("is_partner", "sector")
    search_fields = ("name", "domains__domain")
    ordering = ("name",)
    inlines = [OrganisationDomainInline]
    actions = ["merge_selected", "accept_selected"]
    readonly_fields = ("created_at",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(people_count=Count("people", distinct=True))
            .prefetch_related("domains")
        )

    @admin.display(description="People", ordering="people_count")
    def people_count(self, obj):
        return obj.people_count

    @admin.display(description="Email domains")
    def domain_list(self, obj):
        return ", ".join(d.domain for d in obj.domains.all())

    @admin.action(description="Merge selected organisations into…", permissions=["delete"])
    def merge_selected(self, request, queryset):
        form = MergeTargetForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            target = form.cleaned_data["target"]
            merged = 0
            for source in queryset.exclude(pk=target.pk):
                services.organisation_merge(source=source, target=target, actor=request.user)
                merged += 1
            self.message_user(
                request, f"Merged {merged} organisation(s) into {target}.", messages.SUCCESS
            )
            return redirect(request.get_full_path())
        return render(
            request,
            "people/admin_organisation_merge.html",
            {
                **self.admin_site.each_context(request),
                "title": "Merge organisations",
                "form": form,
                "organisations": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Accept selected as partner organisations", permissions=["change"])
    def accept_selected(self, request, queryset):
        for organisation in queryset.filter(is_partner=False):
            services.organisation_accept(organisation=organisation, actor=request.user)
        self.message_user(request, "Accepted as partner organisations.", messages.SUCCESS)


@admin.register(OrganisationDomain)
class OrganisationDomainAdmin(admin.ModelAdmin):
    list_display = ("domain", "organisation")
    list_select_related = ("organisation",)
    search_fields = ("domain", "organisation__name")
    list_filter = ("organisation__sector",)
    autocomplete_fields = ("organisation",)


@admin.register(OrganisationLog)
class OrganisationLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "action", "organisation", "actor", "detail")
    list_filter = ("action",)
    search_fields = ("detail", "organisation__name")
    list_select_related = ("organisation", "actor")
    date_hierarchy = "at"


class SuperuserOnlyWritesMixin:
    """Scheduled tasks (any function, run on the worker), groups and permissions: whatever a
    group's permissions say, only a superuser adds, changes or deletes them here."""

    def has_add_permission(self, request, *args, **kwargs):
        return request.user.is_superuser and super().has_add_permission(request, *args, **kwargs)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


def _superuser_only_writes(site: admin.AdminSite) -> None:
    # django_q and auth register their admins before this app (INSTALLED_APPS order).
    for model, model_admin in list(site._registry.items()):
        if model._meta.app_label not in SUPERUSER_ONLY_APPS:
            continue
        site.unregister(model)
        locked = type(
            f"SuperuserOnly{type(model_admin).__name__}",
            (SuperuserOnlyWritesMixin, type(model_admin)),
            {},
        )
        site.register(model, locked)


_superuser_only_writes(admin.site)
