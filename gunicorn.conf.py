"""gunicorn's settings, read from the working directory: by the image and by ``bench/``, so
that the benchmarks measure what is deployed.

Sync workers, three by default for the two cores of the reference machine
(``WEB_CONCURRENCY`` overrides it). A check-in or a registration waits for PostgreSQL's
commit, and a third worker uses the core meanwhile; a fourth cost more in switching than it
gained (README, "Benchmarks, load and faults").
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "sync"
