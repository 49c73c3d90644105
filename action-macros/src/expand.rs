//! Step 3: the model to plain runtime calls. Nothing here parses a template at run
//! time: static path pieces are literals, each placeholder one encoded segment.

use crate::json;
use crate::model::{Action, Body, Decl, Headers, Query};
use crate::template::Piece;
use crate::validate::Invalid;
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

/// The runtime, reached through the user-facing crate so that a user who depends on
/// `api-action` alone can expand the macro.
fn rt() -> TokenStream {
    quote!(::api_action::__private)
}

/// A call: an expression of type `ActionRequest<T>`.
pub fn expand(action: Result<Action, Box<Invalid>>) -> TokenStream {
    match action {
        Ok(action) => expand_call(&action, true),
        Err(invalid) => expand_invalid(*invalid),
    }
}

/// The block that builds the request. `check_response` adds the rule-8 check on
/// `-> T`; a declaration does without, as `Action::Response` carries that bound.
fn expand_call(action: &Action, check_response: bool) -> TokenStream {
    let rt = rt();
    // `mixed_site` keeps our local invisible to the user's expressions.
    // Mixed-site hygiene keeps our locals from the user's variables; the unusual
    // names keep them clear of user constants and unit structs, which a `let`
    // could not shadow.
    let req = syn::Ident::new("__api_action_request", Span::mixed_site());
    let method = syn::Ident::new(action.method.name(), action.method_span);
    let template = &action.url;
    let response = match &action.response {
        Some(ty) => quote!(#ty),
        None => quote!(#rt::serde_json::Value),
    };

    let mut capacity = 0usize;
    let path: Vec<TokenStream> = action
        .template
        .path
        .iter()
        .filter_map(|piece| match piece {
            Piece::Static(text) => {
                capacity += text.len();
                Some(quote!(#req.push_path(#text);))
            }
            Piece::Placeholder(name) => {
                capacity += 16;
                // Missing only in a declaration that already has an error.
                let binding = action.bindings.iter().find(|b| b.placeholder == *name)?;
                let value = &binding.value;
                Some(quote_spanned!(value.span()=> #req.push_segment(#name, &(#value));))
            }
        })
        .collect();

    let literal_query = (!action.template.query.is_empty()).then(|| {
        let query = &action.template.query;
        quote!(#req.push_query_literal(#query);)
    });
    let query = match &action.query {
        None => Vec::new(),
        Some(Query::Pairs(pairs)) => {
            // Pairs whose value is a literal are encoded now, into the expansion;
            // only the others are serialized at run time.
            let mut out = Vec::new();
            let mut literal = String::new();
            let flush = |literal: &mut String, out: &mut Vec<TokenStream>| {
                if !literal.is_empty() {
                    let text = std::mem::take(literal);
                    out.push(quote!(#req.push_query_literal(#text);));
                }
            };
            for (key, value) in pairs {
                match literal_query_value(value) {
                    Some(text) => {
                        if !literal.is_empty() {
                            literal.push('&');
                        }
                        literal.push_str(&form_encode(key));
                        literal.push('=');
                        literal.push_str(&form_encode(&text));
                    }
                    None => {
                        flush(&mut literal, &mut out);
                        out.push(
                            quote_spanned!(value.span()=> #req.push_query_pair(#key, &(#value));),
                        );
                    }
                }
            }
            flush(&mut literal, &mut out);
            out
        }
        Some(Query::Value(value)) => {
            // Keys of the literal query string may not be set again (rule 6); for a
            // value, that is only known at run time.
            let keys = &action.template.query_keys;
            vec![quote_spanned!(value.span()=> #req.push_query_value(&(#value), &[#(#keys),*]);)]
        }
    };
    let headers: Vec<TokenStream> = match &action.headers {
        None => Vec::new(),
        Some(Headers::Pairs(headers)) => headers
            .iter()
            .map(|header| {
                let (name, value) = (&header.name, &header.value);
                // The name was checked at compile time, so it is a constant: no
                // parse at run time (and `from_static` cannot fail at run time).
                let lower = name.to_ascii_lowercase();
                let name_const = quote!({
                    const NAME: #rt::HeaderName = #rt::HeaderName::from_static(#lower);
                    NAME
                });
                match literal_header_value(value) {
                    Some(text) => quote! {
                        #req.push_header_value(#name_const, {
                            const VALUE: #rt::HeaderValue = #rt::HeaderValue::from_static(#text);
                            VALUE
                        });
                    },
                    None => quote_spanned!(value.span()=> #req.push_header(#name, #name_const, &(#value));),
                }
            })
            .collect(),
        Some(Headers::Value(value)) => {
            vec![quote_spanned!(value.span()=> #req.push_header_fields(&(#value));)]
        }
    };
    // Rule 8: a response type that cannot be decoded is reported on the type.
    let assert_response = action
        .response
        .as_ref()
        .filter(|_| check_response)
        .map(|ty| quote_spanned!(ty.span()=> #rt::assert_response::<#ty>();));
    let body = action.body.as_ref().map(|body| match body {
        Body::Value(value) => quote_spanned!(value.span()=> #req.set_json_body(&(#value));),
        Body::Json(json) => {
            let body = syn::Ident::new("__api_action_body", Span::mixed_site());
            let mut capacity = 0;
            let writes: Vec<TokenStream> = json::pieces(json)
                .into_iter()
                .map(|piece| match piece {
                    json::Piece::Text(text) => {
                        capacity += text.len();
                        quote!(#body.push_text(#text);)
                    }
                    json::Piece::Value(value) => {
                        capacity += 16;
                        quote_spanned!(value.span()=> #body.push_value(&(#value));)
                    }
                })
                .collect();
            quote! {
                let mut #body = #rt::JsonBody::with_capacity(#capacity);
                #(#writes)*
                #req.set_json_text(#body);
            }
        }
    });

    quote! {
        {
            #assert_response
            let mut #req = #rt::ActionRequest::<#response>::new(
                #rt::Method::#method,
                #template,
                #capacity,
            );
            #(#path)*
            #literal_query
            #(#query)*
            #(#headers)*
            #body
            #req
        }
    }
}

/// The text of a literal query value (a string, integer or bool), as `Display`
/// would print it.
fn literal_query_value(value: &syn::Expr) -> Option<String> {
    let syn::Expr::Lit(lit) = value else {
        return None;
    };
    match &lit.lit {
        syn::Lit::Str(s) => Some(s.value()),
        syn::Lit::Int(i) => Some(i.base10_digits().to_string()),
        syn::Lit::Bool(b) => Some(b.value.to_string()),
        _ => None,
    }
}

/// A literal header value that `HeaderValue::from_static` accepts (visible ASCII
/// and spaces), so it can be a constant.
fn literal_header_value(value: &syn::Expr) -> Option<String> {
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(s),
        ..
    }) = value
    else {
        return None;
    };
    let text = s.value();
    text.bytes()
        .all(|b| b == b' ' || b.is_ascii_graphic())
        .then_some(text)
}

/// `application/x-www-form-urlencoded` byte serialization, as the runtime's
/// `form_urlencoded::byte_serialize` does it: alphanumerics and `*-._` as they are,
/// space as `+`, every other byte `%XX`.
fn form_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// After an error, still expand to a value of the right type so the code around the
/// call type-checks and the user sees only the real mistakes.
fn expand_invalid(invalid: Invalid) -> TokenStream {
    let rt = rt();
    let errors = invalid.errors.iter().map(syn::Error::to_compile_error);
    let exprs = invalid.exprs.iter();
    let response = match &invalid.response {
        Some(ty) => quote!(#ty),
        None => quote!(#rt::serde_json::Value),
    };
    quote! {
        {
            #(#errors)*
            #( let _ = &(#exprs); )*
            #rt::ActionRequest::<#response>::new(#rt::Method::GET, "/", 0)
        }
    }
}

/// Declarations: for each, a struct with one field per value and an `Action` impl
/// whose request is built exactly as a call's, from `self`'s fields. Errors found
/// while checking are emitted beside the struct, so code using it still resolves.
pub fn expand_decls(decls: Vec<(Decl, Vec<syn::Error>)>) -> TokenStream {
    decls
        .into_iter()
        .map(|(decl, errors)| {
            let errors = errors.iter().map(syn::Error::to_compile_error);
            let item = expand_decl(&decl);
            quote!(#(#errors)* #item)
        })
        .collect()
}

fn expand_decl(decl: &Decl) -> TokenStream {
    let rt = rt();
    let (attrs, vis, name) = (&decl.attrs, &decl.vis, &decl.name);
    let action = &decl.action;
    let signature = format!(" `{} {}`", action.method.name(), action.url.value());
    let path_generics: Vec<&syn::Ident> = decl.path_fields.iter().map(|f| &f.generic).collect();
    let path_fields = decl.path_fields.iter().map(|f| {
        let (field, generic) = (&f.field, &f.generic);
        let doc = format!(
            " The value of `<{}>`, sent as one path segment.",
            f.placeholder
        );
        quote!(#[doc = #doc] #vis #field: #generic,)
    });
    let clause_fields = decl.typed_clauses.iter().map(|(keyword, ty)| {
        let doc = format!(" The {keyword}.");
        let field = syn::Ident::new(&keyword.to_string(), keyword.span());
        quote!(#[doc = #doc] #vis #field: #ty,)
    });
    let response = match &action.response {
        Some(ty) => quote!(#ty),
        None => quote!(#rt::serde_json::Value),
    };
    let body = expand_call(action, false);

    // The user's generics first (lifetimes lead), then one parameter per path
    // field. The struct gives those a default and no bound, so a value that is
    // not `Display` is reported once, where the action is used; the impl bounds
    // them, spanned on the URL, where rustc's note then points.
    let user_params = decl.generics.params.iter();
    let user_args = decl.generics.params.iter().map(|param| match param {
        syn::GenericParam::Lifetime(l) => {
            let lifetime = &l.lifetime;
            quote!(#lifetime)
        }
        syn::GenericParam::Type(t) => {
            let ident = &t.ident;
            quote!(#ident)
        }
        syn::GenericParam::Const(c) => {
            let ident = &c.ident;
            quote!(#ident)
        }
    });
    let user_args: Vec<TokenStream> = user_args.collect();
    let url_span = action.url.span();
    let struct_params: Vec<TokenStream> = user_params
        .clone()
        .map(|p| quote!(#p))
        .chain(path_generics.iter().map(|g| quote!(#g = #rt::String)))
        .collect();
    let impl_params: Vec<TokenStream> = user_params
        .map(|p| quote!(#p))
        .chain(
            path_generics
                .iter()
                .map(|g| quote_spanned!(url_span=> #g: #rt::Display)),
        )
        .collect();
    let type_args: Vec<TokenStream> = user_args
        .into_iter()
        .chain(path_generics.iter().map(|g| quote!(#g)))
        .collect();
    let struct_generics = (!struct_params.is_empty()).then(|| quote!(<#(#struct_params),*>));
    let impl_generics = (!impl_params.is_empty()).then(|| quote!(<#(#impl_params),*>));
    let type_generics = (!type_args.is_empty()).then(|| quote!(<#(#type_args),*>));

    let has_fields = !path_generics.is_empty() || !decl.typed_clauses.is_empty();
    // Spanned on the name, so "defined twice" and privacy errors point at it.
    let definition = if has_fields {
        quote_spanned! {name.span()=>
            #vis struct #name #struct_generics {
                #(#path_fields)*
                #(#clause_fields)*
            }
        }
    } else {
        quote_spanned!(name.span()=> #vis struct #name #struct_generics;)
    };
    // The impl exists exactly when the struct does; it does not repeat lints the
    // user put on the struct (such as a deprecation) on our own code.
    let cfgs = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("cfg") || attr.path().is_ident("cfg_attr"));
    quote! {
        #(#attrs)*
        #[doc = ""]
        #[doc = #signature]
        #definition

        #(#cfgs)*
        #[allow(deprecated)]
        impl #impl_generics #rt::Action for #name #type_generics {
            type Response = #response;

            fn into_request(self) -> #rt::ActionRequest<#response> {
                #body
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same bytes `form_urlencoded::byte_serialize` writes at run time.
    #[test]
    fn literal_query_values_are_form_encoded_like_the_runtime() {
        assert_eq!(
            form_encode("userName eq \"a&b\""),
            "userName+eq+%22a%26b%22"
        );
        assert_eq!(form_encode("a*-._~é/?="), "a*-._%7E%C3%A9%2F%3F%3D");
        assert_eq!(form_encode(""), "");
    }
}
