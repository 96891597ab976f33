//! The `declare_options!` macro: from one declaration per option it makes the
//! [`ClientConfig`](super::ClientConfig) struct and its `Default`, the key table ([`OptionSpec`]s)
//! that files, `HZ_*` variables and the reference use, reading and writing raw values, the
//! per-option checks, the builder's setters and the mapping onto the layers' configurations.

/// A mark on an option in the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mark {
    /// Its value is a secret: never shown in `Debug`, logs or errors.
    Secret,
    /// Not an option of the official clients.
    Extension,
    /// Its default or meaning differs from the Python client's.
    Differs,
    /// Also accepted in files under this name.
    Alias(&'static str),
}

/// One option as declared: what files, `HZ_*` variables, errors and the reference know of it.
#[derive(Debug, Clone, Copy)]
pub struct OptionSpec {
    pub(crate) name: &'static str,
    pub(crate) type_name: &'static str,
    pub(crate) list: bool,
    pub(crate) doc: &'static [&'static str],
    pub(crate) marks: &'static [Mark],
}

impl OptionSpec {
    /// The option's name, as files spell it (`connection_timeout`).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The environment variable that overrides it (`HZ_CONNECTION_TIMEOUT`).
    pub fn env_var(&self) -> String {
        format!("{}{}", super::ENV_PREFIX, self.name.to_ascii_uppercase())
    }

    /// The type of its value as the reference names it (`duration`, `bool`, `secret string`, …).
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// The first paragraph of its documentation, on one line.
    pub fn summary(&self) -> String {
        self.doc
            .iter()
            .map(|l| l.trim())
            .take_while(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Its default, in TOML syntax (`none` when unset).
    pub fn default_value(&self) -> String {
        if self.is_secret() {
            return super::value::Raw::Null.toml();
        }
        super::ClientConfig::default().raw_value(self.name).toml()
    }

    /// Whether its value is a secret.
    pub fn is_secret(&self) -> bool {
        self.marks.contains(&Mark::Secret)
    }

    /// Its marks.
    pub fn marks(&self) -> &'static [Mark] {
        self.marks
    }

    /// Another name files may use for it.
    pub fn alias(&self) -> Option<&'static str> {
        self.marks.iter().find_map(|m| match m {
            Mark::Alias(a) => Some(*a),
            _ => None,
        })
    }
}

macro_rules! mark {
    (secret) => {
        $crate::config::declare::Mark::Secret
    };
    (extension) => {
        $crate::config::declare::Mark::Extension
    };
    (differs) => {
        $crate::config::declare::Mark::Differs
    };
    (alias = $v:literal) => {
        $crate::config::declare::Mark::Alias($v)
    };
}

macro_rules! declare_options {
    (
        $(#[$meta:meta])*
        pub struct $Config:ident;
        $(
            $(#[doc = $doc:literal])*
            $name:ident : $ty:ty as $codec:ty = $default:expr ;
                set($arg:ident : $argty:ty) => $conv:expr ;
                check $check:expr ;
                map $map:expr ;
                [ $( $mark:ident $( = $mval:literal )? ),* ]
        )*
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct $Config {
            $(
                $(#[doc = $doc])*
                pub $name: $ty,
            )*
        }

        impl Default for $Config {
            fn default() -> Self {
                $Config { $( $name: $default, )* }
            }
        }

        /// Every option, in the order of the declaration.
        pub(crate) static SPECS: &[$crate::config::declare::OptionSpec] = &[
            $(
                $crate::config::declare::OptionSpec {
                    name: stringify!($name),
                    type_name: <$codec as $crate::config::value::Codec>::TYPE,
                    list: <$codec as $crate::config::value::Codec>::LIST,
                    doc: &[$($doc),*],
                    marks: &[$( mark!($mark $(= $mval)?) ),*],
                },
            )*
        ];

        impl $Config {
            /// Reads `raw` into the option `key` (a name of [`SPECS`]).
            pub(crate) fn set_raw(
                &mut self,
                key: &str,
                raw: $crate::config::value::Raw,
            ) -> Result<(), $crate::config::value::Reason> {
                match key {
                    $( stringify!($name) => {
                        self.$name = <$codec as $crate::config::value::Codec>::decode(raw)?;
                    } )*
                    _ => {}
                }
                Ok(())
            }

            /// The option `key` as a file writes it.
            pub(crate) fn raw_value(&self, key: &str) -> $crate::config::value::Raw {
                match key {
                    $( stringify!($name) => <$codec as $crate::config::value::Codec>::encode(&self.$name), )*
                    _ => $crate::config::value::Raw::Null,
                }
            }

            /// The checks each option makes of its own value.
            pub(crate) fn check_each(&self) -> Result<(), $crate::error::ConfigError> {
                $( {
                    let check: fn(&$ty) -> Result<(), $crate::config::value::Reason> = $check;
                    if let Err(reason) = check(&self.$name) {
                        return Err($crate::config::invalid_value(
                            stringify!($name),
                            self.raw_value(stringify!($name)),
                            reason,
                        ));
                    }
                } )*
                Ok(())
            }

            /// Hands every option to the layer that uses it.
            pub(crate) fn to_layers(&self, layers: &mut $crate::config::layers::Layers) {
                $( {
                    let map: fn(&mut $crate::config::layers::Layers, &$ty) = $map;
                    map(layers, &self.$name);
                } )*
            }
        }

        impl ClientConfigBuilder {
            $(
                #[doc = concat!("Sets [`", stringify!($name), "`](", stringify!($Config), "::", stringify!($name), ").")]
                pub fn $name(mut self, $arg: $argty) -> Self {
                    self.config.$name = $conv;
                    self
                }
            )*
        }
    };
}
