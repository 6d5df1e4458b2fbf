//! A schema registry server for tests: `schemabus`'s own, in memory, on a
//! free loopback port, running on the test's runtime.

#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use schemabus::registry::server::{serve, ServerOptions};
use schemabus::registry::EmbeddedRegistry;

/// Starts a server with `options`; its URL.
pub async fn registry_server_with(options: ServerOptions) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve(
        listener,
        Arc::new(EmbeddedRegistry::in_memory()),
        options,
    ));
    url
}

/// Starts a server with the default options; its URL.
pub async fn registry_server() -> String {
    registry_server_with(ServerOptions::new()).await
}
