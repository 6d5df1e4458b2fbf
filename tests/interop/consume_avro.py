#!/usr/bin/env python3
"""Reads records with Confluent's AvroDeserializer, as a Python service would.

    consume_avro.py --bootstrap HOST:PORT --registry URL --topic TOPIC \
        --count N [--timeout SECONDS]

Reads every partition of TOPIC from the beginning (assigned, outside any
consumer group) until N records arrived, decoding each value with
AvroDeserializer: the writer schema fetched from the registry by the id in
the Confluent wire format.

Prints one JSON object: {"records": [{"key", "partition", "offset",
"schema_id", "headers", "value"}]}, values as the decoded dicts (uuids and
other non-JSON values as strings). Exits 1 with {"error"} on a timeout or a
record that does not decode.
"""

import argparse
import json
import sys
import time
import uuid

try:
    from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
    from confluent_kafka.schema_registry import SchemaRegistryClient
    from confluent_kafka.schema_registry.avro import AvroDeserializer
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
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()

    deserializer = AvroDeserializer(SchemaRegistryClient({"url": args.registry}))
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": f"interop-{uuid.uuid4()}",
        "enable.auto.commit": False,
    })
    deadline = time.monotonic() + args.timeout
    try:
        metadata = consumer.list_topics(args.topic, timeout=args.timeout)
        partitions = sorted(metadata.topics[args.topic].partitions)
        consumer.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in partitions])
        records = []
        while len(records) < args.count:
            if time.monotonic() > deadline:
                print(json.dumps({"error": f"read {len(records)} of {args.count} records in {args.timeout}s",
                                  "records": records}, default=str))
                return 1
            msg = consumer.poll(0.2)
            if msg is None:
                continue
            if msg.error():
                print(json.dumps({"error": str(msg.error())}))
                return 1
            headers = {k: (v.decode("utf-8", "replace") if v is not None else None)
                       for k, v in (msg.headers() or [])}
            ctx = SerializationContext(msg.topic(), MessageField.VALUE, msg.headers())
            payload = msg.value()
            records.append({
                "key": msg.key().decode("utf-8") if msg.key() is not None else None,
                "partition": msg.partition(),
                "offset": msg.offset(),
                "schema_id": int.from_bytes(payload[1:5], "big") if payload and len(payload) >= 5 else None,
                "headers": headers,
                "value": deserializer(payload, ctx),
            })
    finally:
        consumer.close()
    print(json.dumps({"records": records}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
