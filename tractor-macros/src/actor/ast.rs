//! The parsed form of an `#[actor]` impl block.
//!
//! Parsing is lenient: it records what the user wrote (a missing receiver, a
//! pattern argument) and leaves judging it to `valid.rs`, so every mistake is
//! reported at once. It also decides, once, which argument is the context.

use proc_macro2::Span;
use quote::format_ident;
use syn::{Attribute, FnArg, Ident, ImplItem, ImplItemFn, ItemImpl, Pat, PatType, Type, Visibility};

use super::attr::{self, MessageAttr};
use crate::errors::Errors;
use crate::names;
use crate::types::{self, ContextKind, ForwardForm};

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
    /// `#[actor(..)]`'s options.
    pub(crate) options: attr::ActorAttr,
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
    /// The context argument, when the method takes one where it belongs.
    pub(crate) ctx: Option<CtxArg>,
    /// The arguments that become the struct's fields: every typed argument
    /// but the context.
    pub(crate) args: Vec<Arg>,
    /// `#[doc]` attributes, carried to the struct and the ref method.
    pub(crate) docs: Vec<Attribute>,
    /// `#[cfg]` attributes, carried to everything generated for this message.
    pub(crate) cfgs: Vec<Attribute>,
}

/// The `ctx: &mut Context<A>` argument, right after `self` (or first, when
/// `self` is missing).
pub(crate) struct CtxArg {
    /// `&mut Context<A>` as written.
    pub(crate) ty: Type,
    /// `A` as written: a wrong actor is reported there.
    pub(crate) actor: Type,
}

/// An argument that becomes a field.
pub(crate) struct Arg {
    /// The argument as written.
    pub(crate) arg: PatType,
    /// The field's name: the argument's name, or `argN` for a pattern.
    pub(crate) field: Ident,
    /// The argument's type as written.
    pub(crate) ty: Type,
    /// Set when the type is a `Context` anyway: a context out of its place.
    pub(crate) context: Option<ContextKind>,
}

impl ActorBlock {
    /// Reads `item`; errors about `#[message]` attributes go to `errors`.
    pub(crate) fn from_item(mut item: ItemImpl, options: attr::ActorAttr, errors: &mut Errors) -> Self {
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
        ActorBlock { item, name, messages, options }
    }
}

impl MessageFn {
    fn new(method: ImplItemFn, attr: Attribute, errors: &mut Errors) -> Self {
        let options = attr::parse(&attr, errors);
        let name = options.name.clone().unwrap_or_else(|| names::message_name(&method.sig.ident));
        let mut inputs = method.sig.inputs.iter().peekable();
        let receiver = match inputs.peek() {
            Some(FnArg::Receiver(receiver)) => {
                let receiver = receiver.clone();
                inputs.next();
                Some(receiver)
            }
            _ => None,
        };
        // The context's place: the first argument after `self`.
        let ctx = match inputs.peek() {
            Some(FnArg::Typed(arg)) => match types::context_of(&arg.ty) {
                Some((ContextKind::Borrowed, actor)) => Some(CtxArg { ty: (*arg.ty).clone(), actor: actor.clone() }),
                _ => None,
            },
            _ => None,
        };
        if ctx.is_some() {
            inputs.next();
        }
        let args = inputs
            .enumerate()
            .filter_map(|(i, input)| match input {
                FnArg::Typed(arg) => Some(Arg {
                    arg: arg.clone(),
                    field: match &*arg.pat {
                        Pat::Ident(ident) => ident.ident.clone(),
                        _ => format_ident!("arg{}", i),
                    },
                    ty: (*arg.ty).clone(),
                    context: types::context_of(&arg.ty).map(|(kind, _)| kind),
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
        }
    }

    /// Whether the message crosses nodes: `#[message(remote)]`, or in an
    /// `#[actor(remote)]` block.
    pub(crate) fn is_remote(&self, block: &attr::ActorAttr) -> bool {
        self.options.remote.is_some() || block.remote.is_some()
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

    /// `(form, R)` when the method is a forwarding handler: it returns
    /// `Forward<R>`, `Result<Forward<R>, E>` or `Option<Forward<R>>`.
    ///
    /// A return type spelled exactly like `reply = ..` is a plain reply (and
    /// refused: a reply cannot hold a `Forward`). With
    /// `reply = ..` written, the form is read from it (`reply = Result<R, E>`
    /// is the `Result` form); a `reply = ..` that is no such wrapper makes the
    /// method a plain one, so the mismatch is reported once, at its return
    /// type.
    pub(crate) fn forward(&self) -> Option<(ForwardForm, &Type)> {
        let output = self.output()?;
        let (form, target) = types::forward_form(output)?;
        match &self.options.reply {
            Some(reply) if same_tokens(reply, output) => None,
            Some(reply) if form != ForwardForm::Plain => types::wrapper(reply).map(|(declared, _)| (declared, target)),
            _ => Some((form, target)),
        }
    }

    /// The reply a forwarding handler's return type implies: `R`,
    /// `Result<R, E>` or `Option<R>`.
    pub(crate) fn forwarded_reply(&self) -> Option<Type> {
        let (form, target) = self.forward()?;
        let output = self.output()?;
        Some(match form {
            ForwardForm::Plain => target.clone(),
            _ => types::map_first_arg(output, |_| target.clone()),
        })
    }
}

fn same_tokens(a: &impl quote::ToTokens, b: &impl quote::ToTokens) -> bool {
    a.to_token_stream().to_string() == b.to_token_stream().to_string()
}
