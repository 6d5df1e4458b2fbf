//! Public runtime types can cross threads.

use schemabus_runtime::codec::cloudevents::{CloudEventError, Envelope};
use schemabus_runtime::codec::resolve::{ResolveError, Resolver};
use schemabus_runtime::codec::wire::{Format, WireError};
use schemabus_runtime::types::ParseDecimalError;
use schemabus_runtime::{Decimal, DecodeError, Duration, EncodeError, EventMetadata};

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn public_types_are_send_and_sync() {
    assert_send_sync::<DecodeError>();
    assert_send_sync::<EncodeError>();
    assert_send_sync::<EventMetadata>();
    assert_send_sync::<Decimal>();
    assert_send_sync::<Duration>();
    assert_send_sync::<ParseDecimalError>();
    assert_send_sync::<Resolver>();
    assert_send_sync::<ResolveError>();
    assert_send_sync::<CloudEventError>();
    assert_send_sync::<Envelope<'static>>();
    assert_send_sync::<WireError>();
    assert_send_sync::<Format>();
}
