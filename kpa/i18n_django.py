"""Django's own texts in KPA's Dutch, and Dutch names for the third-party models in the admin.

Django 6.1's nl catalogue lacks some of its msgids ("- Select an option -", the admin's "Search %(name)s",
…) and says "u" where KPA says "je". KPA's catalogue (locale/nl/LC_MESSAGES/django.po) translates those
msgids, and wins over Django's own because LOCALE_PATHS come first. `makemessages --no-obsolete` keeps an
entry only while some code marks its msgid, so every such msgid is marked here; nothing in this module is
shown by itself. The admin's JavaScript texts are in djangojs.po, which makemessages leaves alone.
(kpa/i18n_allauth.py does the same for allauth's texts.)

Some third-party models have plain English strings as names (allauth's user sessions and authenticators:
"Selecteer user session om te wijzigen"), which no catalogue can translate. name_third_party_models()
gives them lazy names from the same catalogue when the apps are ready. Only the names people read
change: migrations read `Options.original_attrs` and `Field._verbose_name`, which stay as they were.
"""

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext_lazy, pgettext_lazy

# Django's msgids that KPA's catalogue translates: missing from Django's nl catalogue in 6.1, or said with
# "u" there. The month abbreviations are the `N` date format's, written the Dutch way ("5 jan. 2027").
DJANGO_MSGIDS = (
    gettext_noop("- Select an option -"),
    gettext_noop("“%(value)s” is not a valid binary value."),
    gettext_noop("No %s matches the given query."),
    gettext_noop('The app "%s" could not be found.'),
    gettext_noop(", "),
    ngettext_lazy("…and %(count)d more object.", "…and %(count)d more objects.", "count"),
    gettext_noop("Filter by %(field_name)s"),
    gettext_noop(
        "Deleting the %(object_name)s “%(escaped_object)s” would result in deleting related objects, but "
        "your account doesn't have permission to delete the following types of objects:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s “%(escaped_object)s” would require deleting the following protected "
        "related objects:"
    ),
    gettext_noop(
        "Are you sure you want to delete the %(object_name)s “%(escaped_object)s”? All of the following "
        "related items will be deleted:"
    ),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("Pagination %(name)s entries"),
    gettext_noop("Pagination %(name)s"),
    gettext_noop("Search %(name)s"),
    gettext_noop("Logout"),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "count",
    ),
    gettext_noop(
        'If you are using the <meta name="referrer" content="no-referrer"> tag or including the '
        "“Referrer-Policy: no-referrer” header, please remove them. The CSRF protection requires the "
        "“Referer” header to do strict referer checking. If you’re concerned about privacy, use "
        'alternatives like <a rel="noreferrer" …> for links to third-party sites.'
    ),
    gettext_noop(
        "If you have configured your browser to disable cookies, please re-enable them, at least for this "
        "site, or for “same-origin” requests."
    ),
    gettext_noop(
        "If you have configured your browser to disable “Referer” headers, please re-enable them, at least "
        "for this site, or for HTTPS connections, or for “same-origin” requests."
    ),
    gettext_noop(
        "ManagementForm data is missing or has been tampered with. Missing fields: %(field_names)s. You may "
        "need to file a bug report if the issue persists."
    ),
    gettext_noop(
        "You are seeing this message because this HTTPS site requires a “Referer header” to be sent by your "
        "web browser, but none was sent. This header is required for security reasons, to ensure that your "
        "browser is not being hijacked by third parties."
    ),
    gettext_noop(
        "You are seeing this message because this site requires a CSRF cookie when submitting forms. This "
        "cookie is required for security reasons, to ensure that your browser is not being hijacked by "
        "third parties."
    ),
    gettext_noop(
        "You are seeing this page because <a "
        'href="https://docs.djangoproject.com/en/%(version)s/ref/settings/#debug" target="_blank" '
        'rel="noopener">DEBUG=True</a> is in your settings file and you have not configured any URLs.'
    ),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop(
        "Are you sure you want to delete the selected %(objects_name)s? All of the following objects and "
        "their related items will be deleted:"
    ),
    gettext_noop(
        "Deleting the selected %(objects_name)s would result in deleting related objects, but your account "
        "doesn't have permission to delete the following types of objects:"
    ),
    gettext_noop(
        "Forgotten your password? Enter your email address below, and we’ll email instructions for setting "
        "a new one."
    ),
    gettext_noop(
        "If you don’t receive an email, please make sure you’ve entered the address you registered with, "
        "and check your spam folder."
    ),
    gettext_noop("In case you’ve forgotten, you are:"),
    gettext_noop(
        "Please enter your old password, for security’s sake, and then enter your new password twice so we "
        "can verify you typed it in correctly."
    ),
    gettext_noop(
        "Something’s wrong with your database installation. Make sure the appropriate database tables have "
        "been created, and make sure the database is readable by the appropriate user."
    ),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop(
        "There’s been an error. It’s been reported to the site administrators via email and should be fixed "
        "shortly. Thanks for your patience."
    ),
    gettext_noop(
        "We’ve emailed you instructions for setting your password, if an account exists with the email you "
        "entered. You should receive them shortly."
    ),
    gettext_noop(
        "You are authenticated as %(username)s, but are not authorized to access this page. Would you like "
        "to login to a different account?"
    ),
    gettext_noop("You don’t have permission to view or edit anything."),
    gettext_noop("You may edit it again below."),
    gettext_noop(
        "You're receiving this email because you requested a password reset for your user account at "
        "%(site_name)s."
    ),
    gettext_noop("Your password has been set.  You may go ahead and log in now."),
    gettext_noop("Your password was changed."),
    gettext_noop(
        "Designates whether this user should be treated as active. Unselect this instead of deleting "
        "accounts."
    ),
    gettext_noop("Your old password was entered incorrectly. Please enter it again."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "count",
    ),
    pgettext_lazy("abbrev. month", "Jan."),
    pgettext_lazy("abbrev. month", "Feb."),
    pgettext_lazy("abbrev. month", "March"),
    pgettext_lazy("abbrev. month", "April"),
    pgettext_lazy("abbrev. month", "May"),
    pgettext_lazy("abbrev. month", "June"),
    pgettext_lazy("abbrev. month", "July"),
    pgettext_lazy("abbrev. month", "Aug."),
    pgettext_lazy("abbrev. month", "Sept."),
    pgettext_lazy("abbrev. month", "Oct."),
    pgettext_lazy("abbrev. month", "Nov."),
    pgettext_lazy("abbrev. month", "Dec."),
)

