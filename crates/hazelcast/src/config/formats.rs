//! Configuration files and strings: TOML, YAML and JSON (each behind its Cargo feature), read
//! into a [`Document`] of raw values, then option by option into a [`ClientConfig`].
//!
//! A parser only ever sees [`Raw`] values, which accept anything, so it can only report syntax
//! errors, and those are given by their message and position, never with the source line (which
//! could hold a secret). What is wrong with a value is reported by its option, which does not
//! show a secret's value.

use std::path::Path;

use super::value::{Document, Raw};
use super::{ClientConfig, spec};
use crate::error::ConfigError;

/// The file formats [`ClientConfig`] loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigFormat {
    /// TOML (`.toml`; Cargo feature `toml`).
    Toml,
    /// YAML (`.yaml`, `.yml`; Cargo feature `yaml`).
    Yaml,
    /// JSON (`.json`; Cargo feature `json`).
    Json,
}

impl ConfigFormat {
    /// `TOML`, `YAML` or `JSON`.
    pub fn name(self) -> &'static str {
        match self {
            ConfigFormat::Toml => "TOML",
            ConfigFormat::Yaml => "YAML",
            ConfigFormat::Json => "JSON",
        }
    }

    /// The Cargo feature that reads it.
    pub fn feature(self) -> &'static str {
        match self {
            ConfigFormat::Toml => "toml",
            ConfigFormat::Yaml => "yaml",
            ConfigFormat::Json => "json",
        }
    }

    /// Whether this build reads the format (its Cargo feature is on).
    pub fn is_enabled(self) -> bool {
        match self {
            ConfigFormat::Toml => cfg!(feature = "toml"),
            ConfigFormat::Yaml => cfg!(feature = "yaml"),
            ConfigFormat::Json => cfg!(feature = "json"),
        }
    }

    /// The format of a file, from its extension.
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "toml" => Some(ConfigFormat::Toml),
            "yaml" | "yml" => Some(ConfigFormat::Yaml),
            "json" => Some(ConfigFormat::Json),
            _ => None,
        }
    }
}

/// Parses `text` into its options, or the parser's message (with the position, without any
/// source text).
#[cfg_attr(
    not(all(feature = "toml", feature = "yaml", feature = "json")),
    allow(unused_variables)
)]
fn document(text: &str, format: ConfigFormat) -> Result<Document, ConfigError> {
    let syntax = |message: String| ConfigError::Parse {
        format: format.name(),
        source_name: None,
        message,
    };
    match format {
        #[cfg(feature = "toml")]
        ConfigFormat::Toml => toml::from_str(text).map_err(|e| syntax(toml_message(text, &e))),
        #[cfg(feature = "yaml")]
        ConfigFormat::Yaml => {
            if text.trim().is_empty() {
                return Ok(Document(Vec::new()));
            }
            let mut options = serde_saphyr::Options::default();
            options.with_snippet = false;
            serde_saphyr::from_str_with_options(text, options)
                .map_err(|e| syntax(e.without_snippet().to_string()))
        }
        #[cfg(feature = "json")]
        ConfigFormat::Json => serde_json::from_str(text).map_err(|e| syntax(e.to_string())),
        #[allow(unreachable_patterns)]
        _ => Err(ConfigError::FormatNotEnabled {
            format: format.name(),
            feature: format.feature(),
        }),
    }
}

/// The TOML parser's message and the position of its span. (`Display` would quote the
/// source line.)
#[cfg(feature = "toml")]
fn toml_message(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim_end();
    let Some(span) = e.span() else {
        return message.to_owned();
    };
    let start = span.start.min(text.len());
    let before = text.get(..start).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("{message} at line {line} column {column}")
}

impl ClientConfig {
    /// Sets the options of `entries` (file names or aliases) on `self`.
    pub(crate) fn apply_document(&mut self, entries: Vec<(String, Raw)>) -> Result<(), ConfigError> {
        for (key, raw) in entries {
            let Some(spec) = spec(&key, true) else {
                return Err(ConfigError::UnknownOption { key });
            };
            let shown = super::shown(spec, &raw);
            self.set_raw(spec.name, raw)
                .map_err(|reason| ConfigError::InvalidValue {
                    key: spec.name,
                    value: shown,
                    reason: reason.into_owned(),
                })?;
        }
        Ok(())
    }

    /// Parses `text` in `format` onto the defaults and checks the values.
    pub(crate) fn parse(
        text: &str,
        format: ConfigFormat,
        source_name: Option<String>,
    ) -> Result<Self, ConfigError> {
        let in_source = |e: ConfigError| match e {
            ConfigError::Parse { format, message, .. } => ConfigError::Parse {
                format,
                source_name: source_name.clone(),
                message,
            },
            other => other,
        };
        let doc = document(text, format).map_err(in_source)?;
        let mut config = ClientConfig::default();
        config.apply_document(doc.0)?;
        config.check_values()?;
        Ok(config)
    }
}
