"""gunicorn settings of the portal image (the web service of compose.yaml)."""
import os

bind = "0.0.0.0:5000"
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
timeout = 120
graceful_timeout = 20
# A worker is replaced now and then, so that slow growth of its memory stays bounded.
max_requests = 2000
max_requests_jitter = 200
# No access log: the portal records no client addresses (ThürTPVO). nginx logs
# requests without them; errors still go to stderr.
accesslog = None
errorlog = "-"
# Only nginx reaches this port (compose publishes nginx alone): its
# X-Forwarded-Proto tells CKAN whether the visitor came over https.
forwarded_allow_ips = "*"
# The container has no shared $HOME to put gunicorn's control socket in.
control_socket_disable = True
