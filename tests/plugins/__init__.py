"""Surface kinds that tests add as a plug-in would: one registry entry and its texts."""
