//! docs/configuration.md against the option declarations: its option table is exactly what the
//! declarations give (name, type, default, environment variable, marks, summary), and every TOML
//! example in the docs parses. `UPDATE_CONFIG_REFERENCE=1 cargo test -p hazelcast --test
//! config_reference` rewrites the table from the declarations.

use std::path::{Path, PathBuf};

use hazelcast::{ClientConfig, Mark};

const BEGIN: &str = "<!-- options-table:begin (generated from crates/hazelcast/src/config/options.rs; checked by crates/hazelcast/tests/config_reference.rs) -->";
const END: &str = "<!-- options-table:end -->";

fn docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs")
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The table the declarations give.
fn table() -> String {
    let mut out = String::from(
        "| option | type | default | environment | | meaning |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    for o in ClientConfig::options() {
        let marks: Vec<String> = o
            .marks()
            .iter()
            .map(|m| match m {
                Mark::Secret => "secret".to_owned(),
                Mark::Extension => "**(extension)**".to_owned(),
                Mark::Differs => "**(differs)**".to_owned(),
                Mark::Alias(a) => format!("also `{a}`"),
                _ => String::new(),
            })
            .collect();
        out.push_str(&format!(
            "| `{}` | {} | `{}` | `{}` | {} | {} |\n",
            o.name(),
            cell(o.type_name()),
            cell(&o.default_value()),
            o.env_var(),
            marks.join(", "),
            cell(&o.summary()),
        ));
    }
    out
}

#[test]
fn the_option_table_is_the_declarations() {
    let path = docs().join("configuration.md");
    let text = std::fs::read_to_string(&path).expect("docs/configuration.md");
    let begin = text.find(BEGIN).expect("the table's begin marker");
    let end = text.find(END).expect("the table's end marker");
    let current = &text[begin + BEGIN.len()..end];
    let want = format!("\n{}", table());
    if current != want {
        if std::env::var_os("UPDATE_CONFIG_REFERENCE").is_some() {
            let updated = format!("{}{BEGIN}{want}{}", &text[..begin], &text[end..]);
            std::fs::write(&path, updated).expect("write docs/configuration.md");
            return;
        }
        panic!(
            "docs/configuration.md's option table differs from the declarations; run \
             UPDATE_CONFIG_REFERENCE=1 cargo test -p hazelcast --test config_reference\nexpected:\n{want}"
        );
    }
}

#[test]
fn every_option_has_a_section_in_the_reference() {
    let text = std::fs::read_to_string(docs().join("configuration.md")).expect("docs/configuration.md");
    let after_table = &text[text.find(END).expect("end marker")..];
    for o in ClientConfig::options() {
        assert!(
            after_table.contains(&format!("**`{}`**", o.name())),
            "no section for {}",
            o.name()
        );
    }
}

/// Every ```toml block of these pages that is a client configuration parses.
#[test]
fn the_toml_examples_parse() {
    let mut checked = 0;
    for page in ["configuration.md", "network.md", "getting-started.md"] {
        let text = std::fs::read_to_string(docs().join(page)).expect(page);
        let mut rest = text.as_str();
        while let Some(start) = rest.find("```toml\n") {
            let body = &rest[start + 8..];
            let end = body.find("```").expect("closed block");
            let block = &body[..end];
            rest = &body[end + 3..];
            if block.contains("[dependencies]") {
                continue; // a Cargo manifest
            }
            let mut config =
                ClientConfig::from_toml_str(block).unwrap_or_else(|e| panic!("{page}: {e}\n{block}"));
            config.cluster_members.clear();
            checked += 1;
        }
    }
    assert!(checked >= 3, "{checked} blocks");
}
