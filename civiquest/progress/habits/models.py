"""Civic habits, streaks, avatar and cosmetics."""
