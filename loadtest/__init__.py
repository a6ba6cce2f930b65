"""Load test of the production-like stack (make loadtest): seed, locustfile, SMTP sink."""
