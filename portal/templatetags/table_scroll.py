"""A table that may be wider than the screen, in a region that scrolls and that keyboard and
screen-reader users can reach (WCAG 2.1.1, axe's `scrollable-region-focusable`):

    {% load table_scroll %}
    {% tablewrap %}
      <table class="table"><caption>…</caption>…</table>
    {% endtablewrap %}

The region is named by the table's caption (given an id here if it has none), or by the
element whose id is given: `{% tablewrap "payments-heading" %}` (several arguments are joined
into one id). A `.jinja` template wraps its table the same way with the filter:
`{% filter tablewrap("budget-heading") %}<table …>…</table>{% endfilter %}`."""

from __future__ import annotations

import re
import uuid

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

CAPTION = re.compile(r"<caption\b([^>]*)>")
ID = re.compile(r"""\bid=["']([^"']+)["']""")


def _named_by_caption(table: str) -> tuple[str, str]:
    """The table with an id on its caption, and that id ("" when there is no caption)."""
    caption = CAPTION.search(table)
    if caption is None:
        return table, ""
    existing = ID.search(caption.group(1))
    if existing:
        return table, existing.group(1)
    caption_id = f"table-{uuid.uuid4().hex[:10]}"
    tag = f'<caption id="{caption_id}"{caption.group(1)}>'
    return table[: caption.start()] + tag + table[caption.end() :], caption_id


class TableWrapNode(template.Node):
    def __init__(self, labelledby: list[FilterExpression], nodelist: NodeList) -> None:
        self.labelledby = labelledby
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        values = [part.resolve(context) for part in self.labelledby]
        return wrap_table(
            self.nodelist.render(context),
            "".join(str(value) for value in values if value not in (None, "")),
        )


@register.filter("tablewrap")
def wrap_table(table: str, labelledby: str = "") -> SafeString:
    """`table` (a template's own output, escaped as it was rendered) in the region that scrolls,
    named by `labelledby` or else by the table's caption. Text that is not a template's output
    (a value given to the filter by mistake) is escaped, never put in as markup."""
    table = conditional_escape(table)
    if not labelledby:
        table, labelledby = _named_by_caption(table)
    if not labelledby:
        raise template.TemplateSyntaxError(
            "tablewrap: the table needs a caption, or give the id of what names it."
        )
    return render_to_string(
        "components/table_scroll.html",
        {"labelledby": labelledby, "table": mark_safe(table)},  # noqa: S308
    )


@register.tag("tablewrap")
def tablewrap(parser: Parser, token: Token) -> TableWrapNode:
    bits = token.split_contents()
    nodelist = parser.parse(("endtablewrap",))
    parser.delete_first_token()
    return TableWrapNode([parser.compile_filter(bit) for bit in bits[1:]], nodelist)
