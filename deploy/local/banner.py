"""Part of `make run`: waits until the gateway is ready, then prints where everything is."""

from __future__ import annotations

import os
import signal
import sys
import time
import urllib.request

GATEWAY = "http://127.0.0.1:8000"


def ready() -> bool:
    try:
        with urllib.request.urlopen(GATEWAY + "/readyz", timeout=2) as response:  # noqa: S310
            return bool(response.status == 200)
    except OSError:
        return False


def main() -> None:
    started = time.monotonic()
    while not ready():
        time.sleep(0.5)
    demo = os.environ.get("EGOV_DEMO", "1") not in {"0", "false", "no", "off"}
    lines = [
        "",
        f"Nền tảng chính quyền điện tử is ready after {time.monotonic() - started:.1f} s:",
        f"  gateway      {GATEWAY}   (API docs {GATEWAY}/docs)",
        f"  readiness    {GATEWAY}/readyz",
        f"  OIDC         {GATEWAY}/.well-known/openid-configuration",
        "  services     identity :8001  dossier :8002  docflow :8003  reporting :8004",
        f"  NATS         {os.environ.get('NATS_URL', 'nats://127.0.0.1:4300 (embedded)')}",
    ]
    if demo:
        lines.append("  demo users   admin motcua chuyenvien lanhdao vanthu baocao "
                     "(password: $EGOV_DEMO_PASSWORD, default demo-Password-1)")
    lines.append("Press Ctrl-C to stop everything.")
    print("\n".join(lines), flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.pause()


if __name__ == "__main__":
    main()
