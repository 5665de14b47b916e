"""RSS and Atom feeds of the events newly added to a campaign's programme.

An event joins a campaign's public programme when it is approved (or, in a campaign
without moderation, when it is published): the feed lists the latest ones first, for
news readers, partner sites and newsletters.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from backend.links import absolute_url
from events.models import Campaign, Event, EventStatus, Moderation
from web.templatetags.essaim_dates import longdate

LATEST = 50


def newly_in_campaign(campaign: Campaign) -> QuerySet[Event]:
    return (Event.objects.filter(campaign=campaign, status=EventStatus.PUBLISHED,
                                 moderation=Moderation.APPROVED)
            .select_related("organization")
            .annotate(joined_at=Coalesce("moderated_at", "created_at"))
            .order_by("-joined_at", "-id")[:LATEST])


class CampaignNewEvents(Feed):
    def get_object(self, request, slug: str) -> Campaign:
        return get_object_or_404(Campaign, slug=slug)

    def title(self, obj: Campaign) -> str:
        return _("%(title)s : nouveaux événements") % {"title": obj.title}

    def link(self, obj: Campaign) -> str:
        return absolute_url(reverse("web:campaign", args=[obj.slug]))

    def description(self, obj: Campaign) -> str:
        return _("Les derniers événements ajoutés au programme de %(title)s.") % {"title": obj.title}

    def items(self, obj: Campaign) -> QuerySet[Event]:
        return newly_in_campaign(obj)

    def item_title(self, item: Event) -> str:
        return item.title

    def item_description(self, item: Event) -> str:
        lines = [longdate(item.starts_at, item.time_zone), item.organization.name]
        if item.address:
            lines.append(item.address)
        if item.description:
            lines.append(item.description[:500])
        return "\n".join(lines)

    def item_link(self, item: Event) -> str:
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item: Event) -> str:
        return absolute_url(item.get_absolute_url())

    def item_pubdate(self, item: Event) -> datetime:
        return item.joined_at  # type: ignore[attr-defined]

    def item_updateddate(self, item: Event) -> datetime:
        return item.updated_at

    def item_author_name(self, item: Event) -> str:
        return item.organization.name


class CampaignNewEventsAtom(CampaignNewEvents):
    feed_type = Atom1Feed

    def subtitle(self, obj: Campaign) -> str:
        return self.description(obj)
