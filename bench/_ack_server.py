"""A stand-in for the national systems in benchmarks (the document axis, the public-service
portal): acknowledges every message it is sent (HTTP 202, and the portal's ``MaLoi`` 00) and
keeps nothing, so that the forwarding and the pushes are measured, not retried.

    python bench/_ack_server.py <port>
"""

from __future__ import annotations

import sys
from typing import Any

import uvicorn

ACK = b'{"status": "accepted", "MaLoi": "00", "MoTaLoi": "OK"}'


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:  # read the package whole, as the axis would
        message = await receive()
        more = message.get("more_body", False)
    status = 202 if scope["method"] == "POST" else 200
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": ACK})


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                access_log=False)
