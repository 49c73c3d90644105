//! Rust names for a declaration's generated items, derived from placeholders.

/// `userId` → `user_id`, `orgID` → `org_id`, `URLPath` → `url_path`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `userId` → `UserId`, `user_id` → `UserId`.
pub fn camel_case(name: &str) -> String {
    let camel: String = snake_case(name)
        .split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect();
    if camel.starts_with(|c: char| c.is_ascii_alphabetic()) {
        camel
    } else {
        format!("P{camel}")
    }
}

/// Names that cannot be fields even as raw identifiers.
pub fn is_path_keyword(name: &str) -> bool {
    matches!(name, "self" | "Self" | "super" | "crate")
}

/// A field named `name`, raw when `name` is a keyword in any edition (`type`,
/// `async`, `gen`), so the struct compiles whatever edition the user's crate is.
pub fn field_ident(name: &str, span: proc_macro2::Span) -> proc_macro2::Ident {
    const LATER_KEYWORDS: [&str; 5] = ["async", "await", "dyn", "try", "gen"];
    if LATER_KEYWORDS.contains(&name) || syn::parse_str::<syn::Ident>(name).is_err() {
        proc_macro2::Ident::new_raw(name, span)
    } else {
        proc_macro2::Ident::new(name, span)
    }
}

/// An identifier's name without `r#`.
pub fn unraw(ident: &proc_macro2::Ident) -> String {
    syn::ext::IdentExt::unraw(ident).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_splits_words() {
        for (input, expected) in [
            ("userId", "user_id"),
            ("orgID", "org_id"),
            ("URLPath", "url_path"),
            ("page", "page"),
            ("user_id", "user_id"),
            ("cloudId2", "cloud_id2"),
            ("issueIdOrKey", "issue_id_or_key"),
            ("a1B", "a1_b"),
        ] {
            assert_eq!(snake_case(input), expected, "{input}");
        }
    }

    #[test]
    fn fields_are_raw_for_keywords_of_any_edition() {
        let span = proc_macro2::Span::call_site();
        assert_eq!(field_ident("user_id", span).to_string(), "user_id");
        assert_eq!(field_ident("type", span).to_string(), "r#type");
        assert_eq!(field_ident("gen", span).to_string(), "r#gen");
        assert!(is_path_keyword("crate") && is_path_keyword("Self"));
    }

    #[test]
    fn camel_case_joins_words() {
        for (input, expected) in [
            ("userId", "UserId"),
            ("user_id", "UserId"),
            ("page", "Page"),
            ("orgID", "OrgId"),
            ("_x", "X"),
            ("x2y", "X2y"),
        ] {
            assert_eq!(camel_case(input), expected, "{input}");
        }
    }
}
