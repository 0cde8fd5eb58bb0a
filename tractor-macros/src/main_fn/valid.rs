//! Checks of the function under `#[tractor::main]`.

use syn::ItemFn;

use crate::errors::Errors;

/// Checks the function under `#[tractor::main]`.
pub(crate) fn check(item: &ItemFn, errors: &mut Errors) {
    let sig = &item.sig;
    let name = &sig.ident;
    if sig.asyncness.is_none() {
        errors.spanned(
            sig.fn_token,
            format!("`#[tractor::main]` needs an `async fn`: write `async fn {name}(runtime: Runtime)`"),
        );
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.spanned(
            &sig.generics,
            format!("`#[tractor::main]` runs a plain function; remove the generics from `{name}`"),
        );
    }
    if let Some(receiver) = sig.receiver() {
        errors.spanned(receiver, "`#[tractor::main]` goes on a free function, not a method");
    }
    match sig.inputs.len() {
        0 => errors.spanned(
            sig.ident.clone(),
            format!(
                "`#[tractor::main]` hands the function the `Runtime` it built: write \
                 `async fn {name}(runtime: Runtime)`"
            ),
        ),
        1 => {}
        _ => {
            let extra: Vec<_> = sig.inputs.iter().skip(1).collect();
            errors.spanned(
                quote::quote!(#(#extra),*),
                format!("`{name}` takes only the runtime: write `async fn {name}(runtime: Runtime)`"),
            );
        }
    }
    if let Some(variadic) = &sig.variadic {
        errors.spanned(variadic, "`#[tractor::main]` cannot take variadic arguments");
    }
}
