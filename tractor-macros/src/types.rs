//! Helpers over types and generics shared by the checks and the generator.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Spacing, TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::{GenericArgument, GenericParam, Generics, PathArguments, Type, WherePredicate};

/// Rewrites `Self` (the actor, inside the `impl` block) to the actor's type,
/// so a type can be moved out of the block: `ActorRef<Self>` →
/// `ActorRef<Stack<T>>`, `Self::Item` → `<Stack<T>>::Item`.
pub(crate) fn replace_self(tokens: TokenStream, self_ty: &Type) -> TokenStream {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = TokenStream::new();
    for (i, token) in tokens.iter().enumerate() {
        match token {
            TokenTree::Ident(ident) if ident == "Self" => {
                let path_follows = matches!(
                    (tokens.get(i + 1), tokens.get(i + 2)),
                    (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
                        if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':'
                );
                // Keep the user's span so errors still point at their `Self`.
                let self_ty = respan(self_ty.to_token_stream(), ident.span());
                if path_follows {
                    out.extend(quote!(<#self_ty>));
                } else {
                    out.extend(self_ty);
                }
            }
            TokenTree::Group(group) => {
                let mut new = proc_macro2::Group::new(group.delimiter(), replace_self(group.stream(), self_ty));
                new.set_span(group.span());
                out.extend([TokenTree::Group(new)]);
            }
            other => out.extend([other.clone()]),
        }
    }
    out
}

/// [`replace_self`] for a type.
pub(crate) fn replace_self_in_type(ty: &Type, self_ty: &Type) -> Type {
    syn::parse2(replace_self(ty.to_token_stream(), self_ty)).unwrap_or_else(|_| ty.clone())
}

/// `tokens` with every span set to `span`.
pub(crate) fn respan(tokens: TokenStream, span: proc_macro2::Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let TokenTree::Group(group) = &mut token {
                let mut new = proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                new.set_span(span);
                *group = new;
            } else {
                token.set_span(span);
            }
            token
        })
        .collect()
}

/// A generic parameter of the `impl` block, by the name it is written with.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
enum ParamName {
    /// A type or const parameter: `T`, `N`.
    Ident(String),
    /// A lifetime parameter, without the quote: `a` for `'a`.
    Lifetime(String),
}

fn param_name(param: &GenericParam) -> ParamName {
    match param {
        GenericParam::Lifetime(lt) => ParamName::Lifetime(lt.lifetime.ident.to_string()),
        GenericParam::Type(ty) => ParamName::Ident(ty.ident.to_string()),
        GenericParam::Const(c) => ParamName::Ident(c.ident.to_string()),
    }
}

/// Which of `generics`' parameters appear in `tokens`.
fn mentioned(tokens: TokenStream, generics: &Generics, found: &mut BTreeSet<ParamName>) {
    let names: BTreeSet<ParamName> = generics.params.iter().map(param_name).collect();
    scan(tokens, &names, found);
}

fn scan(tokens: TokenStream, names: &BTreeSet<ParamName>, found: &mut BTreeSet<ParamName>) {
    let mut after_quote = false;
    for token in tokens {
        match token {
            TokenTree::Ident(ident) => {
                let name = ident.to_string();
                let name = if after_quote { ParamName::Lifetime(name) } else { ParamName::Ident(name) };
                if names.contains(&name) {
                    found.insert(name);
                }
                after_quote = false;
            }
            TokenTree::Punct(punct) => after_quote = punct.as_char() == '\'',
            TokenTree::Group(group) => {
                scan(group.stream(), names, found);
                after_quote = false;
            }
            TokenTree::Literal(_) => after_quote = false,
        }
    }
}

/// The part of the `impl` block's generics that `types` use: the parameters
/// they mention, with those parameters' bounds and where-predicates that
/// mention only kept parameters. A message struct carries only these, so
/// `Pop` stays `Pop` in `impl<T> Stack<T>` while `Push` is `Push<T>`.
pub(crate) fn generics_used_by<'a>(generics: &Generics, types: impl IntoIterator<Item = &'a Type>) -> Generics {
    let mut used = BTreeSet::new();
    for ty in types {
        mentioned(ty.to_token_stream(), generics, &mut used);
    }
    let only_kept = |tokens: TokenStream| {
        let mut found = BTreeSet::new();
        mentioned(tokens, generics, &mut found);
        found.is_subset(&used)
    };
    let mut out = Generics::default();
    for param in &generics.params {
        if !used.contains(&param_name(param)) {
            continue;
        }
        let mut param = param.clone();
        match &mut param {
            GenericParam::Type(ty) => {
                ty.bounds = std::mem::take(&mut ty.bounds)
                    .into_iter()
                    .filter(|bound| only_kept(bound.to_token_stream()))
                    .collect();
                if ty.bounds.is_empty() {
                    ty.colon_token = None;
                }
            }
            GenericParam::Lifetime(lt) => {
                lt.bounds = std::mem::take(&mut lt.bounds)
                    .into_iter()
                    .filter(|bound| only_kept(bound.to_token_stream()))
                    .collect();
                if lt.bounds.is_empty() {
                    lt.colon_token = None;
                }
            }
            GenericParam::Const(_) => {}
        }
        out.params.push(param);
    }
    if !out.params.is_empty() {
        out.lt_token = Some(Default::default());
        out.gt_token = Some(Default::default());
    }
    if let Some(where_clause) = &generics.where_clause {
        let kept: Vec<WherePredicate> = where_clause
            .predicates
            .iter()
            .filter(|predicate| {
                let mut found = BTreeSet::new();
                mentioned(predicate.to_token_stream(), generics, &mut found);
                !found.is_empty() && found.is_subset(&used)
            })
            .cloned()
            .collect();
        if !kept.is_empty() {
            out.make_where_clause().predicates.extend(kept);
        }
    }
    out
}

