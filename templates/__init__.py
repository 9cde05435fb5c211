"""The Jinja2 pages (the app and the player), shipped as package data."""
