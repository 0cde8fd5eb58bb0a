//! The parsed form of an `#[actor]` impl block.
//!
//! Parsing is lenient: it records what the user wrote (a missing receiver, a
//! pattern argument) and leaves judging it to `valid.rs`, so every mistake is
//! reported at once.

use proc_macro2::Span;
use quote::format_ident;
use syn::{Attribute, FnArg, Ident, ImplItem, ImplItemFn, ItemImpl, Pat, Type, Visibility};

use crate::attr::{self, MessageAttr};
use crate::errors::Errors;
use crate::types;

/// An `#[actor] impl Counter { .. }` block.
pub(crate) struct ActorBlock {
    /// The block as written, with the `#[message]` attributes removed; it is
    /// emitted unchanged apart from that.
    pub(crate) item: ItemImpl,
    /// `Counter`: the last segment of the self type, base of the block-level
    /// names (`CounterMessage`, `CounterReply`, `CounterRefExt`).
    pub(crate) name: Ident,
    /// The `#[message]` methods, in source order.
    pub(crate) messages: Vec<MessageFn>,
}

/// One `#[message]` method.
pub(crate) struct MessageFn {
    /// The method as written (attributes removed).
    pub(crate) method: ImplItemFn,
    /// Its options.
    pub(crate) options: MessageAttr,
    /// The generated struct's name: `name = ..` or the method in UpperCamelCase.
    pub(crate) name: Ident,
    /// The `self` argument, if any.
    pub(crate) receiver: Option<syn::Receiver>,
    /// The type of the `ctx` argument right after `self`, if present.
    pub(crate) ctx: Option<Type>,
    /// The arguments that become the struct's fields.
    pub(crate) args: Vec<Arg>,
    /// `#[doc]` attributes, carried to the struct and the ref method.
    pub(crate) docs: Vec<Attribute>,
    /// `#[cfg]` attributes, carried to everything generated for this message.
    pub(crate) cfgs: Vec<Attribute>,
    /// Set by the checks when the method cannot be called as a handler; the
    /// message's items are still generated (with a body that never runs) so
    /// uses of them elsewhere do not add errors of their own.
    pub(crate) broken: bool,
    /// Set by the checks when nothing can be generated for this message.
    pub(crate) skipped: bool,
    /// Set by the checks when the typed ref method must not be generated.
    pub(crate) no_ref_method: bool,
}

/// An argument that becomes a field.
pub(crate) struct Arg {
    /// The field's name: the argument's name, or `argN` for a pattern.
    pub(crate) field: Ident,
    /// The argument's type as written.
    pub(crate) ty: Type,
}

impl ActorBlock {
    /// Reads `item`; errors about `#[message]` attributes go to `errors`.
    pub(crate) fn from_item(mut item: ItemImpl, errors: &mut Errors) -> Self {
        let name = types::self_ident(&item.self_ty).cloned().unwrap_or_else(|| Ident::new("Actor", Span::call_site()));
        let mut messages = Vec::new();
        for impl_item in &mut item.items {
            let (attrs, is_fn) = match impl_item {
                ImplItem::Fn(method) => (&mut method.attrs, true),
                ImplItem::Const(c) => (&mut c.attrs, false),
                ImplItem::Type(t) => (&mut t.attrs, false),
                ImplItem::Macro(m) => (&mut m.attrs, false),
                _ => continue,
            };
            let message_attrs: Vec<Attribute> =
                attrs.iter().filter(|attr| attr::is_message_attr(attr)).cloned().collect();
            attrs.retain(|attr| !attr::is_message_attr(attr));
            let Some(first) = message_attrs.first() else {
                continue;
            };
            if !is_fn {
                errors.spanned(first, "`#[message]` goes on a method: `#[message] fn name(&mut self, ..)`");
                continue;
            }
            for extra in &message_attrs[1..] {
                errors.spanned(
                    extra,
                    "a method takes one `#[message]`; put all options in it: `#[message(reply = T, name = N)]`",
                );
            }
            let ImplItem::Fn(method) = impl_item else {
                continue;
            };
            messages.push(MessageFn::new(method.clone(), first.clone(), errors));
            // The receiver is required of a message method, used or not.
            method.attrs.push(syn::parse_quote!(#[allow(clippy::unused_self)]));
        }
        ActorBlock { item, name, messages }
    }
}

impl MessageFn {
    fn new(method: ImplItemFn, attr: Attribute, errors: &mut Errors) -> Self {
        let options = attr::parse_message_attr(&attr, errors);
        let name = match &options.name {
            Some(name) => name.clone(),
            None => {
                let camel = types::upper_camel(&method.sig.ident.to_string());
                format_ident!("{}", camel, span = method.sig.ident.span())
            }
        };
        let mut inputs = method.sig.inputs.iter().peekable();
        let receiver = match inputs.peek() {
            Some(FnArg::Receiver(receiver)) => {
                let receiver = receiver.clone();
                inputs.next();
                Some(receiver)
            }
            _ => None,
        };
        let ctx = match inputs.peek() {
            Some(FnArg::Typed(arg)) if types::context_actor(&arg.ty).is_some() => {
                let ty = (*arg.ty).clone();
                inputs.next();
                Some(ty)
            }
            _ => None,
        };
        let args = inputs
            .enumerate()
            .filter_map(|(i, input)| match input {
                FnArg::Typed(arg) => Some(Arg {
                    field: match &*arg.pat {
                        Pat::Ident(ident) => ident.ident.clone(),
                        _ => format_ident!("arg{}", i),
                    },
                    ty: (*arg.ty).clone(),
                }),
                FnArg::Receiver(_) => None,
            })
            .collect();
        MessageFn {
            docs: attr::docs(&method.attrs),
            cfgs: attr::cfgs(&method.attrs),
            method,
            options,
            name,
            receiver,
            ctx,
            args,
            broken: false,
            skipped: false,
            no_ref_method: false,
        }
    }

    /// The method's visibility: the generated struct's too.
    pub(crate) fn vis(&self) -> &Visibility {
        &self.method.vis
    }

    /// The method's return type as written; `None` for `()`.
    pub(crate) fn output(&self) -> Option<&Type> {
        match &self.method.sig.output {
            syn::ReturnType::Default => None,
            syn::ReturnType::Type(_, ty) => Some(ty),
        }
    }

    /// `R` when the method returns `Forward<R>` and is a forwarding handler.
    /// A return type spelled exactly like `reply = ..` is a plain reply, so a
    /// user type that happens to be called `Forward` stays usable.
    pub(crate) fn forward_target(&self) -> Option<&Type> {
        let output = self.output()?;
        let target = types::forward_target(output)?;
        match &self.options.reply {
            Some(reply) if same_tokens(reply, output) => None,
            _ => Some(target),
        }
    }
}

fn same_tokens(a: &impl quote::ToTokens, b: &impl quote::ToTokens) -> bool {
    a.to_token_stream().to_string() == b.to_token_stream().to_string()
}
