from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpa.validators import validate_one_line


class UserKind(models.TextChoices):
    """What a person comes to KPA for; it decides their start page and menu. Scope comes from elsewhere:
    school staff and kernpartners from their assignments, coordinators from their gemeente or wijk."""

    SCHOOL = "school", _("School staff (IB-er, school leader)")
    KERNPARTNER = "kernpartner", _("Kernpartner")
    COORDINATOR = "coordinator", _("Coordinator")
    ADMIN = "admin", _("Administrator")


class UserManager(DjangoUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):  # type: ignore[override]
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):  # type: ignore[override]
        extra_fields.update(is_staff=True, is_superuser=True, kind=UserKind.ADMIN)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True, validators=[validate_one_line])
    last_name = models.CharField(_("last name"), max_length=150, blank=True, validators=[validate_one_line])
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    kind = models.CharField(
        _("kind of user"), max_length=20, choices=UserKind.choices, default=UserKind.SCHOOL
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
    )
    gemeente = models.ForeignKey(
        "schools.Gemeente",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinators",
        help_text=_("For coordinators: the municipality they work for."),
    )
    wijk = models.ForeignKey(
        "schools.Wijk",
        verbose_name=_("wijk"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinators",
        help_text=_("For wijk coordinators: their wijk. Empty means the whole municipality."),
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Set by kpa.services.user_deactivate, the one way a person leaves; the retention of inactive accounts
    # counts from it. anonymised_at: when kpa.anonymise replaced their name and addresses by a pseudonym.
    deactivated_at = models.DateTimeField(_("deactivated"), null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name", "email"]
        indexes = [
            # The people list of a national admin (50,000 people), a page of 50 in this order: read from the
            # index instead of sorting everyone.
            models.Index(fields=["last_name", "first_name", "email"], name="user_name_order_idx"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def is_admin(self) -> bool:
        return self.is_active and self.kind == UserKind.ADMIN

    @property
    def is_coordinator(self) -> bool:
        return self.is_active and self.kind == UserKind.COORDINATOR

    @property
    def must_use_mfa(self) -> bool:
        return self.kind in (UserKind.ADMIN, UserKind.COORDINATOR) or self.is_staff or self.is_superuser


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """An admin invites a person; the e-mailed link lets them set a password once, before it expires.
    Only a hash of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class AccessAction(models.TextChoices):
    EXPORT = "export", _("Export")
    VIEW = "view", _("View")
    INZAGE = "inzage", _("Inzage (a person's data)")


class AccessLog(models.Model):
    """Who opened or exported what. Changes are in the audit trail; this records reads of personal data
    (minutes, a school's agreements, evaluation results, every export, inzage), with the school it
    concerns and, for inzage, the person whose data it was, so an FG's question can be answered."""

    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="access_logs")
    action = models.CharField(_("action"), max_length=10, choices=AccessAction.choices)
    what = models.CharField(_("what"), max_length=100)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("school"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.ForeignKey(
        User,
        verbose_name=_("whose data"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["actor", "at"], name="accesslog_actor_idx"),
            models.Index(fields=["school", "at"], name="accesslog_school_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.what}"


# The outbox's model belongs to this app; Django finds it here.
from kpa.outbox.models import Notification  # noqa: E402, F401
