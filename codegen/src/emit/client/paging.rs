//! The paging method of a list operation (`x-pagination`): `into_stream()` on its request
//! builder, a stream of every item across pages, fetched one page at a time.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::{ident, ty};
use crate::ir::*;

/// `impl<'a> Builder<'a> { pub fn into_stream(self) -> impl Stream<Item = Result<T, Error>> }`.
pub(super) fn stream_method(op: &Operation, p: &Pagination) -> TokenStream {
    let builder = format_ident!("{}", op.builder_name);
    let item_ty = ty(&p.item_ty);
    let paging = if p.by_page {
        quote!(runtime::Paging::Page)
    } else {
        quote!(runtime::Paging::Offset)
    };
    let first = proc_macro2::Literal::u64_unsuffixed(p.start);
    let position = &p.position;
    let read_position = read_field(position);
    let start = quote!(#read_position.and_then(rt::page_total).unwrap_or(#first));
    let size = match &p.size {
        Some(s) => {
            let read = read_field(s);
            quote!(#read.and_then(rt::page_total))
        }
        None => quote!(None),
    };
    let pos_ty = ty(&position.ty);
    let pos_wire = &position.wire;
    let pos_id = ident(&position.ident);
    let target = if position.in_body {
        quote!(req.body.#pos_id)
    } else {
        quote!(req.#pos_id)
    };
    let assign = if position.optional {
        quote!(#target = Some(value);)
    } else {
        quote!(#target = value;)
    };
    let items = items_expr(&p.items);
    let total = match &p.total {
        Some(steps) => total_expr(steps),
        None => quote!(None),
    };
    let (unit, stop) = if p.by_page {
        (
            "page number",
            "an empty page, a page shorter than the page size, or the last page by the total count",
        )
    } else {
        (
            "offset",
            "an empty page, a page shorter than the page size, or the offset reaching the total count",
        )
    };
    let doc = format!(
        " Every item of [`Client::{}`], across pages, as a stream: the {unit} `{pos_wire}` starts where this request sets it (else at {first}) and moves on page by page; the other parameters stay as set. The stream ends after {stop}; an error is yielded once and ends it. Pages are fetched one at a time, as the items are consumed.",
        op.method_name,
        first = p.start,
    );
    quote! {
        impl<'a> #builder<'a> {
            #[doc = #doc]
            pub fn into_stream(self) -> impl runtime::stream::Stream<Item = Result<#item_ty, Error>> + 'a {
                let start: u64 = #start;
                let size: Option<u64> = #size;
                runtime::paginate(#paging, start, size, move |position| {
                    let mut req = self.clone();
                    let value = rt::page_position::<#pos_ty>(position, #pos_wire);
                    async move {
                        let value = value?;
                        #assign
                        let page = req.send().await?;
                        let total: Option<u64> = #total;
                        Ok(runtime::Page { items: #items, total })
                    }
                })
            }
        }
    }
}

/// The current value of a paging field of `self`, as an `Option` of its integer type.
fn read_field(f: &PageField) -> TokenStream {
    let id = ident(&f.ident);
    let place = if f.in_body {
        quote!(self.body.#id)
    } else {
        quote!(self.#id)
    };
    if f.optional {
        quote!(#place)
    } else {
        quote!(Some(#place))
    }
}

/// `page`'s items, moved out (`Vec<T>`; an absent list is empty).
fn items_expr(steps: &[PathStep]) -> TokenStream {
    let mut expr = quote!(Some(page));
    for s in steps {
        let id = ident(&s.ident);
        expr = match (s.optional, s.boxed) {
            (true, false) => quote!(#expr.and_then(|v| v.#id)),
            (true, true) => quote!(#expr.and_then(|v| v.#id.map(|b| *b))),
            (false, false) => quote!(#expr.map(|v| v.#id)),
            (false, true) => quote!(#expr.map(|v| *v.#id)),
        };
    }
    quote!(#expr.unwrap_or_default())
}

/// `page`'s total count, borrowed (`Option<u64>`).
fn total_expr(steps: &[PathStep]) -> TokenStream {
    let mut expr = quote!(Some(&page));
    for s in steps {
        let id = ident(&s.ident);
        expr = match (s.optional, s.boxed) {
            (true, false) => quote!(#expr.and_then(|v| v.#id.as_ref())),
            (true, true) => quote!(#expr.and_then(|v| v.#id.as_deref())),
            (false, false) => quote!(#expr.map(|v| &v.#id)),
            (false, true) => quote!(#expr.map(|v| &*v.#id)),
        };
    }
    quote!(#expr.and_then(|t| rt::page_total(*t)))
}
