"""One address per person: remove every address on record (allauth's EmailAddress) other than the
person's own User.email. Until now anyone signed in could add addresses of their own, which then logged
in and received password resets."""

from django.db import migrations
from django.db.models import F
from django.db.models.functions import Lower


def remove_extra_addresses(apps, schema_editor):
    EmailAddress = apps.get_model("account", "EmailAddress")
    EmailAddress.objects.annotate(address=Lower("email"), own=Lower("user__email")).exclude(
        address=F("own")
    ).delete()
    # The remaining address is the person's primary one.
    EmailAddress.objects.filter(primary=False).update(primary=True)


class Migration(migrations.Migration):
    dependencies = [
        ("kpa", "0004_user_names_are_one_line"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(remove_extra_addresses, migrations.RunPython.noop)]
