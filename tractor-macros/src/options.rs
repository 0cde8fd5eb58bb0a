//! What the macros' own attributes share: the "unknown option, did you
//! mean .." error and skipping past a bad option so the rest are still read.

use proc_macro2::TokenTree;
use syn::Token;
use syn::meta::ParseNestedMeta;

/// "unknown option `rpely`; did you mean `reply`? .."
pub(crate) fn unknown_key(meta: &ParseNestedMeta<'_>, known: &[&str], help: &str) -> syn::Error {
    let key = quote::ToTokens::to_token_stream(&meta.path).to_string().replace(' ', "");
    let message = match closest(&key, known) {
        Some(guess) => format!("unknown option `{key}`; did you mean `{guess}`? {help}"),
        None => format!("unknown option `{key}`; {help}"),
    };
    syn::Error::new_spanned(&meta.path, message)
}

/// Consumes whatever follows an unknown key up to the next top-level comma,
/// so the keys after it are still checked.
pub(crate) fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    while !meta.input.is_empty() && !meta.input.peek(Token![,]) {
        meta.input.parse::<TokenTree>()?;
    }
    Ok(())
}

/// The known word nearest to `word`, if it is close enough to be a typo.
fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_key() {
        let message_keys = &["reply", "name", "derive"];
        assert_eq!(closest("rpely", message_keys), Some("reply"));
        assert_eq!(closest("replay", message_keys), Some("reply"));
        assert_eq!(closest("nmae", message_keys), Some("name"));
        assert_eq!(closest("derives", message_keys), Some("derive"));
        assert_eq!(closest("crash_polcy", &["crash_policy"]), Some("crash_policy"));
        assert_eq!(closest("timeout", message_keys), None);
    }

    #[test]
    fn edit_distance_counts_swaps_once() {
        assert_eq!(edit_distance("reply", "reply"), 0);
        assert_eq!(edit_distance("rpely", "reply"), 1);
        assert_eq!(edit_distance("erply", "reply"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
