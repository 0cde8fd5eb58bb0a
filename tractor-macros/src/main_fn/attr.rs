//! The options of `#[tractor::main(..)]`.

use proc_macro2::TokenStream;
use syn::Expr;

use crate::errors::Errors;
use crate::options::{skip_value, unknown_key};

/// The options of `#[tractor::main(..)]`.
#[derive(Default)]
pub(crate) struct MainAttr {
    /// `crash_policy = expr`: passed to `RuntimeBuilder::crash_policy`.
    pub(crate) crash_policy: Option<Expr>,
}

const MAIN_KEYS: &[&str] = &["crash_policy"];
const MAIN_KEYS_HELP: &str = "`#[tractor::main]` takes `crash_policy = Policy`";

/// Parses the arguments of `#[tractor::main(..)]`.
pub(crate) fn parse(args: TokenStream, errors: &mut Errors) -> MainAttr {
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
