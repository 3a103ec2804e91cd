"""``python -m svc_identity``: serve the app with uvicorn on the configured host and port."""

from __future__ import annotations

import uvicorn

from svc_identity.main import create_app
from svc_identity.settings import IdentitySettings


def main() -> None:
    settings = IdentitySettings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
