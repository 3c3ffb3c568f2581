"""Waiting for the design system's script: until it has taken over a disclosure button (the
language selector, the account menu), a click or a key press on it does nothing, and a test
racing the script's start fails on a busy machine."""

from __future__ import annotations


def wait_for_dsfr(control) -> None:
    """Wait until the DSFR has instantiated `control` (it marks it `data-fr-js-collapse-button`)."""
    control.page.wait_for_function("document.documentElement.hasAttribute('data-fr-js')")
    control.and_(control.page.locator("[data-fr-js-collapse-button='true']")).wait_for()


def open_disclosure(control) -> None:
    """Click a DSFR disclosure button once the design system listens to it."""
    wait_for_dsfr(control)
    control.click()
