//! Code generation for `#[actor]`: what each message gets (its struct and its
//! `Message` impl), then the block's dispatch enum and ref extension trait.
//!
//! Generated code names everything by absolute path (`::tractor::..`,
//! `::core::..`) so it compiles whatever the user has in scope, and puts the
//! user's spans on the tokens whose type errors the user must fix.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Generics, Ident, Type, Visibility};

use super::ast::{ActorBlock, MessageFn};
use super::valid::{Emit, Verdict};
use super::{dispatch, ref_ext, remote};
use crate::names;
use crate::types::{self, ForwardForm};

/// Everything one message needs, worked out once.
pub(super) struct Plan<'a> {
    pub(super) message: &'a MessageFn,
    /// The handler calls the method; else its body never runs (the method
    /// cannot be called, and an error says so).
    pub(super) calls: bool,
    /// Whether the typed ref method is generated.
    pub(super) ref_method: bool,
    /// The struct's name.
    pub(super) name: &'a Ident,
    /// The struct's generics: the block's parameters its fields use.
    pub(super) generics: Generics,
    /// `(field, type)` with `Self` replaced by the actor type.
    pub(super) fields: Vec<(&'a Ident, Type)>,
    /// The ref method's arguments: the fields as the user wrote them (with
    /// `Self` replaced); they differ from `fields` only in a stub.
    pub(super) params: Vec<(&'a Ident, Type)>,
    /// The `Reply` type, `Self` replaced.
    pub(super) reply: Type,
}

impl Plan<'_> {
    /// `Push<T>`: the struct's type with its generics.
    pub(super) fn ty(&self) -> TokenStream {
        let name = self.name;
        let (_, ty_generics, _) = self.generics.split_for_impl();
        quote!(#name #ty_generics)
    }
}

/// Everything `#[actor]` generates for `block`, as far as `verdict` allows.
pub(super) fn generate(block: &ActorBlock, verdict: &Verdict) -> TokenStream {
    let self_ty = &*block.item.self_ty;
    let plans: Vec<Plan<'_>> = block
        .messages
        .iter()
        .zip(&verdict.messages)
        .filter(|(_, verdict)| verdict.emit != Emit::Nothing)
        .map(|(message, verdict)| {
            let calls = verdict.emit == Emit::Handler;
            // A context out of its place is an error, not a field: leaving it
            // out keeps the struct and the ref method what the user expects.
            let params: Vec<(&Ident, Type)> = message
                .args
                .iter()
                .filter(|arg| arg.context.is_none())
                .map(|arg| (&arg.field, types::replace_self_in_type(&arg.ty, self_ty)))
                .collect();
            // A stub's borrowed types are made `'static` so that the struct
            // can be written at all.
            let owned = |ty: &Type| if calls { ty.clone() } else { types::make_static(ty) };
            let fields: Vec<(&Ident, Type)> = params.iter().map(|(field, ty)| (*field, owned(ty))).collect();
            let generics = types::generics_used_by(&block.item.generics, fields.iter().map(|(_, ty)| ty));
            let reply = message
                .options
                .reply
                .clone()
                .or_else(|| message.forwarded_reply())
                .or_else(|| message.output().cloned())
                .unwrap_or_else(|| syn::parse_quote!(()));
            // A stub's reply holds no `Forward` (refused as a reply).
            let reply = owned(&types::replace_self_in_type(&reply, self_ty));
            let reply = if calls { reply } else { types::strip_forwards(&reply) };
            Plan {
                message,
                calls,
                ref_method: verdict.ref_method,
                name: &message.name,
                generics,
                fields,
                params,
                reply,
            }
        })
        .collect();
    if plans.is_empty() {
        return TokenStream::new();
    }

    let mut out = TokenStream::new();
    for plan in &plans {
        out.extend(message_struct(block, plan));
        out.extend(message_impl(block, plan));
        out.extend(remote::message_impl(block, plan));
    }
    out.extend(dispatch::generate(block, &plans));
    out.extend(ref_ext::generate(block, &plans));
    out.extend(remote::actor_impl(block, &plans));
    out
}

/// `Add<T>` → "`Add<T>`" for docs: the token text without the spaces `quote`
/// puts around punctuation.
/// The user's doc comments (if any), then a paragraph of ours.
pub(super) fn docs_then(docs: &[syn::Attribute], summary: &str) -> TokenStream {
    if docs.is_empty() { quote!(#[doc = #summary]) } else { quote!(#(#docs)* #[doc = ""] #[doc = #summary]) }
}

pub(super) fn pretty(tokens: &impl ToTokens) -> String {
    let text = tokens.to_token_stream().to_string();
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = if i > 0 { chars[i - 1] } else { ' ' };
            let next = chars.get(i + 1).copied().unwrap_or(' ');
            let glue_left = matches!(next, '<' | '>' | ',' | ':' | ')' | ']' | ';');
            let glue_right = matches!(prev, '<' | '&' | ':' | '(' | '[' | '\'');
            if glue_left || glue_right {
                continue;
            }
        }
        out.push(c);
    }
    out.replace("->", " -> ").replace("  ", " ")
}

fn message_struct(block: &ActorBlock, plan: &Plan<'_>) -> TokenStream {
    let message = plan.message;
    let vis = message.vis();
    let name = plan.name;
    let cfgs = &message.cfgs;
    let method = format!("{}::{}", block.name, names::unraw(&message.method.sig.ident));
    let summary = format!(
        "Message of `{}`, generated by `#[actor]` from `{method}`; its reply is `{}`.",
        block.name,
        pretty(&plan.reply)
    );
    let docs = docs_then(&message.docs, &summary);
    let derives = &message.options.derives;
    let derive = (!derives.is_empty()).then(|| quote!(#[derive(#(#derives),*)]));
    let remote = remote::derives(block, plan);
    let generics = &plan.generics;
    let where_clause = &plan.generics.where_clause;
    let span = message.method.sig.ident.span();
    let body = if plan.fields.is_empty() {
        quote_spanned!(span=> ;)
    } else {
        let fields = plan.fields.iter().map(|(field, ty)| {
            let doc = format!("The `{}` argument of `{method}`.", names::unraw(field));
            quote!(#[doc = #doc] pub #field: #ty)
        });
        quote_spanned!(span=> #where_clause { #(#fields,)* })
    };
    // Spanned at the method: "defined multiple times" points there.
    quote_spanned! {span=>
        #(#cfgs)*
        #docs
        #derive
        #remote
        #[allow(missing_debug_implementations, unreachable_pub, dead_code, private_interfaces)]
        #vis struct #name #generics #body
    }
}

fn message_impl(block: &ActorBlock, plan: &Plan<'_>) -> TokenStream {
    let message = plan.message;
    let self_ty = &*block.item.self_ty;
    let (impl_generics, _, where_clause) = block.item.generics.split_for_impl();
    let ty = plan.ty();
    let reply = &plan.reply;
    let cfgs = &message.cfgs;
    let method_span = message.method.sig.ident.span();
    // Errors about the handler's future (`Send`, lifetimes) point at the method.
    let future = quote_spanned! {method_span=>
        impl ::core::future::Future<Output = Self::Reply> + ::core::marker::Send
    };
    let now = quote!(::tractor::__private::Now<Self, Self::Reply>);
    let outcome = quote!(::tractor::__private::Outcome<Self::Reply>);

    let body = if !plan.calls {
        // The method cannot be called; a compile error is already reported.
        // A body that type-checks keeps the rest of the crate error-free.
        quote! {
            fn handle(
                self,
                _actor: &mut #self_ty,
                _ctx: &mut ::tractor::Context<#self_ty>,
            ) -> #future {
                ::core::future::pending()
            }
        }
    } else {
        let actor = Ident::new("actor", Span::call_site());
        let ctx = Ident::new(if message.ctx.is_some() { "ctx" } else { "_ctx" }, Span::call_site());
        let sig = |name: &str, output: &TokenStream| {
            let name = Ident::new(name, Span::call_site());
            quote! {
                fn #name(
                    self,
                    #actor: &mut #self_ty,
                    #ctx: &mut ::tractor::Context<#self_ty>,
                ) -> #output
            }
        };
        let handle = sig("handle", &future);
        let now_sig = sig("__handle_now", &now);
        let later_sig = sig(
            "__handle_later",
            &quote_spanned! {method_span=>
                impl ::core::future::Future<Output = #outcome> + ::core::marker::Send
            },
        );
        // Every body binds the method's result to a variable of the declared
        // reply type (or `Forward<reply>`) first: a method whose return type
        // disagrees with `reply = ..` fails there, once, at its return type.
        let form = message.forward().map(|(form, _)| form);
        let bind = call(block, plan, &actor, &ctx, form);
        let now_ = quote!(::tractor::__private::Now);
        let outcome_ = quote!(::tractor::__private::Outcome);
        // `Result<Forward<R>, E>` / `Option<Forward<R>>`: `Ok`/`Some` forwards
        // (the target's reply wrapped on its way to the asker), `Err`/`None`
        // is the reply.
        let wrapped = match form {
            Some(ForwardForm::Result) => Some((
                quote!(::core::result::Result::Ok),
                quote!(::core::result::Result::Err(error)),
                quote!(::core::result::Result::Err(error)),
            )),
            Some(ForwardForm::Option) => Some((
                quote!(::core::option::Option::Some),
                quote!(::core::option::Option::None),
                quote!(::core::option::Option::None),
            )),
            _ => None,
        };
        if let Some((yes, no_pat, no)) = wrapped {
            let handle_body = quote! {
                #[inline]
                #handle {
                    async move {
                        // The `Forward` (not `Send`) is gone before the await:
                        // its place ends with this block.
                        let forwarded = {
                            #bind
                            match reply {
                                #yes(forward) => #yes(::tractor::Forward::__wait(forward)),
                                #no_pat => #no,
                            }
                        };
                        match forwarded {
                            #yes(reply) => #yes(reply.await),
                            #no_pat => #no,
                        }
                    }
                }
            };
            let forwarded = quote!(::tractor::Forward::__map(forward, #yes));
            if message.method.sig.asyncness.is_some() {
                quote! {
                    #handle_body
                    #[inline]
                    #later_sig {
                        async move {
                            #bind
                            match reply {
                                #yes(forward) => #outcome_::Forward(#forwarded),
                                #no_pat => #outcome_::Reply(#no),
                            }
                        }
                    }
                }
            } else {
                quote! {
                    #handle_body
                    #[inline]
                    #now_sig {
                        #bind
                        match reply {
                            #yes(forward) => #now_::Forward(#forwarded),
                            #no_pat => #now_::Reply(#no),
                        }
                    }
                }
            }
        } else {
            match (message.method.sig.asyncness.is_some(), form.is_some()) {
                // One call, no future to allocate: the runtime answers at once.
                (false, false) => quote! {
                    #[inline]
                    #handle { async move { #bind reply } }
                    #[inline]
                    #now_sig { #bind #now_::Reply(reply) }
                },
                (true, false) => quote! {
                    #[inline]
                    #handle { async move { #bind reply } }
                },
                // The forward is handed to the runtime, so this actor is free at
                // once; `handle` (a direct call) waits for the target's reply.
                (false, true) => quote! {
                    #[inline]
                    #handle { async move { #bind ::tractor::Forward::__wait(reply).await } }
                    #[inline]
                    #now_sig { #bind #now_::Forward(reply) }
                },
                (true, true) => quote! {
                    #[inline]
                    #handle { async move { #bind ::tractor::Forward::__wait(reply).await } }
                    #[inline]
                    #later_sig { async move { #bind #outcome_::Forward(reply) } }
                },
            }
        }
    };
    // The impl carries the method's span, so "`Message<Counter>` is
    // implemented for `Get`" notes point at the method that made it.
    quote_spanned! {method_span=>
        #(#cfgs)*
        #[automatically_derived]
        impl #impl_generics ::tractor::Message<#self_ty> for #ty #where_clause {
            type Reply = #reply;
            #body
        }
    }
}

/// `let reply: i64 = (<Counter>::get(actor, ctx, self.by).await);`, the
/// call spanned at the method's return type (so a reply of the wrong type is
/// reported there) and the context at the `ctx` argument's actor type (so a
/// `Context<Other>` is reported there).
fn call(block: &ActorBlock, plan: &Plan<'_>, actor: &Ident, ctx: &Ident, form: Option<ForwardForm>) -> TokenStream {
    let message = plan.message;
    let self_ty = &*block.item.self_ty;
    let method = &message.method.sig.ident;
    let ctx = message.ctx.as_ref().map(|ctx_arg| {
        let ctx = Ident::new(&ctx.to_string(), ctx_arg.actor.span());
        quote!(#ctx,)
    });
    let span = message.output().map_or_else(|| method.span(), Spanned::span);
    let fields = plan.fields.iter().map(|(field, _)| types::respan(quote!(self.#field), span));
    let await_ = message.method.sig.asyncness.map(|_| quote_spanned!(span=> .await));
    let path = types::respan(quote!(<#self_ty>::#method), span);
    let actor = types::respan(quote!(#actor), span);
    let reply = &plan.reply;
    let forward = |ty: &Type| -> Type { syn::parse_quote_spanned!(ty.span()=> ::tractor::Forward<#ty>) };
    let ty = match form {
        None => quote!(#reply),
        Some(ForwardForm::Plain) => forward(reply).into_token_stream(),
        Some(_) => types::map_first_arg(reply, forward).into_token_stream(),
    };
    let value = quote_spanned!(span=> #path(#actor, #ctx #(#fields),*) #await_);
    quote!(let reply: #ty = #value;)
}

/// The most visible of the messages' visibilities: that of the block items.
pub(super) fn widest_vis<'a>(plans: &'a [Plan<'_>]) -> &'a Visibility {
    fn rank(vis: &Visibility) -> u8 {
        match vis {
            Visibility::Public(_) => 3,
            Visibility::Restricted(restricted) if restricted.path.is_ident("crate") => 2,
            Visibility::Restricted(restricted) if restricted.path.is_ident("self") => 0,
            Visibility::Restricted(_) => 1,
            Visibility::Inherited => 0,
        }
    }
    plans.iter().map(|plan| plan.message.vis()).max_by_key(|vis| rank(vis)).unwrap_or(&Visibility::Inherited)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_types() {
        let ty: Type = syn::parse_quote!(Option<Vec<(u8, &'static str)>>);
        assert_eq!(pretty(&ty), "Option<Vec<(u8, &'static str)>>");
        let ty: Type = syn::parse_quote!(());
        assert_eq!(pretty(&ty), "()");
        let ty: Type = syn::parse_quote!(std::collections::HashMap<String, T>);
        assert_eq!(pretty(&ty), "std::collections::HashMap<String, T>");
    }
}
