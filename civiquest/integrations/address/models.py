"""The embedded local geocoder's documents: the BAN's addok records, imported by ``address_import``.

A ``Place`` is one addok document (a municipality, a street or a locality); its house
numbers are ``HouseNumber`` rows. The search index itself lives in each process's memory
(``local.py``) and is rebuilt when ``ImportState.generation`` changes.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Place(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Commune")
        STREET = "street", _("Voie")
        LOCALITY = "locality", _("Lieu-dit")

    key = models.CharField(max_length=64, unique=True)  # the addok/BAN id, e.g. "98825_y6as4k"
    ban_id = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=255)
    # As in the file (often empty on BAN streets: the engine then uses the municipality's).
    postcode = models.CharField(max_length=10, blank=True)
    citycode = models.CharField(max_length=10)
    city = models.CharField(max_length=255)
    # The other values of list-valued fields (alternative names, extra postcodes…), indexed too.
    aliases = models.JSONField(default=dict, blank=True)
    oldcitycode = models.CharField(max_length=10, blank=True)
    oldcity = models.CharField(max_length=255, blank=True)
    district = models.CharField(max_length=255, blank=True)
    context = models.CharField(max_length=255, blank=True)
    importance = models.FloatField(default=0.0)
    lon = models.FloatField()
    lat = models.FloatField()
    x = models.FloatField(null=True, blank=True)
    y = models.FloatField(null=True, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    # Hash of the source document: a re-import skips the unchanged ones.
    digest = models.CharField(max_length=40)

    class Meta:
        indexes = [models.Index(fields=["citycode", "kind"], name="address_place_city_kind")]

    def __str__(self) -> str:
        return f"{self.name} ({self.citycode})"


class HouseNumber(models.Model):
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="housenumbers")
    number = models.CharField(max_length=32)  # with its repetition index, e.g. "96bis"
    key = models.CharField(max_length=80)  # BAN interoperability key, e.g. "98825_y6as4k_00010"
    ban_id = models.CharField(max_length=64, blank=True)
    lon = models.FloatField()
    lat = models.FloatField()
    x = models.FloatField(null=True, blank=True)
    y = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["place", "number"], name="address_housenumber_unique")]
        indexes = [models.Index(fields=["key"], name="address_housenumber_key")]

    def __str__(self) -> str:
        return f"{self.number} {self.place.name}"


class ImportState(models.Model):
    """One row: a new random generation after each import tells every process to rebuild its index."""

    generation = models.CharField(max_length=32)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.generation
