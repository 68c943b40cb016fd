from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpaConfig(AppConfig):
    name = "kpa"
    verbose_name = _("Accounts and access")

    def ready(self) -> None:
        from django.db.models import Field, ForeignObject

        from kpa import signals  # noqa: F401
        from kpa.lookups import AnyOf, RelatedAnyOf

        Field.register_lookup(AnyOf)
        ForeignObject.register_lookup(RelatedAnyOf)
        from kpa.i18n_django import name_third_party_models

        name_third_party_models()
        from kpa import personal_data_kpa

        personal_data_kpa.register()  # what kpa (and the third-party apps it installs) holds about people
