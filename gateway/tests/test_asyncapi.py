"""The AsyncAPI 3.0 document of the platform's events, served by the gateway."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
import jsonschema

from egov_shared.events.contracts import CONTRACTS

GatewayFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


def resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def all_refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in all_refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in all_refs(value)]
    return []


class TestAsyncApiDocument:
    async def test_public_cached_and_asyncapi_3(self, open_gateway: GatewayFactory) -> None:
        async with open_gateway(signed_in=False) as client:
            answer = await client.get("/asyncapi.json")
        assert answer.status_code == 200
        assert "public" in answer.headers["cache-control"]
        document = json.loads(answer.content)
        assert document["asyncapi"] == "3.0.0"
        assert {"title", "version"} <= document["info"].keys()
        assert {"channels", "operations", "components"} <= document.keys()
        for operation in document["operations"].values():
            assert operation["action"] in {"send", "receive"}
            assert resolve(document, operation["channel"]["$ref"])["address"]
        for ref in all_refs(document):  # every reference points somewhere
            assert ref.startswith("#/") and resolve(document, ref) is not None, ref

    async def test_every_contract_with_its_subject_stream_and_schema(
        self, open_gateway: GatewayFactory
    ) -> None:
        async with open_gateway(signed_in=False) as client:
            document = (await client.get("/asyncapi.json")).json()
        by_address = {c["address"]: c for c in document["channels"].values()}
        for contract in CONTRACTS.values():
            channel = by_address[contract.subject]
            assert channel["x-jetstream-stream"] == contract.stream
            (message_ref,) = channel["messages"].values()
            message = resolve(document, message_ref["$ref"])
            assert message["name"] == contract.type
            envelope, narrowed = message["payload"]["allOf"]
            assert resolve(document, envelope["$ref"])["properties"]["specversion"] == {
                "const": "1.0"}
            data = resolve(document, narrowed["properties"]["data"]["$ref"])
            jsonschema.Draft202012Validator.check_schema(data)
            assert set(contract.data_model.model_fields) == set(data["properties"])

    async def test_axis_inbox_carries_edxml(self, open_gateway: GatewayFactory) -> None:
        async with open_gateway(signed_in=False) as client:
            document = (await client.get("/asyncapi.json")).json()
        inbox = next(c for c in document["channels"].values()
                     if c["address"] == "axis.{agencyId}.inbox")
        assert "agencyId" in inbox["parameters"]
        (ref,) = inbox["messages"].values()
        assert resolve(document, ref["$ref"])["contentType"] == "application/xml"
