//! Checks: everything the macros refuse, each with what to write instead.

use std::collections::HashMap;

use syn::{FnArg, ItemFn, Pat, ReceiverKind, Type};

use crate::ast::{ActorBlock, MessageFn};
use crate::errors::Errors;
use crate::types;

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

/// Checks an `#[actor]` block. Returns `false` when nothing can be generated
/// for it at all (not an inherent impl of a named type).
pub(crate) fn check_block(block: &mut ActorBlock, errors: &mut Errors) -> bool {
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
        return false;
    }

    for message in &mut block.messages {
        check_message(message, errors);
    }
    check_names(block, errors);
    true
}

fn check_message(message: &mut MessageFn, errors: &mut Errors) {
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
            message.broken = true;
        }
        Some(receiver) => match &receiver.kind {
            ReceiverKind::Reference(_, None, _) => {}
            ReceiverKind::Reference(_, Some(lifetime), _) => {
                errors.spanned(
                    lifetime,
                    "a `#[message]` method borrows the actor only while it handles the message; \
                     remove the lifetime: `&self` or `&mut self`",
                );
                message.broken = true;
            }
            ReceiverKind::Value => {
                errors.spanned(
                    receiver,
                    "`self` by value would consume the actor, which lives on after each message; \
                     take `&mut self` (or `&self`)",
                );
                message.broken = true;
            }
            _ => {
                errors.spanned(receiver, "a `#[message]` method takes `&self` or `&mut self`, not a typed `self`");
                message.broken = true;
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
        message.skipped = true;
    } else if let Some(where_clause) = &sig.generics.where_clause {
        errors.spanned(
            where_clause,
            "a `#[message]` method cannot have a `where` clause: move the bounds to the impl block's \
             `where` clause",
        );
        message.broken = true;
    }
    if let syn::Safety::Unsafe(unsafety) = &sig.safety {
        errors.spanned(
            unsafety,
            "a `#[message]` method cannot be `unsafe`: the runtime calls it for every message, with no \
             caller to uphold its contract; make it safe and keep the `unsafe` block inside",
        );
        message.broken = true;
    }
    if let Some(abi) = &sig.abi {
        errors.spanned(abi, "a `#[message]` method cannot have an ABI; remove `extern`");
        message.broken = true;
    }

    if let Some(ctx) = &message.ctx {
        if message.receiver.is_none() {
            // Reported above; the context is otherwise fine.
        } else if let Type::Reference(reference) = ctx
            && reference.lifetime.is_some()
        {
            errors.spanned(
                ctx,
                "the context is lent only while the message is handled; write `ctx: &mut Context<Self>` \
                 without a lifetime",
            );
            message.broken = true;
        }
    }

    let struct_name = &message.name;
    for (i, input) in sig.inputs.iter().enumerate() {
        let FnArg::Typed(arg) = input else { continue };
        let is_ctx_slot =
            i == 1 && message.ctx.is_some() || i == 0 && message.receiver.is_none() && message.ctx.is_some();
        if is_ctx_slot {
            continue;
        }
        if types::context_actor(&arg.ty).is_some() {
            errors.spanned(
                arg,
                format!("the context comes right after `self`: `fn {name}(&mut self, ctx: &mut Context<Self>, ..)`"),
            );
            message.broken = true;
            continue;
        }
        if types::context_path_actor(&arg.ty).is_some() {
            errors.spanned(&arg.ty, "take the context by reference, right after `self`: `ctx: &mut Context<Self>`");
            message.broken = true;
            continue;
        }
        match &*arg.pat {
            Pat::Ident(ident) if ident.by_ref.is_none() && ident.subpat.is_none() => {}
            pat => {
                errors.spanned(
                    pat,
                    format!(
                        "each argument of a `#[message]` method becomes a field of `{struct_name}`, so it needs \
                         a plain name: write `name: Type` and destructure it in the body"
                    ),
                );
                message.broken = true;
            }
        }
        if let Some((part, what)) = types::unowned_part(&arg.ty) {
            errors.spanned(
                part,
                format!(
                    "{what} cannot be a field of `{struct_name}`: a message is sent to another task, so \
                     its fields must be owned (`'static`); use an owned type such as `String`, `Vec<T>` \
                     or `Arc<T>`"
                ),
            );
            message.skipped = true;
        }
    }

    let output = message.output().cloned();
    if let Some(output) = &output
        && message.forward_target().is_none()
        && let Some((part, what)) = types::unowned_part(output)
    {
        errors.spanned(
            part,
            format!(
                "{what} cannot be a reply: the reply is sent back to the asker's task, so it must be \
                 owned (`'static`); return an owned type such as `String`, `Vec<T>` or `Arc<T>`"
            ),
        );
        message.skipped = true;
    }
    if let Some(reply) = &message.options.reply
        && let Some((part, what)) = types::unowned_part(reply)
    {
        errors.spanned(part, format!("{what} cannot be a reply type; name an owned type: `reply = String`"));
        message.skipped = true;
    }

    if message.name == "Self" {
        errors.spanned(
            &message.method.sig.ident,
            "this method's message struct would be called `Self`; name it with `#[message(name = ..)]`",
        );
        message.skipped = true;
    }
}

/// Generated names must not collide with each other, with the block's own
/// items, or with `ActorRef`'s methods.
fn check_names(block: &mut ActorBlock, errors: &mut Errors) {
    let actor = block.name.to_string();
    let reserved = [
        (format!("{actor}Message"), "the dispatch enum"),
        (format!("{actor}Reply"), "the reply enum"),
        (format!("{actor}RefExt"), "the ref extension trait"),
    ];
    let actor_in_scope = matches!(&*block.item.self_ty, Type::Path(path) if path.path.segments.len() == 1);
    let mut seen: HashMap<String, String> = HashMap::new();
    for message in &mut block.messages {
        if message.skipped {
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
            message.skipped = true;
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
            message.skipped = true;
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
            message.skipped = true;
            continue;
        }
        seen.insert(name.clone(), method.clone());
        let bare = method.strip_prefix("r#").unwrap_or(&method);
        if REF_METHODS.contains(&bare) {
            errors.spanned(
                &message.method.sig.ident,
                format!(
                    "`ActorRef` already has a method `{bare}`, so `actor_ref.{bare}()` would never send this \
                     message; rename the method (add `#[message(name = {name})]` to keep the struct's name)"
                ),
            );
            message.no_ref_method = true;
        }
    }
}

/// Checks the function under `#[tractor::main]`.
pub(crate) fn check_main(item: &ItemFn, errors: &mut Errors) {
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
