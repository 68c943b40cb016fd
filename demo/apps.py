from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and national-scale data (`seed_demo`, `seed_scale`): the top layer, which may import every app
    and which no app imports."""

    name = "demo"
