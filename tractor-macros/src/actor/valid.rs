//! Checks: everything `#[actor]` refuses, each with what to write instead.
//!
//! The checks read the parsed block and return a [`Verdict`]: what may be
//! generated for each message. They never change the block.

use std::collections::HashMap;

use syn::{Pat, ReceiverKind, Type};

use super::ast::{ActorBlock, MessageFn};
use crate::errors::Errors;
use crate::names;
use crate::types::{self, ContextKind};

/// What the checks allow to be generated for a block: one entry per
/// `#[message]` method, in source order.
pub(crate) struct Verdict {
    pub(crate) messages: Vec<MessageVerdict>,
}

/// What may be generated for one message.
pub(crate) struct MessageVerdict {
    pub(crate) emit: Emit,
    /// Whether the typed method on `ActorRef` is generated.
    pub(crate) ref_method: bool,
}

/// How much of a message is generated, from most to least.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) enum Emit {
    /// Everything, with a handler that calls the method.
    Handler,
    /// The method cannot be called as a handler: the message's items are
    /// still generated, with a body that never runs, so uses of them
    /// elsewhere do not add errors of their own.
    Stub,
    /// Nothing: the struct itself cannot be written.
    Nothing,
}

impl MessageVerdict {
    /// Lowers what is generated to at most `emit`.
    fn limit(&mut self, emit: Emit) {
        self.emit = self.emit.max(emit);
    }
}

/// Methods `ActorRef` already has: a generated ref method with one of these
/// names would never be called (inherent and std-trait methods win).
const REF_METHODS: &[&str] = &[
    "ask",
    "tell",
    "try_ask",
    "try_tell",
    "id",
    "is_alive",
    "stop",
    "kill",
    "wait",
    "clone",
    "clone_from",
    "eq",
    "ne",
    "hash",
    "fmt",
    "into_future",
];

/// Checks an `#[actor]` block. Returns `None` when nothing can be generated
/// for it at all (not an inherent impl of a named type).
pub(crate) fn check_block(block: &ActorBlock, errors: &mut Errors) -> Option<Verdict> {
    let mut usable = true;
    if let Some((path, _)) = &block.item.trait_ {
        errors.spanned(
            path,
            "`#[actor]` goes on the actor's own impl block, `impl Counter { .. }`, not on a trait impl; \
             to override `Actor` hooks write `impl Actor for Counter` without `#[actor]`",
        );
        usable = false;
    }
    if types::self_ident(&block.item.self_ty).is_none() {
        errors.spanned(
            &block.item.self_ty,
            "`#[actor]` needs the actor's type by name: `impl Counter { .. }` or `impl<T> Stack<T> { .. }`",
        );
        usable = false;
    }
    if let Some(unsafety) = &block.item.unsafety {
        errors.spanned(unsafety, "`#[actor]` goes on a safe impl block; remove `unsafe`");
    }
    if !usable {
        return None;
    }

    let mut verdict =
        Verdict { messages: block.messages.iter().map(|message| check_message(message, errors)).collect() };
    check_names(block, &mut verdict, errors);
    check_remote(block, errors);
    Some(verdict)
}

/// `id = N` only with `remote`, and no two remote messages of a block with
/// one wire id.
fn check_remote(block: &ActorBlock, errors: &mut Errors) {
    let mut ids: Vec<(u64, &syn::LitInt)> = Vec::new();
    for message in &block.messages {
        let Some(id) = &message.options.id else { continue };
        if !message.is_remote(&block.options) {
            errors.spanned(
                id,
                "`id = N` is the wire id of a remote message: add `remote` (`#[message(remote, id = 7)]`), \
                 or remove it",
            );
            continue;
        }
        match id.base10_parse::<u64>() {
            Ok(value) if ids.iter().any(|(other, _)| *other == value) => {
                errors.spanned(id, format!("another remote message of this actor has the wire id {value}"));
            }
            Ok(value) => ids.push((value, id)),
            Err(e) => errors.push(e),
        }
    }
}

