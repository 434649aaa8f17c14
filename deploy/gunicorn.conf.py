"""gunicorn's settings for the portal's web nodes: the image's default command,
docker-compose.yml's `web` and deploy/topology.py all start `gunicorn -c deploy/gunicorn.conf.py`.
WEB_WORKERS and WEB_THREADS size a node (processes, and threads in each); GUNICORN_BIND is where
it listens."""

import os

# The loopback unless told otherwise: a node trusts X-Forwarded-For and X-Forwarded-Proto from
# whoever reaches it (TRUSTED_PROXY_COUNT), so only the proxy may. A node on a machine of its
# own listens on the address the proxy reaches, behind a firewall that lets only the proxy in;
# the image listens on all of its container's interfaces (its Dockerfile sets 0.0.0.0:8000),
# which compose publishes on no port of the host: only the compose network reaches it.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
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
