//! The options of `#[message(..)]`, and the attributes a message method
//! carries over to what is generated from it.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Attribute, Ident, Path, Token, Type};

use crate::errors::Errors;
use crate::options::{skip_value, unknown_key};

/// The options of one `#[message(..)]` attribute.
#[derive(Default)]
pub(crate) struct MessageAttr {
    /// `reply = Type`: the message's `Reply` type.
    pub(crate) reply: Option<Type>,
    /// `name = Ident`: the generated struct's name.
    pub(crate) name: Option<Ident>,
    /// `derive(Trait, ..)`: derives put on the generated struct.
    pub(crate) derives: Vec<Path>,
    /// `remote`: the message can cross nodes (`tractor-remote`).
    pub(crate) remote: Option<Span>,
    /// `id = N`: the remote message's wire id, instead of the one derived
    /// from the actor's and the message's names.
    pub(crate) id: Option<syn::LitInt>,
}

const MESSAGE_KEYS: &[&str] = &["reply", "name", "derive", "remote", "id"];
const MESSAGE_KEYS_HELP: &str =
    "`#[message]` takes `reply = Type`, `name = Ident`, `derive(Trait, ..)`, `remote` and `id = N`";

/// The options of `#[actor(..)]`.
#[derive(Default)]
pub(crate) struct ActorAttr {
    /// `remote`: every message of the block can cross nodes.
    pub(crate) remote: Option<Span>,
}

/// Parses `#[actor]`'s arguments: nothing, or `remote`.
pub(crate) fn parse_actor(args: proc_macro2::TokenStream, errors: &mut Errors) -> ActorAttr {
    let mut out = ActorAttr::default();
    if args.is_empty() {
        return out;
    }
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("remote") {
            out.remote = Some(meta.path.span());
        } else {
            errors.push(unknown_key(
                &meta,
                &["remote"],
                "`#[actor]` takes only `remote`; the other options go on each method: `#[message(reply = T, name = N)]`",
            ));
            skip_value(&meta)?;
        }
        Ok(())
    });
    if let Err(error) = syn::parse::Parser::parse2(parser, args) {
        errors.push(error);
    }
    out
}

/// Is this `#[message]` (or `#[tractor::message]`)?
pub(crate) fn is_message_attr(attr: &Attribute) -> bool {
    let path = attr.path();
    path.is_ident("message")
        || (path.segments.len() == 2 && path.segments[0].ident == "tractor" && path.segments[1].ident == "message")
}

/// Parses one `#[message]`, `#[message()]` or `#[message(key = value, ..)]`.
/// Problems go to `errors`; what could be read is still returned, so one bad
/// key does not hide the message.
pub(crate) fn parse(attr: &Attribute, errors: &mut Errors) -> MessageAttr {
    let mut out = MessageAttr::default();
    match &attr.meta {
        syn::Meta::Path(_) => return out,
        syn::Meta::NameValue(nv) => {
            errors.spanned(
                nv,
                format!("`#[message = ..]` is not a form `#[message]` accepts; {MESSAGE_KEYS_HELP}, e.g. `#[message(reply = i64)]`"),
            );
            return out;
        }
        syn::Meta::List(_) => {}
    }
    let result = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("reply") {
            let ty: Type = meta.value()?.parse()?;
            if out.reply.is_some() {
                errors.spanned(&meta.path, "`reply` is given twice; keep one `reply = Type`");
            } else {
                out.reply = Some(ty);
            }
        } else if meta.path.is_ident("name") {
            let name: Ident = meta
                .value()?
                .parse()
                .map_err(|e| syn::Error::new(e.span(), "`name` takes the struct's name, e.g. `name = GetCount`"))?;
            if out.name.is_some() {
                errors.spanned(&meta.path, "`name` is given twice; keep one `name = Ident`");
            } else {
                out.name = Some(name);
            }
        } else if meta.path.is_ident("remote") {
            out.remote = Some(meta.path.span());
        } else if meta.path.is_ident("id") {
            let id: syn::LitInt = meta.value()?.parse().map_err(|e| {
                syn::Error::new(e.span(), "`id` takes the message's wire id, a number: `#[message(remote, id = 7)]`")
            })?;
            out.id = Some(id);
        } else if meta.path.is_ident("derive") {
            if !meta.input.peek(syn::token::Paren) {
                return Err(meta.error("`derive` takes a list of traits: `derive(Debug, Clone)`"));
            }
            meta.parse_nested_meta(|inner| {
                if !inner.input.is_empty() && !inner.input.peek(Token![,]) {
                    return Err(inner.error("expected a trait name, e.g. `derive(Debug, Clone)`"));
                }
                out.derives.push(inner.path);
                Ok(())
            })?;
        } else {
            errors.push(unknown_key(&meta, MESSAGE_KEYS, MESSAGE_KEYS_HELP));
            skip_value(&meta)?;
        }
        Ok(())
    });
    if let Err(error) = result {
        errors.push(error);
    }
    out
}

/// The `#[doc]` attributes of an item.
pub(crate) fn docs(attrs: &[Attribute]) -> Vec<Attribute> {
    attrs.iter().filter(|attr| attr.path().is_ident("doc")).cloned().collect()
}

/// The `#[cfg]` attributes of an item: they go on everything generated from it.
pub(crate) fn cfgs(attrs: &[Attribute]) -> Vec<Attribute> {
    attrs.iter().filter(|attr| attr.path().is_ident("cfg")).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_attr_reads_every_key() {
        let attr: Attribute = syn::parse_quote!(#[message(reply = Option<u8>, name = GetCount, derive(Debug, Clone))]);
        let mut errors = Errors::default();
        let parsed = parse(&attr, &mut errors);
        assert!(errors.is_empty());
        assert!(parsed.reply.is_some());
        assert_eq!(parsed.name.unwrap(), "GetCount");
        assert_eq!(parsed.derives.len(), 2);
    }

    #[test]
    fn unknown_key_is_reported_and_the_rest_still_read() {
        let attr: Attribute = syn::parse_quote!(#[message(rpely = i64, name = GetCount)]);
        let mut errors = Errors::default();
        let parsed = parse(&attr, &mut errors);
        assert!(!errors.is_empty());
        assert_eq!(parsed.name.unwrap(), "GetCount");
        let text = errors.into_compile_errors().to_string();
        assert!(text.contains("did you mean `reply`"), "{text}");
    }
}
