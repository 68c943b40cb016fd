"""Django's `{% url %}` tag, without reversing the same pattern again for every row of a list.

Loaded as a builtin after Django's own (settings.TEMPLATES, "builtins"), so `{% url 'x:y' obj.pk %}` in any
template is this tag. Django's reverse() tries every possibility of the name, substitutes the arguments
and checks the result against the pattern's regular expression: about 20 µs a link, 4 ms for the 200
links of the admin's list of wijken. Here a name is reversed twice with two sets of placeholder numbers;
when both come out as the same text with only the numbers changed, that text is kept, in pieces, and a
link whose arguments are all numbers is written by putting them between those pieces.

Only a name whose every pattern takes any non-negative int in each parameter is written that way: every
parameter, in the pattern and in those it is included under, is one of Django's `int`, `str`, `slug` or
`path` converters, which take any string of digits. Then a number goes to the same pattern as the
placeholders did and in the same place. A name with a regular expression's parameter (`re_path`) or a
converter of another kind anywhere in the URLconf, in any namespace, is always reversed by Django: the
placeholders passing such a pattern would not prove that every number does, or goes to the same pattern.

Everything else is left to Django's tag too: keyword arguments, an argument that is not a non-negative
int (a string, a bool, a negative number), and a name whose placeholders do not come out as the same text
with only the numbers changed. The pieces are kept per URLconf (its resolver: a test's
override_settings(ROOT_URLCONF=...) gets a new one, and empties the kept pieces), script prefix, current
app and language. tests/kpa/test_urls_tag.py checks every named pattern of KPA's URLconf against
reverse()."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import (
    NoReverseMatch,
    URLResolver,
    get_resolver,
    get_script_prefix,
    get_urlconf,
    reverse,
)
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter
from django.urls.resolvers import RoutePattern
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()

# Two sets of placeholders: long, distinct, and found nowhere else in a URL.
_FIRST = tuple(7_301_000_000_000_000_000 + n for n in range(1, 9))
_SECOND = tuple(7_302_000_000_000_000_000 + n for n in range(1, 9))


# Django's converters that take any string of digits (not a subclass: its to_url could refuse one).
_TAKE_ANY_NUMBER = (IntConverter, PathConverter, SlugConverter, StringConverter)


def _takes_any_number(pattern) -> bool:
    """Whether every parameter of this part of a route takes any non-negative int."""
    if isinstance(pattern, RoutePattern):
        return all(type(converter) in _TAKE_ANY_NUMBER for converter in pattern.converters.values())
    return not pattern.regex.groups  # a regular expression: only one without parameters


@lru_cache(maxsize=8)
def _unsafe_names(resolver: URLResolver) -> frozenset[str]:
    """The names (without their namespace) of the patterns, anywhere in the URLconf, with a parameter of
    their own or of a pattern they are included under that may refuse a number."""
    unsafe: set[str] = set()

    def walk(patterns, safe: bool) -> None:
        for entry in patterns:
            ok = safe and _takes_any_number(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, ok)
            elif entry.name and not ok:
                unsafe.add(entry.name)

    walk(resolver.url_patterns, True)
    return frozenset(unsafe)


@receiver(setting_changed)
def _forget_on_new_urlconf(*, setting: str, **kwargs) -> None:
    """A test's other URLconf gets a new resolver (so new keys); the old resolvers are let go."""
    if setting == "ROOT_URLCONF":
        _pieces.cache_clear()
        _unsafe_names.cache_clear()


def _pieces_of(url: str, placeholders: tuple[int, ...]) -> tuple[str, ...] | None:
    pieces, rest = [], url
    for number in placeholders:
        before, found, rest = rest.partition(str(number))
        if not found:
            return None
        pieces.append(before)
    pieces.append(rest)
    return tuple(pieces)


@lru_cache(maxsize=2048)
def _pieces(view_name: str, arity: int, current_app, _resolver, _prefix: str, _language) -> tuple | None:
    """The text around the arguments of `view_name` with `arity` numbers, or None (then Django reverses
    each link). The resolver is the URLconf's; it, the script prefix and the language key the cache."""
    if arity > len(_FIRST) or view_name.rpartition(":")[2] in _unsafe_names(_resolver):
        return None
    try:
        first = reverse(view_name, args=_FIRST[:arity], current_app=current_app)
        second = reverse(view_name, args=_SECOND[:arity], current_app=current_app)
    except NoReverseMatch:
        return None
    pieces = _pieces_of(first, _FIRST[:arity])
    if pieces is None or _written(pieces, _SECOND[:arity]) != second:
        return None
    return pieces


def _written(pieces: tuple[str, ...], args) -> str:
    parts = [pieces[0]]
    for arg, after in zip(args, pieces[1:], strict=True):
        parts.append(str(arg))
        parts.append(after)
    return "".join(parts)


def quick_reverse(view_name: str, args: list, current_app=None) -> str | None:
    """reverse(view_name, args=args) for arguments that are all non-negative ints, from the kept pieces;
    None when this name or these arguments are not for that (ask reverse())."""
    if not all(type(arg) is int and arg >= 0 for arg in args):
        return None
    pieces = quick_reverse_pieces(view_name, len(args), current_app)
    return None if pieces is None else _written(pieces, args)


def quick_reverse_pieces(view_name: str, arity: int, current_app=None) -> tuple[str, ...] | None:
    """The kept pieces of `view_name`'s links with `arity` numbers, for this URLconf, script prefix and
    language; None when its links are left to reverse()."""
    resolver = get_resolver(get_urlconf())
    return _pieces(view_name, arity, current_app, resolver, get_script_prefix(), get_language())


def current_app_of(context: template.Context) -> str | None:
    """The current_app a link of this template is reversed for, as Django's URLNode takes it: the
    request's, else the namespace of the view that answers the request; None without a request."""
    try:
        return context.request.current_app
    except AttributeError:
        try:
            return context.request.resolver_match.namespace
        except AttributeError:
            return None


def link(view_name: str, args: list, current_app: str | None = None) -> str:
    """reverse(view_name, args=args, current_app=current_app), from the kept pieces where they serve."""
    return quick_reverse(view_name, args, current_app) or reverse(
        view_name, args=args, current_app=current_app
    )


def link_writer(view_name: str, current_app: str | None = None) -> Callable[[int], str]:
    """`link(view_name, [number])` for the many rows of one page: the pieces are looked up once (the
    URLconf, script prefix and language are the page's), and each row's link is the number put between
    them. Anything else than a non-negative int, or a name whose links are not written from pieces, is
    left to `link`."""
    pieces = quick_reverse_pieces(view_name, 1, current_app)

    def write(number: int) -> str:
        if pieces is None or type(number) is not int or number < 0:
            return link(view_name, [number], current_app)
        return f"{pieces[0]}{number}{pieces[1]}"

    return write


class QuickURLNode(URLNode):
    def render(self, context):
        if self.kwargs:
            return super().render(context)
        args = [arg.resolve(context) for arg in self.args]
        view_name = self.view_name.resolve(context)
        current_app = current_app_of(context)
        url = quick_reverse(str(view_name), args, current_app) if isinstance(view_name, str) else None
        if url is None:
            return super().render(context)
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """Django's {% url %} (django.template.defaulttags.url), its links of numbers from kept pieces."""
    node = django_url(parser, token)
    return QuickURLNode(node.view_name, node.args, node.kwargs, node.asvar)
