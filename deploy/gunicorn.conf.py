"""gunicorn's settings for the portal's web nodes: the image's default command,
docker-compose.yml's `web` and deploy/topology.py all start `gunicorn -c deploy/gunicorn.conf.py`.
WEB_WORKERS and WEB_THREADS size a node (processes, and threads in each); GUNICORN_BIND is where
it listens."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_WORKERS", "3"))

# Threads in each process. A private file is streamed from the bucket as fast as the person's
# connection takes it: the largest (20 MB) takes a phone on 2 Mbit/s over a minute. In a sync
# worker the request itself would have to answer gunicorn's `timeout`, and a download longer
# than that was cut off (the worker killed mid-file). With threads, the worker's main thread
# tells gunicorn it is alive, so `timeout` catches a stuck process, not a slow client, and a
# slow download holds one thread, not the whole process.
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 30
graceful_timeout = 30
keepalive = 5

# One access log line per request, on stdout.
accesslog = "-"

# No control socket: its default path is one per user (~/.gunicorn/gunicorn.ctl), which two
# nodes on one machine would share and remove from under each other.
control_socket_disable = True
