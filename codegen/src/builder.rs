//! [`Builder`]: the build-script API, in the manner of `prost-build`.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::generate::generate;
use crate::model::Model;
use crate::resolve;

/// Compiles a directory of `.avsc` files into one Rust source file.
///
/// # Examples
///
/// In `build.rs`:
///
/// ```no_run
/// if let Err(e) = schemabus_codegen::Builder::new().schemas("schemas").compile() {
///     eprintln!("{e}");
///     std::process::exit(1);
/// }
/// ```
///
/// and in the crate:
///
/// ```ignore
/// pub mod events {
///     include!(concat!(env!("OUT_DIR"), "/events.rs"));
/// }
/// ```
#[derive(Clone, Debug)]
pub struct Builder {
    schemas: PathBuf,
    out_dir: Option<PathBuf>,
    file_name: String,
    emit_rerun_if_changed: bool,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    /// A builder reading `schemas/` and writing `$OUT_DIR/events.rs`.
    pub fn new() -> Self {
        Builder {
            schemas: PathBuf::from("schemas"),
            out_dir: None,
            file_name: "events.rs".to_owned(),
            emit_rerun_if_changed: true,
        }
    }

    /// The schema root: every `*.avsc` below it is compiled. Relative paths
    /// are relative to the crate's manifest directory (the build script's
    /// working directory). Default: `schemas`.
    pub fn schemas(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.schemas = dir.as_ref().to_path_buf();
        self
    }

    /// Where to write the generated file. Default: `$OUT_DIR`.
    pub fn out_dir(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.out_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// The generated file's name. Default: `events.rs`.
    pub fn file_name(&mut self, name: impl Into<String>) -> &mut Self {
        self.file_name = name.into();
        self
    }

    /// Whether [`compile`](Self::compile) prints `cargo:rerun-if-changed`
    /// for the schema root and every schema file. Default: `true`.
    pub fn emit_rerun_if_changed(&mut self, emit: bool) -> &mut Self {
        self.emit_rerun_if_changed = emit;
        self
    }

    /// Loads and resolves every schema.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the directory or a file cannot be read,
    /// [`Error::Schema`] with every problem found, each with `file:line:col`.
    pub fn load(&self) -> Result<Model, Error> {
        resolve::load_dir(&self.schemas)
    }

    /// Generates the formatted Rust source, without writing anything.
    ///
    /// # Errors
    ///
    /// As [`load`](Self::load), plus schemas that cannot become Rust types.
    pub fn generate(&self) -> Result<String, Error> {
        let model = self.load()?;
        generate(&model, &self.schema_root_for_code())
    }

    /// Generates and writes the file (only when its content changed, so
    /// dependants are not rebuilt needlessly). Returns the file's path.
    ///
    /// # Errors
    ///
    /// As [`generate`](Self::generate), plus [`Error::Io`] when writing fails
    /// or no output directory is known (`OUT_DIR` unset outside build scripts).
    pub fn compile(&self) -> Result<PathBuf, Error> {
        let model = self.load()?;
        if model.files.is_empty() {
            println!(
                "cargo:warning=no .avsc files under `{}`: nothing to generate",
                self.schemas.display()
            );
        }
        if self.emit_rerun_if_changed {
            println!("cargo:rerun-if-changed={}", self.schemas.display());
            for file in &model.files {
                println!("cargo:rerun-if-changed={}", file.path.display());
            }
        }
        // The build script runs in the manifest directory; generated code is
        // compiled elsewhere, so it names the schemas by absolute path.
        let root = std::env::current_dir()
            .map(|dir| dir.join(&self.schemas))
            .map_err(|source| Error::Io {
                path: self.schemas.clone(),
                source,
            })?;
        let source = generate(&model, &root.to_string_lossy().replace('\\', "/"))?;
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or_else(|| Error::Io {
                    path: PathBuf::from("$OUT_DIR"),
                    source: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "OUT_DIR is not set: call compile() from a build script or set out_dir()",
                    ),
                })?,
        };
        let path = out_dir.join(&self.file_name);
        let unchanged = std::fs::read_to_string(&path).is_ok_and(|old| old == source);
        if !unchanged {
            std::fs::write(&path, source).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
        }
        Ok(path)
    }

    /// The schema root as generated code names it (`/` separators).
    fn schema_root_for_code(&self) -> String {
        self.schemas.to_string_lossy().replace('\\', "/")
    }
}
