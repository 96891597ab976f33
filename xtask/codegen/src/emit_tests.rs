//! The codec's generated tests (`crates/hazelcast-codec/tests/generated/`): a round trip of every
//! request, response and event with property-generated values (`Sample` values drawn from a
//! proptest runner's random source), service by service, and `Sample` for every custom type.
//! The hand-written support (the `Sample` trait, the round-trip checks) is in
//! `tests/common/sample.rs`.

use std::fmt::Write as _;

use super::emit::{Field, HEADER, fields, method_names, module_name};
use super::model::{Definitions, Method, Service};
use super::names::snake;
use super::wire::{Resolver, mapped};

/// Expressions drawing each field: `let p_x: T = sample(rng);` (later fields: only when `later`).
/// A type of the codec crate as the tests name it.
fn outside(ty: &str) -> String {
    ty.replace("crate::", "hazelcast_codec::")
}

fn draw(out: &mut String, fs: &[Field<'_>], later_var: &str) {
    for f in fs {
        if f.param.later {
            let _ = writeln!(
                out,
                "        let p_{}: Option<{}> = if {later_var} {{ Some(sample(rng)) }} else {{ None }};",
                f.name,
                outside(&f.ty.owned)
            );
        } else {
            let _ = writeln!(
                out,
                "        let p_{}: {} = sample(rng);",
                f.name,
                outside(&f.ty.owned)
            );
        }
    }
}

fn args(fs: &[Field<'_>]) -> String {
    fs.iter()
        .map(|f| format!("p_{}", f.name))
        .collect::<Vec<_>>()
        .join(", ")
}

fn request_check(out: &mut String, n: &str, fs: &[Field<'_>]) {
    for f in fs {
        let _ = writeln!(
            out,
            "        let p_{}: {} = sample(rng);",
            f.name,
            outside(&f.ty.owned)
        );
    }
    let _ = writeln!(out, "        let request = {n} {{");
    for f in fs {
        let _ = writeln!(
            out,
            "            {}: {},",
            f.name,
            f.ty.borrow_expr(&format!("p_{}", f.name))
        );
    }
    let _ = writeln!(out, "        }};");
    let _ = writeln!(out, "        let decoded = request_roundtrip(&request, rng);");
    for f in fs {
        if f.param.later {
            let _ = writeln!(out, "        assert_eq!(decoded.{}, Some(p_{}));", f.name, f.name);
        } else {
            let _ = writeln!(out, "        assert_eq!(decoded.{}, p_{});", f.name, f.name);
        }
    }
}

fn reply_check(out: &mut String, ty: &str, fs: &[Field<'_>], event: bool) {
    let _ = writeln!(out, "        let later = coin(rng);");
    draw(out, fs, "later");
    let _ = writeln!(out, "        let value = {ty}::new({});", args(fs));
    let _ = writeln!(out, "        reply_roundtrip(&value, {event}, rng);");
}

fn method_test(out: &mut String, res: &Resolver<'_>, s: &Service, m: &Method) -> Result<(), String> {
    let n = method_names(s, m);
    let whose = format!("{}.{}", s.name, m.name);
    let _ = writeln!(out, "#[test]\nfn {}_codecs() {{", snake(&m.name));
    let _ = writeln!(out, "    check({:?}, |rng| {{", n.protocol);
    let _ = writeln!(out, "        // {}", n.request);
    request_check(out, &n.request, &fields(res, &m.request, &whose)?);
    let _ = writeln!(out, "        // {}", n.response);
    let _ = writeln!(out, "        {{");
    reply_check(out, &n.response, &fields(res, &m.response, &whose)?, false);
    let _ = writeln!(out, "        }}");
    for (i, e) in m.events.iter().enumerate() {
        let _ = writeln!(out, "        // {}", n.events[i]);
        let _ = writeln!(out, "        {{");
        reply_check(
            out,
            &n.events[i],
            &fields(res, &e.params, &format!("{whose}.{}", e.name))?,
            true,
        );
        let _ = writeln!(
            out,
            "            assert!(matches!({}::decode(&value.encode(1)), Ok({}::{}(_))));",
            n.event_enum,
            n.event_enum,
            super::names::camel(&e.name)
        );
        let _ = writeln!(out, "        }}");
    }
    let _ = writeln!(out, "    }});\n}}\n");
    Ok(())
}

fn service_tests(res: &Resolver<'_>, s: &Service) -> Result<String, String> {
    let mut out = String::from(HEADER);
    let _ = writeln!(out, "\n//! Round trips of the `{}` service's codecs.\n", s.name);
    out.push_str("#![allow(unused_imports, unused_variables)]\n\n");
    out.push_str("use crate::common::sample::*;\n");
    let _ = writeln!(out, "use hazelcast_codec::messages::{}::*;", module_name(s));
    out.push_str("use hazelcast_codec::custom::*;\nuse hazelcast_codec::types::*;\nuse hazelcast_codec::{Data, Uuid};\n\n");
    for m in &s.methods {
        method_test(&mut out, res, s, m)?;
    }
    Ok(out)
}

fn custom_samples(res: &Resolver<'_>, defs: &Definitions) -> Result<String, String> {
    let mut out = String::from(HEADER);
    out.push_str(
        "\n//! `Sample` values of every generated custom type (later fields all present or all absent).\n\n",
    );
    out.push_str(
        "use crate::common::sample::*;\nuse hazelcast_codec::custom::*;\nuse hazelcast_codec::types::*;\n",
    );
    out.push_str("use hazelcast_codec::{Data, Uuid};\nuse proptest::test_runner::TestRng;\n\n");
    for t in &defs.custom_types {
        if mapped(&t.name).is_some() {
            continue; // hand-written Sample in tests/common/sample.rs
        }
        let fs = fields(res, &t.params, &t.name)?;
        let _ = writeln!(out, "impl Sample for {} {{", t.name);
        let _ = writeln!(out, "    fn sample(rng: &mut TestRng) -> Self {{");
        let _ = writeln!(out, "        let later = coin(rng);");
        draw(&mut out, &fs, "later");
        let _ = writeln!(out, "        let _ = later;");
        let _ = writeln!(out, "        {}::new({})\n    }}\n}}\n", t.name, args(&fs));
    }
    Ok(out)
}

fn main_rs(defs: &Definitions) -> String {
    let mut out = String::from(HEADER);
    out.push_str(
        "\n//! Round trips of every generated request, response and event codec with property-generated \
         values: requests through `encode` and `decode_request`, responses and events through `new`, \
         `encode` and `decode`, with the fields of later protocol versions present and absent.\n\n",
    );
    out.push_str("#[path = \"../common/mod.rs\"]\nmod common;\n\nmod custom;\nmod vectors;\n");
    for s in &defs.services {
        let _ = writeln!(out, "mod {};", module_name(s));
    }
    out
}

/// The generated test files: (file name in `tests/generated/`, unformatted source).
pub(crate) fn test_files(res: &Resolver<'_>, defs: &Definitions) -> Result<Vec<(String, String)>, String> {
    let mut files = vec![
        ("main.rs".to_owned(), main_rs(defs)),
        ("custom.rs".to_owned(), custom_samples(res, defs)?),
    ];
    for s in &defs.services {
        files.push((format!("{}.rs", module_name(s)), service_tests(res, s)?));
    }
    Ok(files)
}
