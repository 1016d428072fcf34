"""Emails to people about work assigned to them (issue 14's email half)."""
