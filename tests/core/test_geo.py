"""The one distance: known distances between real places, and the properties of a distance."""

from __future__ import annotations

import math

import pytest

from civiquest.core.geo import EARTH_RADIUS_M, distance_m

PARIS = (48.8566, 2.3522)  # Hôtel de Ville
LYON = (45.7640, 4.8357)  # Place Bellecour
EIFFEL_TOWER = (48.8584, 2.2945)
LOUVRE = (48.8606, 2.3376)
NOUMEA = (-22.2758, 166.4580)


@pytest.mark.parametrize(
    ("start", "end", "metres", "tolerance"),
    [
        (PARIS, LYON, 391_500, 500),  # ~392 km as the crow flies
        (EIFFEL_TOWER, LOUVRE, 3_160, 20),
        ((0.0, 0.0), (1.0, 0.0), 111_195, 1),  # one degree of a meridian on the mean sphere
        ((0.0, 0.0), (0.0, 180.0), math.pi * EARTH_RADIUS_M, 0.001),  # antipodes on the equator
        ((90.0, 0.0), (-90.0, 0.0), math.pi * EARTH_RADIUS_M, 0.001),  # pole to pole
    ],
)
def test_known_distances(start, end, metres, tolerance) -> None:
    assert distance_m(*start, *end) == pytest.approx(metres, abs=tolerance)


def test_a_point_is_at_no_distance_from_itself_and_distance_is_symmetric() -> None:
    assert distance_m(*NOUMEA, *NOUMEA) == 0.0
    assert distance_m(*PARIS, *NOUMEA) == pytest.approx(distance_m(*NOUMEA, *PARIS), rel=1e-12)


def test_crossing_the_antimeridian_takes_the_short_way() -> None:
    assert distance_m(0.0, 179.5, 0.0, -179.5) == pytest.approx(111_195, abs=1)


def test_the_triangle_inequality_holds() -> None:
    assert distance_m(*PARIS, *NOUMEA) <= distance_m(*PARIS, *LYON) + distance_m(*LYON, *NOUMEA)


def test_kilometres_shown_for_meeting_points_are_the_same_as_before() -> None:
    # The haversine in kilometres the booking page used (radius 6371 km) gave 391.499 km Paris–Lyon.
    assert distance_m(*PARIS, *LYON) / 1000 == pytest.approx(391.4989316742573, rel=1e-12)
