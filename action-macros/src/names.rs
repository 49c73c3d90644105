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
