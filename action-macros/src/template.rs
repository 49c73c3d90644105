//! The relative-URL template: `"/Users/<userId>?count=100"`.
//!
//! This is the one model of a template in the project. It is plain Rust with no
//! compiler types in it, so it is unit-tested without a compiler in the loop; the
//! macro attaches spans to its errors afterwards (a string literal has one span, so
//! every message names the character or placeholder it is about).

use std::fmt;

/// A parsed relative URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The path, in order: literal text and placeholders. Literal pieces are
    /// merged, so `"/a/<x>/b"` is `[Static("/a/"), Placeholder("x"), Static("/b")]`.
    pub path: Vec<Piece>,
    /// The literal query string after `?`, without the `?`, or empty.
    pub query: String,
    /// The keys of the literal query string, percent-decoded, in order.
    pub query_keys: Vec<String>,
}

/// One piece of a template's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Literal text, already valid in a URL path; sent as written.
    Static(String),
    /// A `<name>` placeholder: a whole path segment filled at the call.
    Placeholder(String),
}

impl Template {
    /// The placeholder names, in order of appearance.
    pub fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.path.iter().filter_map(|p| match p {
            Piece::Placeholder(name) => Some(name.as_str()),
            Piece::Static(_) => None,
        })
    }
}

/// A mistake in a template. `Display` is the message shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(pub String);

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses a relative URL, returning every mistake found (never panics).
#[cfg(test)]
pub fn parse(url: &str) -> Result<Template, Vec<TemplateError>> {
    match parse_lenient(url) {
        (template, errors) if errors.is_empty() => Ok(template),
        (_, errors) => Err(errors),
    }
}

/// Parses a relative URL as far as it can: the template it could read, even with
/// mistakes, so the caller can go on checking bindings against its placeholders
/// and report those mistakes in the same compile.
pub fn parse_lenient(url: &str) -> (Template, Vec<TemplateError>) {
    let mut errors = Vec::new();
    let mut err = |msg: String| errors.push(TemplateError(msg));

    if let Some(problem) = absolute_url_problem(url) {
        err(problem);
        let empty = Template {
            path: Vec::new(),
            query: String::new(),
            query_keys: Vec::new(),
        };
        return (empty, errors);
    }
    for (i, c) in url.char_indices() {
        if c.is_whitespace() || c.is_control() {
            err(format!(
                "the relative URL contains {} at byte {i}: whitespace and control \
                 characters are not allowed; percent-encode it (a space is `%20`)",
                describe_char(c)
            ));
        }
    }
    if let Some(i) = url.find('#') {
        err(format!(
            "the relative URL has a fragment (`{}`) at byte {i}: fragments are never sent \
             to the server; remove it",
            &url[i..]
        ));
    }
    let end = url.find('#').unwrap_or(url.len());
    let (path, query) = match url[..end].split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (&url[..end], None),
    };

    let pieces = parse_path(path, &mut err);
    let (query, query_keys) = match query {
        Some(q) => parse_query(q, &mut err),
        None => (String::new(), Vec::new()),
    };

    let template = Template {
        path: pieces,
        query,
        query_keys,
    };
    (template, errors)
}

/// Why `url` is not a relative URL that starts with `/`, if it is not.
fn absolute_url_problem(url: &str) -> Option<String> {
    const OWNS_HOST: &str = "the connector owns the host, so credentials never go to \
                             another one; give only the path after the connector's base URL";
    if url.is_empty() {
        return Some("the relative URL is empty: it must start with `/`, e.g. `\"/Users\"`".into());
    }
    if let Some(scheme) = scheme_of(url) {
        return Some(format!(
            "`{url}` is an absolute URL (scheme `{scheme}:`): {OWNS_HOST}, e.g. `\"/Users\"`"
        ));
    }
    if url.starts_with("//") {
        return Some(format!(
            "`{url}` starts with `//`, which names a host: {OWNS_HOST}, with a single leading `/`"
        ));
    }
    if !url.starts_with('/') {
        return Some(format!(
            "the relative URL must start with `/`: write `\"/{url}\"`"
        ));
    }
    None
}

/// The scheme of `url` if it starts with one (`http:`, `mailto:`, ...), as RFC 3986
/// defines it: a letter, then letters, digits, `+`, `-` or `.`, then `:`.
fn scheme_of(url: &str) -> Option<&str> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// A character as messages name it: `é`, or an escape for control characters.
pub fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        '\t' => "a tab".into(),
        '\n' => "a line feed (`\\n`)".into(),
        '\r' => "a carriage return (`\\r`)".into(),
        c if c.is_control() => format!("`{}`", c.escape_default()),
        c => format!("`{c}`"),
    }
}

