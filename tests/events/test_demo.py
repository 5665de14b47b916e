"""The demo loads a believable Mois de l'ESS that the services can work with."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from events import services
from events.models import (
    Campaign,
    CoOrganization,
    CoOrganizationStatus,
    Event,
    EventStatus,
    Moderation,
    Registration,
    Series,
)
from feeds.sources import public_events
from observatory.models import Snapshot

# One load for the module; each test rolls back what it changes.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_demo_has_a_co_organized_mois_de_l_ess_with_moderation_a_series_and_a_waitlist():
    campaign = Campaign.objects.get(slug__startswith="mois-ess-", previous_edition__isnull=False)
    assert sorted(campaign.coordinators.values_list("slug", flat=True)) == ["cress-hdf", "cress-pdl",
                                                                            "ess-france"]
    events = Event.objects.filter(campaign=campaign)
    assert events.count() >= 30
    assert events.filter(moderation=Moderation.PENDING).exists()
    assert events.filter(co_organizers__isnull=False).distinct().count() >= 10
    assert set(events.values_list("department", flat=True)) >= {"59", "72"}
    forum = Event.objects.get(slug="forum-entreprendre-autrement")
    assert forum.room.space.commune_insee == "72181"
    assert list(forum.co_organizers.values_list("slug", flat=True)) == ["le-mans-metropole"]
    assert Series.objects.get().events.count() == 6
    # Every co-organizer accepted; one request still waits, and gives no rights meanwhile.
    accepted = CoOrganization.objects.filter(status=CoOrganizationStatus.ACCEPTED)
    assert accepted.count() == Event.co_organizers.through.objects.count()
    waiting = CoOrganization.objects.get(status=CoOrganizationStatus.PENDING)
    assert (waiting.event.slug, waiting.organization.slug) == ("portes-ouvertes-mutualab", "apes")
    assert not waiting.event.co_organizers.exists()
    assert waiting.requested_at.date() < timezone.localdate()

    # The event form's every field, an image included, shows in the demo.
    assert forum.image and forum.image_alt and forum.price_text.startswith("5 €")
    assert forum.audience and forum.accessibility and forum.online_url
    assert forum.registration_opens_at < forum.registration_closes_at < forum.starts_at
    assert default_storage.exists(forum.image.name)
    assert Series.objects.get().events.exclude(image="").count() == 6

    velo = Event.objects.get(slug="reparer-son-velo")
    waitlist = velo.registrations.filter(status="waitlisted").order_by("position")
    assert list(waitlist.values_list("position", flat=True)) == [1, 2, 3]
    head = waitlist.first()
    services.registration_cancel(registration=velo.registrations.filter(status="confirmed").first(),
                                 token=velo.registrations.filter(status="confirmed").first().token)
    head.refresh_from_db()
    assert head.status == "confirmed"
    assert Registration.objects.filter(event=velo, status="waitlisted").count() == 2


def test_the_demo_cancelled_event_is_in_the_public_feeds_as_cancelled():
    cancelled = Event.objects.get(status=EventStatus.CANCELLED, campaign__previous_edition__isnull=False)
    assert cancelled.cancelled_at is not None
    assert public_events().filter(pk=cancelled.pk).exists()


def test_the_demo_has_a_past_event_whose_door_took_attendance_and_a_message_to_registrants():
    from events.selectors import attendance_of

    call_command("load_demo", stdout=None)  # the second load
    evening = Event.objects.get(slug="soiree-adherents-apes")
    assert evening.ends_at < timezone.now()
    counts = attendance_of(evening)
    assert counts["attended"] >= 10 and counts["no_shows"] >= 3
    assert counts["attended"] + counts["no_shows"] == counts["confirmed"]
    assert evening.messages.get().subject == "Ordre du jour de jeudi"
    assert len(set(evening.registrations.values_list("code", flat=True))) == evening.registrations.count()


def test_the_demo_campaign_compares_with_last_november_whose_door_counted_who_came():
    campaign = Campaign.objects.get(slug__startswith="mois-ess-", previous_edition__isnull=False)
    previous = campaign.previous_edition
    assert (previous.starts_on.year, previous.starts_on.month) == (campaign.starts_on.year - 1, 11)
    assert previous.ends_on < timezone.localdate()
    assert Event.objects.filter(campaign=previous, moderation=Moderation.APPROVED).count() >= 30
    assert Registration.objects.filter(event__campaign=previous, checked_in_at__isnull=False).count() >= 100
    # load_demo computes the figures: the campaign's page shows them at once, beside last year's.
    figures = Snapshot.objects.get(kind="campaign", key=campaign.slug).data["fr"]
    assert figures["previous_edition"]["slug"] == previous.slug
    summary = {row[0]: row[1:] for row in figures["tables"][0]["rows"]}
    assert summary["dont pour la première fois"][0] > 0 and summary["Présences pointées"][1] > 0
