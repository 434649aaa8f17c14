"""The case officer's assessment of an application: each criterion of the programme with its
score (or none yet), comment and who scored it, and the weighted total. Computed here only:
the officer's page, the decision maker's page, the check-the-decision page and the proposal's
refusal of an incomplete assessment all read `assessment_of`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, FilteredRelation, Q

from grants.models import Application, Criterion

MAX_SCORE = 5


@dataclass(frozen=True)
class CriterionScore:
    criterion: Criterion
    score: int | None  # None: not scored yet
    comment: str
    reviewer: str  # who scored it ("" if not scored)
    updated_at: datetime | None

    @property
    def weight(self) -> int:
        return self.criterion.weight

    @property
    def weighted(self) -> int | None:
        return None if self.score is None else self.score * self.criterion.weight


@dataclass(frozen=True)
class Assessment:
    rows: list[CriterionScore]

    @property
    def scored(self) -> list[CriterionScore]:
        return [row for row in self.rows if row.score is not None]

    @property
    def missing(self) -> list[Criterion]:
        """The criteria not scored yet, in the programme's order."""
        return [row.criterion for row in self.rows if row.score is None]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def weighted_total(self) -> int:
        """Each score times its criterion's weight, summed over the scored criteria."""
        return sum(row.weighted or 0 for row in self.rows)

    @property
    def weighted_max(self) -> int:
        """The highest weighted total the programme's criteria can give (every score 5)."""
        return sum(MAX_SCORE * row.weight for row in self.rows)

    @property
    def reviewers(self) -> list[str]:
        """Who scored, each once, in the order of the criteria."""
        return list(dict.fromkeys(row.reviewer for row in self.scored))

    @property
    def last_updated(self) -> datetime | None:
        return max((row.updated_at for row in self.scored if row.updated_at), default=None)


def assessment_of(application: Application) -> Assessment:
    """The programme's criteria with this application's scores, in one query."""
    criteria = (
        Criterion.objects.filter(programme_id=application.call.programme_id)
        .annotate(
            this_review=FilteredRelation(
                "reviews", condition=Q(reviews__application_id=application.pk)
            )
        )
        .annotate(
            review_score=F("this_review__score"),
            review_comment=F("this_review__comment"),
            review_updated_at=F("this_review__updated_at"),
            reviewer_name=F("this_review__reviewer__name"),
            reviewer_email=F("this_review__reviewer__email"),
        )
        .order_by("position", "id")
    )
    return Assessment(
        rows=[
            CriterionScore(
                criterion=criterion,
                score=criterion.review_score,
                comment=criterion.review_comment or "",
                reviewer=criterion.reviewer_name or criterion.reviewer_email or "",
                updated_at=criterion.review_updated_at,
            )
            for criterion in criteria
        ]
    )
