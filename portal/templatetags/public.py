"""The part of a public page that is the same for every visitor, kept for all of them
(`portal.public_cache`):

    {% load public %}
    {% public_content %}…the list, its filters and its pages…{% endpublic_content %}

Drawn and kept when the view is a `public_page` read with GET or HEAD; otherwise (or with
PUBLIC_PAGE_CACHE_SECONDS 0) drawn for the request. The view gives what the part reads through
`public_cache.deferred`, so that a kept part costs no query."""

from __future__ import annotations

import logging

from django import template
from django.conf import settings
from django.core.cache import caches
from django.template.base import NodeList, Parser, Token
from django.utils.safestring import SafeString, mark_safe

from portal.public_cache import KEPT, content_key

logger = logging.getLogger(__name__)
register = template.Library()

# what a form that posts always holds, as Django's {% csrf_token %} writes it (a text someone
# typed that names it is escaped, its quotes written &quot;): such a part belongs to one
# request and is never kept
FORM_THAT_POSTS = 'name="csrfmiddlewaretoken"'


class PublicContentNode(template.Node):
    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        key = content_key(context["request"]) if "request" in context else ""
        if not key:
            return mark_safe(self.nodelist.render(context))  # noqa: S308 (the template's own)
        html = caches[KEPT].get(key)
        if not isinstance(html, str):
            html = str(self.nodelist.render(context))
            if FORM_THAT_POSTS in html:
                logger.warning("a public_content part holds a CSRF token: not kept (%s)", key)
            else:
                caches[KEPT].set(key, html, settings.PUBLIC_PAGE_CACHE_SECONDS)
        # the template's own output, escaped as it was drawn
        return mark_safe(html)  # noqa: S308


@register.tag("public_content")
def do_public_content(parser: Parser, token: Token) -> PublicContentNode:
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("Usage: {% public_content %}…{% endpublic_content %}")
    nodelist = parser.parse(("endpublic_content",))
    parser.delete_first_token()
    return PublicContentNode(nodelist)
