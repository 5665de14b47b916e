"""The settings module reads every deployment choice from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRINT = (
    "import json, django; from django.conf import settings as s; django.setup(); "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
    "'name': str(s.DATABASES['default']['NAME']), 'broker': s.CELERY_BROKER_URL, "
    "'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, 'email': s.EMAIL_BACKEND, 'site': s.SITE_URL, "
    "'lang': s.LANGUAGE_CODE, 'tz': s.TIME_ZONE, 'conn_max_age': s.DATABASES['default']['CONN_MAX_AGE']}))"
)


def resolve(tmp_path, **overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DEBUG", "SECRET_KEY",
                        "EMAIL_URL", "ALLOWED_HOSTS", "SITE_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": "backend.settings", "ESSAIM_VAR_DIR": str(tmp_path)})
    env.update(overrides)
    return subprocess.run([sys.executable, "-c", PRINT], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_defaults_need_no_server(tmp_path):
    result = resolve(tmp_path, DEBUG="1")
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(tmp_path / "essaim.sqlite3")
    assert values["broker"].startswith("filesystem://")
    assert (tmp_path / "broker" / "in").is_dir()
    assert values["email"] == "django.core.mail.backends.console.EmailBackend"
    assert values["lang"] == "fr"
    assert values["tz"] == "Europe/Paris"
    assert values["conn_max_age"] > 0


def test_production_values_come_from_the_environment(tmp_path):
    result = resolve(
        tmp_path,
        SECRET_KEY="x" * 60,
        DATABASE_URL="postgres://essaim:pw@db.internal:5432/essaim",
        REDIS_URL="redis://cache.internal:6379/1",
        ALLOWED_HOSTS="agenda.example.org,www.example.org",
        EMAIL_URL="smtp://mailer:pw@smtp.example.org:587",
        SITE_URL="https://agenda.example.org/",
    )
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "essaim"
    assert values["broker"] == "redis://cache.internal:6379/1"
    assert values["debug"] is False
    assert values["hosts"] == ["agenda.example.org", "www.example.org"]
    assert values["email"] == "worker.smtp.EmailBackend"
    assert values["site"] == "https://agenda.example.org"


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = resolve(tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
