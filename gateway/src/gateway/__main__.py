"""``python -m gateway``: serve the gateway with uvicorn on the configured host and port."""

from __future__ import annotations

import uvicorn

from gateway.main import create_app
from gateway.settings import GatewaySettings


def main() -> None:
    settings = GatewaySettings()
    # X-Forwarded-For is judged by the gateway itself (GATEWAY_TRUSTED_PROXIES, for rate limits
    # per IP); uvicorn's own rewriting (FORWARDED_ALLOW_IPS) would let any local caller choose
    # its address.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None,
                proxy_headers=False)


if __name__ == "__main__":
    main()
