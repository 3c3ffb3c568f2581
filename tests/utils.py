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
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in CONFIG_VARIABLES and not key.startswith(("FRANCECONNECT_", "PROCONNECT_", "CIVIQUEST_PUBLIC"))
    }
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "CIVIQUEST_VAR_DIR": str(tmp_path / "var")})
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
