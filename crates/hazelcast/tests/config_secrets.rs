//! No secret value in any configuration error: every secret option, every format (TOML, YAML,
//! JSON, environment), values of the wrong type and malformed documents around the secret.

use hazelcast::{ClientConfig, ConfigError, ConfigFormat};

const SECRET: &str = "S3cr3tV4lue";
const SECRET_NUMBER: &str = "908172634";

fn secret_keys() -> Vec<&'static str> {
    let keys: Vec<_> = ClientConfig::options()
        .iter()
        .filter(|o| o.is_secret())
        .map(|o| o.name())
        .collect();
    assert_eq!(
        keys,
        ["creds_password", "ssl_password", "cloud_discovery_token"],
        "the secret options"
    );
    keys
}

/// Documents that must fail, each holding the secret (or its digits) next to `key`.
fn broken_documents(key: &str) -> Vec<(ConfigFormat, String)> {
    let s = SECRET;
    let n = SECRET_NUMBER;
    vec![
        // TOML: a number, a bare word, an unterminated string, a multi-line string that never
        // ends, a bad escape, a multi-line string followed by garbage, a table.
        (ConfigFormat::Toml, format!("{key} = {n}\n")),
        (ConfigFormat::Toml, format!("{key} = {s}\n")),
        (ConfigFormat::Toml, format!("{key} = \"{s}\n")),
        (ConfigFormat::Toml, format!("{key} = \"\"\"\n{s}\n")),
        (ConfigFormat::Toml, format!("{key} = \"{s}\\q\"\n")),
        (ConfigFormat::Toml, format!("{key} = \"\"\"\n{s}\n\"\"\" x\n")),
        (
            ConfigFormat::Toml,
            format!("{key} = \"\"\"\n{s}\n\"\"\"\n{key} = \"{s}\"\n"),
        ),
        (ConfigFormat::Toml, format!("{key} = {{ v = \"{s}\" }}\n")),
        (ConfigFormat::Toml, format!("{key} = [\"{s}\"]\n")),
        // JSON.
        (ConfigFormat::Json, format!("{{\"{key}\": {n}}}")),
        (ConfigFormat::Json, format!("{{\"{key}\": {s}}}")),
        (ConfigFormat::Json, format!("{{\"{key}\": \"{s}")),
        (ConfigFormat::Json, format!("{{\"{key}\": \"{s}\\q\"}}")),
        (ConfigFormat::Json, format!("{{\"{key}\": \"{s}\" \"x\": 1}}")),
        (ConfigFormat::Json, format!("{{\"{key}\": [\"{s}\"]}}")),
        (
            ConfigFormat::Json,
            format!("{{\"{key}\": \"{s}\", \"{key}\": \"{s}\"}}"),
        ),
        (ConfigFormat::Json, format!("{{\"{key}\": true, \"x{s}\": 1}}")),
        // YAML.
        (ConfigFormat::Yaml, format!("{key}: {n}\n")),
        (ConfigFormat::Yaml, format!("{key}: \"{s}\n")),
        (ConfigFormat::Yaml, format!("{key}: \"{s}\\q\"\n")),
        (ConfigFormat::Yaml, format!("{key}: [{s}\n")),
        (ConfigFormat::Yaml, format!("{key}: {s}\n  bad: indentation\n")),
        (ConfigFormat::Yaml, format!("{key}: |\n  {s}\n x: 1\n")),
        (ConfigFormat::Yaml, format!("{key}: {{v: {s}}}\n")),
        (ConfigFormat::Yaml, format!("{key}: '{s}'\n{key}: '{s}'\n")),
        (ConfigFormat::Yaml, format!("{key}: !!binary {s}\n")),
    ]
}

fn assert_hidden(what: &str, e: &ConfigError) {
    let mut texts = vec![e.to_string(), format!("{e:?}")];
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        texts.push(s.to_string());
        source = s.source();
    }
    for text in texts {
        assert!(
            !text.contains(SECRET) && !text.contains(SECRET_NUMBER),
            "{what}: the error shows the secret: {text}"
        );
    }
}

#[test]
fn no_secret_in_any_parse_error() {
    for key in secret_keys() {
        for (format, doc) in broken_documents(key) {
            let what = format!("{} {doc:?}", format.name());
            match ClientConfig::from_str_in(&doc, format) {
                Ok(_) => panic!("{what}: accepted"),
                Err(e) => assert_hidden(&what, &e),
            }
        }
    }
}

#[test]
fn a_secret_of_the_wrong_type_is_named_but_not_shown() {
    for key in secret_keys() {
        let e = ClientConfig::from_json_str(&format!("{{\"{key}\": {SECRET_NUMBER}}}")).expect_err(key);
        assert_eq!(e.key(), Some(key), "{e}");
        assert_hidden(key, &e);
        let e = ClientConfig::from_toml_str(&format!("{key} = {SECRET_NUMBER}")).expect_err(key);
        assert_eq!(e.key(), Some(key), "{e}");
        assert_hidden(key, &e);
    }
}

#[test]
fn no_secret_in_environment_errors() {
    for key in secret_keys() {
        let var = format!("HZ_{}", key.to_ascii_uppercase());
        // A secret with another invalid option: the error is about the other one.
        let e = ClientConfig::default()
            .apply_env_from([(var.as_str(), SECRET), ("HZ_RETRY_JITTER", "zz")])
            .expect_err("bad jitter");
        assert_eq!(e.key(), Some("retry_jitter"), "{e}");
        assert_hidden(&var, &e);
        // A secret that conflicts or is invalid itself.
        let e = ClientConfig::default()
            .apply_env_from([
                (var.as_str(), SECRET),
                ("HZ_CLUSTER_MEMBERS", "10.0.0.1"),
                ("HZ_SSL_ENABLED", "maybe"),
            ])
            .expect_err("bad flag");
        assert_hidden(&var, &e);
    }
    let e = ClientConfig::default()
        .apply_env_from([
            ("HZ_CLOUD_DISCOVERY_TOKEN", SECRET),
            ("HZ_CLUSTER_MEMBERS", "10.0.0.1"),
        ])
        .expect_err("token and members conflict");
    assert!(matches!(e, ConfigError::Conflict { .. }), "{e:?}");
    assert_hidden("conflict", &e);
}

#[test]
fn a_valid_secret_is_read_in_every_format() {
    for key in secret_keys() {
        for (format, doc) in [
            (ConfigFormat::Toml, format!("{key} = \"\"\"\n{SECRET}\"\"\"\n")),
            (ConfigFormat::Json, format!("{{\"{key}\": \"{SECRET}\"}}")),
            (ConfigFormat::Yaml, format!("{key}: {SECRET}\n")),
        ] {
            let mut config = ClientConfig::from_str_in(&doc, format).expect(&doc);
            if key == "cloud_discovery_token" {
                config.cluster_members.clear();
            }
            let debug = format!("{config:?}");
            assert!(!debug.contains(SECRET), "Debug shows the secret: {debug}");
            let text = serde_json::to_string(&config).expect("serialize");
            assert!(text.contains(SECRET), "Serialize writes it: {text}");
        }
    }
}
