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
    let req = syn::Ident::new("request", Span::mixed_site());
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
        Some(Query::Pairs(pairs)) => pairs
            .iter()
            .map(|(key, value)| quote_spanned!(value.span()=> #req.push_query_pair(#key, &(#value));))
            .collect(),
        Some(Query::Value(value)) => {
            vec![quote_spanned!(value.span()=> #req.push_query_value(&(#value));)]
        }
    };
    let headers: Vec<TokenStream> = match &action.headers {
        None => Vec::new(),
        Some(Headers::Pairs(headers)) => headers
            .iter()
            .map(|header| {
                let (name, value) = (&header.name, &header.value);
                quote_spanned!(value.span()=> #req.push_header(#name, &(#value));)
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
            let body = syn::Ident::new("body", Span::mixed_site());
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
    let generics: Vec<&syn::Ident> = decl.path_fields.iter().map(|f| &f.generic).collect();
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
    let is_unit = generics.is_empty() && decl.typed_clauses.is_empty();
    let definition = if is_unit {
        quote!(#vis struct #name;)
    } else if generics.is_empty() {
        quote!(#vis struct #name { #(#clause_fields)* })
    } else {
        quote! {
            #vis struct #name<#(#generics: #rt::Display = #rt::String),*> {
                #(#path_fields)*
                #(#clause_fields)*
            }
        }
    };
    let impl_generics = (!generics.is_empty()).then(|| quote!(<#(#generics: #rt::Display),*>));
    let type_generics = (!generics.is_empty()).then(|| quote!(<#(#generics),*>));
    quote! {
        #(#attrs)*
        #[doc = ""]
        #[doc = #signature]
        #definition

        impl #impl_generics #rt::Action for #name #type_generics {
            type Response = #response;

            fn into_request(self) -> #rt::ActionRequest<#response> {
                #body
            }
        }
    }
}
