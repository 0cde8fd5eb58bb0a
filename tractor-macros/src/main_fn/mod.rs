//! `#[tractor::main]`: builds tokio and a `Runtime`, runs the body, shuts the
//! runtime down when it returns. Parse (`attr`), check (`valid`), generate
//! (here).

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ItemFn};

use crate::errors::{Errors, with_item};

mod attr;
mod valid;

/// Expands `#[tractor::main]` / `#[tractor::main(crash_policy = P)]`.
pub(crate) fn expand(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let options = attr::parse(args, &mut errors);
    let item: ItemFn = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(_) => {
            let error = syn::Error::new(
                proc_macro2::Span::call_site(),
                "`#[tractor::main]` goes on the program's entry point: `async fn main(runtime: Runtime)`",
            );
            return with_item(input, error);
        }
    };
    valid::check(&item, &mut errors);

    let ItemFn { attrs, vis, sig, block, .. } = &item;
    let name = &sig.ident;
    let output = &sig.output;
    let inputs = &sig.inputs;
    let body_fn = format_ident!("__tractor_main", span = name.span());
    let asyncness = &sig.asyncness;

    // Argument expressions for the body: the runtime first (spanned at the
    // user's type, so `rt: String` reads "expected `String`, found
    // `Runtime`"); anything after it is already an error, so it gets a value
    // that type-checks and never runs.
    let call_args = inputs.iter().enumerate().map(|(i, input)| {
        let span = match input {
            FnArg::Typed(arg) => arg.ty.span(),
            FnArg::Receiver(receiver) => receiver.span(),
        };
        if i == 0 {
            Ident::new("body_runtime", span).into_token_stream()
        } else {
            quote_spanned!(span=> ::core::unreachable!())
        }
    });
    let run = if asyncness.is_some() {
        quote!(tokio_runtime.block_on(#body_fn(#(#call_args),*)))
    } else {
        quote!(#body_fn(#(#call_args),*))
    };
    let build = match &options.crash_policy {
        Some(policy) => quote!(::tractor::Runtime::builder().crash_policy(#policy).build()),
        None => quote!(::tractor::Runtime::new()),
    };
    let clone_runtime = (!inputs.is_empty())
        .then(|| quote!(let body_runtime: ::tractor::Runtime = ::core::clone::Clone::clone(&runtime);));
    let errors = errors.into_compile_errors();

    quote! {
        #(#attrs)*
        #vis fn #name() #output {
            #[allow(clippy::unused_async)] // `async` is what `#[tractor::main]` asks for
            #asyncness fn #body_fn(#inputs) #output #block

            let tokio_runtime = ::tractor::__private::tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("#[tractor::main]: failed to start the tokio runtime");
            let runtime: ::tractor::Runtime = {
                let _entered = tokio_runtime.enter();
                #build
            };
            #clone_runtime
            // Shut the runtime down however the body ends: a value, an
            // error, or a panic (resumed once every actor has stopped).
            let result = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| #run));
            tokio_runtime.block_on(runtime.shutdown());
            match result {
                ::core::result::Result::Ok(output) => output,
                ::core::result::Result::Err(panic) => ::std::panic::resume_unwind(panic),
            }
        }
        #errors
    }
}
