#!/usr/bin/env python3
"""Writes records with Confluent's AvroSerializer, as a Python service would.

    produce_avro.py --bootstrap HOST:PORT --registry URL --topic TOPIC \
        --schema SCHEMA_JSON --records '[{...}, ...]' [--key-field FIELD] \
        [--source SOURCE] [--context CONTEXT] [--no-cloudevents]

Each record (the event's fields as JSON; uuids as strings, enums as symbols)
is serialized by AvroSerializer with record_subject_name_strategy (subject =
the record's full name, schemabus's RecordName default) and auto-registration,
in the Confluent wire format. Unless --no-cloudevents, it carries the
CloudEvents binary-mode headers schemabus reads: ce_specversion, ce_id (a new
UUID), ce_source, ce_type (the record's full name), ce_time (now, UTC,
microseconds), ce_subject (the key), ce_context and content-type.

Prints one JSON object: {"subject", "schema_id", "records": [{"key",
"partition", "offset", "headers"}]}. Exits 1 with {"error"} on failure.
"""

import argparse
import json
import sys
import uuid
from datetime import datetime, timezone

try:
    from confluent_kafka import Producer
    from confluent_kafka.schema_registry import SchemaRegistryClient, record_subject_name_strategy
    from confluent_kafka.schema_registry.avro import AvroSerializer
    from confluent_kafka.serialization import MessageField, SerializationContext
except ImportError as e:  # pragma: no cover - reported to the Rust driver
    print(f"confluent-kafka[avro,schemaregistry] is not installed ({e}): "
          "run the tests through scripts/with-broker", file=sys.stderr)
    sys.exit(3)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--registry", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--schema", required=True, help="the Avro schema, JSON")
    parser.add_argument("--records", required=True, help="a JSON list of records")
    parser.add_argument("--key-field", help="the field whose value is the key (and ce_subject)")
    parser.add_argument("--source", default="python-interop")
    parser.add_argument("--context")
    parser.add_argument("--no-cloudevents", action="store_true")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()

    schema = json.loads(args.schema)
    full_name = schema["name"] if "." in schema["name"] else f'{schema.get("namespace", "")}.{schema["name"]}'
    records = json.loads(args.records)

    registry = SchemaRegistryClient({"url": args.registry})
    serializer = AvroSerializer(
        registry,
        args.schema,
        conf={"subject.name.strategy": record_subject_name_strategy, "auto.register.schemas": True},
    )
    producer = Producer({"bootstrap.servers": args.bootstrap, "acks": "all", "linger.ms": 0})

    out, errors = [], []

    def on_delivery(entry):
        def report(err, msg):
            if err is not None:
                errors.append(str(err))
            else:
                entry["partition"] = msg.partition()
                entry["offset"] = msg.offset()
        return report

    schema_id = None
    for record in records:
        key = str(record[args.key_field]) if args.key_field else None
        headers = []
        if not args.no_cloudevents:
            now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            headers = [
                ("ce_specversion", "1.0"),
                ("ce_id", str(uuid.uuid4())),
                ("ce_source", args.source),
                ("ce_type", full_name),
                ("ce_time", now),
            ]
            if key is not None:
                headers.append(("ce_subject", key))
            if args.context:
                headers.append(("ce_context", args.context))
            headers.append(("content-type", "application/avro"))
        ctx = SerializationContext(args.topic, MessageField.VALUE, headers)
        value = serializer(record, ctx)
        schema_id = int.from_bytes(value[1:5], "big")
        entry = {"key": key, "headers": dict(headers)}
        out.append(entry)
        producer.produce(args.topic, key=key, value=value, headers=headers, on_delivery=on_delivery(entry))
    remaining = producer.flush(args.timeout)
    if errors or remaining:
        print(json.dumps({"error": f"delivery failed: {errors}, {remaining} not delivered"}))
        return 1
    print(json.dumps({"subject": full_name, "schema_id": schema_id, "records": out}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
