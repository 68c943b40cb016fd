import allauth.mfa.admin  # noqa: F401  (registers allauth's Authenticator admin, replaced below)
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.admin import UserSessionAdmin as AllauthUserSessionAdmin
from allauth.usersessions.models import UserSession
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kpa import admin_auditlog  # noqa: F401  (the audit trail's admin, in Dutch)
from kpa.models import Invitation, User
from kpa.services import user_deactivate


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["last_name", "first_name", "email"]
    list_display = ["email", "first_name", "last_name", "kind", "organisation", "is_active"]
    list_filter = ["kind", "is_active", "is_staff", "organisation"]
    search_fields = ["email", "first_name", "last_name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "phone", "organisation")}),
        (_("Role and scope"), {"fields": ("kind", "gemeente", "wijk")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "kind", "password1", "password2")}),)

    actions = ["deactivate"]

    def save_model(self, request, obj, form, change):
        """An administrator is the one who changes a person's address: the old one stops logging in and
        stops receiving password resets at once (allauth logs in with any address it has on record).

        Unticking "active" deactivates the person through kpa.services.user_deactivate, the one way to
        (their seats end as of today, their sessions end, their mail stops), not by the field alone.
        Ticking it again switches the account back on; their seats are not given back."""
        toggled = change and "is_active" in form.changed_data
        leaving = toggled and not obj.is_active
        if leaving and obj.pk == request.user.pk:  # it would end the session that is saving it
            obj.is_active, toggled, leaving = True, False, False
            self.message_user(
                request, _("You cannot deactivate yourself: ask another administrator."), messages.WARNING
            )
        if toggled and not leaving and obj.anonymised_at is not None:  # no account for a pseudonym
            obj.is_active, toggled = False, False
            self.message_user(
                request,
                _("This account was anonymised and cannot be switched on again: invite the person anew."),
                messages.WARNING,
            )
        with transaction.atomic():
            if leaving:
                obj.is_active = True  # the service switches it off, with everything that goes with it
            elif toggled:
                obj.deactivated_at = None
            super().save_model(request, obj, form, change)
            if change and "email" in form.changed_data:
                user_email_replace(obj)
            if leaving:
                user_deactivate(user=obj, by=request.user)

    @admin.action(description=_("Deactivate selected people"), permissions=["change"])
    def deactivate(self, request, queryset):
        """Each through kpa.services.user_deactivate; the administrator's own account is left alone."""
        done = 0
        for person in queryset.filter(is_active=True).exclude(pk=request.user.pk).order_by("pk"):
            user_deactivate(user=person, by=request.user)
            done += 1
        if queryset.filter(pk=request.user.pk, is_active=True).exists():
            self.message_user(
                request, _("You cannot deactivate yourself: ask another administrator."), messages.WARNING
            )
        self.message_user(
            request,
            ngettext("%(count)d person deactivated.", "%(count)d people deactivated.", done)
            % {"count": done},
            messages.SUCCESS,
        )


def user_email_replace(user: User) -> None:
    """The person's one address on record (allauth's EmailAddress) becomes their User.email."""
    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).delete()
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"primary": True})


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["user", "created_by", "created_at", "expires_at", "accepted_at"]
    list_select_related = ["user", "created_by"]
    readonly_fields = ["user", "token_hash", "created_by", "created_at", "expires_at", "accepted_at"]


if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    """Who has which second factor, never its secret (allauth's own admin shows and edits the data). An
    administrator can remove a lost authenticator, after which the person sets up a new one; nothing else."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__last_name"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


if admin.site.is_registered(UserSession):
    admin.site.unregister(UserSession)


@admin.register(UserSession)
class UserSessionAdmin(AllauthUserSessionAdmin):
    """Sessions come from signing in, never from a form: an administrator reads them and may end one
    (delete), but adds none and edits none (allauth's admin offered "Toevoegen")."""

    fields = ["user", "created_at", "last_seen_at", "ip", "user_agent"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False
