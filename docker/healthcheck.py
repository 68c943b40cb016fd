"""Health check of the web container: GET /health/ on the local gunicorn (the slim image has no curl).

Sends the first ALLOWED_HOSTS entry as Host, so Django does not reject the request, and
X-Forwarded-Proto: https, as the TLS proxy would, so SECURE_SSL_REDIRECT does not redirect.
"""

import os
import sys
import urllib.request

hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
host = hosts[0].lstrip(".") if hosts else "localhost"
if host == "*":
    host = "localhost"

request = urllib.request.Request(
    f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/health/",
    headers={"Host": host, "X-Forwarded-Proto": "https"},
)
try:
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - fixed local URL
        sys.exit(0 if response.status == 200 else 1)
except Exception as error:  # any failure means unhealthy
    print(f"health check failed: {error}", file=sys.stderr)
    sys.exit(1)
