//! The tree-sitter grammar of `.mlp` files: the language, and the highlight, locals and
//! injection queries that editors (Neovim, Helix, Zed) use as they are.

use tree_sitter_language::LanguageFn;

extern "C" {
    fn tree_sitter_mlp() -> *const ();
}

/// The language, for `tree_sitter::Parser::set_language(&LANGUAGE.into())`.
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_mlp) };

pub const HIGHLIGHTS_QUERY: &str = include_str!("../../queries/highlights.scm");
pub const LOCALS_QUERY: &str = include_str!("../../queries/locals.scm");
pub const INJECTIONS_QUERY: &str = include_str!("../../queries/injections.scm");