/// `R` when `ty` is written `Forward<R>` (any path ending in `Forward` with
/// one type argument).
pub(crate) fn forward_target(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    if last.ident != "Forward" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let mut types = args.args.iter().filter_map(|arg| match arg {
        GenericArgument::Type(ty) => Some(ty),
        _ => None,
    });
    match (types.next(), types.next(), args.args.len()) {
        (Some(target), None, 1) => Some(target),
        _ => None,
    }
}

/// How a handler's return type forwards its reply.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ForwardForm {
    /// `Forward<R>`: the reply is `R`.
    Plain,
    /// `Result<Forward<R>, E>`: the reply is `Result<R, E>`.
    Result,
    /// `Option<Forward<R>>`: the reply is `Option<R>`.
    Option,
}

/// `(form, R)` when `ty` is written `Forward<R>`, `Result<Forward<R>, ..>` or
/// `Option<Forward<R>>` (any path ending in `Result`/`Option`, so
/// `io::Result<Forward<R>>` counts).
pub(crate) fn forward_form(ty: &Type) -> Option<(ForwardForm, &Type)> {
    if let Some(target) = forward_target(ty) {
        return Some((ForwardForm::Plain, target));
    }
    let (form, first) = wrapper(ty)?;
    forward_target(first).map(|target| (form, target))
}

/// `(form, X)` when `ty` is a path ending in `Result` or `Option` whose first
/// generic argument is the type `X`.
pub(crate) fn wrapper(ty: &Type) -> Option<(ForwardForm, &Type)> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    let form = match last.ident.to_string().as_str() {
        "Result" => ForwardForm::Result,
        "Option" => ForwardForm::Option,
        _ => return None,
    };
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first() {
        Some(GenericArgument::Type(first)) => Some((form, first)),
        _ => None,
    }
}

/// `ty` (a [`wrapper`]) with its first type argument replaced by `f(it)`:
/// `Result<i64, E>` → `Result<Forward<i64>, E>`.
pub(crate) fn map_first_arg(ty: &Type, f: impl FnOnce(&Type) -> Type) -> Type {
    let mut ty = ty.clone();
    if let Type::Path(path) = &mut ty
        && let Some(last) = path.path.segments.last_mut()
        && let PathArguments::AngleBracketed(args) = &mut last.arguments
        && let Some(GenericArgument::Type(first)) = args.args.first_mut()
    {
        *first = f(first);
    }
    ty
}

