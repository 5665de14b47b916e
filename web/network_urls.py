"""Pages of pass networks and of running a space (included by ``web/urls.py``, same namespace)."""

from django.urls import path, re_path

from web import coworking, plans, settlement, space_admin, space_passes

MONTH = r"(?P<month>[0-9]{4}-[0-9]{2})"
MANAGE = "espaces/<slug:slug>/gestion/"

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
    path("reseaux/<slug:network>/forfaits/", plans.plans, name="plans"),
    path("reseaux/<slug:network>/forfaits/<int:plan_id>/", plans.plan_edit, name="plan-edit"),
    path("espaces/<slug:slug>/accueil/aujourdhui/", coworking.desk_day, name="desk-day"),
    path("mon-pass/<int:pass_id>/arrivee/", coworking.self_checkin, name="self-checkin"),
    path("mon-pass/depart/<int:checkin_id>/", coworking.self_checkout, name="self-checkout"),
    path("espaces/<slug:slug>/pass/<int:pass_id>/envoyer/", space_passes.pass_send, name="space-pass-send"),
    path(MANAGE, space_admin.manage, name="space-manage"),
    path(f"{MANAGE}reglages/", space_admin.settings_save, name="space-manage-settings"),
    path(f"{MANAGE}horaires/", space_admin.hours_save, name="space-manage-hours"),
    path(f"{MANAGE}fermetures/", space_admin.closure_add, name="space-manage-closure-add"),
    path(f"{MANAGE}fermetures/<int:closure_id>/retirer/", space_admin.closure_remove,
         name="space-manage-closure-remove"),
    path(f"{MANAGE}salles/", space_admin.room_add, name="space-manage-room-add"),
    path(f"{MANAGE}salles/<int:room_id>/", space_admin.room_edit, name="space-manage-room"),
    path(f"{MANAGE}salles/<int:room_id>/retirer/", space_admin.room_remove,
         name="space-manage-room-remove"),
    path(f"{MANAGE}bornes/", space_admin.kiosk_add, name="space-manage-kiosk-add"),
    path(f"{MANAGE}bornes/<int:kiosk_id>/jeton/", space_admin.kiosk_token,
         name="space-manage-kiosk-token"),
    path(f"{MANAGE}bornes/<int:kiosk_id>/revoquer/", space_admin.kiosk_revoke,
         name="space-manage-kiosk-revoke"),
]