fn check_message(message: &MessageFn, errors: &mut Errors) -> MessageVerdict {
    let mut verdict = MessageVerdict { emit: Emit::Handler, ref_method: true };
    let sig = &message.method.sig;
    let name = &sig.ident;

    match &message.receiver {
        None => {
            errors.push(syn::Error::new(
                sig.paren_token.span.join(),
                format!(
                    "a `#[message]` method needs `&self` or `&mut self` first: the actor handles the message \
                     with its own state; write `fn {name}(&mut self, ..)`, or remove `#[message]` from a \
                     function that does not use the actor"
                ),
            ));
            verdict.limit(Emit::Stub);
        }
        Some(receiver) => match &receiver.kind {
            ReceiverKind::Reference(_, None, _) => {}
            ReceiverKind::Reference(_, Some(lifetime), _) => {
                errors.spanned(
                    lifetime,
                    "a `#[message]` method borrows the actor only while it handles the message; \
                     remove the lifetime: `&self` or `&mut self`",
                );
                verdict.limit(Emit::Stub);
            }
            ReceiverKind::Value => {
                errors.spanned(
                    receiver,
                    "`self` by value would consume the actor, which lives on after each message; \
                     take `&mut self` (or `&self`)",
                );
                verdict.limit(Emit::Stub);
            }
            _ => {
                errors.spanned(receiver, "a `#[message]` method takes `&self` or `&mut self`, not a typed `self`");
                verdict.limit(Emit::Stub);
            }
        },
    }

    if !sig.generics.params.is_empty() {
        errors.spanned(
            &sig.generics,
            "a `#[message]` method cannot have generic parameters of its own: each argument becomes a \
             field of the message struct and needs one type; use a concrete type, or put the parameter \
             on the impl block: `impl<T: Send + 'static> Stack<T>`",
        );
        verdict.limit(Emit::Nothing);
    } else if let Some(where_clause) = &sig.generics.where_clause {
        errors.spanned(
            where_clause,
            "a `#[message]` method cannot have a `where` clause: move the bounds to the impl block's \
             `where` clause",
        );
        verdict.limit(Emit::Stub);
    }
    if let syn::Safety::Unsafe(unsafety) = &sig.safety {
        errors.spanned(
            unsafety,
            "a `#[message]` method cannot be `unsafe`: the runtime calls it for every message, with no \
             caller to uphold its contract; make it safe and keep the `unsafe` block inside",
        );
        verdict.limit(Emit::Stub);
    }
    if let Some(abi) = &sig.abi {
        errors.spanned(abi, "a `#[message]` method cannot have an ABI; remove `extern`");
        verdict.limit(Emit::Stub);
    }

    if let Some(ctx) = &message.ctx {
        if message.receiver.is_none() {
            // Reported above; the context is otherwise fine.
        } else if let Type::Reference(reference) = &ctx.ty
            && reference.lifetime.is_some()
        {
            errors.spanned(
                &ctx.ty,
                "the context is lent only while the message is handled; write `ctx: &mut Context<Self>` \
                 without a lifetime",
            );
            verdict.limit(Emit::Stub);
        }
    }

    let struct_name = &message.name;
    for arg in &message.args {
        match arg.context {
            Some(ContextKind::Borrowed) => {
                errors.spanned(
                    &arg.arg,
                    format!(
                        "the context comes right after `self`: `fn {name}(&mut self, ctx: &mut Context<Self>, ..)`"
                    ),
                );
                verdict.limit(Emit::Stub);
                continue;
            }
            Some(ContextKind::Owned) => {
                errors.spanned(&arg.ty, "take the context by reference, right after `self`: `ctx: &mut Context<Self>`");
                verdict.limit(Emit::Stub);
                continue;
            }
            None => {}
        }
        match &*arg.arg.pat {
            Pat::Ident(ident) if ident.by_ref.is_none() && ident.subpat.is_none() => {}
            pat => {
                errors.spanned(
                    pat,
                    format!(
                        "each argument of a `#[message]` method becomes a field of `{struct_name}`, so it needs \
                         a plain name: write `name: Type` and destructure it in the body"
                    ),
                );
                verdict.limit(Emit::Stub);
            }
        }
        if let Some((part, what)) = types::unowned_part(&arg.ty) {
            verdict.limit(unowned(&arg.ty));
            errors.spanned(
                part,
                format!(
                    "{what} cannot be a field of `{struct_name}`: a message is sent to another task, so \
                     its fields must be owned (`'static`); use an owned type such as `String`, `Vec<T>` \
                     or `Arc<T>`"
                ),
            );
        }
    }

    let output = message.output().cloned();
    if let Some(output) = &output
        && message.forward().is_none()
        && let Some((part, what)) = types::unowned_part(output)
    {
        errors.spanned(
            part,
            format!(
                "{what} cannot be a reply: the reply is sent back to the asker's task, so it must be \
                 owned (`'static`); return an owned type such as `String`, `Vec<T>` or `Arc<T>`"
            ),
        );
        verdict.limit(unowned(output));
    }
    if let Some(reply) = &message.options.reply
        && let Some((part, what)) = types::unowned_part(reply)
    {
        errors.spanned(part, format!("{what} cannot be a reply type; name an owned type: `reply = String`"));
        verdict.limit(unowned(reply));
    }

    // A `Forward` is never a value: only the forwarding forms forward, and
    // no reply may hold one (it is not `Send`; this says so once, at the
    // `Forward`, instead of once per use of the reply).
    let written_reply = match (&message.options.reply, message.forward()) {
        (Some(reply), _) => Some((reply, true)),
        (None, Some((_, target))) => Some((target, false)),
        (None, None) => output.as_ref().map(|output| (output, false)),
    };
    if let Some((reply, declared)) = written_reply
        && let Some(part) = types::forward_part(reply)
    {
        let forwarding = output.as_ref().is_some_and(|output| types::forward_form(output).is_some());
        let advice = if declared && forwarding {
            format!("write `reply = {}`", super::expand::pretty(&types::strip_forwards(reply)))
        } else {
            "a handler forwards by returning `Forward<R>`, `Result<Forward<R>, E>` or `Option<Forward<R>>`, \
             whose reply is `R`, `Result<R, E>` or `Option<R>`"
                .to_string()
        };
        errors.spanned(
            part,
            format!(
                "`{}` cannot be part of a reply: a forward is never a value, the asker gets the \
                 forwarded reply; {advice}",
                super::expand::pretty(part)
            ),
        );
        verdict.limit(Emit::Stub);
    }

    if message.name == "Self" {
        errors.spanned(
            &message.method.sig.ident,
            "this method's message struct would be called `Self`; name it with `#[message(name = ..)]`",
        );
        verdict.limit(Emit::Nothing);
    }
    verdict
}

