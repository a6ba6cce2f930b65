"""Password hashing: Argon2id at the parameters OWASP recommends, not Django's PBKDF2.

Why: passwords are optional here (most people sign in with an emailed code), but those who use
one all sign in at once when a programme opens for booking. Django 5.2's default, PBKDF2-SHA256
with 1,000,000 iterations, costs 250 ms of CPU per check on a 2-CPU server: 300 sign-ins in a
minute are 75 CPU-seconds, more than the web tier has left for the booking pages themselves.
Argon2id with 19 MiB of memory, 2 passes and 1 lane (OWASP Password Storage Cheat Sheet, its
first recommendation) is memory-hard, so it resists GPU cracking better than PBKDF2, and costs
about 25 ms.

Hashes made by the older hashers still in settings.PASSWORD_HASHERS keep working and are
re-hashed with this one at the person's next sign-in (Django's `must_update`).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher (argon2id) with OWASP's parameters: m=19 MiB, t=2, p=1."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
