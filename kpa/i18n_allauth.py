"""allauth's texts in KPA's Dutch.

allauth's nl catalogue says "je" nearly everywhere, but "a.u.b." (the "u" form of please) and "contact us"
in the texts of its password-reset and verification pages, one of which also speaks of a verification
mail where a reset mail was sent. KPA's catalogue (locale/nl/LC_MESSAGES/django.po) translates these
msgids anew, with "je" and the administrator of the gemeente to turn to, and wins over allauth's because
LOCALE_PATHS come first. `makemessages --no-obsolete` keeps an entry only while some code marks its
msgid, so every such msgid is marked here; nothing in this module is shown by itself. (The msgids of
allauth's templates that KPA overrides in templates/mfa and templates/account are marked by those
templates; kpa/i18n_django.py does the same for Django's own texts.)
"""

from django.utils.translation import gettext_noop

ALLAUTH_MSGIDS = (
    # templates/account/password_reset.html
    gettext_noop("Please contact us if you have any trouble resetting your password."),
    # templates/account/password_reset_done.html
    gettext_noop(
        "We have sent you an email. If you have not received it please check your spam folder. Otherwise "
        "contact us if you do not receive it in a few minutes."
    ),
    # templates/account/verification_sent.html
    gettext_noop(
        "We have sent an email to you for verification. Follow the link provided to finalize the signup "
        "process. If you do not see the verification email in your main inbox, check your spam folder. "
        "Please contact us if you do not receive the verification email within a few minutes."
    ),
    # templates/account/verified_email_required.html
    gettext_noop(
        "We have sent an email to you for\nverification. Please click on the link inside that email. If you "
        "do not see the verification email in your main inbox, check your spam folder. Otherwise\ncontact "
        "us if you do not receive it within a few minutes."
    ),
)
