"""Income-tax simulator benchmarks (`make bench`): OpenFisca's first load, later estimates, memory.

The first-load figures come from a fresh interpreter (this process may have loaded OpenFisca
already): resident memory (VmRSS) before and after building the tax-benefit system, the time
of the first estimate (build included) and of the next ones. Printed and written to
``var/bench-taxes.txt``. Then pytest-benchmark times one uncached estimate and one cached one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings

from civiquest.integrations.taxes import simulator

PROBE = textwrap.dedent(
    """
    import json, time
    import django
    django.setup()

    def rss_mb():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

    from civiquest.integrations.taxes import simulator
    household = lambda salary: simulator.Household(
        income_year=2024,
        marital_status=simulator.MaritalStatus.MARRIED,
        declarants=(simulator.Declarant(salaries=salary), simulator.Declarant(salaries=31000)),
        dependants=(simulator.Dependant(birth_date=__import__("datetime").date(2015, 1, 1)),),
    )
    before = rss_mb()
    started = time.perf_counter()
    simulator.tax_benefit_system()
    build = time.perf_counter() - started
    started = time.perf_counter()
    simulator._compute(household(40000))
    first = time.perf_counter() - started
    later = []
    for salary in range(41000, 51000, 1000):
        started = time.perf_counter()
        simulator._compute(household(salary))
        later.append(time.perf_counter() - started)
    print(json.dumps({
        "rss_before_mb": round(before, 1), "rss_after_mb": round(rss_mb(), 1),
        "build_s": round(build, 2), "first_estimate_s": round(first, 2),
        "first_total_s": round(build + first, 2),
        "later_median_s": round(sorted(later)[len(later) // 2], 3), "later_max_s": round(max(later), 3),
    }))
    """
)


def test_bench_first_load_and_memory(benchmark):
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    command = [sys.executable, "-W", "ignore", "-c", PROBE]
    result = benchmark.pedantic(
        subprocess.run,
        args=(command,),
        kwargs={"env": env, "capture_output": True, "text": True, "timeout": 600},
        rounds=1,
        iterations=1,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    table = "\n".join(f"{name:>18}: {value}" for name, value in figures.items())
    print("\nOpenFisca-France 176.1.8 in a fresh process\n" + table)  # noqa: T201 - the bench report
    Path(settings.BASE_DIR / "var" / "bench-taxes.txt").write_text(table + "\n", encoding="utf-8")
    assert figures["rss_after_mb"] > figures["rss_before_mb"]


@pytest.fixture(scope="module")
def loaded():
    simulator.tax_benefit_system()


def _household(salary: int) -> simulator.Household:
    return simulator.Household(
        income_year=2024,
        marital_status=simulator.MaritalStatus.SINGLE,
        declarants=(simulator.Declarant(salaries=salary),),
    )


def test_bench_estimate_uncached(benchmark, loaded):
    estimate = benchmark.pedantic(simulator._compute, args=(_household(30000),), rounds=10, iterations=1)
    assert estimate.tax == 1588


def test_bench_estimate_cached(benchmark, loaded):
    household = _household(30000)
    simulator.simulate(household)
    assert benchmark(simulator.simulate, household).tax == 1588
