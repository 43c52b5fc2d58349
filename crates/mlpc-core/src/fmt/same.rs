//! Whether two syntax trees say the same thing: equal in everything but spans.

use crate::source::Span;
use crate::syntax::ast::{
    Expr, ExprKind, Field, File, Ident, Item, MapEntry, Path, Segment, StepItem, StrPart, TypeExpr,
};

pub fn same_file(a: &File, b: &File) -> bool {
    let (mut a, mut b) = (a.clone(), b.clone());
    erase_file(&mut a);
    erase_file(&mut b);
    a == b
}

const NOWHERE: Span = Span { start: 0, end: 0 };

fn erase_file(file: &mut File) {
    file.span = NOWHERE;
    file.broken.iter_mut().for_each(erase_ident);
    for pipeline in &mut file.pipelines {
        pipeline.span = NOWHERE;
        erase_ident(&mut pipeline.name);
        for item in &mut pipeline.items {
            match item {
                Item::Setting(field) => erase_field(field),
                Item::Param(param) => {
                    param.span = NOWHERE;
                    erase_ident(&mut param.name);
                    erase_ident(&mut param.ty);
                    param.default.iter_mut().for_each(erase_expr);
                    param.attributes.iter_mut().for_each(erase_field);
                }
                Item::Image(image) => {
                    image.span = NOWHERE;
                    erase_ident(&mut image.name);
                    erase_expr(&mut image.value);
                }
                Item::Step(step) => {
                    step.span = NOWHERE;
                    erase_ident(&mut step.name);
                    erase_ident(&mut step.kind);
                    step.items.iter_mut().for_each(erase_step_item);
                }
            }
        }
    }
}

fn erase_step_item(item: &mut StepItem) {
    match item {
        StepItem::Field(field) => erase_field(field),
        StepItem::Input(input) => {
            input.span = NOWHERE;
            erase_ident(&mut input.name);
            input.ty.iter_mut().for_each(erase_type);
            input.source.iter_mut().chain(&mut input.options).for_each(erase_expr);
        }
        StepItem::Output(output) => {
            output.span = NOWHERE;
            erase_ident(&mut output.name);
            erase_type(&mut output.ty);
            output.options.iter_mut().for_each(erase_expr);
        }
    }
}

fn erase_type(ty: &mut TypeExpr) {
    ty.span = NOWHERE;
    erase_ident(&mut ty.name);
    ty.argument.iter_mut().for_each(erase_ident);
}

fn erase_field(field: &mut Field) {
    field.span = NOWHERE;
    erase_ident(&mut field.key);
    erase_expr(&mut field.value);
}

fn erase_entry(entry: &mut MapEntry) {
    entry.span = NOWHERE;
    erase_ident(&mut entry.key);
    erase_expr(&mut entry.value);
}

fn erase_expr(expr: &mut Expr) {
    expr.span = NOWHERE;
    match &mut expr.kind {
        ExprKind::Str(parts) => {
            for part in parts {
                match part {
                    StrPart::Text(_) => {}
                    StrPart::Interpolation(path) => erase_path(path),
                }
            }
        }
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Duration(_) | ExprKind::Date(_) => {}
        ExprKind::List(items) => items.iter_mut().for_each(erase_expr),
        ExprKind::Call(name, args) => {
            erase_ident(name);
            args.iter_mut().for_each(erase_expr);
        }
        ExprKind::Map(entries) => entries.iter_mut().for_each(erase_entry),
        ExprKind::Path(path) => erase_path(path),
        ExprKind::Binary(_, lhs, rhs) => {
            erase_expr(lhs);
            erase_expr(rhs);
        }
        ExprKind::Not(inner) | ExprKind::Group(inner) => erase_expr(inner),
    }
}

fn erase_path(path: &mut Path) {
    path.span = NOWHERE;
    for segment in &mut path.segments {
        match segment {
            Segment::Name(name) | Segment::Key(name) => erase_ident(name),
        }
    }
}

fn erase_ident(ident: &mut Ident) {
    ident.span = NOWHERE;
}
