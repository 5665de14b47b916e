"""Erasing a member's account keeps what the spaces are owed and revokes the pass."""

from __future__ import annotations

import pytest

from network.models import Person
from passes.models import CheckIn, Pass, PassStatus, Visit

pytestmark = pytest.mark.django_db


def test_export_lists_passes_and_visits(world, login, desk):
    desk.post("/api/v1/checkins/", {"pass_code": world.pass_obj.code, "space": world.host.slug},
              format="json")
    data = login(world.member).get("/api/v1/me/data/").json()["passes"]
    assert [p["short_code"] for p in data["passes"]] == [world.pass_obj.short_code]
    assert [v["space"] for v in data["passes"][0]["visits"]] == [world.host.name]
    assert len(data["checkins"]) == 1


def test_erasure_revokes_the_pass_closes_the_visit_and_keeps_it_for_settlement(world, login, desk):
    answer = desk.post("/api/v1/checkins/", {"pass_code": world.pass_obj.code,
                                             "space": world.host.slug}, format="json")
    assert answer.status_code == 201, answer.json()
    response = login(world.member).delete("/api/v1/me/", {"password": "motdepasse-test"},
                                          format="json")
    assert response.status_code == 204
    assert not Person.objects.filter(pk=world.member.pk).exists()
    pass_obj = Pass.objects.get(pk=world.pass_obj.pk)
    assert pass_obj.holder is None and pass_obj.status == PassStatus.REVOKED
    assert Visit.objects.filter(pass_obj=pass_obj, space=world.host).count() == 1
    assert not CheckIn.objects.filter(pass_obj=pass_obj, checked_out_at__isnull=True).exists()
    refused = desk.post("/api/v1/checkins/", {"pass_code": pass_obj.code, "space": world.host.slug},
                        format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "pass_revoked"
