"""The frame every page is drawn in (its header with the menus and the person's name and roles,
and its footer), rendered once and kept, not drawn anew on every page:

    {% load frame %}
    {% frame "header" %}…{% endframe %}

It was a tenth of an officer's list page: some forty links and translations that change only
when the person's roles, the site's settings or an organisation's name change
(`portal.person_cache`, generations "person" and "frame"). What else it shows is in the key:
the language, the page's view (the menu marks the current page), the person and their name,
and whether they are staff.

Two things in it belong to one request and are put in after: the CSRF token of the logout form
and the address the language switch returns to (`frame_path`).

A part of a page that is the same for everyone who may see it is kept the same way, under a key
its view gives (`portal.kept_parts`):

    {% kept part %}…{% endkept %}"""

from __future__ import annotations

import hashlib

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from portal import kept_parts, person_cache
from portal.kept_parts import CSRF_MARK, PATH_MARK

register = template.Library()


class FrameNode(template.Node):
    def __init__(self, name: str, nodelist: NodeList) -> None:
        self.name = name
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        request = context.get("request")
        if request is None or not person_cache.enabled():
            with context.push(frame_path=request.get_full_path() if request else ""):
                return mark_safe(self.nodelist.render(context))  # noqa: S308
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        person = (
            [user.pk, user.display_name, user.is_staff] if user and user.is_authenticated else []
        )
        vary = [self.name, get_language(), match.view_name if match else "", *person]
        key = hashlib.sha256("\x1f".join(map(str, vary)).encode()).hexdigest()

        def draw() -> str:
            with context.push(csrf_token=CSRF_MARK, frame_path=PATH_MARK):
                return str(self.nodelist.render(context))

        html = person_cache.kept(key, draw, generation=(person_cache.PERSON, person_cache.FRAME))
        # the frame is the template's own output, escaped as it was rendered
        return mark_safe(kept_parts.filled(html, request))  # noqa: S308


@register.tag("frame")
def do_frame(parser: Parser, token: Token) -> FrameNode:
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError('Usage: {% frame "name" %}…{% endframe %}')
    nodelist = parser.parse(("endframe",))
    parser.delete_first_token()
    return FrameNode(bits[1][1:-1], nodelist)


class KeptNode(template.Node):
    def __init__(self, part: FilterExpression, nodelist: NodeList) -> None:
        self.part = part
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        request = context.get("request")
        if request is None:
            return mark_safe(self.nodelist.render(context))  # noqa: S308 (the template's own)
        part = self.part.resolve(context)
        if part is not None and not isinstance(part, kept_parts.Part):
            raise TypeError("{% kept %} takes a portal.kept_parts.Part or None")

        def draw() -> str:
            with context.push(csrf_token=CSRF_MARK, frame_path=PATH_MARK):
                return str(self.nodelist.render(context))

        # the template's own output, escaped as it was drawn
        return mark_safe(kept_parts.drawn(part, request, draw))  # noqa: S308


@register.tag("kept")
def do_kept(parser: Parser, token: Token) -> KeptNode:
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("Usage: {% kept part %}…{% endkept %}")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(parser.compile_filter(bits[1]), nodelist)
