from __future__ import annotations

from django import template

from organisations import selectors
from organisations.models import AnnualDocument

register = template.Library()


@register.filter
def document_seen_version(document: AnnualDocument) -> str:
    """The version a review form carries: the document's current file as the officer sees it."""
    return selectors.document_seen_version(document)