/// True if `segment` is `.` or `..` once `%2E`/`%2e` escapes are decoded: URL
/// parsers (WHATWG, and so reqwest) resolve `%2e%2e` exactly like `..`.
fn is_dot_segment(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    let decoded = lower.replace("%2e", ".");
    decoded == "." || decoded == ".."
}

/// RFC 3986 `pchar` less `%` (checked separately): the characters a path segment may
/// hold as written.
fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '-' | '.'
                | '_'
                | '~'
                | '!'
                | '$'
                | '&'
                | '\''
                | '('
                | ')'
                | '*'
                | '+'
                | ','
                | ';'
                | '='
                | ':'
                | '@'
        )
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
}

fn parse_path(path: &str, err: &mut impl FnMut(String)) -> Vec<Piece> {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let push_static = |pieces: &mut Vec<Piece>, text: &str| match pieces.last_mut() {
        Some(Piece::Static(prev)) => prev.push_str(text),
        _ => pieces.push(Piece::Static(text.to_string())),
    };

    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let last = segments.len().saturating_sub(1);
    for (i, segment) in segments.iter().enumerate() {
        push_static(&mut pieces, "/");
        if segment.is_empty() {
            // A trailing slash (`/Users/`) is a real, distinct URL; `//` inside is not.
            if i != last {
                err(format!(
                    "the path `{path}` has an empty segment (`//`): remove the extra `/`"
                ));
            }
            continue;
        }
        if is_dot_segment(segment) {
            let what = if segment.contains('%') {
                " (a dot segment once decoded)"
            } else {
                ""
            };
            err(format!(
                "the path `{path}` has a `{segment}` segment{what}: dot segments are resolved \
                 away by URL parsers and servers, so the call would leave its path; write the \
                 path they stand for"
            ));
            continue;
        }
        if segment.contains(['<', '>']) {
            if let Some(name) = placeholder_segment(segment, path, err) {
                if names.contains(&name) {
                    err(format!(
                        "placeholder `<{name}>` appears twice in `{path}`: each placeholder \
                         appears once; give the second one another name"
                    ));
                }
                names.push(name.clone());
                pieces.push(Piece::Placeholder(name));
            }
            continue;
        }
        if segment.contains(['{', '}']) {
            let hint = segment.trim_matches(|c| c == '{' || c == '}');
            err(format!(
                "`{segment}` in `{path}` is not a placeholder here: write `<{hint}>` \
                 (placeholders use angle brackets)"
            ));
            continue;
        }
        check_chars(segment, "path", is_path_char, err);
        push_static(&mut pieces, segment);
    }
    pieces
}

/// Checks a segment that holds `<` or `>`; returns the placeholder name if it is one.
fn placeholder_segment(segment: &str, path: &str, err: &mut impl FnMut(String)) -> Option<String> {
    let opens = segment.matches('<').count();
    let closes = segment.matches('>').count();
    if opens != closes {
        err(format!(
            "unbalanced `<`/`>` in `{segment}` of `{path}`: a placeholder is written `<name>`"
        ));
        return None;
    }
    if opens > 1 || !segment.starts_with('<') || !segment.ends_with('>') {
        err(format!(
            "`{segment}` in `{path}`: a placeholder must be a whole path segment, \
             like `/Users/<userId>`"
        ));
        return None;
    }
    let name = &segment[1..segment.len() - 1];
    if name.is_empty() {
        err(format!(
            "empty placeholder `<>` in `{path}`: name it, like `<userId>`"
        ));
        return None;
    }
    if !is_identifier(name) {
        err(format!(
            "placeholder `<{name}>` in `{path}` is not an identifier: use letters, digits \
             and `_`, not starting with a digit"
        ));
        return None;
    }
    if matches!(name, "self" | "Self" | "super" | "crate") {
        err(format!(
            "placeholder `<{name}>` in `{path}` can never be bound (`{name}` is reserved in \
             Rust): rename it"
        ));
        return None;
    }
    Some(name.to_string())
}

/// Reports characters not allowed in a URL part, and malformed `%XX` escapes.
fn check_chars(text: &str, part: &str, allowed: fn(char) -> bool, err: &mut impl FnMut(String)) {
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        if c == '%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                err(format!(
                    "`%` in `{text}` does not start a `%XX` escape: write `%25` for a \
                     literal `%`"
                ));
            }
        } else if c.is_whitespace() || c.is_control() {
            // Already reported for the whole URL.
        } else if !allowed(c) {
            err(format!(
                "{} is not allowed as written in the {part} `{text}`: percent-encode it \
                 as `{}`",
                describe_char(c),
                percent_encoded(c)
            ));
        }
    }
}

