//! The `api_action!` procedural macro of [api-action](https://docs.rs/api-action).
//!
//! Use it through the `api-action` crate, which re-exports it together with the
//! runtime the expansion calls. This crate is a thin entry over a pipeline:
//! [`parse`] reads the tokens, [`validate`] checks every rule of the DSL and builds
//! one [`model::Action`], [`expand`] turns that model into plain runtime calls.

mod ctxt;
mod expand;
mod model;
mod parse;
mod suggest;
mod template;
mod validate;

use proc_macro::TokenStream;

/// Builds a compile-checked call to the connector's API. See the `api-action`
/// crate for the grammar and the rules it enforces.
#[proc_macro]
pub fn api_action(input: TokenStream) -> TokenStream {
    let input = match syn::parse::<parse::CallInput>(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error().into(),
    };
    expand::expand(validate::validate(input)).into()
}
