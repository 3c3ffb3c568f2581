"""Only the tax pages pay for OpenFisca: other pages never import it, the first estimate does.

Run in a fresh interpreter (the test process may have loaded OpenFisca already), on a
throwaway SQLite database.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import sys
    import django
    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    setup_test_environment()
    call_command("migrate", verbosity=0)
    from civiquest.accounts.models import Role, User
    citizen = User.objects.create_user(username="c", email="c@example.fr", role=Role.CITIZEN)
    client = Client()
    client.force_login(citizen)
    for url in ("/", "/mon-espace/", "/demarches/", "/mes-demarches/", "/mon-espace/impots/simulateur/"):
        status = client.get(url).status_code
        assert status == 200, (url, status)
    assert "openfisca_france" not in sys.modules, "a page loaded OpenFisca"
    page = client.post(
        "/mon-espace/impots/simulateur/",
        {"action": "simulate", "income_year": "2024", "marital_status": "celibataire", "salaries_1": "30000"},
    )
    assert page.status_code == 200, page.status_code
    assert "1588" in page.content.decode().replace("\\u202f", "").replace(" ", ""), "no estimate"
    assert "openfisca_france" in sys.modules
    print("isolation-ok")
    """
)


def test_only_the_simulation_loads_openfisca(tmp_path: Path):
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CIVIQUEST_SQLITE_PATH": str(tmp_path / "isolation.sqlite3"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
    }
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "isolation-ok" in result.stdout
