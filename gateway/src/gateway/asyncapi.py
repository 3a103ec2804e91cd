"""The AsyncAPI 3.0 document of the platform's events, built from the contracts in
``egov_shared.events.contracts``: one channel per NATS subject with its JetStream stream, one
message per event type (the CloudEvents 1.0 envelope around the payload's JSON Schema, from the
pydantic model), and the document axis's ``axis.{agencyId}.inbox`` channels that carry edXML
packages as they are (``application/xml``, not CloudEvents).

The contracts are fixed for the life of the process, so the document is built once.
"""

from __future__ import annotations

import functools
from typing import Any

from egov_shared.events.contracts import CONTRACTS, STREAMS, EventContract, stream_for_subject

REF = "#/components/schemas/{model}"
ENVELOPE = "CloudEventEnvelope"


def _channel_id(subject: str) -> str:
    return subject.replace(".", "_").replace("{", "").replace("}", "")


def envelope_schema() -> dict[str, Any]:
    """CloudEvents 1.0 structured JSON with the platform's ``agency`` and ``traceparent``
    extensions (DESIGN §4); ``data`` is narrowed per message."""
    text = {"type": "string"}
    return {
        "type": "object",
        "required": ["specversion", "id", "source", "type", "time", "data"],
        "properties": {
            "specversion": {"const": "1.0"}, "id": text, "source": text,
            "type": {**text, "pattern": r"^vn\.egov\.[a-z0-9_.]+\.v[0-9]+$"},
            "subject": {**text, "description": "The aggregate's id (dossier code, document id)"},
            "time": {**text, "format": "date-time"},
            "datacontenttype": {"const": "application/json"},
            "data": {"type": "object"},
            "agency": {**text, "description": "Extension: the agency ID the event concerns"},
            "traceparent": {**text, "description": "Extension: W3C trace context"},
        },
    }


def _payload(contract: EventContract) -> dict[str, Any]:
    model = contract.data_model.__name__
    return {"allOf": [{"$ref": REF.format(model=ENVELOPE)}, {
        "type": "object",
        "properties": {"type": {"const": contract.type}, "data": {"$ref": REF.format(model=model)}},
    }]}


def _message(contract: EventContract) -> dict[str, Any]:
    return {
        "name": contract.type, "title": contract.type, "summary": contract.summary,
        "contentType": "application/cloudevents+json",
        "payload": _payload(contract),
        "x-cloudevents-type": contract.type,
    }


def _channel(contract: EventContract, message_id: str) -> dict[str, Any]:
    return {
        "address": contract.subject, "title": contract.subject,
        "description": f"JetStream stream {contract.stream}; CloudEvents of type "
                       f"{contract.type}.",
        "messages": {message_id: {"$ref": f"#/components/messages/{message_id}"}},
        "x-jetstream-stream": contract.stream,
    }


def _axis_inbox() -> tuple[dict[str, Any], dict[str, Any]]:
    subject = "axis.{agencyId}.inbox"
    channel = {
        "address": subject, "title": "Trục liên thông văn bản: hộp thư đến của một cơ quan",
        "description": "edXML packages (a document or a status package) for the agency; "
                       "partners outside the platform may publish here too. Not CloudEvents: "
                       "the message is the package itself, identified by Nats-Msg-Id.",
        "parameters": {"agencyId": {"description": "The receiving agency's electronic ID "
                                                   "(current form, e.g. H56.16)"}},
        "messages": {"EdxmlPackage": {"$ref": "#/components/messages/EdxmlPackage"}},
        "x-jetstream-stream": stream_for_subject("axis.x.inbox"),
    }
    message = {
        "name": "edxml.package", "title": "edXML package", "contentType": "application/xml",
        "summary": "An edXML document or status package (TCVN / QĐ 28/2018 format).",
        "payload": {"type": "string", "contentMediaType": "application/xml"},
        "headers": {"type": "object", "properties": {"Nats-Msg-Id": {"type": "string"}}},
    }
    return channel, message


def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {ENVELOPE: envelope_schema()}
    for contract in CONTRACTS.values():
        schema = contract.data_model.model_json_schema(ref_template=REF)
        schemas.update(schema.pop("$defs", {}))
        schemas[contract.data_model.__name__] = schema
    return schemas


@functools.cache
def asyncapi_document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for contract in sorted(CONTRACTS.values(), key=lambda c: c.subject):
        channel_id = _channel_id(contract.subject)
        message_id = channel_id
        messages[message_id] = _message(contract)
        channels[channel_id] = _channel(contract, message_id)
        operations[f"receive_{channel_id}"] = {
            "action": "receive", "channel": {"$ref": f"#/channels/{channel_id}"},
            "summary": contract.summary,
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{message_id}"}],
        }
    axis_channel, axis_message = _axis_inbox()
    channels["axis_agencyId_inbox"] = axis_channel
    messages["EdxmlPackage"] = axis_message
    operations["send_axis_inbox"] = {
        "action": "send", "channel": {"$ref": "#/channels/axis_agencyId_inbox"},
        "summary": "Deliver an edXML package to an agency's inbox.",
        "messages": [{"$ref": "#/channels/axis_agencyId_inbox/messages/EdxmlPackage"}],
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Chính quyền điện tử tỉnh: sự kiện (platform events)", "version": "1.0.0",
            "description": "Every event of the platform. CloudEvents 1.0 structured JSON on "
                           "NATS JetStream, one stream per publishing context ("
                           + ", ".join(f"{name}: {' '.join(subjects)}"
                                       for name, subjects in STREAMS.items())
                           + "). Partner systems read the events they are entitled to "
                             "through GET /api/v1/events.",
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {"nats": {"host": "127.0.0.1:4300", "protocol": "nats",
                             "description": "The platform's NATS (internal)."}},
        "channels": channels, "operations": operations,
        "components": {"messages": messages, "schemas": _schemas()},
    }
