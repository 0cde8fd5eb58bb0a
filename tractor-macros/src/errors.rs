//! Error collection: every problem in one macro input is reported at once.

use proc_macro2::TokenStream;
use quote::ToTokens;

/// Collects the errors found in one macro input so they can all be reported
/// together instead of one per compile.
#[derive(Default)]
pub(crate) struct Errors {
    combined: Option<syn::Error>,
}

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.combined {
            Some(combined) => combined.combine(error),
            None => self.combined = Some(error),
        }
    }

    /// Records `error` with the tokens it points at.
    pub(crate) fn spanned(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.combined.is_none()
    }

    /// The collected errors as `compile_error!` invocations (empty if none).
    pub(crate) fn into_compile_errors(self) -> TokenStream {
        self.combined.map(|error| error.to_compile_error()).unwrap_or_default()
    }
}

/// The user's item unchanged, followed by `error`: the item still exists, so
/// the one mistake does not cascade into "cannot find" errors elsewhere.
pub(crate) fn with_item(item: TokenStream, error: syn::Error) -> TokenStream {
    let mut tokens = item;
    tokens.extend(error.to_compile_error());
    tokens
}