fn percent_encoded(c: char) -> String {
    let mut buf = [0u8; 4];
    c.encode_utf8(&mut buf)
        .bytes()
        .map(|b| format!("%{b:02X}"))
        .collect()
}

/// RFC 3986 `query` characters less `&` and `=` (the pair separators) and `%`.
fn is_query_char(c: char) -> bool {
    is_path_char(c) && c != '&' && c != '=' || matches!(c, '/' | '?')
}

fn parse_query(query: &str, err: &mut impl FnMut(String)) -> (String, Vec<String>) {
    let mut keys = Vec::new();
    if query.is_empty() {
        err("the relative URL ends with `?` and no query: remove the `?`".into());
        return (String::new(), keys);
    }
    if query.contains(['<', '>']) {
        err(format!(
            "placeholders go in the path only, not in the literal query `?{query}`: \
             pass query values with the `query {{ key: value }}` clause"
        ));
        return (query.to_string(), keys);
    }
    for pair in query.split('&') {
        if pair.is_empty() {
            err(format!(
                "the query `?{query}` has an empty pair (`&&`, or `&` at an end): remove it"
            ));
            continue;
        }
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key.is_empty() {
            err(format!(
                "the query pair `{pair}` has an empty key: write `key=value`"
            ));
        }
        if value.contains('=') {
            err(format!(
                "the query value in `{pair}` contains `=`: percent-encode it as `%3D`"
            ));
        }
        check_chars(key, "query", is_query_char, err);
        check_chars(value, "query", is_query_char, err);
        if !key.is_empty() {
            keys.push(decode_component(key));
        }
    }
    (query.to_string(), keys)
}

