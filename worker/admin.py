from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from worker.models import MAX_ATTEMPTS, MAX_UNKNOWN, Message, NotificationPreference
from worker.outbox import messages_mark_sent, messages_retry


class StateFilter(admin.SimpleListFilter):
    title = _("état")
    parameter_name = "state"
    STATES = {
        "pending": (_("à envoyer"), Q(sent_at=None, dropped_reason="", attempts__lt=MAX_ATTEMPTS,
                                      unknown_outcomes__lt=MAX_UNKNOWN)),
        "unknown": (_("issue inconnue"), Q(sent_at=None, dropped_reason="", unknown_outcomes__gt=0)),
        "abandoned": (_("échec : abandonné"), Q(sent_at=None, attempts__gte=MAX_ATTEMPTS)),
        "dropped": (_("non envoyé : ne s'applique plus"), ~Q(dropped_reason="")),
        "sent": (_("envoyé"), Q(sent_at__isnull=False, suppressed=False)),
    }

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _condition) in self.STATES.items()]

    def queryset(self, request, queryset):
        if (value := self.value()) in self.STATES:
            return queryset.filter(self.STATES[value][1])
        return queryset


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["kind", "to", "subject", "created_at", "state", "attempts", "unknown_outcomes"]
    list_filter = [StateFilter, "kind", "essential", "suppressed"]
    search_fields = ["to", "key", "subject"]
    readonly_fields = [
        "key", "created_at", "sent_at", "suppressed", "claimed_until", "attempts", "unknown_outcomes",
        "sending_since", "last_error", "depends_on", "dropped_reason",
    ]
    actions = ["mark_sent", "retry"]

    @admin.display(description=_("état"))
    def state(self, message: Message) -> str:
        return message.state

    @admin.action(description=_("Marquer comme envoyés (arrivés, vérifié auprès des destinataires)"))
    def mark_sent(self, request, queryset):
        count = messages_mark_sent(message_ids=list(queryset.values_list("id", flat=True)))
        self.message_user(request, ngettext("%d message marqué comme envoyé.",
                                            "%d messages marqués comme envoyés.", count) % count,
                          messages.SUCCESS)

    @admin.action(description=_("Envoyer encore une fois"))
    def retry(self, request, queryset):
        count = messages_retry(message_ids=list(queryset.values_list("id", flat=True)))
        self.message_user(request, ngettext("%d message sera envoyé encore une fois.",
                                            "%d messages seront envoyés encore une fois.", count) % count,
                          messages.SUCCESS)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["email", "non_essential", "updated_at"]
    search_fields = ["email"]
