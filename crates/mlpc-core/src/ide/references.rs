//! Every place a name is written, its declaration included, and renaming them all at once:
//! a step in `STEP.OUTPUT`, `after` and `when`; an output after its step; a param in
//! `params.X`; an image in `image = NAME`; interpolations included.

use super::{each_path, Document, Ref};
use crate::check::RESERVED_ROOTS;
use crate::source::Span;
use crate::syntax::ast::StepItem;

impl Document {
    /// The declaration (when the name has one in this file) and every use of what is
    /// named at `offset`, in the order they are written.
    pub fn references(&self, offset: usize) -> Vec<Span> {
        match self.reference_at(offset) {
            Some((_, target)) => self.occurrences(&target),
            None => Vec::new(),
        }
    }

    /// The spans to replace with `new_name` to rename what is named at `offset`, or why
    /// it cannot be renamed so.
    pub fn rename(&self, offset: usize, new_name: &str) -> Result<Vec<Span>, String> {
        let (_, target) = self.reference_at(offset).ok_or("there is no step, output, param or image here")?;
        if !crate::syntax::is_name(new_name) {
            return Err(format!("`{new_name}` is not a name: letters, digits and `_`, not starting with a digit"));
        }
        let taken = || {
            self.steps().any(|s| s.name.node == new_name)
                || self.params().any(|p| p.name.node == new_name)
                || self.images().any(|i| i.name.node == new_name)
        };
        match &target {
            Ref::Config(_) => {
                return Err("a config key is named in the config file: rename it there".into());
            }
            Ref::Output(step, _) => {
                let outputs = step.items.iter().filter_map(|i| match i {
                    StepItem::Output(o) => Some(&o.name.node),
                    StepItem::Field(_) | StepItem::Input(_) => None,
                });
                if outputs.into_iter().any(|name| name == new_name) {
                    return Err(format!("step `{}` already has an output `{new_name}`", step.name.node));
                }
            }
            Ref::Step(_) if RESERVED_ROOTS.contains(&new_name) => {
                return Err(format!("`{new_name}` is reserved: `{new_name}.X` refers to something else"));
            }
            Ref::Step(_) | Ref::Param(_) | Ref::Image(_) if taken() => {
                return Err(format!("`{new_name}` already names a step, param or image"));
            }
            Ref::Step(_) | Ref::Param(_) | Ref::Image(_) => {}
        }
        Ok(self.occurrences(&target))
    }

    fn occurrences(&self, target: &Ref) -> Vec<Span> {
        let mut out = match target {
            Ref::Step(step) => vec![step.name.span],
            Ref::Output(_, output) => vec![output.name.span],
            Ref::Param(param) => vec![param.name.span],
            Ref::Image(image) => vec![image.name.span],
            Ref::Config(_) => Vec::new(),
        };
        let Some(pipeline) = self.pipeline() else { return out };
        each_path(pipeline, &mut |path| {
            let text = |k: usize| path.segments.get(k).map(|s| s.text());
            let span = |k: usize| path.segments.get(k).map(|s| s.span());
            let found = match target {
                Ref::Step(step) if text(0) == Some(&step.name.node) => span(0),
                Ref::Output(step, output) if text(0) == Some(&step.name.node) && text(1) == Some(&output.name.node) => {
                    span(1)
                }
                Ref::Param(param) if text(0) == Some("params") && text(1) == Some(&param.name.node) => span(1),
                Ref::Image(image) if text(0) == Some(&image.name.node) => span(0),
                Ref::Config(keys) if text(0) == Some("config") => {
                    let same = keys.iter().enumerate().all(|(k, key)| text(k + 1) == Some(key));
                    if same {
                        span(keys.len())
                    } else {
                        None
                    }
                }
                Ref::Step(_) | Ref::Output(..) | Ref::Param(_) | Ref::Image(_) | Ref::Config(_) => None,
            };
            out.extend(found);
        });
        out.sort_by_key(|s| (s.start, s.end));
        out.dedup();
        out
    }
}
