"""Inbound events: external systems post signed events to a source; the source's rules map
each one to an account and an action (set attributes, run a manual play), in the background."""
