#!/usr/bin/env python3
"""Drives a schema registry with Confluent's SchemaRegistryClient.

    registry_client.py --registry URL --subject SUBJECT --schema V1 \
        --compatible V2 --incompatible V3

V2 must be FULL-compatible with V1 (say, a field added with a default), V3
incompatible with it at BACKWARD (say, a required field added). The script
registers V1 (twice, from two clients), lists subjects and versions, gets the
latest version, looks V1 up, fetches it by id, tests V2 and V3 for
compatibility, sets the subject's level to FULL and reads it back (and the
global level), registers V3 (refused) and V2.

Prints one JSON object with each answer (see the keys below); an unexpected
error exits 1 with {"error", "step"}.
"""

import argparse
import json
import sys

try:
    from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
    from confluent_kafka.schema_registry.error import SchemaRegistryError
except ImportError as e:  # pragma: no cover - reported to the Rust driver
    print(f"confluent-kafka[avro,schemaregistry] is not installed ({e}): "
          "run the tests through scripts/with-broker", file=sys.stderr)
    sys.exit(3)


def registered(r):
    return {"subject": r.subject, "id": r.schema_id, "version": r.version, "schema": r.schema.schema_str}


def error(e):
    return {"http_status": e.http_status_code, "error_code": e.error_code, "message": e.error_message}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", required=True)
    parser.add_argument("--subject", required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--compatible", required=True)
    parser.add_argument("--incompatible", required=True)
    args = parser.parse_args()

    v1, v2, v3 = (Schema(s, "AVRO") for s in (args.schema, args.compatible, args.incompatible))
    client = SchemaRegistryClient({"url": args.registry})
    subject = args.subject
    out = {}
    step = "start"
    try:
        step = "get_schema_types"
        out["schema_types"] = client.get_schema_types()
        step = "register_schema"
        out["id"] = client.register_schema(subject, v1)
        step = "register_schema again (a new client: no cache)"
        out["id_again"] = SchemaRegistryClient({"url": args.registry}).register_schema(subject, v1)
        step = "get_subjects"
        out["subjects"] = client.get_subjects()
        step = "get_versions"
        out["versions"] = client.get_versions(subject)
        step = "get_latest_version"
        out["latest"] = registered(client.get_latest_version(subject))
        step = "get_version"
        out["version_1"] = registered(client.get_version(subject, 1))
        step = "lookup_schema"
        out["lookup"] = registered(client.lookup_schema(subject, v1))
        step = "get_schema"
        out["by_id"] = SchemaRegistryClient({"url": args.registry}).get_schema(out["id"]).schema_str
        step = "get_schema_versions"
        out["id_versions"] = [{"subject": sv.subject, "version": sv.version}
                              for sv in client.get_schema_versions(out["id"])]
        step = "test_compatibility"
        out["compatible"] = client.test_compatibility(subject, v2)
        out["incompatible"] = client.test_compatibility(subject, v3)
        out["incompatible_all_versions"] = client.test_compatibility_all_versions(subject, v3)
        step = "get_compatibility (global)"
        out["global_level"] = client.get_compatibility()
        step = "set_compatibility"
        out["set_level"] = client.set_compatibility(subject, "FULL")
        step = "get_compatibility (subject)"
        out["subject_level"] = client.get_compatibility(subject)
        step = "get_config (subject)"
        out["subject_config"] = client.get_config(subject).compatibility_level.value
        step = "test_compatibility at FULL"
        out["compatible_at_full"] = client.test_compatibility(subject, v2)
        step = "register the incompatible schema"
        try:
            client.register_schema(subject, v3)
            out["incompatible_register"] = None
        except SchemaRegistryError as e:
            out["incompatible_register"] = error(e)
        step = "register the compatible schema"
        out["id_v2"] = client.register_schema(subject, v2)
        out["versions_after"] = client.get_versions(subject)
        step = "get_version of a missing subject"
        try:
            client.get_latest_version(subject + ".missing")
            out["missing"] = None
        except SchemaRegistryError as e:
            out["missing"] = error(e)
    except Exception as e:  # noqa: BLE001 - reported to the Rust driver
        print(json.dumps({"error": f"{type(e).__name__}: {e}", "step": step, "so_far": out}, default=str))
        return 1
    print(json.dumps(out, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
