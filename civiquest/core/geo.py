"""The one distance of the project: between two WGS 84 points, in metres, along the Earth's surface.

The haversine formula on a sphere of the mean Earth radius: within 0.5 % of the ellipsoid's
geodesic anywhere, exact enough to rank addresses and meeting points and to show kilometres.
Callers that show kilometres divide by 1000.
"""

from __future__ import annotations

import math

# Mean Earth radius (IUGG), metres.
EARTH_RADIUS_M = 6_371_000.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between (lat1, lon1) and (lat2, lon2), in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = math.radians(lat2 - lat1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))
