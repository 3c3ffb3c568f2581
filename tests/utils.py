import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Variables that decide the configuration (and the browser tests' async switch): a child
# process starts without the parent's.
CONFIG_VARIABLES = {
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "CIVIQUEST_ENV",
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CIVIQUEST_DEBUG",
}


def run_django(args: list[str], extra_env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run Python in a fresh process with the given configuration (settings are read once at start-up)."""
    env = {key: value for key, value in os.environ.items() if key not in CONFIG_VARIABLES}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "CIVIQUEST_VAR_DIR": str(tmp_path / "var")})
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def sign_in(client, user) -> None:  # type: ignore[no-untyped-def]
    """Sign a test client in as the user; staff also pass their second factor (TOTP)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from civiquest.accounts.models import Role

    client.force_login(user)
    if user.role == Role.STAFF:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
