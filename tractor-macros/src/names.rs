//! Identifiers: the one place that knows about raw identifiers (`r#type`).
//!
//! A method may be called `r#type`; the names and text derived from it
//! (`Type`, "`Counter::type`") use the identifier without its `r#`.

use proc_macro2::Ident;
use syn::ext::IdentExt;

/// The identifier as text, without `r#`: `r#type` → `type`.
pub(crate) fn unraw(ident: &Ident) -> String {
    ident.unraw().to_string()
}

/// The message struct's default name, spanned at the method's name:
/// `add_from` → `AddFrom`, `r#type` → `Type`.
pub(crate) fn message_name(method: &Ident) -> Ident {
    Ident::new(&upper_camel(&unraw(method)), method.span())
}

/// `add_from` → `AddFrom`, `get_2d` → `Get2d`.
fn upper_camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    for word in snake.split('_').filter(|word| !word.is_empty()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::Span;

    #[test]
    fn camel_case() {
        assert_eq!(upper_camel("add_from"), "AddFrom");
        assert_eq!(upper_camel("get"), "Get");
        assert_eq!(upper_camel("_private"), "Private");
        assert_eq!(upper_camel("get_2d"), "Get2d");
        assert_eq!(upper_camel("a__b"), "AB");
    }

    #[test]
    fn raw_identifiers_lose_their_prefix() {
        let ident = Ident::new_raw("type", Span::call_site());
        assert_eq!(unraw(&ident), "type");
        assert_eq!(message_name(&ident), "Type");
        let ident = Ident::new("get_count", Span::call_site());
        assert_eq!(unraw(&ident), "get_count");
        assert_eq!(message_name(&ident), "GetCount");
    }
}
