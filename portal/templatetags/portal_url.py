"""`{% url %}` for every template of the portal (a builtin, see TEMPLATES in settings): Django's
tag, but a link by row ids comes from `portal.links.reverse_ids` (the same text, without
matching the pattern anew for every row). Anything else, names with keyword arguments, ids that
are not whole numbers, goes to Django's own tag as before."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from portal import links

register = template.Library()


class IdURLNode(URLNode):
    def render(self, context: Context) -> SafeString | str:
        if self.kwargs:
            return super().render(context)
        ids = [arg.resolve(context) for arg in self.args]
        # which instance of a namespace, as Django's tag asks
        request: Any = getattr(context, "request", None)
        if hasattr(request, "current_app"):
            current_app = request.current_app
        else:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        url = links.reverse_ids(self.view_name.resolve(context), ids, current_app)
        if url is None:
            return super().render(context)
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser: Parser, token: Token) -> IdURLNode:
    node: URLNode = django_url(parser, token)
    return IdURLNode(node.view_name, node.args, node.kwargs, node.asvar)
