"""Pages of pass networks and of running a space (included by ``web/urls.py``, same namespace)."""

from django.urls import path, re_path

from web import settlement

MONTH = r"(?P<month>[0-9]{4}-[0-9]{2})"

urlpatterns = [
    path("reseaux/", settlement.networks, name="networks"),
    path("reseaux/<slug:network>/reglements/", settlement.settlement_months, name="settlement-months"),
    re_path(rf"^reseaux/(?P<network>[-\w]+)/reglements/{MONTH}/$", settlement.settlement_month,
            name="settlement-month"),
    re_path(rf"^reseaux/(?P<network>[-\w]+)/reglements/{MONTH}/clore/$", settlement.settlement_close,
            name="settlement-close"),
    re_path(rf"^reseaux/(?P<network>[-\w]+)/reglements/{MONTH}/reglement\.csv$",
            settlement.settlement_csv, name="settlement-csv"),
    re_path(rf"^reseaux/(?P<network>[-\w]+)/reglements/{MONTH}/espaces/(?P<space>[-\w]+)/$",
            settlement.settlement_statement, name="settlement-statement"),
]
