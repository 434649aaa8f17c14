from __future__ import annotations

from decimal import Decimal

from django import template

from organisations import selectors, state_aid
from organisations.models import AnnualDocument

register = template.Library()


@register.filter
def document_seen_version(document: AnnualDocument) -> str:
    """The version a review form carries: the document's current file as the officer sees it."""
    return selectors.document_seen_version(document)


@register.filter
def eur(amount: Decimal | int | None) -> str:
    """ "300 000 euro", "3 181,82 euro": an amount in euro as `|sek` writes kronor."""
    return state_aid.format_eur(amount)
