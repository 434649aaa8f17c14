"""What a grant's decision says when it is de minimis aid, and the words the de minimis check
of a grant case uses. The rules themselves (the three years, the ceilings, the declaration) are
the register's: `organisations.state_aid`; the entry in the ledger is written by
`organisations.services.aid_grant`, called by the decision (`grants.services.decisions`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisations import state_aid
from organisations.models import SGEI_REGULATIONS, AidEntry
from portal.formats import long_date
from portal.money import format_sek

if TYPE_CHECKING:
    pass

# the ledger's name for a grant case: an entry's (source_kind, source_id) is ("grants.application",
# the application's id)
SOURCE_KIND = "grants.application"

# what the call's opening was, in the refusal for want of a declaration made since then
CALL_OPENED = gettext_lazy("the call opened")


def decision_statement(entry: AidEntry) -> list[str]:
    """The statement a de minimis decision must make to the organisation (2023/2831 and
    2023/2832, Art. 6(1)), paragraph by paragraph: that the grant is de minimis aid and under
    which regulation, its amount in euro with the rate used, and what the organisation does with
    the decision. Read from the ledger's entry, so it never changes afterwards."""
    title = state_aid.regulation_title(entry.regulation)
    if entry.regulation in SGEI_REGULATIONS:
        kind = _(
            "The grant is de minimis aid to an undertaking providing a service of general economic "
            "interest (SGEI de minimis aid) under %(title)s."
        ) % {"title": title}
    else:
        kind = _("The grant is de minimis aid under %(title)s.") % {"title": title}
    amount = _(
        "The aid amounts to %(eur)s gross grant equivalent: %(sek)s converted at %(rate)s. It "
        "is granted on %(date)s, the date of the decision."
    ) % {
        "eur": state_aid.format_eur(entry.amount_eur),
        "sek": format_sek(entry.gross_grant_equivalent_sek),
        "rate": state_aid.Rate.of(entry).describe(),
        "date": long_date(entry.decided_on),
    }
    keep = _(
        "Keep this decision for ten years. When the organisation applies for other de minimis "
        "aid within three years of the decision, it must state this aid and show this decision: "
        "no undertaking may receive more de minimis aid than the ceiling over three years."
    )
    return [kind, amount, keep]
