//! `schemabus check --registry URL`: the history of each subject as a live
//! registry has it.

use std::collections::BTreeMap;

use anyhow::Context;
use schemabus::registry::{RegistryError, SchemaRegistry, Version};

use super::InputError;

/// Every registered version of each of `subjects` (subjects the registry
/// does not know have no history).
pub fn fetch<'a>(
    url: &str,
    subjects: impl Iterator<Item = &'a String>,
) -> anyhow::Result<BTreeMap<String, Vec<(u32, String)>>> {
    let registry = super::super::http_registry(Some(url))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting a runtime")?;
    runtime.block_on(async {
        let mut history = BTreeMap::new();
        for subject in subjects {
            let versions = match registry.versions(subject).await {
                Ok(versions) => versions,
                Err(RegistryError::SubjectNotFound(_)) => continue,
                Err(e) => {
                    return Err(
                        InputError::Message(format!("reading `{subject}` from {url}: {e}")).into(),
                    )
                }
            };
            let mut schemas = Vec::with_capacity(versions.len());
            for version in versions {
                let found = registry
                    .version(subject, Version::Number(version))
                    .await
                    .map_err(|e| {
                        InputError::Message(format!("reading `{subject}` from {url}: {e}"))
                    })?;
                schemas.push((version, found.schema));
            }
            history.insert(subject.clone(), schemas);
        }
        Ok(history)
    })
}
