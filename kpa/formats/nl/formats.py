"""Dutch date formats on top of Django's own (django/conf/locale/nl/formats.py), which KPA otherwise keeps.

Django's short date is "5-1-2027"; KPA's pages write a short date the Dutch way, "5 jan. 2027". The month
abbreviations come from the `N` format character, whose nl translations ("jan.", "mrt.", "mei", …) KPA's
catalogue gives (kpa/i18n_django.py), because Django's nl catalogue has them without the full stop.
"""

# "5 jan. 2027": {{ day|date:"SHORT_DATE_FORMAT" }}
SHORT_DATE_FORMAT = "j N Y"
# "5 jan. 2027 09:30"
SHORT_DATETIME_FORMAT = "j N Y H:i"
