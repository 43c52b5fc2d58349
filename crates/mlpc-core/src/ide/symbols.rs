//! The file's outline: the pipeline, its params, images and steps, each step with its
//! outputs.

use super::Document;
use crate::source::Span;
use crate::syntax::ast::{Item, StepItem};

#[derive(Clone, Debug, PartialEq)]
pub struct Symbol {
    pub name: String,
    pub kind: SymbolKind,
    /// The type, kind or value, shown beside the name.
    pub detail: Option<String>,
    /// The whole item.
    pub span: Span,
    /// Its name.
    pub selection: Span,
    pub children: Vec<Symbol>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Pipeline,
    Param,
    Image,
    Step,
    Output,
}

impl Document {
    pub fn symbols(&self) -> Vec<Symbol> {
        let Some(pipeline) = self.pipeline() else { return Vec::new() };
        let mut children = Vec::new();
        for item in &pipeline.items {
            match item {
                Item::Setting(_) => {}
                Item::Param(p) => children.push(Symbol {
                    name: p.name.node.clone(),
                    kind: SymbolKind::Param,
                    detail: Some(p.ty.node.clone()),
                    span: p.span,
                    selection: p.name.span,
                    children: Vec::new(),
                }),
                Item::Image(i) => children.push(Symbol {
                    name: i.name.node.clone(),
                    kind: SymbolKind::Image,
                    detail: Some(self.slice(i.value.span).to_string()),
                    span: i.span,
                    selection: i.name.span,
                    children: Vec::new(),
                }),
                Item::Step(s) => {
                    let outputs = s
                        .items
                        .iter()
                        .filter_map(|i| match i {
                            StepItem::Output(o) => Some(Symbol {
                                name: o.name.node.clone(),
                                kind: SymbolKind::Output,
                                detail: Some(self.slice(o.ty.span).to_string()),
                                span: o.span,
                                selection: o.name.span,
                                children: Vec::new(),
                            }),
                            StepItem::Field(_) | StepItem::Input(_) => None,
                        })
                        .collect();
                    children.push(Symbol {
                        name: s.name.node.clone(),
                        kind: SymbolKind::Step,
                        detail: Some(s.kind.node.clone()),
                        span: s.span,
                        selection: s.name.span,
                        children: outputs,
                    });
                }
            }
        }
        vec![Symbol {
            name: pipeline.name.node.clone(),
            kind: SymbolKind::Pipeline,
            detail: None,
            span: pipeline.span,
            selection: pipeline.name.span,
            children,
        }]
    }
}
