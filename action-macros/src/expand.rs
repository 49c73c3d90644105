//! Step 3: the model to plain runtime calls. Nothing here parses a template at run
//! time: static path pieces are literals, each placeholder one encoded segment.

use crate::model::{Action, Body, Query};
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

pub fn expand(action: Result<Action, Box<Invalid>>) -> TokenStream {
    match action {
        Ok(action) => expand_call(&action),
        Err(invalid) => expand_invalid(*invalid),
    }
}

fn expand_call(action: &Action) -> TokenStream {
    let rt = rt();
    // `mixed_site` keeps our local invisible to the user's expressions.
    let req = syn::Ident::new("request", Span::mixed_site());
    let method = syn::Ident::new(action.method.name(), action.method_span);
    let template = &action.url;
    let response = match &action.response {
        Some(ty) => quote!(#ty),
        None => quote!(#rt::serde_json::Value),
    };

    let mut bindings = action.bindings.iter();
    let mut capacity = 0usize;
    let path: Vec<TokenStream> = action
        .template
        .path
        .iter()
        .map(|piece| match piece {
            Piece::Static(text) => {
                capacity += text.len();
                quote!(#req.push_path(#text);)
            }
            Piece::Placeholder(_) => {
                capacity += 16;
                let binding = bindings.next().expect("validation binds every placeholder");
                let (name, value) = (&binding.placeholder, &binding.value);
                quote_spanned!(value.span()=> #req.push_segment(#name, &(#value));)
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
    let headers = action.headers.iter().map(|header| {
        let (name, value) = (&header.name, &header.value);
        quote_spanned!(value.span()=> #req.push_header(#name, &(#value));)
    });
    let body = action.body.as_ref().map(|body| match body {
        Body::Value(value) => quote_spanned!(value.span()=> #req.set_json_body(&(#value));),
        Body::Json { brace, content } => {
            let json = quote_spanned!(*brace=> #rt::serde_json::json!({ #content }));
            quote!(#req.set_json_body(&#json);)
        }
    });

    quote! {
        {
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
