from __future__ import annotations

from django.conf import settings
from django.db import models


class Errand(models.Model):
    """Something a person must do by a day; `waiting` ones are listed in their digest."""

    title = models.CharField(max_length=100)
    due = models.DateField()
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    waiting = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.title
