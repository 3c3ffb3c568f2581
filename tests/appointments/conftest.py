"""Appointments book against the ANTS sandbox: its fixtures are the integration's."""

from tests.integrations.ants.conftest import ants_api, catalogue  # noqa: F401 - shared fixtures