/// How much of a message with the unowned type `ty` is generated: a borrow
/// can be made `'static` in a stub (so uses of the message add no errors);
/// `impl Trait` or `_` cannot be written in a struct at all.
fn unowned(ty: &Type) -> Emit {
    if types::static_fixes(ty) { Emit::Stub } else { Emit::Nothing }
}

/// Generated names must not collide with each other, with the block's own
/// items, or with `ActorRef`'s methods.
fn check_names(block: &ActorBlock, verdict: &mut Verdict, errors: &mut Errors) {
    let actor = block.name.to_string();
    let reserved = [
        (format!("{actor}Message"), "the dispatch enum"),
        (format!("{actor}Reply"), "the reply enum"),
        (format!("{actor}RefExt"), "the ref extension trait"),
    ];
    let actor_in_scope = matches!(&*block.item.self_ty, Type::Path(path) if path.path.segments.len() == 1);
    let mut seen: HashMap<String, String> = HashMap::new();
    for (message, verdict) in block.messages.iter().zip(&mut verdict.messages) {
        if verdict.emit == Emit::Nothing {
            continue;
        }
        let name = message.name.to_string();
        let method = message.method.sig.ident.to_string();
        let rename = format!("#[message(name = {actor}{name})]");
        if let Some(other) = seen.get(&name) {
            errors.spanned(
                message.options.name.as_ref().unwrap_or(&message.method.sig.ident),
                format!(
                    "`{method}` and `{other}` both generate a message struct named `{name}`; \
                     give this one another name with `{rename}`"
                ),
            );
            verdict.limit(Emit::Nothing);
            continue;
        }
        if let Some((_, what)) = reserved.iter().find(|(reserved, _)| *reserved == name) {
            errors.spanned(
                message.options.name.as_ref().unwrap_or(&message.method.sig.ident),
                format!(
                    "the message struct `{name}` would clash with {what} that `#[actor]` generates; \
                     rename it with `#[message(name = ..)]`"
                ),
            );
            verdict.limit(Emit::Nothing);
            continue;
        }
        if actor_in_scope && name == actor {
            errors.spanned(
                message.options.name.as_ref().unwrap_or(&message.method.sig.ident),
                format!(
                    "the message struct `{name}` would clash with the actor type `{actor}`; rename it with \
                     `#[message(name = Get{actor})]`"
                ),
            );
            verdict.limit(Emit::Nothing);
            continue;
        }
        seen.insert(name.clone(), method.clone());
        let bare = names::unraw(&message.method.sig.ident);
        if REF_METHODS.contains(&bare.as_str()) {
            errors.spanned(
                &message.method.sig.ident,
                format!(
                    "`ActorRef` already has a method `{bare}`, so `actor_ref.{bare}()` would never send this \
                     message; rename the method (add `#[message(name = {name})]` to keep the struct's name)"
                ),
            );
            verdict.ref_method = false;
        }
    }
}
