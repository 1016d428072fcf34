"""The outbox: rows written in the transaction of the change that caused them (webhook
deliveries, emails), then sent by workers with a lease, backoff and a sweep for what the queue
lost. ``lease.py`` is what every outbox table shares; ``workers.py`` runs them on huey;
``wakeup.py`` tells this process's workers of new rows once they are committed."""
