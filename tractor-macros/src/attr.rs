//! Parsing of the macros' own attributes: `#[message(..)]` and
//! `#[tractor::main(..)]`.

use proc_macro2::{TokenStream, TokenTree};
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Expr, Ident, Path, Token, Type};

use crate::errors::Errors;

/// The options of one `#[message(..)]` attribute.
#[derive(Default)]
pub(crate) struct MessageAttr {
    /// `reply = Type`: the message's `Reply` type.
    pub(crate) reply: Option<Type>,
    /// `name = Ident`: the generated struct's name.
    pub(crate) name: Option<Ident>,
    /// `derive(Trait, ..)`: derives put on the generated struct.
    pub(crate) derives: Vec<Path>,
}

const MESSAGE_KEYS: &[&str] = &["reply", "name", "derive"];
const MESSAGE_KEYS_HELP: &str = "`#[message]` takes `reply = Type`, `name = Ident` and `derive(Trait, ..)`";

/// Is this `#[message]` (or `#[tractor::message]`)?
pub(crate) fn is_message_attr(attr: &Attribute) -> bool {
    let path = attr.path();
    path.is_ident("message")
        || (path.segments.len() == 2 && path.segments[0].ident == "tractor" && path.segments[1].ident == "message")
}

/// Parses one `#[message]`, `#[message()]` or `#[message(key = value, ..)]`.
/// Problems go to `errors`; what could be read is still returned, so one bad
/// key does not hide the message.
pub(crate) fn parse_message_attr(attr: &Attribute, errors: &mut Errors) -> MessageAttr {
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

/// The options of `#[tractor::main(..)]`.
#[derive(Default)]
pub(crate) struct MainAttr {
    /// `crash_policy = expr`: passed to `RuntimeBuilder::crash_policy`.
    pub(crate) crash_policy: Option<Expr>,
}

const MAIN_KEYS: &[&str] = &["crash_policy"];
const MAIN_KEYS_HELP: &str = "`#[tractor::main]` takes `crash_policy = Policy`";

/// Parses the arguments of `#[tractor::main(..)]`.
pub(crate) fn parse_main_attr(args: TokenStream, errors: &mut Errors) -> MainAttr {
    let mut out = MainAttr::default();
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("crash_policy") {
            let expr: Expr = meta.value()?.parse()?;
            if out.crash_policy.is_some() {
                errors.spanned(&meta.path, "`crash_policy` is given twice; keep one");
            } else {
                out.crash_policy = Some(expr);
            }
        } else {
            errors.push(unknown_key(&meta, MAIN_KEYS, MAIN_KEYS_HELP));
            skip_value(&meta)?;
        }
        Ok(())
    });
    if let Err(error) = syn::parse::Parser::parse2(parser, args) {
        errors.push(error);
    }
    out
}

/// "unknown option `rpely`; did you mean `reply`? .."
fn unknown_key(meta: &ParseNestedMeta<'_>, known: &[&str], help: &str) -> syn::Error {
    let key = quote::ToTokens::to_token_stream(&meta.path).to_string().replace(' ', "");
    let message = match closest(&key, known) {
        Some(guess) => format!("unknown option `{key}`; did you mean `{guess}`? {help}"),
        None => format!("unknown option `{key}`; {help}"),
    };
    syn::Error::new_spanned(&meta.path, message)
}

/// Consumes whatever follows an unknown key up to the next top-level comma,
/// so the keys after it are still checked.
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    while !meta.input.is_empty() && !meta.input.peek(Token![,]) {
        meta.input.parse::<TokenTree>()?;
    }
    Ok(())
}

/// The known word nearest to `word`, if it is close enough to be a typo.
pub(crate) fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|candidate| (edit_distance(word, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= candidate.len().max(3) / 3 + 1)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance, counting an adjacent swap as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (prev[j] + 1).min(row[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(prev2[j - 2] + 1);
            }
        }
        prev2 = std::mem::replace(&mut prev, row);
    }
    prev[b.len()]
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
    fn typos_find_their_key() {
        assert_eq!(closest("rpely", MESSAGE_KEYS), Some("reply"));
        assert_eq!(closest("replay", MESSAGE_KEYS), Some("reply"));
        assert_eq!(closest("nmae", MESSAGE_KEYS), Some("name"));
        assert_eq!(closest("derives", MESSAGE_KEYS), Some("derive"));
        assert_eq!(closest("crash_polcy", MAIN_KEYS), Some("crash_policy"));
        assert_eq!(closest("timeout", MESSAGE_KEYS), None);
    }

    #[test]
    fn edit_distance_counts_swaps_once() {
        assert_eq!(edit_distance("reply", "reply"), 0);
        assert_eq!(edit_distance("rpely", "reply"), 1);
        assert_eq!(edit_distance("erply", "reply"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn message_attr_reads_every_key() {
        let attr: Attribute = syn::parse_quote!(#[message(reply = Option<u8>, name = GetCount, derive(Debug, Clone))]);
        let mut errors = Errors::default();
        let parsed = parse_message_attr(&attr, &mut errors);
        assert!(errors.is_empty());
        assert!(parsed.reply.is_some());
        assert_eq!(parsed.name.unwrap(), "GetCount");
        assert_eq!(parsed.derives.len(), 2);
    }

    #[test]
    fn unknown_key_is_reported_and_the_rest_still_read() {
        let attr: Attribute = syn::parse_quote!(#[message(rpely = i64, name = GetCount)]);
        let mut errors = Errors::default();
        let parsed = parse_message_attr(&attr, &mut errors);
        assert!(!errors.is_empty());
        assert_eq!(parsed.name.unwrap(), "GetCount");
        let text = errors.into_compile_errors().to_string();
        assert!(text.contains("did you mean `reply`"), "{text}");
    }
}
