"""Event plays' criteria: conditions on account attributes, checked after every change to an
account's attributes and once a day for date conditions; a play runs on an account that
enters its criteria (or exits them, as the play says)."""
