"""The programme of a region's Mois de l'ESS: 2,000 events printed, and the agenda embedded.

- the printed brochure of the 2,000 events (A4), built as the worker builds it (its parts
  laid out by one WeasyPrint process per core): wall time (target ≤ 60 s on 2 cores) and CPU
  time, its processes' included; beside it, WeasyPrint laying out the same texts as bare
  paragraphs in one process (no styles, QR codes or indexes), the floor of the library on
  this machine;
- the embedded agenda's requests/s (gunicorn, loopback) beside the agenda page's for the
  same campaign (target ≥ 0.5×), and the embed's 304s;

The served figures are the medians of three rounds of each, taken in turn.

Run: ``.venv/bin/python -m bench.programme`` (or ``bench/run bench.programme``).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from datetime import timedelta

from bench.common import Row, emit, gunicorn, median, print_table, run_inner, wrk

EVENTS = 2_000
COMMUNES = 60
ROUNDS = 3
SECONDS = 4
TOWNS = ["Toulouse", "Montpellier", "Nîmes", "Perpignan", "Béziers", "Narbonne", "Albi", "Carcassonne",
         "Sète", "Tarbes", "Castres", "Rodez", "Auch", "Cahors", "Millau", "Foix"]


def populate() -> None:
    from django.utils import timezone

    from events.models import Campaign, Event, EventStatus, Moderation, Theme
    from network.models import Organization

    organizations = [Organization.objects.create(name=f"Structure de l'ESS {n}", slug=f"s{n}",
                                                 kind="association") for n in range(40)]
    themes = [Theme.objects.create(slug=f"theme-{n}", name=f"Thème {n}") for n in range(8)]
    today = timezone.localdate()
    campaign = Campaign.objects.create(title="Mois de l'ESS en Occitanie", slug="mois-ess-occitanie",
                                       label="Mois de l'ESS", starts_on=today,
                                       ends_on=today + timedelta(days=30))
    start = timezone.now().replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=1)
    Event.objects.bulk_create(
        Event(title=f"Atelier : l'économie sociale et solidaire à l'œuvre n° {n}", slug=f"atelier-{n}",
              organization=organizations[n % len(organizations)],
              description=("Rencontres, témoignages et échanges avec les coopératives, associations et "
                           "mutuelles du territoire ; ouvert à toutes et à tous. ") * 3,
              format="atelier", price_text="Gratuit" if n % 3 else "5 €",
              status=EventStatus.PUBLISHED, campaign=campaign, moderation=Moderation.APPROVED,
              starts_at=start + timedelta(days=n % 30, minutes=17 * (n // 30)),
              ends_at=start + timedelta(days=n % 30, minutes=17 * (n // 30) + 120),
              address=f"Salle {n % 9}, {n} avenue de la République, "
                      f"{31000 + (n % COMMUNES) * 10} {TOWNS[n % len(TOWNS)]} {n % COMMUNES}",
              region="Occitanie", department="31")
        for n in range(EVENTS)
    )
    through = Event.themes.through
    through.objects.bulk_create(through(event_id=pk, theme_id=themes[pk % len(themes)].pk)
                                for pk in Event.objects.values_list("id", flat=True))


def bare_layout(spec) -> float:
    """CPU seconds WeasyPrint takes to lay out and write the brochure's texts as bare paragraphs
    (one process, so its CPU time is its wall time on a quiet machine)."""
    from django.utils.html import escape
    from weasyprint import HTML

    from programme.brochure import brochure_context

    context = brochure_context(spec, list(spec.events()))
    paragraphs = "".join(
        f"<p>{escape(entry['title'])}<br>{escape(entry['place'])}<br>{escape(entry['format'])} · "
        f"{escape(entry['organizers'])} · {escape(entry['price'])}<br>{escape(entry['summary'])}</p>"
        for _day, communes in context["days"] for _commune, entries in communes for entry in entries)
    started = time.process_time()
    HTML(string=f"<!doctype html><html><body>{paragraphs}</body></html>").write_pdf()
    return time.process_time() - started


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def inner() -> None:
    import django

    django.setup()
    from programme.brochure import BrochureSpec, brochure_build
    from programme.selectors import Selection

    populate()
    spec = BrochureSpec(Selection.from_params({"campaign": "mois-ess-occitanie"}), "a4", "fr")
    wall, cpu = time.perf_counter(), time.process_time() + children_cpu()
    brochure = brochure_build(key=spec.key)
    wall, cpu = time.perf_counter() - wall, time.process_time() + children_cpu() - cpu
    assert brochure.event_count == EVENTS
    print(f"brochure: {len(bytes(brochure.pdf)) / 1e6:.1f} MB, {EVENTS} events, "
          f"{wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)
    floor = bare_layout(spec)
    print(f"bare paragraphs of the same texts: {floor:.1f} s CPU", flush=True)
    rows = [
        Row(f"brochure of {EVENTS:,} events, A4 (s)", wall, floor, "s wall vs bare paragraphs' CPU",
            "≤ 60 s", ok=wall <= 60),
        Row("brochure CPU time, its processes' included (s)", cpu, floor, "s CPU vs bare paragraphs",
            "informative"),
    ]

    env = dict(os.environ)
    # Pages name their static files through the manifest, as deployed.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], check=True, env=env)
    query = "campaign=mois-ess-occitanie"
    with gunicorn(env) as base:
        embed_url, agenda_url = f"{base}/integrer/agenda/?{query}", f"{base}/agenda/?{query}"
        wrk(embed_url, seconds=2)
        wrk(agenda_url, seconds=2)
        import urllib.request

        with urllib.request.urlopen(embed_url) as response:  # noqa: S310 - loopback http
            etag = response.headers["ETag"]
        rounds: dict[str, list] = {"embed": [], "agenda": [], "not_modified": []}
        for _ in range(ROUNDS):
            rounds["embed"].append(wrk(embed_url, seconds=SECONDS))
            rounds["agenda"].append(wrk(agenda_url, seconds=SECONDS))
            rounds["not_modified"].append(wrk(embed_url, seconds=SECONDS, headers={"If-None-Match": etag}))
        embed, agenda, not_modified = (median(rounds[name]) for name in rounds)
    rows += [
        Row("embedded agenda requests/s (20 events)", embed.requests_per_second,
            agenda.requests_per_second, "req/s vs agenda page (50)", "≥ 0.50×",
            ok=embed.requests_per_second >= 0.5 * agenda.requests_per_second),
        Row("embedded agenda 304 requests/s", not_modified.requests_per_second,
            agenda.requests_per_second, "req/s vs agenda page", "informative"),
    ]
    emit(rows)


def main() -> list[Row]:
    return run_inner("bench.programme")


if __name__ == "__main__":
    if "--inner" in sys.argv:
        inner()
    else:
        print_table(main())