/// The first `Forward<X>` inside `ty` (or `ty` itself).
pub(crate) fn forward_part(ty: &Type) -> Option<&Type> {
    if forward_target(ty).is_some() {
        return Some(ty);
    }
    match ty {
        Type::Reference(reference) => forward_part(&reference.elem),
        Type::Array(array) => forward_part(&array.elem),
        Type::Slice(slice) => forward_part(&slice.elem),
        Type::Paren(paren) => forward_part(&paren.elem),
        Type::Group(group) => forward_part(&group.elem),
        Type::Tuple(tuple) => tuple.elems.iter().find_map(forward_part),
        Type::Path(path) => path.path.segments.iter().find_map(|segment| {
            let PathArguments::AngleBracketed(args) = &segment.arguments else {
                return None;
            };
            args.args.iter().find_map(|arg| match arg {
                GenericArgument::Type(ty) => forward_part(ty),
                _ => None,
            })
        }),
        _ => None,
    }
}

/// `ty` with every `Forward<X>` in it replaced by `X`: the reply a stub
/// carries when a `Forward` was written where a value goes.
pub(crate) fn strip_forwards(ty: &Type) -> Type {
    if let Some(target) = forward_target(ty) {
        return strip_forwards(target);
    }
    let mut ty = ty.clone();
    match &mut ty {
        Type::Reference(reference) => *reference.elem = strip_forwards(&reference.elem),
        Type::Array(array) => *array.elem = strip_forwards(&array.elem),
        Type::Slice(slice) => *slice.elem = strip_forwards(&slice.elem),
        Type::Paren(paren) => *paren.elem = strip_forwards(&paren.elem),
        Type::Group(group) => *group.elem = strip_forwards(&group.elem),
        Type::Tuple(tuple) => tuple.elems.iter_mut().for_each(|elem| *elem = strip_forwards(elem)),
        Type::Path(path) => {
            for segment in &mut path.path.segments {
                if let PathArguments::AngleBracketed(args) = &mut segment.arguments {
                    for arg in &mut args.args {
                        if let GenericArgument::Type(ty) = arg {
                            *ty = strip_forwards(ty);
                        }
                    }
                }
            }
        }
        _ => {}
    }
    ty
}

/// How an argument's type is a `Context`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ContextKind {
    /// `&mut Context<A>` or `&Context<A>`.
    Borrowed,
    /// `Context<A>` by value.
    Owned,
}

/// The one test of "is this the ctx": `(kind, A)` when `ty` is a context of
/// actor `A`. A path ending in `Context` with one type argument counts,
/// whatever its prefix (`Context<Self>`, `tractor::Context<Counter>`).
pub(crate) fn context_of(ty: &Type) -> Option<(ContextKind, &Type)> {
    match ty {
        Type::Reference(reference) => context_path_actor(&reference.elem).map(|actor| (ContextKind::Borrowed, actor)),
        _ => context_path_actor(ty).map(|actor| (ContextKind::Owned, actor)),
    }
}

/// `A` when `ty` is `Context<A>` (a path ending in `Context`).
fn context_path_actor(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Context" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first() {
        Some(GenericArgument::Type(actor)) if args.args.len() == 1 => Some(actor),
        _ => None,
    }
}

/// The first part of `ty` a message field cannot hold: a borrowed reference
/// (fields must be `'static`), `impl Trait` or `_`.
pub(crate) fn unowned_part(ty: &Type) -> Option<(TokenStream, &'static str)> {
    match ty {
        Type::Reference(reference) => {
            if reference.lifetime.as_ref().is_some_and(|lifetime| lifetime.ident == "static") {
                unowned_part(&reference.elem)
            } else {
                Some((reference.to_token_stream(), "a borrowed reference"))
            }
        }
        Type::ImplTrait(it) => Some((it.to_token_stream(), "`impl Trait`")),
        Type::Infer(it) => Some((it.to_token_stream(), "`_`")),
        Type::Array(array) => unowned_part(&array.elem),
        Type::Slice(slice) => unowned_part(&slice.elem),
        Type::Paren(paren) => unowned_part(&paren.elem),
        Type::Group(group) => unowned_part(&group.elem),
        Type::Tuple(tuple) => tuple.elems.iter().find_map(unowned_part),
        Type::Path(path) => path.path.segments.iter().find_map(|segment| {
            let PathArguments::AngleBracketed(args) = &segment.arguments else {
                return None;
            };
            args.args.iter().find_map(|arg| match arg {
                GenericArgument::Type(ty) => unowned_part(ty),
                GenericArgument::Lifetime(lifetime) if lifetime.ident == "_" => {
                    Some((lifetime.to_token_stream(), "an elided lifetime `'_`"))
                }
                _ => None,
            })
        }),
        _ => None,
    }
}

