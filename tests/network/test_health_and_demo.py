from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_healthz_is_200_when_database_and_broker_answer(client, settings, redis_url):
    settings.CELERY_BROKER_URL = redis_url
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] and body["broker"]["ok"]


def test_healthz_is_503_when_the_broker_is_stopped(client, settings, redis_server):
    settings.CELERY_BROKER_URL = redis_server.url
    assert client.get("/healthz").status_code == 200
    redis_server.stop()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert response.json()["database"]["ok"] is True


def test_healthz_works_with_the_embedded_broker(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    assert client.get("/healthz").status_code == 200


def _counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()
            if m._meta.app_label in {"network", "spaces", "events", "passes", "worker"}}


def test_load_demo_twice_leaves_the_same_data(capsys):
    call_command("load_demo")
    first = _counts()
    call_command("load_demo")
    assert _counts() == first
    assert first["network.Organization"] >= 10
    assert "Données de démonstration prêtes" in capsys.readouterr().out
