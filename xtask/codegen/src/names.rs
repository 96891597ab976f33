//! Names: the definitions' camelCase and acronyms (`CPGroup`, `createCPGroup`, `PNCounter`) as
//! Rust identifiers, and the definitions' prose as doc comments.

/// Splits a camelCase or PascalCase name into words, keeping acronyms together:
/// `createCPGroup` → `create`, `CP`, `Group`; `PNCounter` → `PN`, `Counter`; `bTreeIndexConfig`
/// → `b`, `Tree`, `Index`, `Config`.
pub(crate) fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let boundary = match prev {
            None => false,
            Some(p) if c == '_' || p == '_' => true,
            Some(p) => {
                c.is_ascii_uppercase()
                    && (p.is_ascii_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase())))
            }
        };
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        if c != '_' {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `snake_case` of a definition name.
pub(crate) fn snake(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// `UpperCamelCase` of a definition name, acronyms as words (`CPGroup` → `CpGroup`).
pub(crate) fn camel(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut c = lower.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// The Rust field name of a parameter: snake_case, with `type` (a keyword, and the only one the
/// definitions use as a name) written `kind`.
pub(crate) fn field(name: &str) -> String {
    let s = snake(name);
    match s.as_str() {
        "type" => "kind".to_owned(),
        k if is_keyword(k) => format!("{k}_"),
        _ => s,
    }
}

fn is_keyword(s: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
        "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
        "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "unsafe",
        "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv",
        "typeof", "unsized", "virtual", "yield",
    ];
    KEYWORDS.contains(&s)
}

/// The definitions' prose as Markdown that rustdoc shows as written: lines trimmed (indented
/// lines would be code blocks, i.e. doctests), and the characters Markdown or rustdoc would
/// interpret (`\`, `[`, `]`, `<`, `>`, `*`, `` ` ``) escaped.
pub(crate) fn prose(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.lines() {
        let line = raw.trim();
        let mut out = String::with_capacity(line.len());
        for c in line.chars() {
            match c {
                '\\' | '[' | ']' | '*' | '`' | '_' => {
                    out.push('\\');
                    out.push(c);
                }
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                c => out.push(c),
            }
        }
        // A line starting like a Markdown block (heading, list, quote, rule) stays prose.
        if out.starts_with(['#', '-', '+', '=', '|']) || out.starts_with(|c: char| c.is_ascii_digit()) {
            out.insert(0, '\\');
        }
        lines.push(out);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    while lines.first().is_some_and(|l| l.is_empty()) {
        lines.remove(0);
    }
    lines
}

/// Writes `lines` as `///` doc comment lines indented by `indent`.
pub(crate) fn doc_lines(out: &mut String, indent: &str, lines: &[String]) {
    for l in lines {
        if l.is_empty() {
            out.push_str(indent);
            out.push_str("///\n");
        } else {
            out.push_str(indent);
            out.push_str("/// ");
            out.push_str(l);
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_conversions() {
        assert_eq!(snake("cpDirectToLeaderRouting"), "cp_direct_to_leader_routing");
        assert_eq!(snake("createCPGroup"), "create_cp_group");
        assert_eq!(snake("PNCounter"), "pn_counter");
        assert_eq!(snake("XATransaction"), "xa_transaction");
        assert_eq!(snake("MC"), "mc");
        assert_eq!(snake("bTreeIndexConfig"), "b_tree_index_config");
        assert_eq!(snake("memberIdHigh"), "member_id_high");
        assert_eq!(snake("getCPObjectInfos"), "get_cp_object_infos");
        assert_eq!(snake("addAndGet"), "add_and_get");
        assert_eq!(snake("uuid"), "uuid");
        assert_eq!(camel("CPGroup"), "CpGroup");
        assert_eq!(camel("createCPGroup"), "CreateCpGroup");
        assert_eq!(camel("put"), "Put");
        assert_eq!(camel("MembersView"), "MembersView");
        assert_eq!(camel("IMapEvent"), "IMapEvent");
    }

    #[test]
    fn keywords_are_renamed() {
        assert_eq!(field("type"), "kind");
        assert_eq!(field("local"), "local");
        assert_eq!(field("async"), "async_");
        assert_eq!(field("threadId"), "thread_id");
    }

    #[test]
    fn prose_is_escaped_and_trimmed() {
        let p = prose("\n  Each item is a Map.Entry<String, byte[]>.\n\n    indented\n- not a list\n");
        assert_eq!(
            p,
            vec![
                "Each item is a Map.Entry&lt;String, byte\\[\\]&gt;.".to_owned(),
                String::new(),
                "indented".to_owned(),
                "\\- not a list".to_owned(),
            ]
        );
    }
}
