//! What `#[actor(remote)]` / `#[message(remote)]` add for `tractor-remote`:
//! serde's derives on the message struct, its `Remote` impl (wire id and
//! shape), and the actor's `RemoteActor` impl listing its remote messages.
//!
//! The generated code names `::tractor_remote::__private`: a crate with
//! remote actors depends on `tractor-remote` (for `RemoteRef`) anyway.

use proc_macro2::TokenStream;
use quote::quote;

use super::ast::ActorBlock;
use super::expand::{Plan, pretty};
use crate::names;

/// The attributes the message struct gets when it is remote: serde's derives
/// through `tractor-remote`'s re-export.
pub(super) fn derives(block: &ActorBlock, plan: &Plan<'_>) -> TokenStream {
    if !is_remote(block, plan) {
        return TokenStream::new();
    }
    quote! {
        #[derive(
            ::tractor_remote::__private::serde::Serialize,
            ::tractor_remote::__private::serde::Deserialize
        )]
        #[serde(crate = "::tractor_remote::__private::serde")]
    }
}

/// `impl Remote<Counter> for Get`: its wire id and shape.
pub(super) fn message_impl(block: &ActorBlock, plan: &Plan<'_>) -> TokenStream {
    if !is_remote(block, plan) {
        return TokenStream::new();
    }
    let self_ty = &*block.item.self_ty;
    let (impl_generics, _, where_clause) = block.item.generics.split_for_impl();
    let ty = plan.ty();
    let cfgs = &plan.message.cfgs;
    let wire_id = match &plan.message.options.id {
        Some(id) => quote!(#id),
        None => {
            let id = wire_id(&format!("{}::{}", block.name, plan.name));
            quote!(#id)
        }
    };
    let shape = shape(plan);
    quote! {
        #(#cfgs)*
        #[automatically_derived]
        impl #impl_generics ::tractor_remote::Remote<#self_ty> for #ty #where_clause {
            const WIRE_ID: u64 = #wire_id;
            const SHAPE: &'static str = #shape;
        }
    }
}

/// `impl RemoteActor for Counter`: the block's remote messages, for serving
/// and for the schema handshake. Nothing when none is remote.
pub(super) fn actor_impl(block: &ActorBlock, plans: &[Plan<'_>]) -> TokenStream {
    let remote: Vec<&Plan<'_>> = plans.iter().filter(|plan| is_remote(block, plan)).collect();
    if remote.is_empty() {
        return TokenStream::new();
    }
    let self_ty = &*block.item.self_ty;
    let (impl_generics, _, where_clause) = block.item.generics.split_for_impl();
    let entries = remote.iter().map(|plan| {
        let ty = plan.ty();
        let cfgs = &plan.message.cfgs;
        quote!(#(#cfgs)* entries.push(::tractor_remote::MessageEntry::of::<#ty>());)
    });
    quote! {
        #[automatically_derived]
        impl #impl_generics ::tractor_remote::RemoteActor for #self_ty #where_clause {
            fn messages() -> ::std::vec::Vec<::tractor_remote::MessageEntry<Self>> {
                let mut entries = ::std::vec::Vec::new();
                #(#entries)*
                entries
            }
        }
    }
}

/// A message is remote if it or its block says so, and its handler is real
/// (a stub's message cannot be sent, so it cannot be served either).
fn is_remote(block: &ActorBlock, plan: &Plan<'_>) -> bool {
    plan.calls && plan.message.is_remote(&block.options)
}

/// The shape two nodes compare: the message's fields (names and types as
/// written) and its reply. `Increment{by:i64}->()`.
fn shape(plan: &Plan<'_>) -> String {
    let fields: Vec<String> =
        plan.fields.iter().map(|(field, ty)| format!("{}:{}", names::unraw(field), pretty(ty))).collect();
    format!("{}{{{}}}->{}", plan.name, fields.join(","), pretty(&plan.reply)).replace(' ', "")
}

/// FNV-1a (64 bits) of `name`: the same function as
/// `tractor_remote::wire_id`, so a hand-written `Remote` impl that calls it
/// with `"Counter::Get"` agrees with the generated one.
fn wire_id(name: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in name.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::wire_id;

    #[test]
    fn wire_ids_are_fnv1a() {
        // FNV-1a's published test vectors.
        assert_eq!(wire_id(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(wire_id("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(wire_id("foobar"), 0x8594_4171_f739_67e8);
    }
}
