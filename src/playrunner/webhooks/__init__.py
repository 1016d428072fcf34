"""Outbound webhooks: endpoints, events written with the change that caused them, signed
deliveries with retries (Standard Webhooks)."""