/// `ty` with every lifetime [`unowned_part`] objects to made `'static`:
/// `&str` → `&'static str`, `Cow<'_, str>` → `Cow<'static, str>`. A message
/// whose field or reply borrows is still generated this way (its handler
/// never runs; the error is already reported), so the code that uses it
/// adds no errors of its own.
pub(crate) fn make_static(ty: &Type) -> Type {
    let mut ty = ty.clone();
    make_static_in(&mut ty);
    ty
}

fn make_static_in(ty: &mut Type) {
    let static_ = || syn::Lifetime::new("'static", proc_macro2::Span::call_site());
    match ty {
        Type::Reference(reference) => {
            if reference.lifetime.as_ref().is_none_or(|lifetime| lifetime.ident != "static") {
                let span = reference.and_token.span;
                reference.lifetime = Some(syn::Lifetime::new("'static", span));
            }
            make_static_in(&mut reference.elem);
        }
        Type::Array(array) => make_static_in(&mut array.elem),
        Type::Slice(slice) => make_static_in(&mut slice.elem),
        Type::Paren(paren) => make_static_in(&mut paren.elem),
        Type::Group(group) => make_static_in(&mut group.elem),
        Type::Tuple(tuple) => tuple.elems.iter_mut().for_each(make_static_in),
        Type::Path(path) => {
            for segment in &mut path.path.segments {
                let PathArguments::AngleBracketed(args) = &mut segment.arguments else {
                    continue;
                };
                for arg in &mut args.args {
                    match arg {
                        GenericArgument::Type(ty) => make_static_in(ty),
                        GenericArgument::Lifetime(lifetime) if lifetime.ident == "_" => *lifetime = static_(),
                        _ => {}
                    }
                }
            }
        }
        _ => {}
    }
}

/// Whether [`make_static`] makes `ty` owned: the only unowned parts are
/// borrows (not `impl Trait` or `_`).
pub(crate) fn static_fixes(ty: &Type) -> bool {
    unowned_part(&make_static(ty)).is_none()
}

