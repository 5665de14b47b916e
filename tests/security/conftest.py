"""The events' world (two organizations, a room, a campaign, an event) for the attacks on them."""

from tests.events.conftest import world  # noqa: F401 (a fixture)
