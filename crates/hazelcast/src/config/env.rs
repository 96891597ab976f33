//! `HZ_*` environment variables.

use super::value::Raw;
use super::{ClientConfig, ENV_PREFIX, spec};
use crate::error::ConfigError;

impl ClientConfig {
    /// Applies the `HZ_*` environment variables of this process (see
    /// [`ClientConfig::apply_env_from`]).
    pub fn apply_env(self) -> Result<Self, ConfigError> {
        self.apply_env_from(std::env::vars())
    }

    /// Applies overrides from `(variable, value)` pairs: `HZ_<OPTION>` in upper case sets
    /// `<option>`. Booleans accept `true/false/1/0/yes/no/on/off`; `use_public_ip` also `auto`
    /// (unset); lists (`cluster_members`, `labels`) are comma separated; durations are seconds or
    /// humane strings (`500ms`, `2m`). Variables that name no option (`HZ_VERSION`, …) are
    /// ignored. A secret's value never appears in an error.
    ///
    /// ```
    /// use hazelcast::ClientConfig;
    /// let config = ClientConfig::default().apply_env_from([
    ///     ("HZ_CLUSTER_NAME".to_string(), "staging".to_string()),
    ///     ("HZ_CLUSTER_MEMBERS".to_string(), "10.0.0.1, 10.0.0.2:5702".to_string()),
    ///     ("HZ_SMART_ROUTING".to_string(), "false".to_string()),
    /// ])?;
    /// assert_eq!(config.cluster_name, "staging");
    /// assert_eq!(config.cluster_members, ["10.0.0.1", "10.0.0.2:5702"]);
    /// assert!(!config.smart_routing);
    /// # Ok::<(), hazelcast::ConfigError>(())
    /// ```
    pub fn apply_env_from<I, K, V>(mut self, vars: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        for (var, val) in vars {
            let (var, val) = (var.as_ref(), val.as_ref());
            let Some(rest) = var.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let Some(spec) = spec(&rest.to_ascii_lowercase(), false) else {
                continue;
            };
            let raw = if spec.list {
                Raw::List(
                    val.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| Raw::Str(s.to_owned()))
                        .collect(),
                )
            } else {
                Raw::Str(val.to_owned())
            };
            self.set_raw(spec.name, raw)
                .map_err(|reason| ConfigError::Environment {
                    variable: var.to_owned(),
                    key: spec.name,
                    value: if spec.is_secret() {
                        "(not shown)".into()
                    } else {
                        val.to_owned()
                    },
                    reason: reason.into_owned(),
                })?;
        }
        self.check_values()?;
        Ok(self)
    }
}