# Texts of django-auditlog in the admin: it has no nl catalogue.
THIRD_PARTY_MSGIDS = (
    gettext_noop("Changes"),
    gettext_noop("Resource Type"),
    gettext_noop("Correlation ID"),
    gettext_noop("Click to filter by records with this correlation id"),
    gettext_noop("Created"),
    gettext_noop("User"),
    gettext_noop("Resource"),
    gettext_noop("Audit log: %s"),
    gettext_noop("Audit log"),  # the app's name, a heading on the admin index
    gettext_noop("create"),
    gettext_noop("update"),
    gettext_noop("delete"),
    gettext_noop("access"),
    gettext_noop("object pk"),
    gettext_noop("object id"),
    gettext_noop("object representation"),
    gettext_noop("action"),
    gettext_noop("change message"),
    gettext_noop("actor"),
    gettext_noop("remote address"),
    gettext_noop("remote port"),
    gettext_noop("timestamp"),
    gettext_noop("additional data"),
    gettext_noop("actor email"),
    gettext_noop("Created {repr:s}"),
    gettext_noop("Updated {repr:s}"),
    gettext_noop("Deleted {repr:s}"),
    gettext_noop("Logged {repr:s}"),
    gettext_noop("Field"),
    gettext_noop("To"),
    gettext_noop("Relationship"),
    gettext_noop("Action"),
    gettext_noop("Objects"),
    gettext_noop("system"),
    gettext_noop("No field changes"),
    ngettext_lazy("entry", "entries", "count"),
    gettext_noop("No log entries found."),
)

# "app_label.ModelName": (verbose_name, verbose_name_plural, {field name: verbose_name}); None keeps a name.
THIRD_PARTY_NAMES = {
    "usersessions.UserSession": (
        _("user session"),
        _("user sessions"),
        {
            "user": _("user"),
            "created_at": _("created at"),
            "ip": _("IP address"),
            "last_seen_at": _("last seen at"),
            "user_agent": _("browser"),
            "data": _("data"),
        },
    ),
    "mfa.Authenticator": (
        _("authenticator"),
        _("authenticators"),
        {
            "user": _("user"),
            "type": _("type"),
            "data": _("data"),
            "created_at": _("created at"),
            "last_used_at": _("last used at"),
        },
    ),
    "auditlog.LogEntry": (None, None, {"serialized_data": _("serialized data")}),
}


def name_third_party_models() -> None:
    """Give the models in THIRD_PARTY_NAMES their translatable names (called from KpaConfig.ready())."""
    for label, (singular, plural, fields) in THIRD_PARTY_NAMES.items():
        try:
            model = apps.get_model(label)
        except LookupError:  # the app is not installed
            continue
        if singular is not None:
            model._meta.verbose_name = singular
        if plural is not None:
            model._meta.verbose_name_plural = plural
        for name, verbose_name in fields.items():
            model._meta.get_field(name).verbose_name = verbose_name
