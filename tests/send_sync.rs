//! Every public type meant to be shared across tasks is `Send + Sync`
//! (checked at compile time).

use schemabus::bus::{EventBus, SharedEvent};
use schemabus::codec::resolve::Resolver;
use schemabus::hybrid::HybridEventBus;
use schemabus::kafka::{
    BatchEventProducer, ConsumerHandle, EventProducer, KafkaConfig, KafkaError, KafkaEventBridge,
    MultiContextConsumer, SchemaIds,
};
use schemabus::registry::server::ServerOptions;
use schemabus::registry::{
    CachedRegistry, EmbeddedRegistry, HttpRegistry, RegistryError, SchemaRegistry,
};
use schemabus::topic::TopicMapper;
use schemabus::{Catalog, EventMetadata};

fn shareable<T: Send + Sync>() {}

#[test]
fn public_runtime_types_are_send_and_sync() {
    shareable::<EventBus>();
    shareable::<SharedEvent>();
    shareable::<EventMetadata>();
    shareable::<Catalog>();
    shareable::<Resolver>();
    shareable::<TopicMapper>();
    shareable::<KafkaConfig>();
    shareable::<KafkaError>();
    shareable::<EventProducer>();
    shareable::<BatchEventProducer>();
    shareable::<ConsumerHandle>();
    shareable::<MultiContextConsumer>();
    shareable::<KafkaEventBridge>();
    shareable::<HybridEventBus>();
    shareable::<SchemaIds>();
    shareable::<EmbeddedRegistry>();
    shareable::<HttpRegistry>();
    shareable::<CachedRegistry>();
    shareable::<RegistryError>();
    shareable::<ServerOptions>();
    shareable::<std::sync::Arc<dyn SchemaRegistry>>();
}
