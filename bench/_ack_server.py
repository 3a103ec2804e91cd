"""A stand-in for the national systems in benchmarks (the document axis, the public-service
portal): acknowledges every message it is sent and keeps nothing, so that the forwarding and
the pushes are measured, not retried. A push to the portal (a JSON object with a ``data``
list) is answered the portal's way, a ``KetQua`` item with ``MaLoi`` 00 per message; anything
else HTTP 202 (the axis) with ``MaLoi`` 00.

    python bench/_ack_server.py <port>
"""

from __future__ import annotations

import json
import sys
from typing import Any

import uvicorn

ACK = b'{"status": "accepted", "MaLoi": "00", "MoTaLoi": "OK"}'


def portal_answer(body: bytes) -> bytes | None:
    """The portal's answer to a push, or ``None`` when ``body`` is not one."""
    try:
        call = json.loads(body)
    except ValueError:  # not JSON (an edXML package), or not UTF-8
        return None
    if not isinstance(call, dict) or not isinstance(call.get("data"), list):
        return None
    items = [{"MaHoSo": m.get("MaHoSo"), "SoThuTu": m.get("SoThuTu"), "MaLoi": "00"}
             if isinstance(m, dict) else {"MaLoi": "00"} for m in call["data"]]
    return json.dumps({"MaLoi": "00", "MoTaLoi": "OK", "KetQua": items}).encode()


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    chunks, more = [], True
    while more:  # read the package whole, as the axis would
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    answer = portal_answer(b"".join(chunks))
    accepted = answer is None and scope["method"] == "POST"
    await send({"type": "http.response.start", "status": 202 if accepted else 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": answer or ACK})


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                access_log=False)