/// Decodes `%XX` and `+` in a form-encoded query component, so `a%5Fb` and `a_b` are
/// recognised as the same key. Invalid escapes are kept as written (they are reported
/// elsewhere).
pub fn decode_component(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' => match (
                bytes.get(i + 1).and_then(|&b| hex(b)),
                bytes.get(i + 2).and_then(|&b| hex(b)),
            ) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(url: &str) -> Template {
        parse(url).unwrap_or_else(|e| panic!("{url}: {e:?}"))
    }

    fn errs(url: &str) -> Vec<String> {
        match parse(url) {
            Ok(t) => panic!("{url} parsed as {t:?}"),
            Err(e) => e.into_iter().map(|e| e.0).collect(),
        }
    }

    fn s(text: &str) -> Piece {
        Piece::Static(text.into())
    }
    fn p(name: &str) -> Piece {
        Piece::Placeholder(name.into())
    }

    #[test]
    fn static_path_is_one_piece() {
        assert_eq!(ok("/Users").path, vec![s("/Users")]);
        assert_eq!(ok("/").path, vec![s("/")]);
        assert_eq!(ok("/Users/").path, vec![s("/Users/")]);
    }

    #[test]
    fn placeholders_split_the_path() {
        let t = ok("/users/<orgId>/<page>/groups");
        assert_eq!(
            t.path,
            vec![s("/users/"), p("orgId"), s("/"), p("page"), s("/groups")]
        );
        assert_eq!(t.placeholders().collect::<Vec<_>>(), ["orgId", "page"]);
    }

    #[test]
    fn literal_query_is_kept_and_keys_decoded() {
        let t = ok("/Users?count=100&filter=a%20b&x%5Fy&flag");
        assert_eq!(t.query, "count=100&filter=a%20b&x%5Fy&flag");
        assert_eq!(t.query_keys, ["count", "filter", "x_y", "flag"]);
    }

    #[test]
    fn absolute_urls_are_refused() {
        for url in [
            "https://evil.example/x",
            "http://h/",
            "mailto:a@b",
            "//evil.example/x",
        ] {
            let e = errs(url);
            assert_eq!(e.len(), 1, "{url}: {e:?}");
            assert!(e[0].contains("the connector owns the host"), "{e:?}");
        }
    }

    #[test]
    fn must_start_with_slash() {
        assert_eq!(
            errs("Users"),
            ["the relative URL must start with `/`: write `\"/Users\"`"]
        );
        assert!(errs("")[0].contains("empty"));
    }

    #[test]
    fn fragment_whitespace_and_control_are_refused() {
        assert!(errs("/Users#top")[0].contains("fragment (`#top`)"));
        assert!(errs("/Us ers")[0].contains("a space at byte 3"));
        assert!(errs("/Users\n")[0].contains("line feed"));
    }

    #[test]
    fn dot_segments_are_refused() {
        assert!(errs("/a/../b")[0].contains("`..` segment"));
        assert!(errs("/a/./b")[0].contains("`.` segment"));
        for encoded in ["/a/%2e%2e/b", "/a/.%2E/b", "/a/%2E./b", "/a/%2e"] {
            let e = errs(encoded);
            assert!(
                e[0].contains("a dot segment once decoded"),
                "{encoded}: {e:?}"
            );
        }
        assert_eq!(ok("/a/%2e%2e%2e").path, vec![s("/a/%2e%2e%2e")]);
        // Dots inside a segment are ordinary.
        assert_eq!(ok("/a/v1.0/..x").path, vec![s("/a/v1.0/..x")]);
    }

    #[test]
    fn placeholder_rules() {
        assert!(errs("/Users/<>")[0].contains("empty placeholder"));
        assert!(errs("/Users/<user-id>")[0].contains("not an identifier"));
        assert!(errs("/Users/<1d>")[0].contains("not an identifier"));
        assert!(errs("/Users/<id")[0].contains("unbalanced"));
        assert!(errs("/Users/id>")[0].contains("unbalanced"));
        assert!(errs("/a/<id>/b/<id>")[0].contains("appears twice"));
        assert!(errs("/a/<id>.json")[0].contains("whole path segment"));
        assert!(errs("/a/<x><y>")[0].contains("whole path segment"));
        assert!(errs("/Users/{userId}")[0].contains("write `<userId>`"));
        for reserved in ["self", "Self", "super", "crate"] {
            assert!(errs(&format!("/a/<{reserved}>"))[0].contains("can never be bound"));
        }
    }

    #[test]
    fn placeholders_are_refused_in_the_query() {
        assert!(errs("/Users?id=<id>")[0].contains("path only"));
    }

    #[test]
    fn query_must_be_well_formed() {
        assert!(errs("/Users?")[0].contains("no query"));
        assert!(errs("/Users?a=1&&b=2")[0].contains("empty pair"));
        assert!(errs("/Users?=1")[0].contains("empty key"));
        assert!(errs("/Users?a=1=2")[0].contains("`%3D`"));
        assert!(errs("/Users?a=%zz")[0].contains("`%XX`"));
        assert!(errs("/Users?a=\"x\"")[0].contains("`%22`"));
    }

    #[test]
    fn bad_characters_name_their_encoding() {
        assert!(errs("/Us\"ers")[0].starts_with("`\"` is not allowed"));
        assert!(errs("/caf\u{e9}")[0].starts_with("`é` is not allowed"));
        assert!(errs("/caf\u{e9}")[0].contains("%C3%A9"));
        assert!(errs("/a%2")[0].contains("`%25`"));
        assert_eq!(ok("/a%2Fb").path, vec![s("/a%2Fb")]);
    }

    #[test]
    fn every_error_is_reported() {
        let e = errs("/a b/<>/<x>/<x>?q=<y>");
        assert_eq!(e.len(), 4, "{e:?}");
    }

    #[test]
    fn decode_component_handles_escapes_and_plus() {
        assert_eq!(decode_component("a%20b+c"), "a b c");
        assert_eq!(decode_component("%"), "%");
        assert_eq!(decode_component("%4"), "%4");
        assert_eq!(decode_component("%41"), "A");
    }

    /// The parser must never panic, whatever the literal holds. A small
    /// deterministic generator stands in for a fuzzer: it mixes the characters
    /// the parser treats specially with arbitrary Unicode.
    #[test]
    fn never_panics_on_arbitrary_strings() {
        const ALPHABET: &[char] = &[
            '/', '<', '>', '?', '&', '=', '%', '#', '.', ':', '{', '}', 'a', 'Z', '0', '9', '_',
            '-', ' ', '\n', '\u{0}', 'é', '€', '𝄞', '+', '"', '\\', 'F',
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            let text: String = (0..len)
                .map(|_| {
                    let r = next();
                    if r % 7 == 0 {
                        char::from_u32((r >> 8) as u32 % 0x11_0000).unwrap_or('x')
                    } else {
                        ALPHABET[(r >> 8) as usize % ALPHABET.len()]
                    }
                })
                .collect();
            let _ = parse(&text);
            let _ = parse(&format!("/{text}"));
            let _ = decode_component(&text);
        }
    }
}
