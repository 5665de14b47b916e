"""Signals the events app sends beside Django's own.

``events_created`` stands for the ``post_save`` of each event a bulk insert skips
(``events_create_many``): the feeds app hears of a whole batch at once.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with ``events``: the list of events just inserted together.
events_created = Signal()
