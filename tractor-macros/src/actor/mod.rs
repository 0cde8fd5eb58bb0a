//! `#[actor]`: parse the block (`ast`, `attr`), check it (`valid`), then
//! generate (`expand` for each message, `dispatch` and `ref_ext` for the
//! block, `remote` for what crosses nodes).

mod ast;
mod attr;
mod dispatch;
mod expand;
mod ref_ext;
mod remote;
mod valid;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::ItemImpl;

use crate::errors::{Errors, with_item};

/// `#[actor]`: the block as written (minus `#[message]`), then the generated
/// items, then every error found.
pub(crate) fn expand(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let options = attr::parse_actor(args, &mut errors);
    let item: ItemImpl = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(error) => {
            let error = match syn::parse2::<syn::Item>(input.clone()) {
                Ok(_) => syn::Error::new(
                    Span::call_site(),
                    "`#[actor]` goes on the actor's impl block: `#[actor] impl Counter { #[message] fn .. }`",
                ),
                Err(_) => error,
            };
            return with_item(input, error);
        }
    };
    let block = ast::ActorBlock::from_item(item, options, &mut errors);
    let generated = match valid::check_block(&block, &mut errors) {
        Some(verdict) => expand::generate(&block, &verdict),
        None => TokenStream::new(),
    };
    let item = &block.item;
    let errors = errors.into_compile_errors();
    quote! {
        #item
        #generated
        #errors
    }
}