/// The name of the actor in `impl Counter` / `impl<T> path::Stack<T>`.
pub(crate) fn self_ident(self_ty: &Type) -> Option<&Ident> {
    match self_ty {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last().map(|s| &s.ident),
        Type::Group(group) => self_ident(&group.elem),
        Type::Paren(paren) => self_ident(&paren.elem),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    #[test]
    fn self_is_replaced() {
        let self_ty: Type = parse_quote!(Stack<T>);
        let ty: Type = parse_quote!(ActorRef<Self>);
        let out = replace_self_in_type(&ty, &self_ty);
        assert_eq!(out.to_token_stream().to_string(), "ActorRef < Stack < T > >");
        let ty: Type = parse_quote!(Vec<Self::Item>);
        let out = replace_self_in_type(&ty, &self_ty);
        assert_eq!(out.to_token_stream().to_string(), "Vec < < Stack < T > > :: Item >");
    }

    #[test]
    fn only_used_generics_are_kept() {
        let generics: Generics = parse_quote!(<'a, T: Send + Clone + 'static, U: From<T>, const N: usize>);
        let mut generics = generics;
        generics.where_clause = Some(parse_quote!(where T: Default, U: Into<T>, 'a: 'static));
        let field: Type = parse_quote!(Vec<T>);
        let kept = generics_used_by(&generics, [&field]);
        assert_eq!(kept.to_token_stream().to_string(), "< T : Send + Clone + 'static >");
        assert_eq!(kept.where_clause.to_token_stream().to_string(), "where T : Default");
        let field: Type = parse_quote!([U; N]);
        let kept = generics_used_by(&generics, [&field]);
        assert_eq!(kept.to_token_stream().to_string(), "< U , const N : usize >");
        let field: Type = parse_quote!(&'a str);
        let kept = generics_used_by(&generics, [&field]);
        assert_eq!(kept.to_token_stream().to_string(), "< 'a >");
        let unit = generics_used_by(&generics, []);
        assert!(unit.params.is_empty() && unit.where_clause.is_none());
    }

    #[test]
    fn forward_is_detected_by_its_last_segment() {
        let ty: Type = parse_quote!(tractor::Forward<i64>);
        assert!(forward_target(&ty).is_some());
        let ty: Type = parse_quote!(Forwarded<i64>);
        assert!(forward_target(&ty).is_none());
    }

    #[test]
    fn forward_forms() {
        let form = |ty: Type| forward_form(&ty).map(|(form, target)| (form, target.to_token_stream().to_string()));
        assert_eq!(form(parse_quote!(Forward<i64>)), Some((ForwardForm::Plain, "i64".into())));
        assert_eq!(form(parse_quote!(Result<Forward<i64>, String>)), Some((ForwardForm::Result, "i64".into())));
        assert_eq!(form(parse_quote!(io::Result<tractor::Forward<u8>>)), Some((ForwardForm::Result, "u8".into())));
        assert_eq!(form(parse_quote!(Option<Forward<()>>)), Some((ForwardForm::Option, "()".into())));
        assert_eq!(form(parse_quote!(Result<i64, Forward<i64>>)), None);
        assert_eq!(form(parse_quote!(Vec<Forward<i64>>)), None);
        let ty: Type = parse_quote!(Vec<(u8, tractor::Forward<i64>)>);
        assert_eq!(forward_part(&ty).unwrap().to_token_stream().to_string(), "tractor :: Forward < i64 >");
        assert_eq!(strip_forwards(&ty).to_token_stream().to_string(), "Vec < (u8 , i64) >");
        let ty: Type = parse_quote!(Result<i64, String>);
        assert!(forward_part(&ty).is_none());
        let out = map_first_arg(&ty, |x| parse_quote!(Forward<#x>));
        assert_eq!(out.to_token_stream().to_string(), "Result < Forward < i64 > , String >");
    }

    #[test]
    fn contexts_are_told_apart() {
        let kind = |ty: Type| context_of(&ty).map(|(kind, _)| kind);
        assert_eq!(kind(parse_quote!(&mut Context<Self>)), Some(ContextKind::Borrowed));
        assert_eq!(kind(parse_quote!(&tractor::Context<Counter>)), Some(ContextKind::Borrowed));
        assert_eq!(kind(parse_quote!(Context<Self>)), Some(ContextKind::Owned));
        assert_eq!(kind(parse_quote!(&mut Contexts<Self>)), None);
        assert_eq!(kind(parse_quote!(&&Context<Self>)), None);
        let ty: Type = parse_quote!(&mut Context<Logger>);
        assert_eq!(context_of(&ty).unwrap().1.to_token_stream().to_string(), "Logger");
    }

    #[test]
    fn borrows_are_made_static() {
        let ty: Type = parse_quote!((&str, Vec<Cow<'_, [&'a u8]>>));
        let out = make_static(&ty);
        assert_eq!(out.to_token_stream().to_string(), "(& 'static str , Vec < Cow < 'static , [& 'static u8] > >)");
        assert!(unowned_part(&out).is_none());
        assert!(static_fixes(&ty));
        let ty: Type = parse_quote!(Vec<impl Send>);
        assert!(!static_fixes(&ty));
    }

    #[test]
    fn unowned_fields_are_found() {
        let ty: Type = parse_quote!(Vec<&str>);
        assert!(unowned_part(&ty).is_some());
        let ty: Type = parse_quote!(&'static str);
        assert!(unowned_part(&ty).is_none());
        let ty: Type = parse_quote!((u8, impl Send));
        assert!(unowned_part(&ty).is_some());
    }
}
