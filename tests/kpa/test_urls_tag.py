"""kpa.templatetags.kpa_urls: the `{% url %}` tag writes exactly what Django's writes, for every named
pattern of KPA's URLconf, and leaves to Django what it cannot write from kept pieces."""

import pytest
from django.template import Context, Engine, TemplateSyntaxError
from django.test import override_settings
from django.urls import (
    NoReverseMatch,
    get_resolver,
    include,
    path,
    re_path,
    register_converter,
    reverse,
    set_script_prefix,
)

from kpa.templatetags import kpa_urls


def _names_and_arities():
    """(name, number of arguments) of every named pattern, with its namespaces."""
    found = set()

    def walk(resolver, namespace):
        for name, possibilities in resolver.reverse_dict.lists():
            if not isinstance(name, str):
                continue
            for possibility in possibilities:
                for _text, params in possibility[0]:
                    found.add((f"{namespace}{name}", len(params)))
        for ns, (_prefix, sub) in resolver.namespace_dict.items():
            walk(sub, f"{namespace}{ns}:")

    walk(get_resolver(), "")
    return sorted(found)


def _reversed(name, args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def test_every_named_pattern_comes_out_as_reverse_gives_it():
    names = _names_and_arities()
    assert ("manage:wijk-detail", 1) in names and ("kpa:home", 0) in names  # the walk found them
    quick = 0
    for name, arity in names:
        for args in ([0] * arity, [7] * arity, list(range(1, arity + 1)), [10**12] * arity):
            written = kpa_urls.quick_reverse(name, args)
            if written is not None:
                quick += 1
                assert written == _reversed(name, args), (name, args)
    assert quick > 100  # most links are written from pieces


@pytest.mark.parametrize("args", [["brin"], [True], [-1], [1.0], [None]])
def test_arguments_that_are_not_non_negative_ints_are_left_to_reverse(args):
    assert kpa_urls.quick_reverse("manage:wijk-detail", args) is None


def _urlconf(*patterns):
    return type("urls", (), {"urlpatterns": list(patterns)})


def _view(request, **kwargs):
    return None


class EvenOnly:
    """A converter of our own: it refuses odd numbers when a link is made."""

    regex = "[0-9]+"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        if value % 2:
            raise ValueError("odd")
        return str(value)


register_converter(EvenOnly, "even")


@pytest.mark.parametrize(
    "patterns",
    [
        # four digits: the placeholders are refused, and so would be a year of five
        [re_path(r"^year/(?P<year>[0-9]{4})/$", _view, name="x")],
        # the placeholders pass, 0 does not
        [re_path(r"^n/(?P<n>[1-9][0-9]*)/$", _view, name="x")],
        # one name, two patterns: the placeholders go to the second, a year to the first
        [
            re_path(r"^a/(?P<n>[0-9]{4})/$", _view, name="x"),
            path("b/<int:n>/", _view, name="x"),
        ],
        # a converter of another kind, in the pattern or in the one it is included under
        [path("e/<even:n>/", _view, name="x")],
        [path("e/<even:group>/", include([path("<int:n>/", _view, name="x")]))],
        [re_path(r"^(?P<n>[0-9]{2})/", include([path("", _view, name="x")]))],
    ],
)
def test_a_name_that_may_refuse_or_reroute_a_number_is_left_to_reverse(patterns):
    """Whatever the placeholders do, a name with a parameter that may refuse a number (or send it to
    another pattern) is reversed by Django, link by link."""
    with override_settings(ROOT_URLCONF=_urlconf(*patterns)):
        for args in ([2026], [0], [5], [20266]):
            assert kpa_urls.quick_reverse("x", args) is None
            rendered = Engine.get_default().from_string("{% url 'x' n as link %}{{ link }}")
            assert rendered.render(Context({"n": args[0]})) == (_reversed("x", args) or "")


def test_a_name_is_refused_in_every_namespace_where_it_may_refuse_a_number():
    patterns = [
        path("a/", include(([path("<int:n>/", _view, name="x")], "a"))),
        path("b/", include(([re_path(r"^(?P<n>[1-9][0-9]*)/$", _view, name="x")], "b"))),
        path("c/", include(([path("<int:n>/", _view, name="y")], "c"))),
    ]
    with override_settings(ROOT_URLCONF=_urlconf(*patterns)):
        assert kpa_urls.quick_reverse("a:x", [3]) is None
        assert kpa_urls.quick_reverse("c:y", [0]) == "/c/0/"


def test_another_urlconf_or_script_prefix_is_not_answered_from_the_kept_pieces():
    assert kpa_urls.quick_reverse("manage:wijk-detail", [5]) == reverse("manage:wijk-detail", args=[5])
    module = type("urls", (), {"urlpatterns": [path("w/<int:pk>/", lambda r, pk: None, name="wijk")]})
    with override_settings(ROOT_URLCONF=module):
        assert kpa_urls.quick_reverse("wijk", [5]) == "/w/5/"
        assert kpa_urls.quick_reverse("manage:wijk-detail", [5]) is None
    set_script_prefix("/kpa/")
    try:
        assert kpa_urls.quick_reverse("manage:wijk-detail", [5]) == reverse("manage:wijk-detail", args=[5])
        assert kpa_urls.quick_reverse("manage:wijk-detail", [5]).startswith("/kpa/")
    finally:
        set_script_prefix("/")


def test_the_tag_renders_what_djangos_tag_renders():
    from django.template import defaulttags

    engine = Engine.get_default()
    sources = [
        "{% url 'manage:wijk-detail' pk %}",
        "{% url 'meetings:agreement-update' pk other %}",
        "{% url 'kpa:home' %}",
        "{% url 'manage:wijk-detail' pk as link %}[{{ link }}]",
        "{% url 'manage:wijk-detail' pk=pk %}",
        "{% url name pk %}",
        "{% url 'nothing-of-this-name' pk as link %}[{{ link }}]",
        "{% autoescape off %}{% url 'kpa:home' %}{% endautoescape %}",
    ]
    context = {"pk": 12, "other": 3, "name": "manage:wijk-update"}
    for source in sources:
        ours = engine.from_string(source)
        nodes = ours.nodelist.get_nodes_by_type(defaulttags.URLNode)
        assert nodes and all(isinstance(node, kpa_urls.QuickURLNode) for node in nodes), source
        reference = Engine().from_string(source)  # Django's builtins only: its own tag
        assert ours.render(Context(context)) == reference.render(Context(context)), source
    with pytest.raises(NoReverseMatch):
        engine.from_string("{% url 'nothing-of-this-name' pk %}").render(Context(context))
    with pytest.raises(TemplateSyntaxError):
        engine.from_string("{% url %}")


def test_a_link_writer_writes_what_reverse_gives():
    """link_writer: the pieces of one name looked up once for a page's many rows; any other argument than
    a non-negative int, or a name written by reverse(), goes to reverse() as before."""
    write = kpa_urls.link_writer("schools:detail")
    for number in (0, 7, 10**12):
        assert write(number) == reverse("schools:detail", args=[number])
    with pytest.raises(NoReverseMatch):
        write(-1)
    assert write("12") == reverse("schools:detail", args=["12"])
    with pytest.raises(NoReverseMatch):
        write(True)  # a bool is not a number here: reverse() refuses it, as before
    looked_up = kpa_urls._pieces.cache_info()
    assert [write(n) for n in (1, 2, 3)] == [reverse("schools:detail", args=[n]) for n in (1, 2, 3)]
    assert kpa_urls._pieces.cache_info() == looked_up  # the pieces were looked up once, by link_writer
    with override_settings(ROOT_URLCONF=_urlconf(path("e/<even:n>/", _view, name="even"))):
        write_even = kpa_urls.link_writer("even")
        assert write_even(4) == "/e/4/"
        with pytest.raises(NoReverseMatch):
            write_even(3)  # the converter refuses it: reverse() said so, not the pieces
