//! The `api_action!` procedural macro of [api-action](https://docs.rs/api-action).
//!
//! Use it through the `api-action` crate, which re-exports it together with the
//! runtime the expansion calls. This crate is a thin entry over a pipeline:
//! `parse` reads the tokens, `validate` checks every rule of the DSL and builds
//! one `model::Action`, `expand` turns that model into plain runtime calls.

mod ctxt;
mod expand;
mod json;
mod model;
mod names;
mod parse;
mod suggest;
mod template;
mod validate;

use proc_macro::TokenStream;

/// Builds a compile-checked call to the connector's API, or declares typed
/// actions. See the `api-action` crate for the grammar and the rules it enforces.
#[proc_macro]
pub fn api_action(input: TokenStream) -> TokenStream {
    match syn::parse::<parse::Input>(input) {
        Ok(parse::Input::Call(call)) => expand::expand(validate::validate(*call)).into(),
        Ok(parse::Input::Decls(decls, errors)) => {
            let checked = decls.into_iter().map(validate::validate_decl).collect();
            let errors = errors.iter().map(syn::Error::to_compile_error);
            let decls = expand::expand_decls(checked);
            quote::quote!(#(#errors)* #decls).into()
        }
        Err(error) => error.to_compile_error().into(),
    }
}
