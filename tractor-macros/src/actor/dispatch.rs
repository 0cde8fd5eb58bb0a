//! `CounterMessage` and `CounterReply`: one enum holding any message of the
//! actor, and one holding any of its replies.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Ident, Type};

use super::ast::ActorBlock;
use super::expand::{Plan, pretty, widest_vis};
use crate::types;

/// `CounterMessage`, `CounterReply`, their `From` and `Message` impls.
pub(super) fn generate(block: &ActorBlock, plans: &[Plan<'_>]) -> TokenStream {
    let actor = &block.name;
    let self_ty = &*block.item.self_ty;
    let vis = widest_vis(plans);
    let span = block.name.span();
    let enum_name = format_ident!("{}Message", actor, span = span);
    let reply_name = format_ident!("{}Reply", actor, span = span);
    let (impl_generics, _, where_clause) = block.item.generics.split_for_impl();
    let enum_generics = types::generics_used_by(
        &block.item.generics,
        plans.iter().flat_map(|plan| plan.fields.iter().map(|(_, ty)| ty)),
    );
    let reply_generics = types::generics_used_by(&block.item.generics, plans.iter().map(|plan| &plan.reply));
    let (_, enum_ty_generics, _) = enum_generics.split_for_impl();
    let (_, reply_ty_generics, _) = reply_generics.split_for_impl();
    let enum_where = &enum_generics.where_clause;
    let reply_where = &reply_generics.where_clause;

    let cfgs: Vec<_> = plans.iter().map(|plan| &plan.message.cfgs).collect();
    let variants: Vec<&Ident> = plans.iter().map(|plan| plan.name).collect();
    let message_tys: Vec<TokenStream> = plans.iter().map(Plan::ty).collect();
    let replies: Vec<&Type> = plans.iter().map(|plan| &plan.reply).collect();
    let variant_docs = plans.iter().map(|plan| format!("The `{}` message.", pretty(&plan.ty())));
    let reply_docs =
        plans.iter().map(|plan| format!("The reply to `{}`: `{}`.", pretty(&plan.ty()), pretty(&plan.reply)));

    let enum_doc = format!(
        "Any message of `{actor}`: one variant per `#[message]` method of its `#[actor]` block.\n\n\
         Built with `From` (`{enum_name}::from(msg)` or `msg.into()`) and sent like any message; \
         the reply is the [`{reply_name}`] variant of the same name. Use it to hold or queue \
         \"any message of this actor\" in one type."
    );
    let reply_doc = format!(
        "The reply to a [`{enum_name}`]: the variant named like the message that was sent, \
         holding that message's reply."
    );

    let from_impls = plans.iter().zip(&message_tys).map(|(plan, ty)| {
        let cfgs = &plan.message.cfgs;
        let (from_impl_generics, _, _) = enum_generics.split_for_impl();
        let variant = plan.name;
        quote! {
            #(#cfgs)*
            #[automatically_derived]
            impl #from_impl_generics ::core::convert::From<#ty> for #enum_name #enum_ty_generics #enum_where {
                #[inline]
                fn from(message: #ty) -> Self {
                    Self::#variant(message)
                }
            }
        }
    });

    let trait_ = quote!(::tractor::Message<#self_ty>);
    let now = quote!(::tractor::__private::Now);
    let outcome = quote!(::tractor::__private::Outcome);
    // Replies, including forwarded ones, are wrapped in the reply enum on the
    // way out; the actor never waits for a forward's target.
    let now_arms = plans.iter().zip(&message_tys).map(|(plan, ty)| {
        let cfgs = &plan.message.cfgs;
        let variant = plan.name;
        quote! {
            #(#cfgs)*
            Self::#variant(message) => match <#ty as #trait_>::__handle_now(message, actor, ctx) {
                #now::Reply(reply) => #now::Reply(#reply_name::#variant(reply)),
                #now::Forward(forward) => #now::Forward(forward.__map(#reply_name::#variant)),
                #now::Later(message) => #now::Later(Self::#variant(message)),
            },
        }
    });
    let later_arms = plans.iter().zip(&message_tys).map(|(plan, ty)| {
        let cfgs = &plan.message.cfgs;
        let variant = plan.name;
        quote! {
            #(#cfgs)*
            Self::#variant(message) => match <#ty as #trait_>::__handle_later(message, actor, ctx).await {
                #outcome::Reply(reply) => #outcome::Reply(#reply_name::#variant(reply)),
                #outcome::Forward(forward) => #outcome::Forward(forward.__map(#reply_name::#variant)),
            },
        }
    });

    quote! {
        #[doc = #enum_doc]
        #[allow(missing_debug_implementations, unreachable_pub, dead_code, private_interfaces)]
        #vis enum #enum_name #enum_generics #enum_where {
            #(
                #(#cfgs)*
                #[doc = #variant_docs]
                #variants(#message_tys),
            )*
        }

        #[doc = #reply_doc]
        #[allow(missing_debug_implementations, unreachable_pub, dead_code, private_interfaces)]
        #vis enum #reply_name #reply_generics #reply_where {
            #(
                #(#cfgs)*
                #[doc = #reply_docs]
                #variants(#replies),
            )*
        }

        #(#from_impls)*

        #[automatically_derived]
        impl #impl_generics #trait_ for #enum_name #enum_ty_generics #where_clause {
            type Reply = #reply_name #reply_ty_generics;

            fn handle(
                self,
                actor: &mut #self_ty,
                ctx: &mut ::tractor::Context<#self_ty>,
            ) -> impl ::core::future::Future<Output = Self::Reply> + ::core::marker::Send {
                async move {
                    match self {
                        #(
                            #(#cfgs)*
                            Self::#variants(message) => #reply_name::#variants(
                                <#message_tys as #trait_>::handle(message, actor, ctx).await,
                            ),
                        )*
                    }
                }
            }

            #[inline]
            fn __handle_now(
                self,
                actor: &mut #self_ty,
                ctx: &mut ::tractor::Context<#self_ty>,
            ) -> #now<Self, Self::Reply> {
                match self {
                    #(#now_arms)*
                }
            }

            fn __handle_later(
                self,
                actor: &mut #self_ty,
                ctx: &mut ::tractor::Context<#self_ty>,
            ) -> impl ::core::future::Future<Output = #outcome<Self::Reply>> + ::core::marker::Send {
                async move {
                    match self {
                        #(#later_arms)*
                    }
                }
            }
        }
    }
}
