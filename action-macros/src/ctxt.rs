//! Collects every error of one invocation, so the user sees them all in one compile.

use proc_macro2::Span;
use std::fmt::Display;

#[derive(Default)]
pub struct Ctxt {
    errors: Vec<syn::Error>,
}

impl Ctxt {
    /// Records an error on `span`.
    pub fn error(&mut self, span: Span, message: impl Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    /// Records an error produced by syn (a parse error inside a clause).
    pub fn syn_error(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    /// How many errors were found so far.
    pub fn count(&self) -> usize {
        self.errors.len()
    }

    /// The errors, in the order they were found.
    pub fn into_errors(self) -> Vec<syn::Error> {
        self.errors
    }
}
